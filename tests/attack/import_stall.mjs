// import_stall.mjs — F13: a large FAQ import held SQLite's write lock in one
// transaction while MeCab indexed every row, so each resident's transcript
// line waited behind it: 20,000 rows stalled every chat for 6.9 s. Imports
// are now written in short transactions (faq/io_chunked.c) with an undo
// journal that keeps them all or nothing.
//
// Measured here: while a staff member imports a few thousand rows through the
// console, a resident keeps asking; the longest wait for one answer must be a
// small part of the import's duration (before the fix it was all of it), and
// the import still lands whole. Relative, not absolute, so a slow CI machine
// does not make it flaky; MG_ATTACK_LONG=1 imports 20,000 rows and prints the
// figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANSWERABLE, Resident, scratch, skipReason, startServer } from '../integration/lib.mjs';
import { addUser } from './lib.mjs';

const LONG = process.env.MG_ATTACK_LONG === '1';
const ROWS = LONG ? 20000 : 4000;

function bigCsv(n) {
  const lines = ['ID,質問,回答,担当部署ID,公開状態'];
  const answer = '窓口は本庁一階の市民課です。平日の八時半から十七時十五分まで受け付けています。必要なものは本人確認書類と印鑑です。'
    + '郵送でも受け付けていますので、詳しくは担当課にお問い合わせください。（サンプル）';
  for (let i = 0; i < n - 1; i++) lines.push(`bulk-${i},大量登録のテスト用の質問その${i}について教えてください,${answer}${i},shimin,公開`);
  lines.push(`bulk-last,ペンギンを庭で飼うための許可はどこで申請しますか,${answer},shimin,公開`);
  return lines.join('\n') + '\n';
}

test('a large import does not stall residents, and lands whole', { skip: skipReason, timeout: LONG ? 600_000 : 120_000 }, async () => {
  const tmp = scratch();
  const srv = await startServer(tmp.db, { config: { max_msgs_per_sec: 1000, workers: 2 } });
  try {
    await addUser(tmp.db, 'kanri', 'admin', null, 'kanri password 1');
    const lr = await fetch(`${srv.base}/api/v1/admin/login`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: srv.base },
      body: JSON.stringify({ login: 'kanri', password: 'kanri password 1' }),
    });
    assert.equal(lr.status, 200);
    const cookie = lr.headers.get('set-cookie').split(';')[0];
    const { csrf } = await lr.json();

    const r = await Resident.hello(srv.base);
    let importing = true, asked = 0, maxWait = 0;
    const resident = (async () => {
      while (importing) {
        const t0 = performance.now();
        const m = await r.ask(`q${asked}`, ANSWERABLE[asked % ANSWERABLE.length]);
        maxWait = Math.max(maxWait, performance.now() - t0);
        assert.equal(m.type === 'error' ? m.code : 'ok', 'ok', JSON.stringify(m));
        asked++;
        await new Promise((res) => setTimeout(res, 20));   // a resident's pace (load shape), under max_msgs_per_sec
      }
    })();
    const t0 = performance.now();
    const res = await fetch(`${srv.base}/api/v1/admin/import`, {
      method: 'POST', headers: { 'content-type': 'text/csv', cookie, 'x-csrf-token': csrf, origin: srv.base },
      body: bigCsv(ROWS),
    });
    const took = performance.now() - t0;
    importing = false;
    await resident;
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.report.added, ROWS);
    console.log(`# ${ROWS} rows imported in ${took.toFixed(0)} ms; a resident asked ${asked} times meanwhile, ` +
      `longest wait ${maxWait.toFixed(0)} ms`);
    assert.ok(asked >= 5, `the resident got only ${asked} answers during the import`);
    assert.ok(maxWait < took / 3, `a resident waited ${maxWait.toFixed(0)} ms of the import's ${took.toFixed(0)} ms`);

    // the import is whole: a question of the last row is found
    const last = await r.ask('last', 'ペンギンを庭で飼う許可の申請');
    assert.equal(last.type, 'answer', JSON.stringify(last));
    assert.equal(last.faq_id, 'bulk-last');
    await r.close();
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
