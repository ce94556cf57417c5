// lib.mjs — helpers of the integration tests (tests/integration/*.mjs).
//
// Each test starts a real `madoguchi serve --db TMP --port 0 --metrics-port 0`
// and waits for its lines "madoguchi: listening on http://ADDR:PORT/" and
// "madoguchi: metrics on http://ADDR:PORT/metrics" on stdout; nothing waits a
// fixed time. Residents are real WebSocket clients (npm `ws`) that
// speak madoguchi.v1; `next(pred)` waits for the first message that matches
// instead of assuming an order the protocol does not promise.
//
// Environment (set by `make check`, see AM_TESTS_ENVIRONMENT): MADOGUCHI is
// the binary under test. Only loopback addresses are used.
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const topSrcdir = resolve(process.env.top_srcdir || join(here, '..', '..'));
export const MADOGUCHI = process.env.MADOGUCHI || join(topSrcdir, 'madoguchi');
// sanitizer builds run 5-15x slower, and CI runs two such tests at once
// (scripts/sanitize.sh sets MG_SANITIZER): every deadline scales
export const SLOW = process.env.MG_SANITIZER ? 4 : 1;
export const TIMEOUT = Number(process.env.MG_TEST_TIMEOUT_MS || 15000) * SLOW;

// The WebSocket client comes from npm (package.json, `npm ci`); without it
// the tests skip (TAP "# SKIP") rather than fail, e.g. in `make distcheck`.
let WebSocket = null;
try {
  WebSocket = (await import('ws')).default;
} catch {
  WebSocket = null;
}
/** Why these tests cannot run here, or false (pass as node:test's `skip`). */
export const skipReason = !WebSocket ? 'npm package ws not installed (run npm ci)'
  : !existsSync(MADOGUCHI) ? `no madoguchi binary at ${MADOGUCHI}` : false;

/**
 * The sample FAQ with the English versions of the entries ids taken out,
 * written into dir; its path, for the configuration key sample_path. Every
 * sample entry has an English version (all 193), so a test of what a resident
 * gets from an entry without one makes such an entry, as a city's own FAQ
 * without translations would have.
 */
export function sampleWithoutEnglish(dir, ids) {
  const sample = JSON.parse(readFileSync(join(topSrcdir, 'faq', 'sample', 'saijo-faq.json'), 'utf8'));
  for (const e of sample.entries) {
    if (ids.includes(e.id)) {
      delete e.question_en;
      delete e.answer_en;
    }
  }
  const path = join(dir, 'sample-without-english.json');
  writeFileSync(path, JSON.stringify(sample));
  return path;
}

/** A fresh directory, removed by the returned cleanup(). */
export function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'mg-int-'));
  return { dir, db: join(dir, 'madoguchi.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Start the server on a free loopback port. config (an object) is written to
 * a JSON config file. Unless config or args choose one, the metrics listener
 * gets a free port too (many servers run at once; 9464 is one port).
 * Resolves to { base, port, metricsBase, metricsPort, proc, logs(),
 * stop(signal) } (metricsBase and metricsPort null when metrics are off);
 * stop() sends the signal (SIGTERM) and resolves to { code, signal }.
 */
export async function startServer(db, { config, args = [] } = {}) {
  const metricsArg = args.indexOf('--metrics-port');
  const metricsChosen = metricsArg >= 0 || (config && 'metrics_port' in config);
  const metricsValue = metricsArg >= 0 ? args[metricsArg + 1] : config?.metrics_port;
  const metricsOff = metricsChosen && ['off', '-1', -1].includes(metricsValue);
  const argv = ['serve', '--db', db, '--listen', '127.0.0.1', '--port', '0',
    ...(metricsChosen ? [] : ['--metrics-port', '0']), ...args];
  // MG_TEST_EVLIB=poll|ev runs the suite on one event loop (default: auto).
  if (process.env.MG_TEST_EVLIB) argv.push('--evlib', process.env.MG_TEST_EVLIB);
  if (config) {
    const path = `${db}.config.json`;
    writeFileSync(path, JSON.stringify(config));
    argv.push('--config', path);
  }
  const proc = spawn(MADOGUCHI, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (c) => { stderr += c.toString('utf8'); });
  const exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  // the metrics line follows the listening line (server.c prints both)
  const listening = new Promise((resolveL, rejectL) => {
    proc.stdout.on('data', (c) => {
      stdout += c.toString('utf8');
      const m = /madoguchi: listening on http:\/\/([^\s/]+):(\d+)\//.exec(stdout);
      const mm = /madoguchi: metrics on (http:\/\/[^\s/]+:(\d+))\/metrics/.exec(stdout);
      if (m && (metricsOff || mm)) resolveL({ port: Number(m[2]), metricsBase: mm ? mm[1] : null, metricsPort: mm ? Number(mm[2]) : null });
    });
    exited.then(({ code, signal }) => rejectL(new Error(`server exited (${code ?? signal}) before listening:\n${stderr}`)));
  });
  let port, metricsBase, metricsPort;
  try {
    ({ port, metricsBase, metricsPort } = await withTimeout(listening, TIMEOUT * 2, 'the listening lines'));
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  }
  return {
    port,
    metricsPort,
    metricsBase,
    proc,
    base: `http://127.0.0.1:${port}`,
    logs: () => stderr,
    exited,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      try {
        return await withTimeout(exited, TIMEOUT, 'the server to exit');
      } catch (e) {
        proc.kill('SIGKILL');
        throw e;
      }
    },
  };
}

/** Run the madoguchi CLI (e.g. tickets reply) and resolve to its stdout. */
export function cli(args) {
  return new Promise((res, rej) => {
    execFile(MADOGUCHI, args, { timeout: TIMEOUT }, (err, stdout, stderr) => {
      if (err) rej(new Error(`madoguchi ${args.join(' ')}: ${err.message}\n${stderr}`));
      else res(stdout);
    });
  });
}

/** A resident: one WebSocket at /ws with the madoguchi.v1 subprotocol. */
export class Resident {
  constructor(ws) {
    this.ws = ws;
    this.inbox = [];
    this.waiters = [];
    this.closeInfo = null;
    ws.on('message', (data, isBinary) => {
      let msg;
      try {
        msg = JSON.parse(data.toString('utf8'));
      } catch {
        msg = { type: '(not JSON)', raw: data.toString('utf8'), isBinary };
      }
      this.inbox.push(msg);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      this.wake();
    });
  }

  /** Connect; rejects with the HTTP status in the message when refused. */
  static connect(base, { origin, protocol = 'madoguchi.v1', headers, localAddress } = {}) {
    const url = base.replace(/^http/, 'ws') + '/ws';
    const opts = { headers, perMessageDeflate: false };
    if (localAddress) opts.localAddress = localAddress;
    if (origin) opts.origin = origin;
    const ws = protocol === null ? new WebSocket(url, opts) : new WebSocket(url, protocol, opts);
    const r = new Resident(ws);
    return withTimeout(new Promise((res, rej) => {
      ws.once('open', () => res(r));
      ws.once('unexpected-response', (req, resp) => {
        rej(Object.assign(new Error(`refused: HTTP ${resp.statusCode}`), { status: resp.statusCode }));
        req.destroy();
      });
      ws.once('error', (e) => rej(e));
    }), TIMEOUT, 'the WebSocket to open');
  }

  /** Connect and say hello (resuming session when given); resolves to the welcome. */
  static async hello(base, session, connectOpts) {
    const r = await Resident.connect(base, connectOpts);
    r.send(session ? { type: 'hello', session } : { type: 'hello' });
    r.welcome = await r.next((m) => m.type === 'welcome' || m.type === 'error');
    return r;
  }

  wake() {
    for (const w of [...this.waiters]) w();
  }

  send(obj) {
    this.ws.send(JSON.stringify(obj));
  }

  sendRaw(data, opts) {
    this.ws.send(data, opts);
  }

  /** The first message (from now on or already received) matching pred; removed from the inbox. */
  next(pred = () => true, ms = TIMEOUT) {
    return withTimeout(new Promise((res, rej) => {
      const check = () => {
        const i = this.inbox.findIndex(pred);
        if (i >= 0) {
          this.waiters = this.waiters.filter((w) => w !== check);
          res(this.inbox.splice(i, 1)[0]);
        } else if (this.closeInfo) {
          this.waiters = this.waiters.filter((w) => w !== check);
          rej(new Error(`connection closed (${this.closeInfo.code}) while waiting; inbox: ${JSON.stringify(this.inbox)}`));
        }
      };
      this.waiters.push(check);
      check();
    }), ms, `a matching message (inbox: ${JSON.stringify(this.inbox).slice(0, 500)})`);
  }

  /** Ask and wait for the reply to it (answer, clarify, no_answer or error). */
  async ask(id, text) {
    this.send({ type: 'ask', id, text });
    return this.next((m) => m.reply_to === id);
  }

  /** Resolves to { code, reason } when the server closes the connection. */
  closed(ms = TIMEOUT) {
    return withTimeout(new Promise((res) => {
      const check = () => {
        if (this.closeInfo) {
          this.waiters = this.waiters.filter((w) => w !== check);
          res(this.closeInfo);
        }
      };
      this.waiters.push(check);
      check();
    }), ms, 'the connection to close');
  }

  close() {
    this.ws.close(1000);
    return this.closed();
  }
}

/** POST JSON (or a raw body) to path; resolves to { status, headers, body (parsed when JSON) }. */
export async function post(base, path, body, { contentType = 'application/json', headers = {} } = {}) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, body: parsed };
}

// Questions worded as in the sample FAQ. The engine's tuning decides which
// of them it answers outright rather than asking back (clarify); a test that
// needs an answer takes the first one answered, so tuning cannot break it.
export const ANSWERABLE = [
  '戸籍謄本や戸籍抄本はどこで請求できますか？',
  '家族や代理人が住民票を請求するにはどうすればよいですか？',
  '遠方に住んでいるので、郵送で戸籍や住民票を請求できますか？',
  'マイナンバーカードの受け取りはどうすればよいですか？',
  '粗大ごみはどうやって出せばよいですか？',
  'パスポートの申請はどこでできますか？',
  '犬の登録はどこでできますか',
];

/** { text, faq_id } of the first ANSWERABLE question the server answers (via the HTTP API). */
export async function findAnswered(base) {
  for (const text of ANSWERABLE) {
    const { status, body } = await post(base, '/api/v1/ask', { text });
    if (status === 200 && body.decision === 'answer' && body.faq_id) return { text, faq_id: body.faq_id };
  }
  throw new Error(`none of the sample questions was answered outright: ${ANSWERABLE.join(' / ')}`);
}

/**
 * Log in to the console API as a browser would (cookie, CSRF token, Origin).
 * Resolves to { get, post, put, del }, each resolving to { status, body }.
 */
export async function staffLogin(base, user, password) {
  const lr = await fetch(`${base}/api/v1/admin/login`, { method: 'POST',
    headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ login: user, password }) });
  if (lr.status !== 200) throw new Error(`login ${user}: HTTP ${lr.status} ${await lr.text()}`);
  const cookie = lr.headers.get('set-cookie').split(';')[0];
  const { csrf } = await lr.json();
  const call = async (method, p, b) => {
    const r = await fetch(`${base}/api/v1/admin${p}`, { method, body: b === undefined ? undefined : JSON.stringify(b),
      headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrf, origin: base } });
    return { status: r.status, body: await r.json() };
  };
  return { get: (p) => call('GET', p), post: (p, b) => call('POST', p, b), put: (p, b) => call('PUT', p, b),
    del: (p) => call('DELETE', p) };
}

/** Each text asked by a resident of its own (a fast typist is rate-limited); each must get no_answer. */
export async function askUnanswered(base, texts) {
  for (const text of texts) {
    const r = await Resident.hello(base);
    const a = await r.ask('u', text);
    await r.close();
    if (a.type !== 'no_answer') throw new Error(`${text}: the test needs a no_answer, got ${JSON.stringify(a).slice(0, 200)}`);
  }
}

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
