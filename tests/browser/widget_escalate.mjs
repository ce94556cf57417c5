// No answer → escalation form (contact optional) → ticket number and when staff
// will read it → `madoguchi tickets reply` → the staff reply appears in the open
// widget; after a reload the conversation resumes and the reply is shown once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask, cli } from './lib.mjs';

test('no answer → escalate → ticket → staff reply appears', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page, db }) => {
    await openWidget(page);
    const reply = await ask(page, 'ぴよぴよ星のもふもふ祭りの参加券はどこで買えますか');
    assert.match(await reply.getAttribute('class'), /mg-no-answer/);

    const form = page.locator('form.mg-escalate');
    await form.waitFor();
    // the phone field is labelled, says it is optional and what it is for
    const contact = form.getByLabel('電話番号（任意）');
    await contact.waitFor();
    const noteId = await contact.getAttribute('aria-describedby');
    const note = await page.locator(`[id="${noteId}"]`).textContent();
    assert.match(note, /入力しなくても/);
    assert.match(note, /このお問い合わせについて折り返し電話をするためだけに使います/);
    assert.match(await form.getByLabel('お問い合わせ内容').inputValue(), /もふもふ祭り/);

    await contact.fill('0897-12-3456');
    await form.getByRole('button', { name: '職員に問い合わせる' }).click();

    const ticketNo = page.locator('.mg-ticket .mg-ticket-no');
    await ticketNo.waitFor();
    const no = (await ticketNo.textContent()).trim();
    assert.match(no, /^T-\d{8}-\d{4}$/);
    assert.ok((await page.locator('.mg-ticket .mg-next-read').textContent()).length > '確認の予定：'.length,
      'says when staff will read it');

    // the resident closes the panel; the reply is announced and marked on the launcher
    await page.keyboard.press('Escape');
    const text = '担当の市民課です。お問い合わせの件は、窓口でご案内します。';
    await cli(['tickets', 'reply', no, text, '--db', db]);
    await page.locator('.mg-launcher .mg-badge', { hasText: '職員から回答があります' }).waitFor();
    await openWidget(page);
    const staff = page.locator('.mg-staff', { hasText: text });
    await staff.waitFor();
    assert.equal(await staff.getAttribute('data-ticket-no'), no);

    // reload: the session resumes from sessionStorage; the reply is shown exactly once
    await page.reload();
    await openWidget(page);
    await page.locator('.mg-notice', { hasText: '前回の会話の続きです' }).waitFor();
    await page.locator('.mg-staff', { hasText: text }).waitFor();
    await ask(page, '住民票の写しはどこで取得できますか？'); // a round trip: anything pending has arrived
    assert.equal(await page.locator('.mg-staff', { hasText: text }).count(), 1);
  }));
