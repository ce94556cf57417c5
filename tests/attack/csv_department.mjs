// csv_department.mjs — F7: a staff member could change other departments'
// entries and contact details through CSV import, or move an entry into
// their own department — and a single edit could do the same. Now a staff
// import is checked row by row against the importer's department and
// refused whole (422, each offending line named, nothing written); a single
// edit across departments is 403; supervisors keep full rights; every change
// is audited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addUser, scratch, skipReason, startServer } from '../integration/lib.mjs';

const HEAD = 'ID,質問,回答,担当部署ID,担当部署名,電話番号,公開状態\n';
const OWN = 'saijo-0066,狂犬病の予防注射はいつどこで受けられますか（改）,環境課で受け付けます。（サンプル）,kankyo,,,公開\n';
const CROSS = [
  'saijo-0001,住民票の写しはどこで取得できますか（改ざん）,本庁以外では取れません。,shimin,,,公開\n',   // another department's entry
  'new-9001,新しい質問,答え,shimin,,,公開\n',                                                       // a new entry in another department
  'saijo-0065,犬を飼い始めたら登録は必要ですか？,市民課へ。,shimin,,,公開\n',                         // moving its own entry out
  'new-9002,連絡先を変える,答え,kankyo,,,公開\nnew-9003,市民課の電話,答え,shimin,市民課,0000-00-0000,公開\n', // another's contact
];

async function session(base, login, password) {
  const r = await fetch(`${base}/api/v1/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ login, password }) });
  assert.equal(r.status, 200);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrf } = await r.json();
  const call = async (method, path, body, type = 'application/json') => {
    const res = await fetch(`${base}/api/v1/admin${path}`, { method,
      headers: { cookie, origin: base, ...(method === 'GET' ? {} : { 'x-csrf-token': csrf, 'content-type': type }) }, body });
    return { status: res.status, body: await res.json() };
  };
  return { call, csv: (text) => call('POST', '/import', text, 'text/csv') };
}

test('staff import and edit only their own department; supervisors keep full rights; all audited', { skip: skipReason }, async () => {
  const tmp = scratch();
  const srv = await startServer(tmp.db);
  try {
    await addUser(tmp.db, 'kankyo1', 'staff', 'kankyo', 'kankyo password 1');
    await addUser(tmp.db, 'kansa', 'supervisor', null, 'kansa password 1');
    const staff = await session(srv.base, 'kankyo1', 'kankyo password 1');
    const sup = await session(srv.base, 'kansa', 'kansa password 1');
    const before = (await sup.call('GET', '/faq/saijo-0001')).body;

    // each crossing row alone is refused, with its line
    for (const row of CROSS) {
      const r = await staff.csv(HEAD + OWN + row);
      assert.equal(r.status, 422, `${row}: ${JSON.stringify(r.body)}`);
      assert.ok(r.body.report.errors.some((e) => /^(3|4)行目: /.test(e)), JSON.stringify(r.body.report.errors));
    }
    // nothing was written: not even the own row imported beside them
    assert.deepEqual((await sup.call('GET', '/faq/saijo-0001')).body, before);
    assert.ok(!JSON.stringify((await sup.call('GET', '/faq/saijo-0066')).body).includes('（改）'));
    assert.equal((await sup.call('GET', '/faq/new-9001')).status, 404);
    const dept = (await sup.call('GET', '/departments')).body.departments.find((d) => d.id === 'shimin');
    assert.notEqual(dept.phone, '0000-00-0000', "another department's phone is unchanged");

    // a single edit across departments is refused too, and moving one's own entry out
    assert.equal((await staff.call('PUT', '/faq/saijo-0001', JSON.stringify({ question: '改ざん' }))).status, 403);
    assert.equal((await staff.call('PUT', '/faq/saijo-0065', JSON.stringify({ department: 'shimin' }))).status, 403);
    assert.equal((await staff.call('PUT', '/faq/saijo-0066', JSON.stringify({ answer: '環境課です。（サンプル）' }))).status, 200);

    // the staff member's own rows import
    const own = await staff.csv(HEAD + OWN);
    assert.equal(own.status, 200, JSON.stringify(own.body));
    // a supervisor imports the crossing file
    const all = await sup.csv(HEAD + OWN + CROSS.join(''));
    assert.equal(all.status, 200, JSON.stringify(all.body));
    const audit = (await sup.call('GET', '/audit?action=faq.')).body.entries.map((e) => `${e.actor} ${e.action}`);
    assert.ok(audit.includes('kankyo1 faq.import') && audit.includes('kansa faq.import') && audit.includes('kankyo1 faq.edit'),
      audit.join(', '));
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
