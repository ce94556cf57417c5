// checklists.mjs — the life-event checklists in Debian's headless Chromium
// (docs/public-pages.md "Checklists"): answering the questions on the page
// leaves exactly the procedures that apply; the answers go to the URL
// fragment and a reload of that URL gives the same list; 転入 by a couple
// with one child and a car prints (page.pdf, A4) on ONE page; with
// JavaScript off every procedure shows with its condition in words; axe-core
// finds nothing serious at 1280 and 390 px; the chat widget asks the same
// questions as buttons and links the page with the answers in the fragment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask, axeMissing, axeViolations, launchBrowser } from './lib.mjs';

const CONFIG = { pages: true, public_base_url: 'https://faq.city.example' };
// 転入, a couple with one child and a car, employer's insurance, no dog
const ANSWERS = { children: 'いる', car: '持っている', ins: '勤務先の健康保険', dog: '飼っていない' };
const LEGENDS = { children: '中学生までのお子さんはいますか？', car: '車やバイク（原付を含む）をお持ちですか？',
  ins: '健康保険はどちらですか？', dog: '犬を飼っていますか？' };
const WANT = ['saijo-0015', 'saijo-0056', 'saijo-0075', 'saijo-0077', 'saijo-0121', 'saijo-0170', 'saijo-0184'];
const FRAGMENT = '#a=children:yes,car:yes,ins:employer,dog:no';

/** The faq ids of the procedures shown (not hidden), in page order. */
function shown(page) {
  return page.$$eval('#mgp-cl-list > li.mgp-cl-item', (lis) => lis.filter((li) => !li.hidden && li.offsetParent !== null)
    .map((li) => li.querySelector('h3 a').getAttribute('href').replace(/^.*\/faq\/entry\//, '')));
}

/** Pages in a PDF: its page objects ("/Type /Page", not "/Pages"). */
function pdfPages(buf) {
  return (buf.toString('latin1').match(/\/Type\s*\/Page(?![a-z])/g) || []).length;
}

test('checklists: answer, fragment round trip, one A4 page', { skip: skipReason, timeout: 120000 }, (t) =>
  withWidget(t, async ({ page, server }) => {
    await page.goto(`${server.url}faq/checklists/tennyu`);
    await page.getByRole('heading', { level: 1, name: '西条市に引っ越してきたとき（転入）' }).waitFor();
    assert.equal((await shown(page)).length, 9, 'no answers: every procedure');
    for (const [q, label] of Object.entries(ANSWERS)) {
      await page.getByRole('group', { name: LEGENDS[q] }).getByLabel(label).check();
    }
    assert.deepEqual(await shown(page), WANT, 'exactly the procedures that apply');
    assert.equal(new URL(page.url()).hash, FRAGMENT, 'the answers are in the fragment');
    assert.equal(await page.locator('#mgp-cl-count').innerText(), `（${WANT.length}件）`);

    // the URL alone gives the same list (a bookmark, a shared link)
    const fresh = await launchBrowser();
    try {
      await fresh.page.goto(`${server.url}faq/checklists/tennyu${FRAGMENT}`);
      await fresh.page.locator('#mgp-cl-tools:not([hidden])').waitFor();
      assert.deepEqual(await shown(fresh.page), WANT, 'reloaded from the URL: the same list');
      assert.ok(await fresh.page.getByRole('group', { name: LEGENDS.car }).getByLabel(ANSWERS.car).isChecked());
      assert.deepEqual(fresh.errors, []);
    } finally {
      await fresh.close();
    }
    await page.reload();
    await page.locator('#mgp-cl-tools:not([hidden])').waitFor();
    assert.deepEqual(await shown(page), WANT, 'reload: the same list');

    // printed on A4: one page
    const pdf = await page.pdf({ format: 'A4' });
    assert.equal(pdfPages(pdf), 1, `the printed list is one A4 page (${pdfPages(pdf)})`);
    // every procedure of the event (nothing answered) still fits two pages at most
    await page.goto(`${server.url}faq/checklists/okuyami`);
    await page.locator('#mgp-cl-tools:not([hidden])').waitFor();
    const all = await page.pdf({ format: 'A4' });
    assert.ok(pdfPages(all) <= 2, `おくやみ, all 9 procedures: ${pdfPages(all)} pages`);
  }, { config: CONFIG }));

test('checklists: JavaScript off lists every procedure with its condition', { skip: skipReason, timeout: 120000 }, (t) =>
  withWidget(t, async ({ server }) => {
    const off = await launchBrowser({ javaScriptEnabled: false });
    try {
      const { page } = off;
      let res = await page.goto(`${server.url}faq/checklists/`);
      assert.equal(res.status(), 200);
      assert.equal(await page.locator('main a[href^="/faq/checklists/"]').count(), 9);
      res = await page.goto(`${server.url}faq/checklists/tennyu${FRAGMENT}`);
      assert.equal(res.status(), 200);
      assert.equal((await shown(page)).length, 9, 'the fragment needs JavaScript: every procedure shows');
      const car = page.locator('li.mgp-cl-item[data-if="car=yes"]');
      assert.match(await car.innerText(), /対象：車・バイクをお持ちの方/);
      assert.equal(await page.locator('li.mgp-cl-item:not([data-if]) .mgp-cl-if').count(), 0, 'no condition, no 対象');
      assert.ok(await page.getByRole('group', { name: LEGENDS.ins }).isVisible(), 'the questions as a plain form');
      assert.ok(await page.getByText('すべての手続きを、対象となる方の条件とともに表示しています。').isVisible());
      assert.ok(!(await page.locator('#mgp-cl-tools').isVisible()), 'the print button needs JavaScript');
    } finally {
      await off.close();
    }
  }, { config: CONFIG }));

test('checklists: axe-core at 1280 and 390 px', { skip: skipReason || axeMissing, timeout: 180000 }, (t) =>
  withWidget(t, async ({ page, server }) => {
    const found = [];
    const paths = { index: 'faq/checklists/', tennyu: 'faq/checklists/tennyu', answered: `faq/checklists/tennyu${FRAGMENT}`,
      okuyami: 'faq/checklists/okuyami' };
    for (const [kind, path] of Object.entries(paths)) {
      await page.goto(server.url + path);
      found.push(...await axeViolations(page, kind));
    }
    const phone = await launchBrowser({ viewport: { width: 390, height: 844 } });
    try {
      for (const [kind, path] of Object.entries(paths)) {
        await phone.page.goto(server.url + path);
        const m = await phone.page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth,
          small: [...document.querySelectorAll('main label, main button:not([hidden]), .mgp-tel')]
            .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
            .map((e) => `${e.tagName} ${e.textContent.trim().slice(0, 20)} ${e.getBoundingClientRect().height}`),
        }));
        assert.ok(m.scroll <= m.width, `${kind}: no horizontal scroll at 390 px (${m.scroll} > ${m.width})`);
        assert.deepEqual(m.small, [], `${kind}: targets of 44 px`);
        found.push(...await axeViolations(phone.page, `${kind} at 390 px`));
      }
    } finally {
      await phone.close();
    }
    assert.deepEqual(found, [], found.join('\n'));
  }, { config: CONFIG }));

test('checklists: the chat widget asks the questions as buttons', { skip: skipReason, timeout: 120000 }, (t) =>
  withWidget(t, async ({ page }) => {
    await openWidget(page);
    const reply = await ask(page, '引っ越してきました');
    assert.match(await reply.innerText(), /西条市に引っ越してきたとき（転入）/);
    for (const label of Object.values(ANSWERS)) {
      await reply.getByRole('button', { name: label, exact: true }).click();
    }
    const ids = await reply.locator('.mg-checklist-list li').evaluateAll((lis) => lis.map((li) => li.dataset.faqId).sort());
    assert.deepEqual(ids, WANT, 'the same list as the page');
    const link = reply.getByRole('link', { name: /一覧を開く/ });
    assert.equal(await link.getAttribute('href'), `https://faq.city.example/faq/checklists/tennyu${FRAGMENT}`);
    // an emergency still comes first
    const em = await ask(page, '父が倒れて息をしていない');
    assert.match(await em.innerText(), /119/);
    assert.equal(await em.locator('.mg-checklist-list').count(), 0);
  }, { config: CONFIG }));
