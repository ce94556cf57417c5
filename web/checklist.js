/*
 * checklist.js — a life-event checklist page with JavaScript on
 * (adapters/pages_checklist.c renders it complete without this file).
 *
 * The answers live in the URL fragment only (#a=car:yes,ins:nhi): they are
 * never sent to the server, and the address can be bookmarked or shared to
 * open the same list. Each procedure carries its condition as
 * data-if="car=yes ins!=nhi" (all must hold); an unanswered question keeps
 * the procedure shown with its condition in words, a false one hides it.
 */
(function () {
  'use strict';
  var form = document.getElementById('mgp-cl-form');
  var list = document.getElementById('mgp-cl-list');
  if (!form || !list) return;
  var count = document.getElementById('mgp-cl-count');
  var all = document.getElementById('mgp-cl-all');
  var tools = document.getElementById('mgp-cl-tools');
  var printBtn = document.getElementById('mgp-cl-print');
  var KEY = /^[a-z0-9_]{1,31}$/;

  function parse(hash) {
    var answers = {}, m = /(?:^#|&)a=([^&]*)/.exec(hash || '');
    if (!m) return answers;
    m[1].split(',').forEach(function (pair) {
      var kv = pair.split(':');
      if (kv.length === 2 && KEY.test(kv[0]) && KEY.test(kv[1])) answers[kv[0]] = kv[1];
    });
    return answers;
  }

  function fromForm() {
    var answers = {};
    Array.prototype.forEach.call(form.querySelectorAll('input[type=radio]:checked'), function (r) {
      answers[r.name] = r.value;
    });
    return answers;
  }

  function encode(answers) {
    return Object.keys(answers).map(function (k) { return k + ':' + answers[k]; }).join(',');
  }

  /* 'yes', 'no' or 'unknown' for one item's data-if under answers */
  function applies(cond, answers) {
    var unknown = false, terms = cond ? cond.split(' ') : [];
    for (var i = 0; i < terms.length; i++) {
      var neg = terms[i].indexOf('!=') > 0, kv = terms[i].split(neg ? '!=' : '=');
      if (!(kv[0] in answers)) { unknown = true; continue; }
      if ((answers[kv[0]] === kv[1]) === neg) return 'no';
    }
    return unknown ? 'unknown' : 'yes';
  }

  function apply(answers) {
    var shown = 0, any = Object.keys(answers).length > 0;
    Array.prototype.forEach.call(list.querySelectorAll('.mgp-cl-item'), function (li) {
      var r = applies(li.getAttribute('data-if'), answers);
      li.hidden = r === 'no';
      if (!li.hidden) shown++;
    });
    if (count) count.textContent = '（' + shown + '件）';
    if (all) all.hidden = any;
  }

  function load() {
    var answers = parse(location.hash);
    Array.prototype.forEach.call(form.querySelectorAll('input[type=radio]'), function (r) {
      r.checked = answers[r.name] === r.value;
    });
    apply(fromForm());
  }

  form.addEventListener('change', function () {
    var answers = fromForm(), a = encode(answers);
    history.replaceState(null, '', a ? '#a=' + a : location.pathname + location.search);
    apply(answers);
  });
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  window.addEventListener('hashchange', load);
  if (printBtn) printBtn.addEventListener('click', function () { window.print(); });
  if (tools) tools.hidden = false;
  load();
})();
