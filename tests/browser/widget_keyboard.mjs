// Keyboard only: Tab to the launcher, Enter opens with the focus in the
// question field, Enter sends (but not the Enter that confirms an IME conversion), the answer's buttons are reachable with Tab,
// the focus is visible, Esc closes and puts the focus back on the launcher.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, waitFocused, waitBotReply, botCount } from './lib.mjs';

async function tabTo(page, selector, key = 'Tab', max = 60) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => !!document.activeElement && document.activeElement.matches(s), selector)) return;
    await page.keyboard.press(key);
  }
  throw new Error(`${key} never reached ${selector}`);
}

test('keyboard only: open with Enter, type, send, Esc', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page }) => {
    await page.locator('.mg-launcher').waitFor();
    await tabTo(page, '.mg-launcher');
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
    assert.equal(ring.style, 'solid', 'focus is visible on the launcher');
    assert.ok(ring.width >= 2);

    await page.keyboard.press('Enter');
    await waitFocused(page, 'textarea.mg-input');
    assert.equal(await page.locator('.mg-launcher').getAttribute('aria-expanded'), 'true');

    // Enter that confirms an IME conversion (isComposing) must not send
    await page.keyboard.type('じゅうみんひょう');
    await page.locator('textarea.mg-input').first().evaluate((ta) => ta.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', isComposing: true, bubbles: true, cancelable: true })));
    assert.equal(await page.locator('.mg-resident').count(), 0, 'an IME Enter did not send');
    assert.equal(await page.locator('textarea.mg-input').first().inputValue(), 'じゅうみんひょう');
    await page.locator('textarea.mg-input').first().fill(''); // (fill: clearing is not what is tested)

    const before = await botCount(page);
    await page.keyboard.type('住民票の写しはどこで取得できますか？');
    await page.keyboard.press('Enter');
    const answer = await waitBotReply(page, before);
    assert.equal(await page.locator('textarea.mg-input').first().inputValue(), '', 'Enter sent the question');

    // Shift+Tab from the field walks back into the log, to the feedback buttons
    if (await answer.locator('.mg-fb-yes').count()) {
      await tabTo(page, '.mg-fb-yes', 'Shift+Tab');
      await page.keyboard.press('Enter');
      await answer.getByText('ご回答ありがとうございました').waitFor();
    }

    await page.keyboard.press('Escape');
    await page.locator('.mg-panel').waitFor({ state: 'hidden' });
    await waitFocused(page, '.mg-launcher');
    assert.equal(await page.locator('.mg-launcher').getAttribute('aria-expanded'), 'false');
  }));
