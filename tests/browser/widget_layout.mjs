// Layout and contrast: full screen on a phone (390×844), a corner panel on a
// desktop (1280×800), everything on screen at 200 % zoom (a 1280×800 window at
// 200 % lays out as 640×400 CSS pixels, which is what the viewport below is),
// and text contrast of at least 4.5:1 everywhere in an open conversation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask, worstContrast } from './lib.mjs';

const box = (page, sel) => page.locator(sel).first().boundingBox();
function inside(b, vp, what) {
  assert.ok(b, `${what} is rendered`);
  assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= vp.width + 0.5 && b.y + b.height <= vp.height + 0.5,
    `${what} is inside the ${vp.width}×${vp.height} viewport: ${JSON.stringify(b)}`);
}

test('phone full screen, desktop corner, 200 % zoom, contrast', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page }) => {
    const desk = { width: 1280, height: 800 };
    await openWidget(page);
    await ask(page, '住民票の写しはどこで取得できますか？');
    const p = await box(page, '.mg-panel');
    inside(p, desk, 'panel');
    assert.ok(p.width < desk.width / 2, 'desktop: a panel in the corner, not the whole page');

    const worst = await page.evaluate(worstContrast, '.mg-root *');
    t.diagnostic(`lowest text contrast in the widget: ${worst.ratio.toFixed(2)}:1 (${worst.text})`);
    assert.ok(worst.ratio >= 4.5, `text contrast ≥ 4.5:1, worst ${JSON.stringify(worst)}`);

    const phone = { width: 390, height: 844 };
    await page.setViewportSize(phone);
    const f = await box(page, '.mg-panel');
    assert.deepEqual([f.x, f.y, f.width, f.height].map(Math.round), [0, 0, phone.width, phone.height],
      'phone: the panel fills the screen');
    inside(await box(page, '.mg-send'), phone, 'send button');

    const zoom = { width: 640, height: 400 };
    await page.setViewportSize(zoom);
    for (const sel of ['.mg-panel', '.mg-close', 'textarea.mg-input', '.mg-send']) {
      inside(await box(page, sel), zoom, `200 %: ${sel}`);
    }
    const overflow = await page.locator('.mg-log').evaluate((e) => e.scrollWidth - e.clientWidth);
    assert.ok(overflow <= 1, '200 %: no sideways scrolling in the log');
  }));
