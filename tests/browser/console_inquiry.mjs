// An inquiry from the contact form in the staff console (issue 17, item 2), in
// real headless Chromium against a real server: the ticket view names where the
// inquiry came from and where the triage sent it, lists the suggested FAQ
// entries, and 「返信の案を返信欄に入れる」 puts the best entry's answer into the
// reply box, ready to edit and send; after a re-route the statistics page counts
// it for the department that passed it on. axe-core finds no serious violation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeMissing, axeViolations, skipReason as browserSkip, launchBrowser, openConsole } from './lib.mjs';
import { addUser, cli, post, scratch, skipReason as wsSkip, startServer } from '../integration/lib.mjs';

test('console: an inquiry\'s suggested reply fills the reply box; re-routes on the statistics page',
  { skip: browserSkip || wsSkip || axeMissing }, async () => {
    const made = await cli(['inquiries', 'key', 'contact-form']);
    const key = made.match(/^key: (\S+)$/m)[1];
    const entry = JSON.parse(made.match(/^config: (.*)$/m)[1]);
    const tmp = scratch();
    const srv = await startServer(tmp.db, { config: { inquiry_api_keys: [entry] } });
    let browser = null;
    try {
      await addUser(tmp.db, 'kansa', 'supervisor', null, 'kansa password 1');
      const r = await post(srv.base, '/api/v1/inquiries', { subject: 'ごみの収集日',
        body: 'お世話になります。\n引っ越してきたばかりで、燃やすごみの収集日がわかりません。教えてください。\n山本' },
      { headers: { authorization: `Bearer ${key}` } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const no = r.body.ticket_no;

      browser = await launchBrowser();
      const { admin, errors } = await openConsole(browser.context, `${srv.base}/`, 'kansa', 'kansa password 1');
      await admin.goto(`${srv.base}/admin/#/tickets/${no}`);
      const part = admin.locator('#inquiry');
      await part.waitFor();
      assert.match(await part.textContent(), /フォームからのお問い合わせ/);
      assert.match(await part.textContent(), /件名：ごみの収集日/);
      assert.match(await part.textContent(), /振り分け：環境衛生課/);
      assert.match(await admin.locator('#suggestion').textContent(), /saijo-0056/, 'the collection-day entry is suggested');
      assert.deepEqual(await axeViolations(admin, 'ticket view with an inquiry'), []);

      assert.equal(await admin.locator('#reply-text').inputValue(), '');
      await admin.getByRole('button', { name: '返信の案を返信欄に入れる' }).click();
      const reply = await admin.locator('#reply-text').inputValue();
      assert.match(reply, /^お問い合わせありがとうございます。/);
      assert.ok(reply.length > 40, `the entry's answer is in the reply box: ${reply}`);
      assert.equal(await admin.evaluate(() => document.activeElement.id), 'reply-text', 'focus moves to the reply box to edit');

      // re-route, then the statistics page counts it for 環境衛生課
      await admin.getByLabel('担当部署を変更').selectOption('shimin');
      await admin.getByLabel('理由', { exact: true }).fill('転入の手続きもあるため');
      await admin.getByRole('button', { name: '移す' }).click();
      await admin.locator('#status', { hasText: '担当部署を変更しました' }).waitFor();
      await admin.goto(`${srv.base}/admin/#/stats`);
      const row = admin.locator('#view tr').filter({ has: admin.locator('td', { hasText: '環境衛生課' }) });
      await row.waitFor();
      assert.equal((await row.locator('td.reroutes').textContent()).trim(), '1', 'たらい回し counted');
      assert.deepEqual(errors, [], 'no page errors');
    } finally {
      if (browser) await browser.close();
      await srv.stop();
      tmp.cleanup();
    }
  });
