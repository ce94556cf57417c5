/*
 * widget.js — the madoguchi resident chat widget.
 *
 * A city embeds it with one tag and nothing else:
 *
 *   <script src="https://HOST/widget.js" defer></script>
 *
 * The script injects its stylesheet (widget.css, from the same place as the
 * script), a launcher button and a chat panel, and talks to the madoguchi server
 * over one WebSocket at wss://HOST/ws, subprotocol "madoguchi.v1"
 * (docs/protocol.md). Optional attributes on the <script> tag:
 *
 *   data-server="https://chat.example.jp"  server to talk to (default: the script's origin)
 *   data-title="西条市 よくある質問"         panel title
 *   data-storage="local"                    keep the session across browser restarts
 *                                            (default: sessionStorage, see below)
 *
 * Design rules, each for a reason:
 * - Every string that came from the server (or from the resident) is put in
 *   the page with textContent or as an attribute value, never through
 *   innerHTML: FAQ text is edited by many people, and a transcript is typed by
 *   anyone. Links are made only for phone numbers and http(s) URLs, and their
 *   href is rebuilt from the matched characters.
 * - The session id lives in sessionStorage by default: reloading the page or a
 *   dropped connection resumes the conversation (and delivers staff replies),
 *   while closing the tab ends it, so the next person at a shared computer
 *   (library, city hall kiosk) does not see this resident's conversation. A city
 *   whose residents mostly use their own phones may set data-storage="local" so
 *   a resident can come back the next day and read a staff reply; sessions expire
 *   on the server either way (session_ttl_hours).
 * - The log is built once per page; a reconnect resumes the session without
 *   redrawing it. Only staff replies missed while offline are added from the
 *   resumed history, and staff replies are de-duplicated by time and text.
 * - Accessibility (JIS X 8341-3:2016 AA): a real <button> launcher, a labelled
 *   dialog, an aria-live log, labels on every field, Enter sends (not while an
 *   IME is composing), Esc closes and returns focus to the launcher, visible
 *   focus, em-based sizes that follow the reader's default font size and zoom.
 */
(function () {
  'use strict';
  if (window.madoguchiWidget) return; // embedded twice: keep the first
  var script = document.currentScript ||
    document.querySelector('script[src$="widget.js"],script[src*="widget.js?"]');
  if (!script) return;

  var PROTOCOL = 'madoguchi.v1';
  var MAX_TEXT = 1000; // code points, as the server counts (docs/protocol.md)
  var STORE_KEY = 'madoguchi.session';

  var scriptUrl = new URL(script.src || 'widget.js', document.baseURI);
  var serverAttr = script.getAttribute('data-server');
  var serverUrl = serverAttr ? new URL(serverAttr, document.baseURI) : scriptUrl;
  var wsUrl = /^wss?:$/.test(serverUrl.protocol)
    ? serverUrl.href
    : (serverUrl.protocol === 'https:' ? 'wss://' : 'ws://') + serverUrl.host + '/ws';
  // the ticket page (/t/<number>) lives on the chat server, not the city's site
  var pageOrigin = (serverUrl.protocol === 'wss:' ? 'https:' : serverUrl.protocol === 'ws:' ? 'http:' : serverUrl.protocol) +
    '//' + serverUrl.host;
  var store = pickStorage(script.getAttribute('data-storage'));

  /* ---- languages (docs/languages.md) ----------------------------------------
   * 日本語, English and やさしいにほんご: the resident's choice is kept with the
   * session (storage) and sent in hello and every ask as `lang`; the server
   * answers from the entry's version in that language where it has one, and
   * its own words (greeting, prompts, the emergency card) in it. The page's
   * own words below follow the same choice. data-lang sets the first choice. */
  var LANG_KEY = 'madoguchi.lang';
  var UI = {
    ja: { title: 'よくある質問 自動応答', launch: '質問する', launchSub: 'FAQで自動回答（AIではありません）',
      sub: '市のよくある質問（FAQ）から、決まったルールで自動的にお答えします。AI（生成AI）は使っていません。',
      close: '閉じる', privacy: 'ご利用の前に（個人情報の取り扱い）',
      kept: 'この会話は、マイナンバー・電話番号・メールアドレスなどと思われる部分を伏せ字にしたうえで記録します。',
      secret: 'マイナンバー、口座番号・カード番号、パスワード、病気のことなど、他人に知られたくない情報は入力しないでください。',
      urgent119: '火事・救急は119番、事件・事故は110番に今すぐ電話してください。', log: '会話の記録', send: '送信',
      label: '質問を入力してください', hint: 'Enterキーで送信、Shift+Enterで改行します。', you: 'あなた', bot: '自動応答',
      urgent: '緊急のご案内', about: function (q) { return '「' + q + '」についての回答です。'; },
      langs: '表示する言語', switched: '日本語で表示します。',
      dept: '担当', tel: '電話', hours: '受付時間', place: '場所', mail: 'メール', fbQ: 'この回答は役に立ちましたか',
      fbThanks: 'ご回答ありがとうございました。', fbQ2: 'この回答は役に立ちましたか？', fbYes: '役に立った', fbNo: '役に立たなかった',
      safetyH: '念のためのご案内', online: 'オンラインで申請する（新しいタブ）', details: '詳しい説明のページを開く（新しいタブ）',
      faqPage: 'このFAQのページ（新しいタブ）', relatedH: '関連する質問', escAlso: '職員に直接問い合わせることもできます。',
      none: 'どれも当てはまらない（職員に問い合わせる）', escWill: '職員が確認してお返事します。', escSubmit: '職員に問い合わせる', escForm: '職員への問い合わせ',
      escNo: '自動応答ではお答えできませんでした。', escLead: '担当の職員が内容を確認して、この画面でお返事します。', escQ: 'お問い合わせ内容',
      escTel: '電話番号（任意）', cancel: 'やめる', ticketH: '職員への問い合わせを受け付けました。' },
    en: { title: 'FAQ auto-answer', launch: 'Ask a question', launchSub: 'Automatic FAQ answers (not AI)',
      sub: 'Answers come automatically from the city\'s frequently asked questions (FAQ), by fixed rules. No AI (generative AI) is used.',
      close: 'Close', privacy: 'Before you start (personal information)',
      kept: 'This conversation is recorded with anything that looks like a My Number, phone number or e-mail address hidden.',
      secret: 'Please do not type your My Number, bank or card numbers, passwords, illness or anything else you want to keep private.',
      urgent119: 'For fire or an ambulance call 119, for crime or an accident call 110, right now.', log: 'Conversation',
      send: 'Send', label: 'Type your question', hint: 'Enter sends, Shift+Enter starts a new line.', you: 'You',
      bot: 'Auto-answer', urgent: 'Emergency', about: function (q) { return 'Answer to: "' + q + '"'; },
      langs: 'Language', switched: 'Shown in English. Answers are in English where the city has written them.',
      dept: 'Department', tel: 'Phone', hours: 'Hours', place: 'Place', mail: 'E-mail',
      fbQ: 'Was this answer helpful', fbThanks: 'Thank you for your answer.',
      fbQ2: 'Was this answer helpful?', fbYes: 'Helpful', fbNo: 'Not helpful', safetyH: 'Just in case',
      online: 'Apply online (new tab)', details: 'Open the page with details (new tab, Japanese)',
      faqPage: 'The page of this question (new tab)', relatedH: 'Related questions',
      escAlso: 'You can also ask a member of staff.', none: 'None of these (ask a member of staff)',
      escWill: 'A member of staff will read it and reply.', escSubmit: 'Ask a member of staff',
      escForm: 'Question for staff', escNo: 'The automatic answers could not help.',
      escLead: 'Staff of the department in charge will read it and reply on this screen.',
      escQ: 'Your question', escTel: 'Phone number (optional)', cancel: 'Cancel',
      ticketH: 'We have received your question for staff.' },
    easy: { title: 'しつもん に こたえます', launch: 'しつもん する', launchSub: 'きまった こたえ を だします（AI では ありません）',
      sub: 'しやくしょ の よくある しつもん から、きまった こたえ を だします。AI は つかいません。',
      close: 'とじる', privacy: 'つかう まえ に よんで ください',
      kept: 'でんわばんごう や メールアドレス は みえないように して、はなし を のこします。',
      secret: 'マイナンバー、ぎんこう の ばんごう、パスワード、びょうき の こと は かかないで ください。',
      urgent119: 'かじ や きゅうきゅうしゃ は 119、じけん や じこ は 110 に すぐ でんわ して ください。', log: 'はなし の きろく',
      send: 'おくる', label: 'しつもん を かいて ください', hint: 'Enter で おくります。Shift+Enter で つぎ の ぎょう に します。',
      you: 'あなた', bot: 'じどう の こたえ', urgent: 'いそいで ください',
      about: function (q) { return '「' + q + '」の こたえ です。'; },
      langs: 'ことば', switched: 'やさしい にほんご で だします。',
      dept: 'たんとう', tel: 'でんわ', hours: 'あいている じかん', place: 'ばしょ', mail: 'メール', fbQ: 'この こたえ は やくに たちましたか',
      fbThanks: 'ありがとう ございました。', fbQ2: 'この こたえ は やくに たちましたか？', fbYes: 'やくに たった', fbNo: 'やくに たたなかった',
      safetyH: 'ねんのため', online: 'インターネット で もうしこむ（あたらしい タブ）', details: 'くわしい せつめい の ページ（あたらしい タブ）',
      faqPage: 'この しつもん の ページ（あたらしい タブ）', relatedH: 'ほか の しつもん', escAlso: 'しやくしょ の ひと に きく ことも できます。',
      none: 'どれも ちがう（しやくしょ の ひと に きく）', escWill: 'しやくしょ の ひと が よんで こたえます。', escSubmit: 'しやくしょ の ひと に きく',
      escForm: 'しやくしょ の ひと への しつもん', escNo: 'じどう の こたえ では わかりません でした。',
      escLead: 'たんとう の ひと が よんで、この がめん で こたえます。', escQ: 'ききたい こと', escTel: 'でんわばんごう（かかなくても いい）',
      cancel: 'やめる', ticketH: 'しつもん を うけつけました。' }
  };
  var LANG_NAMES = [['ja', '日本語', 'ja'], ['en', 'English', 'en'], ['easy', 'やさしいにほんご', 'ja']];
  function pickLang(v) { return v === 'en' || v === 'easy' ? v : 'ja'; }
  var uiLang = pickLang(store.getItem(LANG_KEY) || script.getAttribute('data-lang'));
  function t(key) { return UI[uiLang][key] || UI.ja[key]; }
  function htmlLang(l) { return l === 'en' ? 'en' : 'ja'; }
  var customTitle = script.getAttribute('data-title');
  var title = customTitle || t('title');

  /* ---- small DOM helpers (no innerHTML anywhere) ------------------------ */
  var uid = 0;
  function newId(prefix) { uid += 1; return 'mg-' + prefix + '-' + uid; }
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === undefined || v === null || v === false) return;
        if (k === 'text') e.textContent = v;
        else if (k === 'className') e.className = v;
        else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v === true ? '' : String(v));
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  function str(v) { return typeof v === 'string' ? v : ''; }
  function codePoints(s) { return Array.from(s).length; }

  function pickStorage(kind) {
    try {
      var s = kind === 'local' ? window.localStorage : window.sessionStorage;
      s.setItem('madoguchi.probe', '1');
      s.removeItem('madoguchi.probe');
      return s;
    } catch (e) { // storage blocked (privacy settings, sandboxed iframe): no resume
      return { getItem: function () { return null; }, setItem: function () {}, removeItem: function () {} };
    }
  }

  /* Text with phone numbers and web addresses made into links. Emergency
   * answers also link the short numbers (119, 110, 189, #9110, #7119). */
  var PHONE = /(0\d{1,4}-\d{1,4}-\d{3,4}|0120-\d{2,3}-\d{3}|0570-\d{3}-\d{3})/;
  var SHORT = /([#＃](?:9110|7119|8000)|(?:^|[^\d#＃０-９\-])(?:110|119|189|１１０|１１９|１８９)(?![\d０-９\-]))/;
  // outside the emergency card: #7119-style numbers, and 110/119/189 only when written "119番"
  // ("110円" is a price, not a number to call)
  var SHORT_SAFE = /([#＃](?:9110|7119|8000|[0-9０-９]{4})(?![\d０-９])|(?:^|[^\d#＃０-９\-])(?:110|119|189|１１０|１１９|１８９)(?=番))/;
  var URLRE = /(https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+)/;
  function linkify(parent, text, emergency) {
    var parts = [PHONE.source, URLRE.source, (emergency ? SHORT : SHORT_SAFE).source];
    var re = new RegExp(parts.join('|'), 'g');
    var last = 0, m;
    while ((m = re.exec(text)) !== null) {
      var whole = m[0];
      var start = m.index;
      if (m[3] !== undefined) { // SHORT may have eaten one leading char
        var lead = whole.replace(/([#＃]?[\d０-９]+)$/, '');
        start += lead.length;
        whole = whole.slice(lead.length);
      }
      if (start > last) parent.appendChild(document.createTextNode(text.slice(last, start)));
      var href = /^https?:/.test(whole) ? safeUrl(whole) : 'tel:' + halfWidth(whole).replace(/[^\d#]/g, '').replace('#', '%23');
      parent.appendChild(el('a', { href: href, className: /^https?:/.test(whole) ? 'mg-link' : 'mg-tel',
        rel: /^https?:/.test(whole) ? 'noopener noreferrer' : null,
        target: /^https?:/.test(whole) ? '_blank' : null, text: whole }));
      last = start + whole.length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
    return parent;
  }
  // An http(s) address, normalised and percent-encoded by the URL parser; else null.
  function safeUrl(u) {
    try {
      var x = new URL(u);
      return x.protocol === 'https:' || x.protocol === 'http:' ? x.href : null;
    } catch (e) { return null; }
  }
  function halfWidth(s) {
    return s.replace(/[０-９＃]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); });
  }
  function para(className, text, emergency) {
    return linkify(el('p', { className: className }), text, emergency);
  }

  var tokyo = null;
  try {
    tokyo = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', month: 'numeric',
      day: 'numeric', hour: '2-digit', minute: '2-digit' });
  } catch (e) { tokyo = null; }
  function when(at) {
    var t = Date.parse(at);
    return isNaN(t) || !tokyo ? str(at) : tokyo.format(new Date(t));
  }

  /* ---- styles and skeleton ------------------------------------------------ */
  var css = el('link', { rel: 'stylesheet', href: new URL('widget.css', scriptUrl).href });

  var panelId = newId('panel'), titleId = newId('title'), subId = newId('sub');
  var inputId = newId('input'), hintId = newId('hint'), countId = newId('count');

  var launcher = el('button', { type: 'button', className: 'mg-launcher',
    'aria-expanded': 'false', 'aria-controls': panelId, onclick: function () { openPanel(); } }, [
    el('span', { className: 'mg-launcher-main', text: t('launch') }),
    el('span', { className: 'mg-launcher-sub', text: t('launchSub') }),
    el('span', { className: 'mg-badge', hidden: true, text: '' })
  ]);
  var badge = launcher.querySelector('.mg-badge');

  var closeBtn = el('button', { type: 'button', className: 'mg-close', 'aria-label': t('close'),
    onclick: function () { closePanel(); } }, [el('span', { 'aria-hidden': 'true', text: '×' }),
    el('span', { className: 'mg-close-text', text: t('close') })]);
  var langButtons = LANG_NAMES.map(function (n) {
    return el('button', { type: 'button', className: 'mg-lang', lang: n[2], 'data-lang': n[0],
      'aria-pressed': n[0] === uiLang ? 'true' : 'false', text: n[1], onclick: function () { setLang(n[0]); } });
  });
  var langGroup = el('div', { className: 'mg-langs', role: 'group', 'aria-label': t('langs') }, langButtons);
  var header = el('div', { className: 'mg-header' }, [
    el('div', { className: 'mg-heading' }, [
      el('h2', { id: titleId, className: 'mg-title', text: title }),
      el('p', { id: subId, className: 'mg-subtitle', text: t('sub') }),
      // on a phone the line above is for screen readers only (it is the dialog's
      // description) and this one line says the same in view: a compact header
      el('p', { className: 'mg-subtitle-short', 'aria-hidden': 'true', text: t('launchSub') })
    ]),
    closeBtn
  ]);

  // What is kept and for how long is the server's text (welcome.privacy, set by
  // the city); until it arrives a short general line stands in for it.
  var privacyKept = el('li', { className: 'mg-privacy-kept', text: t('kept') });
  var privacy = el('details', { className: 'mg-privacy', open: true }, [
    el('summary', { text: t('privacy') }),
    el('ul', null, [
      privacyKept,
      el('li', { className: 'mg-privacy-secret', text: t('secret') }),
      el('li', { className: 'mg-privacy-urgent', text: t('urgent119') })
    ])
  ]);

  var status = el('p', { className: 'mg-status', role: 'status', 'aria-live': 'polite' });
  var log = el('div', { className: 'mg-log', role: 'log', 'aria-live': 'polite',
    'aria-relevant': 'additions', 'aria-label': t('log'), tabindex: '0' });

  var input = el('textarea', { id: inputId, className: 'mg-input', rows: '2',
    'aria-describedby': hintId + ' ' + countId, autocomplete: 'off' });
  var count = el('span', { id: countId, className: 'mg-count', 'aria-live': 'polite' });
  var sendBtn = el('button', { type: 'submit', className: 'mg-send', text: t('send') });
  var hintText = document.createTextNode(t('hint'));
  var compose = el('form', { className: 'mg-compose', novalidate: true }, [
    el('label', { for: inputId, className: 'mg-label mg-input-label', text: t('label') }),
    el('div', { className: 'mg-compose-row' }, [input, sendBtn]),
    el('p', { id: hintId, className: 'mg-hint' }, [hintText, count])
  ]);

  var panel = el('section', { id: panelId, className: 'mg-panel', role: 'dialog',
    'aria-labelledby': titleId, 'aria-describedby': subId, hidden: true },
    [header, langGroup, privacy, status, log, compose]);
  var announcer = el('p', { className: 'mg-sr', 'aria-live': 'polite' });
  var root = el('div', { className: 'mg-root', lang: htmlLang(uiLang), 'data-madoguchi': 'widget', hidden: true },
    [launcher, panel, announcer]);
  // shown once the stylesheet is in (no flash of an unstyled button), or without it if it fails
  css.onload = css.onerror = function () { root.hidden = false; };
  document.head.appendChild(css);

  /* The resident switched language: the page's own words now, the server's
   * from the next message on (each ask carries lang). */
  function setLang(l) {
    uiLang = pickLang(l);
    store.setItem(LANG_KEY, uiLang);
    root.setAttribute('lang', htmlLang(uiLang));
    langButtons.forEach(function (b) { b.setAttribute('aria-pressed', b.getAttribute('data-lang') === uiLang ? 'true' : 'false'); });
    langGroup.setAttribute('aria-label', t('langs'));
    if (!customTitle) panel.querySelector('.mg-title').textContent = t('title');
    panel.querySelector('.mg-subtitle').textContent = t('sub');
    panel.querySelector('.mg-subtitle-short').textContent = t('launchSub');
    launcher.querySelector('.mg-launcher-main').textContent = t('launch');
    launcher.querySelector('.mg-launcher-sub').textContent = t('launchSub');
    closeBtn.setAttribute('aria-label', t('close'));
    closeBtn.querySelector('.mg-close-text').textContent = t('close');
    privacy.querySelector('summary').textContent = t('privacy');
    if (privacyKept.getAttribute('data-source') !== 'server') privacyKept.textContent = t('kept');
    privacy.querySelector('.mg-privacy-secret').textContent = t('secret');
    privacy.querySelector('.mg-privacy-urgent').textContent = t('urgent119');
    log.setAttribute('aria-label', t('log'));
    sendBtn.textContent = t('send');
    panel.querySelector('.mg-input-label').textContent = t('label');
    hintText.textContent = t('hint');
    setStatus(t('switched'));
  }

  /* ---- panel open/close and keyboard ---------------------------------------- */
  var phoneQuery = window.matchMedia ? window.matchMedia('(max-width: 599.98px)') : null;
  function isPhone() { return !!(phoneQuery && phoneQuery.matches); }

  function openPanel() {
    panel.hidden = false;
    root.classList.add('mg-open');
    launcher.setAttribute('aria-expanded', 'true');
    panel.setAttribute('aria-modal', isPhone() ? 'true' : 'false');
    if (isPhone()) document.documentElement.classList.add('mg-noscroll');
    badge.hidden = true; badge.textContent = '';
    input.focus();
    scrollLog();
    ensureConnected();
  }
  function closePanel() {
    panel.hidden = true;
    root.classList.remove('mg-open');
    launcher.setAttribute('aria-expanded', 'false');
    document.documentElement.classList.remove('mg-noscroll');
    launcher.focus();
  }
  function focusables() {
    return Array.prototype.filter.call(panel.querySelectorAll(
      'a[href],button:not([disabled]),textarea:not([disabled]),input:not([disabled]),summary,[tabindex="0"]'),
    function (e) { return e.offsetParent !== null || e === document.activeElement; });
  }
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape' || e.isComposing || panel.hidden) return;
    var a = document.activeElement;
    if (!a || a === document.body || panel.contains(a)) { e.preventDefault(); closePanel(); }
  });
  panel.addEventListener('keydown', function (e) {
    if (e.key === 'Tab' && isPhone()) { // full screen on a phone: keep focus inside
      var f = focusables();
      if (!f.length) return;
      if (e.shiftKey && document.activeElement === f[0]) { e.preventDefault(); f[f.length - 1].focus(); }
      else if (!e.shiftKey && document.activeElement === f[f.length - 1]) { e.preventDefault(); f[0].focus(); }
    }
  });
  input.addEventListener('keydown', function (e) {
    // keyCode 229: some browsers report Enter that confirms an IME conversion this way
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submitQuestion();
    }
  });
  input.addEventListener('input', updateCount);
  compose.addEventListener('submit', function (e) { e.preventDefault(); submitQuestion(); });

  function updateCount() {
    var n = codePoints(input.value);
    count.textContent = n > MAX_TEXT * 0.8 ? '（' + n + ' / ' + MAX_TEXT + '文字）' : '';
    input.setAttribute('aria-invalid', n > MAX_TEXT ? 'true' : 'false');
  }

  /* ---- the log ------------------------------------------------------------------ */
  function scrollLog() { log.scrollTop = log.scrollHeight; }
  // Show the newest item; one taller than the log is shown from its start, so a
  // long answer is read from the top.
  function add(node) {
    log.appendChild(node);
    if (node.offsetHeight > log.clientHeight) log.scrollTop = node.offsetTop - 8; // .mg-log is its offsetParent
    else scrollLog();
    return node;
  }
  function who(label) { return el('span', { className: 'mg-sr', text: label + '：' }); }

  function residentMsg(text) {
    return add(el('div', { className: 'mg-msg mg-resident' }, [
      el('p', { className: 'mg-text' }, [who(t('you')), text])
    ]));
  }
  function botText(text, extraClass) {
    var m = el('div', { className: 'mg-msg mg-bot' + (extraClass ? ' ' + extraClass : '') });
    var p = para('mg-text', text, false);
    p.insertBefore(who(t('bot')), p.firstChild);
    m.appendChild(p);
    return add(m);
  }
  function notice(text, kind) {
    return add(el('p', { className: 'mg-notice' + (kind ? ' mg-notice-' + kind : ''), text: text }));
  }

  var seenStaff = Object.create(null);
  function staffKey(at, text) {
    var t = Date.parse(at);
    return (isNaN(t) ? str(at) : String(t)) + '|' + str(text);
  }
  // old = it comes from the resumed history: shown, but not announced as new
  function staffMsg(ticketNo, text, at, old) {
    var key = staffKey(at, text);
    if (seenStaff[key]) return null;
    seenStaff[key] = true;
    // the ticket number never breaks across lines
    var head = ticketNo ? ['職員からの回答（受付番号 ', el('span', { className: 'mg-ticket-no', text: ticketNo }), '）'] : ['職員からの回答'];
    var m = el('div', { className: 'mg-msg mg-staff', 'data-ticket-no': ticketNo || null }, [
      el('p', { className: 'mg-staff-head' }, head.concat([at ? el('span', { className: 'mg-time', text: ' ' + when(at) }) : null]))
    ]);
    m.appendChild(para('mg-text', str(text), false));
    if (ticketNo && !old) m.appendChild(threadForm(ticketNo));
    add(m);
    if (old) m.classList.add('mg-history');
    else if (panel.hidden) {
      badge.hidden = false;
      badge.textContent = '職員から回答があります';
      announcer.textContent = '職員から回答が届きました。「質問する」ボタンで開けます。';
    }
    return m;
  }

  /* Disable controls that were used once; a focused control that becomes
   * disabled would drop the focus to <body>, so hand it to the question field. */
  function disableAll(container) {
    var hadFocus = container.contains(document.activeElement);
    Array.prototype.forEach.call(container.querySelectorAll('button,input,textarea'), function (b) { b.disabled = true; });
    if (hadFocus && !panel.hidden) input.focus();
  }

  function department(d) {
    if (!d || typeof d !== 'object' || !str(d.name)) return null;
    var rows = [[t('dept'), el('span', { text: d.name })]];
    if (str(d.phone)) rows.push([t('tel'), el('a', { className: 'mg-tel', href: 'tel:' + d.phone.replace(/[^\d+]/g, ''), text: d.phone })]);
    if (str(d.hours)) rows.push([t('hours'), el('span', { text: d.hours })]);
    if (str(d.location)) rows.push([t('place'), el('span', { text: d.location })]);
    if (str(d.email) && /^[^\s@<>"]+@[^\s@<>"]+$/.test(d.email)) {
      rows.push([t('mail'), el('a', { href: 'mailto:' + d.email, text: d.email })]);
    }
    var dl = el('dl', { className: 'mg-dept', 'data-department-id': str(d.id) || null });
    rows.forEach(function (r) { dl.appendChild(el('dt', { text: r[0] })); dl.appendChild(el('dd', null, [r[1]])); });
    return dl;
  }

  function feedbackBox(answerId) {
    var thanks = el('span', { className: 'mg-fb-thanks' });
    var box = el('div', { className: 'mg-feedback', role: 'group', 'aria-label': t('fbQ') });
    function vote(helpful) {
      return function () {
        this.setAttribute('aria-pressed', 'true');
        disableAll(box);
        thanks.textContent = t('fbThanks');
        send({ type: 'feedback', answer_id: answerId, helpful: helpful });
      };
    }
    box.appendChild(el('span', { className: 'mg-fb-q', text: t('fbQ2') }));
    box.appendChild(el('button', { type: 'button', className: 'mg-btn mg-fb-yes', 'aria-pressed': 'false', onclick: vote(true), text: t('fbYes') }));
    box.appendChild(el('button', { type: 'button', className: 'mg-btn mg-fb-no', 'aria-pressed': 'false', onclick: vote(false), text: t('fbNo') }));
    box.appendChild(thanks);
    return box;
  }

  /* A safety note (the server was unsure whether the resident is in danger:
   * the numbers come first, above the answer) and the English line for a
   * question asked in English (docs/protocol.md). */
  function safetyNote(m) {
    if (!m.safety || m.safety.level !== 'note' || !str(m.safety.text)) return null;
    return el('div', { className: 'mg-safety', role: 'note' }, [
      el('p', { className: 'mg-safety-h', text: t('safetyH') }), para('mg-safety-text', m.safety.text, true)]);
  }
  function englishLine(m) {
    return str(m.english) ? linkify(el('p', { className: 'mg-english', lang: 'en' }), m.english, false) : null;
  }
  function appendAll(parent, list) {
    list.forEach(function (x) { if (x) parent.appendChild(x); });
  }

  var askedFor = Object.create(null); // answer_id -> the resident's words, for escalation after feedback
  var NO_FEEDBACK = { emergency: true, smalltalk: true, greeting: true, thanks: true, handoff: true };
  function answerMsg(m, asked) {
    var emergency = !!(m.rule && m.rule.kind === 'emergency');
    var art = el('div', { className: 'mg-msg mg-bot mg-answer' + (emergency ? ' mg-emergency' : ''),
      role: emergency ? 'alert' : null,
      'data-faq-id': str(m.faq_id) || null, 'data-answer-id': str(m.answer_id) || null,
      'data-rule': m.rule ? str(m.rule.name) : null, 'data-rule-kind': m.rule ? str(m.rule.kind) : null,
      'data-department-id': m.department ? str(m.department.id) || null : null });
    // the entry's text is in m.lang (the version shown), the rest in the resident's choice
    var textLang = htmlLang(str(m.lang) || uiLang);
    art.appendChild(who(t('bot')));
    if (emergency) art.appendChild(el('p', { className: 'mg-urgent', text: t('urgent') }));
    appendAll(art, [safetyNote(m), englishLine(m)]);
    if (str(m.question) && str(m.faq_id)) {
      art.appendChild(el('p', { className: 'mg-q', lang: textLang, text: t('about')(m.question) }));
    }
    // 行かない窓口: the online application first, when the entry has one
    var online = safeUrl(str(m.online_url));
    if (online) {
      art.appendChild(el('p', { className: 'mg-more mg-online' }, [el('a', { href: online, target: '_blank',
        rel: 'noopener noreferrer', text: t('online') })]));
    }
    var body = para('mg-text', str(m.answer), emergency);
    body.setAttribute('lang', textLang);
    art.appendChild(body);
    var more = safeUrl(str(m.url));
    if (more) {
      art.appendChild(el('p', { className: 'mg-more' }, [el('a', { href: more, target: '_blank',
        rel: 'noopener noreferrer', text: t('details') })]));
    }
    // the public page of the answered entry (only when the server has pages on)
    var page = safeUrl(str(m.page_url));
    if (page) {
      art.appendChild(el('p', { className: 'mg-more mg-page-link' }, [el('a', { href: page, target: '_blank',
        rel: 'noopener', text: t('faqPage') })]));
    }
    var dept = department(m.department);
    if (dept) art.appendChild(dept);
    var related = Array.isArray(m.related) ? m.related.filter(function (r) { return r && str(r.question); }) : [];
    if (related.length) {
      var ul = el('ul', { className: 'mg-related-list' });
      related.forEach(function (r) {
        ul.appendChild(el('li', null, [el('button', { type: 'button', className: 'mg-btn mg-link-btn',
          'data-faq-id': str(r.faq_id) || null, text: r.question,
          onclick: function () { ask(r.question); } })]));
      });
      art.appendChild(el('div', { className: 'mg-related' }, [el('p', { className: 'mg-related-h', text: t('relatedH') }), ul]));
    }
    // "was this helpful" only under an answer to a question: not under the
    // emergency card, small talk, a greeting or thanks, or a hand-off to a person
    var kind = m.rule ? str(m.rule.kind) : '';
    if (str(m.answer_id) && !NO_FEEDBACK[kind]) {
      art.appendChild(feedbackBox(m.answer_id));
      if (asked) askedFor[m.answer_id] = asked;
    }
    add(art);
    // a request for a person ("職員と話したい") is not the question itself: leave the field empty
    if (m.offer_escalation) {
      escalateForm(t('escAlso'),
        m.rule && m.rule.kind === 'handoff' ? '' : asked || lastQuestion);
    }
  }

  /* An answer from the resumed history, drawn as it was (links, the
   * department card, the emergency style) but without buttons: its moment
   * for feedback has passed. */
  function historyAnswer(h) {
    var emergency = h.rule_kind === 'emergency';
    var art = el('div', { className: 'mg-msg mg-bot mg-answer mg-history' + (emergency ? ' mg-emergency' : ''),
      'data-faq-id': str(h.faq_id) || null, 'data-rule-kind': str(h.rule_kind) || null });
    art.appendChild(who(t('bot')));
    art.appendChild(para('mg-text', str(h.text), emergency));
    var dept = department(h.department);
    if (dept) art.appendChild(dept);
    return add(art);
  }

  function clarifyMsg(m) {
    var box = el('div', { className: 'mg-msg mg-bot mg-clarify' });
    var p = para('mg-text', str(m.text) || 'どの内容についてのご質問ですか？', false);
    p.insertBefore(who(t('bot')), p.firstChild);
    appendAll(box, [safetyNote(m), englishLine(m)]);
    box.appendChild(p);
    var group = el('ul', { className: 'mg-choices', role: 'list' });
    (Array.isArray(m.choices) ? m.choices : []).forEach(function (c) {
      if (!c || !str(c.faq_id) || !str(c.question)) return;
      group.appendChild(el('li', null, [el('button', { type: 'button', className: 'mg-btn mg-choice',
        'data-faq-id': c.faq_id, text: c.question,
        onclick: function () {
          this.setAttribute('aria-pressed', 'true');
          disableAll(group);
          residentMsg(c.question);
          request({ type: 'choose', faq_id: c.faq_id }, c.question);
        } })]));
    });
    // none of these: a person, with the question already in the form
    group.appendChild(el('li', null, [el('button', { type: 'button', className: 'mg-btn mg-choice mg-choice-none',
      text: t('none'),
      onclick: function () {
        this.setAttribute('aria-pressed', 'true');
        disableAll(group);
        var form = escalateForm(t('escWill'), lastQuestion);
        var q = form.querySelector('textarea');
        if (q) q.focus();
      } })]));
    box.appendChild(group);
    add(box);
  }

  /* A life-event checklist (docs/protocol.md "checklist"): its questions one
   * at a time as buttons, answered here in the browser (nothing is sent),
   * then the procedures that apply and a link to the printable page with the
   * answers in its URL fragment. An item's "if" is "car=yes ins!=nhi": all
   * must hold; an unanswered question keeps the item. */
  function checklistApplies(cond, answers) {
    var terms = str(cond) ? cond.split(' ') : [];
    for (var i = 0; i < terms.length; i++) {
      var neg = terms[i].indexOf('!=') > 0, kv = terms[i].split(neg ? '!=' : '=');
      if (kv[0] in answers && (answers[kv[0]] === kv[1]) === neg) return false;
    }
    return true;
  }
  function checklistMsg(m) {
    var box = el('div', { className: 'mg-msg mg-bot mg-checklist' });
    var qs = Array.isArray(m.questions) ? m.questions : [], items = Array.isArray(m.items) ? m.items : [];
    var answers = {}, at = 0;
    var p = para('mg-text', '「' + str(m.title) + '」の手続きをご案内します。' + str(m.intro) +
      (qs.length ? 'いくつか質問に答えると、必要な手続きだけを表示します。' : ''), false);
    p.insertBefore(who('自動応答'), p.firstChild);
    appendAll(box, [safetyNote(m)]);
    box.appendChild(p);
    var stage = el('div', { className: 'mg-checklist-stage' });
    box.appendChild(stage);
    function finish() {
      stage.textContent = '';
      var shown = items.filter(function (it) { return it && str(it.title) && checklistApplies(it.if, answers); });
      stage.appendChild(el('p', { className: 'mg-text', text: '必要な手続き（' + shown.length + '件）' }));
      stage.appendChild(el('ul', { className: 'mg-checklist-list', role: 'list' }, shown.map(function (it) {
        return el('li', { 'data-faq-id': str(it.faq_id), text: it.title });
      })));
      var url = safeUrl(str(m.url));
      if (url) {
        var a = Object.keys(answers).map(function (k) { return k + ':' + answers[k]; }).join(',');
        stage.appendChild(el('p', null, [el('a', { href: url + (a ? '#a=' + a : ''), className: 'mg-link mg-checklist-page',
          target: '_blank', rel: 'noopener noreferrer',
          text: '窓口・持ち物・期限つきの一覧を開く（新しいタブ・印刷できます）' })]));
      }
    }
    function ask() {
      if (at >= qs.length) { finish(); return; }
      var q = qs[at];
      stage.textContent = '';
      var qid = newId('cl-q');
      stage.appendChild(el('p', { className: 'mg-text', id: qid, text: str(q.text) }));
      var group = el('ul', { className: 'mg-choices', role: 'list', 'aria-labelledby': qid });
      (Array.isArray(q.options) ? q.options : []).forEach(function (o) {
        group.appendChild(el('li', null, [el('button', { type: 'button', className: 'mg-btn mg-choice', text: str(o.label),
          onclick: function () {
            answers[str(q.id)] = str(o.value);
            at += 1;
            ask();
            var first = stage.querySelector('button, a');
            if (first) first.focus();
          } })]));
      });
      stage.appendChild(group);
    }
    ask();
    add(box);
  }

  /* The escalation form: the question (prefilled, editable), an optional
   * phone number (type=tel: a phone opens its number pad) with a note saying
   * it is optional and what it is used for. */
  var lastQuestion = '';
  function escalateForm(lead, prefill) {
    Array.prototype.forEach.call(log.querySelectorAll('.mg-escalate:not(.mg-sent)'), function (f) { f.remove(); });
    var qId = newId('esc-q'), cId = newId('esc-c'), nId = newId('esc-n');
    var q = el('textarea', { id: qId, className: 'mg-input', rows: '3' });
    q.value = prefill === undefined ? lastQuestion : prefill;
    var c = el('input', { id: cId, className: 'mg-input', type: 'tel', inputmode: 'tel', autocomplete: 'tel',
      'aria-describedby': nId });
    // e-mail notices only where the city has a mail relay (welcome.email_notice)
    var mId = newId('esc-m'), mhId = newId('esc-mh');
    var mail = emailOffered ? el('input', { id: mId, className: 'mg-input', type: 'email', inputmode: 'email',
      autocomplete: 'email', 'aria-describedby': mhId }) : null;
    var submit = el('button', { type: 'submit', className: 'mg-btn mg-primary', text: t('escSubmit') });
    var form = el('form', { className: 'mg-msg mg-escalate', 'aria-label': t('escForm'), novalidate: true }, [
      el('p', { className: 'mg-esc-h', text: lead || t('escNo') }),
      el('p', { className: 'mg-esc-lead', text: t('escLead') }),
      el('label', { for: qId, className: 'mg-label', text: t('escQ') }), q,
      el('label', { for: cId, className: 'mg-label', text: t('escTel') }), c,
      el('p', { id: nId, className: 'mg-hint', text: '入力しなくても問い合わせできます。電話での返事を希望する場合だけ入力してください。担当課がこのお問い合わせについて折り返し電話をするためだけに使います。' }),
      mail ? el('label', { for: mId, className: 'mg-label', text: '返事が届いたらメールで知らせる（任意）' }) : null, mail,
      mail ? el('p', { id: mhId, className: 'mg-hint', text: '返事を確認するためのリンクをお送りします。メールに返事の内容は書きません。' }) : null,
      el('div', { className: 'mg-esc-actions' }, [submit,
        el('button', { type: 'button', className: 'mg-btn', text: t('cancel'),
          onclick: function () { form.remove(); input.focus(); } })])
    ]);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var text = q.value.trim();
      if (!text) {
        notice('お問い合わせ内容を入力してください。', 'error');
        q.focus();
        return;
      }
      if (codePoints(text) > MAX_TEXT || codePoints(c.value) > MAX_TEXT) {
        notice('お問い合わせ内容と電話番号は、それぞれ' + MAX_TEXT + '文字以内で入力してください。', 'error');
        return;
      }
      var msg = { type: 'escalate' };
      if (text) msg.text = text;
      if (c.value.trim()) msg.contact = c.value.trim();
      if (mail && mail.value.trim()) {
        if (!/^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/.test(mail.value.trim())) {
          notice('メールアドレスの形式を確かめてください。', 'error');
          mail.focus();
          return;
        }
        msg.notify_email = mail.value.trim();
      }
      disableAll(form);
      form.classList.add('mg-sent');
      request(msg, null, form);
    });
    return add(form);
  }

  /* Answering staff in the ticket's thread: a short form under their reply. */
  function threadForm(ticketNo) {
    var tId = newId('thr');
    var t = el('textarea', { id: tId, className: 'mg-input', rows: '2' });
    var form = el('form', { className: 'mg-thread', 'aria-label': '受付番号 ' + ticketNo + ' への返信', novalidate: true }, [
      el('label', { for: tId, className: 'mg-label', text: '担当課へ返信する' }), t,
      el('div', { className: 'mg-esc-actions' }, [el('button', { type: 'submit', className: 'mg-btn mg-primary', text: '返信を送る' })])
    ]);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var text = t.value.trim();
      if (!text) { notice('返信の内容を入力してください。', 'error'); t.focus(); return; }
      if (codePoints(text) > MAX_TEXT) { notice('返信は' + MAX_TEXT + '文字以内で入力してください。', 'error'); return; }
      disableAll(form);
      form.classList.add('mg-sent');
      request({ type: 'ticket_reply', ticket_no: ticketNo, text: text }, text, form);
    });
    return form;
  }
  function threadSent(m, ctx) {
    var form = ctx && ctx.form;
    var line = el('div', { className: 'mg-msg mg-resident mg-thread-line', 'data-ticket-no': str(m.ticket_no) }, [
      el('p', { className: 'mg-text' }, [who(t('you')), str(ctx && ctx.text)]),
      el('p', { className: 'mg-hint', text: '受付番号 ' + str(m.ticket_no) + ' の担当課へ送りました。' })
    ]);
    if (form && form.parentNode) form.parentNode.replaceChild(line, form);
    else add(line);
    scrollLog();
  }

  /* The ticket's own page, for reading and answering later from anywhere:
   * the secret is shown this once (the server keeps only its hash). */
  function lookupLink(no, secret) {
    if (!no || !secret) return null;
    var url = pageOrigin + '/t/' + encodeURIComponent(no) + '#' + encodeURIComponent(secret);
    var lId = newId('lk');
    var field = el('input', { id: lId, className: 'mg-input mg-lookup-url', type: 'text', readonly: true, value: url });
    var copy = el('button', { type: 'button', className: 'mg-btn', text: 'リンクをコピー',
      onclick: function () {
        var done = function () { copy.textContent = 'コピーしました'; };
        if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(url).then(done, function () { field.select(); });
        else { field.select(); }
      } });
    return el('div', { className: 'mg-lookup' }, [
      el('label', { for: lId, className: 'mg-label', text: 'あとで返事を確認・返信するためのリンク' }), field,
      el('p', { className: 'mg-hint', text: 'このリンクは今だけ表示されます。ブックマークするかコピーして、ほかの人に知られないよう保管してください。' }),
      el('div', { className: 'mg-esc-actions' }, [copy,
        el('a', { className: 'mg-btn', href: url, target: '_blank', rel: 'noopener', text: 'ページを開く' })])
    ]);
  }

  function ticketMsg(m, form) {
    var dept = m.department && typeof m.department === 'object' ? str(m.department.name) : str(m.department);
    var box = el('div', { className: 'mg-msg mg-bot mg-ticket', 'data-ticket-no': str(m.ticket_no) }, [
      who(t('bot')),
      el('p', { className: 'mg-ticket-h', text: t('ticketH') }),
      el('p', { className: 'mg-ticket-no-line' }, ['受付番号 ', el('strong', { className: 'mg-ticket-no', text: str(m.ticket_no) })]),
      dept ? el('p', { text: '担当：' + dept }) : null,
      str(m.next_read) ? el('p', { className: 'mg-next-read', text: '確認の予定：' + m.next_read }) : null,
      el('p', { className: 'mg-hint', text: '返事はこの画面に表示されます。画面を閉じたときは、下のリンクから確認できます。' }),
      lookupLink(str(m.ticket_no), str(m.lookup))
    ]);
    if (form && form.parentNode) form.parentNode.replaceChild(box, form);
    else add(box);
    scrollLog();
  }

  var ERRORS = {
    rate_limited: '短い間に続けて送信されました。少し待ってからもう一度お送りください。',
    text_too_long: '質問は' + MAX_TEXT + '文字以内で入力してください。',
    empty_text: '質問を入力してください。',
    busy: 'ただいま混み合っています。少し待ってからもう一度お送りください。',
    ticket_closed: 'このお問い合わせは完了しています。続けてのご相談は、あらためて質問してください。',
    ticket_not_found: 'このお問い合わせが見つかりませんでした。',
    internal: '申し訳ありません。サーバーで問題が起きました。しばらくしてからもう一度お試しください。'
  };
  var ERRORS_EN = {
    rate_limited: 'You sent messages too quickly. Please wait a moment and try again.',
    text_too_long: 'Please keep your question within ' + MAX_TEXT + ' characters.',
    empty_text: 'Please type your question.',
    busy: 'We are busy right now. Please wait a moment and try again.',
    internal: 'Sorry, something went wrong on the server. Please try again later.'
  };
  var ERRORS_EASY = {
    rate_limited: 'はやすぎます。すこし まって から おくって ください。',
    text_too_long: 'しつもん は ' + MAX_TEXT + ' もじ まで です。',
    empty_text: 'しつもん を かいて ください。',
    busy: 'いま こんで います。すこし まって から おくって ください。',
    internal: 'ごめんなさい。うまく いきません でした。あとで もういちど おくって ください。'
  };
  function errorMsg(m, ctx) {
    var local = uiLang === 'en' ? ERRORS_EN : uiLang === 'easy' ? ERRORS_EASY : {};
    var text = local[m.code] || ERRORS[m.code] || str(m.message) || '申し訳ありません。うまく処理できませんでした。';
    notice(text, 'error');
    if (ctx && ctx.form) { // let the resident try the escalation again
      ctx.form.classList.remove('mg-sent');
      Array.prototype.forEach.call(ctx.form.querySelectorAll('button,input,textarea'), function (x) { x.disabled = false; });
    }
  }

  /* ---- the connection ------------------------------------------------------------ */
  var ws = null;
  var ready = false;       // welcome received on this socket
  var welcomed = false;    // any welcome received on this page
  var emailOffered = false; // the server can send e-mail notices
  var attempt = 0;
  var retryTimer = null;
  var queue = [];          // messages written while offline, sent after welcome
  var pending = Object.create(null); // id -> {text, form}
  var seq = 0;

  function send(msg) {
    if (ws && ready) { ws.send(JSON.stringify(msg)); return true; }
    queue.push(msg);
    ensureConnected();
    return false;
  }
  function request(msg, text, form) {
    seq += 1;
    msg.id = 'c' + seq + '-' + Date.now().toString(36);
    pending[msg.id] = { text: text, form: form || null, sent: false };
    if (send(msg)) pending[msg.id].sent = true;
    else setStatus('接続しています。つながり次第お送りします…');
    return msg.id;
  }
  function ask(text) {
    lastQuestion = text;
    residentMsg(text);
    if (privacy.open) privacy.open = false;
    request({ type: 'ask', text: text, lang: uiLang }, text);
  }
  function submitQuestion() {
    var text = input.value.trim();
    if (!text) { setStatus('質問を入力してください。'); return; }
    if (codePoints(text) > MAX_TEXT) {
      setStatus('質問は' + MAX_TEXT + '文字以内で入力してください（いま' + codePoints(text) + '文字）。');
      return;
    }
    input.value = '';
    updateCount();
    ask(text);
  }

  function setStatus(text) { status.textContent = text; }

  function ensureConnected() {
    if (ws) return;
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    connect();
  }

  function connect() {
    retryTimer = null;
    try {
      ws = new WebSocket(wsUrl, PROTOCOL);
    } catch (e) {
      ws = null;
      scheduleReconnect();
      return;
    }
    var sock = ws;
    ready = false;
    sock.onopen = function () {
      var hello = { type: 'hello', lang: uiLang };
      var s = store.getItem(STORE_KEY);
      if (s) hello.session = s;
      sock.send(JSON.stringify(hello));
    };
    sock.onmessage = function (ev) {
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (m && typeof m === 'object' && typeof m.type === 'string') handle(m, sock);
    };
    sock.onclose = function () {
      if (ws !== sock) return;
      ws = null;
      var wasReady = ready;
      ready = false;
      // requests already sent got no reply and are lost; queued ones go out after the reconnect
      Object.keys(pending).forEach(function (id) {
        var p = pending[id];
        if (!p.sent) return;
        delete pending[id];
        if (p.form) errorMsg({ message: '接続が切れたため、問い合わせを送れたか確認できませんでした。もう一度お送りください。' }, p);
        else notice('接続が切れたため、回答を受け取れませんでした。つながったらもう一度お送りください。', 'error');
      });
      if (wasReady) setStatus('接続が切れました。再接続しています…');
      else if (attempt >= 3) setStatus('サーバーに接続できません。自動的に再試行しています…');
      scheduleReconnect();
    };
    sock.onerror = function () { /* onclose follows and schedules the retry */ };
  }

  function scheduleReconnect() {
    if (retryTimer) return;
    // 0.5 s, 1 s, 2 s … up to 30 s, with jitter so a restarted server is not hit all at once
    var base = Math.min(30000, 500 * Math.pow(2, attempt));
    attempt += 1;
    retryTimer = setTimeout(connect, base / 2 + Math.random() * base / 2);
  }
  // back online, or the tab shown again after a phone slept: retry now, not at the next backoff step
  function retryNow() {
    if (ws || !welcomed && !retryTimer) return;
    attempt = 0;
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    connect();
  }
  window.addEventListener('online', retryNow);
  document.addEventListener('visibilitychange', function () { if (!document.hidden) retryNow(); });

  function welcome(m) {
    var first = !welcomed;
    var hadSession = store.getItem(STORE_KEY);
    welcomed = true;
    ready = true;
    attempt = 0;
    if (str(m.session)) store.setItem(STORE_KEY, m.session);
    emailOffered = m.email_notice === true;
    if (str(m.privacy)) { privacyKept.textContent = m.privacy; privacyKept.setAttribute('data-source', 'server'); }
    var history = m.resumed && Array.isArray(m.history) ? m.history : [];
    if (first) {
      // questions typed before the first welcome are already in the log: the
      // greeting or the earlier conversation goes above them
      var top = log.firstChild;
      var mark = log.lastChild;
      if (history.length) {
        notice('前回の会話の続きです。', 'info');
        history.forEach(function (h) {
          if (!h) return;
          if (h.role === 'resident') residentMsg(str(h.text)).classList.add('mg-history');
          else if (h.role === 'staff') staffMsg('', h.text, h.at, true);
          else if (h.kind === 'answer') historyAnswer(h);
          else botText(str(h.text), 'mg-history');
        });
        privacy.open = false;
      } else if (str(m.greeting)) {
        botText(m.greeting, 'mg-greeting');
      }
      if (top) {
        var added = [];
        for (var n = mark.nextSibling; n; n = n.nextSibling) added.push(n);
        added.forEach(function (n) { log.insertBefore(n, top); });
        scrollLog();
      }
      setStatus('');
    } else {
      // a reconnect: the log is already on screen; add only staff replies we missed
      history.forEach(function (h) { if (h && h.role === 'staff') staffMsg('', h.text, h.at); });
      if (hadSession && !m.resumed) notice('接続し直しました。前の会話は期限切れのため引き継げませんでした。', 'info');
      setStatus('再接続しました。');
    }
    var q = queue; queue = [];
    q.forEach(function (msg) {
      ws.send(JSON.stringify(msg));
      if (msg.id && pending[msg.id]) pending[msg.id].sent = true;
    });
  }

  function handle(m, sock) {
    var ctx = m.reply_to && pending[m.reply_to] ? pending[m.reply_to] : null;
    if (m.type !== 'error' || m.reply_to) delete pending[m.reply_to];
    switch (m.type) {
      case 'welcome': welcome(m); break;
      case 'answer': answerMsg(m, ctx && ctx.text); break;
      case 'clarify': clarifyMsg(m); break;
      case 'checklist': checklistMsg(m); break;
      case 'no_answer':
        if (m.safety || m.english) {
          var extra = el('div', { className: 'mg-msg mg-bot' });
          appendAll(extra, [safetyNote(m), englishLine(m)]);
          add(extra);
        }
        botText(str(m.text) || '申し訳ありません。お答えできる情報が見つかりませんでした。', 'mg-no-answer');
        if (m.offer_escalation !== false) escalateForm();
        break;
      case 'ticket': ticketMsg(m, ctx && ctx.form); break;
      case 'staff_reply': staffMsg(str(m.ticket_no), m.text, m.at); break;
      case 'ticket_reply_ok': threadSent(m, ctx); break;
      case 'feedback_ok':
        if (m.offer_escalation) escalateForm('お役に立てず申し訳ありません。', askedFor[m.reply_to]);
        break;
      case 'error':
        if (m.code === 'bad_session' && !ready) { // expired or unknown: start a new session
          store.removeItem(STORE_KEY);
          sock.send(JSON.stringify({ type: 'hello', lang: uiLang }));
          return;
        }
        errorMsg(m, ctx);
        break;
      default: break; // a newer server's message: ignore
    }
  }

  /* ---- start -------------------------------------------------------------------------- */
  function mount() {
    document.body.appendChild(root);
    // a session is open in this tab (reload, or staff may have replied): reconnect now
    if (store.getItem(STORE_KEY)) ensureConnected();
  }
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);

  window.madoguchiWidget = { open: openPanel, close: closePanel };
}());
