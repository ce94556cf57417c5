/*
 * pages_checklist.c — the life-event checklists as public pages
 * (/faq/checklists/ and /faq/checklists/SLUG, docs/public-pages.md).
 *
 * The page is complete without JavaScript: every procedure of the event is
 * listed, each with its condition in words (「車・バイクをお持ちの方」), its
 * online application first where there is one (行かない窓口), then the
 * counter, what to bring, the deadline and the fee; the questions are a
 * plain form. With JavaScript, web/checklist.js (a file: the pages' CSP
 * allows no inline script) reads the answers from the URL fragment
 * (#a=car:yes,ins:nhi), ticks the form and hides what does not apply; each
 * item carries its condition as data-if="car=yes ins!=nhi" so the script
 * needs no grammar of its own. The fragment never reaches the server, so
 * the page is the same for everyone and is cached like the others.
 */
#include "adapters/pages_int.h"
#include "bot/checklist.h"
#include "util/mg_err.h"
#include "util/mg_html.h"

#include <string.h>
#include <strings.h>

#define CL_PATH "/faq/checklists/"

static void href_checklist(mg_buf *b, const pages_site *site, const char *slug) {
  mg_buf_printf(b, "%s" CL_PATH, pages_prefix(site));
  mg_html_url_enc(b, slug);
}

static int page_index(const pages_site *site, const bot_checklists *cl, pages_resp *out, char *err) {
  mg_buf b = { 0 };
  pages_crumbs(&b, site, NULL, NULL, "手続チェックリスト");
  mg_buf_puts(&b, "<h1>手続チェックリスト</h1>\n<p class=\"mgp-lead\">引っ越し・出生・おくやみなど、暮らしの出来事ごとに"
                  "必要な手続きをまとめました。いくつかの質問に答えると、あなたに必要な手続きだけを表示します。</p>\n"
                  "<ul class=\"mgp-grid\">\n");
  for (int i = 0; i < bot_checklists_count(cl); i++) {
    const bot_cl_event *ev = bot_checklists_event(cl, i);
    mg_buf_puts(&b, "<li><a href=\"");
    href_checklist(&b, site, ev->slug);
    mg_buf_puts(&b, "\">");
    mg_html_esc(&b, ev->title);
    mg_buf_puts(&b, "</a></li>\n");
  }
  mg_buf_puts(&b, "</ul>\n");
  return pages_finish(site, &(pages_doc){ .title = "手続チェックリスト", .path = CL_PATH,
                                          .description = "暮らしの出来事ごとに必要な手続きの一覧です。" },
                      &b, 200, 1, out, err);
}

/* The questions as a plain form: one fieldset of radio buttons each. */
static void questions_form(mg_buf *b, const bot_cl_event *ev) {
  mg_buf_puts(b, "<section class=\"mgp-cl-qs\" aria-labelledby=\"mgp-cl-qh\">\n<h2 id=\"mgp-cl-qh\">あなたの状況</h2>\n"
                 "<p class=\"mgp-note\">答えると、必要な手続きだけが表示されます。答えはこの端末の中だけで使い、"
                 "市には送られません。</p>\n<form class=\"mgp-cl-form\" id=\"mgp-cl-form\" action=\"#\">\n");
  for (int i = 0; i < ev->nq; i++) {
    const bot_cl_question *q = ev->q[i];
    mg_buf_puts(b, "<fieldset><legend>");
    mg_html_esc(b, q->text);
    mg_buf_puts(b, "</legend>\n");
    for (int k = 0; k < q->nopt; k++) {
      mg_buf_printf(b, "<label><input type=\"radio\" name=\"");
      mg_html_esc(b, q->id);
      mg_buf_puts(b, "\" value=\"");
      mg_html_esc(b, q->opt[k].value);
      mg_buf_puts(b, "\"> ");
      mg_html_esc(b, q->opt[k].label);
      mg_buf_puts(b, "</label>\n");
    }
    mg_buf_puts(b, "</fieldset>\n");
  }
  mg_buf_puts(b, "</form>\n</section>\n");
}

/* One <dt>label</dt><dd>value</dd> when value is set. */
static void row(mg_buf *b, const char *label, const char *value) {
  if (!value || !*value) return;
  mg_buf_printf(b, "<dt>%s</dt><dd>", label);
  mg_html_esc(b, value);
  mg_buf_puts(b, "</dd>\n");
}

struct items {
  mg_buf *b;
  const pages_site *site;
  const bot_cl_event *ev;
  int n;
};

static int item(void *ctx, const bot_cl_item *it) {
  struct items *x = ctx;
  mg_buf *b = x->b;
  const mg_faq_entry *e = it->e;
  bot_cl_term t[BOT_CL_MAX_TERMS];
  char err[MG_ERRLEN], attr[256] = "", words[512] = "", tel[64];
  int n = bot_cl_cond_parse(it->cond, t, BOT_CL_MAX_TERMS, err);
  if (n > 0) {
    bot_cl_terms_attr(t, n, attr, sizeof attr);
    bot_cl_words(x->ev, t, n, words, sizeof words);
  }
  x->n++;
  mg_buf_puts(b, "<li class=\"mgp-cl-item\"");
  if (*attr) {
    mg_buf_puts(b, " data-if=\"");
    mg_html_esc(b, attr);
    mg_buf_puts(b, "\"");
  }
  mg_buf_printf(b, ">\n<h3 class=\"mgp-cl-title\"><a href=\"");
  pages_href_entry(b, x->site, e->id);
  mg_buf_puts(b, "\">");
  mg_html_esc(b, e->question);
  mg_buf_puts(b, "</a></h3>\n");
  if (*words) {
    mg_buf_puts(b, "<p class=\"mgp-cl-if\">対象：");
    mg_html_esc(b, words);
    mg_buf_puts(b, "</p>\n");
  }
  /* 行かない窓口: the online application first */
  if (e->online_url && mg_html_url_ok(e->online_url) && strncasecmp(e->online_url, "tel:", 4) != 0) {
    mg_buf_puts(b, "<p class=\"mgp-cl-online\"><a href=\"");
    mg_html_esc(b, e->online_url);
    mg_buf_puts(b, "\">オンラインで申請できます（窓口に行かずに済みます）</a></p>\n");
  }
  mg_buf_puts(b, "<dl class=\"mgp-cl-dl\">\n");
  if (e->dept.id && *e->dept.id) {
    mg_buf_puts(b, "<dt>窓口</dt><dd>");
    mg_html_esc(b, e->dept.name);
    if (e->dept.location && *e->dept.location) {
      mg_buf_puts(b, "（");
      mg_html_esc(b, e->dept.location);
      mg_buf_puts(b, "）");
    }
    mg_buf_puts(b, "</dd>\n");
    if (e->dept.phone && *e->dept.phone) {
      mg_buf_puts(b, "<dt>電話</dt><dd>");
      if (mg_html_tel(e->dept.phone, tel, sizeof tel) == 0) {
        mg_buf_puts(b, "<a class=\"mgp-tel\" href=\"");
        mg_html_esc(b, tel);
        mg_buf_puts(b, "\">");
        mg_html_esc(b, e->dept.phone);
        mg_buf_puts(b, "</a>");
      } else mg_html_esc(b, e->dept.phone);
      mg_buf_puts(b, "</dd>\n");
    }
    row(b, "受付時間", e->dept.hours);
  }
  row(b, "持ち物", e->bring);
  row(b, "期限", e->deadline);
  row(b, "手数料", e->fee);
  mg_buf_puts(b, "</dl>\n</li>\n");
  return 0;
}

static int page_event(const pages_site *site, bot_worker *w, const bot_cl_event *ev, const char *path,
                      pages_resp *out, char *err) {
  mg_buf b = { 0 }, list = { 0 }, mid = { 0 };
  struct items x = { .b = &list, .site = site, .ev = ev };
  int rc;
  if ((rc = bot_cl_procedures(bot_worker_db(w), ev, NULL, item, &x, err)) != 0) goto out;
  mg_buf_printf(&mid, "%s" CL_PATH, pages_prefix(site));
  pages_crumbs(&b, site, mid.p, "手続チェックリスト", ev->title);
  mg_buf_puts(&b, "<h1>");
  mg_html_esc(&b, ev->title);
  mg_buf_puts(&b, "</h1>\n<p class=\"mgp-lead\">");
  mg_html_esc(&b, ev->intro);
  mg_buf_puts(&b, "</p>\n");
  questions_form(&b, ev);
  mg_buf_printf(&b, "<section class=\"mgp-cl\" aria-labelledby=\"mgp-cl-h\">\n<h2 id=\"mgp-cl-h\">必要な手続き"
                    "<span class=\"mgp-cl-count\" id=\"mgp-cl-count\">（%d件）</span></h2>\n"
                    "<p class=\"mgp-note mgp-cl-all\" id=\"mgp-cl-all\">すべての手続きを、対象となる方の条件とともに表示しています。</p>\n"
                    "<ol class=\"mgp-cl-list\" id=\"mgp-cl-list\">\n", x.n);
  mg_buf_put(&b, list.p ? list.p : "", list.len);
  if (list.oom) b.oom = 1;
  mg_buf_printf(&b, "</ol>\n</section>\n<p class=\"mgp-cl-tools\" id=\"mgp-cl-tools\" hidden>"
                    "<button type=\"button\" id=\"mgp-cl-print\">印刷する</button> "
                    "<span class=\"mgp-note\">このページのアドレスには答えが入っています。"
                    "ブックマークや共有で同じ一覧を開けます（名前などの個人情報は含みません）。</span></p>\n"
                    "<script src=\"%s/checklist.js\" defer></script>\n", pages_prefix(site));
  rc = pages_finish(site, &(pages_doc){ .title = ev->title, .path = path, .description = ev->intro }, &b, 200, 1, out,
                    err);
out:
  mg_buf_free(&b);
  mg_buf_free(&list);
  mg_buf_free(&mid);
  return rc;
}

void pages_checklists_sitemap(const pages_site *site, bot_worker *w, mg_buf *b) {
  const bot_checklists *cl = bot_checklists_of(bot_worker_bot(w));
  for (int i = -1; i < bot_checklists_count(cl); i++) {
    mg_buf_puts(b, "<url><loc>");
    mg_html_esc(b, pages_base(site));
    mg_buf_puts(b, CL_PATH);
    if (i >= 0) mg_html_url_enc(b, bot_checklists_event(cl, i)->slug);
    mg_buf_puts(b, "</loc></url>\n");
  }
}

int pages_checklists(const pages_site *site, bot_worker *w, const char *path, pages_resp *out, char *err) {
  const bot_checklists *cl = bot_checklists_of(bot_worker_bot(w));
  const char *slug = path + strlen("/faq/checklists");
  const bot_cl_event *ev;
  if (*slug == '/') slug++;
  if (!*slug) return page_index(site, cl, out, err);
  if (!(ev = bot_checklists_find(cl, slug))) return pages_not_found(site, out);
  return page_event(site, w, ev, path, out, err);
}
