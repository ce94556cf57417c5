// The server goes away and comes back on the same port and database: the
// widget reconnects by itself, resumes its session without redrawing the log,
// and the next question is answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask, cli } from './lib.mjs';

test('server restart → widget reconnects and still answers', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page, restart }) => {
    await openWidget(page);
    await ask(page, '住民票の写しはどこで取得できますか？');
    const session = await page.evaluate(() => sessionStorage.getItem('madoguchi.session'));
    assert.ok(session && session.length >= 22, 'session id kept in sessionStorage');
    const items = await page.locator('.mg-log > .mg-msg').count();

    await restart();
    await page.locator('.mg-status', { hasText: '再接続しました' }).waitFor();
    assert.equal(await page.locator('.mg-log > .mg-msg').count(), items, 'log not duplicated');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('madoguchi.session')), session,
      'same session resumed');

    const reply = await ask(page, 'コンビニで住民票を取れますか');
    assert.match(await reply.getAttribute('class'), /mg-answer|mg-clarify/);
    assert.equal(await page.locator('.mg-log > .mg-resident').count(), 2);
  }));

test('a staff reply written while the server was down arrives after the reconnect, once',
  { skip: skipReason }, (t) =>
  withWidget(t, async ({ page, db, restart }) => {
    await openWidget(page);
    await ask(page, 'ぴよぴよ星のもふもふ祭りの参加券はどこで買えますか');
    const form = page.locator('form.mg-escalate');
    await form.getByRole('button', { name: '職員に問い合わせる' }).click();
    const no = (await page.locator('.mg-ticket .mg-ticket-no').textContent()).trim();

    const text = '職員からの返事です。サーバーが止まっている間に書きました。';
    await restart(() => cli(['tickets', 'reply', no, text, '--db', db]));
    await page.locator('.mg-status', { hasText: '再接続しました' }).waitFor();
    const staff = page.locator('.mg-staff', { hasText: text });
    await staff.waitFor();
    await ask(page, '住民票の写しはどこで取得できますか？'); // a round trip: anything pending has arrived
    assert.equal(await staff.count(), 1);
    assert.equal(await staff.getAttribute('data-ticket-no'), no);
  }));

test('after a reload, earlier answers come back with their department card and links', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page }) => {
    await openWidget(page);
    const first = await ask(page, '住民票の写しはどこで取得できますか？');
    const faqId = await first.getAttribute('data-faq-id');
    const dept = await first.locator('.mg-dept').getAttribute('data-department-id');
    assert.ok(faqId && dept, 'an answer with a department card');
    await page.reload();
    await openWidget(page);
    await page.locator('.mg-notice', { hasText: '前回の会話の続きです' }).waitFor();
    const old = page.locator(`.mg-answer.mg-history[data-faq-id="${faqId}"]`);
    await old.waitFor();
    assert.equal(await old.locator('.mg-dept').getAttribute('data-department-id'), dept, 'the card is drawn again');
    assert.ok(await old.locator('.mg-dept a.mg-tel').count() >= 1, 'with its phone link');
    assert.equal(await old.locator('.mg-feedback').count(), 0, 'no feedback buttons on an old answer');
  }));
