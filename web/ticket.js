// The resident's ticket page: /t/<number>#<secret>. The secret stays in the
// fragment (browsers never send it), goes to the server only in a POST body,
// and everything the server returns is put on the page as text, never HTML.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const no = decodeURIComponent(location.pathname.replace(/^\/t\//, '').replace(/\/$/, ''));
  let secret = location.hash.replace(/^#/, '');
  const STATUS = { open: '担当課が確認しています。返事をお待ちください。', answered: '担当課から返事があります。',
    closed: 'このお問い合わせは完了しました。' };
  const when = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long',
    day: 'numeric', hour: '2-digit', minute: '2-digit' });

  $('no').textContent = no;

  function alert(text, emergency) {
    const a = $('alert');
    a.textContent = text;
    a.classList.toggle('emergency', !!emergency);
    a.hidden = !text;
  }

  async function call(op, body) {
    let res;
    try {
      res = await fetch('/api/v1/ticket/' + op, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify(Object.assign({ ticket_no: no, secret }, body)), credentials: 'omit' });
    } catch (e) {
      throw new Error('通信できませんでした。電波の状態を確かめて、もう一度お試しください。');
    }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error((data.error && data.error.message) || '読み込めませんでした。');
    return data;
  }

  function render(t) {
    $('status').textContent = STATUS[t.status] || '';
    const d = t.department;
    $('dept').hidden = !d;
    if (d) {
      $('dept-name').textContent = d.name || '';
      $('dept-phone-p').hidden = !d.phone;
      $('dept-phone').textContent = d.phone || '';
      $('dept-phone').href = 'tel:' + (d.phone || '').replace(/[^0-9+#*]/g, '');
      $('dept-hours').textContent = d.hours ? '受付時間：' + d.hours : '';
    }
    const list = $('thread');
    list.replaceChildren();
    for (const m of t.messages) {
      const li = document.createElement('li');
      li.className = m.side === 'staff' ? 'staff' : 'resident';
      const who = document.createElement('span');
      who.className = 'who';
      who.textContent = m.side === 'staff' ? (d && d.name ? d.name : '担当課') : 'あなた';
      const at = document.createElement('time');
      at.dateTime = m.at;
      at.textContent = when.format(new Date(m.at));
      li.append(who, document.createTextNode(m.text), at);
      list.append(li);
    }
    $('reply').hidden = t.status === 'closed';
  }

  // nothing of an earlier thread stays on the page after a failed load
  function clear() {
    $('status').textContent = '';
    $('thread').replaceChildren();
    $('dept').hidden = true;
    $('reply').hidden = true;
  }

  async function load() {
    if (!no || !secret) {
      clear();
      alert('リンクが正しくありません。受付のときに表示されたリンクを、そのままお使いください。');
      return;
    }
    try {
      render(await call('lookup', {}));
      alert('');
    } catch (e) {
      clear();
      alert(e.message);
    }
  }

  // a link pasted over this one: the same page, another secret
  window.addEventListener('hashchange', () => {
    secret = location.hash.replace(/^#/, '');
    load();
  });

  $('reply').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const box = $('reply-text');
    const button = ev.target.querySelector('button');
    if (!box.value.trim()) { box.focus(); return; }
    button.disabled = true;
    try {
      const r = await call('reply', { text: box.value });
      box.value = '';
      await load();
      if (r.emergency) alert(r.emergency.answer, true);
      $('status').textContent = '送信しました。' + ($('status').textContent || '');
    } catch (e) {
      alert(e.message);
    } finally {
      button.disabled = false;
    }
  });

  load();
})();
