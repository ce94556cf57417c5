// lib.mjs — helpers of the attack regressions (tests/attack/*.mjs) on top of
// tests/integration/lib.mjs: staff accounts through the CLI (password on
// stdin), a logged-in console API client, and logins from chosen loopback
// source addresses (one process playing several clients).
import assert from 'node:assert/strict';
import http from 'node:http';
import { MADOGUCHI } from '../integration/lib.mjs';
export { addUser } from '../integration/lib.mjs';


/** Log in; resolves to get(path) → fetch Response for GET /api/v1/admin{path}. */
export async function login(base, user, password) {
  const r = await fetch(`${base}/api/v1/admin/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: user, password }),
  });
  assert.equal(r.status, 200, `login ${user}: ${await r.text()}`);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  return (path) => fetch(`${base}/api/v1/admin${path}`, { headers: { cookie } });
}

/**
 * POST /api/v1/admin/login from a chosen loopback source address (127.0.0.2,
 * 127.0.0.3, … all reach a server on 127.0.0.1), so one test can play
 * several clients. Resolves to { status, code, retryAfter, ms } — ms from
 * sending to the end of the answer.
 */
export function loginFrom(base, localAddress, user, password) {
  const url = new URL(`${base}/api/v1/admin/login`);
  const body = JSON.stringify({ login: user, password });
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (r) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (c) => { text += c; });
      r.on('end', () => {
        let code = null;
        try { code = JSON.parse(text).error?.code ?? null; } catch { /* not JSON */ }
        const ra = r.headers['retry-after'];
        res({ status: r.statusCode, code, retryAfter: ra === undefined ? null : Number(ra), ms: performance.now() - t0 });
      });
      r.on('error', rej);
    });
    req.on('error', rej);
    req.end(body);
  });
}

/** The q-quantile (0…1) of numbers xs. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
}
