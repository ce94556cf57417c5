// session_ref.mjs — F8: the console API returned a resident's session id
// (the bearer token that resumes their chat, history included) with every
// ticket. Staff now see a short, non-reversible reference ("S-" + 12 hex)
// instead; the id never appears in any console response.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resident, scratch, skipReason, startServer } from '../integration/lib.mjs';
import { addUser, login } from './lib.mjs';

test('console APIs never show a resident session id', { skip: skipReason }, async () => {
  const tmp = scratch();
  const srv = await startServer(tmp.db, { config: { max_msgs_per_sec: 100 } });
  try {
    await addUser(tmp.db, 'sato', 'supervisor', null, 'sato password 1');
    const r = await Resident.hello(srv.base);
    const sid = r.welcome.session;
    r.send({ type: 'escalate', id: 'e1', text: '粗大ごみの料金について職員に確認したい' });
    const t = await r.next((m) => m.type === 'ticket' || m.type === 'error');
    assert.equal(t.type, 'ticket', JSON.stringify(t));
    await r.close();

    const sup = await login(srv.base, 'sato', 'sato password 1');
    const list = await (await sup('/tickets')).text();
    assert.ok(!list.includes(sid), 'session id in the ticket list');
    const res = await sup(`/tickets/${t.ticket_no}`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(!text.includes(sid), `session id in the ticket view: ${text.slice(0, 300)}`);
    const ticket = JSON.parse(text).ticket;
    assert.match(ticket.session_ref, /^S-[0-9a-f]{12}$/);
    assert.ok(Array.isArray(ticket.transcript) && ticket.transcript.length > 0, 'the transcript is still shown');
    for (const path of ['/unanswered', '/stats', '/audit']) assert.ok(!(await (await sup(path)).text()).includes(sid), path);
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
