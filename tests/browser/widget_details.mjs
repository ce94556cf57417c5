// Details of the resident's chat that issue 14 found wrong: "was this
// helpful" under replies that are not answers, no way out of a clarify but
// the listed entries, and Japanese line breaking that split phone numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask } from './lib.mjs';

const VAGUE = ['マイナンバーカード', '住民票', '国民健康保険', 'ごみ', '保育所', '介護'];

test('feedback buttons only under answers to questions', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page }) => {
    await openWidget(page);
    const emergency = await ask(page, '家が火事です');
    assert.equal(await emergency.getAttribute('data-rule-kind'), 'emergency');
    assert.equal(await emergency.locator('.mg-feedback').count(), 0, 'no feedback under the emergency card');

    const hello = await ask(page, 'こんにちは');
    assert.match(await hello.getAttribute('data-rule-kind') || '', /^(greeting|smalltalk)$/);
    assert.equal(await hello.locator('.mg-feedback').count(), 0, 'none under a greeting');

    const person = await ask(page, '職員と話したい');
    assert.equal(await person.getAttribute('data-rule-kind'), 'handoff');
    assert.equal(await person.locator('.mg-feedback').count(), 0, 'none under a hand-off');

    const answer = await ask(page, '住民票の写しはどこで取得できますか？');
    assert.match(await answer.getAttribute('class'), /mg-answer/);
    assert.equal(await answer.locator('.mg-feedback').count(), 1, 'an answer to a question asks for feedback');
  }));

test('a clarify offers "none of these" → the escalation form with the question', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page }) => {
    await openWidget(page);
    let clarify = null, asked = '';
    for (const q of VAGUE) {
      const reply = await ask(page, q);
      if (/mg-clarify/.test(await reply.getAttribute('class'))) { clarify = reply; asked = q; break; }
    }
    assert.ok(clarify, `none of ${VAGUE.join(', ')} was answered with choices`);
    const none = clarify.getByRole('button', { name: 'どれも当てはまらない（職員に問い合わせる）' });
    await none.click();
    const form = page.locator('form.mg-escalate');
    await form.waitFor();
    const q = form.getByLabel('お問い合わせ内容');
    assert.equal(await q.inputValue(), asked, 'the question is already in the form');
    assert.ok(await q.evaluate((e) => e === document.activeElement), 'and the focus is on it');
    assert.equal(await clarify.locator('button.mg-choice:not([disabled])').count(), 0, 'the choices are spent');
  }));

test('phone numbers never break across lines; strict kinsoku', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page }) => {
    await openWidget(page);
    const answer = await ask(page, '住民票の写しはどこで取得できますか？');
    const tel = answer.locator('a.mg-tel').first();
    await tel.waitFor();
    assert.equal(await tel.evaluate((e) => getComputedStyle(e).whiteSpace), 'nowrap');
    assert.equal(await answer.evaluate((e) => getComputedStyle(e).lineBreak), 'strict');
    // at 320 px the number still sits on one line
    await page.setViewportSize({ width: 320, height: 700 });
    const rects = await tel.evaluate((e) => e.getClientRects().length);
    assert.equal(rects, 1, 'one line box for the phone number');
  }));
