// A ticket is a thread (issue 14), in Chromium: the widget shows the ticket's
// secret link once, the resident answers a staff reply from the chat, and
// later, on a phone-sized page opened from that link, reads the whole thread
// and answers again. Staff work from the CLI; the database is the truth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask, cli } from './lib.mjs';

test('escalate → staff reply → answer in the chat → read and answer at /t/<number>', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page, db }) => {
    await openWidget(page);
    await ask(page, 'ぴよぴよ星のもふもふ祭りの参加券はどこで買えますか');
    const form = page.locator('form.mg-escalate');
    await form.getByRole('button', { name: '職員に問い合わせる' }).click();
    const no = (await page.locator('.mg-ticket .mg-ticket-no').textContent()).trim();
    const link = await page.getByLabel('あとで返事を確認・返信するためのリンク').inputValue();
    assert.match(link, new RegExp(`/t/${no}#[A-Za-z0-9_-]{24}$`), `the link carries the secret in its fragment: ${link}`);

    // staff answer; the resident answers back in the chat
    await cli(['tickets', 'reply', no, '参加券は市民会館で販売しています。', '--db', db]);
    const staff = page.locator('.mg-staff', { hasText: '参加券は市民会館で販売しています。' });
    await staff.waitFor();
    await staff.getByLabel('担当課へ返信する').fill('土曜日も買えますか');
    await staff.getByRole('button', { name: '返信を送る' }).click();
    await page.locator('.mg-thread-line', { hasText: '土曜日も買えますか' }).waitFor();
    const shown = await cli(['tickets', 'show', no, '--db', db]);
    assert.match(shown, /resident: 土曜日も買えますか/, 'staff see the answer');

    // later, on a phone, from the link
    await cli(['tickets', 'reply', no, '土曜日は午前中だけ販売しています。', '--db', db]);
    const phone = await page.context().newPage();
    await phone.setViewportSize({ width: 390, height: 800 });
    await phone.goto(link);
    const items = phone.locator('#thread > li');
    await phone.locator('#thread > li.staff', { hasText: '土曜日は午前中だけ' }).waitFor();
    assert.deepEqual(await items.evaluateAll((els) => els.map((e) => e.className)),
      ['resident', 'staff', 'resident', 'staff'], 'question, staff, resident, staff');
    assert.match(await phone.locator('#status').textContent(), /返事があります/);
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scrolling at 390 px');
    const box = await phone.getByRole('button', { name: '送信する' }).boundingBox();
    assert.ok(box.height >= 44 && box.width >= 44, `the send button is a 44 px target (${box.width}×${box.height})`);

    await phone.getByLabel('担当課への返信').fill('わかりました。ありがとうございます');
    await phone.getByRole('button', { name: '送信する' }).click();
    await phone.locator('#thread > li.resident', { hasText: 'ありがとうございます' }).waitFor();
    assert.match(await phone.locator('#status').textContent(), /送信しました/);
    assert.match(await cli(['tickets', 'show', no, '--db', db]), /resident: わかりました/);

    // an emergency written here is answered at once, not at the next opening time
    await phone.getByLabel('担当課への返信').fill('家が火事です');
    await phone.getByRole('button', { name: '送信する' }).click();
    await phone.locator('#alert.emergency', { hasText: '119' }).waitFor();

    // a link whose secret was changed shows an error, not the thread
    await phone.goto(link.replace(/#(.)/, (m, c) => `#${c === 'A' ? 'B' : 'A'}`));
    await phone.locator('#alert', { hasText: '見つかりませんでした' }).waitFor();
    assert.equal(await phone.locator('#thread > li').count(), 0);
    await phone.close();
  }));
