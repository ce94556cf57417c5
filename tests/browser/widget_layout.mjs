// Layout and contrast: full screen on a phone (390×844), a corner panel on a
// desktop (1280×800), everything on screen at 200 % zoom (a 1280×800 window at
// 200 % lays out as 640×400 CSS pixels, which is what the viewport below is),
// and text contrast of at least 4.5:1 everywhere in an open conversation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask } from './lib.mjs';

const box = (page, sel) => page.locator(sel).first().boundingBox();
function inside(b, vp, what) {
  assert.ok(b, `${what} is rendered`);
  assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= vp.width + 0.5 && b.y + b.height <= vp.height + 0.5,
    `${what} is inside the ${vp.width}×${vp.height} viewport: ${JSON.stringify(b)}`);
}

// The lowest contrast ratio of text against its effective background, over
// every element that holds text directly in the widget.
function worstContrast() {
  const lum = (c) => {
    const v = c.slice(0, 3).map((x) => x / 255).map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  };
  const rgba = (s) => (s.match(/[\d.]+/g) || []).map(Number);
  const bgOf = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) return c;
    }
    return [255, 255, 255];
  };
  let worst = { ratio: 99 };
  for (const el of document.querySelectorAll('.mg-root *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || el.closest('.mg-sr')) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || parseFloat(s.opacity) < 1 && !el.closest('.mg-sent')) continue;
    const a = lum(rgba(s.color)), b = lum(bgOf(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < worst.ratio) worst = { ratio, text: el.textContent.trim().slice(0, 30), color: s.color, bg: bgOf(el).join(',') };
  }
  return worst;
}

test('phone full screen, desktop corner, 200 % zoom, contrast', { skip: skipReason }, (t) =>
  withWidget(t, async ({ page }) => {
    const desk = { width: 1280, height: 800 };
    await openWidget(page);
    await ask(page, '住民票の写しはどこで取得できますか？');
    const p = await box(page, '.mg-panel');
    inside(p, desk, 'panel');
    assert.ok(p.width < desk.width / 2, 'desktop: a panel in the corner, not the whole page');

    const worst = await page.evaluate(worstContrast);
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
