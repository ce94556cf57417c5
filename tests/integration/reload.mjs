// SIGHUP re-reads dict/, the rules and the calendar while residents chat
// (issue 15, item 5): the next conversation gets the new texts, an open chat
// goes on, and a broken file is refused with its name and line while the
// running set stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resident, TIMEOUT, scratch, skipReason, startServer, topSrcdir } from './lib.mjs';

/** Resolve once the server's log has a line matching re after `from` characters. */
async function logLine(srv, re, from) {
  const until = Date.now() + TIMEOUT;
  for (;;) {
    const line = srv.logs().slice(from).split('\n').find((l) => re.test(l));
    if (line) return line;
    if (Date.now() > until) throw new Error(`no log line ${re} within ${TIMEOUT} ms:\n${srv.logs().slice(from)}`);
    await new Promise((r) => setTimeout(r, 25)); // polling the log for the event, not a guess at how long it takes
  }
}

test('SIGHUP: new texts for the next chat, open chats go on, a bad file is refused', { skip: skipReason }, async () => {
  const tmp = scratch();
  const dict = join(tmp.dir, 'dict');
  cpSync(join(topSrcdir, 'dict'), dict, { recursive: true });
  const srv = await startServer(tmp.db, { args: ['--dict', dict] });
  try {
    const a = await Resident.hello(srv.base);
    const before = a.welcome.greeting;
    assert.match(before, /西条市/);

    // a new greeting
    const file = join(dict, 'messages.json');
    const messages = JSON.parse(readFileSync(file, 'utf8'));
    messages.greeting = '（試験）あたらしいあいさつです。緊急の場合は119番へ。';
    writeFileSync(file, JSON.stringify(messages, null, 2));
    let mark = srv.logs().length;
    srv.proc.kill('SIGHUP');
    await logLine(srv, /reloaded dict\/, rules and calendar/, mark);
    const b = await Resident.hello(srv.base);
    assert.equal(b.welcome.greeting, messages.greeting, 'the next chat gets the new text');
    const answer = await a.ask('q1', '住民票の写しはどこで取れますか');
    assert.ok(['answer', 'clarify'].includes(answer.type), `the open chat goes on: ${answer.type}`);
    const fire = await b.ask('q2', '家が燃えてる！');
    assert.ok(JSON.stringify(fire).includes('119'), 'the safety layer was swapped whole and works');

    // a broken concept file: refused with its name and line, the running set stays
    const concept = join(dict, 'concepts', 'fire.txt');
    writeFileSync(concept, `${readFileSync(concept, 'utf8')}\n@nonsense\n`);
    mark = srv.logs().length;
    srv.proc.kill('SIGHUP');
    const refused = await logLine(srv, /reload refused/, mark);
    assert.match(refused, /fire\.txt:\d+/, `the file and line are named: ${refused}`);
    const c = await Resident.hello(srv.base);
    assert.equal(c.welcome.greeting, messages.greeting, 'the last good set keeps answering');
    const fire2 = await c.ask('q3', '家が燃えてる！');
    assert.ok(JSON.stringify(fire2).includes('119'), 'and the safety layer with it');
    const again = await a.ask('q4', '粗大ごみの出し方');
    assert.ok(['answer', 'clarify'].includes(again.type), 'the first chat is still open');
    for (const r of [a, b, c]) await r.close();
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
