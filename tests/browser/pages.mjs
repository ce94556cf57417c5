// pages.mjs — the public FAQ pages in Debian's headless Chromium
// (docs/public-pages.md): search and feedback with JavaScript on; reading
// every page kind with JavaScript off; axe-core (WCAG 2.1 A/AA, the
// JIS X 8341-3 AA check) on every page kind with no serious or critical
// violation; at 390 px no horizontal scrolling and targets of 44 px; the
// widget's answer links to the entry's page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask, axeMissing, axeViolations, launchBrowser } from './lib.mjs';

const CONFIG = { pages: true, public_base_url: 'https://faq.city.example' };
const KINDS = {
  home: 'faq/',
  category: `faq/category/${encodeURIComponent('ごみ・リサイクル')}`,
  department: 'faq/department/shimin',
  entry: 'faq/entry/saijo-0001',
  search: `faq/search?q=${encodeURIComponent('粗大ごみの出し方')}`,
  clarify: `faq/search?q=${encodeURIComponent('マイナンバーカード')}`,
  none: `faq/search?q=${encodeURIComponent('ぴよぴよ星のもふもふ祭りの参加券')}`,
  accessibility: 'faq/accessibility',
  thanks: 'faq/thanks/saijo-0001?helpful=0',
  notfound: 'faq/entry/no-such-entry',
};

test('pages: search and feedback with JavaScript on, the widget links the page', { skip: skipReason, timeout: 120000 }, (t) =>
  withWidget(t, async ({ page, server }) => {
    await page.goto(`${server.url}faq/`);
    await page.getByRole('heading', { level: 1, name: 'よくある質問' }).waitFor();
    await page.getByLabel('質問やキーワードで探す').fill('じゅうみんひょう');
    await page.getByRole('button', { name: '検索' }).click();
    await page.getByRole('heading', { level: 1, name: '「じゅうみんひょう」の検索結果' }).waitFor();
    await page.locator('main a[href="/faq/entry/saijo-0001"]').first().click();
    await page.getByRole('heading', { level: 1, name: '住民票の写しはどこで取得できますか？' }).waitFor();
    await page.getByRole('button', { name: 'いいえ' }).click();
    await page.getByRole('heading', { level: 1, name: 'ご意見ありがとうございました' }).waitFor();
    assert.ok(await page.getByRole('link', { name: '職員に質問する' }).isVisible(), 'not helpful: a person is offered');
    assert.match(page.url(), /\/faq\/thanks\/saijo-0001\?helpful=0$/);

    // the chat on the demo page links the answered entry's page
    await page.goto(server.url);
    await openWidget(page);
    const reply = await ask(page, '住民票の写しはどこで取得できますか？');
    const link = reply.getByRole('link', { name: /このFAQのページ/ });
    assert.equal(await link.getAttribute('href'), 'https://faq.city.example/faq/entry/saijo-0001');
  }, { config: CONFIG }));

test('pages: every page kind readable with JavaScript off', { skip: skipReason, timeout: 120000 }, (t) =>
  withWidget(t, async ({ server }) => {
    const off = await launchBrowser({ javaScriptEnabled: false });
    try {
      const { page } = off;
      for (const [kind, path] of Object.entries(KINDS)) {
        const res = await page.goto(server.url + path);
        assert.equal(res.status(), kind === 'notfound' ? 404 : 200, kind);
        assert.equal(await page.locator('h1').count(), 1, `${kind}: one h1`);
        assert.ok((await page.locator('main').innerText()).length > 30, `${kind}: main has text`);
      }
      // a form POST without JavaScript: feedback, then the thanks page
      await page.goto(`${server.url}faq/entry/saijo-0003`);
      await page.getByRole('button', { name: 'はい' }).click();
      await page.getByRole('heading', { level: 1, name: 'ご意見ありがとうございました' }).waitFor();
      // search without JavaScript, typo included
      await page.goto(`${server.url}faq/`);
      await page.getByLabel('質問やキーワードで探す').fill('住民表の写し');
      await page.getByLabel('質問やキーワードで探す').press('Enter');
      await page.locator('main a[href="/faq/entry/saijo-0001"]').first().waitFor();
    } finally {
      await off.close();
    }
  }, { config: CONFIG }));

test('pages: axe-core, and 390 px without horizontal scrolling', { skip: skipReason || axeMissing, timeout: 180000 }, (t) =>
  withWidget(t, async ({ page, server }) => {
    const found = [];
    for (const [kind, path] of Object.entries(KINDS)) {
      await page.goto(server.url + path);
      found.push(...await axeViolations(page, kind));
    }
    assert.deepEqual(found, [], found.join('\n'));

    const phone = await launchBrowser({ viewport: { width: 390, height: 844 } });
    try {
      const p = phone.page;
      for (const [kind, path] of Object.entries(KINDS)) {
        await p.goto(server.url + path);
        const m = await p.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          width: document.documentElement.clientWidth,
          small: [...document.querySelectorAll('main button, main input:not([type=hidden]), main a.mgp-btn, .mgp-tel')]
            .filter((e) => e.getBoundingClientRect().height < 44)
            .map((e) => `${e.tagName} ${e.textContent.trim().slice(0, 20)} ${e.getBoundingClientRect().height}`),
        }));
        assert.ok(m.scroll <= m.width, `${kind}: no horizontal scroll at 390 px (${m.scroll} > ${m.width})`);
        assert.deepEqual(m.small, [], `${kind}: targets of 44 px`);
        found.push(...await axeViolations(p, `${kind} at 390 px`));
      }
      assert.deepEqual(found, [], found.join('\n'));
    } finally {
      await phone.close();
    }
  }, { config: CONFIG }));
