// The console's 住民の言い回し section (the learning loop, docs/learning.md) in
// real headless Chromium, at a phone's width (390 px), against a real server:
//  - three residents over the real /ws (two from one /24 network, one from
//    another: the server counts networks) ask 「ワンちゃんの注射」, get a clarify
//    and choose saijo-0066; they also ask a question carrying an <img onerror>
//    tag and choose the same entry;
//  - staff of kankyo (the entry's department) see both candidates with their
//    session counts, page through them with 「さらに表示」, see the tag as text
//    (no element made of it), accept 「ワンちゃんの注射」 and reject the other:
//    each row disappears and the status line (aria-live) says what happened;
//  - the next resident who asks 「ワンちゃんの注射」 is answered with saijo-0066
//    directly;
//  - staff of another department (shimin) see no rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason as browserSkip, launchBrowser, openConsole } from './lib.mjs';
import { Resident, addUser, scratch, skipReason as wsSkip, startServer } from '../integration/lib.mjs';

const ASKED = 'ワンちゃんの注射';      // a clarify on the sample FAQ
const ENTRY = 'saijo-0066';            // 狂犬病の予防注射 (department kankyo)
const XSS = '飼い犬の狂犬病の注射<img src=x onerror="window.__mgXss=1">'; // a clarify offering ENTRY, too

/** Ask text, expect a clarify offering ENTRY, choose it, expect its answer. */
async function chooseEntry(r, id, text) {
  const c = await r.ask(id, text);
  assert.equal(c.type, 'clarify', `${text}: ${JSON.stringify(c).slice(0, 300)}`);
  assert.ok(c.choices.some((x) => x.faq_id === ENTRY), `${text}: ${ENTRY} is among the choices`);
  r.send({ type: 'choose', id: `${id}c`, faq_id: ENTRY });
  const a = await r.next((m) => m.reply_to === `${id}c`);
  assert.equal(a.type, 'answer');
  assert.equal(a.faq_id, ENTRY);
}

async function resident(base, address) {
  const r = await Resident.hello(base, undefined, { localAddress: address });
  await chooseEntry(r, 'q1', ASKED);
  await chooseEntry(r, 'q2', XSS);
  await r.close();
}

const rowOf = (admin, text) => admin.locator('#phrasings-table tbody tr')
  .filter({ has: admin.locator('td.phrasing-text', { hasText: text }) });

test('console: staff see residents\' phrasings of their department, accept one, and the bot answers it directly',
  { skip: browserSkip || wsSkip }, async () => {
    const tmp = scratch();
    const srv = await startServer(tmp.db, { config: { max_msgs_per_sec: 100, learn_min_sessions: 3, learn_min_addresses: 2 } });
    let browser = null;
    try {
      await addUser(tmp.db, 'kankyo1', 'staff', 'kankyo', 'kankyo password 1');
      await addUser(tmp.db, 'shimin1', 'staff', 'shimin', 'shimin password 1');
      await resident(srv.base, '127.0.0.2');
      await resident(srv.base, '127.0.0.3');
      await resident(srv.base, '127.0.1.2');

      browser = await launchBrowser({ viewport: { width: 390, height: 844 } });
      const { admin, errors } = await openConsole(browser.context, `${srv.base}/`, 'kankyo1', 'kankyo password 1');

      // a page of one, to see the total and 「さらに表示」
      await admin.goto(`${srv.base}/admin/#/phrasings?limit=1`);
      await admin.locator('#view-title', { hasText: '住民の言い回し' }).waitFor();
      await admin.getByText('住民が選んだFAQと、そのときの質問の言い回しです。').waitFor();
      await admin.locator('#phrasings-total', { hasText: '全2件（1件を表示）' }).waitFor();
      assert.equal(await admin.locator('#phrasings-table tbody tr').count(), 1);
      await admin.getByRole('button', { name: 'さらに表示' }).click();
      await admin.locator('#phrasings-total', { hasText: /^全2件$/ }).waitFor();
      assert.equal(await admin.locator('#phrasings-table tbody tr').count(), 2);
      assert.ok(await admin.locator('#phrasings-more').isHidden(), 'no more to show');

      // the same through the menu, at the default page size
      await admin.goto(`${srv.base}/admin/#/faq`);
      await admin.locator('#faq-table table').waitFor();
      await admin.getByRole('link', { name: '住民の言い回し' }).click();
      await admin.locator('#phrasings-total', { hasText: /^全2件$/ }).waitFor();

      const row = rowOf(admin, ASKED);
      await row.waitFor();
      assert.equal((await row.locator('td.phrasing-text').textContent()).trim(), ASKED);
      assert.match(await row.textContent(), new RegExp(ENTRY));
      assert.match(await row.textContent(), /狂犬病の予防注射/, 'the entry\'s question is shown');
      assert.equal((await row.locator('td.num').textContent()).trim(), '3', 'three sessions');

      // the tag is shown as text and makes no element
      const evil = rowOf(admin, '<img src=x');
      await evil.waitFor();
      assert.equal((await evil.locator('td.phrasing-text').textContent()).trim(), XSS);
      assert.equal(await admin.locator('#view img').count(), 0, 'no element made of a resident\'s text');
      assert.equal(await admin.evaluate(() => window.__mgXss), undefined);

      // fits a 390 px screen: nothing wider than the viewport, buttons visible
      const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);
      await row.getByRole('button', { name: '採用' }).scrollIntoViewIfNeeded();
      assert.ok(await row.getByRole('button', { name: '採用' }).isVisible());

      // accept: the row goes, the status line says so, the total follows
      await row.getByRole('button', { name: '採用' }).click();
      await admin.locator('#status', { hasText: `「${ASKED}」を ${ENTRY} の別の聞き方として採用しました` }).waitFor();
      await row.waitFor({ state: 'detached' });
      assert.equal(await admin.locator('#status').getAttribute('aria-live'), 'polite');
      await admin.locator('#phrasings-total', { hasText: /^全1件$/ }).waitFor();

      // reject the other one
      await evil.getByRole('button', { name: '却下' }).click();
      await admin.locator('#status', { hasText: 'を却下しました' }).waitFor();
      await evil.waitFor({ state: 'detached' });
      await admin.locator('#phrasings-total', { hasText: /^全0件$/ }).waitFor();
      await admin.locator('#phrasings-empty').waitFor();
      assert.equal(await admin.evaluate(() => window.__mgXss), undefined);

      // the next resident asking that way is answered directly
      const r = await Resident.hello(srv.base);
      const a = await r.ask('n', ASKED);
      assert.equal(a.type, 'answer', JSON.stringify(a).slice(0, 300));
      assert.equal(a.faq_id, ENTRY);
      await r.close();
      assert.deepEqual(errors, []);
      await admin.close();
    } catch (e) {
      e.message += `\n--- server log (tail) ---\n${srv.logs().slice(-3000)}`;
      throw e;
    } finally {
      if (browser) await browser.close().catch(() => {});
      await srv.stop().catch(() => {});
      tmp.cleanup();
    }
  });

test('console: staff of another department see none of those phrasings', { skip: browserSkip || wsSkip }, async () => {
  const tmp = scratch();
  const srv = await startServer(tmp.db, { config: { max_msgs_per_sec: 100, learn_min_sessions: 3, learn_min_addresses: 2 } });
  let browser = null;
  try {
    await addUser(tmp.db, 'shimin1', 'staff', 'shimin', 'shimin password 1');
    await resident(srv.base, '127.0.0.2');
    await resident(srv.base, '127.0.0.3');
    await resident(srv.base, '127.0.1.2');
    browser = await launchBrowser();
    const { admin, errors } = await openConsole(browser.context, `${srv.base}/`, 'shimin1', 'shimin password 1');
    await admin.getByRole('link', { name: '住民の言い回し' }).click();
    await admin.locator('#phrasings-total', { hasText: /^全0件$/ }).waitFor();
    await admin.locator('#phrasings-empty').waitFor();
    assert.equal(await admin.locator('#phrasings-table tbody tr').count(), 0, 'no rows');
    assert.ok(await admin.locator('#phrasings-table').isHidden());
    assert.ok(await admin.locator('#phrasings-more').isHidden());
    assert.deepEqual(errors, []);
  } catch (e) {
    e.message += `\n--- server log (tail) ---\n${srv.logs().slice(-3000)}`;
    throw e;
  } finally {
    if (browser) await browser.close().catch(() => {});
    await srv.stop().catch(() => {});
    tmp.cleanup();
  }
});
