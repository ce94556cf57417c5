// lib_line.mjs — the test suite's stand-in of the LINE platform.
//
// LINE itself is out of reach from the test machines, so this plays both of
// its parts, in the formats of the Messaging API reference:
//  - the API the server calls (line_api_base points here): POST
//    /v2/bot/message/reply {replyToken, messages} and /v2/bot/message/push
//    {to, messages}, each with "Authorization: Bearer <channel access
//    token>". Calls with any other token are refused with 401 and counted,
//    as the platform would; every accepted call is recorded (with its
//    X-Line-Retry-Key). A reply token starting with "dead" is answered
//    400 "Invalid reply token", as an expired one is.
//  - the platform's webhooks: a body {destination, events: [...]} signed
//    with X-Line-Signature = base64(HMAC-SHA256(channel secret, body)),
//    computed here with node's crypto, independently of the server's
//    libsodium.
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { SLOW, TIMEOUT } from './lib.mjs';

export const SECRET = 'a3f1c2d4e5b60718293a4b5c6d7e8f90';   // 32 hex characters, as LINE issues them
export const TOKEN = 'stand-in-channel-access-token/' + 'x'.repeat(40) + '=';

/** base64(HMAC-SHA256(secret, body)). */
export function sign(body, secret = SECRET) {
  return createHmac('sha256', secret).update(body).digest('base64');
}

/** A LINE user id: "U" and 32 hex digits. */
export function userId() {
  return 'U' + randomBytes(16).toString('hex');
}

let seq = 0;
function base(type, user, { id, redelivery = false } = {}) {
  seq++;
  return {
    type, mode: 'active', timestamp: Date.now(),
    source: { type: 'user', userId: user },
    webhookEventId: id || `01HTEST${String(seq).padStart(8, '0')}${randomBytes(4).toString('hex').toUpperCase()}`,
    deliveryContext: { isRedelivery: redelivery },
    replyToken: randomBytes(16).toString('hex'),
  };
}

export function textEvent(user, text, opts) {
  return { ...base('message', user, opts), message: { type: 'text', id: String(Date.now()), quoteToken: 'q', text } };
}
export function postbackEvent(user, data, opts) {
  return { ...base('postback', user, opts), postback: { data } };
}
export function followEvent(user, opts) {
  return { ...base('follow', user, opts), follow: { isUnblocked: false } };
}
export function unfollowEvent(user, opts) {
  const e = base('unfollow', user, opts);
  delete e.replyToken;
  return e;
}

/** POST a webhook to the server; sig: true (correct), a string, or null (no header). */
export async function webhook(srvBase, events, { sig = true, path = '/line/webhook', secret = SECRET, raw } = {}) {
  const body = raw ?? JSON.stringify({ destination: 'Uffffffffffffffffffffffffffffffff', events });
  const headers = { 'content-type': 'application/json' };
  if (sig === true) headers['x-line-signature'] = sign(body, secret);
  else if (typeof sig === 'string') headers['x-line-signature'] = sig;
  const r = await fetch(srvBase + path, { method: 'POST', headers, body });
  return { status: r.status, body: await r.text() };
}

/** Start the API stand-in; resolves to { base, calls, refused, waitFor(pred, n), stop() }. */
export { SLOW };

export function startPlatform({ token = TOKEN, timeout = TIMEOUT } = {}) {
  const calls = [];
  const waiters = [];
  let refused = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const kind = req.url === '/v2/bot/message/reply' ? 'reply' : req.url === '/v2/bot/message/push' ? 'push' : null;
      if (req.method !== 'POST' || !kind) { res.writeHead(404).end('{}'); return; }
      if (req.headers.authorization !== `Bearer ${token}`) {
        refused++;
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Authentication failed"}');
        return;
      }
      let json = null;
      try { json = JSON.parse(body); } catch { /* recorded as null */ }
      calls.push({ kind, body: json, contentType: req.headers['content-type'], retryKey: req.headers['x-line-retry-key'] });
      // a reply token the platform no longer knows (they live about a minute)
      if (kind === 'reply' && String(json?.replyToken).startsWith('dead')) {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"Invalid reply token"}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }
      for (const w of [...waiters]) w();
    });
  });
  const waitFor = (pred, what = 'a call') => new Promise((resolve, reject) => {
    const check = () => {
      const hit = calls.find(pred);
      if (hit) { waiters.splice(waiters.indexOf(check), 1); clearTimeout(timer); resolve(hit); }
    };
    const timer = setTimeout(() => {
      waiters.splice(waiters.indexOf(check), 1);
      reject(new Error(`timed out waiting for ${what}; calls: ${JSON.stringify(calls).slice(0, 800)}`));
    }, timeout);
    waiters.push(check);
    check();
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ base: `http://127.0.0.1:${port}`, calls, get refused() { return refused; }, waitFor,
        stop: () => new Promise((r) => server.close(r)) });
    });
  });
}
