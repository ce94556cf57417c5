// http_headers.mjs — F12: request headers over 4 KB were dropped without an
// answer (lws's default header buffer), and a request with two
// Content-Length headers was accepted — the lengths were even joined, the way
// requests are smuggled past a proxy that reads the other one. Now headers
// up to 16 KiB are parsed, more than 8 KiB of the headers lws knows (Cookie,
// User-Agent, Referer, …; others it keeps but cannot list) is answered 431,
// more than 16 KiB is still dropped by lws itself, and a
// second Content-Length is answered 400, on every entry: the API, the
// console, static files and the /ws upgrade. Raw TCP, so the bytes on the
// wire are exactly the attacker's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { scratch, skipReason, startServer } from '../integration/lib.mjs';

/** Send raw bytes; resolve to the status line's code (0 when the server closed without one). */
function raw(port, text) {
  return new Promise((res, rej) => {
    const c = net.connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => { c.destroy(); rej(new Error(`no answer: ${got.slice(0, 200)}`)); }, 10000);
    c.on('data', (d) => {
      got += d.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got);
      if (m && got.includes('\r\n\r\n')) { clearTimeout(timer); c.destroy(); res(Number(m[1])); }
    });
    c.on('close', () => { clearTimeout(timer); res(Number((/^HTTP\/1\.[01] (\d{3})/.exec(got) || [0, 0])[1])); });
    c.on('error', () => {});
    c.write(text);
  });
}

const pad = (n) => `X-Padding: ${'a'.repeat(n)}\r\n`;
const big = (n) => `Cookie: c=${'a'.repeat(n)}\r\n`;

test('431 for oversized headers and 400 for a second Content-Length, on every entry', { skip: skipReason }, async () => {
  const tmp = scratch();
  const srv = await startServer(tmp.db);
  try {
    const p = srv.port;
    // a normal request still works, with headers of 5 KB (dropped before)
    assert.equal(await raw(p, `GET /healthz HTTP/1.1\r\nHost: x\r\n${big(5000)}\r\n`), 200);
    assert.equal(await raw(p, `GET /healthz HTTP/1.1\r\nHost: x\r\n${pad(5000)}\r\n`), 200);
    // more than 8 KiB of headers: 431, on each kind of route
    for (const path of ['/healthz', '/api/v1/admin/me', '/index.html']) {
      assert.equal(await raw(p, `GET ${path} HTTP/1.1\r\nHost: x\r\n${big(10000)}\r\n`), 431, path);
    }
    assert.equal(await raw(p, 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
      + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n'
      + `Sec-WebSocket-Protocol: madoguchi.v1\r\n${big(10000)}\r\n`), 431, '/ws upgrade');
    // two Content-Length headers: 400, whatever their values
    const body = '{"text":"住民票"}';
    const len = Buffer.byteLength(body);
    for (const path of ['/api/v1/ask', '/api/v1/admin/login']) {
      assert.equal(await raw(p, `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n`
        + `Content-Length: ${len}\r\nContent-Length: ${len}\r\n\r\n${body}`), 400, path);
    }
    // one Content-Length is fine
    assert.equal(await raw(p, `POST /api/v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n`
      + `Content-Length: ${len}\r\n\r\n${body}`), 200);
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
