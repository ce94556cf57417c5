// keepalive.mjs — F5: live idle residents must not be dropped; silent
// clients must be. Before the fix the server sent 0-byte PINGs, lws 4.1.6's
// ws role discarded the empty PONGs before LWS_CALLBACK_RECEIVE_PONG, and a
// resident who just read the answer was cut off after 70–100 s.
//
// Short form (make check): ws_ping_secs 0.5, ws_hangup_secs 1.5, and the idle
// client must still be there after 4 hang-up intervals. Long form
// (MG_ATTACK_LONG=1): the shipped defaults (30 s / 70 s) and 150 s of idling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Resident, scratch, skipReason, startServer } from '../integration/lib.mjs';

const LONG = process.env.MG_ATTACK_LONG === '1';
const PING = LONG ? 30 : 0.5;
const HANGUP = LONG ? 70 : 1.5;
const config = LONG ? {} : { ws_ping_secs: PING, ws_hangup_secs: HANGUP };

test('idle residents that answer pings stay; silent ones are dropped', { skip: skipReason, timeout: LONG ? 400000 : 30000 }, async () => {
  const tmp = scratch();
  const srv = await startServer(tmp.db, { config });
  try {
    // The idle resident: node ws answers every PING with a PONG echoing it.
    const idle = await Resident.hello(srv.base);
    const pings = [];
    idle.ws.on('ping', (data) => pings.push(data.length));
    // The silent one: never answers a PING (as a phone that lost its network).
    const url = srv.base.replace(/^http/, 'ws') + '/ws';
    const mute = new WebSocket(url, 'madoguchi.v1', { autoPong: false, perMessageDeflate: false });
    await new Promise((res, rej) => { mute.once('open', res); mute.once('error', rej); });
    const t0 = Date.now();
    const muteClosed = new Promise((res) => mute.once('close', () => res(Date.now() - t0)));

    // The silent client goes within the hang-up interval plus one keepalive pass.
    const droppedAfter = await Promise.race([muteClosed,
      new Promise((res) => setTimeout(() => res(null), (HANGUP + PING + 3) * 1000))]);
    assert.ok(droppedAfter !== null, 'a client that never answers PINGs was not dropped');
    assert.ok(droppedAfter >= HANGUP * 1000 - 100, `dropped too early (${droppedAfter} ms)`);

    // The idle resident is still there after several hang-up intervals:
    // the wait is the property itself, ended early only by a close.
    const stay = (LONG ? 150 : 4 * HANGUP) * 1000;
    const closed = await idle.closed(Math.max(0, stay - (Date.now() - t0))).catch(() => null);
    assert.equal(closed, null, `idle resident was dropped: ${JSON.stringify(closed)}`);
    assert.ok(pings.length >= 2, `expected PINGs, saw ${pings.length}`);
    assert.ok(pings.every((n) => n > 0), 'PINGs carry a payload');
    // ... and still usable.
    idle.send({ type: 'hello', session: idle.welcome.session });
    assert.equal((await idle.next((m) => m.type === 'welcome')).resumed, true);
    await idle.close();
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
