// Ask a question the sample FAQ answers: the privacy notice is shown before
// the first message, the answer names the department with a tel: link, hours
// and location, and the feedback buttons work ("not helpful" offers staff).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask } from './lib.mjs';

test('ask → answer with the department and its phone', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page }) => {
    // the demo page carries the one-tag embed and says it is a demo
    assert.equal(await page.locator('script[src$="widget.js"]').count(), 1);
    await page.getByText('デモ用の架空のページ').waitFor();

    await openWidget(page);
    const privacy = page.locator('.mg-privacy');
    // before the first message: what is kept (the server's text from welcome,
    // which says how long), and not to type My Number and the like
    const kept = privacy.locator('li[data-source="server"]');
    await kept.waitFor();
    assert.ok((await kept.textContent()).length > 10);
    await privacy.getByText('入力しないでください').first().waitFor();

    const reply = await ask(page, '住民票の写しはどこで取得できますか？');
    assert.match(await reply.getAttribute('class'), /mg-answer/);
    assert.equal(await reply.getAttribute('data-department-id'), 'shimin');
    assert.match(await reply.getAttribute('data-faq-id') || '', /^saijo-\d{4}$/);
    await reply.locator('.mg-dept').getByText('市民課').waitFor();
    const tel = reply.locator('.mg-dept a[href^="tel:"]');
    await tel.waitFor();
    assert.match(await tel.getAttribute('href'), /^tel:0\d{9,10}$/);
    await reply.locator('.mg-dept dt', { hasText: '受付時間' }).waitFor();
    await reply.locator('.mg-dept dt', { hasText: '場所' }).waitFor();

    // the notice folds away after the first message; the log is announced politely
    assert.equal(await privacy.evaluate((d) => d.open), false);
    assert.equal(await page.locator('.mg-log').getAttribute('aria-live'), 'polite');

    await reply.getByRole('button', { name: '役に立った', exact: true }).click();
    await reply.getByText('ご回答ありがとうございました').waitFor();
    assert.equal(await reply.getByRole('button', { name: '役に立たなかった' }).isDisabled(), true);

    // "not helpful" offers staff, with the question that led to the answer
    const second = await ask(page, 'コンビニで住民票を取れますか');
    await second.getByRole('button', { name: '役に立たなかった' }).click();
    const form = page.locator('form.mg-escalate');
    await form.waitFor();
    assert.equal(await form.getByLabel('お問い合わせ内容').inputValue(), 'コンビニで住民票を取れますか');

    // over 1,000 characters (code points, as the server counts): said politely, not sent
    const sent = await page.locator('.mg-resident').count();
    await page.getByLabel('質問を入力してください').fill('𠮷'.repeat(1001));
    await page.getByRole('button', { name: '送信' }).click();
    await page.locator('.mg-status', { hasText: '1000文字以内' }).waitFor();
    assert.equal(await page.locator('.mg-resident').count(), sent);
    assert.equal(await page.getByLabel('質問を入力してください').getAttribute('aria-invalid'), 'true');
  }));
