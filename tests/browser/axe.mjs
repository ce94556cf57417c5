// Accessibility (JIS X 8341-3 AA ~ WCAG 2.1 AA) checked by axe-core on every
// resident page and every console view (a ticket with its transcript, an
// entry, the new-entry form filled from another, unanswered groups with their
// check boxes, phrasings, try with drafts …), in Debian's Chromium: 0
// serious or critical violations. axe-core's source is evaluated in the page
// (as @axe-core/playwright does): a <script> tag would be blocked by the
// console's CSP, and bypassing the CSP would change what is measured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask, axeMissing, axeViolations } from './lib.mjs';
import { addUser } from '../integration/lib.mjs';

const violations = axeViolations;

test('axe-core: resident pages and the console have no serious or critical violations',
  { skip: skipReason || axeMissing, timeout: 120000 }, (t) =>
  withWidget(t, async ({ page, server, db }) => {
    const found = [];
    found.push(...await violations(page, 'demo page, widget closed'));
    await openWidget(page);
    found.push(...await violations(page, 'widget open'));
    await ask(page, '住民票の写しはどこで取得できますか？');
    await ask(page, '家が火事です');
    found.push(...await violations(page, 'widget with an answer and the emergency card'));
    await ask(page, 'ぴよぴよ星のもふもふ祭りの参加券はどこで買えますか');
    found.push(...await violations(page, 'widget with the escalation form'));
    await page.locator('form.mg-escalate').getByRole('button', { name: '職員に問い合わせる' }).click();
    await page.locator('.mg-ticket').waitFor();
    found.push(...await violations(page, 'widget with a ticket'));
    const link = await page.getByLabel('あとで返事を確認・返信するためのリンク').inputValue();

    const other = await page.context().newPage();
    await other.goto(link);
    await other.locator('#thread > li').first().waitFor();
    found.push(...await violations(other, 'ticket page'));

    await addUser(db, 'kansa', 'supervisor', null, 'kansa password 1');
    await other.goto(`${server.url}admin/`);
    await other.getByLabel('ログインID').waitFor();
    found.push(...await violations(other, 'console login'));
    await other.getByLabel('ログインID').fill('kansa');
    await other.getByLabel('パスワード').fill('kansa password 1');
    await other.keyboard.press('Enter');
    await other.locator('#who-name').waitFor();
    await other.locator('#view-title').waitFor();
    const ticketNo = new URL(link).pathname.split('/').pop();
    for (const hash of ['#/tickets', `#/tickets/${ticketNo}`, '#/faq', '#/faq/saijo-0001', '#/new?question=x&from=saijo-0001',
      '#/unanswered', '#/phrasings', '#/stats', '#/users', '#/audit', '#/try?drafts=1', '#/privacy']) {
      // empty the view, go there, and wait for the view to be drawn again
      await other.evaluate((h) => { document.getElementById('view').replaceChildren(); location.hash = h; }, hash);
      await other.locator('#view-title').waitFor();
      found.push(...await violations(other, `console ${hash}`));
    }
    assert.deepEqual(found, [], found.join('\n'));
  }));
