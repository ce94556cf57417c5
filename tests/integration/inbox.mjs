// GET /api/v1/admin/inbox?since=V (issue 14, the live inbox): with a stale V
// it answers at once; with the current V the server holds the answer until a
// ticket changes — here a resident escalating and later answering staff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resident, addUser, cli, scratch, skipReason, startServer } from './lib.mjs';

test('the inbox long poll answers when a ticket changes', { skip: skipReason }, async () => {
  const tmp = scratch();
  await addUser(tmp.db, 'kansa', 'supervisor', null, 'kansa password 1');
  const srv = await startServer(tmp.db);
  try {
    const lr = await fetch(`${srv.base}/api/v1/admin/login`, { method: 'POST',
      headers: { 'content-type': 'application/json', origin: srv.base },
      body: JSON.stringify({ login: 'kansa', password: 'kansa password 1' }) });
    const cookie = lr.headers.get('set-cookie').split(';')[0];
    const get = async (p) => (await fetch(`${srv.base}/api/v1/admin${p}`, { headers: { cookie } })).json();
    const v0 = await get('/inbox');
    assert.deepEqual([v0.open, v0.answered], [0, 0]);
    assert.deepEqual(await get(`/inbox?since=${v0.version - 1}`), v0, 'a stale version is answered at once');

    const r = await Resident.hello(srv.base);
    let settled = false;
    const held = get(`/inbox?since=${v0.version}`).then((x) => { settled = true; return x; });
    // a round trip that changes no ticket: the held answer is still out
    await r.ask('q1', '住民票の写しはどこで取得できますか？');
    assert.equal(settled, false, 'held while no ticket changed');
    r.send({ type: 'escalate', id: 'e1', text: '犬の登録について職員に聞きたい' });
    const tk = await r.next((m) => m.reply_to === 'e1');
    const v1 = await held;
    assert.ok(v1.version > v0.version, 'a new version');
    assert.equal(v1.open, 1, 'one open ticket');

    const held2 = get(`/inbox?since=${v1.version}`);
    await cli(['tickets', 'reply', tk.ticket_no, '窓口でどうぞ。', '--db', tmp.db]);
    const v2 = await held2;
    assert.deepEqual([v2.open, v2.answered], [0, 1], 'a staff reply from the CLI (another process) is seen too');
    await r.close();
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
