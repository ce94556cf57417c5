// E-mail notices from the widget (issue 14): where the city has a relay the
// escalation form offers an optional e-mail field (type=email, so phones
// show the right keyboard); the address reaches the local SMTP sink with the
// resident's link, and a bad address is caught before anything is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask } from './lib.mjs';
import { startSink } from '../integration/lib_smtp.mjs';

test('escalation with an e-mail address → the link arrives by mail', { skip: skipReason }, async (t) => {
  const sink = await startSink();
  try {
    await withWidget(t, async ({ page }) => {
      await openWidget(page);
      await ask(page, 'ぴよぴよ星のもふもふ祭りの参加券はどこで買えますか');
      const form = page.locator('form.mg-escalate');
      const mail = form.getByLabel('返事が届いたらメールで知らせる（任意）');
      assert.equal(await mail.getAttribute('type'), 'email');
      assert.equal(await mail.getAttribute('autocomplete'), 'email');
      await mail.fill('taro@example');
      await form.getByRole('button', { name: '職員に問い合わせる' }).click();
      await page.locator('.mg-notice', { hasText: 'メールアドレスの形式' }).waitFor();
      assert.equal(await page.locator('.mg-ticket').count(), 0, 'nothing sent with a bad address');
      await mail.fill('taro@example.jp');
      await form.getByRole('button', { name: '職員に問い合わせる' }).click();
      const no = (await page.locator('.mg-ticket .mg-ticket-no').textContent()).trim();
      const link = await page.getByLabel('あとで返事を確認・返信するためのリンク').inputValue();
      const [m] = await sink.waitFor(1);
      assert.equal(m.to, '<taro@example.jp>');
      assert.ok(m.body.includes(`https://chat.city.example/t/${no}#${link.split('#')[1]}`), m.body);
    }, { config: { smtp_url: `smtp://127.0.0.1:${sink.port}`, smtp_from: 'noreply@city.example', smtp_tls: 'none',
      public_base_url: 'https://chat.city.example', mail_poll_secs: 0.2 } });
  } finally {
    sink.stop();
  }
});

test('no relay configured → no e-mail field', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page }) => {
    await openWidget(page);
    await ask(page, 'ぴよぴよ星のもふもふ祭りの参加券はどこで買えますか');
    await page.locator('form.mg-escalate').waitFor();
    assert.equal(await page.getByLabel('返事が届いたらメールで知らせる（任意）').count(), 0);
  }));
