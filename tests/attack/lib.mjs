// lib.mjs — helpers of the attack regressions (tests/attack/*.mjs) on top of
// tests/integration/lib.mjs: staff accounts through the CLI (password on
// stdin) and a logged-in console API client.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { MADOGUCHI } from '../integration/lib.mjs';

/** `madoguchi user add` with the password on stdin (never in argv). */
export function addUser(db, login, role, dept, password) {
  const args = ['user', 'add', login, '--name', `${login}さん`, '--role', role, '--db', db];
  if (dept) args.push('--department', dept);
  return new Promise((res, rej) => {
    const p = spawn(MADOGUCHI, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c) => { out += c; });
    p.stderr.on('data', (c) => { out += c; });
    p.on('exit', (code) => (code === 0 ? res(out) : rej(new Error(`user add ${login}: ${out}`))));
    p.stdin.end(`${password}\n`);
  });
}

/** Log in; resolves to get(path) → fetch Response for GET /api/v1/admin{path}. */
export async function login(base, user, password) {
  const r = await fetch(`${base}/api/v1/admin/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: user, password }),
  });
  assert.equal(r.status, 200, `login ${user}: ${await r.text()}`);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  return (path) => fetch(`${base}/api/v1/admin${path}`, { headers: { cookie } });
}
