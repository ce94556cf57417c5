// conv.mjs — replays the golden conversations in tests/conv/*.txt (format in
// tests/conv/README.md) against a real server, one fresh server and database
// per file, and reports one TAP test point per expectation line, named
// "FILE:LINE <line>", so a failure says where to look.
//
// Turn-taking is that of a resident: a `>` line is sent only once the reply
// to the previous `>` line has arrived, and `<` lines check the server's
// messages strictly in the order they arrived (the welcome to the hello that
// opens every conversation is taken by the runner). Nothing sleeps; every
// wait is for a message, bounded by MG_TEST_TIMEOUT_MS.
//
// Run some files only: `node tests/integration/conv.mjs tests/conv/emergency.txt`.
import { test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resident, scratch, skipReason, startServer, TIMEOUT } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const convDir = resolve(process.env.top_srcdir || join(here, '..', '..'), 'tests', 'conv');
// Residents type slower than this replay; the rate limit has its own test (bad_input.mjs).
const config = { max_msgs_per_sec: 100 };

// ---- parsing ---------------------------------------------------------------

/** Split "a~x b=\"y z\"" into ["a~x", "b=y z"]: double quotes keep spaces. */
function words(s) {
  const out = [];
  const re = /(?:[^\s"]+|"(?:[^"\\]|\\.)*")+/g;
  for (const m of s.matchAll(re)) out.push(m[0].replace(/"((?:[^"\\]|\\.)*)"/g, (_, q) => q.replace(/\\(.)/g, '$1')));
  return out;
}

/**
 * One file into steps: { line, src, kind, ... }. kind is one of
 * send (msg built at run time by build(state)), expect (type, checks),
 * absent (text). Lines that do not parse become failing steps.
 */
function parse(text) {
  const steps = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const src = raw.replace(/\r$/, '');
    const s = src.trim();
    const step = (o) => steps.push({ line, src: s, ...o });
    let m;
    if (s === '' || s.startsWith('#')) return;
    if ((m = /^<!\s*(.+)$/.exec(s))) return step({ kind: 'absent', text: m[1] });
    if ((m = /^<\s*(\S+)\s*(.*)$/.exec(s))) {
      const checks = [];
      for (const w of words(m[2])) {
        const c = /^([\w.]+)(!~|=|~)(.*)$/s.exec(w);
        if (!c) return step({ kind: 'bad', why: `cannot read the check "${w}" (want path=value, path~value or path!~value)` });
        checks.push({ path: c[1], op: c[2], value: c[3] });
      }
      return step({ kind: 'expect', type: m[1], checks });
    }
    if ((m = /^>choose\s+(\d+)$/.exec(s))) {
      const n = Number(m[1]);
      return step({ kind: 'send', build: (st, id) => {
        const c = st.last('clarify');
        if (!c) throw new Error('>choose: no clarify so far');
        const ch = c.choices?.[n - 1];
        if (!ch) throw new Error(`>choose ${n}: the last clarify has ${c.choices?.length ?? 0} choices`);
        return { type: 'choose', id, faq_id: ch.faq_id };
      } });
    }
    if ((m = /^>feedback\s+(yes|no)(?:\s+(.+))?$/.exec(s))) {
      const [, yn, comment] = m;
      return step({ kind: 'send', build: (st) => {
        const a = st.last('answer');
        if (!a) throw new Error('>feedback: no answer so far');
        const msg = { type: 'feedback', answer_id: a.answer_id, helpful: yn === 'yes' };
        if (comment) msg.comment = comment;
        return msg;
      }, replyTo: (msg) => msg.answer_id });
    }
    if ((m = /^>escalate(?:\s+(.+))?$/.exec(s))) {
      const contact = m[1];
      return step({ kind: 'send', build: (st, id) => (contact ? { type: 'escalate', id, contact } : { type: 'escalate', id }) });
    }
    if ((m = /^>repeat\s+(\d+)\s+(\S+)$/.exec(s))) {
      const text = m[2].repeat(Number(m[1]));
      return step({ kind: 'send', build: (st, id) => ({ type: 'ask', id, text }) });
    }
    if (s === '>resume') return step({ kind: 'resume' });
    if ((m = /^>raw\s(.+)$/.exec(s))) {
      const frame = m[1];
      return step({ kind: 'send', raw: frame });
    }
    if ((m = /^>\s(.+)$/.exec(s))) {
      const text = m[1];
      return step({ kind: 'send', build: (st, id) => ({ type: 'ask', id, text }) });
    }
    step({ kind: 'bad', why: 'not a comment, `> …`, `>choose N`, `>feedback yes|no`, `>escalate`, `>repeat N S`, `>raw …`, `>resume`, `< TYPE …` or `<! …` line' });
  });
  return steps;
}

// ---- checking --------------------------------------------------------------

function at(obj, path) {
  return path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

function show(v) {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** null when msg meets the expectation, else why not. */
function mismatch(step, msg) {
  if (msg.type !== step.type) return `expected a ${step.type} message, got ${JSON.stringify(msg)}`;
  for (const { path, op, value } of step.checks) {
    const v = at(msg, path);
    const ok = op === '=' ? v !== undefined && show(v) === value
      : op === '~' ? v !== undefined && show(v).includes(value)
        : v === undefined || !show(v).includes(value);
    if (!ok) return `${path}${op}${value} does not hold: ${path} is ${v === undefined ? 'absent' : JSON.stringify(v)} in ${JSON.stringify(msg)}`;
  }
  return null;
}

// ---- replay ----------------------------------------------------------------

/** Resolves when pred() holds, re-checked on every message r receives. */
function until(r, pred, what) {
  return new Promise((res, rej) => {
    const timer = setTimeout(() => { done(); rej(new Error(`timed out after ${TIMEOUT} ms waiting for ${what}`)); }, TIMEOUT);
    const done = () => { clearTimeout(timer); r.waiters = r.waiters.filter((w) => w !== check); };
    const check = () => {
      if (pred()) { done(); res(); } else if (r.closeInfo) { done(); rej(new Error(`connection closed (${r.closeInfo.code}) while waiting for ${what}`)); }
    };
    r.waiters.push(check);
    check();
  });
}

/**
 * Replay one conversation. Each step that reports (expect, absent, bad) has
 * a promise in step.result that resolves to null (pass) or an Error; the
 * first failure that leaves the conversation out of step stops the replay
 * and fails the steps after it as "not reached".
 */
async function replay(file, steps) {
  const tmp = scratch();
  let srv;
  let r;
  const seen = [];   // messages taken from the inbox, in order (welcome first)
  const all = () => [...seen, ...(r ? r.inbox : [])];
  const state = { last: (type) => all().filter((m) => m.type === type).at(-1) };
  let sent = 0;
  let pending = null;   // what the previous `>` line waits for
  let stopped = null;
  try {
    srv = await startServer(tmp.db, { config });
    r = await Resident.hello(srv.base);
    seen.push(r.welcome);
    if (r.welcome.type !== 'welcome') throw new Error(`hello got ${JSON.stringify(r.welcome)}`);
    for (const step of steps) {
      if (stopped) { step.settle?.(new Error(`not reached: ${stopped}`)); continue; }
      try {
        if (step.kind === 'bad') {
          step.settle(new Error(`${file}:${step.line}: ${step.why}`));
        } else if (step.kind === 'send') {
          if (pending) await until(r, pending.pred, pending.what);
          const id = `${basename(file, '.txt')}:${step.line}`;
          const count = all().length;
          if (step.raw !== undefined) {
            r.sendRaw(step.raw);
            pending = { pred: () => all().length > count, what: `a reply to line ${step.line}` };
          } else {
            const msg = step.build(state, id);
            const replyTo = step.replyTo ? step.replyTo(msg) : id;
            r.send(msg);
            pending = { pred: () => all().some((m) => m.reply_to === replyTo), what: `the reply to line ${step.line} (reply_to ${replyTo})` };
          }
          sent++;
        } else if (step.kind === 'resume') {
          // Leave and come back on a new connection with the same session;
          // its welcome (history of the conversation) is the next message.
          if (pending) await until(r, pending.pred, pending.what);
          const session = seen[0].session;
          await r.close();
          r = await Resident.connect(srv.base);
          const count = all().length;
          r.send({ type: 'hello', session });
          pending = { pred: () => all().length > count, what: `the welcome back (line ${step.line})` };
        } else if (step.kind === 'expect') {
          const msg = await r.next().catch((e) => { throw new Error(`no ${step.type} message came: ${e.message}`); });
          seen.push(msg);
          const why = mismatch(step, msg);
          step.settle(why ? new Error(`${file}:${step.line}: ${why}`) : null);
        } else if (step.kind === 'absent') {
          // "So far" includes the reply to the last `>` line.
          if (pending) await until(r, pending.pred, pending.what);
          const hit = all().find((m) => JSON.stringify(m).includes(step.text));
          step.settle(hit ? new Error(`${file}:${step.line}: "${step.text}" was sent by the server in ${JSON.stringify(hit)}`) : null);
        }
      } catch (e) {
        stopped = `${file}:${step.line} failed: ${e.message}`;
        step.settle?.(new Error(stopped));
      }
    }
    if (!sent) throw new Error('the conversation sends nothing');
  } catch (e) {
    for (const step of steps) step.settle?.(new Error(`${file}: ${e.message}${srv ? `\nserver log:\n${srv.logs()}` : ''}`));
  } finally {
    if (r && !r.closeInfo) await r.close().catch(() => {});
    if (srv) await srv.stop();
    tmp.cleanup();
  }
}

// ---- test points -----------------------------------------------------------

const args = process.argv.slice(2).filter((a) => a.endsWith('.txt'));
const files = args.length ? args.map((a) => resolve(a))
  : readdirSync(convDir).filter((f) => f.endsWith('.txt')).sort().map((f) => join(convDir, f));

for (const path of files) {
  const file = basename(path);
  const steps = parse(readFileSync(path, 'utf8'));
  for (const step of steps) {
    if (!['expect', 'absent', 'bad'].includes(step.kind)) continue;
    step.result = new Promise((res) => { step.settle = (v) => { step.settle = null; res(v); }; });
  }
  let started = null;
  const run = () => (started ??= replay(file, steps));
  const points = steps.filter((s) => s.result);
  points.forEach((step, i) => {
    test(`${file}:${step.line} ${step.src}`, { skip: skipReason }, async () => {
      run();
      const err = await step.result;
      // The last point also waits for the server to stop before the next file starts.
      if (i === points.length - 1) await run();
      if (err) throw err;
    });
  });
}
