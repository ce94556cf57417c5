// lib.mjs — shared helpers of the browser tests (tests/browser/*.mjs).
//
// Each test starts a real `madoguchi serve` on a fresh database and a free
// port, drives the demo city page (web/index.html, served by that server) in
// Debian's headless Chromium through playwright-core, and cleans everything up
// in `finally`. Nothing waits a fixed time: we wait for the server's
// "listening" line, for process exits, and for DOM conditions through
// Playwright's auto-waiting locators and waitForFunction.
//
// The tests skip (TAP "# SKIP", counted by Automake) instead of failing when
// the environment cannot run them:
//   MG_SKIP_BROWSER=1          asked to skip;
//   no playwright-core in $top_srcdir/node_modules (run `npm ci`) — this is
//                              also what keeps them out of `make distcheck`:
//                              the tarball has no node_modules;
//   no Chromium at $MG_CHROMIUM (default /usr/bin/chromium);
//   no madoguchi binary at $MADOGUCHI.
// With MG_REQUIRE_BROWSER=1 the last three fail instead of skipping.
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
export const topSrcdir = resolve(process.env.top_srcdir || join(here, '..', '..'));
const defaultBinary = [join(topSrcdir, 'build', 'madoguchi'), join(topSrcdir, 'madoguchi')]
  .find((p) => existsSync(p)) || join(topSrcdir, 'madoguchi');
export const MADOGUCHI = process.env.MADOGUCHI || defaultBinary;
const CHROMIUM = process.env.MG_CHROMIUM || '/usr/bin/chromium';
// under a sanitizer (scripts/sanitize.sh sets MG_SANITIZER) the server runs
// several times slower: every wait scales, as in tests/integration/lib.mjs
const TIMEOUT = Number(process.env.MG_BROWSER_TIMEOUT_MS || 20000) * (process.env.MG_SANITIZER ? 3 : 1);

let playwright = null;
function findSkipReason() {
  if (process.env.MG_SKIP_BROWSER === '1') return 'MG_SKIP_BROWSER=1';
  // Only the source tree's own node_modules counts: a distcheck tree sits inside
  // a checkout, and Node's lookup would otherwise find the checkout's copy.
  const pw = join(topSrcdir, 'node_modules', 'playwright-core');
  if (!existsSync(join(pw, 'package.json'))) {
    return `playwright-core not installed in ${topSrcdir}/node_modules (run npm ci)`;
  }
  playwright = createRequire(import.meta.url)(pw);
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
  if (!existsSync(MADOGUCHI)) return `no madoguchi binary at ${MADOGUCHI} (build first)`;
  return null;
}
// MG_REQUIRE_BROWSER=1 (for CI's `make check`, not for distcheck) turns a
// missing browser, playwright-core or binary into a failure: a CI whose
// `npm ci` broke should not pass with every browser test skipped.
const missing = findSkipReason();
const required = process.env.MG_REQUIRE_BROWSER === '1' && missing && missing !== 'MG_SKIP_BROWSER=1';
/** Why these tests cannot run here, or false. Pass as node:test's `skip` option. */
export const skipReason = required ? false : missing || false; // node:test skips on any value but false/undefined

/** Thrown when the server exists only as a placeholder; tests turn it into a skip. */
export class NotBuilt extends Error {}

/**
 * Start `madoguchi serve --db DB --port PORT` and wait for its line
 * "madoguchi: listening on http://ADDR:PORT/". Resolves to
 * { url, port, proc, stop() }; stop() sends SIGTERM and waits for the exit
 * (SIGKILL if it has not exited within the timeout).
 */
export function startServer(db, port = 0, args = []) {
  return new Promise((resolveStart, rejectStart) => {
    // a free metrics port too: many servers run at once, and 9464 is one port
    const metrics = args.includes('--metrics-port') ? [] : ['--metrics-port', '0'];
    const proc = spawn(MADOGUCHI, ['serve', ...metrics, ...args, '--db', db, '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env },
    });
    let output = '';
    let started = false;
    const exited = new Promise((r) => proc.once('exit', (code, sig) => r({ code, sig })));
    const timer = setTimeout(() => {
      if (started) return;
      proc.kill('SIGKILL');
      rejectStart(new Error(`server did not report listening within ${TIMEOUT} ms:\n${output}`));
    }, TIMEOUT * 2);
    const onData = (chunk) => {
      output += chunk.toString('utf8');
      if (output.length > 65536) output = output.slice(-32768);
      const m = /madoguchi: listening on (http:\/\/\S+?:(\d+))\//.exec(output);
      if (m && !started) {
        started = true;
        clearTimeout(timer);
        const url = m[1].replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//127.0.0.1:') + '/';
        resolveStart({
          url, port: Number(m[2]), proc,
          log: () => output,
          async stop(signal = 'SIGTERM') {
            if (proc.exitCode !== null || proc.signalCode !== null) return exited;
            proc.kill(signal);
            const killer = setTimeout(() => proc.kill('SIGKILL'), TIMEOUT);
            const r = await exited;
            clearTimeout(killer);
            return r;
          },
        });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('error', (e) => { clearTimeout(timer); rejectStart(e); });
    exited.then(({ code, sig }) => {
      if (started) return;
      clearTimeout(timer);
      const Err = /not built yet/.test(output) ? NotBuilt : Error;
      rejectStart(new Err(`server exited (${code ?? sig}) before listening:\n${output}`));
    });
  });
}

/** Run the CLI (e.g. ['tickets', 'reply', no, text, '--db', db]); resolves to stdout. */
export function cli(args) {
  return new Promise((res, rej) => {
    execFile(MADOGUCHI, args, { timeout: TIMEOUT, env: { ...process.env } }, (err, stdout, stderr) => {
      if (err) rej(new Error(`madoguchi ${args.join(' ')}: ${err.message}\n${stderr}`));
      else res(stdout);
    });
  });
}

/** Headless Debian Chromium with a fresh profile; resolves to { context, page, close() }. */
export async function launchBrowser({ viewport = { width: 1280, height: 800 }, javaScriptEnabled = true } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'mg-chromium-'));
  const context = await playwright.chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    javaScriptEnabled,
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'], // containers often have a tiny /dev/shm
  });
  context.setDefaultTimeout(TIMEOUT);
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return {
    context, page, errors,
    async close() {
      try { await context.close(); } finally { rmSync(profile, { recursive: true, force: true }); }
    },
  };
}

/**
 * The usual fixture: a fresh database, a server, a browser on the demo page.
 * Calls setup(db) if given, then fn({ server, page, db, dir, restart }), and
 * starts the server with config (an object, written to a config file) if given;
 * always cleans up; a server
 * that is still a placeholder turns the test into a skip. restart(whileDown)
 * stops the server, awaits whileDown() if given, and starts it again on the
 * same database and port.
 */
export async function withWidget(t, fn, { viewport, setup, config } = {}) {
  if (required) throw new Error(`MG_REQUIRE_BROWSER=1 but ${missing}`);
  const dir = mkdtempSync(join(tmpdir(), 'mg-browser-'));
  const db = join(dir, 'test.db');
  let server = null;
  let browser = null;
  const args = [];
  if (config) {
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    args.push('--config', join(dir, 'config.json'));
  }
  try {
    try {
      if (setup) await setup(db); // e.g. CLI commands on the database before the server starts
      server = await startServer(db, 0, args);
    } catch (e) {
      if (e instanceof NotBuilt) { t.skip('madoguchi serve is not built yet'); return; }
      throw e;
    }
    browser = await launchBrowser({ viewport });
    const { page } = browser;
    await page.goto(server.url);
    const ctx = {
      server, page, db, dir,
      async restart(whileDown) {
        const port = server.port;
        await server.stop();
        if (whileDown) await whileDown();
        server = await startServerRetry(db, port, args);
        ctx.server = server;
        return server;
      },
    };
    await fn(ctx);
    if (browser.errors.length) throw new Error(`errors in the page:\n${browser.errors.join('\n')}`);
  } catch (e) {
    if (server) e.message += `\n--- server output (tail) ---\n${server.log().slice(-4000)}`;
    throw e;
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

// The port was just released; a few attempts cover a slow release of the socket.
async function startServerRetry(db, port, args) {
  let last;
  for (let i = 0; i < 5; i++) {
    try { return await startServer(db, port, args); } catch (e) { last = e; }
  }
  throw last;
}

/* ---- the staff console ------------------------------------------------------ */

/**
 * Open the console in a new tab (of a page's browser context, or of a
 * context) and log in; resolves to { admin, errors } once the header names
 * the user. url ends with '/'.
 */
export async function openConsole(pageOrContext, url, login, password) {
  const context = typeof pageOrContext.context === 'function' ? pageOrContext.context() : pageOrContext;
  const admin = await context.newPage();
  const errors = [];
  admin.on('pageerror', (e) => errors.push(String(e)));
  await admin.goto(`${url}admin/`);
  await admin.getByLabel('ログインID').fill(login);
  await admin.getByLabel('パスワード').fill(password);
  await admin.getByRole('button', { name: 'ログイン' }).click();
  await admin.locator('#who-name').filter({ hasText: `${login}さん` }).waitFor();
  return { admin, errors };
}

/**
 * Run in the page (page.evaluate(worstContrast, '.mg-root *')): the lowest
 * contrast ratio of text against its effective background over the visible
 * elements matching selector that hold text themselves, with how many were
 * measured. WCAG's relative luminance; the background is the first opaque
 * one up the tree (white at the top).
 */
export function worstContrast(selector) {
  const lum = (c) => {
    const v = c.slice(0, 3).map((x) => x / 255).map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  };
  const rgba = (t) => (t.match(/[\d.]+/g) || []).map(Number);
  const bgOf = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) return c;
    }
    return [255, 255, 255];
  };
  let worst = { ratio: 99 };
  let seen = 0;
  for (const el of document.querySelectorAll(selector)) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || el.getBoundingClientRect().width <= 1 || el.closest('.mg-sr')) continue;
    const st = getComputedStyle(el);
    if (st.visibility === 'hidden' || (parseFloat(st.opacity) < 1 && !el.closest('.mg-sent'))) continue;
    seen += 1;
    const a = lum(rgba(st.color)), b = lum(bgOf(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < worst.ratio) worst = { ratio, text: el.textContent.trim().slice(0, 30), color: st.color, bg: bgOf(el).join(',') };
  }
  return { ...worst, seen };
}

/* ---- driving the widget --------------------------------------------------- */

/** Open the panel by clicking the launcher; resolves when the input is ready. */
export async function openWidget(page) {
  await page.locator('.mg-launcher').click();
  await page.getByLabel('質問を入力してください').waitFor();
}

/** Number of bot-side items in the log (answers, clarify, no_answer …). */
export function botCount(page) {
  return page.locator('.mg-log > .mg-bot:not(.mg-greeting):not(.mg-history)').count();
}

/** Type a question, send it, and wait for the bot's reply; resolves to its locator. */
export async function ask(page, text) {
  const before = await botCount(page);
  await page.getByLabel('質問を入力してください').fill(text);
  await page.getByRole('button', { name: '送信' }).click();
  return waitBotReply(page, before);
}

/** Wait until the log holds more than `before` bot items; resolves to the newest. */
export async function waitBotReply(page, before) {
  const sel = '.mg-log > .mg-bot:not(.mg-greeting):not(.mg-history)';
  await page.waitForFunction(([s, n]) => document.querySelectorAll(s).length > n, [sel, before],
    { timeout: TIMEOUT });
  // a fixed index, so the locator keeps naming this reply when more arrive
  return page.locator(sel).nth(await page.locator(sel).count() - 1);
}

/** Wait until the element matching selector is the focused element. */
export function waitFocused(page, selector) {
  return page.waitForFunction((s) => document.activeElement && document.activeElement.matches(s),
    selector, { timeout: TIMEOUT });
}

/* ---- accessibility -------------------------------------------------------------- */

const AXE = join(topSrcdir, 'node_modules', 'axe-core', 'axe.min.js');
/** Why axe cannot run here (npm package missing), or false. */
export const axeMissing = existsSync(AXE) ? false : 'npm package axe-core not installed (run npm ci)';

/**
 * Serious and critical WCAG 2.1 A/AA violations (axe-core) on the page as it
 * is now, as readable lines. axe-core's source is evaluated in the page (as
 * @axe-core/playwright does): a <script> tag would be blocked by the CSP,
 * and bypassing the CSP would change what is measured.
 */
export async function axeViolations(page, what) {
  await page.evaluate(readFileSync(AXE, 'utf8'));
  const res = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${what}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}
