// The live inbox (issue 14): a console left open on 問い合わせ learns of a new
// ticket and of a resident's reply without a reload — the row appears in the
// list in place, the menu shows the count of open tickets, and so does the
// window title. The console waits on GET /inbox?since=V, which the server
// holds until a ticket changes. The time from the resident's click to the
// row is printed (the 1 s target is measured here, not asserted).
//
// The opt-in chime 「新着を音で知らせる」: off by default, and then a new ticket
// plays nothing; ticked, a new ticket plays one tone (Web Audio; each tone
// adds one to document.body.dataset.chimes); fewer open tickets play nothing;
// the choice survives a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask, cli, openConsole } from './lib.mjs';
import { addUser, Resident, skipReason as wsSkip } from '../integration/lib.mjs';

test('the inbox updates itself: a new ticket and a resident reply, no reload', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page, server, db }) => {
    await addUser(db, 'kansa', 'supervisor', null, 'kansa password 1');
    const { admin } = await openConsole(page, server.url, 'kansa', 'kansa password 1');
    await admin.locator('#ticket-list p.note').waitFor();   // the (empty) inbox is drawn
    const loads = [];
    admin.on('framenavigated', (f) => { if (f === admin.mainFrame()) loads.push(f.url()); });
    const focused = await admin.evaluate(() => document.activeElement && document.activeElement.id);

    await openWidget(page);
    await ask(page, 'ぴよぴよ星のもふもふ祭りの参加券はどこで買えますか');
    await page.locator('form.mg-escalate').getByRole('button', { name: '職員に問い合わせる' }).click();
    const no = (await page.locator('.mg-ticket .mg-ticket-no').textContent()).trim();
    const t0 = Date.now();   // the ticket exists (the resident has its number)
    await admin.locator('#ticket-list a', { hasText: no }).waitFor();
    console.log(`# new ticket in the open inbox ${Date.now() - t0} ms after the resident saw its number (target 1 s)`);
    await admin.locator('#nav a[href="#/tickets"] .count', { hasText: '1' }).waitFor();
    assert.match(await admin.title(), /^\(1\) /, 'the window title carries the count');
    assert.deepEqual(loads, [], 'no reload');
    assert.equal(await admin.evaluate(() => document.activeElement && document.activeElement.id), focused,
      'the focus stayed where it was');

    // staff answer; the ticket leaves the open list; the resident answers; it is back
    await cli(['tickets', 'reply', no, '販売所は市民会館です。', '--db', db]);
    await admin.locator('#ticket-list a', { hasText: no }).waitFor({ state: 'detached' });
    await admin.locator('#nav a[href="#/tickets"] .count').waitFor({ state: 'hidden' });
    const staff = page.locator('.mg-staff', { hasText: '販売所は市民会館です。' });
    await staff.waitFor();
    await staff.getByLabel('担当課へ返信する').fill('何時から買えますか');
    await staff.getByRole('button', { name: '返信を送る' }).click();
    await page.locator('.mg-thread-line', { hasText: '何時から買えますか' }).waitFor();
    const t1 = Date.now();   // the resident was told it was sent
    await admin.locator('#ticket-list a', { hasText: no }).waitFor();
    console.log(`# the resident's reply back in the open inbox ${Date.now() - t1} ms after it was acknowledged`);
    assert.deepEqual(loads, [], 'still no reload');
  }));

/** A resident over /ws who sends a question straight to staff; resolves to the ticket number. */
async function newTicket(url, text) {
  const r = await Resident.hello(url.replace(/\/$/, ''));
  try {
    r.send({ type: 'escalate', id: 'e1', text });
    const tk = await r.next((m) => m.reply_to === 'e1');
    assert.equal(tk.type, 'ticket', JSON.stringify(tk));
    return tk.ticket_no;
  } finally { await r.close(); }
}

test('the opt-in chime: silent unless ticked, one tone per new ticket, remembered', { skip: skipReason || wsSkip }, (t) =>
  withWidget(t, async ({ page, server, db }) => {
    await addUser(db, 'kansa', 'supervisor', null, 'kansa password 1');
    const { admin, errors } = await openConsole(page, server.url, 'kansa', 'kansa password 1');
    await admin.locator('#ticket-list p.note').waitFor();
    const count = (n) => admin.locator('#nav a[href="#/tickets"] .count', { hasText: String(n) }).waitFor();
    const chimes = () => admin.evaluate(() => Number(document.body.dataset.chimes || 0));
    const box = admin.getByLabel('新着を音で知らせる');
    assert.equal(await box.isChecked(), false, 'off by default');

    // unticked: the count goes up (the inbox saw the ticket) and nothing plays
    const first = await newTicket(server.url, 'ぴよぴよ星のもふもふ祭りの参加券について職員に聞きたい');
    await admin.locator('#ticket-list a', { hasText: first }).waitFor();
    await count(1);
    assert.equal(await chimes(), 0, 'no chime while the box is unticked');

    // ticked: the next ticket plays one tone
    await box.check();
    assert.equal(await admin.evaluate(() => localStorage.getItem('madoguchi.console.chime')), '1', 'the choice is kept');
    const second = await newTicket(server.url, 'もふもふ祭りの駐車場について職員に聞きたい');
    await admin.locator('#ticket-list a', { hasText: second }).waitFor();
    await count(2);
    await admin.waitForFunction(() => document.body.dataset.chimes === '1');

    // a ticket answered: fewer open tickets, no tone
    await cli(['tickets', 'reply', first, '市民会館で販売しています（サンプル）。', '--db', db]);
    await admin.locator('#ticket-list a', { hasText: first }).waitFor({ state: 'detached' });
    await count(1);
    assert.equal(await chimes(), 1, 'no chime when the count goes down');

    // a reload keeps the choice; after a click on the page (browsers allow sound only then) it chimes
    await admin.reload();
    await admin.locator('#ticket-list p.note').waitFor();
    assert.equal(await box.isChecked(), true, 'still ticked after a reload');
    await count(1);   // the first answer of the watch: a count, not an increase
    assert.equal(await chimes(), 0, 'no chime for tickets already there');
    await admin.locator('#view-title').click();
    const third = await newTicket(server.url, 'もふもふ祭りの雨天時の予定を職員に聞きたい');
    await admin.locator('#ticket-list a', { hasText: third }).waitFor();
    await count(2);
    await admin.waitForFunction(() => document.body.dataset.chimes === '1');

    // unticked again: silent, and remembered as off
    await box.uncheck();
    assert.equal(await admin.evaluate(() => localStorage.getItem('madoguchi.console.chime')), '0');
    const fourth = await newTicket(server.url, 'もふもふ祭りの出店の申し込みを職員に聞きたい');
    await admin.locator('#ticket-list a', { hasText: fourth }).waitFor();
    await count(3);
    assert.equal(await chimes(), 1, 'no chime once unticked');
    assert.deepEqual(errors, []);
  }));
