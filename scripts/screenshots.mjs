// screenshots.mjs — the pictures in docs/screenshots/, made from the real
// thing: a server on a fresh database with the sample FAQ, Debian's Chromium
// (with the Japanese font fonts-noto-cjk), the resident widget and the staff
// console at 390 px (a phone) and 1280 px, and the public FAQ pages.
// Run through scripts/screenshots.sh; `scripts/screenshots.sh pages` (or
// `widget`) makes one set only.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, openWidget, ask, cli, openConsole, topSrcdir } from '../tests/browser/lib.mjs';
import { addUser } from '../tests/integration/lib.mjs';

const out = join(topSrcdir, 'docs', 'screenshots');
const dir = mkdtempSync(join(tmpdir(), 'mg-shots-'));
const db = join(dir, 'shots.db');
const only = process.argv[2] || '';
let server = null;
let browser = null;
try {
  await addUser(db, 'kansa', 'supervisor', null, 'kansa password 1');
  if (!only || only === 'pages') {
    // the public pages, with the sample city's template
    const config = join(dir, 'pages.json');
    writeFileSync(config, JSON.stringify({ pages: true, public_base_url: 'https://faq.city.example' }));
    server = await startServer(db, 0, ['--config', config]);
    const shots = {
      home: 'faq/',
      entry: 'faq/entry/saijo-0016',
      category: `faq/category/${encodeURIComponent('住民票・戸籍')}`,
      search: `faq/search?q=${encodeURIComponent('マイナンバーカード')}`,
      // 転入 with the answers of a couple with one child and a car (the fragment, applied by checklist.js)
      checklist: 'faq/checklists/tennyu#a=children:yes,car:yes,ins:employer,dog:no',
    };
    for (const width of [390, 1280]) {
      browser = await launchBrowser({ viewport: { width, height: width < 500 ? 844 : 800 } });
      const { page } = browser;
      for (const [name, path] of Object.entries(shots)) {
        await page.goto(server.url + path);
        if (name === 'checklist') await page.locator('#mgp-cl-tools:not([hidden])').waitFor();
        await page.screenshot({ path: join(out, `pages-${name}-${width}.png`), fullPage: name !== 'category' });
      }
      if (width === 1280) {
        await page.goto(`${server.url}faq/entry/saijo-0016`);
        await page.emulateMedia({ media: 'print' });
        await page.screenshot({ path: join(out, 'pages-entry-print.png'), fullPage: true });
        await page.emulateMedia({ media: 'screen' });
        await page.goto(server.url + shots.checklist);
        await page.locator('#mgp-cl-tools:not([hidden])').waitFor();
        await page.emulateMedia({ media: 'print' });
        await page.screenshot({ path: join(out, 'pages-checklist-print.png'), fullPage: true });
      }
      await browser.close();
      browser = null;
    }
    await server.stop();
    server = null;
  }
  if (!only || only === 'widget') server = await startServer(db);
  for (const width of (!only || only === 'widget') ? [390, 1280] : []) {
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
