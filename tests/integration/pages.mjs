// pages.mjs — the public FAQ pages on a real server (docs/public-pages.md):
// every page kind answers 200 with its type and passes `tidy -errors`;
// drafts never show; canonical URLs and the sitemap name public_base_url even
// when a hostile Host header is sent; search finds an entry asked in kana
// only and with a typo; feedback from a page lands in the statistics the
// supervisors read; a publish through the console shows on the page at once
// (the cache is invalidated); bad input gets a clear 4xx and the server
// keeps answering; the chat's answers carry the entry's page_url.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addUser, post, scratch, skipReason, staffLogin, startServer } from './lib.mjs';

const BASE = 'https://faq.city.example';
const haveTidy = spawnSync('tidy', ['-v']).status === 0;

/** One raw HTTP/1.1 request (any Host header); resolves to { status, headers, body }. */
function raw(port, request) {
  return new Promise((res, rej) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(request));
    const chunks = [];
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', rej);
    sock.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (!m) { rej(new Error(`no status: ${text.slice(0, 200)}`)); return; }
      const [head, ...rest] = text.split('\r\n\r\n');
      res({ status: Number(m[1]), headers: head, body: rest.join('\r\n\r\n') });
    });
  });
}

/** tidy -errors -q on html: resolves to its output ("" when clean) and exit status. */
function tidy(html, dir, name) {
  const file = join(dir, `${name}.html`);
  writeFileSync(file, html);
  const r = spawnSync('tidy', ['-errors', '-q', file], { encoding: 'utf8' });
  return { status: r.status, out: (r.stderr + r.stdout).trim() };
}

async function get(base, path) {
  const res = await fetch(base + path, { redirect: 'manual' });
  return { status: res.status, type: res.headers.get('content-type'), headers: res.headers, body: await res.text() };
}

test('public FAQ pages', { skip: skipReason, timeout: 120000 }, async (t) => {
  const tmp = scratch();
  await addUser(tmp.db, 'kansa', 'supervisor', null, 'kansa password 1');
  const srv = await startServer(tmp.db, { config: { pages: true, public_base_url: `${BASE}/`, max_msgs_per_sec: 50 } });
  try {
    const sup = await staffLogin(srv.base, 'kansa', 'kansa password 1');

    await t.test('every page kind: 200, its type, tidy -errors clean', async () => {
      const kinds = {
        home: '/faq/',
        category: `/faq/category/${encodeURIComponent('住民票・戸籍')}`,
        department: '/faq/department/shimin',
        entry: '/faq/entry/saijo-0001',
        search: `/faq/search?q=${encodeURIComponent('粗大ごみの出し方')}`,
        clarify: `/faq/search?q=${encodeURIComponent('マイナンバーカード')}`,
        none: `/faq/search?q=${encodeURIComponent('ぴよぴよ星のもふもふ祭りの参加券')}`,
        accessibility: '/faq/accessibility',
        thanks: '/faq/thanks/saijo-0001?helpful=0',
        notfound: '/faq/entry/no-such-entry',
      };
      for (const [name, path] of Object.entries(kinds)) {
        const r = await get(srv.base, path);
        assert.equal(r.status, name === 'notfound' ? 404 : 200, `${name} ${path}`);
        assert.equal(r.type, 'text/html; charset=utf-8', name);
        assert.match(r.headers.get('content-security-policy'), /default-src 'self'/, name);
        assert.equal(r.headers.get('x-content-type-options'), 'nosniff', name);
        assert.match(r.body, /<html lang="ja">/, name);
        assert.match(r.body, /<main id="main"/, name);
        if (haveTidy) {
          const td = tidy(r.body, tmp.dir, name);
          assert.equal(td.status, 0, `tidy -errors on ${name}: ${td.out}`);
        }
      }
      const sm = await get(srv.base, '/sitemap.xml');
      assert.equal(sm.status, 200);
      assert.equal(sm.type, 'application/xml; charset=utf-8');
      assert.match(sm.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<urlset xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/);
      if (!haveTidy) t.diagnostic('tidy not installed: HTML not checked (apt-get install tidy)');
    });

    await t.test('a hostile Host header changes neither canonical URLs nor the sitemap', async () => {
      const e = await raw(srv.port, 'GET /faq/entry/saijo-0001 HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n');
      assert.equal(e.status, 200);
      assert.match(e.body, /<link rel="canonical" href="https:\/\/faq\.city\.example\/faq\/entry\/saijo-0001">/);
      assert.doesNotMatch(e.body, /evil\.example/);
      const s = await raw(srv.port, 'GET /sitemap.xml HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: evil.example\r\nConnection: close\r\n\r\n');
      assert.equal(s.status, 200);
      assert.doesNotMatch(s.body, /evil\.example/);
      const locs = [...s.body.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1]);
      assert.ok(locs.length > 150, `${locs.length} URLs`);
      assert.ok(locs.every((l) => l.startsWith(`${BASE}/faq/`)), locs.find((l) => !l.startsWith(`${BASE}/faq/`)));
      assert.ok(locs.includes(`${BASE}/faq/entry/saijo-0001`));
    });

    await t.test('search tolerates kana and typos like the chat', async () => {
      for (const q of ['じゅうみんひょう', '住民表の写し']) {
        const r = await get(srv.base, `/faq/search?q=${encodeURIComponent(q)}`);
        assert.equal(r.status, 200);
        assert.match(r.body, /href="\/faq\/entry\/saijo-0001"/, q);
      }
      const none = await get(srv.base, `/faq/search?q=${encodeURIComponent('ぴよぴよ星のもふもふ祭りの参加券')}`);
      assert.match(none.body, /職員に質問する/);
      const x = await get(srv.base, `/faq/search?q=${encodeURIComponent('"><script>alert(1)</script>')}`);
      assert.equal(x.status, 200);
      assert.doesNotMatch(x.body, /<script>alert/);
    });

    await t.test('feedback from a page is stored where the supervisors count it', async () => {
      const before = (await sup.get('/stats')).body.totals;
      const form = 'id=saijo-0001&helpful=0';
      const foreign = await post(srv.base, '/faq/feedback', form,
        { contentType: 'application/x-www-form-urlencoded', headers: { origin: 'https://evil.example' } });
      assert.equal(foreign.status, 403, 'a POST from another site is refused');
      const r = await fetch(`${srv.base}/faq/feedback`, { method: 'POST', redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.base }, body: form });
      assert.equal(r.status, 303);
      assert.equal(r.headers.get('location'), '/faq/thanks/saijo-0001?helpful=0');
      const r2 = await fetch(`${srv.base}/faq/feedback`, { method: 'POST', redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE }, body: 'id=saijo-0001&helpful=1' });
      assert.equal(r2.status, 303, 'the public origin (behind a proxy) is our own');
      const after = (await sup.get('/stats')).body.totals;
      assert.equal(after.not_helpful, before.not_helpful + 1);
      assert.equal(after.helpful, before.helpful + 1);
      const bad = await post(srv.base, '/faq/feedback', 'id=no-such-entry&helpful=1', { contentType: 'application/x-www-form-urlencoded' });
      assert.equal(bad.status, 404);
      const missing = await post(srv.base, '/faq/feedback', 'helpful=1', { contentType: 'application/x-www-form-urlencoded' });
      assert.equal(missing.status, 400);
      const get405 = await get(srv.base, '/faq/feedback');
      assert.equal(get405.status, 405);
    });

    await t.test('drafts never show; a publish shows at once (cache invalidated)', async () => {
      const first = await get(srv.base, '/faq/entry/saijo-0002');
      assert.equal(first.status, 200);
      const again = await get(srv.base, '/faq/entry/saijo-0002');
      assert.match(again.headers.get('server-timing'), /^cache;/, 'the second read comes from the cache');
      const edit = await sup.put('/faq/saijo-0002', { question: 'QDRAFT 代理人の請求（改訂）', answer: '改訂した回答です。' });
      assert.equal(edit.status, 200, JSON.stringify(edit.body));
      const draftView = await get(srv.base, '/faq/entry/saijo-0002');
      assert.doesNotMatch(draftView.body, /QDRAFT/, 'the draft is not on the page');
      const cat = await get(srv.base, `/faq/category/${encodeURIComponent('住民票・戸籍')}`);
      assert.doesNotMatch(cat.body, /QDRAFT/);
      const pub = await sup.post('/faq/saijo-0002/publish', {});
      assert.equal(pub.status, 200, JSON.stringify(pub.body));
      const after = await get(srv.base, '/faq/entry/saijo-0002');
      assert.match(after.body, /QDRAFT 代理人の請求（改訂）/, 'the published text shows at once');
      assert.match(after.headers.get('server-timing'), /^render;/);
    });

    await t.test('bad input: clear 4xx, the server keeps answering', async () => {
      const badPath = await raw(srv.port, 'GET /faq/category/%FF%FE HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.equal(badPath.status, 400);
      assert.match(badPath.body, /文字コード/);
      const badQ = await raw(srv.port, 'GET /faq/search?q=%C3%28 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.equal(badQ.status, 400);
      const huge = await get(srv.base, `/faq/search?q=${encodeURIComponent('あ'.repeat(1001))}`);
      assert.equal(huge.status, 400);
      assert.match(huge.body, /長すぎます/);
      const max = await get(srv.base, `/faq/search?q=${encodeURIComponent('あ'.repeat(1000))}`);
      assert.equal(max.status, 200, 'exactly MG_TEXT_MAX code points is fine');
      for (const p of ['/faq/entry/..%2F..%2Fetc', '/faq/entry/saijo-9999', '/faq/department/nope', '/faq/category/nope', '/faq/thanks/nope']) {
        const r = await get(srv.base, p);
        assert.equal(r.status, 404, p);
      }
      const del = await fetch(`${srv.base}/faq/`, { method: 'DELETE' });
      assert.equal(del.status, 405);
      const health = await get(srv.base, '/healthz');
      assert.equal(health.status, 200);
    });

    await t.test('the chat answer carries page_url', async () => {
      const r = await post(srv.base, '/api/v1/ask', { text: '住民票の写しはどこで取得できますか？' });
      assert.equal(r.status, 200);
      assert.equal(r.body.page_url, `${BASE}/faq/entry/${r.body.faq_id}`);
    });
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});

test('pages off: /faq is not served and answers carry no page_url', { skip: skipReason }, async () => {
  const tmp = scratch();
  const srv = await startServer(tmp.db);
  try {
    const r = await fetch(`${srv.base}/faq/`);
    assert.equal(r.status, 404);
    const a = await post(srv.base, '/api/v1/ask', { text: '住民票の写しはどこで取得できますか？' });
    assert.equal(a.body.page_url, undefined);
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
