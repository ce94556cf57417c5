// The widget's language switch (docs/languages.md): a resident switches to
// English and to やさしいにほんご, asks, and reads the answer in that language
// — the entry's English or easy version, marked with its own lang attribute
// — with the widget's own words switched too; axe-core finds no serious
// WCAG 2.1 AA violation in either language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { axeMissing, axeViolations, openWidget, skipReason, waitBotReply, botCount, withWidget } from './lib.mjs';
import { sampleWithoutEnglish } from '../integration/lib.mjs';

async function askAs(page, label, send, text) {
  const before = await botCount(page);
  await page.getByLabel(label).fill(text);
  await page.getByRole('button', { name: send, exact: true }).click();
  return waitBotReply(page, before);
}

// Every sample entry has an English version: library hours (saijo-0135) without one, for the fallback.
const sampleDir = mkdtempSync(join(tmpdir(), 'mg-widget-lang-'));
const config = { sample_path: sampleWithoutEnglish(sampleDir, ['saijo-0135']) };
process.on('exit', () => rmSync(sampleDir, { recursive: true, force: true }));

test('language switch: English and やさしいにほんご answers, axe-clean', { skip: skipReason || axeMissing }, (t) =>
  withWidget(t, async ({ page }) => {
    await openWidget(page);
    const root = page.locator('[data-madoguchi="widget"]');
    assert.equal(await root.getAttribute('lang'), 'ja');
    assert.equal(await page.locator('.mg-lang[aria-pressed="true"]').textContent(), '日本語');

    // English
    await page.getByRole('button', { name: 'English', exact: true }).click();
    assert.equal(await root.getAttribute('lang'), 'en', 'the widget says it is in English (screen readers)');
    assert.equal(await page.getByRole('button', { name: 'English', exact: true }).getAttribute('aria-pressed'), 'true');
    let reply = await askAs(page, 'Type your question', 'Send', 'how do i put out big garbage like sofa');
    const en = reply.locator('.mg-text[lang="en"]');
    await en.waitFor();
    assert.match(await en.textContent(), /Large items/);
    assert.equal(await reply.getAttribute('data-department-id'), 'kankyo');
    assert.match(await reply.locator('.mg-english').textContent(), /0897-00-0131/);
    assert.match(await reply.textContent(), /Phone/, "the department card's labels are English too");
    await reply.getByRole('button', { name: 'Helpful', exact: true }).waitFor();
    // an entry without an English version: Japanese, marked ja, with the English line and the number
    reply = await askAs(page, 'Type your question', 'Send', 'library opening hours');
    await reply.locator('.mg-text[lang="ja"]').waitFor();
    assert.match(await reply.locator('.mg-english').textContent(), /in Japanese.*0897-00-0215/);
    let bad = await axeViolations(page, 'widget in English');
    assert.deepEqual(bad, [], bad.join('\n'));

    // やさしいにほんご
    await page.getByRole('button', { name: 'やさしいにほんご', exact: true }).click();
    assert.equal(await root.getAttribute('lang'), 'ja');
    reply = await askAs(page, 'しつもん を かいて ください', 'おくる', '粗大ごみはどうやって出せばいいですか');
    const easy = reply.locator('.mg-text[lang="ja"]');
    await easy.waitFor();
    assert.match(await easy.textContent(), /そだいごみ/);
    assert.doesNotMatch(await easy.textContent(), /粗大ごみ処理券/, 'not the ordinary Japanese answer');
    bad = await axeViolations(page, 'widget in やさしいにほんご');
    assert.deepEqual(bad, [], bad.join('\n'));

    // the choice is kept for the next visit
    await page.reload();
    await page.locator('.mg-launcher').click();
    await page.getByLabel('しつもん を かいて ください').waitFor();
  }, { config }));
