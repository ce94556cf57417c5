// Personal-information requests (issue 14, 個人情報保護法): a supervisor finds
// one resident's tickets by number, e-mail or phone (however it was typed),
// exports them, and erases them; both are audited, staff may do neither.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resident, addUser, cli, scratch, skipReason, staffLogin, startServer } from './lib.mjs';

test('find, export and erase one resident\'s data; audited; supervisors only', { skip: skipReason }, async () => {
  const tmp = scratch();
  await addUser(tmp.db, 'kansa', 'supervisor', null, 'kansa password 1');
  await addUser(tmp.db, 'tanaka', 'staff', 'shimin', 'tanaka password 1');
  const srv = await startServer(tmp.db, { config: { max_msgs_per_sec: 100 } });
  try {
    const r = await Resident.hello(srv.base);
    await r.ask('q1', '住民票の写しはどこで取得できますか？');
    r.send({ type: 'escalate', id: 'e1', text: '住民票の郵送について職員に聞きたい', contact: '電話 090-1234-5678 山田' });
    const a = await r.next((m) => m.reply_to === 'e1');
    r.send({ type: 'escalate', id: 'e2', text: '別件です', contact: 'yamada@example.jp' });
    const b = await r.next((m) => m.reply_to === 'e2');
    const other = await Resident.hello(srv.base);
    other.send({ type: 'escalate', id: 'x', text: '別の住民の質問', contact: '0897-11-2222' });
    const c = await other.next((m) => m.reply_to === 'x');
    await cli(['tickets', 'reply', a.ticket_no, '郵送でも請求できます。', '--db', tmp.db]);

    const sup = await staffLogin(srv.base, 'kansa', 'kansa password 1');
    const byPhone = await sup.get('/privacy?phone=' + encodeURIComponent('０９０ １２３４ ５６７８'));
    assert.equal(byPhone.status, 200);
    assert.deepEqual(byPhone.body.tickets.map((t) => t.ticket_no), [a.ticket_no], 'found by phone, typed another way');
    const t = byPhone.body.tickets[0];
    assert.match(t.contact, /090-1234-5678/, 'the export holds the contact');
    assert.ok(t.transcript.length >= 3, 'and the transcript');
    assert.equal(t.replies[0].text, '郵送でも請求できます。', 'and the thread');
    const byMail = await sup.get('/privacy?email=YAMADA@example.jp');
    assert.deepEqual(byMail.body.tickets.map((x) => x.ticket_no), [b.ticket_no], 'found by e-mail in the contact');
    assert.equal((await sup.get('/privacy?phone=12')).status, 400, 'too few digits to mean a person');
    assert.equal((await sup.get('/privacy')).status, 400);

    const staff = await staffLogin(srv.base, 'tanaka', 'tanaka password 1');
    assert.equal((await staff.get(`/privacy?ticket=${a.ticket_no}`)).status, 403, 'staff may not search');
    assert.equal((await staff.post('/privacy/erase', { ticket_no: a.ticket_no })).status, 403, 'nor erase');

    const er = await sup.post('/privacy/erase', { ticket_no: a.ticket_no });
    assert.equal(er.status, 200, JSON.stringify(er.body));
    const after = (await sup.get(`/privacy?ticket=${a.ticket_no}`)).body.tickets[0];
    assert.equal(after.question, '（削除済み）');
    assert.equal(after.contact, undefined, 'no contact left');
    assert.equal(after.transcript.length, 0, 'the transcript is gone');
    assert.equal(after.replies[0].text, '（削除済み）');
    assert.equal((await sup.get('/privacy?phone=09012345678')).body.count, 0, 'the phone number is nowhere');
    assert.equal((await sup.get(`/privacy?ticket=${c.ticket_no}`)).body.tickets[0].contact, '0897-11-2222',
      'another resident is untouched');

    const audit = await sup.get('/audit?action=privacy');
    const actions = audit.body.entries.map((e) => `${e.action} ${e.target}`);
    assert.ok(actions.includes(`privacy.erase ${a.ticket_no}`), `the erasure is on record: ${actions}`);
    assert.ok(actions.filter((x) => x.startsWith('privacy.find')).length >= 3, 'every search is on record');
    assert.ok(!JSON.stringify(audit.body).includes('090-1234'), 'the audit log does not keep the searched number');
    await r.close();
    await other.close();
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
