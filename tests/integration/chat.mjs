// chat.mjs — a resident's whole conversation over madoguchi.v1 against a real
// server on the bundled sample FAQ: every client message type and every
// server reply, reconnect and resume, staff replies pushed live and delivered
// on return, and a restart that keeps the data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, findAnswered, Resident, scratch, skipReason, startServer } from './lib.mjs';

// Vague questions; the engine's tuning decides which of them it asks back
// about, so the test takes the first that gets a clarify.
const VAGUE = ['住民票', '証明書がほしい', '手続き', '届出', '税金', '子ども'];
const NOWHERE = 'qwertyuiop';
// This conversation is faster than any resident types; the rate limit has
// its own test (bad_input.mjs).
const config = { max_msgs_per_sec: 100 };

test('a resident talks to the bot', { skip: skipReason }, async (t) => {
  const tmp = scratch();
  let srv = await startServer(tmp.db, { config });
  let session;
  let ANSWERED;
  let ticketNo;
  try {
    ANSWERED = (await findAnswered(srv.base)).text;

    await t.test('hello opens a new session', async () => {
      const r = await Resident.hello(srv.base);
      const w = r.welcome;
      assert.equal(w.type, 'welcome');
      assert.match(w.session, /^[A-Za-z0-9_-]{22,}$/);
      assert.equal(w.resumed, false);
      assert.ok(w.greeting.length > 0 && w.privacy.length > 0);
      session = w.session;
      await r.close();
    });

    await t.test('anything before hello is refused', async () => {
      const r = await Resident.connect(srv.base);
      const e = await r.ask('q0', ANSWERED);
      assert.equal(e.type, 'error');
      assert.equal(e.code, 'missing_field');
      await r.close();
    });

    await t.test('ask, clarify → choose, no_answer, feedback, escalate, staff reply', async () => {
      const r = await Resident.hello(srv.base, session);
      assert.equal(r.welcome.session, session);

      const a = await r.ask('q1', ANSWERED);
      assert.equal(a.type, 'answer');
      assert.ok(a.answer_id && a.faq_id && a.answer);
      assert.equal(typeof a.department, 'object');
      assert.ok(a.confidence >= 0 && a.confidence <= 1);

      const emergency = await r.ask('q2', '家が火事です');
      assert.equal(emergency.type, 'answer');
      assert.equal(emergency.rule.kind, 'emergency');
      assert.match(emergency.answer, /119/);

      let c;
      for (const [i, q] of VAGUE.entries()) {
        c = await r.ask(`v${i}`, q);
        if (c.type === 'clarify') break;
      }
      assert.equal(c.type, 'clarify', `none of ${VAGUE.join(', ')} was answered with choices`);
      assert.ok(c.text.length > 0);
      assert.ok(c.choices.length >= 2);
      r.send({ type: 'choose', id: 'q4', faq_id: c.choices[1].faq_id });
      const chosen = await r.next((m) => m.reply_to === 'q4');
      assert.equal(chosen.type, 'answer');
      assert.equal(chosen.faq_id, c.choices[1].faq_id);

      r.send({ type: 'feedback', answer_id: a.answer_id, helpful: true });
      const ok = await r.next((m) => m.type === 'feedback_ok');
      assert.equal(ok.reply_to, a.answer_id);
      assert.equal(ok.offer_escalation, false);
      r.send({ type: 'feedback', answer_id: chosen.answer_id, helpful: false, comment: 'よく分かりませんでした' });
      const notOk = await r.next((m) => m.type === 'feedback_ok');
      assert.equal(notOk.offer_escalation, true);

      const n = await r.ask('q5', NOWHERE);
      assert.equal(n.type, 'no_answer');
      assert.equal(n.offer_escalation, true);

      r.send({ type: 'escalate', id: 'q6', text: '犬を飼い始めたときの手続きを教えてください', contact: 'test@example.jp' });
      const tk = await r.next((m) => m.reply_to === 'q6');
      assert.equal(tk.type, 'ticket');
      assert.match(tk.ticket_no, /^T-\d{8}-\d{4}$/);
      assert.equal(tk.status, 'open');
      ticketNo = tk.ticket_no;

      // Staff answer from the command line while the resident is connected:
      // the server notices the change in the database and pushes it.
      await cli(['tickets', 'reply', ticketNo, '市民課で登録できます。', '--db', tmp.db]);
      const sr = await r.next((m) => m.type === 'staff_reply');
      assert.equal(sr.ticket_no, ticketNo);
      assert.equal(sr.text, '市民課で登録できます。');
      await r.close();
    });

    await t.test('a reply written while away arrives on return', async () => {
      let r = await Resident.hello(srv.base, session);
      assert.equal(r.welcome.resumed, true);
      assert.ok(r.welcome.history.some((h) => h.role === 'resident'));
      r.send({ type: 'escalate', id: 'q7', text: '粗大ごみの料金について職員に確認したい' });
      const tk = await r.next((m) => m.reply_to === 'q7');
      assert.equal(tk.type, 'ticket');
      await r.close();

      await cli(['tickets', 'reply', tk.ticket_no, '料金は品目ごとに決まっています。', '--db', tmp.db]);
      r = await Resident.hello(srv.base, session);
      assert.equal(r.welcome.resumed, true);
      const sr = await r.next((m) => m.type === 'staff_reply');
      assert.equal(sr.ticket_no, tk.ticket_no);
      await r.close();
    });

    await t.test('a restart keeps sessions and transcripts', async () => {
      const stopped = await srv.stop();
      assert.equal(stopped.code, 0);
      srv = await startServer(tmp.db, { config });
      const r = await Resident.hello(srv.base, session);
      assert.equal(r.welcome.resumed, true);
      assert.equal(r.welcome.session, session);
      assert.ok(r.welcome.history.some((h) => h.role === 'staff'));
      const a = await r.ask('q8', ANSWERED);
      assert.equal(a.type, 'answer');
      await r.close();
    });
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
