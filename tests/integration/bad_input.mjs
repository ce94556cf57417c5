// bad_input.mjs — every kind of bad input on /ws gets its stable error code
// (docs/protocol.md "Error codes"), and the server keeps answering: on the
// same connection where the protocol keeps it open, on a new one where the
// server had to close (frame_too_large). Runs with the default limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resident, scratch, skipReason, startServer } from './lib.mjs';

const QUESTION = '犬の登録はどこでできますか';

/** The server still answers on r. */
async function stillAnswers(r, id = 'after') {
  const a = await r.ask(id, QUESTION);
  assert.ok(['answer', 'clarify', 'no_answer'].includes(a.type), JSON.stringify(a));
}

test('bad input on the chat socket', { skip: skipReason }, async (t) => {
  const tmp = scratch();
  const srv = await startServer(tmp.db);
  const hello = () => Resident.hello(srv.base);
  try {
    await t.test('invalid UTF-8 in a text frame → bad_utf8', async () => {
      // Stray bytes, an overlong '/', a UTF-16 surrogate, a cut-off character;
      // two per connection so the default rate limit (5/s) is not reached.
      const cases = [[0x7b, 0xff, 0xfe, 0x7d], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe3, 0x81]];
      for (let i = 0; i < cases.length; i += 2) {
        const r = await hello();
        for (const bytes of cases.slice(i, i + 2)) {
          r.sendRaw(Buffer.from(bytes), { binary: false });
          const e = await r.next((m) => m.type === 'error');
          assert.equal(e.code, 'bad_utf8', JSON.stringify(bytes));
        }
        await stillAnswers(r);
        await r.close();
      }
    });

    await t.test('not JSON, or not an object → bad_json', async () => {
      const r = await hello();
      r.sendRaw('こんにちは、これはJSONではありません');
      assert.equal((await r.next((m) => m.type === 'error')).code, 'bad_json');
      r.sendRaw('[1, 2, 3]');
      assert.equal((await r.next((m) => m.type === 'error')).code, 'bad_json');
      await stillAnswers(r);
      await r.close();
    });

    await t.test('unknown or missing type → unknown_type / missing_field', async () => {
      const r = await hello();
      r.send({ type: 'dance', id: 'u1' });
      let e = await r.next((m) => m.reply_to === 'u1');
      assert.equal(e.type, 'error');
      assert.equal(e.code, 'unknown_type');
      r.send({ id: 'u2', text: QUESTION });
      e = await r.next((m) => m.reply_to === 'u2');
      assert.equal(e.code, 'missing_field');
      await stillAnswers(r);
      await r.close();
    });

    await t.test('missing or mistyped fields → missing_field', async () => {
      const r = await hello();
      r.send({ type: 'ask', id: 'm1' });
      assert.equal((await r.next((m) => m.reply_to === 'm1')).code, 'missing_field');
      r.send({ type: 'choose', id: 'm2' });
      assert.equal((await r.next((m) => m.reply_to === 'm2')).code, 'missing_field');
      r.send({ type: 'ask', id: 'm3', text: 42 });
      const e = await r.next((m) => m.reply_to === 'm3');
      assert.equal(e.type, 'error');
      assert.ok(['missing_field', 'invalid'].includes(e.code), e.code);
      await stillAnswers(r);
      await r.close();
    });

    await t.test('1,001 characters → text_too_long; 1,000 are accepted', async () => {
      const r = await hello();
      const e = await r.ask('l1', 'あ'.repeat(1001));
      assert.equal(e.type, 'error');
      assert.equal(e.code, 'text_too_long');
      const ok = await r.ask('l2', 'あ'.repeat(1000));
      assert.notEqual(ok.type, 'error', JSON.stringify(ok));
      await r.close();
    });

    await t.test('binary frame → binary_frame, connection stays open', async () => {
      const r = await hello();
      r.sendRaw(Buffer.from(JSON.stringify({ type: 'ask', id: 'b1', text: QUESTION })), { binary: true });
      assert.equal((await r.next((m) => m.type === 'error')).code, 'binary_frame');
      await stillAnswers(r);
      await r.close();
    });

    await t.test('a message in fragments is put back together', async () => {
      const r = await hello();
      r.sendRaw('{"type":"ask","id":"f1",', { fin: false });
      r.sendRaw(`"text":"${QUESTION}"}`, { fin: true });
      const a = await r.next((m) => m.reply_to === 'f1');
      assert.notEqual(a.type, 'error', JSON.stringify(a));
      await r.close();
    });

    await t.test('over 16 KiB → frame_too_large and close 1009', async () => {
      let r = await hello();
      r.send({ type: 'ask', id: 'big', text: 'x'.repeat(17 * 1024) });
      assert.equal((await r.next((m) => m.type === 'error')).code, 'frame_too_large');
      assert.equal((await r.closed()).code, 1009);

      // The same in fragments of 10 KiB each.
      r = await hello();
      r.sendRaw('{"type":"ask","id":"big2","text":"' + 'y'.repeat(10 * 1024), { fin: false });
      r.sendRaw('y'.repeat(10 * 1024) + '"}', { fin: true });
      assert.equal((await r.next((m) => m.type === 'error')).code, 'frame_too_large');
      assert.equal((await r.closed()).code, 1009);

      r = await hello();
      await stillAnswers(r);
      await r.close();
    });

    await t.test('more than max_msgs_per_sec → rate_limited', async () => {
      const r = await hello();
      const n = 12;
      for (let i = 0; i < n; i++) r.send({ type: 'ask', id: `r${i}`, text: QUESTION });
      const replies = [];
      for (let i = 0; i < n; i++) replies.push(await r.next((m) => m.reply_to === `r${i}`));
      const limited = replies.filter((m) => m.type === 'error' && m.code === 'rate_limited');
      const answered = replies.filter((m) => m.type !== 'error');
      assert.ok(limited.length >= 1, 'some messages are refused');
      assert.ok(answered.length >= 1, 'the first ones are answered');
      await r.close();
      const fresh = await hello();
      await stillAnswers(fresh);
      await fresh.close();
    });

    await t.test('the server is still healthy', async () => {
      const res = await fetch(`${srv.base}/healthz`);
      assert.equal(res.status, 200);
    });
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
