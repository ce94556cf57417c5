// The browser tests measure layout, line breaks and (later) screenshots; on a
// machine without a Japanese font Chromium draws missing-glyph boxes and all
// of that means nothing. The install step adds Debian's fonts-noto-cjk; this
// test asks Chromium (DevTools CSS.getPlatformFontsForNode) which font it
// really used for the widget's Japanese text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask } from './lib.mjs';

test('the widget\'s Japanese text is drawn with a real Japanese font (Noto CJK)', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page }) => {
    await openWidget(page);
    const answer = await ask(page, '住民票の写しはどこで取得できますか？');
    await answer.locator('.mg-text').first().evaluate((e) => e.setAttribute('data-font-probe', '1'));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: '[data-font-probe]' });
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    const used = fonts.map((f) => `${f.familyName} (${f.glyphCount})`).join(', ');
    const cjk = fonts.filter((f) => /Noto (Sans|Serif) CJK/.test(f.familyName));
    assert.ok(cjk.length > 0, `fonts used: ${used}`);
    const glyphs = fonts.reduce((n, f) => n + f.glyphCount, 0);
    assert.ok(cjk.reduce((n, f) => n + f.glyphCount, 0) >= glyphs / 2, `most glyphs come from Noto CJK: ${used}`);
  }));
