// The console's English and やさしい日本語 (docs/languages.md): the FAQ editor
// shows an entry's versions in labelled fields, a staff member writes the
// English version of an entry that has none and saves it as a draft, and the
// 翻訳の不足 view lists per department what is left — axe-clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeMissing, axeViolations, openConsole, skipReason, withWidget } from './lib.mjs';
import { addUser } from '../integration/lib.mjs';

test('console: translation fields and the missing-translations view', { skip: skipReason || axeMissing }, (t) =>
  withWidget(t, async ({ page, server, db }) => {
    await addUser(db, 'kansa', 'supervisor', null, 'kansa password 1');
    const { admin, errors } = await openConsole(page, server.url, 'kansa', 'kansa password 1');

    await admin.goto(`${server.url}admin/#/faq/saijo-0057`);
    const qen = admin.getByLabel('質問（英語）');
    await qen.waitFor();
    assert.match(await qen.inputValue(), /large items/);
    assert.match(await admin.getByLabel('回答（やさしい日本語）').inputValue(), /そだいごみ/);

    await admin.locator('#nav a[href="#/translations"]').click();
    const depts = admin.locator('#translations-depts');
    await depts.waitFor();
    const kankyo = depts.locator('tr', { has: admin.locator('th', { hasText: '環境衛生課' }) });
    const cells = await kankyo.locator('td').allTextContents();
    assert.ok(Number(cells[1]) < Number(cells[0]), `環境衛生課 has some English versions: ${cells}`);
    await depts.getByRole('link', { name: '中央図書館' }).click();
    await admin.locator('#translations-entries caption', { hasText: 'toshokan' }).waitFor();
    const bad = await axeViolations(admin, 'console 翻訳の不足');
    assert.deepEqual(bad, [], bad.join('\n'));

    // write the English version of a library entry: a draft until published
    await admin.locator('#translations-entries a', { hasText: 'saijo-0135' }).click();
    await admin.getByLabel('質問（英語）').fill('When is the library open?');
    await admin.getByLabel('回答（英語）').fill('The Central Library opens at 9:30 (sample).');
    await admin.locator('#faq-save').click();
    await admin.locator('#status', { hasText: '下書きを保存しました' }).waitFor();
    assert.deepEqual(errors, []);
  }));
