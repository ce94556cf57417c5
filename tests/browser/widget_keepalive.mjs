// Keep-alive in a real browser (issue 13, F5): with the ping and hang-up
// intervals shortened to 0.5 s and 1.5 s, an idle widget must keep its one
// WebSocket — Chromium echoes the server's 8-byte PINGs — and never show a
// reconnect. The proof that enough time passed: control clients that do not
// answer PINGs are dropped by the same server, one after another, while the
// widget sits idle; each drop takes at least the hang-up interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask } from './lib.mjs';

// the control clients use npm's ws (package.json); where it is missing, the
// browser test skips with the other reasons (e.g. in make distcheck)
const WebSocket = await import('ws').then((m) => m.default, () => null);

const CONFIG = { ws_ping_secs: 0.5, ws_hangup_secs: 1.5 };
const CONTROLS = 3;

/** A client that never answers PINGs; resolves with how long the server let it live. */
function silentClient(url) {
  return new Promise((res, rej) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + 'ws', 'madoguchi.v1', { autoPong: false, perMessageDeflate: false });
    let t0 = 0;
    ws.once('open', () => { t0 = Date.now(); });
    ws.once('error', rej);
    ws.once('close', () => (t0 ? res(Date.now() - t0) : rej(new Error('control client never opened'))));
  });
}

const wsOpens = (log) => (log.match(/"kind":\s*"ws_open"/g) || []).length;

test('an idle widget keeps its one connection through several hang-up periods', { skip: skipReason || (!WebSocket && 'npm package ws not installed') }, (t) =>
  withWidget(t, async ({ page, server }) => {
    await openWidget(page);
    await ask(page, '住民票の写しはどこで取得できますか？');
    assert.equal(wsOpens(server.log()), 1, 'the widget opened one chat connection');

    let idle = 0;
    for (let i = 0; i < CONTROLS; i++) idle += await silentClient(server.url);
    assert.ok(idle >= CONTROLS * CONFIG.ws_hangup_secs * 1000 * 0.9,
      `the silent clients were dropped after ${idle} ms in all: the hang-up is live`);

    assert.equal(wsOpens(server.log()), 1 + CONTROLS, 'no new connection from the widget while it sat idle');
    assert.equal(await page.locator('.mg-status', { hasText: '再接続' }).count(), 0, 'no reconnect shown');
    const reply = await ask(page, 'コンビニで住民票を取れますか');
    assert.match(await reply.getAttribute('class'), /mg-answer|mg-clarify/);
    assert.equal(wsOpens(server.log()), 1 + CONTROLS, 'the same connection answered');
  }, { config: CONFIG }));
