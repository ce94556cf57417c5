// E-mail notices (issue 14) through a real SMTP conversation: the test starts
// Debian's aiosmtpd as a local sink that writes a Maildir, points the server's
// relay at it, and reads what arrived. A missing sink fails the test (the
// install step installs python3-aiosmtpd); it does not skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resident, cli, scratch, skipReason, startServer, TIMEOUT } from './lib.mjs';
import { freePort, startSink } from './lib_smtp.mjs';

test('e-mail notices: the link when the ticket is made, a notice (not the text) when staff reply', { skip: skipReason }, async (t) => {
  const sink = await startSink();
  const tmp = scratch();
  let srv = null;
  try {
    // inside the try: a server that fails to start must not leave the sink running
    srv = await startServer(tmp.db, { config: {
      smtp_url: `smtp://127.0.0.1:${sink.port}`, smtp_from: 'noreply@city.example', smtp_tls: 'none',
      public_base_url: 'https://chat.city.example/', mail_poll_secs: 0.2 } });
    const r = await Resident.hello(srv.base);
    assert.equal(r.welcome.email_notice, true, 'the widget is told e-mail is offered');

    r.send({ type: 'escalate', id: 'e0', text: '粗大ごみの件', notify_email: 'taro@example.jp\r\nBcc: x@evil.example' });
    const bad = await r.next((m) => m.reply_to === 'e0');
    assert.equal(bad.type, 'error');
    assert.equal(bad.code, 'invalid', 'an address with a line break is refused');

    r.send({ type: 'escalate', id: 'e1', text: '粗大ごみの収集日を職員に確認したい', notify_email: 'taro@example.jp' });
    const tk = await r.next((m) => m.reply_to === 'e1');
    assert.equal(tk.type, 'ticket');

    const [first] = await sink.waitFor(1);
    assert.equal(first.to, '<taro@example.jp>');
    assert.match(first.subject, new RegExp(tk.ticket_no));
    assert.ok(first.body.includes(`https://chat.city.example/t/${tk.ticket_no}#${tk.lookup}`),
      `the body carries the resident's link: ${first.body}`);

    const reply = '収集日は毎月第2水曜日です。前日までに電話で申し込んでください。';
    await cli(['tickets', 'reply', tk.ticket_no, reply, '--db', tmp.db]);
    // a Maildir's file names do not keep the order of arrival: find the notice by its subject
    const notice = (await sink.waitFor(2)).find((m) => /返事が届きました/.test(m.subject));
    assert.ok(notice, 'a reply notice arrived');
    assert.ok(notice.body.includes(tk.ticket_no));
    assert.ok(!notice.body.includes('第2水曜日'), 'the reply itself is not in the mail');
    assert.ok(!notice.body.includes(tk.lookup), 'nor the secret');

    const shown = await cli(['tickets', 'show', tk.ticket_no, '--db', tmp.db]);
    assert.match(shown, /received sent/);
    assert.match(shown, /reply sent/);
    assert.doesNotMatch(shown, /taro@example\.jp/, 'staff do not see the address');
    await r.close();
  } finally {
    if (srv) await srv.stop();
    tmp.cleanup();
    sink.stop();
  }
});

test('e-mail: a relay that is down → retried, the failure visible to staff; no relay → not offered', { skip: skipReason }, async () => {
  const dead = await freePort();   // nothing listens there
  const tmp = scratch();
  const srv = await startServer(tmp.db, { config: {
    smtp_url: `smtp://127.0.0.1:${dead}`, smtp_from: 'noreply@city.example', smtp_tls: 'none',
    public_base_url: 'https://chat.city.example', mail_poll_secs: 0.2 } });
  try {
    const r = await Resident.hello(srv.base);
    r.send({ type: 'escalate', id: 'e1', text: '犬の登録について職員に聞きたい', notify_email: 'hanako@example.jp' });
    const tk = await r.next((m) => m.reply_to === 'e1');
    assert.equal(tk.type, 'ticket', 'the ticket stands whatever the mail does');
    const deadline = Date.now() + TIMEOUT;
    let shown = '';
    while (!/received pending（1回） \S/.test(shown)) {
      if (Date.now() > deadline) throw new Error(`no failed attempt recorded:\n${shown}`);
      await new Promise((res) => setTimeout(res, 100));   // poll the database for the delivery thread's result
      shown = await cli(['tickets', 'show', tk.ticket_no, '--db', tmp.db]);
    }
    assert.match(shown, /received pending（1回） .*(connect|Connection|refused)/i, 'the error says why');
    await r.close();
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
  const tmp2 = scratch();
  const plain = await startServer(tmp2.db);
  try {
    const r = await Resident.hello(plain.base);
    assert.equal(r.welcome.email_notice, false, 'no relay, no e-mail offered');
    r.send({ type: 'escalate', id: 'e1', text: '犬の登録', notify_email: 'hanako@example.jp' });
    const e = await r.next((m) => m.reply_to === 'e1');
    assert.equal(e.type, 'error');
    await r.close();
  } finally {
    await plain.stop();
    tmp2.cleanup();
  }
});
