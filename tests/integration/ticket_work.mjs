// Ticket work in the console API (issue 14): internal notes that never reach
// the resident, who has the ticket, and a department's canned replies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resident, addUser, post, scratch, skipReason, staffLogin, startServer } from './lib.mjs';

test('notes, assignee, canned replies', { skip: skipReason }, async () => {
  const tmp = scratch();
  await addUser(tmp.db, 'tanaka', 'staff', 'shimin', 'tanaka password 1');
  await addUser(tmp.db, 'suzuki', 'staff', 'shimin', 'suzuki password 1');
  await addUser(tmp.db, 'yamada', 'staff', 'zeimu', 'yamada password 1');
  await addUser(tmp.db, 'kansa', 'supervisor', null, 'kansa password 1');
  const srv = await startServer(tmp.db);
  try {
    const r = await Resident.hello(srv.base);
    r.send({ type: 'escalate', id: 'e1', text: '住民票の写しを郵送で請求したいので職員に聞きたい' });
    const tk = await r.next((m) => m.reply_to === 'e1');
    const no = tk.ticket_no;
    const tanaka = await staffLogin(srv.base, 'tanaka', 'tanaka password 1');
    const dept = (await tanaka.get(`/tickets/${no}`)).body.ticket.department.id;
    assert.equal(dept, 'shimin', 'routed to 市民課 (the test relies on it)');

    // notes
    assert.equal((await tanaka.post(`/tickets/${no}/note`, { text: '本人確認書類の写しが要るか確認中' })).status, 200);
    assert.equal((await tanaka.post(`/tickets/${no}/note`, { text: '' })).status, 400);
    const t1 = (await tanaka.get(`/tickets/${no}`)).body.ticket;
    assert.deepEqual(t1.notes.map((n) => [n.author, n.text]), [['tanaka', '本人確認書類の写しが要るか確認中']]);
    const thread = await post(srv.base, '/api/v1/ticket/lookup', { ticket_no: no, secret: tk.lookup });
    assert.ok(!JSON.stringify(thread.body).includes('本人確認書類の写し'), 'the resident never sees a note');

    // assignee
    assert.equal((await tanaka.post(`/tickets/${no}/assign`, { assignee: 'tanaka' })).status, 200, 'staff take it');
    assert.equal((await tanaka.get(`/tickets/${no}`)).body.ticket.assignee, 'tanaka');
    assert.equal((await tanaka.post(`/tickets/${no}/assign`, { assignee: 'suzuki' })).status, 403, 'staff do not assign others');
    const sup = await staffLogin(srv.base, 'kansa', 'kansa password 1');
    assert.equal((await sup.post(`/tickets/${no}/assign`, { assignee: 'yamada' })).status, 400, 'not of this department');
    assert.equal((await sup.post(`/tickets/${no}/assign`, { assignee: 'suzuki' })).status, 200, 'a supervisor assigns');
    const listed = (await sup.get('/tickets?status=open')).body.tickets.find((x) => x.ticket_no === no);
    assert.equal(listed.assignee, 'suzuki', 'the inbox shows who has it');
    const yamada = await staffLogin(srv.base, 'yamada', 'yamada password 1');
    assert.equal((await yamada.post(`/tickets/${no}/note`, { text: 'x' })).status, 403, 'another department: no notes');

    // canned replies, per department
    const c1 = await tanaka.post('/canned', { title: '郵送請求の案内', text: '郵送での請求は、請求書と本人確認書類の写しを同封してください。' });
    assert.equal(c1.status, 200);
    assert.deepEqual((await tanaka.get('/canned')).body.canned.map((c) => c.title), ['郵送請求の案内']);
    assert.deepEqual((await yamada.get('/canned')).body.canned, [], 'another department has its own');
    assert.equal((await yamada.del(`/canned/${c1.body.id}`)).status, 404, 'and cannot delete ours');
    assert.deepEqual((await sup.get('/canned?department=shimin')).body.canned.map((c) => c.id), [c1.body.id]);
    assert.equal((await tanaka.del(`/canned/${c1.body.id}`)).status, 200);
    assert.deepEqual((await tanaka.get('/canned')).body.canned, []);
    const audit = (await sup.get('/audit?limit=50')).body.entries.map((e) => e.action);
    for (const a of ['ticket.note', 'ticket.assign', 'canned.put', 'canned.delete']) assert.ok(audit.includes(a), `${a} is audited`);
    await r.close();
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
