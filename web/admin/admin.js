// admin.js — the staff console: one page, views chosen by the URL hash.
//
// Everything shown comes from /api/v1/admin/ and is put into the page with
// textContent (through el() below) — never innerHTML — so FAQ text, questions
// residents typed and staff names can never become markup. The session
// cookie is HttpOnly; the CSRF token comes from the login answer or from
// GET /me after a reload, and goes with every change in X-CSRF-Token.
// Dates are stored in UTC and shown in Asia/Tokyo.
'use strict';
(function () {
  const API = '/api/v1/admin';
  let me = null; // {user, csrf}
  let departments = [];

  // ---- small helpers ---------------------------------------------------------
  /** el('tag', {attr: value, onclick: fn}, child...) — strings become text nodes. */
  function el(tag, attrs, ...children) {
    const svg = ['svg', 'rect', 'line', 'text', 'g', 'title', 'polyline'].includes(tag);
    const e = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'value' && !svg) e.value = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return e;
  }
  const $ = (id) => document.getElementById(id);
  let uid = 0;
  /** A labelled field: returns [paragraph, input]. */
  function field(label, input) {
    input.id = input.id || `f${++uid}`;
    return el('p', {}, el('label', { for: input.id }, label), el('br'), input);
  }
  function say(text) {
    $('status').textContent = text;
    say.at = Date.now();
    clearTimeout(say.t);
    say.t = setTimeout(() => { $('status').textContent = ''; }, 6000);
  }
  function jst(utc) {
    if (!utc) return '';
    const d = new Date(utc);
    if (Number.isNaN(d.getTime())) return utc;
    return d.toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit' });
  }
  function duration(s) {
    if (s === null || s === undefined) return '—';
    if (s < 3600) return `${Math.round(s / 60)}分`;
    if (s < 86400) return `${(s / 3600).toFixed(1)}時間`;
    return `${(s / 86400).toFixed(1)}日`;
  }
  const STATUS = { published: '公開中', draft: '下書き', 'published+draft': '公開中＋下書きあり',
    open: '未対応', answered: '回答済み', closed: '完了' };
  const DECISION = { answer: '回答', clarify: '聞き返し', no_answer: '回答なし' };
  const ROLE = { staff: '職員', supervisor: '管理職', admin: 'システム管理者' };
  const badge = (s) => el('span', { class: `badge ${String(s).split('+')[0]}` }, STATUS[s] || s);
  // The safety layer's decision on a bot line (message.safety): card or note,
  // the numbers and what fired, so a supervisor can review it.
  function safetyLabel(m) {
    let sf = null;
    try { sf = m.safety ? JSON.parse(m.safety) : null; } catch (e) { sf = null; }
    if (!sf) return '';
    const what = sf.level === 'card' ? '緊急案内' : '安全メモ';
    return el('span', { class: 'safety-label' }, ` ${what}（${(sf.numbers || []).join('・')}）: ${(sf.cues || []).join(' ')}`);
  }
  const deptName = (id) => (departments.find((d) => d.id === id) || {}).name || id || '（未設定）';
  const isRole = (r) => me && ({ staff: 1, supervisor: 2, admin: 3 }[me.user.role] >= { staff: 1, supervisor: 2, admin: 3 }[r]);

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error && (body.error.message + (body.error.detail ? `（${body.error.detail}）` : ''))) ||
        `HTTP ${status}`);
      this.status = status;
      this.body = body;
    }
  }

  async function api(method, path, body, raw) {
    const headers = {};
    if (method !== 'GET' && me) headers['X-CSRF-Token'] = me.csrf;
    let payload;
    if (raw !== undefined) { payload = raw; headers['Content-Type'] = 'text/csv'; }
    else if (body !== undefined) { payload = JSON.stringify(body); headers['Content-Type'] = 'application/json'; }
    const res = await fetch(API + path, { method, headers, body: payload, credentials: 'same-origin' });
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (res.status === 401 && path !== '/login') { showLogin(); throw new ApiError(401, data); }
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }
  /** Run an action; errors become a message (in errBox when given). */
  async function attempt(fn, errBox) {
    if (errBox) errBox.textContent = '';
    try { return await fn(); } catch (e) {
      if (errBox) errBox.textContent = e.message; else say(e.message);
      return undefined;
    }
  }
  function deptSelect(value, withAll) {
    const s = el('select', {}, withAll ? el('option', { value: '' }, 'すべて') : el('option', { value: '' }, '（未設定）'));
    for (const d of departments) s.appendChild(el('option', { value: d.id }, d.name));
    s.value = value || '';
    return s;
  }
  /** A table that is a stack of cards on a phone (admin.css): each cell carries its column's name. */
  function table(headers, rows) {
    const labels = headers.map((h) => h.label || h);
    for (const tr of rows) {
      Array.from(tr.children).forEach((td, i) => {
        if (labels[i] && !td.hasAttribute('data-label')) td.setAttribute('data-label', labels[i]);
      });
    }
    return el('table', { class: 'stack' },
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col', class: h.num ? 'num' : null }, h.label || h)))),
      el('tbody', {}, rows));
  }
  // Each drawing of a view has a number: a view that awaits again after
  // setView checks it is still the newest (stillShown) before it adds more,
  // or two overlapping routes to it would both append their rows.
  let viewSeq = 0;
  const stillShown = (seq) => seq === viewSeq;
  function setView(title, ...children) {
    if (!me) return -1;   // a view whose data arrived after a logout is not drawn under the login form
    viewSeq++;
    const v = $('view');
    v.replaceChildren(el('h2', { id: 'view-title', tabindex: '-1' }, title), ...children);
    document.title = `${title} — 窓口ボット 職員コンソール`;
    if (lastOpen) document.title = `(${lastOpen}) ${document.title}`;
    $('view-title').focus();
    return viewSeq;
  }

  // ---- login -----------------------------------------------------------------
  function showLogin() {
    me = null;
    stopWatch();
    $('nav').hidden = true;
    $('who').hidden = true;
    $('view').replaceChildren();
    $('login').hidden = false;
    $('login-id').focus();
  }
  function loggedIn(data) {
    me = data;
    $('login').hidden = true;
    $('nav').hidden = false;
    $('who').hidden = false;
    showWho();
    for (const li of document.querySelectorAll('#nav [data-role]')) li.hidden = !isRole(li.dataset.role);
  }
  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const box = $('login-error');
    box.textContent = '';
    const btn = ev.target.querySelector('button');
    btn.disabled = true;
    try {
      const data = await api('POST', '/login', { login: $('login-id').value, password: $('login-pw').value });
      $('login-pw').value = '';
      loggedIn(data);
      await loadDepartments();
      route();
      watchInbox();
    } catch (e) {
      box.textContent = e.status === 429 ? 'ログインの失敗が続いたため、しばらくログインできません。' :
        e.status === 401 ? 'ログインIDまたはパスワードが違います。' : e.message;
    } finally { btn.disabled = false; }
  });
  $('logout').addEventListener('click', async () => {
    await attempt(() => api('POST', '/logout', {}));
    showLogin();
  });
  // the header names the department, not its id (once the departments are loaded)
  function showWho() {
    if (!me) return;
    const u = me.user;
    const d = u.department ? (departments || []).find((x) => x.id === u.department) : null;
    $('who-name').textContent = `${u.display_name}（${ROLE[u.role] || u.role}${u.department ? '・' + (d ? d.name : u.department) : ''}）`;
  }
  async function loadDepartments() {
    const d = await api('GET', '/departments');
    departments = d.departments;
    showWho();
  }

  // ---- FAQ ---------------------------------------------------------------------
  async function viewFaqList(params) {
    const q = el('input', { type: 'search', value: params.get('q') || '' });
    const dept = deptSelect(params.get('department'), true);
    const status = el('select', {}, el('option', { value: '' }, 'すべて'),
      ...['published', 'published+draft', 'draft'].map((s) => el('option', { value: s }, STATUS[s])));
    status.value = params.get('status') || '';
    const cat = el('input', { value: params.get('category') || '' });
    const err = el('p', { class: 'error', role: 'alert' });
    const form = el('form', { class: 'filters', role: 'search',
      onsubmit: (ev) => {
        ev.preventDefault();
        const p = new URLSearchParams();
        if (q.value) p.set('q', q.value);
        if (dept.value) p.set('department', dept.value);
        if (status.value) p.set('status', status.value);
        if (cat.value) p.set('category', cat.value);
        location.hash = `#/faq?${p}`;
      } },
    field('検索（回答と同じ解析）', q), field('部署', dept), field('分類', cat), field('状態', status),
    el('p', {}, el('button', { type: 'submit' }, '絞り込む')));
    const file = el('input', { type: 'file', accept: '.csv,text/csv' });
    const draft = el('input', { type: 'checkbox' });
    const importErr = el('div', { class: 'error', role: 'alert' });
    const importForm = el('form', { class: 'filters', onsubmit: async (ev) => {
      ev.preventDefault();
      if (!file.files[0]) { importErr.textContent = 'ファイルを選んでください。'; return; }
      const buf = await file.files[0].arrayBuffer();
      importErr.textContent = '';
      try {
        const r = await api('POST', `/import${draft.checked ? '?draft=1' : ''}`, undefined, buf);
        say(`取り込みました：追加 ${r.report.added} 件、更新 ${r.report.revised} 件、変更なし ${r.report.unchanged} 件`);
        route();
      } catch (e) {
        const errs = (e.body && e.body.report && e.body.report.errors) || [];
        importErr.replaceChildren(el('p', {}, '取り込めませんでした（何も変更していません）：'),
          el('ul', {}, errs.map((x) => el('li', {}, x))), errs.length ? '' : e.message);
      }
    } },
    field('CSVを取り込む（全件正しいときだけ反映）', file),
    el('p', {}, el('label', {}, draft, ' 下書きとして取り込む')),
    el('p', {}, el('button', { type: 'submit' }, '取り込む')),
    el('p', {}, el('a', { href: `${API}/export`, download: '' }, 'CSVを書き出す')));
    setView('FAQ', form, err,
      el('p', {}, el('a', { href: '#/new' }, '＋ 新しいFAQを作る')), el('div', { id: 'faq-table' }), importForm, importErr);
    const api_q = params.toString();
    const data = await attempt(() => api('GET', `/faq${api_q ? '?' + api_q : ''}`), err);
    if (!data) return;
    $('faq-table').replaceChildren(el('p', { class: 'note' }, `${data.entries.length} 件`),
      table(['ID', '質問', '分類', '部署', '状態', '更新'], data.entries.map((e) => el('tr', {},
        el('td', {}, el('a', { href: `#/faq/${encodeURIComponent(e.id)}` }, e.id)),
        el('td', {}, e.question), el('td', {}, e.category), el('td', {}, deptName(e.department)),
        el('td', {}, badge(e.status)), el('td', {}, jst(e.updated_at), el('br'), el('span', { class: 'note' }, e.updated_by))))));
  }

  /** The edit form; entry may be null (new). Returns {form, values()}. */
  function faqForm(entry, prefill) {
    const f = {
      id: el('input', { value: entry ? entry.id : (prefill.id || ''), readonly: entry ? true : null, required: true }),
      question: el('input', { value: entry ? entry.question : (prefill.question || ''), required: true }),
      answer: el('textarea', { rows: 6, required: true }),
      alternates: el('textarea', { rows: 4 }),
      keywords: el('textarea', { rows: 3 }),
      related: el('textarea', { rows: 3, id: 'faq-related', 'aria-describedby': 'faq-related-note faq-related-list' }),
      category: el('input', { value: entry ? entry.category : '' }),
      department: deptSelect(entry ? entry.department.id : ''),
      url: el('input', { type: 'url', value: entry ? entry.url : '' }),
      // 行かない窓口 and the life-event checklist (docs/public-pages.md "Checklists")
      online_url: el('input', { type: 'url', value: entry ? entry.online_url || '' : '' }),
      life_events: el('textarea', { rows: 3, id: 'faq-life-events', 'aria-describedby': 'faq-life-events-note' }),
      bring: el('textarea', { rows: 2 }),
      deadline: el('input', { value: entry ? entry.deadline || '' : '' }),
      fee: el('input', { value: entry ? entry.fee || '' : '' }),
      // the English and やさしい日本語 versions (docs/languages.md): both texts, or the resident gets Japanese
      question_en: el('input', { value: entry ? entry.question_en || '' : '', lang: 'en' }),
      answer_en: el('textarea', { rows: 5, lang: 'en' }),
      question_easy: el('input', { value: entry ? entry.question_easy || '' : '' }),
      answer_easy: el('textarea', { rows: 5 }),
    };
    f.life_events.value = entry ? entry.life_events || '' : '';
    f.bring.value = entry ? entry.bring || '' : '';
    f.question.size = 60;
    f.question_en.size = 60;
    f.question_easy.size = 60;
    f.answer_en.value = entry ? entry.answer_en || '' : '';
    f.answer_easy.value = entry ? entry.answer_easy || '' : '';
    f.answer.value = entry ? entry.answer : '';
    f.alternates.value = entry ? entry.alternates.join('\n') : '';
    f.keywords.value = entry ? entry.keywords.join('\n') : '';
    f.related.value = entry && entry.related ? entry.related.join('\n') : '';
    const lines = (t) => t.value.split('\n').map((s) => s.trim()).filter(Boolean);
    const ids = (t) => t.value.split(/[\n、,\s]+/).filter(Boolean); // ids: one per line (or 、 as in the CSV)
    // each related id with its question beside it, looked up as it is typed
    const relatedList = el('ul', { id: 'faq-related-list', class: 'related-list', 'aria-live': 'polite' });
    const showRelated = async () => {
      const want = ids(f.related), self = f.id.value.trim();
      const items = await Promise.all(want.map(async (id) => {
        if (id === self) return el('li', { class: 'error' }, `${id}：自分自身は入れられません`);
        const q = await relatedQuestion(id);
        return q ? el('li', { 'data-id': id }, el('code', {}, id), ' ', q.question, ' ', badge(q.status))
          : el('li', { class: 'error', 'data-id': id }, `${id}：このIDのFAQはありません`);
      }));
      if (ids(f.related).join('\n') === want.join('\n')) relatedList.replaceChildren(...items); // still what is typed
    };
    f.related.addEventListener('input', () => { clearTimeout(showRelated.t); showRelated.t = setTimeout(showRelated, 300); });
    showRelated();
    const form = el('div', { class: 'form-grid' },
      field('ID', f.id), field('質問', f.question), field('回答', f.answer),
      field('言い換え（1行に1つ）', f.alternates), field('キーワード（1行に1つ）', f.keywords),
      el('div', {}, field('関連するFAQ', f.related),
        el('p', { class: 'note', id: 'faq-related-note' }, 'FAQのIDを1行に1つ。住民への答えの「関連する質問」に、この順で先頭から出ます。'),
        relatedList),
      field('分類', f.category), field('担当部署', f.department), field('参考URL', f.url),
      field('オンライン申請のURL（行かない窓口）', f.online_url),
      el('div', {}, field('手続チェックリスト（ライフイベント）', f.life_events),
        el('p', { class: 'note', id: 'faq-life-events-note' },
          '1行に1つ。例：「転入」「転入 if car」「死亡 if d_ins=nhi」「婚姻 if car and move」。出来事と質問は dict/life_events.json にあります。')),
      field('持ち物（1行に1つ）', f.bring), field('期限', f.deadline), field('手数料', f.fee),
      el('fieldset', { class: 'translations' }, el('legend', {}, '英語・やさしい日本語の版（任意）'),
        el('p', { class: 'note' }, '質問と回答の両方があるときだけ、その言語を選んだ住民に表示されます。ないときは日本語の回答を表示します。'),
        field('質問（英語）', f.question_en), field('回答（英語）', f.answer_en),
        field('質問（やさしい日本語）', f.question_easy), field('回答（やさしい日本語）', f.answer_easy)));
    return { form, f, values: () => ({ id: f.id.value.trim(), question: f.question.value, answer: f.answer.value,
      alternates: lines(f.alternates), keywords: lines(f.keywords), related: ids(f.related), category: f.category.value,
      department: f.department.value, url: f.url.value, online_url: f.online_url.value.trim(),
      life_events: f.life_events.value.trim(), bring: f.bring.value.trim(), deadline: f.deadline.value.trim(),
      fee: f.fee.value.trim(), question_en: f.question_en.value.trim(),
      answer_en: f.answer_en.value.trim(), question_easy: f.question_easy.value.trim(), answer_easy: f.answer_easy.value.trim() }) };
  }
  /** The question and status of entry id (null when there is none), remembered for the page's life. */
  const relatedCache = new Map();
  function relatedQuestion(id) {
    if (!relatedCache.has(id)) {
      relatedCache.set(id, api('GET', `/faq/${encodeURIComponent(id)}`)
        .then((d) => ({ question: d.entry.question, status: d.entry.status }))
        .catch((e) => { relatedCache.delete(id); if (e.status !== 404) throw e; return null; }));
    }
    return relatedCache.get(id).catch(() => null);
  }

  async function viewFaqNew(params) {
    const err = el('p', { class: 'error', role: 'alert' });
    // "create entry" from an unanswered group: start from the nearest entry's
    // department, category, link and answer (to be rewritten), not a blank form
    const from = params.get('from');
    const base = from ? await attempt(() => api('GET', `/faq/${encodeURIComponent(from)}`), err) : null;
    const ff = faqForm(null, { question: params.get('question') || '' });
    ff.f.id.required = false;
    ff.f.id.placeholder = '空欄なら自動で付けます';
    let lead = '';
    if (base) {
      const e = base.entry;
      ff.f.department.value = e.department.id || '';
      ff.f.category.value = e.category || '';
      ff.f.url.value = e.url || '';
      ff.f.answer.value = e.answer || '';
      lead = el('p', { class: 'note', id: 'prefill-note' }, '近いFAQ ',
        el('a', { href: `#/faq/${encodeURIComponent(e.id)}` }, e.id), `「${e.question}」の担当部署・分類・回答を下書きとして入れました。回答はこの質問に合わせて書き直してください。`);
    }
    const save = el('button', { type: 'button', onclick: async () => {
      const v = ff.values();
      const r = await attempt(() => api('POST', '/faq', v), err);
      if (r) { say('下書きとして保存しました。'); location.hash = `#/faq/${encodeURIComponent(r.entry.id)}`; }
    } }, '下書きとして保存');
    setView('新しいFAQ', lead, ff.form, el('div', { class: 'actions' }, save), err);
  }

  function renderDiff(d) {
    const names = { question: '質問', answer: '回答', alternates: '言い換え', keywords: 'キーワード', related: '関連するFAQ', category: '分類',
      department: '担当部署', url: '参考URL', online_url: 'オンライン申請のURL', life_events: 'ライフイベント',
      bring: '持ち物', deadline: '期限', fee: '手数料', question_en: '質問（英語）', answer_en: '回答（英語）',
      question_easy: '質問（やさしい日本語）', answer_easy: '回答（やさしい日本語）' };
    const changed = d.fields.filter((x) => x.changed);
    if (!changed.length) return el('p', {}, `版${d.from}と版${d.to}に違いはありません。`);
    return el('div', { id: 'diff' }, el('h3', {}, `版${d.from} → 版${d.to} の違い`),
      changed.map((x) => el('div', {}, el('h4', {}, names[x.field] || x.field),
        el('div', { class: 'diff' }, x.ops.map((o) => o.op === '+' ? el('ins', {}, o.text) :
          o.op === '-' ? el('del', {}, o.text) : el('span', {}, o.text))))));
  }

  async function viewFaqEdit(id) {
    const err = el('p', { class: 'error', role: 'alert' });
    const data = await attempt(() => api('GET', `/faq/${encodeURIComponent(id)}`), err);
    if (!data) { setView(`FAQ ${id}`, err); return; }
    const e = data.entry;
    const ff = faqForm(e, {});
    const diffBox = el('div', { 'aria-live': 'polite' });
    const reload = () => viewFaqEdit(id);
    const save = el('button', { type: 'button', id: 'faq-save', onclick: async () => {
      const r = await attempt(() => api('PUT', `/faq/${encodeURIComponent(id)}`, ff.values()), err);
      if (r) { say(r.changed ? '下書きを保存しました。公開するまで回答には使われません。' : '変更はありません。'); reload(); }
    } }, '下書きを保存');
    const publish = el('button', { type: 'button', id: 'faq-publish', disabled: e.version === e.published_version,
      onclick: async () => {
        const r = await attempt(() => api('POST', `/faq/${encodeURIComponent(id)}/publish`, { version: e.version }), err);
        if (r) { say(`版${e.version}を公開しました。すぐに回答に使われます。`); reload(); }
      } }, `最新の版（版${e.version}）を公開`);
    const history = table(['版', '更新', '更新者', '', '操作'], data.versions.map((v) => el('tr', {},
      el('td', {}, String(v.version)), el('td', {}, jst(v.updated_at)), el('td', {}, v.updated_by),
      el('td', {}, v.published ? badge('published') : ''),
      el('td', {},
        v.version > 1 ? el('button', { type: 'button', class: 'secondary', onclick: async () => {
          const d = await attempt(() => api('GET', `/faq/${encodeURIComponent(id)}/diff?from=${v.version - 1}&to=${v.version}`), err);
          if (d) { diffBox.replaceChildren(renderDiff(d)); }
        } }, `版${v.version - 1}との差分`) : '',
        ' ',
        !v.published ? el('button', { type: 'button', class: 'secondary', onclick: async () => {
          const live = !!e.published_version;
          if (!confirm(live ? `版${v.version}の内容に戻して公開します。よろしいですか？`
            : `版${v.version}の内容に戻します（下書きのまま、公開はしません）。よろしいですか？`)) return;
          const r = await attempt(() => api('POST', `/faq/${encodeURIComponent(id)}/rollback`, { version: v.version }), err);
          if (r) { say(r.entry.status === 'draft' ? `版${v.version}の内容を版${r.entry.version}（下書き）にしました。`
            : `版${v.version}の内容を版${r.entry.version}として公開しました。`); reload(); }
        } }, 'この版に戻す') : ''))));
    setView(`FAQ ${id}`,
      el('p', {}, badge(e.status), ` 最新 版${e.version}・公開中 ${e.published_version ? '版' + e.published_version : 'なし'}`),
      ff.form, el('div', { class: 'actions' }, save, publish,
        e.version !== e.published_version ? el('a', { href: '#/try?drafts=1', id: 'try-draft' }, 'この下書きで回答を試す') : ''), err,
      el('h3', {}, '版の履歴'), history, diffBox);
  }

  // ---- try it ----------------------------------------------------------------------
  function viewTry(params) {
    const text = el('textarea', { rows: 3, maxlength: 1000 });
    const drafts = el('input', { type: 'checkbox', id: 'try-drafts' });
    drafts.checked = params.get('drafts') === '1';
    const out = el('div', { 'aria-live': 'polite', id: 'try-result' });
    const err = el('p', { class: 'error', role: 'alert' });
    const form = el('form', { onsubmit: async (ev) => {
      ev.preventDefault();
      const r = await attempt(() => api('POST', '/try', { text: text.value, drafts: drafts.checked }), err);
      if (!r) return;
      out.replaceChildren(
        el('p', { class: 'note', id: 'try-mode' }, r.drafts ? '下書きをすべて公開したときの回答です（住民にはまだ出ません）。' : '公開中のFAQでの回答です。'),
        el('p', {}, el('strong', {}, `判定：${DECISION[r.decision] || r.decision}`),
          r.confidence !== undefined ? `（確信度 ${Number(r.confidence).toFixed(2)}）` : '',
          r.rule ? `　ルール：${r.rule.name}（${r.rule.kind}）` : ''),
        r.faq_id ? el('p', {}, 'FAQ：', el('a', { href: `#/faq/${encodeURIComponent(r.faq_id)}` }, r.faq_id), ` ${r.question || ''}`) : '',
        r.answer ? el('div', { class: 'diff', id: 'try-answer' }, r.answer) : el('p', {}, r.text || ''),
        r.candidates && r.candidates.length ? table(['候補', '質問', { label: 'スコア', num: 1 }, { label: '確信度', num: 1 }],
          r.candidates.map((c) => el('tr', {}, el('td', {}, el('a', { href: `#/faq/${encodeURIComponent(c.faq_id)}` }, c.faq_id)),
            el('td', {}, c.question), el('td', { class: 'num' }, Number(c.score).toFixed(2)),
            el('td', { class: 'num' }, Number(c.confidence).toFixed(2))))) : '',
        r.explain ? el('details', {}, el('summary', {}, '判定の内訳（explain）'),
          el('pre', { class: 'explain' }, JSON.stringify(r.explain, null, 2))) : '');
    } }, field('住民になったつもりで質問を入力', text),
    el('p', {}, el('label', { for: 'try-drafts' }, drafts, ' 下書きも公開したつもりで試す')),
    el('p', {}, el('button', { type: 'submit' }, '回答を試す')));
    setView('回答を試す', el('p', { class: 'note' },
      '住民への回答には公開中のFAQだけが使われます。「下書きも公開したつもりで試す」を選ぶと、公開前の下書きでどう答えるかを確かめられます。'),
      form, err, out);
    text.focus();
  }

  // ---- unanswered -------------------------------------------------------------------
  // Groups of similar questions (bot/unanswered.c). A group can be closed (it
  // leaves the list; the same question asked again starts a new group) or
  // several merged into one; "このFAQを作る" starts from the nearest entry.
  async function viewUnanswered() {
    const err = el('p', { class: 'error', role: 'alert' });
    const data = await attempt(() => api('GET', '/unanswered'), err);
    const seq = setView('未回答の質問', el('p', { class: 'note' },
      '回答できなかった質問と「役に立たなかった」と評価された質問を、似たもの同士でまとめています（直近90日）。'), err);
    if (!data) return;
    const ids = el('datalist', { id: 'faq-ids' });
    const list = await attempt(() => api('GET', '/faq'), err);
    if (!stillShown(seq)) return;   // drawn again (or another view) meanwhile
    if (list) for (const e of list.entries) ids.appendChild(el('option', { value: e.id }, e.question));
    $('view').appendChild(ids);
    const picked = new Map();   // key → group, in list order of ticking
    const close = async (groups) => {
      const keys = groups.flatMap((g) => g.keys);
      const r = await attempt(() => api('POST', '/unanswered/close', { keys }), err);
      if (r) { say(`${groups.length}件のグループ（質問${r.questions}件）を対応済みにしました。`); viewUnanswered(); }
    };
    const merge = async () => {
      // into the group listed first (the largest): the others join it
      const groups = data.groups.filter((g) => picked.has(g.key));
      if (groups.length < 2) { say('まとめるグループを2つ以上選んでください。'); return; }
      const [into, ...rest] = groups;
      const r = await attempt(() => api('POST', '/unanswered/merge', { into: into.key, keys: rest.flatMap((g) => g.keys) }), err);
      if (r) { say(`${rest.length}件のグループを「${into.text}」にまとめました。`); viewUnanswered(); }
    };
    const bar = el('div', { class: 'actions', id: 'unanswered-actions' },
      el('button', { type: 'button', class: 'secondary', id: 'merge-picked', onclick: merge }, '選んだグループをまとめる'), ' ',
      el('button', { type: 'button', class: 'secondary', id: 'close-picked', onclick: () => {
        const groups = data.groups.filter((g) => picked.has(g.key));
        if (!groups.length) { say('対応済みにするグループを選んでください。'); return; }
        close(groups);
      } }, '選んだグループを対応済みにする'));
    $('view').appendChild(el('p', { class: 'note' }, `${data.total} グループ（質問 ${data.questions} 件）`));
    if (!data.groups.length) { $('view').appendChild(el('p', {}, '未回答の質問はありません。')); return; }
    $('view').appendChild(bar);
    $('view').appendChild(table(['選ぶ', '質問（代表）', { label: '件数', num: 1 }, { label: '回答なし', num: 1 },
      { label: '役に立たない', num: 1 }, '例', '操作'], data.groups.map((g) => {
      const target = el('input', { list: 'faq-ids', size: 12, 'aria-label': `「${g.text}」を言い換えとして追加するFAQのID` });
      if (g.faq_ids && g.faq_ids[0]) target.value = g.faq_ids[0];
      else if (g.nearest) target.value = g.nearest.faq_id;
      const pick = el('input', { type: 'checkbox', class: 'pick', 'aria-label': `「${g.text}」を選ぶ`, onchange: () => {
        if (pick.checked) picked.set(g.key, g); else picked.delete(g.key);
      } });
      const create = `#/new?question=${encodeURIComponent(g.text)}${g.nearest ? `&from=${encodeURIComponent(g.nearest.faq_id)}` : ''}`;
      return el('tr', { 'data-key': g.key }, el('td', {}, pick), el('td', {}, g.text), el('td', { class: 'num' }, String(g.count)),
        el('td', { class: 'num' }, String(g.no_answer)), el('td', { class: 'num' }, String(g.not_helpful)),
        el('td', {}, el('ul', {}, g.examples.map((x) => el('li', {}, x)))),
        el('td', {},
          el('p', {}, el('a', { href: create, class: 'create' }, 'このFAQを作る'),
            g.nearest ? el('span', { class: 'note' }, `（近いFAQ ${g.nearest.faq_id}「${g.nearest.question}」から）`) : ''),
          el('p', {}, target, ' ', el('button', { type: 'button', class: 'secondary', onclick: async () => {
            if (!target.value) { say('FAQのIDを入力してください。'); return; }
            const r = await attempt(() => api('POST', `/faq/${encodeURIComponent(target.value)}/alternates`, { text: g.text }), err);
            if (r) say(`${target.value} の言い換えに追加しました（下書き）。公開すると回答に使われます。`);
          } }, '言い換えとして追加')),
          el('p', {}, el('button', { type: 'button', class: 'secondary close-group', onclick: () => close([g]) }, '対応済みにする'))));
    })));
  }

  // ---- residents' phrasings (the learning loop, docs/learning.md) ---------------------
  // Candidates come from the server already past its safeguards (enough sessions from
  // enough networks); staff see their own department's, supervisors all. Accepting makes
  // the text an alternate of the entry, published at once; each row leaves the list as
  // soon as it is decided, so "さらに表示" asks from the number of rows still shown.
  async function viewPhrasings(params) {
    const PAGE = Math.min(100, Math.max(1, Number(params.get('limit')) || 20)); // ?limit= for a smaller page
    const err = el('p', { class: 'error', role: 'alert' });
    const totalLine = el('p', { class: 'note', id: 'phrasings-total' });
    const empty = el('p', { id: 'phrasings-empty', hidden: true }, 'いま確認を待っている言い回しはありません。');
    const body = el('tbody', {});
    const list = el('table', { class: 'stack', id: 'phrasings-table', hidden: true },
      el('caption', { class: 'visually-hidden' }, '確認を待っている住民の言い回し'),
      el('thead', {}, el('tr', {}, ['住民の言い回し', 'FAQ', { label: 'セッション数', num: 1 }, '操作']
        .map((h) => el('th', { scope: 'col', class: h.num ? 'num' : null }, h.label || h)))),
      body);
    const more = el('button', { type: 'button', class: 'secondary', id: 'phrasings-more', hidden: true }, 'さらに表示');
    let total = 0;
    const shown = () => body.rows.length;
    function refresh() {
      totalLine.textContent = total > shown() ? `全${total}件（${shown()}件を表示）` : `全${total}件`;
      list.hidden = shown() === 0;
      empty.hidden = shown() !== 0 || total > 0;
      more.hidden = shown() >= total;
    }
    /** Take the decided row away and put the focus somewhere that still exists. */
    function drop(tr) {
      const next = tr.nextElementSibling || tr.previousElementSibling;
      tr.remove();
      total = Math.max(0, total - 1);
      refresh();
      const target = next ? next.querySelector('button') : (more.hidden ? $('view-title') : more);
      if (target) target.focus();
    }
    async function decide(p, tr, accept, buttons) {
      err.textContent = '';
      for (const b of buttons) b.disabled = true;
      try {
        await api('POST', `/phrasings/${encodeURIComponent(p.id)}/${accept ? 'accept' : 'reject'}`, {});
        drop(tr);
        say(accept ? `「${p.text}」を ${p.faq_id} の別の聞き方として採用しました。次からは直接回答されます。`
          : `「${p.text}」を却下しました。`);
      } catch (e) {
        if (e.status === 409) { drop(tr); say(`「${p.text}」は、すでに判断済みでした。`); return; }
        err.textContent = e.status === 403 ? 'この言い回しは他の部署のFAQです。採用・却下できません。' : e.message;
        for (const b of buttons) b.disabled = false;
      }
    }
    function row(p) {
      const tr = el('tr', {});
      const yes = el('button', { type: 'button', 'aria-label': `採用：「${p.text}」` }, '採用');
      const no = el('button', { type: 'button', class: 'secondary', 'aria-label': `却下：「${p.text}」` }, '却下');
      yes.addEventListener('click', () => decide(p, tr, true, [yes, no]));
      no.addEventListener('click', () => decide(p, tr, false, [yes, no]));
      tr.append(
        el('td', { 'data-label': '住民の言い回し', class: 'phrasing-text' }, p.text),
        el('td', { 'data-label': 'FAQ' }, p.question, el('br'),
          el('a', { href: `#/faq/${encodeURIComponent(p.faq_id)}` }, p.faq_id),
          isRole('supervisor') && p.department ? el('span', { class: 'note' }, `（${deptName(p.department)}）`) : ''),
        el('td', { 'data-label': 'セッション数', class: 'num' }, String(p.sessions)),
        el('td', { 'data-label': '操作' }, el('span', { class: 'actions' }, yes, no)));
      return tr;
    }
    async function load() {
      more.disabled = true;
      const data = await attempt(() => api('GET', `/phrasings?offset=${shown()}&limit=${PAGE}`), err);
      more.disabled = false;
      if (!data) return false;
      total = data.total;
      const known = new Set(Array.from(body.rows, (r) => r.dataset.id));
      for (const p of data.phrasings) {
        if (known.has(String(p.id))) continue;
        const tr = row(p);
        tr.dataset.id = String(p.id);
        body.appendChild(tr);
      }
      refresh();
      return true;
    }
    more.addEventListener('click', async () => {
      const before = shown();
      if (await load()) {
        const first = body.rows[before];
        if (first) first.querySelector('button').focus();
      }
    });
    setView('住民の言い回し', el('p', { class: 'note' },
      '住民が選んだFAQと、そのときの質問の言い回しです。採用すると、そのFAQの別の聞き方として登録され、次からは直接回答されます。'),
    err, totalLine, empty, list, el('p', {}, more));
    await load();
  }

  // ---- tickets ----------------------------------------------------------------------
  async function viewTickets(params) {
    const err = el('p', { class: 'error', role: 'alert' });
    const status = el('select', {}, el('option', { value: '' }, 'すべて'),
      ...['open', 'answered', 'closed'].map((s) => el('option', { value: s }, STATUS[s])));
    status.value = params.has('status') ? params.get('status') : 'open';
    const overdue = el('input', { type: 'checkbox', id: 'f-overdue' });
    overdue.checked = params.get('overdue') === '1';
    const filters = [field('状態', status),
      el('p', {}, overdue, ' ', el('label', { for: 'f-overdue' }, '回答の期限を過ぎたものだけ（未対応）'))];
    const dept = deptSelect(params.get('department'), true);
    const from = el('input', { type: 'date', value: params.get('from') || '' });
    const to = el('input', { type: 'date', value: params.get('to') || '' });
    if (isRole('supervisor')) filters.push(field('部署', dept), field('受付日（から）', from), field('受付日（まで）', to));
    const form = el('form', { class: 'filters', onsubmit: (ev) => {
      ev.preventDefault();
      const p = new URLSearchParams();
      p.set('status', status.value);
      if (overdue.checked) p.set('overdue', '1');
      if (dept.value) p.set('department', dept.value);
      if (from.value) p.set('from', from.value);
      if (to.value) p.set('to', to.value);
      location.hash = `#/tickets?${p}`;
    } }, filters, el('p', {}, el('button', { type: 'submit' }, '絞り込む')));
    setView(isRole('supervisor') ? '問い合わせ（全部署）' : `問い合わせ（${deptName(me.user.department)}）`, form, err,
      el('div', { id: 'ticket-list' }));
    const p = new URLSearchParams(params);
    if (!p.has('status')) p.set('status', 'open');
    if (!p.get('status')) p.delete('status');
    await renderTicketList(p, err);
  }

  // The list part of the inbox; redrawn in place when a ticket changes (watchInbox),
  // so the focus stays where the member of staff left it.
  async function renderTicketList(p, err) {
    const box = $('ticket-list');
    if (!box) return;
    const data = await attempt(() => api('GET', `/tickets?${p}`), err);
    if (!data) return;
    const parts = [];
    // every list is paged with its true total: a flood must not hide real tickets
    const first = data.offset + 1, last = data.offset + data.tickets.length;
    parts.push(el('p', { class: 'note' }, data.total > data.tickets.length
      ? `全${data.total}件のうち ${first}〜${last} 件目（受付の古い順）` : `${data.total} 件（受付の古い順）`));
    if (data.total > data.tickets.length) {
      const page = (offset) => { const q = new URLSearchParams(p); q.set('offset', String(offset)); return `#/tickets?${q}`; };
      const nav = el('p', { class: 'pager' });
      if (data.offset > 0) nav.appendChild(el('a', { href: page(Math.max(0, data.offset - data.limit)) }, '前へ'));
      if (last < data.total) nav.appendChild(el('a', { href: page(last) }, '次へ'));
      parts.push(nav);
    }
    if (p.get('overdue') === '1') {
      parts.push(table(['番号', '部署', '担当者', '質問', '回答の期限', '目標'],
        data.tickets.map((t) => el('tr', { class: 'overdue' },
          el('td', {}, el('a', { href: `#/tickets/${encodeURIComponent(t.ticket_no)}` }, t.ticket_no)),
          el('td', {}, t.department ? t.department.name || t.department.id : ''), el('td', {}, t.assignee || ''),
          el('td', {}, t.question), el('td', {}, jst(t.due_at)), el('td', {}, `${t.answer_days}開庁日`)))));
      box.replaceChildren(el('p', { class: 'note' }, `期限を過ぎた未対応の問い合わせ ${data.total} 件（期限の古い順）`), ...parts.slice(1));
      return;
    }
    parts.push(table(['番号', '状態', '部署', '担当者', '質問', '受付', '初回返信まで', '完了まで', '部署の移動'],
      data.tickets.map((t) => el('tr', {},
        el('td', {}, el('a', { href: `#/tickets/${encodeURIComponent(t.ticket_no)}` }, t.ticket_no)),
        el('td', {}, badge(t.status)), el('td', {}, t.department ? t.department.name || t.department.id : ''),
        el('td', {}, t.assignee || ''),
        el('td', {}, t.question), el('td', {}, jst(t.created_at)),
        el('td', {}, duration(t.first_reply_seconds)), el('td', {}, duration(t.close_seconds)),
        el('td', {}, (t.reassignments || []).length ? t.reassignments.map(deptName).join(' → ') : '')))));
    box.replaceChildren(...parts);
  }

  // ---- the live inbox ------------------------------------------------------------
  // GET /inbox?since=V is held by the server until a ticket changes (or 25 s pass), so
  // a new ticket or a resident's reply shows within about a second: the count of open
  // tickets on the menu and in the window title, and the list redrawn in place.
  let inboxVersion = null;
  let lastOpen = 0;
  let watching = false;
  function showInboxCount(open) {
    const link = document.querySelector('#nav a[href="#/tickets"]');
    if (link) {
      let c = link.querySelector('.count');
      if (!c) { c = el('span', { class: 'count' }); link.appendChild(c); }
      c.textContent = open ? ` ${open}` : '';
      c.setAttribute('aria-label', open ? `未対応 ${open}件` : '');
      c.hidden = !open;
    }
    lastOpen = open;
    document.title = document.title.replace(/^\(\d+\) /, '');
    if (open) document.title = `(${open}) ${document.title}`;
  }
  // An opt-in chime when the count of open tickets goes up (a new ticket, or a resident's
  // reply reopening one): a short two-note tone made with the Web Audio API, no audio file.
  // The choice is kept in localStorage. Browsers let a page make sound only after a click or
  // a key press on it, so the AudioContext is made (or resumed) on ticking the box and on
  // the first gesture after a reload. Each tone adds one to document.body.dataset.chimes,
  // for the tests.
  const CHIME_KEY = 'madoguchi.console.chime';
  const chimeBox = $('chime');
  let audio = null;
  function chimeOn() { return chimeBox.checked; }
  function unlockAudio() {
    const AC = window.AudioContext || window.webkitAudioContext;
    if (!AC || !chimeOn()) return;
    try {
      if (!audio) audio = new AC();
      if (audio.state === 'suspended') audio.resume().catch(() => {});
    } catch (e) { audio = null; }
  }
  function chime() {
    unlockAudio();
    if (!audio) return;
    try {
      const t = audio.currentTime;
      const gain = audio.createGain();
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.2, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.5);
      gain.connect(audio.destination);
      const osc = audio.createOscillator();
      osc.type = 'sine';
      osc.frequency.setValueAtTime(880, t);
      osc.frequency.setValueAtTime(660, t + 0.18);
      osc.connect(gain);
      osc.start(t);
      osc.stop(t + 0.5);
      document.body.dataset.chimes = String(Number(document.body.dataset.chimes || 0) + 1);
    } catch (e) { /* no sound is no reason to stop watching the inbox */ }
  }
  try { chimeBox.checked = localStorage.getItem(CHIME_KEY) === '1'; } catch (e) { chimeBox.checked = false; }
  chimeBox.addEventListener('change', () => {
    try { localStorage.setItem(CHIME_KEY, chimeBox.checked ? '1' : '0'); } catch (e) { /* not kept, still works */ }
    unlockAudio();
  });
  for (const ev of ['pointerdown', 'keydown']) document.addEventListener(ev, unlockAudio, { once: true, capture: true });

  let watchGen = 0;          // a new login or a logout ends the previous watch
  let watchAbort = null;
  function stopWatch() {
    watchGen += 1;
    if (watchAbort) watchAbort.abort();
    watchAbort = null;
    watching = false;
    inboxVersion = null;
  }
  async function watchInbox() {
    if (watching) return;
    watching = true;
    const gen = watchGen;
    let failures = 0;
    while (me && gen === watchGen) {
      try {
        // not api(): a held request that ends in 401 after a logout must not
        // send the next person's fresh login back to the login page
        watchAbort = new AbortController();
        const res = await fetch(`${API}/inbox${inboxVersion === null ? '' : `?since=${inboxVersion}`}`,
          { credentials: 'same-origin', signal: watchAbort.signal });
        if (gen !== watchGen) return;
        if (res.status === 401) break;
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const r = await res.json();
        const changed = inboxVersion !== null && r.version !== inboxVersion;
        if (changed && r.open > lastOpen && chimeOn()) chime();
        inboxVersion = r.version;
        failures = 0;
        showInboxCount(r.open);
        if (changed && $('ticket-list')) {
          const [, query] = (location.hash || '#/tickets').slice(1).split('?');
          const p = new URLSearchParams(query || '');
          if (!p.has('status')) p.set('status', 'open');
          if (!p.get('status')) p.delete('status');
          await renderTicketList(p);
          // a message still shown (e.g. 担当部署を変更しました after this console's own
          // change, which is what moved the inbox) is not overwritten by the notice
          if (!$('status').textContent || Date.now() - (say.at || 0) > 6000) {
            say('問い合わせの一覧を更新しました（新しい問い合わせか返信があります）。');
          }
        }
      } catch (e) {
        if (gen !== watchGen) return;
        failures += 1;   // the server restarts or the network drops: wait a little longer each time
        await new Promise((res) => setTimeout(res, Math.min(30000, 1000 * 2 ** failures)));
      }
    }
    watching = false;
    inboxVersion = null;
  }

  // What staff need to judge one bot turn: the entry, decision and confidence,
  // the rule that fired, and the resident's feedback on it.
  function turnFacts(m) {
    const facts = [];
    if (m.decision) facts.push(`判定：${DECISION[m.decision] || m.decision}`);
    if (m.confidence !== null && m.confidence !== undefined) facts.push(`確信度 ${Number(m.confidence).toFixed(2)}`);
    if (m.rule) facts.push(`ルール：${m.rule}${m.rule_kind ? `（${m.rule_kind}）` : ''}`);
    if (m.helpful === 1) facts.push('評価：役に立った');
    else if (m.helpful === 0) facts.push('評価：役に立たなかった');
    if (!facts.length && !m.faq_id) return '';
    return el('div', { class: 'turn-facts note' }, m.faq_id ? ['FAQ：', el('a', { href: `#/faq/${encodeURIComponent(m.faq_id)}` }, m.faq_id), '　'] : '',
      facts.join('　'));
  }

  // An inquiry from the contact form or the mailbox: where it came from, the
  // triage, and the suggested reply (the best FAQ entries) ready to edit and send.
  function inquiryPart(q, replyText, closed) {
    const sugg = q.suggestion || [];
    const text = sugg.length ? `お問い合わせありがとうございます。\n\n${sugg[0].answer}\n\n` +
      (sugg.length > 1 ? `あわせて、次の情報もご覧ください。\n${sugg.slice(1).map((x) => `・${x.question}`).join('\n')}\n` : '') : '';
    return el('section', { class: 'inquiry', id: 'inquiry', 'aria-labelledby': 'inquiry-h' },
      el('h3', { id: 'inquiry-h' }, q.source === 'mail' ? 'メールでのお問い合わせ' : 'フォームからのお問い合わせ'),
      q.subject ? el('p', {}, `件名：${q.subject}`) : '',
      el('p', { class: 'note' }, `振り分け：${deptName((q.triage || {}).department)}` +
        ((q.triage || {}).learned ? '（職員の振り分け直しから学んだ例を使用）' : '') +
        (q.answer_by ? `・回答予定 ${q.answer_by}` : '')),
      el('h4', {}, '返信の案（FAQから）'),
      sugg.length ? el('ol', { id: 'suggestion' }, sugg.map((x) => el('li', {},
        el('a', { href: `#/faq/${encodeURIComponent(x.faq_id)}` }, x.faq_id), ` ${x.question}`))) : el('p', { class: 'note' }, '近いFAQはありません。'),
      closed || !text ? '' : el('p', {}, el('button', { type: 'button', class: 'secondary', id: 'use-suggestion', onclick: () => {
        replyText.value = replyText.value ? `${replyText.value}\n${text}` : text;
        replyText.focus();
      } }, '返信の案を返信欄に入れる')));
  }

  async function viewTicket(no) {
    const err = el('p', { class: 'error', role: 'alert' });
    let data;
    try { data = await api('GET', `/tickets/${encodeURIComponent(no)}`); } catch (e) {
      setView(`問い合わせ ${no}`, el('p', { class: 'error', role: 'alert', id: 'ticket-error' },
        e.status === 403 ? 'この問い合わせは他の部署の担当です。表示できません。' : e.message));
      return;
    }
    const t = data.ticket;
    const reload = () => viewTicket(no);
    const replyText = el('textarea', { rows: 4, id: 'reply-text' });
    const reason = el('input', { size: 40 });
    const to = deptSelect('');
    const closeReason = el('input', { size: 40 });
    const closed = t.status === 'closed';
    const post = async (what, body, done) => {
      const r = await attempt(() => api('POST', `/tickets/${encodeURIComponent(no)}/${what}`, body), err);
      if (r) { say(done); reload(); }
    };
    // canned replies of the ticket's department: choosing one fills the reply box
    const deptQ = t.department && t.department.id ? `?department=${encodeURIComponent(t.department.id)}` : '';
    const cannedList = closed ? null : await api('GET', `/canned${deptQ}`).catch(() => null);
    const canned = el('select', { id: 'canned-select', onchange: () => {
      const c = (cannedList ? cannedList.canned : []).find((x) => String(x.id) === canned.value);
      if (c) replyText.value = replyText.value ? `${replyText.value}\n${c.text}` : c.text;
      canned.value = '';
      replyText.focus();
    } }, el('option', { value: '' }, '定型文を選ぶ…'),
    ...(cannedList ? cannedList.canned : []).map((c) => el('option', { value: String(c.id) }, c.title)));
    const cannedTitle = el('input', { id: 'canned-title', size: 30 });
    const noteText = el('textarea', { rows: 2, id: 'note-text' });
    const assignee = t.assignee || '';
    setView(`問い合わせ ${t.ticket_no}`,
      el('p', {}, badge(t.status), ` ${t.department ? t.department.name || t.department.id : ''}・受付 ${jst(t.created_at)}`),
      el('p', { id: 'assignee' }, `担当者：${assignee || 'なし'} `,
        closed ? '' : assignee === me.user.login
          ? el('button', { type: 'button', class: 'secondary', onclick: () => post('assign', { assignee: '' }, '担当を外しました。') }, '担当を外す')
          : el('button', { type: 'button', class: 'secondary', onclick: () => post('assign', { assignee: me.user.login }, '担当者になりました。') }, '自分が担当する')),
      el('h3', {}, '質問'), el('p', {}, t.question),
      t.inquiry ? inquiryPart(t.inquiry, replyText, closed) : '',
      t.contact ? el('p', { class: 'contact' }, el('strong', {}, '連絡先（閲覧は記録されます）：'), t.contact) : '',
      el('h3', {}, '会話の記録'),
      el('ol', { class: 'transcript' }, (t.transcript || []).map((m) => el('li', { class: m.role },
        el('span', { class: 'who-label' }, { resident: '住民', bot: 'ボット', staff: '職員', system: 'システム' }[m.role] || m.role),
        el('span', { class: 'note' }, jst(m.at)), el('br'), m.text, m.role === 'bot' ? turnFacts(m) : ''))),
      el('h3', {}, 'やりとり（受付後）'),
      (t.replies || []).length ? el('ol', { class: 'transcript thread' }, t.replies.map((r) => r.side === 'resident'
        ? el('li', { class: 'resident' }, el('span', { class: 'who-label' }, '住民からの返信'),
          el('span', { class: 'note' }, jst(r.at)), el('br'), r.text)
        : el('li', { class: 'staff' }, el('span', { class: 'who-label' }, `職員（${r.author}）`),
          el('span', { class: 'note' }, jst(r.at)), el('br'), r.text,
          r.delivered_at ? el('span', { class: 'note' }, `（${jst(r.delivered_at)} にチャットへ届きました）`) : el('span', { class: 'note' }, '（チャットへ未配信）')))) :
        el('p', { class: 'note' }, 'まだありません。'),
      (t.notices || []).length ? el('h3', {}, 'メール・LINEでのお知らせ') : '',
      (t.notices || []).length ? el('ul', { class: 'notices' }, t.notices.map((n) => el('li', {},
        `${jst(n.created_at)} ${{ received: '受付のお知らせ', reply: '返事のお知らせ', line_push: 'LINEへの返事', inquiry: '受付確認（回答予定日つき）' }[n.kind] || n.kind}：`,
        { pending: '送信待ち', sent: '送信済み', failed: '送信できませんでした',
          held: 'LINEの今月の送信上限に達したため保留中（来月または上限を上げると送信されます）' }[n.state] || n.state,
        n.attempts ? `（${n.attempts}回）` : '', n.last_error ? el('span', { class: 'note' }, ` ${n.last_error}`) : ''))) : '',
      closed ? '' : el('form', { onsubmit: async (ev) => {
        ev.preventDefault();
        const r = await attempt(() => api('POST', `/tickets/${encodeURIComponent(no)}/reply`, { text: replyText.value }), err);
        if (r) { say('返信しました。住民の画面に届きます。'); reload(); }
      } }, field('定型文', canned), field('返信', replyText), el('p', {}, el('button', { type: 'submit', id: 'reply-send' }, '返信する'))),
      closed ? '' : el('form', { class: 'filters', onsubmit: async (ev) => {
        ev.preventDefault();
        const body = { title: cannedTitle.value, text: replyText.value };
        if (t.department && t.department.id) body.department = t.department.id;
        const r = await attempt(() => api('POST', '/canned', body), err);
        if (r) { say('定型文として保存しました。'); reload(); }
      } }, field('返信欄の文を定型文として保存（名前）', cannedTitle),
      el('p', {}, el('button', { type: 'submit', class: 'secondary' }, '定型文にする'))),
      el('h3', {}, '内部メモ（住民には表示されません）'),
      (t.notes || []).length ? el('ul', { class: 'notes', id: 'notes' }, t.notes.map((n) => el('li', {},
        el('span', { class: 'note' }, `${jst(n.at)} ${n.author}：`), n.text))) : el('p', { class: 'note' }, 'メモはありません。'),
      el('form', { class: 'filters', onsubmit: (ev) => { ev.preventDefault(); post('note', { text: noteText.value }, 'メモを追加しました。'); } },
        field('メモ', noteText), el('p', {}, el('button', { type: 'submit', class: 'secondary' }, 'メモを追加'))),
      closed ? '' : el('form', { class: 'filters', onsubmit: async (ev) => {
        ev.preventDefault();
        const r = await attempt(() => api('POST', `/tickets/${encodeURIComponent(no)}/reassign`, { department: to.value, reason: reason.value }), err);
        if (r) { say('担当部署を変更しました。'); location.hash = '#/tickets'; }
      } }, field('担当部署を変更', to), field('理由', reason), el('p', {}, el('button', { type: 'submit', class: 'secondary' }, '移す'))),
      closed ? '' : el('form', { class: 'filters', onsubmit: async (ev) => {
        ev.preventDefault();
        const r = await attempt(() => api('POST', `/tickets/${encodeURIComponent(no)}/close`, { reason: closeReason.value }), err);
        if (r) { say('完了にしました。'); reload(); }
      } }, field('完了にする（理由・任意）', closeReason), el('p', {}, el('button', { type: 'submit', class: 'secondary' }, '完了にする'))),
      err,
      el('h3', {}, '経過'),
      table(['日時', '操作', '担当者', '部署', '理由'], (t.events || []).map((e) => el('tr', {}, el('td', {}, jst(e.at)),
        el('td', {}, { create: '受付', reply: '返信', close: '完了', reassign: '部署の移動' }[e.action] || e.action),
        el('td', {}, e.actor), el('td', {}, e.from_department || e.to_department ?
          `${deptName(e.from_department)} → ${deptName(e.to_department)}` : ''), el('td', {}, e.reason || '')))));
  }

  // ---- statistics -------------------------------------------------------------------
  function chart(days) {
    const W = 720, H = 240, L = 40, B = 30, n = Math.max(days.length, 1);
    const max = Math.max(1, ...days.map((d) => d.questions));
    const bw = Math.max(2, Math.floor((W - L - 10) / n) - 2);
    const colors = { answered: '#19652a', clarified: '#b26b00', no_answer: '#a4000f' };
    const names = { answered: '回答', clarified: '聞き返し', no_answer: '回答なし' };
    const svg = el('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img',
      'aria-label': `日別の質問数（${days.length}日分、最大 ${max} 件）。数値は下の表にもあります。` });
    svg.appendChild(el('line', { x1: L, y1: H - B, x2: W, y2: H - B, stroke: '#555' }));
    svg.appendChild(el('text', { x: 2, y: 14, 'font-size': 12 }, String(max)));
    svg.appendChild(el('text', { x: 2, y: H - B, 'font-size': 12 }, '0'));
    days.forEach((d, i) => {
      const x = L + i * (bw + 2);
      let y = H - B;
      for (const k of ['answered', 'clarified', 'no_answer']) {
        const h = (d[k] / max) * (H - B - 20);
        y -= h;
        svg.appendChild(el('rect', { x, y, width: bw, height: Math.max(0, h), fill: colors[k] },
          el('title', {}, `${d.day} ${names[k]} ${d[k]}件`)));
      }
      if (i % Math.ceil(n / 10) === 0) svg.appendChild(el('text', { x, y: H - 10, 'font-size': 10 }, d.day.slice(5)));
    });
    const legend = el('p', { class: 'legend' }, Object.keys(names).map((k) => {
      const s = el('span', {}, names[k]);
      s.style.setProperty('--swatch', colors[k]);
      return s;
    }));
    return el('div', {}, svg, legend);
  }

  async function viewStats(params) {
    const err = el('p', { class: 'error', role: 'alert' });
    const from = el('input', { type: 'date', value: params.get('from') || '' });
    const to = el('input', { type: 'date', value: params.get('to') || '' });
    const form = el('form', { class: 'filters', onsubmit: (ev) => {
      ev.preventDefault();
      const p = new URLSearchParams();
      if (from.value) p.set('from', from.value);
      if (to.value) p.set('to', to.value);
      location.hash = `#/stats?${p}`;
    } }, field('期間（から）', from), field('期間（まで）', to), el('p', {}, el('button', { type: 'submit' }, '集計する')));
    setView('集計', form, err);
    const q = params.toString();
    const s = await attempt(() => api('GET', `/stats${q ? '?' + q : ''}`), err);
    if (!s) return;
    const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);
    const csv = (t) => el('a', { href: `${API}/stats?format=csv&table=${t}&from=${s.from}&to=${s.to}`, download: '' }, 'CSVで保存');
    from.value = s.from;
    to.value = s.to;
    // every day of the range, the quiet ones too, so the chart's axis is time
    const byDay = new Map(s.days.map((d) => [d.day, d]));
    const allDays = [];
    for (let t = Date.parse(`${s.from}T00:00:00Z`); t <= Date.parse(`${s.to}T00:00:00Z`) && allDays.length < 400; t += 86400000) {
      const day = new Date(t).toISOString().slice(0, 10);
      allDays.push(byDay.get(day) || { day, questions: 0, answered: 0, clarified: 0, no_answer: 0, escalated: 0,
        helpful: 0, not_helpful: 0 });
    }
    const T = s.totals;
    $('view').append(
      el('p', {}, `${s.from} 〜 ${s.to}（日本時間）`),
      el('div', { class: 'cards' },
        [['質問', T.questions], ['回答率', pct(T.answered_rate)], ['聞き返し率', pct(T.clarified_rate)],
          ['回答なし率', pct(T.no_answer_rate)], ['職員への引き継ぎ率', pct(T.escalated_rate)], ['役に立った率', pct(T.helpful_rate)],
          // 行かない窓口: answers that showed an online application versus sent the resident to a counter
          ['オンライン申請へ案内', s.online ? `${s.online.online}件（${pct(s.online.online_rate)}）` : '-'],
          ['窓口へ案内', s.online ? `${s.online.counter}件` : '-']]
          .map(([k, v]) => el('div', { class: 'card' }, k, el('strong', {}, String(v))))),
      // the LINE channel's monthly push quota (only when the channel is on)
      s.line ? el('p', { class: s.line.pushes_held ? 'error' : 'note' },
        `LINEの今月のプッシュ送信：${s.line.pushes_month}通` +
        (s.line.push_quota ? `（上限 ${s.line.push_quota}通）` : '（上限なし）') +
        (s.line.pushes_held ? `。上限に達したため ${s.line.pushes_held}通が保留中です。` : '')) : '',
      el('h3', {}, '日別の質問数 ', csv('days')), chart(allDays),
      table(['日付', { label: '質問', num: 1 }, { label: '回答', num: 1 }, { label: '聞き返し', num: 1 },
        { label: '回答なし', num: 1 }, { label: '引き継ぎ', num: 1 }, { label: '役に立った', num: 1 }, { label: '役に立たない', num: 1 }],
      s.days.map((d) => el('tr', {}, el('td', {}, d.day), ...['questions', 'answered', 'clarified', 'no_answer', 'escalated',
        'helpful', 'not_helpful'].map((k) => el('td', { class: 'num' }, String(d[k])))))),
      el('h3', {}, 'よく使われたFAQ ', csv('top_questions')),
      table(['FAQ', '質問', { label: '回答数', num: 1 }], s.top_questions.map((x) => el('tr', {},
        el('td', {}, el('a', { href: `#/faq/${encodeURIComponent(x.faq_id)}` }, x.faq_id)), el('td', {}, x.question),
        el('td', { class: 'num' }, String(x.count))))),
      el('h3', {}, '回答できなかった質問 ', csv('top_unanswered')),
      table(['質問', { label: '件数', num: 1 }], s.top_unanswered.map((x) => el('tr', {}, el('td', {}, x.text),
        el('td', { class: 'num' }, String(x.count))))),
      el('h3', {}, '部署別 ', csv('departments')),
      table(['部署', { label: '回答数', num: 1 }, { label: '問い合わせ', num: 1 }, { label: '未完了', num: 1 }, '初回返信までの平均',
        { label: '他部署へ回した数（たらい回し）', num: 1 }],
        s.departments.map((d) => el('tr', {}, el('td', {}, d.name), el('td', { class: 'num' }, String(d.answered)),
          el('td', { class: 'num' }, String(d.tickets)), el('td', { class: 'num' }, String(d.open_tickets)),
          el('td', {}, duration(d.avg_first_reply_seconds)), el('td', { class: 'num reroutes' }, String(d.reroutes || 0))))));
  }

  // ---- users and audit -----------------------------------------------------------------
  async function viewUsers() {
    const err = el('p', { class: 'error', role: 'alert' });
    const data = await attempt(() => api('GET', '/users'), err);
    // without the right to list accounts there is nothing to add them to either
    if (!data) { setView('利用者', err); return; }
    const f = { login: el('input', { autocomplete: 'off' }), display_name: el('input'),
      role: el('select', {}, Object.entries(ROLE).map(([k, v]) => el('option', { value: k }, v))),
      department: deptSelect(''), password: el('input', { type: 'password', autocomplete: 'new-password' }) };
    const add = el('form', { class: 'form-grid', onsubmit: async (ev) => {
      ev.preventDefault();
      const body = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v.value]));
      const r = await attempt(() => api('POST', '/users', body), err);
      if (r) { say(`${r.user.login} を追加しました。`); viewUsers(); }
    } }, field('ログインID', f.login), field('表示名', f.display_name), field('役割', f.role),
    field('部署（職員は必須）', f.department), field('初期パスワード（10文字以上）', f.password),
    el('p', {}, el('button', { type: 'submit' }, '追加する')));
    // one account's edit form, under the table (no prompt(): a real form with labels)
    const editBox = el('div', { id: 'user-edit' });
    const edit = (u) => {
      const name = el('input', { value: u.display_name });
      const role = el('select', {}, Object.entries(ROLE).map(([k, v]) => el('option', { value: k }, v)));
      role.value = u.role;
      const dept = deptSelect(u.department || '');
      const pw = el('input', { type: 'password', autocomplete: 'new-password' });
      editBox.replaceChildren(el('h3', { tabindex: '-1', id: 'user-edit-title' }, `${u.login} を編集`),
        el('form', { class: 'form-grid', onsubmit: async (ev) => {
          ev.preventDefault();
          const r = await attempt(() => api('PUT', `/users/${encodeURIComponent(u.login)}`,
            { display_name: name.value, role: role.value, department: dept.value }), err);
          if (r) { say(`${u.login} を変更しました。`); viewUsers(); }
        } }, field('表示名', name), field('役割', role), field('部署（職員は必須）', dept),
        el('p', {}, el('button', { type: 'submit' }, '変更を保存'))),
        el('form', { class: 'form-grid', onsubmit: async (ev) => {
          ev.preventDefault();
          const r = await attempt(() => api('POST', `/users/${encodeURIComponent(u.login)}/passwd`, { password: pw.value }), err);
          if (r) { pw.value = ''; say('パスワードを変更しました。その利用者のログインは解除されます。'); }
        } }, field('新しいパスワード（10文字以上）', pw), el('p', {}, el('button', { type: 'submit' }, 'パスワードを変更'))));
      $('user-edit-title').focus();
    };
    setView('利用者', err, table(['ログインID', '表示名', '役割', '部署', '状態', '操作'], data.users.map((u) => el('tr', {},
      el('td', {}, u.login), el('td', {}, u.display_name), el('td', {}, ROLE[u.role] || u.role), el('td', {}, deptName(u.department)),
      el('td', {}, u.disabled ? '無効' : '有効', u.locked_until ? `（ロック中 ${jst(u.locked_until)}まで）` : ''),
      el('td', {},
        el('button', { type: 'button', class: 'secondary', onclick: () => edit(u) }, '編集'), ' ',
        u.login === me.user.login ? el('span', { class: 'note' }, '（自分）') :
          el('button', { type: 'button', class: 'secondary', onclick: async () => {
            if (!u.disabled && !confirm(`${u.login}（${u.display_name}）を無効にします。この利用者はログインできなくなります。よろしいですか？`)) return;
            const r = await attempt(() => api('POST', `/users/${encodeURIComponent(u.login)}/${u.disabled ? 'enable' : 'disable'}`, {}), err);
            if (r) { say(`${u.login} を${u.disabled ? '有効' : '無効'}にしました。`); viewUsers(); }
          } }, u.disabled ? '有効にする' : '無効にする'))))), editBox, el('h3', {}, '利用者を追加'), add);
  }

  // ---- personal-information requests (個人情報保護法) ------------------------------------
  // A resident asks what the city holds about them, or that it be erased. Find their
  // tickets by number, e-mail or phone; export everything as JSON; erase per ticket.
  // Every search and every erasure is in the audit log.
  async function viewPrivacy() {
    const err = el('p', { class: 'error', role: 'alert' });
    const no = el('input', { id: 'pv-ticket', autocomplete: 'off' });
    const email = el('input', { id: 'pv-email', type: 'email', autocomplete: 'off' });
    const phone = el('input', { id: 'pv-phone', type: 'tel', autocomplete: 'off' });
    const results = el('div', { id: 'privacy-results' });
    const search = async () => {
      const q = new URLSearchParams();
      if (no.value.trim()) q.set('ticket', no.value.trim());
      if (email.value.trim()) q.set('email', email.value.trim());
      if (phone.value.trim()) q.set('phone', phone.value.trim());
      const data = await attempt(() => api('GET', `/privacy?${q}`), err);
      if (!data) return;
      const blob = () => URL.createObjectURL(new Blob([JSON.stringify(data.tickets, null, 2)], { type: 'application/json' }));
      results.replaceChildren(
        el('p', {}, `${data.count} 件の問い合わせが見つかりました（この検索は監査ログに記録されています）。`),
        data.count ? el('p', {}, el('a', { href: blob(), download: 'madoguchi-personal-data.json', id: 'pv-export' },
          '見つかった内容をすべてJSONで書き出す')) : '',
        ...data.tickets.map((t) => el('section', { class: 'privacy-ticket' },
          el('h3', {}, `${t.ticket_no}（${STATUS[t.status] || t.status}・${jst(t.created_at)}）`),
          el('p', {}, '質問：', t.question),
          el('p', {}, '連絡先：', t.contact || 'なし', '　メール通知先：', t.notify_email || 'なし'),
          el('p', {}, `会話の記録 ${(t.transcript || []).length} 行・やりとり ${(t.replies || []).length} 件`),
          el('p', {}, el('button', { type: 'button', class: 'danger', onclick: async () => {
            if (!confirm(`${t.ticket_no} の質問・連絡先・メール・やりとり・会話の記録を削除します。元に戻せません。よろしいですか？`)) return;
            const r = await attempt(() => api('POST', '/privacy/erase', { ticket_no: t.ticket_no }), err);
            if (r) { say(`${t.ticket_no} の個人情報を削除しました。`); search(); }
          } }, 'この問い合わせの個人情報を削除する')))));
    };
    setView('個人情報の開示・削除',
      el('p', {}, '住民から、市が持っている自分の情報の開示や削除を求められたときに使います。受付番号・メールアドレス・電話番号のどれかで探します。'),
      el('form', { class: 'filters', onsubmit: (ev) => { ev.preventDefault(); search(); } },
        field('受付番号', no), field('メールアドレス', email), field('電話番号', phone),
        el('p', {}, el('button', { type: 'submit' }, '探す'))), err, results);
  }

  // What each audit action means, for people (the raw code stays in the exports).
  const ACTION = {
    'auth.login': 'ログイン', 'auth.logout': 'ログアウト', 'auth.fail': 'ログイン失敗', 'auth.lock': 'ロック',
    'faq.create': 'FAQ作成', 'faq.edit': 'FAQ編集', 'faq.alternate': '言い回し追加', 'faq.publish': 'FAQ公開',
    'faq.rollback': 'FAQを前の版へ', 'faq.import': 'FAQ取り込み', 'faq.phrasing_accept': '言い回し採用',
    'faq.phrasing_reject': '言い回し不採用', 'ticket.read': '問い合わせ閲覧', 'ticket.reply': '問い合わせ返信',
    'ticket.close': '問い合わせ完了', 'ticket.reassign': '部署の移動', 'ticket.note': '内部メモ', 'ticket.assign': '担当者',
    'canned.put': '定型文保存', 'canned.delete': '定型文削除', 'user.add': '利用者追加', 'user.update': '利用者変更',
    'user.passwd': 'パスワード変更', 'user.disable': '利用者無効化', 'user.enable': '利用者有効化',
    'unanswered.read': '未回答の質問の閲覧', 'unanswered.close': '未回答の質問を対応済みに', 'unanswered.merge': '未回答の質問をまとめる', 'privacy.find': '個人情報の検索', 'privacy.erase': '個人情報の削除',
    'audit.export': '監査ログの書き出し',
  };
  async function viewAudit(params) {
    const err = el('p', { class: 'error', role: 'alert' });
    const kinds = [['', 'すべて'], ['auth.', 'ログイン'], ['faq.', 'FAQ'], ['ticket.', '問い合わせ'], ['user.', '利用者'],
      ['privacy.', '個人情報'], ['unanswered.', '未回答'], ['canned.', '定型文'], ['audit.', '監査ログ']];
    const action = el('select', {}, kinds.map(([v, l]) => el('option', { value: v }, l)));
    action.value = params.get('action') || '';
    const actor = el('input', { value: params.get('actor') || '', autocomplete: 'off' });
    const target = el('input', { value: params.get('target') || '' });
    const from = el('input', { type: 'date', value: params.get('from') || '' });
    const to = el('input', { type: 'date', value: params.get('to') || '' });
    const query = () => {
      const p = new URLSearchParams();
      for (const [k, v] of [['action', action], ['actor', actor], ['target', target], ['from', from], ['to', to]])
        if (v.value.trim()) p.set(k, v.value.trim());
      return p;
    };
    const form = el('form', { class: 'filters', onsubmit: (ev) => {
      ev.preventDefault();
      const q = query().toString();
      location.hash = `#/audit${q ? '?' + q : ''}`;
    } }, field('種類', action), field('操作者（ログインID）', actor),
    field('対象（FAQのID、問い合わせ番号、ログインID）', target), field('日付（から）', from), field('日付（まで）', to),
    el('p', {}, el('button', { type: 'submit' }, '表示')));
    const q = params.toString();
    const exportQ = (fmt) => { const p = new URLSearchParams(params); p.delete('offset'); p.delete('limit'); p.set('format', fmt); return `${API}/audit?${p}`; };
    setView('監査ログ', form, err,
      el('p', {}, '書き出し（いまの絞り込みで、すべての行）：', el('a', { href: exportQ('csv'), id: 'audit-csv' }, 'CSV'), '　',
        el('a', { href: exportQ('json'), id: 'audit-json' }, 'JSON')));
    const data = await attempt(() => api('GET', `/audit${q ? '?' + q : ''}`), err);
    if (!data) return;
    const json = (v) => (v === null || v === undefined ? '' : el('details', {}, el('summary', {}, '表示'),
      el('pre', { class: 'json' }, JSON.stringify(v, null, 1))));
    $('view').appendChild(el('p', { class: 'note' }, `${data.total} 件（新しい順）`));
    $('view').appendChild(table(['日時', '操作者', '操作', '対象', '詳細', '変更前', '変更後'], data.entries.map((a) => el('tr', {},
      el('td', {}, jst(a.at)), el('td', {}, a.actor), el('td', { title: a.action }, ACTION[a.action] || a.action),
      el('td', {}, a.target), el('td', {}, a.detail), el('td', {}, json(a.before)), el('td', {}, json(a.after))))));
  }

  // ---- routing ----------------------------------------------------------------------------
  /** 翻訳の不足: published entries without an English or やさしい日本語 version, per department. */
  async function viewTranslations(params) {
    const dept = params.get('department') || '';
    const d = await api('GET', `/translations${dept ? `?department=${encodeURIComponent(dept)}` : ''}`);
    const mark = (b) => (b ? 'なし' : 'あり');
    const table = el('table', { id: 'translations-depts' }, el('caption', {}, '部署ごとの件数（公開中のFAQ）'),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, '担当部署'), el('th', { scope: 'col' }, '公開中'),
        el('th', { scope: 'col' }, '英語の版がない'), el('th', { scope: 'col' }, 'やさしい日本語の版がない'))),
      el('tbody', {}, d.departments.map((x) => el('tr', {},
        el('th', { scope: 'row' }, el('a', { href: `#/translations?department=${encodeURIComponent(x.department)}` }, x.name || x.department || '（担当部署なし）')),
        el('td', {}, String(x.published)), el('td', {}, String(x.missing_en)), el('td', {}, String(x.missing_easy))))));
    const list = el('table', { id: 'translations-entries' }, el('caption', {}, dept ? `${dept} の翻訳がないFAQ（${d.total}件）` : `翻訳がないFAQ（${d.total}件）`),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'FAQ'), el('th', { scope: 'col' }, '英語'), el('th', { scope: 'col' }, 'やさしい日本語'))),
      el('tbody', {}, d.entries.map((e) => el('tr', {},
        el('td', {}, el('a', { href: `#/faq/${encodeURIComponent(e.id)}` }, e.id), ' ', e.question),
        el('td', {}, mark(e.missing_en)), el('td', {}, mark(e.missing_easy))))));
    setView('翻訳の不足', el('p', { class: 'note' }, '英語・やさしい日本語の版は、FAQの編集画面で書けます。公開すると住民の回答に使われます。'), table, list);
  }

  async function route() {
    if (!me) return;
    const hash = location.hash || '#/tickets';   // staff start at the inbox: nobody waits unseen
    const [path, query] = hash.slice(1).split('?');
    const params = new URLSearchParams(query || '');
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    for (const a of document.querySelectorAll('#nav a')) {
      if (a.getAttribute('href') === `#/${parts[0] || 'tickets'}`) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    try {
      if (parts[0] === 'faq' && parts[1]) await viewFaqEdit(parts[1]);
      else if (parts[0] === 'new') await viewFaqNew(params);
      else if (parts[0] === 'try') viewTry(params);
      else if (parts[0] === 'unanswered') await viewUnanswered();
      else if (parts[0] === 'phrasings') await viewPhrasings(params);
      else if (parts[0] === 'tickets' && parts[1]) await viewTicket(parts[1]);
      else if (parts[0] === 'tickets' || !parts[0]) await viewTickets(params);
      else if (parts[0] === 'stats') await viewStats(params);
      else if (parts[0] === 'users') await viewUsers();
      else if (parts[0] === 'audit') await viewAudit(params);
      else if (parts[0] === 'privacy') await viewPrivacy();
      else if (parts[0] === 'translations') await viewTranslations(params);
      else await viewFaqList(params);
    } catch (e) {
      if (e.status !== 401) say(e.message);
    }
  }
  window.addEventListener('hashchange', route);

  (async function start() {
    try {
      const data = await api('GET', '/me');
      loggedIn(data);
      await loadDepartments();
      route();
      watchInbox();
    } catch (e) {
      showLogin();
    }
  })();
})();
