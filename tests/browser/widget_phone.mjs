// The resident widget on a phone (390×844, the issue "every screen works on a
// phone"):
//  - the panel's header is compact (at most 72 px tall) and still shows the
//    whole title and a line saying answers come from the FAQ and not from AI;
//    the full description stays the dialog's accessible description; header
//    text has a contrast of at least 7:1; the close button is at least
//    44×44 px and closes the panel;
//  - the escalation form's optional contact is a phone-number field
//    (type=tel, inputmode=tel, autocomplete=tel: a phone opens its number
//    pad), labelled 電話番号（任意）, with a hint saying it is used only to call
//    back about this inquiry, and it fits the screen;
//  - at 1280 px the header keeps its full description in view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask, worstContrast } from './lib.mjs';

const PHONE = { width: 390, height: 844 };

/** Is the element drawn with its text whole (not clipped, not cut off)? */
const whole = (loc) => loc.evaluate((e) => {
  const r = e.getBoundingClientRect();
  return r.width > 1 && r.height > 1 && e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1 &&
    r.left >= 0 && r.right <= window.innerWidth;
});

test('phone: a compact header, readable, with a close button to tap', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page }) => {
    await openWidget(page);
    const header = page.locator('.mg-header');
    const h = await header.evaluate((e) => e.getBoundingClientRect().height);
    t.diagnostic(`widget header at 390 px: ${h.toFixed(1)} px tall`);
    assert.ok(h <= 72, `the header is at most 72 px tall at 390 px: ${h}`);

    const title = page.locator('.mg-title');
    assert.equal((await title.textContent()).trim(), 'よくある質問 自動応答');
    assert.ok(await whole(title), 'the title is shown whole');
    const titleSize = await title.evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    assert.ok(titleSize >= 16, `the title is at least 16 px: ${titleSize}`);
    const short = page.locator('.mg-header').getByText('FAQで自動回答（AIではありません）');
    assert.ok(await short.isVisible(), 'one line says the answers come from the FAQ, not from AI');
    assert.ok(await whole(short), 'that line is shown whole');
    // the dialog still describes itself in full to a screen reader
    const desc = await page.locator('.mg-panel').evaluate((p) =>
      document.getElementById(p.getAttribute('aria-describedby')).textContent);
    assert.match(desc, /決まったルールで自動的にお答えします。AI（生成AI）は使っていません。/);

    const worst = await page.evaluate(worstContrast, '.mg-header *');
    t.diagnostic(`lowest text contrast in the header: ${worst.ratio.toFixed(2)}:1 (${worst.text})`);
    assert.ok(worst.seen >= 3, `title, line and close text measured: ${worst.seen}`);
    assert.ok(worst.ratio >= 7, `header text contrast ≥ 7:1, worst ${JSON.stringify(worst)}`);

    const close = page.getByRole('button', { name: '閉じる' });
    const cb = await close.boundingBox();
    assert.ok(cb.width >= 44 && cb.height >= 44, `the close button is at least 44×44: ${cb.width}×${cb.height}`);
    assert.ok(cb.x + cb.width <= PHONE.width && cb.y >= 0, 'and on screen');
    const closeText = await page.locator('.mg-close-text').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    assert.ok(closeText >= 12, `its text is readable: ${closeText} px`);
    await close.click();
    await page.locator('.mg-panel').waitFor({ state: 'hidden' });
    await openWidget(page);

    // a desktop: the full description in view again
    await page.setViewportSize({ width: 1280, height: 800 });
    assert.ok(await page.locator('.mg-subtitle').isVisible(), '1280 px: the description is shown');
    assert.ok(await whole(page.locator('.mg-subtitle')), '1280 px: and whole');
    assert.equal(await short.isVisible(), false, '1280 px: no second, short line');
  }, { viewport: PHONE }));

test('phone: the escalation form asks for a phone number with the phone keyboard', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page }) => {
    await openWidget(page);
    await ask(page, 'ぴよぴよ星のもふもふ祭りの参加券はどこで買えますか');
    const form = page.locator('form.mg-escalate');
    const tel = form.getByLabel('電話番号（任意）', { exact: true });
    await tel.waitFor();
    assert.deepEqual(await tel.evaluate((e) => [e.type, e.inputMode, e.getAttribute('autocomplete')]),
      ['tel', 'tel', 'tel'], 'type, inputmode and autocomplete are tel');
    const hint = await tel.evaluate((e) => document.getElementById(e.getAttribute('aria-describedby')).textContent);
    assert.match(hint, /入力しなくても問い合わせできます/, 'the hint says it is optional');
    assert.match(hint, /このお問い合わせについて折り返し電話をするためだけに使います/, 'and what it is used for');
    assert.equal(await form.getByLabel('連絡先（任意）').count(), 0, 'no field under the old label');
    const b = await tel.boundingBox();
    assert.ok(b.x >= 0 && b.x + b.width <= PHONE.width, `the field fits the screen: ${JSON.stringify(b)}`);
    assert.ok(b.height >= 44, `and is tall enough to tap: ${b.height}`);
  }, { viewport: PHONE }));
