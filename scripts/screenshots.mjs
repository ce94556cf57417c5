// screenshots.mjs — the pictures in docs/screenshots/, made from the real
// thing: a server on a fresh database with the sample FAQ, Debian's Chromium
// (with the Japanese font fonts-noto-cjk), the resident widget and the staff
// console at 390 px (a phone) and 1280 px. Run through scripts/screenshots.sh.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, openWidget, ask, cli, openConsole, topSrcdir } from '../tests/browser/lib.mjs';
import { addUser } from '../tests/integration/lib.mjs';

const out = join(topSrcdir, 'docs', 'screenshots');
const dir = mkdtempSync(join(tmpdir(), 'mg-shots-'));
const db = join(dir, 'shots.db');
let server = null;
let browser = null;
try {
  await addUser(db, 'kansa', 'supervisor', null, 'kansa password 1');
  server = await startServer(db);
  for (const width of [390, 1280]) {
    browser = await launchBrowser({ viewport: { width, height: width < 500 ? 844 : 800 } });
    const { page } = browser;
    await page.goto(server.url);
    await openWidget(page);
    await ask(page, '粗大ごみの出し方を教えてください');
    await page.screenshot({ path: join(out, `widget-answer-${width}.png`) });
    await ask(page, '家が火事です');
    await page.screenshot({ path: join(out, `widget-emergency-${width}.png`) });
    await ask(page, 'ぴよぴよ星のもふもふ祭りの参加券はどこで買えますか');
    await page.locator('form.mg-escalate').getByRole('button', { name: '職員に問い合わせる' }).click();
    const no = (await page.locator('.mg-ticket .mg-ticket-no').textContent()).trim();
    await cli(['tickets', 'reply', no, '参加券は市民会館の窓口で販売しています（サンプル）。', '--db', db]);
    await page.locator('.mg-staff').waitFor();
    await page.screenshot({ path: join(out, `widget-thread-${width}.png`) });
    const link = await page.getByLabel('あとで返事を確認・返信するためのリンク').inputValue();
    const tp = await page.context().newPage();
    await tp.goto(link);
    await tp.locator('#thread > li.staff').waitFor();
    await tp.screenshot({ path: join(out, `ticket-page-${width}.png`), fullPage: true });

    const { admin } = await openConsole(page, server.url, 'kansa', 'kansa password 1');
    await admin.locator('#ticket-list p.note').waitFor();
    await admin.screenshot({ path: join(out, `console-inbox-${width}.png`) });
    await admin.goto(`${server.url}admin/#/tickets/${encodeURIComponent(no)}`);
    await admin.locator('#view-title', { hasText: no }).waitFor();
    await admin.screenshot({ path: join(out, `console-ticket-${width}.png`), fullPage: true });
    await browser.close();
    browser = null;
  }
  console.log(`screenshots written to ${out}`);
} finally {
  if (browser) await browser.close();
  if (server) await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
