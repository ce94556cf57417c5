// The server's logs (issue 15, item 6): JSON lines with a level, a request
// id that ties the lines of one request together, and no personal data —
// whatever residents and staff type, at the most talkative level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resident, addUser, post, scratch, skipReason, staffLogin, startServer } from './lib.mjs';

// What a resident or a staff member may type that must never reach a log.
const SECRETS = {
  phone: '090-4321-8765',
  mynumber: '123456789018',
  email: 'hanako.yamada@example.jp',
  address: '西条市明屋敷9999番地',
  name: '山田花子',
  password: 'correct horse battery staple 9',
};

const lines = (srv) => srv.logs().split('\n').filter(Boolean).map((l) => JSON.parse(l));

test('logs: levels, request ids, and no personal data', { skip: skipReason }, async () => {
  const tmp = scratch();
  await addUser(tmp.db, 'tanaka', 'staff', 'shimin', SECRETS.password);
  const srv = await startServer(tmp.db, { config: { log_level: 'debug' } });
  try {
    const r = await Resident.hello(srv.base);
    await r.ask('q1', `${SECRETS.name}です。電話は${SECRETS.phone}、マイナンバーは${SECRETS.mynumber}です。住民票がほしい`);
    await r.ask('q2', `${SECRETS.address}に住んでいます。メールは${SECRETS.email}`);
    r.send({ type: 'escalate', id: 'e1', text: `${SECRETS.name}の住民票について`, contact: SECRETS.phone });
    const tk = await r.next((m) => m.reply_to === 'e1');
    assert.equal(tk.type, 'ticket');
    await r.close();
    const staff = await staffLogin(srv.base, 'tanaka', SECRETS.password);
    const t = await staff.get(`/tickets/${tk.ticket_no}`);
    assert.equal(t.status, 200);
    assert.equal(t.body.ticket.contact, SECRETS.phone, 'staff see the contact (so it exists to leak)');
    assert.equal((await post(srv.base, '/api/v1/ask', { text: `電話${SECRETS.phone}で${SECRETS.name}が聞きます` })).status, 200);
    const badLogin = await fetch(`${srv.base}/api/v1/admin/login`, { method: 'POST',
      headers: { 'content-type': 'application/json', origin: srv.base },
      body: JSON.stringify({ login: 'tanaka', password: `${SECRETS.password}x` }) });
    assert.equal(badLogin.status, 401);
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
  const text = srv.logs();
  const all = lines(srv);
  assert.ok(all.length > 10, `the server logged (${all.length} lines)`);
  for (const [what, secret] of Object.entries(SECRETS)) assert.ok(!text.includes(secret), `no ${what} in the logs`);
  assert.ok(!/127\.0\.0\.1/.test(text), 'client addresses are reduced to their network');
  assert.ok(!/[0-9a-f]{32}/.test(text.replace(/"req":"[0-9a-f]{16}"/g, '')), 'no session id or token');

  // levels and request ids
  for (const l of all) assert.ok(['debug', 'info', 'warn', 'error'].includes(l.level), `a level on every line: ${JSON.stringify(l)}`);
  const debug = all.filter((l) => l.level === 'debug' && l.component === 'ws');
  assert.equal(debug.length, 4, 'debug: one line per chat message (hello, two questions, one escalation)');
  assert.deepEqual(debug.map((l) => l.message.split(' ')[0]), ['hello', 'ask', 'ask', 'escalate']);
  const ids = debug.map((l) => l.req);
  for (const id of ids) assert.match(id, /^[0-9a-f]{16}$/);
  assert.equal(new Set(ids).size, 4, 'each message has its own id');
  const ask = all.find((l) => l.kind === 'http' && l.path === '/api/v1/ask');
  assert.match(ask.req, /^[0-9a-f]{16}$/, 'the HTTP access line carries the request id');
  const admin = all.filter((l) => l.kind === 'admin');
  assert.ok(admin.length >= 3 && admin.every((l) => /^[0-9a-f]{16}$/.test(l.req)), 'so do the console\'s');
});

test('logs: log_level warn leaves out info and debug; a bad level is refused', { skip: skipReason }, async () => {
  const tmp = scratch();
  const srv = await startServer(tmp.db, { config: { log_level: 'warn' } });
  try {
    const r = await Resident.hello(srv.base);
    await r.ask('q1', '住民票がほしい');
    await r.close();
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
  const all = lines(srv);
  assert.equal(all.filter((l) => l.level === 'info' || l.level === 'debug').length, 0, JSON.stringify(all).slice(0, 300));
  const tmp2 = scratch();
  try {
    await assert.rejects(startServer(tmp2.db, { config: { log_level: 'verbose' } }), /log_level must be debug, info, warn or error/);
  } finally {
    tmp2.cleanup();
  }
});
