// Answers in English and やさしい日本語 over the real server's /ws
// (docs/languages.md): hello and ask carry `lang`; an English question is
// answered from the entry's English version where it has one, else in
// Japanese with an English line naming the department and its number;
// easy Japanese chosen gives the easy version; the bot's own words and the
// emergency card follow the language (the English card names 119).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resident, addUser, sampleWithoutEnglish, scratch, skipReason, staffLogin, startServer } from './lib.mjs';

const haveTidy = spawnSync('tidy', ['-v']).status === 0;

async function helloIn(base, lang) {
  const r = await Resident.connect(base);
  r.send({ type: 'hello', lang });
  r.welcome = await r.next((m) => m.type === 'welcome' || m.type === 'error');
  return r;
}

test('English and やさしい日本語 over /ws', { skip: skipReason }, async () => {
  const tmp = scratch();
  // every sample entry has an English version: library hours (saijo-0135) without one, for the fallback
  const srv = await startServer(tmp.db, { config: { sample_path: sampleWithoutEnglish(tmp.dir, ['saijo-0135']) } });
  try {
    // English chosen: the welcome is English and says so
    const en = await helloIn(srv.base, 'en');
    assert.equal(en.welcome.type, 'welcome', JSON.stringify(en.welcome));
    assert.equal(en.welcome.lang, 'en');
    assert.match(en.welcome.greeting, /^Hello\. .*119/);
    assert.match(en.welcome.privacy, /days/);

    // an English question, the entry has an English version
    let m = await en.ask('e1', 'how do i put out big garbage like sofa');
    assert.equal(m.type, 'answer', JSON.stringify(m));
    assert.equal(m.lang, 'en');
    assert.equal(m.faq_id, 'saijo-0057');
    assert.match(m.answer, /^Large items/);
    assert.equal(m.department.id, 'kankyo');
    assert.match(m.english, /0897-00-0131/);

    // an English question, the entry has none: Japanese, the English line says so with the number
    m = await en.ask('e2', 'library opening hours');
    assert.equal(m.type, 'answer', JSON.stringify(m));
    assert.equal(m.lang, 'ja');
    assert.match(m.answer, /[\u3040-\u30ff\u4e00-\u9fff]/, 'the Japanese answer');
    assert.match(m.english, /in Japanese/);
    assert.match(m.english, /0897-00-0215/, "the library's number");

    // the emergency card in English names 119
    m = await en.ask('e3', 'help my house is on fire');
    assert.equal(m.type, 'answer', JSON.stringify(m));
    assert.equal(m.rule.kind, 'emergency');
    assert.match(m.answer, /call 119/);
    assert.deepEqual(m.safety.numbers, ['119']);

    // a prompt in English: nothing found
    m = await en.ask('e4', 'qwzx plorf blarg');
    assert.ok(m.type === 'no_answer' || m.type === 'clarify', JSON.stringify(m));
    if (m.type === 'no_answer') assert.match(m.text, /^Sorry/);
    await en.close();

    // やさしい日本語 chosen
    const easy = await helloIn(srv.base, 'easy');
    assert.equal(easy.welcome.lang, 'easy');
    assert.match(easy.welcome.greeting, /しつもん を かいて/);
    m = await easy.ask('y1', '粗大ごみはどうやって出せばいいですか');
    assert.equal(m.type, 'answer', JSON.stringify(m));
    assert.equal(m.lang, 'easy');
    assert.equal(m.faq_id, 'saijo-0057');
    assert.match(m.answer, /そだいごみ/);
    assert.equal(m.english, undefined, 'no English line for easy Japanese');
    // an entry without an easy version: the normal answer
    m = await easy.ask('y2', '図書館の開館時間を教えて');
    assert.equal(m.type, 'answer', JSON.stringify(m));
    assert.equal(m.lang, 'ja');
    // the card in やさしい日本語 still names the number
    m = await easy.ask('y3', '家が火事です助けて');
    assert.equal(m.rule?.kind, 'emergency', JSON.stringify(m));
    assert.match(m.answer, /119/);
    assert.match(m.answer, /でんわ/);
    await easy.close();

    // ask may switch the language (a fresh connection: the per-connection rate limit)
    const easy2 = await helloIn(srv.base, 'easy');
    easy2.send({ type: 'ask', id: 'y5', text: '粗大ごみはどうやって出せばいいですか', lang: 'ja' });
    m = await easy2.next((x) => x.reply_to === 'y5');
    assert.equal(m.lang, 'ja', JSON.stringify(m));
    assert.match(m.answer, /粗大ごみ処理券/);
    // an unknown language is refused, not taken for Japanese
    easy2.send({ type: 'ask', id: 'y6', text: 'こんにちは', lang: 'fr' });
    m = await easy2.next((x) => x.reply_to === 'y6');
    assert.equal(m.type, 'error', JSON.stringify(m));
    await easy2.close();

    // the HTTP API takes lang too
    const api = async (body) => {
      const r = await fetch(`${srv.base}/api/v1/ask`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body) });
      return { status: r.status, body: await r.json() };
    };
    let h = await api({ text: '粗大ごみはどうやって出せばいいですか', lang: 'easy' });
    assert.equal(h.status, 200, JSON.stringify(h.body));
    assert.equal(h.body.lang, 'easy');
    h = await api({ text: '粗大ごみはどうやって出せばいいですか' });
    assert.equal(h.body.lang, 'ja');
    h = await api({ text: '粗大ごみ', lang: 'klingon' });
    assert.equal(h.status, 400, JSON.stringify(h.body));

    // no lang (older widgets): Japanese as before
    const ja = await Resident.hello(srv.base);
    assert.equal(ja.welcome.lang, 'ja');
    assert.match(ja.welcome.greeting, /こんにちは/);
    await ja.close();
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});

// The public pages take ?lang=en|easy on an entry's page (docs/public-pages.md).
test('entry pages in English and やさしい日本語: lang, canonical, hreflang, tidy', { skip: skipReason, timeout: 60000 }, async () => {
  const tmp = scratch();
  const BASE = 'https://faq.example.jp';
  // every sample entry has an English version: library hours (saijo-0135) without one, for the page without it
  const srv = await startServer(tmp.db, { config: { pages: true, public_base_url: `${BASE}/`,
    sample_path: sampleWithoutEnglish(tmp.dir, ['saijo-0135']) } });
  const get = async (path) => {
    const r = await fetch(srv.base + path);
    return { status: r.status, body: await r.text() };
  };
  const tidy = (html, name) => {
    if (!haveTidy) return;
    const file = join(tmp.dir, `${name}.html`);
    writeFileSync(file, html);
    const r = spawnSync('tidy', ['-errors', '-q', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `tidy -errors on ${name}: ${r.stderr}${r.stdout}`);
  };
  try {
    let r = await get('/faq/entry/saijo-0057?lang=en');
    assert.equal(r.status, 200);
    assert.match(r.body, /<html lang="en">/);
    assert.match(r.body, /<h1 id="mgp-h1" class="mgp-q">How do I put out large items/);
    assert.match(r.body, /<link rel="canonical" href="https:\/\/faq\.example\.jp\/faq\/entry\/saijo-0057\?lang=en">/);
    assert.match(r.body, /hreflang="en" href="https:\/\/faq\.example\.jp\/faq\/entry\/saijo-0057\?lang=en"/);
    assert.match(r.body, /hreflang="ja" href="https:\/\/faq\.example\.jp\/faq\/entry\/saijo-0057"/);
    assert.match(r.body, /<header class="site" lang="ja">/, 'the Japanese template stays marked Japanese');
    assert.match(r.body, /<li lang="en"><strong>English<\/strong><\/li>/, 'the switch shows where the resident is');
    assert.match(r.body, /<li lang="ja"><a href="\/faq\/entry\/saijo-0057">日本語<\/a><\/li>/);
    tidy(r.body, 'entry-en');

    r = await get('/faq/entry/saijo-0057?lang=easy');
    assert.match(r.body, /<html lang="ja">/);
    assert.match(r.body, /そだいごみ/);
    assert.match(r.body, /\?lang=easy">/, 'canonical of the easy page');
    tidy(r.body, 'entry-easy');

    // the plain page is still Japanese (the cache keys on the language)
    r = await get('/faq/entry/saijo-0057');
    assert.match(r.body, /<html lang="ja">/);
    assert.match(r.body, /粗大ごみ処理券/);
    assert.doesNotMatch(r.body, /Large items/);

    // no English version: Japanese text marked ja, a note, canonical to the Japanese page, no hreflang
    r = await get('/faq/entry/saijo-0135?lang=en');
    assert.equal(r.status, 200);
    assert.match(r.body, /<html lang="en">/);
    assert.match(r.body, /has not been written in English yet/);
    assert.match(r.body, /<h1 id="mgp-h1" class="mgp-q" lang="ja">/);
    assert.match(r.body, /<link rel="canonical" href="https:\/\/faq\.example\.jp\/faq\/entry\/saijo-0135">/);
    assert.doesNotMatch(r.body, /hreflang/);
    tidy(r.body, 'entry-en-missing');

    // an unknown language is the Japanese page
    r = await get('/faq/entry/saijo-0057?lang=fr');
    assert.match(r.body, /<html lang="ja">/);
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});

// Staff write a version in the console API; it is a draft until published,
// then residents who ask in English get it; the missing-translations view
// counts per department (docs/admin-api.md).
test('console: translation fields, publish, missing translations per department', { skip: skipReason, timeout: 60000 }, async () => {
  const tmp = scratch();
  await addUser(tmp.db, 'kansa', 'supervisor', null, 'kansa password 1');
  const srv = await startServer(tmp.db);
  try {
    const staff = await staffLogin(srv.base, 'kansa', 'kansa password 1');
    // every sample entry has an English version (all 193): staff take saijo-0135's out, published,
    // so that the view has an entry lacking one and the flow below writes it again
    let r = await staff.put('/faq/saijo-0135', { question_en: '', answer_en: '' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await staff.post('/faq/saijo-0135/publish', {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await staff.get('/translations?department=toshokan');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const lib = r.body.departments.find((d) => d.department === 'toshokan');
    // the true count now: the one entry taken out above (before all 193 had English: all of toshokan's)
    assert.ok(lib && lib.published >= 3 && lib.missing_en === 1, JSON.stringify(lib));
    assert.ok(r.body.entries.some((e) => e.id === 'saijo-0135' && e.missing_en && e.missing_easy));
    assert.ok(r.body.entries.every((e) => e.department === 'toshokan'), 'filtered by department');
    const kankyo = (await staff.get('/translations')).body.departments.find((d) => d.department === 'kankyo');
    // the true count now: none (with 30 English versions it was "fewer than published")
    assert.ok(kankyo.published > 0 && kankyo.missing_en === 0, 'the sample has English for all of kankyo\'s entries');

    r = await staff.put('/faq/saijo-0135', { question_en: 'When is the library open?',
      answer_en: 'The Central Library is open from 9:30 to 18:00 (sample). It is closed on Mondays (sample).' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.entry.answer_en.startsWith('The Central Library'), true);
    const diff = (await staff.get('/faq/saijo-0135/diff')).body;
    assert.ok(diff.fields.some((f) => f.field === 'answer_en' && f.changed), 'the diff shows the English answer');

    // a draft: residents still get Japanese with the fallback line
    let res = await Resident.hello(srv.base);
    let m = await res.ask('d1', 'library opening hours');
    assert.equal(m.lang, 'ja', JSON.stringify(m));
    await res.close();

    r = await staff.post('/faq/saijo-0135/publish', {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    res = await Resident.hello(srv.base);
    m = await res.ask('p1', 'library opening hours');
    assert.equal(m.lang, 'en', JSON.stringify(m));
    assert.match(m.answer, /Central Library/);
    await res.close();
    r = await staff.get('/translations?department=toshokan');
    assert.ok(!r.body.entries.some((e) => e.id === 'saijo-0135' && e.missing_en), 'no longer missing English');
    assert.ok(r.body.entries.some((e) => e.id === 'saijo-0135' && e.missing_easy), 'still missing easy Japanese');
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
