// http.mjs — the HTTP side of `madoguchi serve`: POST /api/v1/ask and its
// errors, CORS, GET /healthz, static files (MIME types, no way out of the
// web root), the WebSocket upgrade checks (Origin, subprotocol, per-address
// cap) and a graceful stop on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { cli, findAnswered, post, Resident, scratch, skipReason, startServer } from './lib.mjs';

const CITY = 'https://www.city.saijo.ehime.jp';
const EVIL = 'https://evil.example';

/** Send raw request bytes and resolve to the status code of the reply. */
function rawStatus(port, request) {
  return new Promise((res, rej) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(request));
    let data = '';
    sock.on('data', (c) => {
      data += c.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      if (m) { res(Number(m[1])); sock.destroy(); }
    });
    sock.on('error', rej);
    sock.on('close', () => rej(new Error(`closed without a status: ${data}`)));
  });
}

test('HTTP API, static files and upgrade checks', { skip: skipReason }, async (t) => {
  const tmp = scratch();
  const srv = await startServer(tmp.db, { config: { allowed_origins: [CITY], max_msgs_per_sec: 100 } });
  try {
    await t.test('GET /healthz', async () => {
      const res = await fetch(`${srv.base}/healthz`);
      assert.equal(res.status, 200);
      const h = await res.json();
      assert.equal(h.status, 'ok');
      assert.equal(h.db, 'ok');
      assert.ok(h.faq_entries > 0);
    });

    await t.test('POST /api/v1/ask answers with the answer object', async () => {
      const found = await findAnswered(srv.base);
      const { status, headers, body } = await post(srv.base, '/api/v1/ask', { text: found.text });
      assert.equal(status, 200);
      assert.match(headers.get('content-type'), /^application\/json/);
      assert.match(headers.get('content-security-policy'), /default-src 'none'/);
      assert.equal(body.version, 1);
      assert.equal(body.decision, 'answer');
      assert.equal(body.faq_id, found.faq_id);
      assert.ok(body.answer.length > 0);
      assert.equal(typeof body.department, 'object');
      assert.ok(Array.isArray(body.candidates));
      const emergency = await post(srv.base, '/api/v1/ask', { text: '救急車を呼びたい' });
      assert.equal(emergency.body.rule?.kind, 'emergency');
    });

    await t.test('an answer published from the CLI is served at once', async () => {
      const q = { text: (await findAnswered(srv.base)).text };
      const before = (await post(srv.base, '/api/v1/ask', q)).body;
      assert.equal(before.decision, 'answer');
      const text = 'テスト用の新しい回答です。窓口で受け付けています。';
      await cli(['faq', 'edit', before.faq_id, '--answer', text, '--publish', '--db', tmp.db]);
      // The server notices on its 500 ms timer (PRAGMA data_version); poll
      // for the condition, within a bound.
      let after;
      for (let i = 0; i < 100; i++) {
        after = (await post(srv.base, '/api/v1/ask', q)).body;
        if (after.answer === text) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(after.answer, text);
    });

    await t.test('POST /api/v1/ask errors', async () => {
      const cases = [
        [{ body: 'not json' }, 400, 'bad_json'],
        [{ body: { question: 'x' } }, 400, 'missing_field'],
        [{ body: { text: 'あ'.repeat(1001) } }, 400, 'text_too_long'],
        [{ body: Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]) }, 400, 'bad_utf8'],
        [{ body: { text: 'こんにちは' }, contentType: 'text/plain' }, 415, null],
        [{ body: { text: 'x'.repeat(17 * 1024) } }, 413, 'frame_too_large'],
      ];
      for (const [req, wantStatus, wantCode] of cases) {
        const res = await post(srv.base, '/api/v1/ask', req.body, { contentType: req.contentType });
        assert.equal(res.status, wantStatus, JSON.stringify(res.body));
        assert.equal(typeof res.body.error?.message, 'string');
        if (wantCode) assert.equal(res.body.error.code, wantCode);
      }
      const get = await fetch(`${srv.base}/api/v1/ask`);
      assert.equal(get.status, 405);
    });

    await t.test('CORS follows allowed_origins', async () => {
      const ok = await post(srv.base, '/api/v1/ask', { text: '犬の登録' }, { headers: { origin: CITY } });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('access-control-allow-origin'), CITY);
      const bad = await post(srv.base, '/api/v1/ask', { text: '犬の登録' }, { headers: { origin: EVIL } });
      assert.equal(bad.status, 403);
      assert.equal(bad.headers.get('access-control-allow-origin'), null);
      const pre = await fetch(`${srv.base}/api/v1/ask`, {
        method: 'OPTIONS',
        headers: { origin: CITY, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      assert.equal(pre.status, 204);
      assert.match(pre.headers.get('access-control-allow-methods'), /POST/);
      assert.match(pre.headers.get('access-control-allow-headers'), /content-type/i);
    });

    await t.test('static files with their MIME types', async () => {
      const index = await fetch(`${srv.base}/`);
      assert.equal(index.status, 200);
      assert.match(index.headers.get('content-type'), /^text\/html/);
      assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
      // a CSP, but one that lets any city page embed the widget
      assert.match(index.headers.get('content-security-policy'), /default-src 'self'/);
      assert.doesNotMatch(index.headers.get('content-security-policy'), /frame-ancestors/);
      const js = await fetch(`${srv.base}/widget.js`);
      assert.equal(js.status, 200);
      assert.match(js.headers.get('content-type'), /^text\/javascript/);
      const css = await fetch(`${srv.base}/widget.css`);
      assert.match(css.headers.get('content-type'), /^text\/css/);
      assert.equal((await fetch(`${srv.base}/no-such-file.html`)).status, 404);
    });

    await t.test('no way out of the web root', async () => {
      for (const path of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/.git/config', '/..%2f..%2fetc/passwd']) {
        const status = await rawStatus(srv.port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
        assert.notEqual(status, 200, path);
      }
    });

    await t.test('WebSocket Origin must be allowed', async () => {
      const r = await Resident.connect(srv.base, { origin: CITY });
      await r.close();
      await assert.rejects(Resident.connect(srv.base, { origin: EVIL }), (e) => e.status === 403);
    });

    await t.test('only the madoguchi.v1 subprotocol, only at /ws', async () => {
      await assert.rejects(Resident.connect(srv.base, { protocol: 'chat' }), (e) => e.status === 400);
      await assert.rejects(Resident.connect(srv.base, { protocol: null }), (e) => e.status === 400);
      // lws knows the HTTP protocols by name too; they never speak WebSocket.
      for (const other of ['madoguchi-http', 'madoguchi-admin']) {
        await assert.rejects(Resident.connect(srv.base, { protocol: [other, 'madoguchi.v1'] }), (e) => e.status === 400);
      }
      const status = await rawStatus(srv.port, 'GET /other HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n' +
        'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Protocol: madoguchi.v1\r\n\r\n');
      assert.equal(status, 404);
    });
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});

test('same-origin default, limits per address, graceful stop', { skip: skipReason }, async (t) => {
  const tmp = scratch();
  const srv = await startServer(tmp.db, { config: { max_conns_per_ip: 3, max_msgs_per_sec: 2 } });
  try {
    await t.test('without allowed_origins only the page\'s own origin may connect', async () => {
      const r = await Resident.connect(srv.base, { origin: `http://127.0.0.1:${srv.port}` });
      await r.close();
      await assert.rejects(Resident.connect(srv.base, { origin: CITY }), (e) => e.status === 403);
    });

    await t.test('max_conns_per_ip → HTTP 429 on upgrade', async () => {
      const open = [];
      for (let i = 0; i < 3; i++) open.push(await Resident.connect(srv.base));
      await assert.rejects(Resident.connect(srv.base), (e) => e.status === 429);
      await open.pop().close();
      // The close is counted when the server sees it; retry until it has.
      let again;
      for (let i = 0; i < 50 && !again; i++) again = await Resident.connect(srv.base).catch(() => null);
      assert.ok(again, 'a slot frees when a connection closes');
      open.push(again);
      for (const r of open) await r.close();
    });

    await t.test('the HTTP API answers 429 when one address asks too fast', async () => {
      const statuses = [];
      for (let i = 0; i < 8; i++) statuses.push((await post(srv.base, '/api/v1/ask', { text: '犬の登録' })).status);
      assert.equal(statuses[0], 200);
      assert.ok(statuses.includes(429), statuses.join(','));
    });

    await t.test('SIGTERM: open chats are closed with 1001 and the server exits 0', async () => {
      const r = await Resident.hello(srv.base);
      const closed = r.closed();
      const { code } = await srv.stop('SIGTERM');
      assert.equal(code, 0);
      assert.equal((await closed).code, 1001);
      assert.match(srv.logs(), /"kind":"ws_close"/);
      assert.doesNotMatch(srv.logs(), /犬の登録/, 'no question text in the logs');
    });
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});

test('behind a trusted proxy the cap counts X-Forwarded-For addresses', { skip: skipReason }, async () => {
  const tmp = scratch();
  const srv = await startServer(tmp.db, { config: { trusted_proxy: '127.0.0.1', max_conns_per_ip: 1 } });
  try {
    const as = (ip) => ({ headers: { 'x-forwarded-for': `198.51.100.7, ${ip}` } });
    const a = await Resident.connect(srv.base, as('192.0.2.1'));
    const b = await Resident.connect(srv.base, as('192.0.2.2'));
    await assert.rejects(Resident.connect(srv.base, as('192.0.2.1')), (e) => e.status === 429);
    await a.close();
    await b.close();
    assert.match(srv.logs(), /"client":"192\.0\.2\.0\/24"/);
    assert.doesNotMatch(srv.logs(), /192\.0\.2\.1\b/, 'addresses are logged as networks only');
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
