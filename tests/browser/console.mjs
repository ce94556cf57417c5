// The staff console in real headless Chromium against a real server:
//  - staff log in with the keyboard, edit an FAQ answer, save the draft (the bot
//    still answers with the published text), publish, and the resident widget
//    answers with the new text at once; the console page carries CSP with
//    frame-ancestors 'none' while the widget's page does not;
//  - staff list an entry's related entries (each id shown with its question,
//    an unknown one refused), and the widget's card lists them first;
//  - a resident escalates from the widget, a supervisor replies from the ticket
//    inbox and the reply arrives in the open widget; staff of another
//    department are refused that ticket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { skipReason, withWidget, openWidget, ask, openConsole, MADOGUCHI } from './lib.mjs';
import { addUser } from '../integration/lib.mjs';


/** Open the console in a new tab of the same browser and log in with the keyboard. */
async function consoleLogin(page, url, login, password) {
  const admin = await page.context().newPage();
  const errors = [];
  admin.on('pageerror', (e) => errors.push(String(e)));
  const res = await admin.goto(`${url}admin/`);
  await admin.getByLabel('ログインID').waitFor();
  await admin.getByLabel('ログインID').focus();
  await admin.keyboard.type(login);
  await admin.keyboard.press('Tab');
  await admin.keyboard.type(password);
  await admin.keyboard.press('Enter');
  await admin.locator('#who-name').filter({ hasText: `${login}さん` }).waitFor();
  return { admin, res, errors };
}

test('console: edit and publish an FAQ answer; the bot answers with it at once', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page, server, db }) => {
    await addUser(db, 'tanaka', 'staff', 'shimin', 'tanaka password');
    const { admin, res, errors } = await consoleLogin(page, server.url, 'tanaka', 'tanaka password');
    const csp = res.headers()['content-security-policy'] || '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers()['x-content-type-options'], 'nosniff');
    const widgetPage = await page.request.get(server.url);
    assert.ok(!/frame-ancestors/.test(widgetPage.headers()['content-security-policy'] || ''),
      'the resident pages stay embeddable');
    const evil = await page.request.post(`${server.url}api/v1/admin/login`, {
      headers: { Origin: 'http://evil.example' }, data: { login: 'tanaka', password: 'tanaka password' } });
    assert.equal(evil.status(), 403, 'another site cannot log a browser in');
    assert.ok(!evil.headers()['set-cookie'], 'and no cookie is set');

    // the console opens on the inbox (nobody waits unseen); then the FAQ list, then the entry
    assert.equal(await admin.locator('#nav a[aria-current="page"]').getAttribute('href'), '#/tickets');
    await admin.locator('#nav a[href="#/faq"]').click();
    await admin.locator('#faq-table a', { hasText: 'saijo-0001' }).click();
    const answer = admin.getByLabel('回答', { exact: true });
    await answer.waitFor();
    const question = await admin.getByLabel('質問', { exact: true }).inputValue();
    const newText = `コンソールから更新した回答です（${Date.now()}）。市民課でお取りください。`;
    await answer.fill(newText);
    await admin.locator('#faq-save').click();
    await admin.locator('#status', { hasText: '下書きを保存しました' }).waitFor();

    // a draft does not answer
    await openWidget(page);
    let reply = await ask(page, question);
    assert.ok(!(await reply.textContent()).includes(newText), 'the draft is not used');

    await admin.locator('#faq-publish').click();
    await admin.locator('#status', { hasText: '公開しました' }).waitFor();
    reply = await ask(page, question);
    assert.ok((await reply.textContent()).includes(newText), 'the published text answers at once');

    // history shows both versions; the diff shows the new text as inserted
    await admin.getByRole('button', { name: '版1との差分' }).click();
    await admin.locator('#diff ins', { hasText: 'コンソールから更新した' }).waitFor();
    assert.deepEqual(errors, []);
  }));

test('console: related entries — each id with its question, a bad one refused, the card lists them first',
  { skip: skipReason }, (t) =>
    withWidget(t, async ({ page, server, db }) => {
      await addUser(db, 'tanaka', 'staff', 'shimin', 'tanaka password');
      const { admin, errors } = await consoleLogin(page, server.url, 'tanaka', 'tanaka password');
      await admin.goto(`${server.url}admin/#/faq/saijo-0001`);
      const related = admin.locator('#faq-related');
      await related.waitFor();
      const question = await admin.getByLabel('質問', { exact: true }).inputValue();
      await related.fill('saijo-0005\nsaijo-9999\nsaijo-0001');
      const list = admin.locator('#faq-related-list');
      await list.locator('li[data-id="saijo-0005"]', { hasText: '郵送で戸籍や住民票を請求できますか' }).waitFor();
      await list.locator('li.error', { hasText: 'saijo-9999：このIDのFAQはありません' }).waitFor();
      await list.locator('li.error', { hasText: '自分自身' }).waitFor();
      await admin.locator('#faq-save').click();
      await admin.locator('.error[role=alert]', { hasText: 'saijo-9999' }).waitFor();

      await related.fill('saijo-0005\nsaijo-0003');
      await list.locator('li[data-id="saijo-0003"]').waitFor();
      await admin.locator('#faq-save').click();
      await admin.locator('#status', { hasText: '下書きを保存しました' }).waitFor();
      await admin.locator('#faq-publish').click();
      await admin.locator('#status', { hasText: '公開しました' }).waitFor();

      // the resident's card: 関連する質問, the entry's own first; tapping one answers it
      await openWidget(page);
      const reply = await ask(page, question);
      const buttons = reply.locator('.mg-related-list button');
      await buttons.first().waitFor();
      assert.equal(await reply.locator('.mg-related-h').textContent(), '関連する質問');
      assert.deepEqual([await buttons.nth(0).getAttribute('data-faq-id'), await buttons.nth(1).getAttribute('data-faq-id')],
        ['saijo-0005', 'saijo-0003']);
      await buttons.first().click();
      await page.locator('.mg-answer[data-faq-id="saijo-0005"]').waitFor();
      assert.deepEqual(errors, []);
    }));

test('console: a supervisor replies to a ticket, the widget shows it; other departments are refused',
  { skip: skipReason }, (t) =>
    withWidget(t, async ({ page, server, db }) => {
      await addUser(db, 'sato', 'supervisor', null, 'sato password 1');
      // a resident escalates a question the FAQ cannot answer
      await openWidget(page);
      await ask(page, 'ぴよぴよもふもふ'); // nothing in the FAQ is near this
      const form = page.locator('form.mg-escalate');
      await form.waitFor();
      await form.getByLabel('電話番号（任意）').fill('090-0000-1111');
      await form.getByRole('button', { name: '職員に問い合わせる' }).click();
      const ticketNo = page.locator('.mg-ticket .mg-ticket-no');
      await ticketNo.waitFor();
      const no = (await ticketNo.textContent()).trim();

      const { admin, errors } = await consoleLogin(page, server.url, 'sato', 'sato password 1');
      await admin.locator('nav a', { hasText: '問い合わせ' }).click();
      await admin.locator('td a', { hasText: no }).click();
      await admin.getByLabel('返信', { exact: true }).waitFor();
      // the contact is for the ticket's own department only (NOTES, issue 3)
      assert.equal(await admin.getByText('090-0000-1111').count(), 0, 'a supervisor does not see the contact');
      const text = `担当課からのお返事です（${Date.now()}）。`;
      await admin.getByLabel('返信', { exact: true }).fill(text);
      await admin.locator('#reply-send').click();
      await admin.locator('#status', { hasText: '返信しました' }).waitFor();

      // delivered live to the open widget
      await page.locator('.mg-staff', { hasText: text }).waitFor();

      // staff of a department the ticket does not belong to
      const info = await admin.evaluate(async (n) => {
        const r = await fetch(`/api/v1/admin/tickets/${n}`);
        return (await r.json()).ticket;
      }, no);
      const other = (info.department && info.department.id === 'zeimu') ? 'shimin' : 'zeimu';
      await addUser(db, 'suzuki', 'staff', other, 'suzuki password');
      await admin.locator('#logout').click();
      await admin.getByLabel('ログインID').waitFor();
      await admin.getByLabel('ログインID').fill('suzuki');
      await admin.getByLabel('パスワード').fill('suzuki password');
      await admin.getByRole('button', { name: 'ログイン' }).click();
      await admin.locator('#who-name').filter({ hasText: 'suzukiさん' }).waitFor();
      await admin.goto(`${server.url}admin/#/tickets/${no}`);
      await admin.locator('#ticket-error', { hasText: '他の部署' }).waitFor();
      assert.equal(await admin.locator('.contact').count(), 0, 'no contact shown');
      await admin.goto(`${server.url}admin/#/tickets`);
      await admin.locator('.note', { hasText: '件' }).waitFor();
      assert.equal(await admin.locator('td a', { hasText: no }).count(), 0, 'not in their inbox');
      const status = await admin.evaluate(async (n) => (await fetch(`/api/v1/admin/tickets/${n}`)).status, no);
      assert.equal(status, 403);
      assert.deepEqual(errors, []);
    }));

test('console header: no log-out button before login; the department by name after', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page, server, db }) => {
    await addUser(db, 'yamada', 'staff', 'shimin', 'yamada password');
    const admin = await page.context().newPage();
    await admin.goto(`${server.url}admin/`);
    await admin.getByLabel('ログインID').waitFor();
    assert.equal(await admin.getByRole('button', { name: 'ログアウト' }).isVisible(), false, 'nothing to log out of yet');
    await admin.getByLabel('ログインID').fill('yamada');
    await admin.getByLabel('パスワード').fill('yamada password');
    await admin.keyboard.press('Enter');
    await admin.locator('#who-name', { hasText: '市民課' }).waitFor();
    assert.doesNotMatch(await admin.locator('#who-name').textContent(), /shimin/, 'the name, not the id');
    assert.equal(await admin.getByRole('button', { name: 'ログアウト' }).isVisible(), true);
  }));

test('console: a supervisor finds a resident\'s data by phone, exports it, and erases it', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page, server, db }) => {
    await addUser(db, 'kansa', 'supervisor', null, 'kansa password 1');
    await openWidget(page);
    await ask(page, 'ぴよぴよ星のもふもふ祭りの参加券はどこで買えますか');
    const form = page.locator('form.mg-escalate');
    await form.getByLabel('電話番号（任意）').fill('090-8765-4321');
    await form.getByRole('button', { name: '職員に問い合わせる' }).click();
    const no = (await page.locator('.mg-ticket .mg-ticket-no').textContent()).trim();

    const { admin } = await openConsole(page, server.url, 'kansa', 'kansa password 1');
    await admin.locator('#nav a[href="#/privacy"]').click();
    await admin.getByLabel('電話番号').fill('09087654321');
    await admin.getByRole('button', { name: '探す' }).click();
    await admin.locator('.privacy-ticket h3', { hasText: no }).waitFor();
    assert.equal(await admin.locator('#pv-export').getAttribute('download'), 'madoguchi-personal-data.json');
    admin.once('dialog', (d) => d.accept());
    await admin.getByRole('button', { name: 'この問い合わせの個人情報を削除する' }).click();
    await admin.locator('#privacy-results', { hasText: '0 件' }).waitFor();
  }));

test('console ticket work: take the ticket, an internal note, a canned reply', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page, server, db }) => {
    await addUser(db, 'tanaka', 'staff', 'shimin', 'tanaka password 1');
    await openWidget(page);
    await ask(page, 'ぴよぴよ星のもふもふ祭りの参加券はどこで買えますか');
    const form = page.locator('form.mg-escalate');
    await form.getByLabel('お問い合わせ内容').fill('住民票の写しを郵送で請求したい');
    await form.getByRole('button', { name: '職員に問い合わせる' }).click();
    const no = (await page.locator('.mg-ticket .mg-ticket-no').textContent()).trim();

    const { admin } = await openConsole(page, server.url, 'tanaka', 'tanaka password 1');
    await admin.locator('#ticket-list a', { hasText: no }).click();
    await admin.getByRole('button', { name: '自分が担当する' }).click();
    await admin.locator('#assignee', { hasText: '担当者：tanaka' }).waitFor();

    await admin.getByLabel('メモ', { exact: true }).fill('郵送先の住所を確認する');
    await admin.getByRole('button', { name: 'メモを追加' }).click();
    await admin.locator('#notes', { hasText: '郵送先の住所を確認する' }).waitFor();

    const text = '郵送での請求は、請求書と本人確認書類の写しを同封してください。';
    await admin.getByLabel('返信', { exact: true }).fill(text);
    await admin.getByLabel('返信欄の文を定型文として保存（名前）').fill('郵送請求');
    await admin.getByRole('button', { name: '定型文にする' }).click();
    await admin.locator('#canned-select option', { hasText: '郵送請求' }).waitFor({ state: 'attached' });
    assert.equal(await admin.getByLabel('返信', { exact: true }).inputValue(), '', 'a fresh reply box after the reload');
    await admin.locator('#canned-select').selectOption({ label: '郵送請求' });
    assert.equal(await admin.getByLabel('返信', { exact: true }).inputValue(), text, 'the canned text is in the reply box');
    await admin.getByRole('button', { name: '返信する' }).click();
    await page.locator('.mg-staff', { hasText: text }).waitFor();
    assert.equal(await page.locator('.mg-staff', { hasText: '郵送先の住所' }).count(), 0, 'the note stays inside');
  }));

test('console: the overdue view lists open tickets past their answer target', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page, server, db }) => {
    await addUser(db, 'kansa', 'supervisor', null, 'kansa password 1');
    await openWidget(page);
    await ask(page, 'ぴよぴよ星のもふもふ祭りの参加券はどこで買えますか');
    await page.locator('form.mg-escalate').getByRole('button', { name: '職員に問い合わせる' }).click();
    const old = (await page.locator('.mg-ticket .mg-ticket-no').textContent()).trim();
    await ask(page, 'もふもふ祭りの会場への行き方を知りたい');
    await page.locator('form.mg-escalate').last().getByRole('button', { name: '職員に問い合わせる' }).click();
    await page.locator('.mg-ticket').nth(1).waitFor();
    const fresh = (await page.locator('.mg-ticket .mg-ticket-no').nth(1).textContent()).trim();
    // the first ticket came in two weeks ago (the database is the truth; the server reads it)
    execFileSync('sqlite3', [db, `UPDATE ticket SET created_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-14 days') WHERE ticket_no = '${old}'`]);

    const { admin } = await openConsole(page, server.url, 'kansa', 'kansa password 1');
    await admin.locator('#ticket-list a', { hasText: fresh }).waitFor();
    await admin.getByLabel('回答の期限を過ぎたものだけ（未対応）').check();
    await admin.getByRole('button', { name: '絞り込む' }).click();
    await admin.locator('#ticket-list p.note', { hasText: '期限を過ぎた' }).waitFor();
    const listed = await admin.locator('#ticket-list tbody a').allTextContents();
    assert.deepEqual(listed, [old], 'only the two-week-old ticket is overdue');
  }));

test('console users: an administrator edits an account in a form, confirms a disable; a supervisor gets no form', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page, server, db }) => {
    await addUser(db, 'root', 'admin', null, 'root password 1');
    await addUser(db, 'sato', 'staff', 'shimin', 'sato password 1');
    await addUser(db, 'kansa', 'supervisor', null, 'kansa password 1');
    const { admin } = await openConsole(page, server.url, 'root', 'root password 1');
    await admin.locator('#nav a[href="#/users"]').click();
    const row = admin.locator('tr', { hasText: 'sato' });
    await row.getByRole('button', { name: '編集' }).click();
    const box = admin.locator('#user-edit');
    await box.getByLabel('表示名').fill('佐藤 花子');
    await box.getByLabel('役割').selectOption('supervisor');
    await box.getByRole('button', { name: '変更を保存' }).click();
    await admin.locator('tr', { hasText: '佐藤 花子' }).filter({ hasText: '管理職' }).waitFor();
    await admin.locator('tr', { hasText: 'sato' }).getByRole('button', { name: '編集' }).click();
    await box.getByLabel('新しいパスワード（10文字以上）').fill('short');
    await box.getByRole('button', { name: 'パスワードを変更' }).click();
    await admin.locator('p.error', { hasText: '以上' }).waitFor();   // a Japanese reason, not a prompt()
    assert.equal(await admin.locator('tr', { hasText: 'root' }).getByRole('button', { name: '無効にする' }).count(), 0,
      'no button to lock oneself out');
    let asked = '';
    admin.once('dialog', (d) => { asked = d.message(); d.accept(); });
    await admin.locator('tr', { hasText: 'sato' }).getByRole('button', { name: '無効にする' }).click();
    await admin.locator('tr', { hasText: 'sato' }).filter({ hasText: '無効' }).getByRole('button', { name: '有効にする' }).waitFor();
    assert.match(asked, /無効にします/, 'a confirmation was asked first');

    await admin.locator('#logout').click();   // the browser's session cookie is shared by its tabs
    await admin.locator('#login-id').waitFor();   // (the users page has a ログインID field too until it is gone)
    const { admin: sup } = await openConsole(page, server.url, 'kansa', 'kansa password 1');
    await sup.goto(`${server.url}admin/#/users`);
    await sup.locator('#view p.error').waitFor();
    assert.equal(await sup.getByRole('button', { name: '追加する' }).count(), 0, 'no add form after a 403');
  }));

test('console audit log: readable names, filters, and CSV/JSON export of what is shown', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page, server, db }) => {
    await addUser(db, 'kansa', 'supervisor', null, 'kansa password 1');
    const { admin } = await openConsole(page, server.url, 'kansa', 'kansa password 1');
    await admin.goto(`${server.url}admin/#/audit`);
    const loginRow = admin.locator('#view tbody tr', { hasText: 'ログイン' }).first();
    await loginRow.waitFor();
    assert.equal(await loginRow.locator('td').nth(2).getAttribute('title'), 'auth.login', 'the code behind the name');
    await admin.getByLabel('種類').selectOption('auth.');
    await admin.getByLabel('操作者（ログインID）').fill('kansa');
    await admin.getByRole('button', { name: '表示' }).click();
    // The unfiltered view's count stays on screen until the new view replaces it: wait for the
    // filtered export link first, then for that view's count.
    await admin.locator('#audit-csv[href*="actor=kansa"]').waitFor();
    await admin.locator('#view p.note', { hasText: '件' }).waitFor();
    const href = await admin.locator('#audit-csv').getAttribute('href');
    assert.match(href, /action=auth\.&actor=kansa&format=csv/);
    const [bom, csv] = await admin.evaluate(async (h) => {
      const b = new Uint8Array(await (await fetch(h)).arrayBuffer());
      return [Array.from(b.slice(0, 3)), new TextDecoder().decode(b)];   // TextDecoder drops the BOM
    }, href);
    assert.deepEqual(bom, [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM, for Excel');
    assert.match(csv, /^"?日時（UTC）"?,"?操作者"?,"?操作"?/, `a spreadsheet CSV with a header: ${csv.slice(0, 80)}`);
    assert.match(csv, /,auth\.login,/);
    assert.doesNotMatch(csv, /,faq\./, 'only what the filter shows');
    const json = await admin.evaluate(async (h) => (await fetch(h.replace('format=csv', 'format=json'))).json(), href);
    assert.ok(json.length >= 1 && json.every((e) => e.actor === 'kansa' && e.action.startsWith('auth.')));
    await admin.goto(`${server.url}admin/#/audit?action=audit.`);
    await admin.locator('#view tbody tr', { hasText: '監査ログの書き出し' }).first().waitFor();
  }));
