// Text from the server and from the resident is shown as text, never as HTML:
// an FAQ entry whose question, answer and address hold markup, a resident who
// types markup, and the same text again when the transcript comes back as
// history after a reload. Nothing runs, and no element is created from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask, cli } from './lib.mjs';

const ANSWER = '<img src=x onerror="window.__xss=1">ぴよぴよ窓口はありません。<script>window.__xss=2</script>';
const TYPED = '<img src=y onerror="window.__xss=3">ぴよぴよ窓口 <b>太字</b>';

const setup = (db) => cli(['faq', 'add', '--db', db, '--id', 'saijo-9001', '--by', 'test',
  '--question', '<b>テスト用の質問</b>ぴよぴよ窓口はどこ？', '--answer', ANSWER,
  '--department', 'shimin', '--keyword', 'ぴよぴよ窓口', '--url', 'https://example.jp/piyo?a="><b>x</b>']);

test('markup in FAQ text, typed text and history is shown as text', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page }) => {
    await openWidget(page);
    const reply = await ask(page, 'ぴよぴよ窓口はどこ？');
    assert.equal(await reply.getAttribute('data-faq-id'), 'saijo-9001');
    assert.equal(await reply.locator('.mg-text').textContent(), ANSWER);
    await reply.getByText('<b>テスト用の質問</b>', { exact: false }).waitFor();
    assert.equal(await reply.locator('img, script, b').count(), 0, 'no element made from the answer');
    const more = reply.locator('.mg-more a');
    // the address is linked as the URL parser encodes it
    assert.equal(await more.getAttribute('href'), new URL('https://example.jp/piyo?a="><b>x</b>').href);

    await ask(page, TYPED);
    const mine = page.locator('.mg-resident').last();
    assert.match(await mine.textContent(), /<img src=y onerror="window.__xss=3">ぴよぴよ窓口 <b>太字<\/b>/);
    assert.equal(await page.locator('.mg-log img, .mg-log script, .mg-log b').count(), 0);

    await page.reload(); // the transcript comes back from the server as history
    await openWidget(page);
    await page.locator('.mg-notice', { hasText: '前回の会話の続きです' }).waitFor();
    await page.locator('.mg-history', { hasText: 'ぴよぴよ窓口はありません' }).first().waitFor();
    assert.equal(await page.locator('.mg-log img, .mg-log script, .mg-log b').count(), 0);
    assert.equal(await page.evaluate(() => window.__xss), undefined, 'no injected script ran');
  }, { setup }));
