// Curating from what residents asked (issue 14): unanswered groups closed and
// merged, "create entry" starting from the nearest entry, trying a draft
// before it is published, and the transcript's facts per bot turn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resident, addUser, askUnanswered, findAnswered, scratch, skipReason, staffLogin, startServer } from './lib.mjs';

// Questions the sample FAQ does not answer (each asserted to be no_answer).
const MANHOLE = ['マンホールカードはどこでもらえますか', 'マンホールカードはどこでもらえるの'];
const KEYS1 = 'qwertyuiop', KEYS2 = 'zxcvbnmlkj';

const groupOf = (groups, text) => groups.find((g) => g.examples.includes(text));

test('unanswered groups: close, merge, nearest entry', { skip: skipReason }, async () => {
  const tmp = scratch();
  await addUser(tmp.db, 'tanaka', 'staff', 'shimin', 'tanaka password 1');
  await addUser(tmp.db, 'kansa', 'supervisor', null, 'kansa password 1');
  const srv = await startServer(tmp.db);
  try {
    await askUnanswered(srv.base, [...MANHOLE, KEYS1, KEYS2, KEYS2]);
    const staff = await staffLogin(srv.base, 'tanaka', 'tanaka password 1');
    let u = (await staff.get('/unanswered')).body;
    const manhole = groupOf(u.groups, MANHOLE[0]);
    assert.ok(manhole, 'the manhole questions form a group');
    assert.equal(manhole.count, 2, 'both manhole questions in it');
    assert.equal(manhole.keys.length, 2);
    assert.ok(manhole.nearest && /^saijo-\d+$/.test(manhole.nearest.faq_id), `nearest entry given: ${JSON.stringify(manhole.nearest)}`);
    assert.ok(manhole.nearest.question.length > 0, 'with its question');
    const k1 = groupOf(u.groups, KEYS1), k2 = groupOf(u.groups, KEYS2);
    assert.ok(k1 && k2 && k1.key !== k2.key, 'the two key-mash questions are apart');
    assert.equal(k2.count, 2);

    // bad requests: named precisely, nothing marked
    assert.equal((await staff.post('/unanswered/close', {})).status, 400, 'keys are required');
    assert.equal((await staff.post('/unanswered/close', { keys: ['x1'] })).status, 400, 'not a question key');
    const missing = await staff.post('/unanswered/close', { keys: [k1.key, 'm999999'] });
    assert.equal(missing.status, 404, 'an unknown question');
    assert.equal((await staff.post('/unanswered/merge', { keys: k1.keys })).status, 400, 'merge needs a target');
    assert.equal((await staff.post('/unanswered/merge', { into: k1.key, keys: k1.keys })).status, 400, 'not into itself');
    u = (await staff.get('/unanswered')).body;
    assert.ok(groupOf(u.groups, KEYS1), 'a refused close marked nothing (one transaction)');

    // merge: the key-mash groups become one
    const m = await staff.post('/unanswered/merge', { into: k2.key, keys: k1.keys });
    assert.equal(m.status, 200, JSON.stringify(m.body));
    assert.equal(m.body.questions, 1);
    u = (await staff.get('/unanswered')).body;
    const merged = groupOf(u.groups, KEYS2);
    assert.equal(merged.count, 3, 'merged group counts all three');
    assert.ok(merged.examples.includes(KEYS1), 'and shows the merged question');
    assert.equal(u.groups.filter((g) => g.examples.includes(KEYS1)).length, 1, 'no second group for it');

    // close: the group leaves the list; asked again, it starts afresh
    const c = await staff.post('/unanswered/close', { keys: manhole.keys });
    assert.equal(c.status, 200, JSON.stringify(c.body));
    u = (await staff.get('/unanswered')).body;
    assert.equal(groupOf(u.groups, MANHOLE[0]), undefined, 'closed group gone');
    assert.equal(groupOf(u.groups, MANHOLE[1]), undefined);
    await askUnanswered(srv.base, [MANHOLE[0]]);
    u = (await staff.get('/unanswered')).body;
    assert.equal(groupOf(u.groups, MANHOLE[0]).count, 1, 'a new question opens a new group');

    const sup = await staffLogin(srv.base, 'kansa', 'kansa password 1');
    const audit = (await sup.get('/audit?limit=50')).body.entries.map((e) => e.action);
    for (const action of ['unanswered.close', 'unanswered.merge']) assert.ok(audit.includes(action), `${action} is audited`);
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});

test('create from the nearest entry, try a draft before publishing, transcript facts', { skip: skipReason }, async () => {
  const tmp = scratch();
  await addUser(tmp.db, 'tanaka', 'staff', 'shimin', 'tanaka password 1');
  await addUser(tmp.db, 'kansa', 'supervisor', null, 'kansa password 1');
  const srv = await startServer(tmp.db);
  try {
    const staff = await staffLogin(srv.base, 'tanaka', 'tanaka password 1');
    // a new entry without an id gets the next free one
    const created = await staff.post('/faq', { question: 'マンホールカードはどこでもらえますか？',
      answer: '（サンプル）マンホールカードは観光案内所で配布しています。在庫は電話でお確かめください。',
      department: 'shimin', alternates: [], keywords: ['マンホールカード'] });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const id = created.body.entry.id;
    assert.match(id, /^saijo-\d{4}$/, 'the next id in the FAQ\'s own scheme');
    assert.equal(created.body.entry.status, 'draft');

    // try: published only, then with drafts
    const pub = (await staff.post('/try', { text: MANHOLE[0] })).body;
    assert.notEqual(pub.faq_id, id, 'a draft does not answer');
    assert.equal(pub.drafts, false);
    const draft = (await staff.post('/try', { text: MANHOLE[0], drafts: true })).body;
    assert.equal(draft.drafts, true);
    assert.equal(draft.decision, 'answer', JSON.stringify(draft).slice(0, 300));
    assert.equal(draft.faq_id, id, 'trying with drafts answers with the draft');
    assert.match(draft.answer, /観光案内所/);
    const r = await Resident.hello(srv.base);
    const live = await r.ask('live', MANHOLE[0]);
    assert.equal(live.type, 'no_answer', 'residents still get the published FAQ');
    assert.equal((await staff.post('/try', { text: '', drafts: true })).status, 400);

    // transcript: the entry, decision, confidence and feedback of each bot turn
    const { text, faq_id } = await findAnswered(srv.base);
    const a = await r.ask('q1', text);
    assert.equal(a.type, 'answer');
    r.send({ type: 'feedback', answer_id: a.answer_id, helpful: false });
    await r.next((msg) => msg.type === 'feedback_ok');
    r.send({ type: 'escalate', id: 'e1', text: '住民票の写しを郵送で請求したいので職員に聞きたい' });
    const tk = await r.next((msg) => msg.reply_to === 'e1');
    const sup = await staffLogin(srv.base, 'kansa', 'kansa password 1');
    const t = (await sup.get(`/tickets/${tk.ticket_no}`)).body.ticket;
    const turn = t.transcript.find((x) => x.role === 'bot' && x.faq_id === faq_id);
    assert.ok(turn, `the answer turn is in the transcript: ${JSON.stringify(t.transcript).slice(0, 400)}`);
    assert.equal(turn.decision, 'answer');
    assert.equal(typeof turn.confidence, 'number');
    assert.ok(turn.confidence > 0 && turn.confidence <= 1);
    assert.equal(turn.helpful, 0, 'the resident\'s "not helpful" is shown on the turn');
    const none = t.transcript.find((x) => x.role === 'bot' && x.decision === 'no_answer');
    assert.ok(none, 'the no_answer turn too');
    assert.equal(none.helpful, null, 'no feedback given there');
    await r.close();
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
