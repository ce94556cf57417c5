// Curating in the console (issue 14), in real headless Chromium against a
// real server and residents over the real /ws:
//  - 未回答の質問: two groups merged into one with the check boxes, a group
//    closed, and 「このFAQを作る」 opening a form filled from the nearest entry;
//  - the new entry saved as a draft, then tried before publishing
//    (「この下書きで回答を試す」), while the published FAQ still does not know it;
//  - a ticket's transcript shows each bot turn's entry, confidence and the
//    resident's feedback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason as browserSkip, launchBrowser, openConsole } from './lib.mjs';
import { Resident, addUser, askUnanswered, findAnswered, scratch, skipReason as wsSkip, startServer } from '../integration/lib.mjs';

const MANHOLE = ['マンホールカードはどこでもらえますか', 'マンホールカードはどこでもらえるの'];
const KEYS1 = 'qwertyuiop', KEYS2 = 'zxcvbnmlkj';

test('console: merge and close unanswered groups, create from the nearest entry, try the draft, transcript facts',
  { skip: browserSkip || wsSkip }, async () => {
    const tmp = scratch();
    const srv = await startServer(tmp.db);
    let browser = null;
    try {
      await addUser(tmp.db, 'kansa', 'supervisor', null, 'kansa password 1');
      await askUnanswered(srv.base, [...MANHOLE, KEYS1, KEYS2]);
      browser = await launchBrowser();
      const { admin, errors } = await openConsole(browser.context, `${srv.base}/`, 'kansa', 'kansa password 1');
      const row = (text) => admin.locator('#view tbody tr').filter({ has: admin.locator('li', { hasText: text }) });

      // merge the two key-mash groups
      await admin.goto(`${srv.base}/admin/#/unanswered`);
      await row(KEYS1).waitFor();
      assert.equal(await row(KEYS2).count(), 1);
      assert.notEqual(await row(KEYS1).getAttribute('data-key'), await row(KEYS2).getAttribute('data-key'), 'two groups');
      await row(KEYS1).locator('input.pick').check();
      await row(KEYS2).locator('input.pick').check();
      await admin.getByRole('button', { name: '選んだグループをまとめる' }).click();
      await admin.locator('#status', { hasText: '1件のグループを' }).waitFor();
      await admin.locator('#view tbody tr').filter({ has: admin.locator('li', { hasText: KEYS1 }) })
        .filter({ has: admin.locator('li', { hasText: KEYS2 }) }).waitFor();
      assert.equal(await row(KEYS1).count(), 1, 'one group holds both');

      // close it
      await row(KEYS1).getByRole('button', { name: '対応済みにする' }).click();
      await admin.locator('#status', { hasText: '対応済みにしました' }).waitFor();
      await row(KEYS1).waitFor({ state: 'detached' });
      assert.equal(await row(KEYS2).count(), 0, 'the merged group is closed as a whole');

      // create an entry from the manhole group: filled from the nearest entry
      const manhole = row(MANHOLE[0]);
      assert.match(await manhole.textContent(), /近いFAQ saijo-\d+/, 'the nearest entry is named');
      await manhole.getByRole('link', { name: 'このFAQを作る' }).click();
      await admin.locator('#prefill-note').waitFor();
      const form = admin.locator('#view');
      assert.ok(MANHOLE.includes(await form.getByLabel('質問', { exact: true }).inputValue()), 'the group\'s question');
      assert.notEqual(await form.getByLabel('担当部署').inputValue(), '', 'department from the nearest entry');
      assert.ok((await form.getByLabel('回答', { exact: true }).inputValue()).length > 10, 'its answer as a starting draft');
      assert.equal(await form.getByLabel('ID').inputValue(), '', 'the id is left to the server');
      await form.getByLabel('回答', { exact: true }).fill('（サンプル）マンホールカードは観光案内所で配布しています。');
      await form.getByLabel('担当部署').selectOption('shimin');
      await admin.getByRole('button', { name: '下書きとして保存' }).click();
      await admin.locator('#view-title', { hasText: /^FAQ saijo-\d{4}$/ }).waitFor();
      const id = (await admin.locator('#view-title').textContent()).replace('FAQ ', '').trim();

      // try the draft before publishing
      await admin.getByRole('link', { name: 'この下書きで回答を試す' }).click();
      await admin.locator('#view-title', { hasText: '回答を試す' }).waitFor();
      assert.ok(await admin.locator('#try-drafts').isChecked(), 'drafts ticked when coming from a draft');
      await admin.getByLabel('住民になったつもりで質問を入力').fill(MANHOLE[0]);
      await admin.getByRole('button', { name: '回答を試す' }).click();
      await admin.locator('#try-mode', { hasText: '下書きをすべて公開したとき' }).waitFor();
      await admin.locator('#try-result a', { hasText: id }).first().waitFor();
      assert.match(await admin.locator('#try-answer').textContent(), /観光案内所/);
      await admin.locator('#try-drafts').uncheck();
      await admin.getByRole('button', { name: '回答を試す' }).click();
      await admin.locator('#try-mode', { hasText: '公開中のFAQでの回答です' }).waitFor();
      assert.equal(await admin.locator('#try-result a', { hasText: id }).count(), 0, 'the published FAQ does not know it yet');

      // transcript facts per bot turn
      const { text, faq_id } = await findAnswered(srv.base);
      const r = await Resident.hello(srv.base);
      const a = await r.ask('q1', text);
      r.send({ type: 'feedback', answer_id: a.answer_id, helpful: false });
      await r.next((m) => m.type === 'feedback_ok');
      r.send({ type: 'escalate', id: 'e1', text: '住民票の写しを郵送で請求したいので職員に聞きたい' });
      const tk = await r.next((m) => m.reply_to === 'e1');
      await r.close();
      await admin.goto(`${srv.base}/admin/#/tickets/${tk.ticket_no}`);
      const facts = admin.locator('.transcript li.bot .turn-facts').filter({ hasText: faq_id });
      await facts.waitFor();
      const line = await facts.textContent();
      assert.match(line, /判定：回答/);
      assert.match(line, /確信度 (0|1)\.\d\d/);
      assert.match(line, /評価：役に立たなかった/);
      assert.deepEqual(errors, [], 'no page errors');
    } finally {
      if (browser) await browser.close();
      await srv.stop();
      tmp.cleanup();
    }
  });
