// checklists.mjs — life-event checklists on a real server (issue 16 items
// 2–4, docs/public-pages.md "Checklists"): the chat recognises a told life
// event and answers with a `checklist` message (questions with their
// options, the procedures with their conditions, the page's URL); a death
// happening now still gets 119 and no checklist; the index and every
// event's page answer 200, tidy -errors clean, with the resident CSP and a
// script file (no inline script); an unknown event is 404; a procedure
// staff add in the console shows on the page only once published; and the
// supervisors' statistics count answers that sent residents online versus
// to a counter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resident, addUser, scratch, skipReason, staffLogin, startServer } from './lib.mjs';

const BASE = 'https://faq.city.example';
const haveTidy = spawnSync('tidy', ['-v']).status === 0;
const EVENTS = ['tennyu', 'tenshutsu', 'tenkyo', 'shussei', 'okuyami', 'konin', 'rikon', 'shugaku', '65sai'];

async function get(base, path) {
  const res = await fetch(base + path, { redirect: 'manual' });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

function tidy(html, dir, name) {
  const file = join(dir, `${name}.html`);
  writeFileSync(file, html);
  const r = spawnSync('tidy', ['-errors', '-q', file], { encoding: 'utf8' });
  return { status: r.status, out: (r.stderr + r.stdout).trim() };
}

test('life-event checklists', { skip: skipReason, timeout: 120000 }, async (t) => {
  const tmp = scratch();
  await addUser(tmp.db, 'kansa', 'supervisor', null, 'kansa password 1');
  const srv = await startServer(tmp.db, { config: { pages: true, public_base_url: `${BASE}/`, max_msgs_per_sec: 50 } });
  try {
    await t.test('the chat recognises life events and answers with the checklist', async () => {
      const r = await Resident.hello(srv.base);
      const cases = [
        ['引っ越してきました', 'tennyu'], ['西条市に引っ越してきたので手続きを知りたい', 'tennyu'],
        ['県外に引っ越します', 'tenshutsu'], ['市内で引っ越します', 'tenkyo'],
        ['父が亡くなりました', 'okuyami'], ['父が亡くなりました、手続きは？', 'okuyami'],
        ['子どもが生まれました', 'shussei'], ['結婚しました', 'konin'], ['離婚しました', 'rikon'],
        ['来年子どもが小学校に入学します', 'shugaku'], ['65歳になります', '65sai'],
      ];
      let n = 0;
      for (const [text, slug] of cases) {
        const m = await r.ask(`c${n++}`, text);
        assert.equal(m.type, 'checklist', `${text}: ${JSON.stringify(m).slice(0, 300)}`);
        assert.equal(m.event, slug, text);
        assert.equal(m.url, `${BASE}/faq/checklists/${slug}`);
        assert.ok(m.title && m.questions.length >= 1 && m.items.length >= 4, text);
        for (const q of m.questions) assert.ok(q.id && q.text && q.options.length >= 2 && q.options.every((o) => o.value && o.label));
        for (const it of m.items) assert.match(it.faq_id, /^saijo-\d{4}$/);
      }
      const tennyu = (await r.ask('t1', '引っ越してきました')).items;
      assert.ok(tennyu.some((it) => it.faq_id === 'saijo-0184' && it.if === 'car=yes'), 'a conditional procedure carries its condition');
      assert.ok(tennyu.some((it) => it.faq_id === 'saijo-0015' && it.if === ''), 'an unconditional one carries none');
      // emergencies first: a death happening now is 119, never a checklist
      const em = await r.ask('e1', '父が倒れて息をしていない');
      assert.equal(em.type, 'answer', JSON.stringify(em).slice(0, 300));
      assert.match(em.answer, /119/);
      assert.equal(em.rule.kind, 'emergency');
      // a question about one procedure still gets its entry
      const one = await r.ask('q1', '住民票の写しはどこで取得できますか');
      assert.equal(one.type, 'answer');
      assert.equal(one.faq_id, 'saijo-0001');
      await r.close();
    });

    await t.test('index and every event page: 200, CSP, script file, tidy clean; unknown 404', async () => {
      const idx = await get(srv.base, '/faq/checklists/');
      assert.equal(idx.status, 200);
      for (const slug of EVENTS) assert.ok(idx.body.includes(`/faq/checklists/${slug}"`), `index links ${slug}`);
      for (const slug of EVENTS) {
        const p = await get(srv.base, `/faq/checklists/${slug}`);
        assert.equal(p.status, 200, slug);
        assert.match(p.headers.get('content-type'), /^text\/html/);
        assert.match(p.headers.get('content-security-policy') || '', /default-src 'self'/);
        assert.ok(!/<script>(?!\s*<\/script>)/.test(p.body) && !/<script(?![^>]*(src=|application\/ld\+json))/.test(p.body),
          `${slug}: no inline script`);
        assert.match(p.body, /<script src="\/checklist\.js" defer><\/script>/);
        assert.match(p.body, new RegExp(`<link rel="canonical" href="${BASE}/faq/checklists/${slug}">`));
        const items = p.body.match(/<li class="mgp-cl-item"/g) || [];
        assert.ok(items.length >= 4 && items.length <= 10, `${slug}: ${items.length} procedures`);
        if (haveTidy) {
          const r = tidy(p.body, tmp.dir, slug);
          assert.equal(r.out, '', `${slug}: tidy -errors: ${r.out}`);
        }
      }
      const tennyu = (await get(srv.base, '/faq/checklists/tennyu')).body;
      assert.match(tennyu, /data-if="car=yes"[\s\S]*?対象：車・バイクをお持ちの方/, 'the condition in words');
      assert.match(tennyu, /<legend>車やバイク（原付を含む）をお持ちですか？<\/legend>/, 'the questions as a plain form');
      assert.match(tennyu, /オンラインで申請できます/, 'online applications shown');
      assert.match(tennyu, /href="tel:0897000101"/, 'the counter with a tel: link');
      assert.equal((await get(srv.base, '/faq/checklists/nothing')).status, 404);
      assert.equal((await get(srv.base, '/checklist.js')).status, 200);
      if (haveTidy) assert.equal(tidy(idx.body, tmp.dir, 'index').out, '');
    });

    await t.test('a procedure added in the console shows once published', async () => {
      const staff = await staffLogin(srv.base, 'kansa', 'kansa password 1');
      const entry = {
        question: '転入したら図書館カードの住所も変えますか？', answer: '図書館カードの住所変更は図書館の窓口でできます（サンプル）。',
        category: '図書館', department: 'toshokan', life_events: '転入 if car and !ins=nhi', bring: '図書館カード', deadline: '', fee: '無料',
      };
      let r = await staff.post('/faq', { id: 'saijo-0901', ...entry });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.entry.life_events, entry.life_events);
      assert.ok(!(await get(srv.base, '/faq/checklists/tennyu')).body.includes('図書館カードの住所'), 'a draft does not show');
      r = await staff.post('/faq/saijo-0901/publish', {});
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const page = (await get(srv.base, '/faq/checklists/tennyu')).body;
      assert.match(page, /data-if="car=yes ins!=nhi"[\s\S]*?図書館カードの住所/, 'published: listed with its condition');
      r = await staff.post('/faq', { ...entry, id: 'saijo-0902', question: '誤り', life_events: '転入 if horse' });
      assert.equal(r.status, 400, 'an unknown question in a condition is refused');
      assert.match(JSON.stringify(r.body), /horse/);
    });

    await t.test('statistics: answers that sent residents online versus to a counter', async () => {
      const sup = await staffLogin(srv.base, 'kansa', 'kansa password 1');
      const before = (await sup.get('/stats?days=7')).body;
      assert.ok(before.online && typeof before.online.online === 'number', JSON.stringify(before).slice(0, 400));
      const r = await Resident.hello(srv.base);
      // saijo-0075 has an online application; saijo-0001 has none
      let m = await r.ask('s1', '児童手当はどうやって申請しますか？');
      assert.equal(m.faq_id, 'saijo-0075');
      assert.ok(m.online_url);
      m = await r.ask('s2', '住民票の写しはどこで取得できますか');
      assert.equal(m.faq_id, 'saijo-0001');
      assert.ok(!m.online_url);
      m = await r.ask('s3', '住民票の写しはどこで取得できますか');
      await r.close();
      const after = (await sup.get('/stats?days=7')).body;
      assert.equal(after.online.online - before.online.online, 1, JSON.stringify(after.online));
      assert.equal(after.online.counter - before.online.counter, 2, JSON.stringify(after.online));
    });
  } finally {
    await srv.stop();
  }
});
