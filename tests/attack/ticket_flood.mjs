// ticket_flood.mjs — F4: one address created 1,000 tickets in 10 s, and the
// staff inbox showed the newest 1,000 with no sign that more existed, so the
// real tickets were hidden. Now a chat session may open
// max_tickets_per_session tickets and a client network (/24)
// max_tickets_per_ip_hour an hour; beyond, the resident gets the coded error
// ticket_limit, which tells them to phone the department. Every console list
// is paged and carries its true total, oldest ticket first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resident, addUser, scratch, skipReason, startServer } from '../integration/lib.mjs';

async function escalate(r, id) {
  r.send({ type: 'escalate', id, text: `犬の登録の手続きについて職員に聞きたい ${id}` });
  return r.next((m) => m.reply_to === id);
}

test('a ticket flood is refused with a coded error; real tickets stay visible with the true total', { skip: skipReason }, async () => {
  const tmp = scratch();
  const srv = await startServer(tmp.db, { config: { max_msgs_per_sec: 1000, max_conns_per_ip: 100,
    max_tickets_per_session: 3, max_tickets_per_ip_hour: 5 } });
  try {
    // a real resident first: the oldest ticket
    const real = await Resident.hello(srv.base, undefined, { localAddress: '127.0.2.2' });
    const t0 = await escalate(real, 'real');
    assert.equal(t0.type, 'ticket');

    // one session: three tickets, then ticket_limit
    const one = await Resident.hello(srv.base, undefined, { localAddress: '127.0.1.2' });
    const got = [];
    for (let i = 0; i < 4; i++) got.push(await escalate(one, `s${i}`));
    assert.deepEqual(got.map((m) => m.type), ['ticket', 'ticket', 'ticket', 'error']);
    assert.equal(got[3].code, 'ticket_limit');
    assert.match(got[3].message, /電話/, 'the resident is told to phone instead');

    // one network, many sessions: five tickets an hour, the rest refused
    let tickets = 0, refused = 0;
    for (let s = 0; s < 6; s++) {
      const r = await Resident.hello(srv.base, undefined, { localAddress: `127.0.0.${s + 2}` });
      for (let i = 0; i < 2; i++) {
        const m = await escalate(r, `f${s}-${i}`);
        if (m.type === 'ticket') tickets++;
        else { assert.equal(m.code, 'ticket_limit'); refused++; }
      }
      await r.close();
    }
    assert.equal(tickets, 5, 'the network got its five tickets an hour');
    assert.equal(refused, 7);

    // another network is not affected
    const late = await Resident.hello(srv.base, undefined, { localAddress: '127.0.3.2' });
    assert.equal((await escalate(late, 'late')).type, 'ticket');

    // the inbox: paged, with the true total, the real ticket first
    await addUser(tmp.db, 'kansa', 'admin', null, 'kansa password 1');
    const lr = await fetch(`${srv.base}/api/v1/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: srv.base },
      body: JSON.stringify({ login: 'kansa', password: 'kansa password 1' }) });
    const cookie = lr.headers.get('set-cookie').split(';')[0];
    const get = async (path) => (await fetch(`${srv.base}/api/v1/admin${path}`, { headers: { cookie } })).json();
    const want = 1 + 3 + 5 + 1;
    const p1 = await get('/tickets?status=&limit=4');
    assert.equal(p1.total, want, JSON.stringify(p1).slice(0, 300));
    assert.equal(p1.tickets.length, 4);
    assert.equal(p1.tickets[0].ticket_no, t0.ticket_no, 'oldest first: the real ticket is on the first page');
    const seen = new Set(p1.tickets.map((t) => t.ticket_no));
    for (let off = 4; off < want; off += 4) {
      const p = await get(`/tickets?status=&limit=4&offset=${off}`);
      assert.equal(p.total, want);
      p.tickets.forEach((t) => seen.add(t.ticket_no));
    }
    assert.equal(seen.size, want, 'paging reaches every ticket once');
    for (const path of ['/users?limit=1', '/audit?limit=1', '/faq?limit=1', '/unanswered?limit=1']) {
      const r = await get(path);
      assert.equal(typeof r.total, 'number', `${path} carries a total`);
      assert.ok(r.total >= (path.startsWith('/unanswered') ? 0 : 1), path);
    }
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
