// lib_smtp.mjs — a local SMTP sink for the e-mail tests: Debian's aiosmtpd
// (python3-aiosmtpd, run with /usr/bin/python3) writing a Maildir, and a
// parser for what arrived (base64 subject and body decoded). A missing
// aiosmtpd is an error, not a skip.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TIMEOUT } from './lib.mjs';

const PYTHON = '/usr/bin/python3';   // Debian's own, with python3-aiosmtpd

export function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
  });
}

/** Resolves when something accepts TCP connections on port (the sink is up). */
async function listening(port, proc, deadline) {
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the SMTP sink exited (${proc.exitCode}): is python3-aiosmtpd installed?`);
    const ok = await new Promise((res) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); res(true); });
      s.once('error', () => res(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error('the SMTP sink did not start');
    await new Promise((r) => setTimeout(r, 50));   // poll interval of a readiness probe
  }
}

export async function startSink() {
  const dir = mkdtempSync(join(tmpdir(), 'mg-smtp-'));
  const port = await freePort();
  const proc = spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox',
    join(dir, 'mail')], { stdio: ['ignore', 'pipe', 'pipe'] });
  await listening(port, proc, Date.now() + TIMEOUT);
  return {
    port,
    /** The messages received so far, parsed: {to, subject, body}. */
    messages() {
      const d = join(dir, 'mail', 'new');
      if (!existsSync(d)) return [];
      return readdirSync(d).sort().map((f) => parse(readFileSync(join(d, f), 'utf8')));
    },
    /** Resolves with the messages once there are n (polls the Maildir). */
    async waitFor(n) {
      const deadline = Date.now() + TIMEOUT;
      for (;;) {
        const m = this.messages();
        if (m.length >= n) return m;
        if (Date.now() > deadline) throw new Error(`${m.length} of ${n} messages arrived`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop() { proc.kill(); rmSync(dir, { recursive: true, force: true }); },
  };
}

function parse(raw) {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const subject = headers.subject.replace(/=\?UTF-8\?B\?([^?]*)\?=/g, (m, b) => Buffer.from(b, 'base64').toString('utf8'));
  const body = Buffer.from(rest.join('\n').replace(/\s+/g, ''), 'base64').toString('utf8');
  return { headers, to: headers.to, subject, body };
}

