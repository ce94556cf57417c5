// lib.mjs — helpers of the attack regressions (tests/attack/*.mjs) on top of
// tests/integration/lib.mjs: staff accounts through the CLI (password on
// stdin) and a logged-in console API client.
import assert from 'node:assert/strict';
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
