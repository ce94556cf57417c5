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
#include "bot/messages.h"
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
  pages_crumbs(&b, site, NULL, NULL, pages_word(site, PW_CHECKLISTS));
  pages_put_word(&b, site, "<h1>", PW_CHECKLISTS, "</h1>\n");
  pages_put_word(&b, site, "<p class=\"mgp-lead\">", PW_CHECKLISTS_LEAD, "</p>\n<ul class=\"mgp-grid\">\n");
  for (int i = 0; i < bot_checklists_count(cl); i++) {
    const bot_cl_event *ev = bot_checklists_event(cl, i);
    mg_buf_puts(&b, "<li><a href=\"");
    href_checklist(&b, site, ev->slug);
    mg_buf_puts(&b, "\">");
    mg_html_esc(&b, ev->title);
    mg_buf_puts(&b, "</a></li>\n");
  }
  mg_buf_puts(&b, "</ul>\n");
  return pages_finish(site, &(pages_doc){ .title = pages_word(site, PW_CHECKLISTS), .path = CL_PATH,
                                          .description = pages_word(site, PW_CHECKLISTS_DESCRIPTION) },
                      &b, 200, 1, out, err);
}

/* The questions as a plain form: one fieldset of radio buttons each. */
static void questions_form(mg_buf *b, const pages_site *site, const bot_cl_event *ev) {
  pages_put_word(b, site, "<section class=\"mgp-cl-qs\" aria-labelledby=\"mgp-cl-qh\">\n<h2 id=\"mgp-cl-qh\">", PW_CL_SITUATION,
                 "</h2>\n");
  pages_put_word(b, site, "<p class=\"mgp-note\">", PW_CL_SITUATION_NOTE,
                 "</p>\n<form class=\"mgp-cl-form\" id=\"mgp-cl-form\" action=\"#\">\n");
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
    pages_put_word(b, x->site, "<p class=\"mgp-cl-if\">", PW_CL_FOR, "");
    mg_html_esc(b, words);
    mg_buf_puts(b, "</p>\n");
  }
  /* 行かない窓口: the online application first */
  if (e->online_url && mg_html_url_ok(e->online_url) && strncasecmp(e->online_url, "tel:", 4) != 0) {
    mg_buf_puts(b, "<p class=\"mgp-cl-online\"><a href=\"");
    mg_html_esc(b, e->online_url);
    pages_put_word(b, x->site, "\">", PW_CL_ONLINE, "</a></p>\n");
  }
  mg_buf_puts(b, "<dl class=\"mgp-cl-dl\">\n");
  if (e->dept.id && *e->dept.id) {
    pages_put_word(b, x->site, "<dt>", PW_CL_COUNTER, "</dt><dd>");
    mg_html_esc(b, e->dept.name);
    if (e->dept.location && *e->dept.location) {
      mg_buf_puts(b, "（");
      mg_html_esc(b, e->dept.location);
      mg_buf_puts(b, "）");
    }
    mg_buf_puts(b, "</dd>\n");
    if (e->dept.phone && *e->dept.phone) {
      pages_put_word(b, x->site, "<dt>", PW_PHONE, "</dt><dd>");
      if (mg_html_tel(e->dept.phone, tel, sizeof tel) == 0) {
        mg_buf_puts(b, "<a class=\"mgp-tel\" href=\"");
        mg_html_esc(b, tel);
        mg_buf_puts(b, "\">");
        mg_html_esc(b, e->dept.phone);
        mg_buf_puts(b, "</a>");
      } else mg_html_esc(b, e->dept.phone);
      mg_buf_puts(b, "</dd>\n");
    }
    pages_dept_row(b, x->site, PW_HOURS, e->dept.hours);
  }
  pages_dept_row(b, x->site, PW_CL_BRING, e->bring);
  pages_dept_row(b, x->site, PW_CL_DEADLINE, e->deadline);
  pages_dept_row(b, x->site, PW_CL_FEE, e->fee);
  mg_buf_puts(b, "</dl>\n</li>\n");
  return 0;
}

static int page_event(const pages_site *site, bot_worker *w, const bot_cl_event *ev, const char *path,
                      pages_resp *out, char *err) {
  mg_buf b = { 0 }, list = { 0 }, mid = { 0 };
  struct items x = { .b = &list, .site = site, .ev = ev };
  char num[16];
  int rc;
  if ((rc = bot_cl_procedures(bot_worker_db(w), ev, NULL, item, &x, err)) != 0) goto out;
  mg_buf_printf(&mid, "%s" CL_PATH, pages_prefix(site));
  pages_crumbs(&b, site, mid.p, pages_word(site, PW_CHECKLISTS), ev->title);
  mg_buf_puts(&b, "<h1>");
  mg_html_esc(&b, ev->title);
  mg_buf_puts(&b, "</h1>\n<p class=\"mgp-lead\">");
  mg_html_esc(&b, ev->intro);
  mg_buf_puts(&b, "</p>\n");
  questions_form(&b, site, ev);
  snprintf(num, sizeof num, "%d", x.n);
  pages_put_word(&b, site, "<section class=\"mgp-cl\" aria-labelledby=\"mgp-cl-h\">\n<h2 id=\"mgp-cl-h\">", PW_CL_NEEDED, "");
  pages_put_fill(&b, site, "<span class=\"mgp-cl-count\" id=\"mgp-cl-count\">", PW_ITEMS, "n", num, "</span></h2>\n");
  pages_put_word(&b, site, "<p class=\"mgp-note mgp-cl-all\" id=\"mgp-cl-all\">", PW_CL_ALL,
                 "</p>\n<ol class=\"mgp-cl-list\" id=\"mgp-cl-list\">\n");
  mg_buf_put(&b, list.p ? list.p : "", list.len);
  if (list.oom) b.oom = 1;
  pages_put_word(&b, site, "</ol>\n</section>\n<p class=\"mgp-cl-tools\" id=\"mgp-cl-tools\" hidden>"
                           "<button type=\"button\" id=\"mgp-cl-print\">", PW_CL_PRINT, "</button> ");
  pages_put_word(&b, site, "<span class=\"mgp-note\">", PW_CL_SHARE, "</span></p>\n");
  mg_buf_printf(&b, "<script src=\"%s/checklist.js\" defer></script>\n", pages_prefix(site));
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
