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

test('an unsure danger (焦げ臭い) gets a safety note with a callable 119 before anything else', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page }) => {
    await openWidget(page);
    await ask(page, '焦げ臭い');
    const note = page.locator('.mg-safety').first();
    await note.waitFor();
    assert.equal(await note.getAttribute('role'), 'note');
    await note.locator('a[href="tel:119"]').first().waitFor();
    // a note is not the emergency card: no alert on the page
    assert.equal(await page.getByRole('alert').count(), 0);
  }));

test('a question in English gets an English line naming the department', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page }) => {
    await openWidget(page);
    const reply = await ask(page, 'How do I throw away a large sofa?');
    const line = reply.locator('.mg-english[lang="en"]');
    await line.waitFor();
    assert.match(await line.textContent(), /phone 0\d/);
    assert.equal(await reply.getAttribute('data-faq-id') !== null, true);
  }));
