// readyz.mjs — F11: /healthz said ok while every write failed (a full
// disk: reads work). /readyz is the readiness check apart from liveness: a
// real write probe. The disk is filled on demand with the test hook
// test_db_full_file (docs/config.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratch, skipReason, startServer } from '../integration/lib.mjs';

async function get(base, path) {
  const r = await fetch(base + path);
  return { status: r.status, body: await r.json() };
}

test('/readyz fails while writes fail, /healthz stays live', { skip: skipReason }, async () => {
  const tmp = scratch();
  const full = join(tmp.dir, 'disk-is-full');
  const srv = await startServer(tmp.db, { config: { test_db_full_file: full } });
  try {
    assert.deepEqual(await get(srv.base, '/readyz'), { status: 200, body: { status: 'ok', db: 'ok' } });
    writeFileSync(full, '');
    for (let i = 0; i < 3; i++) { // both workers
      const r = await get(srv.base, '/readyz');
      assert.equal(r.status, 503);
      assert.equal(r.body.db, 'storage_full');
    }
    assert.equal((await get(srv.base, '/healthz')).status, 200, 'liveness is not readiness');
    rmSync(full);
    assert.equal((await get(srv.base, '/readyz')).status, 200);
    const post = await fetch(`${srv.base}/readyz`, { method: 'POST' });
    assert.equal(post.status, 405);
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
