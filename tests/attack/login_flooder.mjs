// login_flooder.mjs — a worker thread of tests/attack/login_flood.mjs: posts
// wrong passwords from one loopback source address with several parallel
// clients until told to stop, then posts its tally. It runs apart from the
// test's event loop so the flood does not delay the resident's own timing.
import { parentPort, workerData } from 'node:worker_threads';
import { loginFrom } from './lib.mjs';

const { base, addr, parallel } = workerData;
const tally = { by: {}, errors: 0, noRetryAfter: 0 };
let stop = false;
parentPort.on('message', (m) => { if (m === 'stop') stop = true; });

async function one(k) {
  for (let i = 0; !stop; i++) {
    try {
      // half real account, half unknown; a flooder ignores Retry-After
      const r = await loginFrom(base, addr, i % 2 ? 'tanaka' : `ghost${k}`, `wrong password ${i}`);
      const key = `${r.status} ${r.code}`;
      tally.by[key] = (tally.by[key] || 0) + 1;
      if (r.status === 429 && !(r.retryAfter > 0)) tally.noRetryAfter++;
    } catch {
      tally.errors++;
    }
  }
}

await Promise.all(Array.from({ length: parallel }, (_, k) => one(k)));
parentPort.postMessage(tally);
