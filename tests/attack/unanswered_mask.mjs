// unanswered_mask.mjs — F9: personal numbers written the ways the masker
// used to miss (My Number with dots / 、, "No." + digits, phone with "/",
// card with dots, a bare 7-digit postcode) reached the transcript unmasked
// and every staff member saw them under GET /unanswered, a read that was not
// audited. The pattern table itself is in tests/t_mask.c; this test drives a
// real server: resident → transcript → staff console API → audit log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resident, scratch, skipReason, startServer } from '../integration/lib.mjs';
import { addUser, login } from './lib.mjs';

const SECRETS = [
  ['番号は1234.5678.9012 qwertyuiop', '1234.5678.9012'],
  ['1234、5678、9012 zxcvbnm', '1234、5678、9012'],
  ['No.123456789012 asdfghjkl', '123456789012'],
  ['090/1234/5678 qwertyuiop', '090/1234/5678'],
  ['4111.1111.1111.1111 poiuytrewq', '4111.1111.1111.1111'],
  ['郵便番号は7938601 lkjhgfdsa', '7938601'],
];

test('unanswered questions are masked for staff and every read is audited', { skip: skipReason }, async () => {
  const tmp = scratch();
  const srv = await startServer(tmp.db, { config: { max_msgs_per_sec: 100 } });
  try {
    await addUser(tmp.db, 'tanaka', 'staff', 'shimin', 'tanaka password');
    await addUser(tmp.db, 'sato', 'supervisor', null, 'sato password 1');
    const r = await Resident.hello(srv.base);
    for (const [i, [text]] of SECRETS.entries()) {
      const a = await r.ask(`s${i}`, text);
      assert.ok(['no_answer', 'answer', 'clarify'].includes(a.type), JSON.stringify(a));
    }
    await r.close();

    const staff = await login(srv.base, 'tanaka', 'tanaka password');
    const res = await staff('/unanswered?days=1');
    assert.equal(res.status, 200);
    const body = await res.text();
    for (const [, secret] of SECRETS) assert.ok(!body.includes(secret), `unmasked "${secret}" shown to staff: ${body.slice(0, 400)}`);

    const sup = await login(srv.base, 'sato', 'sato password 1');
    const audit = await (await sup('/audit?action=unanswered')).json();
    const rows = audit.audit ?? audit.entries ?? audit.rows ?? audit;
    assert.ok(Array.isArray(rows), JSON.stringify(audit).slice(0, 300));
    assert.ok(rows.some((e) => e.action === 'unanswered.read' && e.actor === 'tanaka'),
      `no unanswered.read by tanaka in ${JSON.stringify(audit).slice(0, 300)}`);
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
