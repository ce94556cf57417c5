// Details of the resident's chat that issue 14 found wrong: "was this
// helpful" under replies that are not answers, no way out of a clarify but
// the listed entries, and Japanese line breaking that split phone numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask, cli } from './lib.mjs';

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

test('#8000 and "119番" in an FAQ answer are links; "110円" in a staff reply is not', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page, db }) => {
    await openWidget(page);
    const answer = await ask(page, '休日や夜間に具合が悪くなったとき、診てもらえる病院は？');
    assert.equal(await answer.getAttribute('data-faq-id'), 'saijo-0096');
    const hrefs = await answer.locator('.mg-text a.mg-tel').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(hrefs.includes('tel:%238000'), `#8000 is a link: ${hrefs}`);
    assert.ok(hrefs.includes('tel:119'), `119番 is a link: ${hrefs}`);

    await ask(page, 'ぴよぴよ星のもふもふ祭りの参加券はどこで買えますか');
    await page.locator('form.mg-escalate').getByRole('button', { name: '職員に問い合わせる' }).click();
    const no = (await page.locator('.mg-ticket .mg-ticket-no').textContent()).trim();
    await cli(['tickets', 'reply', no, '参加券は110円です。夜に子どもが熱を出したら#8000へ。', '--db', db]);
    const staff = page.locator('.mg-staff', { hasText: '110円' });
    await staff.waitFor();
    const staffLinks = await staff.locator('a.mg-tel').evaluateAll((as) => as.map((a) => a.textContent));
    assert.deepEqual(staffLinks, ['#8000'], 'a price is not a phone number');
    assert.equal(await staff.locator('.mg-staff-head .mg-ticket-no').evaluate((e) => getComputedStyle(e).whiteSpace),
      'nowrap', 'the ticket number in the reply\'s heading does not break');
  }));
