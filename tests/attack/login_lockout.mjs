// login_lockout.mjs — F10: failing someone's password must not lock them
// out. Before the fix the 5th wrong password locked the account itself for
// 15 minutes, whoever sent it: anyone could lock any staff member out of the
// console. Now failures count per (login, client address): the address that
// failed is locked out of that account, the real user on another address is
// not.
//
// Real server, real HTTP clients on two loopback source addresses. Each
// failure is answered after the usual 1, 2, 3, 4 s delay, so the test takes
// about 11 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scratch, skipReason, startServer } from '../integration/lib.mjs';
import { addUser, loginFrom } from './lib.mjs';

const A = '127.0.0.2';   // the stranger
const B = '127.0.0.3';   // the real user

test('five wrong passwords from one address do not lock the account for another', { skip: skipReason, timeout: 60000 }, async () => {
  const tmp = scratch();
  await addUser(tmp.db, 'tanaka', 'supervisor', null, 'correct horse 1');
  const srv = await startServer(tmp.db);
  try {
    const seen = [];
    for (let i = 1; i <= 5; i++) {
      const r = await loginFrom(srv.base, A, 'tanaka', `wrong password ${i}`);
      seen.push(`${r.status} ${r.code}`);
      if (i < 5) {
        assert.equal(r.status, 401, `failure ${i} from A: ${seen}`);
        assert.ok(r.ms >= i * 1000 - 100, `failure ${i} was held ${i} s (${Math.round(r.ms)} ms)`);
      } else {
        assert.equal(r.status, 429, `the 5th failure locks A out: ${seen}`);
        assert.equal(r.code, 'rate_limited');
        assert.ok(r.retryAfter > 800 && r.retryAfter <= 900, `Retry-After ${r.retryAfter}`);
      }
    }
    // The real user, elsewhere, is not locked out (old code: 429, locked).
    const b = await loginFrom(srv.base, B, 'tanaka', 'correct horse 1');
    assert.equal(b.status, 200, `tanaka from B after five failures from A: ${b.status} ${b.code}`);
    // The stranger's address stays locked, even with the right password.
    const a = await loginFrom(srv.base, A, 'tanaka', 'correct horse 1');
    assert.equal(a.status, 429, `A is still locked: ${a.status} ${a.code}`);
    assert.equal(a.code, 'rate_limited');
    assert.ok(a.retryAfter > 0, 'with Retry-After');
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
