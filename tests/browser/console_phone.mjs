// The staff console on a phone (390×844, the issue "every screen works on a
// phone"), against a real server with a ticket, an unanswered question, a
// resident's phrasing, an FAQ draft and an audit trail in it:
//  - on every view (login, FAQ list, an FAQ's edit page, the open inbox, the
//    list of all tickets, a ticket, unanswered questions, phrasings, stats,
//    audit log, users, personal-data requests) nothing is wider than the
//    screen: the page has no sideways scroll and no element reaches past the
//    right edge;
//  - the tables there are stacked cards: each cell is a block that names its
//    column (td::before shows the header text, taken from data-label);
//  - every button, menu link and form field is at least 44×44 px, and the
//    fields span the width of the view;
//  - back at 1280 px the same tables are tables again: cells side by side in a
//    row, the header row visible, no column names in the cells.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, withWidget, openWidget, ask, cli, openConsole } from './lib.mjs';
import { addUser } from '../integration/lib.mjs';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

/** Go to a view of the console and wait until `ready` is in it. */
async function go(admin, hash, ready) {
  await admin.evaluate((h) => { document.getElementById('view').replaceChildren(); location.hash = h; }, hash);
  await admin.locator('#view-title').waitFor();
  await admin.locator(ready).first().waitFor();
}

/** What on the page does not fit a phone: sideways scroll, elements past the edge, small targets. */
function phoneProblems() {
  const out = [];
  const vw = window.innerWidth;
  const de = document.documentElement;
  if (de.scrollWidth > vw) out.push(`page scrolls sideways: scrollWidth ${de.scrollWidth} > ${vw}`);
  const clipped = (e) => {
    for (let p = e.parentElement; p; p = p.parentElement) {
      if (p === document.body || p === de) return false;
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const name = (e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().replace(/\s+/g, '.') : ''}` +
    ` "${(e.textContent || e.getAttribute('aria-label') || '').trim().slice(0, 20)}"`;
  const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  for (const e of document.querySelectorAll('header *, #main *')) {
    if (!shown(e) || clipped(e)) continue;
    const r = e.getBoundingClientRect();
    if (r.right > vw + 0.5) out.push(`${name(e)} reaches past the right edge: ${Math.round(r.right)} > ${vw}`);
  }
  const viewBox = document.getElementById('main').getBoundingClientRect();
  const targets = 'button, #nav a, input:not([type=checkbox]):not([type=radio]), select, textarea';
  for (const e of document.querySelectorAll(`header :is(${targets}), #main :is(${targets})`)) {
    if (!shown(e) || clipped(e)) continue;
    const r = e.getBoundingClientRect();
    if (r.width < 44 || r.height < 44) out.push(`${name(e)} is ${Math.round(r.width)}×${Math.round(r.height)}, smaller than 44×44`);
    // a field shares its line with nothing else: it spans the view (less main's padding)
    if (e.matches('#main :is(input, select, textarea)') && !e.closest('td') && r.width < viewBox.width * 0.75) {
      out.push(`${name(e)} is ${Math.round(r.width)} px wide in a ${Math.round(viewBox.width)} px view`);
    }
  }
  return out;
}

/** How the tables of the view are drawn: per table, its cells' display and column names. */
function tableLayout() {
  return [...document.querySelectorAll('#view table')].filter((t) => t.getClientRects().length).map((t) => {
    const heads = [...t.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    const row = t.querySelector('tbody tr');
    const cells = row ? [...row.children] : [];
    return {
      heads,
      headHeight: t.querySelector('thead').getBoundingClientRect().height,
      display: cells.map((c) => getComputedStyle(c).display),
      empty: cells.map((c) => !c.children.length && !c.textContent),
      // the column name shown before each cell's content ('none' when nothing is drawn there)
      before: cells.map((c) => getComputedStyle(c, '::before').content),
      tops: cells.map((c) => Math.round(c.getBoundingClientRect().top)),
      rows: t.querySelectorAll('tbody tr').length,
    };
  });
}

test('the console at 390 px: every view fits, tables are cards, targets are 44 px', { skip: skipReason, timeout: 180000 }, (t) =>
  withWidget(t, async ({ page, server, db }) => {
    // a resident: a question the FAQ cannot answer, sent to staff; a phrasing chosen from a clarify
    await openWidget(page);
    await ask(page, 'ぴよぴよ星のもふもふ祭りの参加券はどこで買えますか');
    await page.locator('form.mg-escalate').getByRole('button', { name: '職員に問い合わせる' }).click();
    const no = (await page.locator('.mg-ticket .mg-ticket-no').textContent()).trim();
    const clarify = await ask(page, 'ワンちゃんの注射');
    await clarify.locator('button[data-faq-id="saijo-0066"]').click();
    await page.locator('.mg-answer[data-faq-id="saijo-0066"]').waitFor();

    await addUser(db, 'kanri', 'admin', null, 'kanri password 1');
    const admin = await page.context().newPage();
    const errors = [];
    admin.on('pageerror', (e) => errors.push(String(e)));
    await admin.goto(`${server.url}admin/`);
    await admin.getByLabel('ログインID').waitFor();
    assert.deepEqual(await admin.evaluate(phoneProblems), [], 'login page');
    await admin.close();

    const { admin: con, errors: conErrors } = await openConsole(page, server.url, 'kanri', 'kanri password 1');
    assert.deepEqual(con.viewportSize(), PHONE);
    const checked = [];
    const check = async (what, { tables = 0 } = {}) => {
      const problems = await con.evaluate(phoneProblems);
      assert.deepEqual(problems, [], `${what} at 390 px`);
      const layout = await con.evaluate(tableLayout);
      assert.ok(layout.length >= tables, `${what}: ${tables} table(s) drawn, found ${layout.length}`);
      for (const tb of layout.filter((x) => x.rows)) {
        // an empty cell is left out of the card (no column name over nothing)
        assert.deepEqual(tb.display, tb.empty.map((e) => (e ? 'none' : 'block')),
          `${what}: cells are blocks (${tb.heads.join('|')})`);
        assert.ok(tb.headHeight <= 1, `${what}: the header row is only for screen readers (${tb.headHeight} px)`);
        // each cell names its column; a column with no name (the FAQ history's badge) names nothing
        assert.deepEqual(tb.before, tb.heads.map((h) => (h ? JSON.stringify(h) : 'none')),
          `${what}: each cell shows its column's name`);
      }
      checked.push(what);
      return layout;
    };

    // the inbox (the console opens on it) with the open ticket
    await con.locator('#ticket-list a', { hasText: no }).waitFor();
    await check('inbox', { tables: 1 });

    await go(con, '#/faq', '#faq-table table');
    await check('FAQ list', { tables: 1 });

    // an FAQ: edit it on the phone (this also puts a before/after into the audit log)
    await go(con, '#/faq/saijo-0001', '#faq-save');
    await con.getByLabel('回答', { exact: true }).fill('電話で直した回答です。市民課でお取りください。');
    await con.locator('#faq-save').click();
    await con.locator('#status', { hasText: '下書きを保存しました' }).waitFor();
    await con.locator('#view-title', { hasText: 'saijo-0001' }).waitFor();
    await con.getByRole('button', { name: '版1との差分' }).waitFor();
    await check('FAQ edit page', { tables: 1 });

    // staff answer the ticket: it has a reply and events, and leaves the open inbox
    await cli(['tickets', 'reply', no, '参加券は市民会館で販売しています（サンプル）。', '--db', db]);
    await go(con, '#/tickets?status=', `#ticket-list a:text("${no}")`);
    await check('all tickets', { tables: 1 });
    await go(con, `#/tickets/${encodeURIComponent(no)}`, '#reply-text');
    await con.locator('.transcript.thread li.staff').waitFor();
    await check('a ticket', { tables: 1 });

    await go(con, '#/unanswered', '#view table tbody tr');
    await check('unanswered questions', { tables: 1 });
    await go(con, '#/phrasings', '#phrasings-table tbody tr');
    await check('phrasings', { tables: 1 });
    await go(con, '#/stats', '#view .cards');
    await check('stats', { tables: 4 });
    await go(con, '#/audit', '#view table tbody tr');
    await con.locator('#view td', { hasText: 'FAQ編集' }).first().locator('xpath=..').locator('details').first().click();
    await check('audit log (a before/after opened)', { tables: 1 });
    await go(con, '#/users', '#view table tbody tr');
    await con.getByRole('button', { name: '編集' }).first().click();
    await con.locator('#user-edit-title').waitFor();
    await check('users (with an account\'s edit form)', { tables: 1 });
    await go(con, '#/privacy', '#pv-phone');
    await check('personal-data requests');
    t.diagnostic(`checked at 390 px: ${checked.join(', ')}`);

    // a desktop: the same tables are tables
    await con.setViewportSize(DESKTOP);
    for (const [hash, ready] of [['#/faq', '#faq-table table'], ['#/users', '#view table tbody tr'],
      [`#/tickets/${encodeURIComponent(no)}`, '#reply-text'], ['#/audit', '#view table tbody tr']]) {
      await go(con, hash, ready);
      const layout = await con.evaluate(tableLayout);
      assert.ok(layout.length >= 1, `${hash}: a table`);
      for (const tb of layout.filter((x) => x.rows)) {
        assert.ok(tb.display.every((d) => d === 'table-cell'), `1280 px ${hash}: cells are table cells: ${tb.display}`);
        assert.ok(tb.headHeight > 20, `1280 px ${hash}: the header row is shown (${tb.headHeight} px)`);
        assert.ok(tb.before.every((b) => b === 'none'), `1280 px ${hash}: no column names in the cells: ${tb.before}`);
        assert.equal(new Set(tb.tops).size, 1, `1280 px ${hash}: a row's cells side by side: ${tb.tops}`);
      }
      const bar = await con.locator('header.bar').boundingBox();
      assert.ok(bar.height < 100, `1280 px ${hash}: the menu bar stays a bar (${bar.height} px)`);
    }
    assert.deepEqual([...errors, ...conErrors], []);
  }, { viewport: PHONE, config: { learn_min_sessions: 1, learn_min_addresses: 1 } }));
