// The LINE channel (issue 17, item 1) against the suite's stand-in of the
// LINE platform (lib_line.mjs): signed webhooks in, reply and push calls
// out. Each test checks what a resident on LINE would see, and the database
// (sqlite3 CLI) for what was stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Resident, TIMEOUT, addUser, findAnswered, scratch, skipReason, staffLogin, startServer } from './lib.mjs';
import { SECRET, SLOW, TOKEN, followEvent, postbackEvent, sign, startPlatform, textEvent, unfollowEvent, userId,
  webhook } from './lib_line.mjs';

let platform, tmp, srv;

function sql(q) {
  // .timeout: the server writes too (WAL); wait for its lock instead of failing
  return new Promise((res, rej) => execFile('sqlite3', ['-cmd', '.timeout 5000', tmp.db, q], (err, out, stderr) =>
    err ? rej(new Error(`sqlite3: ${err.message} ${stderr}`)) : res(out.trim())));
}

async function metric(name) {
  const text = await (await fetch(`${srv.metricsBase}/metrics`)).text();
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

/** Send one event and wait for the reply call that answers it. */
async function ask(ev) {
  const r = await webhook(srv.base, [ev]);
  assert.equal(r.status, 200, `webhook accepted: ${r.body}`);
  return (await platform.waitFor((c) => c.kind === 'reply' && c.body?.replyToken === ev.replyToken,
    `the reply to ${ev.message?.text ?? ev.postback?.data}`)).body.messages;
}

before(async () => {
  if (skipReason) return;
  platform = await startPlatform();
  tmp = scratch();
  await addUser(tmp.db, 'kansa', 'supervisor', null, 'kansa password 1');
  srv = await startServer(tmp.db, { config: {
    line_channel_secret: SECRET, line_channel_access_token: TOKEN, line_api_base: platform.base,
    line_push_quota: 1 } });
});

after(async () => {
  if (srv) await srv.stop();
  if (platform) await platform.stop();
  if (tmp) tmp.cleanup();
});

test('a signed text webhook gets the answer the widget gets, by the reply API with the token', { skip: skipReason }, async () => {
  const q = await findAnswered(srv.base);
  const r = await Resident.hello(srv.base);
  const ws = await r.ask('a1', q.text);
  await r.close();
  assert.equal(ws.type, 'answer');

  const user = userId();
  const msgs = await ask(textEvent(user, q.text));
  assert.equal(msgs[0].type, 'text');
  assert.ok(msgs[0].text.includes(ws.answer), `the widget's answer text is in the LINE reply: ${msgs[0].text}`);
  assert.ok(msgs[0].text.includes(ws.department.name), 'with the department');
  // the transcript of the LINE user's session holds the same decision and entry
  const row = await sql(`SELECT m.decision || ' ' || m.faq_id FROM message m JOIN line_session l ON l.session_id = m.session_id
    JOIN line_user u ON u.id = l.user_id WHERE u.user_id_raw = '${user}' AND m.role = 'bot' ORDER BY m.id DESC LIMIT 1`);
  assert.equal(row, `answer ${ws.faq_id}`);
  assert.equal(platform.refused, 0, 'every call carried the channel access token');
  assert.ok(!srv.logs().includes(user), 'the raw LINE user id is never logged');
  assert.ok(!srv.logs().includes(TOKEN) && !srv.logs().includes(SECRET), 'nor the token or the secret');
});

test('a bad or missing signature → 401, nothing stored, no reply; malformed JSON → 400', { skip: skipReason }, async () => {
  const counts = 'SELECT (SELECT count(*) FROM line_event) || \' \' || (SELECT count(*) FROM line_user) || \' \' || (SELECT count(*) FROM message) || \' \' || (SELECT count(*) FROM outbox)';
  const beforeCounts = await sql(counts);
  const user = userId();
  const bad = [textEvent(user, '住民票はどこで取れますか'), textEvent(user, 'ごみの出し方'), textEvent(user, 'パスポート')];
  assert.equal((await webhook(srv.base, [bad[0]], { sig: null })).status, 401, 'no signature');
  assert.equal((await webhook(srv.base, [bad[1]], { sig: sign('{"events":[]}') })).status, 401, 'a signature of another body');
  const body = JSON.stringify({ destination: 'U0', events: [bad[2]] });
  assert.equal((await webhook(srv.base, null, { raw: body, sig: sign(body, 'another channel secret') })).status, 401,
    'signed with another secret');
  assert.equal((await webhook(srv.base, null, { raw: body, sig: 'not base64!!' })).status, 401, 'garbage');
  assert.equal((await webhook(srv.base, null, { raw: '{"events": [', sig: sign('{"events": [') })).status, 400,
    'signed but not JSON');
  assert.equal((await webhook(srv.base, null, { raw: '{"events": 1}', sig: sign('{"events": 1}') })).status, 400,
    'signed JSON that is not a webhook');
  assert.equal((await webhook(srv.base, [])).status, 200, 'the console\'s verify request (no events) is fine');
  // a good event after them is answered; the bad ones never are
  const good = textEvent(userId(), 'ごみの出し方');
  await ask(good);
  for (const e of bad) assert.ok(!platform.calls.some((c) => c.body?.replyToken === e.replyToken), 'no reply to a refused webhook');
  const [ev, users, , ] = (await sql(counts)).split(' ').map(Number);
  const [ev0, users0] = beforeCounts.split(' ').map(Number);
  assert.equal(ev, ev0 + 1, 'only the good event was remembered');
  assert.equal(users, users0 + 1, 'only its user was stored');
  assert.equal(await sql(`SELECT count(*) FROM line_user WHERE user_id_raw = '${user}'`), '0');
});

test('a redelivered event is answered once', { skip: skipReason }, async () => {
  const user = userId();
  const ev = textEvent(user, 'パスポートの申請はどこでできますか？');
  await ask(ev);
  const again = { ...ev, replyToken: 'b'.repeat(32), deliveryContext: { isRedelivery: true } };
  assert.equal((await webhook(srv.base, [again])).status, 200);
  assert.equal((await webhook(srv.base, [{ ...again, replyToken: 'c'.repeat(32) }])).status, 200, 'and once more');
  await ask(textEvent(user, '犬の登録はどこでできますか'));   // a later event is answered: the first two were seen
  assert.equal(platform.calls.filter((c) => c.body?.replyToken === ev.replyToken).length, 1);
  assert.ok(!platform.calls.some((c) => [again.replyToken, 'c'.repeat(32)].includes(c.body?.replyToken)),
    'the redeliveries got no reply');
  assert.equal(await sql(`SELECT count(*) FROM message m JOIN line_session l ON l.session_id = m.session_id
    JOIN line_user u ON u.id = l.user_id WHERE u.user_id_raw = '${user}' AND m.role = 'resident'`), '2',
  'the question was stored once');
});

test('clarify → quick-reply buttons; choosing one answers that entry', { skip: skipReason }, async () => {
  const user = userId();
  const r = await Resident.hello(srv.base);
  const ws = await r.ask('c1', '住民票');
  await r.close();
  assert.equal(ws.type, 'clarify', 'the widget asks back too');
  const msgs = await ask(textEvent(user, '住民票'));
  const items = msgs.at(-1).quickReply?.items ?? [];
  const choices = items.filter((i) => i.action.data.startsWith('choose='));
  assert.deepEqual(choices.map((i) => i.action.data.slice(7)), ws.choices.map((c) => c.faq_id),
    'one button per choice, in order');
  for (const i of items) {
    assert.equal(i.type, 'action');
    assert.equal(i.action.type, 'postback');
    assert.ok([...i.action.label].length <= 20, `a label LINE accepts: ${i.action.label}`);
  }
  assert.ok(items.some((i) => i.action.data === 'escalate' && i.action.label === '職員に相談する'), 'a person is offered');
  const pick = choices[1] ?? choices[0];
  const ans = await ask(postbackEvent(user, pick.action.data));
  assert.equal(ans[0].type, 'text');
  assert.equal(await sql(`SELECT m.faq_id FROM message m JOIN line_session l ON l.session_id = m.session_id
    JOIN line_user u ON u.id = l.user_id WHERE u.user_id_raw = '${user}' AND m.role = 'bot' ORDER BY m.id DESC LIMIT 1`),
  pick.action.data.slice(7), 'the chosen entry was answered');
});

test('an emergency → the card with a tel: button for the right number', { skip: skipReason }, async () => {
  const msgs = await ask(textEvent(userId(), '家が火事です'));
  const card = msgs.find((m) => m.type === 'template');
  assert.ok(card, `a template message: ${JSON.stringify(msgs)}`);
  assert.equal(card.template.type, 'buttons');
  assert.deepEqual(card.template.actions.map((a) => [a.type, a.uri]), [['uri', 'tel:119']]);
  assert.ok(card.altText.length > 0 && [...card.template.text].length <= 160);
  assert.ok(msgs[0].text.includes('119'));
  assert.ok(!(msgs[0].quickReply?.items ?? []).some((i) => i.action.data === 'escalate'), 'no hand-off before the call');
});

test('follow → greeting; escalation → ticket; staff reply → push to the same user; quota in /metrics; erase', { skip: skipReason }, async () => {
  const user = userId();
  const hi = await ask(followEvent(user));
  assert.match(hi[0].text, /西条市/);

  const na = await ask(textEvent(user, '宇宙旅行の補助金はありますか'));
  assert.ok(na[0].quickReply.items.some((i) => i.action.data === 'escalate'), 'no_answer offers a person');
  const tk = await ask(postbackEvent(user, 'escalate'));
  const ticketNo = /T-\d{8}-\d{4}/.exec(tk[0].text)?.[0];
  assert.ok(ticketNo, `a ticket number in the reply: ${tk[0].text}`);
  assert.match(await sql(`SELECT question FROM ticket WHERE ticket_no = '${ticketNo}'`), /宇宙旅行/);

  const pushesBefore = await metric('madoguchi_line_pushes_month');
  assert.equal(await metric('madoguchi_line_push_quota'), 1);
  const staff = await staffLogin(srv.base, 'kansa', 'kansa password 1');
  const reply = '宇宙旅行への補助制度はありません。ご了承ください。';
  assert.equal((await staff.post(`/tickets/${ticketNo}/reply`, { text: reply })).status, 200);
  const push = await platform.waitFor((c) => c.kind === 'push' && c.body.to === user, 'the push of the staff reply');
  assert.ok(push.body.messages[0].text.includes(reply) && push.body.messages[0].text.includes(ticketNo));
  assert.equal(push.contentType, 'application/json');
  assert.match(push.retryKey ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    'a push carries a retry key (a UUID), so a retried push is not shown twice');
  // the push is counted once the platform has answered it, a moment after the
  // stand-in saw the request: look again until it is, or the deadline passes
  let pushes = await metric('madoguchi_line_pushes_month');
  for (const end = Date.now() + TIMEOUT; pushes !== pushesBefore + 1 && Date.now() < end;) {
    await new Promise((r) => setTimeout(r, 20));
    pushes = await metric('madoguchi_line_pushes_month');
  }
  assert.equal(pushes, pushesBefore + 1, 'the push was counted');

  // the month's quota (1) is spent: the next push is held where staff see it
  assert.equal((await staff.post(`/tickets/${ticketNo}/reply`, { text: '追記です。' })).status, 200);
  let held = 0;
  for (let i = 0; i < 100 * SLOW && held === 0; i++) {
    held = await metric('madoguchi_line_pushes_held');
    if (!held) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(held, 1, 'one push held');
  const view = await staff.get(`/tickets/${ticketNo}`);
  assert.ok(view.body.ticket.notices.some((n) => n.kind === 'line_push' && n.state === 'held' && /quota/.test(n.last_error)),
    `the console shows the held push: ${JSON.stringify(view.body.ticket.notices)}`);
  assert.ok(!JSON.stringify(view.body).includes(user), 'the console never sees the LINE user id');
  assert.equal(platform.calls.filter((c) => c.kind === 'push').length, 1, 'nothing pushed over the quota');
  const stats = await staff.get('/stats');
  assert.deepEqual(stats.body.line, { pushes_month: pushesBefore + 1, push_quota: 1, pushes_held: 1 },
    'the console\'s statistics show the month\'s pushes and the held one');

  // the personal-information action erases the raw id and the held push
  assert.equal((await staff.post('/privacy/erase', { ticket_no: ticketNo })).status, 200);
  assert.equal(await sql(`SELECT count(*) FROM line_user WHERE user_id_raw = '${user}'`), '0');
  assert.equal(await sql(`SELECT count(*) FROM outbox WHERE channel = 'line' AND state = 'held'`), '0');

  assert.equal((await webhook(srv.base, [unfollowEvent(userId())])).status, 200, 'unfollow of an unknown user: fine');
  assert.equal(platform.refused, 0);
});

test('a reply LINE refuses for good (an expired token) fails at once, without retries', { skip: skipReason }, async () => {
  const ev = { ...textEvent(userId(), '犬の登録はどこでできますか'), replyToken: 'dead' + 'e'.repeat(28) };
  assert.equal((await webhook(srv.base, [ev])).status, 200);
  await platform.waitFor((c) => c.body?.replyToken === ev.replyToken, 'the refused reply');
  let row = '';
  for (let i = 0; i < 100 * SLOW && !row.startsWith('failed'); i++) {
    row = await sql(`SELECT state || ' ' || attempts || ' ' || (payload IS NULL) FROM outbox WHERE recipient = '${ev.replyToken}'`);
    if (!row.startsWith('failed')) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(row, 'failed 1 1', 'failed after one attempt, its messages erased');
});

test('an expired session: the next message starts a new one; a staff reply to the old ticket still reaches the user; unfollow stops pushes', { skip: skipReason }, async () => {
  const user = userId();
  await ask(textEvent(user, '火星移住の相談窓口はありますか'));
  const tk = await ask(postbackEvent(user, 'escalate'));
  const ticketNo = /T-\d{8}-\d{4}/.exec(tk[0].text)?.[0];
  assert.ok(ticketNo, tk[0].text);
  const first = await sql(`SELECT session_id FROM line_user WHERE user_id_raw = '${user}'`);
  // the session ends (as session_ttl_hours would end it)
  await sql(`UPDATE session SET expires_at = '2000-01-01T00:00:00Z' WHERE id = '${first}'`);
  await ask(textEvent(user, 'パスポートの申請はどこでできますか？'));
  const second = await sql(`SELECT session_id FROM line_user WHERE user_id_raw = '${user}'`);
  assert.notEqual(second, first, 'a new session');
  assert.equal(await sql(`SELECT count(*) FROM line_session l JOIN line_user u ON u.id = l.user_id WHERE u.user_id_raw = '${user}'`),
    '2', 'both sessions belong to the user');
  // an earlier test spent the quota of 1: start the month's count again
  await sql(`DELETE FROM line_push_month`);
  const staff = await staffLogin(srv.base, 'kansa', 'kansa password 1');
  assert.equal((await staff.post(`/tickets/${ticketNo}/reply`, { text: '火星への移住の相談は受け付けていません。' })).status, 200);
  const push = await platform.waitFor((c) => c.kind === 'push' && c.body.to === user, 'the push to the old ticket\'s user');
  assert.match(push.body.messages[0].text, /火星/);

  // blocked: a later staff reply is not pushed, and fails for good at once
  assert.equal((await webhook(srv.base, [unfollowEvent(user)])).status, 200);
  await sql(`DELETE FROM line_push_month`);
  const pushes = platform.calls.filter((c) => c.kind === 'push').length;
  assert.equal((await staff.post(`/tickets/${ticketNo}/reply`, { text: '追記です。' })).status, 200);
  let state = '';
  for (let i = 0; i < 100 * SLOW && !state.startsWith('failed'); i++) {
    state = await sql(`SELECT o.state || ' ' || o.attempts FROM outbox o JOIN ticket t ON t.id = o.ticket_id
      WHERE t.ticket_no = '${ticketNo}' ORDER BY o.id DESC LIMIT 1`);
    if (!state.startsWith('failed')) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(state, 'failed 1', 'not retried for a user who blocked the account');
  assert.equal(platform.calls.filter((c) => c.kind === 'push').length, pushes, 'nothing pushed');
});

test('a user who writes faster than max_msgs_per_sec is answered for the burst only; others are not held up', { skip: skipReason }, async () => {
  const flooder = userId();
  const flood = Array.from({ length: 16 }, (_, i) => textEvent(flooder, `ごみの出し方 ${i}`));
  const other = textEvent(userId(), '犬の登録はどこでできますか');
  // one webhook: its events are handled in order, the other user's last
  assert.equal((await webhook(srv.base, [...flood, other])).status, 200);
  await platform.waitFor((c) => c.body?.replyToken === other.replyToken, 'the other user\'s reply');
  const answered = flood.filter((e) => platform.calls.some((c) => c.body?.replyToken === e.replyToken)).length;
  assert.ok(answered >= 5 && answered <= 10, `a burst of twice max_msgs_per_sec (5) is answered, the rest dropped: ${answered}`);
});

test('one pipeline: for answers, choices, refusals and emergencies LINE decides as the widget does', { skip: skipReason }, async () => {
  const questions = ['粗大ごみはどうやって出せばよいですか？', '住民票', 'マイナンバーカードの受け取りはどうすればよいですか？',
    '家が火事です', '今日の天気は？', '宇宙旅行の補助金はありますか', 'ありがとう'];
  for (const text of questions) {
    const r = await Resident.hello(srv.base);
    const ws = await r.ask('q', text);
    await r.close();
    const user = userId();
    await ask(textEvent(user, text));
    const line = await sql(`SELECT coalesce(m.decision, '') || '|' || coalesce(m.faq_id, '') || '|' || coalesce(m.rule_kind, '')
      FROM message m JOIN line_session l ON l.session_id = m.session_id JOIN line_user u ON u.id = l.user_id
      WHERE u.user_id_raw = '${user}' AND m.role = 'bot' ORDER BY m.id DESC LIMIT 1`);
    const widget = `${ws.type === 'answer' ? 'answer' : ws.type}|${ws.faq_id ?? ''}|${ws.rule?.kind ?? ''}`;
    assert.equal(line, widget, `${text}: LINE ${line}, widget ${widget}`);
  }
});
