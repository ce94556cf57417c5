// An emergency wins over every FAQ answer and is shown as an alert with 119.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask } from './lib.mjs';

test('家が火事です → 119 shown as an alert', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page }) => {
    await openWidget(page);
    const reply = await ask(page, '家が火事です');
    assert.equal(await reply.getAttribute('data-rule-kind'), 'emergency');
    assert.equal(await reply.getAttribute('role'), 'alert');
    await page.getByRole('alert').filter({ hasText: '119' }).waitFor();
    // the number can be called with one tap
    await reply.locator('a[href="tel:119"]').first().waitFor();
    // and it looks urgent: a red border, not the ordinary bot bubble
    const border = await reply.evaluate((e) => getComputedStyle(e).borderTopColor);
    assert.equal(border, 'rgb(179, 38, 30)');
  }));
