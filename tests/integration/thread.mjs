// A ticket is a thread (issue 14): the resident answers staff in the chat
// that opened it, and later from anywhere at /t/<number> with the secret
// shown once at escalation. Real server, real WebSocket and HTTP clients,
// staff on the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resident, cli, post, scratch, skipReason, startServer } from './lib.mjs';

test('ticket threads: chat, lookup page API, proofs and limits', { skip: skipReason }, async (t) => {
  const tmp = scratch();
  // many requests from one address in a row: above the API's token bucket
  const srv = await startServer(tmp.db, { config: { max_msgs_per_sec: 100 } });
  try {
    const r = await Resident.hello(srv.base);
    r.send({ type: 'escalate', id: 'e1', text: '犬の登録の手続きについて職員に確認したい' });
    const tk = await r.next((m) => m.reply_to === 'e1');
    assert.equal(tk.type, 'ticket');
    assert.match(tk.lookup, /^[A-Za-z0-9_-]{24}$/, 'the lookup secret comes with the ticket, once');
    const no = tk.ticket_no;

    await t.test('staff reply, resident answers in the chat, the ticket is open again', async () => {
      await cli(['tickets', 'reply', no, '市民課の窓口か郵送で登録できます。', '--db', tmp.db]);
      const sr = await r.next((m) => m.type === 'staff_reply');
      assert.equal(sr.ticket_no, no);
      r.send({ type: 'ticket_reply', id: 'tr1', ticket_no: no, text: '郵送の場合、送り先はどこですか。電話は090-1111-2222です' });
      const ack = await r.next((m) => m.reply_to === 'tr1');
      assert.equal(ack.type, 'ticket_reply_ok', JSON.stringify(ack));
      assert.equal(ack.ticket_no, no);
      const shown = await cli(['tickets', 'show', no, '--db', tmp.db]);
      assert.match(shown, /open/, 'back in the open inbox');
      assert.match(shown, /resident: 郵送の場合/, 'staff see the resident line');
      assert.doesNotMatch(shown, /1111-2222/, 'masked before it was stored');
    });

    await t.test('another chat cannot write to the thread', async () => {
      const other = await Resident.hello(srv.base);
      other.send({ type: 'ticket_reply', id: 'x1', ticket_no: no, text: 'なりすまし' });
      const e = await other.next((m) => m.reply_to === 'x1');
      assert.equal(e.type, 'error');
      assert.equal(e.code, 'ticket_not_found');
      await other.close();
    });

    await t.test('the page API reads and answers with the secret', async () => {
      const page = await fetch(`${srv.base}/t/${no}`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /お問い合わせの確認/, '/t/<number> serves the ticket page');

      const look = await post(srv.base, '/api/v1/ticket/lookup', { ticket_no: no, secret: tk.lookup });
      assert.equal(look.status, 200, JSON.stringify(look.body));
      assert.equal(look.body.status, 'open');
      assert.deepEqual(look.body.messages.map((m) => m.side), ['resident', 'staff', 'resident']);
      assert.equal(look.body.messages[1].text, '市民課の窓口か郵送で登録できます。');
      assert.equal(look.body.contact, undefined);

      const rep = await post(srv.base, '/api/v1/ticket/reply', { ticket_no: no, secret: tk.lookup, text: 'ありがとうございました' });
      assert.equal(rep.status, 200, JSON.stringify(rep.body));
      assert.equal(rep.body.emergency, undefined, 'a thank-you is no emergency');
      const again = await post(srv.base, '/api/v1/ticket/lookup', { ticket_no: no, secret: tk.lookup });
      assert.equal(again.body.messages.length, 4);
    });

    await t.test('an emergency written in the thread gets the emergency answer at once', async () => {
      const rep = await post(srv.base, '/api/v1/ticket/reply', { ticket_no: no, secret: tk.lookup, text: '家が火事です' });
      assert.equal(rep.status, 200);
      assert.ok(rep.body.emergency, 'the emergency answer comes back');
      assert.match(JSON.stringify(rep.body.emergency), /119/);
      r.send({ type: 'ticket_reply', id: 'tr2', ticket_no: no, text: '子どもが息をしていない' });
      const card = await r.next((m) => m.reply_to === 'tr2' && m.type === 'answer');
      assert.match(card.answer, /119/, 'the chat shows the emergency card');
      assert.equal((await r.next((m) => m.reply_to === 'tr2' && m.type === 'ticket_reply_ok')).ticket_no, no,
        'and the line still reaches staff');
    });

    await t.test('bad proofs and bad bodies', async () => {
      const wrong = tk.lookup[0] === 'A' ? `B${tk.lookup.slice(1)}` : `A${tk.lookup.slice(1)}`;
      const w = await post(srv.base, '/api/v1/ticket/lookup', { ticket_no: no, secret: wrong });
      assert.equal(w.status, 404);
      assert.equal(w.body.error.code, 'ticket_not_found');
      const u = await post(srv.base, '/api/v1/ticket/lookup', { ticket_no: 'T-19990101-0001', secret: tk.lookup });
      assert.equal(u.status, 404, 'an unknown number looks the same');
      assert.equal((await post(srv.base, '/api/v1/ticket/lookup', { ticket_no: no })).status, 400);
      assert.equal((await post(srv.base, '/api/v1/ticket/reply', { ticket_no: no, secret: tk.lookup })).status, 400);
      assert.equal((await post(srv.base, '/api/v1/ticket/reply', { ticket_no: no, secret: tk.lookup, text: 'あ'.repeat(1001) })).status, 400);
    });

    await t.test('a closed thread can be read but takes no line', async () => {
      await cli(['tickets', 'close', no, '--db', tmp.db]);
      const look = await post(srv.base, '/api/v1/ticket/lookup', { ticket_no: no, secret: tk.lookup });
      assert.equal(look.body.status, 'closed');
      const rep = await post(srv.base, '/api/v1/ticket/reply', { ticket_no: no, secret: tk.lookup, text: 'まだあります' });
      assert.equal(rep.status, 409);
      assert.equal(rep.body.error.code, 'ticket_closed');
    });
    await r.close();
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});

test('ticket lookups that name no ticket are slowed down per address', { skip: skipReason }, async () => {
  const tmp = scratch();
  const srv = await startServer(tmp.db, { config: { max_msgs_per_sec: 100 } });
  try {
    const codes = [];
    for (let i = 0; i < 7; i++) {
      const res = await post(srv.base, '/api/v1/ticket/lookup', { ticket_no: `T-20260101-000${i}`, secret: 'A'.repeat(24) });
      codes.push(res.status);
    }
    assert.deepEqual(codes, [404, 404, 404, 404, 404, 429, 429], 'five misses, then a wait');
    const res = await fetch(`${srv.base}/healthz`);
    assert.equal(res.status, 200, 'the rest of the service is not affected');
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
