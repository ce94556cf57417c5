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

test('SIGHUP: the configuration file — pipeline keys at once, the rest named for a restart, a bad file refused', { skip: skipReason }, async () => {
  const tmp = scratch();
  const config = { answer_min: 0.75, log_level: 'info' };
  const srv = await startServer(tmp.db, { config });
  const path = `${tmp.db}.config.json`;
  try {
    const a = await Resident.hello(srv.base);
    const q = '住民票の写しはどこで取れますか';
    const first = await a.ask('q1', q);
    assert.equal(first.type, 'answer', `answered with the default thresholds: ${first.type}`);

    // answer_min beyond any confidence: nothing is answered outright any more
    writeFileSync(path, JSON.stringify({ ...config, answer_min: 1.5, max_pending_conns: 77 }));
    let mark = srv.logs().length;
    srv.proc.kill('SIGHUP');
    const applied = await logLine(srv, /"component":"config".*reloaded from/, mark);
    assert.match(applied, /answer_min/, `the new threshold is taken: ${applied}`);
    assert.doesNotMatch(applied, /max_pending_conns/, 'a start-only key is not claimed as applied');
    const restart = await logLine(srv, /"component":"config".*restart/, mark);
    assert.match(restart, /max_pending_conns/, `a start-only key is named for a restart: ${restart}`);
    const second = await a.ask('q2', q);
    assert.notEqual(second.type, 'answer', `the open chat uses the new threshold: ${second.type}`);

    // a broken file: refused with its place, the running values stay
    writeFileSync(path, '{"answer_min": 0.75,');
    mark = srv.logs().length;
    srv.proc.kill('SIGHUP');
    const refused = await logLine(srv, /reload refused/, mark);
    assert.ok(refused.includes(path), `the file is named: ${refused}`);
    assert.match(refused, /:\d+:\d+/, 'with line and column');
    const third = await a.ask('q3', q);
    assert.notEqual(third.type, 'answer', 'the last good configuration stays');

    // back to the first threshold: answered again
    writeFileSync(path, JSON.stringify(config));
    mark = srv.logs().length;
    srv.proc.kill('SIGHUP');
    await logLine(srv, /"component":"config".*reloaded from/, mark);
    const fourth = await a.ask('q4', q);
    assert.equal(fourth.type, 'answer', `answered again: ${fourth.type}`);
    await a.close();
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
