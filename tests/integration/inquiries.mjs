// Inquiries from the city's contact form (issue 17, item 2) against the real
// server: POST /api/v1/inquiries with the form's key → a ticket in the triaged
// department and an acknowledgement that reaches a local SMTP sink (Debian's
// aiosmtpd, as mail.mjs); a wrong key, malformed or oversized input → the
// precise error and nothing stored; staff see the suggested reply, and a
// re-route is counted for the department that passed the ticket on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addUser, cli, post, scratch, skipReason, staffLogin, startServer } from './lib.mjs';
import { startSink } from './lib_smtp.mjs';

async function ticketCount(db) {
  return JSON.parse(await cli(['tickets', 'list', '--json', '--db', db])).length;
}

test('contact form: key, ticket, department, acknowledgement; bad key and bad input store nothing', { skip: skipReason }, async () => {
  const made = await cli(['inquiries', 'key', 'contact-form']);
  const key = made.match(/^key: (\S+)$/m)[1];
  const entry = JSON.parse(made.match(/^config: (.*)$/m)[1]);
  assert.equal(entry.name, 'contact-form');
  assert.ok(!JSON.stringify(entry).includes(key), 'the configuration holds the hash, not the key');

  const sink = await startSink();
  const tmp = scratch();
  let srv = null;
  try {
    srv = await startServer(tmp.db, { config: {
      inquiry_api_keys: [entry], inquiry_max_chars: 2000,
      smtp_url: `smtp://127.0.0.1:${sink.port}`, smtp_from: 'toiawase@city.example', smtp_tls: 'none',
      public_base_url: 'https://chat.city.example', mail_poll_secs: 0.2 } });
    await addUser(tmp.db, 'kansa', 'supervisor', null, 'kansa password 1');
    const auth = { authorization: `Bearer ${key}` };
    const form = {
      name: '山本 花子', email: 'hanako@example.jp', phone: '090-0000-1234', subject: 'ごみの収集日について',
      body: 'お世話になっております。\n先月、松山市から引っ越してきました。燃やすごみと資源ごみの収集日がわかりません。\n' +
        '地区ごとの収集日を教えてください。\nよろしくお願いいたします。\n\n山本 花子\n電話：090-0000-1234',
      form_id: 'toiawase',
    };

    const ok = await post(srv.base, '/api/v1/inquiries', form, { headers: auth });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.match(ok.body.ticket_no, /^T-\d{8}-\d{4}$/);
    assert.equal(ok.body.department.id, 'kankyo', 'triaged to the waste department');
    assert.equal(ok.body.department.name, '環境衛生課');
    assert.equal(ok.body.acknowledged, true);
    assert.ok(ok.body.answer_by, 'an answer date');

    const [ack] = await sink.waitFor(1);
    assert.equal(ack.to, '<hanako@example.jp>');
    assert.ok(ack.subject.includes(ok.body.ticket_no), ack.subject);
    assert.ok(ack.body.includes(ok.body.ticket_no) && ack.body.includes(ok.body.answer_by) && ack.body.includes('環境衛生課'),
      `the acknowledgement says the number, the date and the department: ${ack.body}`);
    assert.ok(ack.body.includes(`https://chat.city.example/t/${ok.body.ticket_no}#`), 'and the resident\'s link');
    assert.match(ack.headers['message-id'], /^<[0-9a-f]{32}\.ack@city\.example>$/, 'a Message-ID a reply can name');

    const stored = await ticketCount(tmp.db);
    assert.equal(stored, 1);
    const refused = async (what, body, status, code, headers = auth, contentType) => {
      const r = await post(srv.base, '/api/v1/inquiries', body, { headers, contentType });
      assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, code, what);
    };
    // the last character changed (a 32-byte key in base64url ends in A, Q, g or w:
    // replacing it with a fixed 'A' was the same key one run in four)
    const wrong = key.slice(0, -1) + (key.endsWith('A') ? 'Q' : 'A');
    assert.notEqual(wrong, key);
    await refused('a wrong key', form, 401, 'unauthorized', { authorization: `Bearer ${wrong}` });
    await refused('no key', form, 401, 'unauthorized', {});
    await refused('malformed JSON', '{"body": "ごみ', 400, 'bad_json');
    await refused('invalid UTF-8', Buffer.from([0x7b, 0x22, 0x62, 0x6f, 0x64, 0x79, 0x22, 0x3a, 0x22, 0xe3, 0x81, 0x22, 0x7d]),
      400, 'bad_utf8');
    await refused('no body', { subject: '件名だけ' }, 400, 'missing_field');
    await refused('a blank body', { body: ' \n ' }, 400, 'missing_field');
    await refused('a body that is not a string', { body: 42 }, 400, 'missing_field');
    await refused('a subject that is not a string', { body: 'ごみ', subject: ['x'] }, 400, 'invalid');
    await refused('a body over inquiry_max_chars', { body: 'あ'.repeat(2001) }, 400, 'inquiry_too_long');
    await refused('a body over the request limit', { body: 'a'.repeat(300 * 1024) }, 413, 'frame_too_large');
    assert.equal(await ticketCount(tmp.db), stored, 'nothing refused was stored');

    // staff: the suggested reply, and a re-route counted against the department that passed it on
    const staff = await staffLogin(srv.base, 'kansa', 'kansa password 1');
    const t = await staff.get(`/tickets/${ok.body.ticket_no}`);
    assert.equal(t.status, 200);
    assert.equal(t.body.ticket.routed_by, 'inquiry');
    const sugg = t.body.ticket.inquiry.suggestion;
    assert.ok(sugg.some((s) => s.faq_id === 'saijo-0056'), `the collection-day entry is suggested: ${JSON.stringify(sugg)}`);
    assert.ok(sugg[0].answer, 'with its answer text, ready to edit');
    const re = await staff.post(`/tickets/${ok.body.ticket_no}/reassign`, { department: 'shimin', reason: '転入の案内も必要' });
    assert.equal(re.status, 200, JSON.stringify(re.body));
    const st = await staff.get('/stats');
    const kankyo = st.body.departments.find((d) => d.id === 'kankyo');
    assert.equal(kankyo.reroutes, 1, 'たらい回し counted for the department that passed it on');
  } finally {
    if (srv) await srv.stop();
    tmp.cleanup();
    sink.stop();
  }
});
