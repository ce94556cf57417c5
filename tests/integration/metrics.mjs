// metrics.mjs — Prometheus /metrics on its own listener (issue 15, item 3),
// against a real server: the chat port does not serve it; the metrics port
// does, in the text format 0.0.4; a resident's questions move exactly their
// counters and the answer-time histogram between two scrapes; an escalation
// shows as an open ticket of its department, a staff reply moves it to
// answered, feedback is counted; every line of the page parses and every
// family has HELP and TYPE. Nothing here waits a fixed time: each scrape
// follows the replies it is about.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, findAnswered, Resident, scratch, skipReason, startServer } from './lib.mjs';

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const NOWHERE = 'qwertyuiop';
// faster than any resident types; the rate limit has its own test
const config = { metrics_port: 0, max_msgs_per_sec: 100 };

/**
 * Parse a page of the text format 0.0.4. Returns { samples, help, type,
 * errors }: samples maps 'name{a="x",b="y"}' (labels sorted, values
 * unescaped) to a number; errors lists every line that is not a comment, a
 * HELP, a TYPE or a well-formed sample.
 */
function parse(text) {
  const samples = new Map();
  const help = new Map();
  const type = new Map();
  const errors = [];
  const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const sample = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`);
  const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(?:,|$)/;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let m;
    if ((m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line))) { help.set(m[1], m[2]); continue; }
    if ((m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line))) {
      if (type.has(m[1])) errors.push(`second TYPE: ${line}`);
      type.set(m[1], m[2]);
      continue;
    }
    if (line.startsWith('#')) { errors.push(`unknown comment: ${line}`); continue; }
    if (!(m = sample.exec(line))) { errors.push(`not a sample: ${line}`); continue; }
    const [, name, body = '', value] = m;
    const labels = [];
    let rest = body;
    while (rest.length) {
      const l = label.exec(rest);
      if (!l) { errors.push(`bad labels: ${line}`); break; }
      labels.push([l[1], l[2].replace(/\\(["\\n])/g, (_, c) => (c === 'n' ? '\n' : c))]);
      rest = rest.slice(l[0].length);
    }
    const v = value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : Number(value);
    if (value !== 'NaN' && Number.isNaN(v)) errors.push(`bad value: ${line}`);
    const key = `${name}{${labels.sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => `${k}=${JSON.stringify(x)}`).join(',')}}`;
    if (samples.has(key)) errors.push(`duplicate series: ${line}`);
    samples.set(key, v);
    // the family a sample belongs to must be described before its samples
    const family = type.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    if (!type.has(family) || !help.has(family)) errors.push(`no HELP/TYPE before: ${line}`);
    else if (family !== name && type.get(family) !== 'histogram' && type.get(family) !== 'summary') {
      errors.push(`suffix on a ${type.get(family)}: ${line}`);
    }
  }
  return { samples, help, type, errors };
}

/** The value of one series (labels as an object), 0 when the page lacks it. */
function value(page, name, labels = {}) {
  const key = `${name}{${Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => `${k}=${JSON.stringify(x)}`).join(',')}}`;
  return page.samples.get(key) ?? 0;
}

/** Every series of a family whose name is name, as [labels-key, value]. */
function series(page, name) {
  return [...page.samples].filter(([k]) => k.startsWith(`${name}{`));
}

async function scrape(srv) {
  const res = await fetch(`${srv.metricsBase}/metrics`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), CONTENT_TYPE);
  const page = parse(await res.text());
  assert.deepEqual(page.errors, [], 'every line of the page is well-formed');
  return page;
}

test('Prometheus /metrics on its own port', { skip: skipReason }, async (t) => {
  const tmp = scratch();
  const started = Date.now() / 1000;
  const srv = await startServer(tmp.db, { config });
  try {
    assert.ok(srv.metricsPort > 0 && srv.metricsPort !== srv.port, 'the metrics line names a port of its own');

    await t.test('the chat port does not serve /metrics; the metrics port serves nothing else', async () => {
      const main = await fetch(`${srv.base}/metrics`);
      assert.equal(main.status, 404);
      await main.arrayBuffer();
      for (const path of ['/', '/healthz', '/metrics/', '/api/v1/ask']) {
        const r = await fetch(`${srv.metricsBase}${path}`);
        assert.equal(r.status, 404, path);
        await r.arrayBuffer();
      }
      const post = await fetch(`${srv.metricsBase}/metrics`, { method: 'POST', body: 'x' });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET');
      await post.arrayBuffer();
    });

    await t.test('every family is there, described, of its type', async () => {
      const page = await scrape(srv);
      const want = {
        madoguchi_questions_total: 'counter',
        madoguchi_answer_seconds: 'histogram',
        madoguchi_open_connections: 'gauge',
        madoguchi_worker_queue_depth: 'gauge',
        madoguchi_tickets: 'gauge',
        madoguchi_feedback_total: 'counter',
        madoguchi_db_errors_total: 'counter',
        madoguchi_transcript_commits_total: 'counter',
        madoguchi_transcript_turns_total: 'counter',
        madoguchi_build_info: 'gauge',
        madoguchi_start_time_seconds: 'gauge',
      };
      for (const [name, type] of Object.entries(want)) {
        assert.equal(page.type.get(name), type, name);
        assert.ok(page.help.get(name)?.length > 0, `${name} has HELP`);
      }
      const version = (await cli(['--version'])).trim().replace(/^madoguchi /, '');
      assert.equal(value(page, 'madoguchi_build_info', { version }), 1);
      const start = value(page, 'madoguchi_start_time_seconds');
      assert.ok(start >= Math.floor(started) - 1 && start <= Date.now() / 1000 + 1, `start time ${start}`);
      assert.ok(Number.isInteger(value(page, 'madoguchi_worker_queue_depth')));
      assert.equal(value(page, 'madoguchi_db_errors_total'), 0);
    });

    await t.test('questions, answer time, tickets and feedback move by exactly what happened', async () => {
      // findAnswered asks through the HTTP API: those count too, so it goes first
      const { text: ANSWERED } = await findAnswered(srv.base);
      const before = await scrape(srv);

      const r = await Resident.hello(srv.base);
      const a = await r.ask('q1', ANSWERED);
      assert.equal(a.type, 'answer');
      const kind = a.rule?.kind ?? 'faq';
      const dept = a.department?.id;
      assert.ok(dept, 'the answer names its department');
      r.send({ type: 'escalate', id: 'e1' });   // the last question, to its department
      const tk = await r.next((m) => m.reply_to === 'e1');
      assert.equal(tk.type, 'ticket');
      const n = await r.ask('q2', NOWHERE);
      assert.equal(n.type, 'no_answer');
      r.send({ type: 'feedback', answer_id: a.answer_id, helpful: true });
      await r.next((m) => m.type === 'feedback_ok');

      const after = await scrape(srv);
      const delta = (name, labels) => value(after, name, labels) - value(before, name, labels);
      for (const [key] of series(after, 'madoguchi_questions_total')) {
        const want = key === `madoguchi_questions_total{decision="answer",kind=${JSON.stringify(kind)}}` ? 1
          : key === 'madoguchi_questions_total{decision="no_answer",kind="faq"}' ? 1 : 0;
        assert.equal(after.samples.get(key) - (before.samples.get(key) ?? 0), want, key);
      }
      assert.equal(delta('madoguchi_answer_seconds_count'), 2, 'the histogram timed both questions');
      const total = series(after, 'madoguchi_questions_total').reduce((s, [, v]) => s + v, 0);
      assert.equal(value(after, 'madoguchi_answer_seconds_count'), total, '_count equals every question counted');
      const buckets = series(after, 'madoguchi_answer_seconds_bucket').map(([, v]) => v);
      assert.ok(buckets.every((v, i) => i === 0 || v >= buckets[i - 1]), 'buckets are cumulative');
      assert.equal(value(after, 'madoguchi_answer_seconds_bucket', { le: '+Inf' }), value(after, 'madoguchi_answer_seconds_count'));
      assert.ok(delta('madoguchi_answer_seconds_sum') > 0);
      // both chat questions went through the transcript writer: one turn each,
      // in one or two transactions (the escalation's lines are written by its worker)
      assert.equal(delta('madoguchi_transcript_turns_total'), 2, 'two questions, two turns committed');
      const commits = delta('madoguchi_transcript_commits_total');
      assert.ok(commits >= 1 && commits <= 2, `commits ${commits}`);

      assert.equal(value(before, 'madoguchi_tickets', { department: dept, state: 'open' }), 0);
      assert.equal(value(after, 'madoguchi_tickets', { department: dept, state: 'open' }), 1, `open tickets of ${dept}`);
      assert.equal(value(after, 'madoguchi_tickets', { department: dept, state: 'answered' }), 0);
      assert.equal(value(after, 'madoguchi_tickets', { department: dept, state: 'overdue' }), 0, 'a ticket made now is not overdue');
      assert.equal(delta('madoguchi_feedback_total', { helpful: 'true' }), 1);
      assert.equal(delta('madoguchi_feedback_total', { helpful: 'false' }), 0);
      assert.equal(value(after, 'madoguchi_open_connections', { kind: 'chat' }), 1, 'our resident is connected');
      assert.equal(value(after, 'madoguchi_db_errors_total'), 0);

      // staff answer from the command line: the ticket is answered, no longer open
      await cli(['tickets', 'reply', tk.ticket_no, '担当課からの回答です。', '--db', tmp.db]);
      await r.next((m) => m.type === 'staff_reply');
      const replied = await scrape(srv);
      assert.equal(value(replied, 'madoguchi_tickets', { department: dept, state: 'open' }), 0);
      assert.equal(value(replied, 'madoguchi_tickets', { department: dept, state: 'answered' }), 1);
      await r.close();
    });

    await t.test('the HTTP API counts and times its answers too', async () => {
      const before = await scrape(srv);
      const res = await fetch(`${srv.base}/api/v1/ask`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: NOWHERE }),
      });
      assert.equal(res.status, 200);
      assert.equal((await res.json()).decision, 'no_answer');
      const after = await scrape(srv);
      const key = { decision: 'no_answer', kind: 'faq' };
      assert.equal(value(after, 'madoguchi_questions_total', key) - value(before, 'madoguchi_questions_total', key), 1);
      assert.equal(value(after, 'madoguchi_answer_seconds_count') - value(before, 'madoguchi_answer_seconds_count'), 1);
    });
  } finally {
    const stopped = await srv.stop();
    assert.equal(stopped.code, 0, `the server stops cleanly:\n${srv.logs().slice(-2000)}`);
    tmp.cleanup();
  }
});

test('metrics_port "off": no listener, no line', { skip: skipReason }, async () => {
  const tmp = scratch();
  const srv = await startServer(tmp.db, { config: { metrics_port: 'off' } });
  try {
    assert.equal(srv.metricsBase, null);
    const main = await fetch(`${srv.base}/metrics`);
    assert.equal(main.status, 404, 'and still none on the chat port');
    await main.arrayBuffer();
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
