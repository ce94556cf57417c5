// Related entries (issue 12 item 4) over the real server: staff list an
// entry's related entries in the console API (ids refused precisely when they
// name nothing or the entry itself, the change audited), and once published
// the resident's answer card lists them first under 「関連する質問」, with
// their questions; asking one of those questions, as the widget does when a
// resident taps it, answers with that entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resident, addUser, findAnswered, scratch, skipReason, staffLogin, startServer } from './lib.mjs';

test('related entries: console field, answer card', { skip: skipReason }, async () => {
  const tmp = scratch();
  await addUser(tmp.db, 'kansa', 'supervisor', null, 'kansa password 1');
  const srv = await startServer(tmp.db);
  try {
    const { text, faq_id: id } = await findAnswered(srv.base);
    const [a, b] = ['saijo-0016', 'saijo-0017', 'saijo-0021'].filter((x) => x !== id);
    const staff = await staffLogin(srv.base, 'kansa', 'kansa password 1');
    const path = `/faq/${encodeURIComponent(id)}`;

    // refused, precisely, and nothing written
    const before = (await staff.get(path)).body.entry.version;
    let r = await staff.put(path, { related: [a, 'saijo-9999'] });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match(r.body.error.message + (r.body.error.detail || ''), /関連するFAQ「saijo-9999」はありません/);
    r = await staff.put(path, { related: [id] });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match(r.body.error.message + (r.body.error.detail || ''), /自分自身/);
    r = await staff.put(path, { related: 'not an id' });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal((await staff.get(path)).body.entry.version, before, 'a refused list adds no revision');

    // accepted as a draft: ids as typed (spaces trimmed), in order, audited
    r = await staff.put(path, { related: `${a} \n${b}\n` });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.entry.related, [a, b]);
    const got = (await staff.get(path)).body;
    assert.deepEqual(got.entry.related, [a, b], 'GET returns the list');
    assert.ok(Array.isArray(got.published.related), 'the published revision has its own list');
    const audit = (await staff.get('/audit?limit=20')).body.entries.find((e) => e.action === 'faq.edit' && e.target === id);
    assert.ok(audit, 'the edit is audited');
    assert.match(JSON.stringify(audit.after ?? audit.after_json ?? audit), new RegExp(b));
    const diff = (await staff.get(`${path}/diff`)).body;
    assert.ok(diff.fields.some((f) => f.field === 'related' && f.changed), 'the diff shows the related list');

    // the draft does not answer yet; published, the card lists a and b first
    const resident = await Resident.hello(srv.base);
    let m = await resident.ask('r1', text);
    assert.equal(m.type, 'answer');
    const published = (got.published.related || []).filter((x) => x !== id);
    assert.ok(!(m.related[0] && m.related[0].faq_id === a && published[0] !== a), 'the draft list is not shown');
    r = await staff.post(`${path}/publish`, {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    m = await resident.ask('r2', text);
    assert.equal(m.type, 'answer');
    assert.equal(m.faq_id, id);
    assert.deepEqual(m.related.slice(0, 2).map((x) => x.faq_id), [a, b], JSON.stringify(m.related));
    const qa = (await staff.get(`/faq/${a}`)).body.entry.question;
    assert.equal(m.related[0].question, qa, 'each with its question');
    const ids = m.related.map((x) => x.faq_id);
    assert.equal(new Set(ids).size, ids.length, 'no repeats');
    assert.ok(!ids.includes(id), 'not the answer itself');
    assert.ok(ids.length <= 4, 'the card keeps its size (top_k - 1)');

    // tapping one asks its question: that entry answers
    m = await resident.ask('r3', m.related[0].question);
    assert.ok(m.type === 'answer' ? m.faq_id === a : m.type === 'clarify' && m.choices.some((c) => c.faq_id === a),
      JSON.stringify(m).slice(0, 300));
    await resident.close();
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
