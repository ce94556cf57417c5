/*
 * pages.c — the public FAQ pages, rendered (pages.h).
 *
 * Pages:
 *   /faq/                       home: search, categories, departments
 *   /faq/category/NAME          every published entry of a category, in full
 *   /faq/department/ID          a department's card and its entries
 *   /faq/entry/ID               one entry: online procedure first, answer,
 *                               department card, similar entries, date, feedback
 *   /faq/search?q=              the chat's own answer pipeline (bot_answer)
 *   /faq/accessibility          the accessibility statement (the city's file)
 *   /faq/thanks/ID?helpful=     after feedback
 *   POST /faq/feedback          id, helpful → the chat's feedback table
 *   /sitemap.xml                every page above that a search engine should know
 *
 * Only published revisions are read (bot/public.h), so a draft never
 * reaches a page. The
 * category and entry pages carry schema.org FAQPage JSON-LD built from the
 * same strings the page shows.
 *
 * HTML is written into an mg_buf; every string from the store or the
 * request goes through mg_html_esc, every URL from the store through
 * mg_html_url_ok. The markup is plain semantic HTML5 (landmarks, one h1,
 * headings in order) with one stylesheet (web/pages.css) and no script.
 */
#include "adapters/pages.h"
#include "adapters/pages_int.h"
#include "bot/lang.h"
#include "bot/messages.h"
#include "bot/public.h"
#include "bot/session.h"
#include "util/mg_err.h"
#include "util/mg_log.h"
#include "util/mg_time.h"
#include "util/mg_utf8.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define HTML_TYPE "text/html; charset=utf-8"
#define XML_TYPE "application/xml; charset=utf-8"

struct pages_site {
  char base[512];       /* public_base_url without a trailing '/' */
  char prefix[512];     /* its path ("" at the root) */
  char chat_url[1100];  /* where 「職員に質問する」 leads */
  mg_tpl *tpl;
  char *accessibility;  /* the statement's HTML (the city's file, trusted like the template) */
  bot_words *words;     /* the pages' words (dict/pages.json) */
};

static const char *const tpl_names[] = { "title", "head", "main" };

const char *pages_prefix(const pages_site *site) { return site->prefix; }
const char *pages_base(const pages_site *site) { return site->base; }
const char *pages_word(const pages_site *site, int id) { return bot_word(site->words, (enum page_word)id); }

/* open, the word id escaped, close. */
void pages_put_word(mg_buf *b, const pages_site *site, const char *open, int id, const char *close) {
  mg_buf_puts(b, open);
  mg_html_esc(b, pages_word(site, id));
  mg_buf_puts(b, close);
}

/* The word id with {name} filled by value, as plain text into b (not escaped). */
static void fill_word(mg_buf *b, const pages_site *site, int id, const char *name, const char *value) {
  char *s = bot_msg_fill(pages_word(site, id), 1, &name, &value);
  if (!s) {
    b->oom = 1;
    return;
  }
  mg_buf_puts(b, s);
  free(s);
}

/* open, the word id with {name} filled by value, escaped, close. */
void pages_put_fill(mg_buf *b, const pages_site *site, const char *open, int id, const char *name, const char *value,
                    const char *close) {
  mg_buf t = { 0 };
  fill_word(&t, site, id, name, value);
  if (t.oom) b->oom = 1;
  pages_put_word_text(b, open, t.p ? t.p : "", close);
  mg_buf_free(&t);
}

/* open, text escaped, close. */
void pages_put_word_text(mg_buf *b, const char *open, const char *text, const char *close) {
  mg_buf_puts(b, open);
  mg_html_esc(b, text);
  mg_buf_puts(b, close);
}

/* （N件） */
static void put_count(mg_buf *b, const pages_site *site, const char *open, int n, const char *close) {
  char num[16];
  snprintf(num, sizeof num, "%d", n);
  pages_put_fill(b, site, open, PW_ITEMS, "n", num, close);
}

static char *read_file(const char *path, char *err, int *rc) {
  FILE *f = fopen(path, "rb");
  mg_buf b = { 0 };
  char chunk[4096];
  size_t n;
  if (!f) {
    *rc = mg_errf(err, MG_ECONFIG, "%s: cannot open", path);
    return NULL;
  }
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < 1024 * 1024) mg_buf_put(&b, chunk, n);
  fclose(f);
  if (b.len >= 1024 * 1024 || (b.p && mg_utf8_count(b.p, b.len) < 0)) {
    mg_buf_free(&b);
    *rc = mg_errf(err, MG_ECONFIG, "%s: not UTF-8 text under 1 MiB", path);
    return NULL;
  }
  {
    char *s = mg_buf_take(&b, NULL);
    if (!s) *rc = mg_errf(err, MG_ENOMEM, "out of memory");
    return s;
  }
}

int pages_site_new(pages_site **out, const mg_config *cfg, char *err) {
  pages_site *s = calloc(1, sizeof *s);
  const char *host, *slash;
  size_t n;
  int rc = 0;

  *out = NULL;
  if (!s) return mg_errf(err, MG_ENOMEM, "out of memory");
  n = strlen(cfg->public_base_url);
  while (n && cfg->public_base_url[n - 1] == '/') n--;
  if (n >= sizeof s->base) { rc = mg_errf(err, MG_ECONFIG, "public_base_url is too long"); goto out; }
  memcpy(s->base, cfg->public_base_url, n);
  s->base[n] = '\0';
  host = strstr(s->base, "://");
  slash = host ? strchr(host + 3, '/') : NULL;
  snprintf(s->prefix, sizeof s->prefix, "%s", slash ? slash : "");
  if (cfg->pages_chat_url[0] == '/') snprintf(s->chat_url, sizeof s->chat_url, "%s%s", s->prefix, cfg->pages_chat_url);
  else if (cfg->pages_chat_url[0]) snprintf(s->chat_url, sizeof s->chat_url, "%s", cfg->pages_chat_url);
  else snprintf(s->chat_url, sizeof s->chat_url, "%s/", s->prefix);
  if ((rc = mg_tpl_load(&s->tpl, cfg->page_template, tpl_names, 3, err)) != 0) goto out;
  if (!(s->accessibility = read_file(cfg->page_accessibility, err, &rc))) goto out;
  {
    char path[MG_PATHLEN + 16];
    snprintf(path, sizeof path, "%s/pages.json", cfg->dict_dir);
    if ((rc = bot_words_load(&s->words, path, err)) != 0) goto out;
  }
  *out = s;
  s = NULL;
out:
  pages_site_free(s);
  return rc;
}

void pages_site_free(pages_site *site) {
  if (!site) return;
  mg_tpl_free(site->tpl);
  free(site->accessibility);
  bot_words_free(site->words);
  free(site);
}

void pages_resp_clear(pages_resp *r) {
  free(r->body);
  memset(r, 0, sizeof *r);
}

/* ---- the layout ----------------------------------------------------------- */

void pages_layout(const pages_site *site, const pages_doc *doc, mg_buf *out) {
  mg_buf title = { 0 }, head = { 0 }, main = { 0 };
  const char *values[3];

  mg_html_esc(&title, doc->title);
  if (doc->description) {
    mg_buf_puts(&head, "<meta name=\"description\" content=\"");
    mg_html_esc(&head, doc->description);
    mg_buf_puts(&head, "\">\n");
  }
  if (doc->noindex) mg_buf_puts(&head, "<meta name=\"robots\" content=\"noindex\">\n");
  if (doc->path) {
    mg_buf_puts(&head, "<link rel=\"canonical\" href=\"");
    mg_html_esc(&head, site->base);
    mg_html_esc(&head, doc->path);
    if (doc->query) mg_html_esc(&head, doc->query);
    mg_buf_puts(&head, "\">\n");
  }
  if (doc->path && doc->alt_en) {
    /* the same entry in English: hreflang (やさしい日本語 is Japanese to a search engine, so not listed) */
    static const char *const alt[][2] = { { "ja", "" }, { "en", "?lang=en" }, { "x-default", "" } };
    for (size_t i = 0; i < sizeof alt / sizeof alt[0]; i++) {
      mg_buf_printf(&head, "<link rel=\"alternate\" hreflang=\"%s\" href=\"", alt[i][0]);
      mg_html_esc(&head, site->base);
      mg_html_esc(&head, doc->path);
      mg_buf_printf(&head, "%s\">\n", alt[i][1]);
    }
  }
  mg_buf_printf(&head, "<link rel=\"stylesheet\" href=\"%s/pages.css\">\n", site->prefix);
  if (doc->jsonld) {
    mg_buf_puts(&head, "<script type=\"application/ld+json\">");
    mg_html_json_script(&head, doc->jsonld);
    mg_buf_puts(&head, "</script>\n");
  }
  mg_buf_puts(&main, "<main id=\"main\" class=\"mgp\" tabindex=\"-1\">\n");
  mg_buf_puts(&main, doc->main);
  mg_buf_puts(&main, "</main>");
  values[0] = title.p ? title.p : "";
  values[1] = head.p ? head.p : "";
  values[2] = main.p ? main.p : "";
  {
    size_t at = out->len;
    mg_tpl_fill(site->tpl, out, values);
    /* an English page: the template's <html lang="ja"> says "en" (same length, in place;
     * the template marks its own Japanese header and footer lang="ja") */
    if (doc->lang == BOT_LANG_EN && out->p && !out->oom) {
      char *h = strstr(out->p + at, "<html lang=\"ja\"");
      if (h) memcpy(h + 12, "en", 2);
    }
  }
  if (title.oom || head.oom || main.oom) out->oom = 1;
  mg_buf_free(&title);
  mg_buf_free(&head);
  mg_buf_free(&main);
}

/* ---- small pieces ----------------------------------------------------------- */

void pages_href_entry(mg_buf *b, const pages_site *site, const char *id) {
  mg_buf_printf(b, "%s" BOT_PAGE_ENTRY, site->prefix);
  mg_html_url_enc(b, id);
}

static void href_category(mg_buf *b, const pages_site *site, const char *cat) {
  mg_buf_printf(b, "%s/faq/category/", site->prefix);
  mg_html_url_enc(b, cat);
}

static void href_department(mg_buf *b, const pages_site *site, const char *id) {
  mg_buf_printf(b, "%s/faq/department/", site->prefix);
  mg_html_url_enc(b, id);
}

/* <nav> breadcrumbs: よくある質問 › … › here (the last one is the page itself). */
void pages_crumbs(mg_buf *b, const pages_site *site, const char *mid_href, const char *mid, const char *here) {
  pages_put_word(b, site, "<nav class=\"mgp-crumbs\" aria-label=\"", PW_CRUMBS, "\"><ol>\n");
  mg_buf_printf(b, "<li><a href=\"%s/faq/\">", site->prefix);
  pages_put_word(b, site, "", PW_FAQ, "</a></li>\n");
  if (mid) {
    mg_buf_puts(b, "<li><a href=\"");
    mg_buf_puts(b, mid_href);
    mg_buf_puts(b, "\">");
    mg_html_esc(b, mid);
    mg_buf_puts(b, "</a></li>\n");
  }
  mg_buf_puts(b, "<li>");
  mg_html_esc(b, here);
  mg_buf_puts(b, "</li>\n</ol></nav>\n");
}

static void search_form(mg_buf *b, const pages_site *site, const char *q) {
  mg_buf_printf(b, "<div class=\"mgp-search\"><form role=\"search\" method=\"get\" action=\"%s/faq/search\">\n", site->prefix);
  pages_put_word(b, site, "<label for=\"mgp-q\">", PW_SEARCH_LABEL, "</label>\n");
  mg_buf_puts(b, "<div class=\"mgp-search-row\">"
                 "<input type=\"search\" id=\"mgp-q\" name=\"q\" maxlength=\"1000\" autocomplete=\"off\" value=\"");
  mg_html_esc(b, q);
  pages_put_word(b, site, "\">\n<button type=\"submit\">", PW_SEARCH_BUTTON, "</button></div>\n</form></div>\n");
}

/* The department card: name (its page), phone as a tel: link, hours, place. */
/* One <dt>label</dt><dd>value</dd> of the department card, when value is set. */
void pages_dept_row(mg_buf *b, const pages_site *site, int label, const char *value) {
  if (!value || !*value) return;
  pages_put_word(b, site, "<dt>", label, "</dt><dd>");
  mg_html_esc(b, value);
  mg_buf_puts(b, "</dd>\n");
}

void pages_dept_card(mg_buf *b, const pages_site *site, const mg_department *d, int heading, int link_name) {
  char tel[64];
  if (!d->id || !*d->id) return;
  mg_buf_puts(b, "<section class=\"mgp-dept\" aria-labelledby=\"mgp-dept-h\">\n");
  if (heading) pages_put_word(b, site, "<h2 id=\"mgp-dept-h\">", PW_DEPT_HEADING, "</h2>\n");
  else pages_put_word(b, site, "<h2 id=\"mgp-dept-h\" class=\"mgp-vh\">", PW_DEPT_CONTACT, "</h2>\n");
  pages_put_word(b, site, "<dl>\n<dt>", PW_DEPT_NAME, "</dt><dd>");
  if (link_name) {
    mg_buf_puts(b, "<a href=\"");
    href_department(b, site, d->id);
    mg_buf_puts(b, "\">");
  }
  mg_html_esc(b, d->name);
  mg_buf_puts(b, link_name ? "</a></dd>\n" : "</dd>\n");
  if (d->phone && *d->phone) {
    pages_put_word(b, site, "<dt>", PW_PHONE, "</dt><dd>");
    if (mg_html_tel(d->phone, tel, sizeof tel) == 0) {
      mg_buf_puts(b, "<a class=\"mgp-tel\" href=\"");
      mg_html_esc(b, tel);
      mg_buf_puts(b, "\">");
      mg_html_esc(b, d->phone);
      mg_buf_puts(b, "</a>");
    } else {
      mg_html_esc(b, d->phone);
    }
    mg_buf_puts(b, "</dd>\n");
  }
  pages_dept_row(b, site, PW_HOURS, d->hours);
  pages_dept_row(b, site, PW_PLACE, d->location);
  pages_dept_row(b, site, PW_MAIL, d->email);
  mg_buf_puts(b, "</dl>\n</section>\n");
}

/* FAQPage JSON-LD: one Question per (question, answer), the strings the page shows. */
static json_t *faqpage_new(void) {
  return json_pack("{s:s, s:s, s:[]}", "@context", "https://schema.org", "@type", "FAQPage", "mainEntity");
}

static void faqpage_add(json_t *ld, const char *question, const char *answer) {
  json_array_append_new(json_object_get(ld, "mainEntity"),
                        json_pack("{s:s, s:s, s:{s:s, s:s}}", "@type", "Question", "name", question, "acceptedAnswer",
                                  "@type", "Answer", "text", answer));
}

/* The date in Asia/Tokyo: <time datetime="YYYY-MM-DD">YYYY年M月D日</time>. */
static void date_jst(mg_buf *b, const pages_site *site, const char *utc) {
  static const char *const names[] = { "year", "month", "day" };
  time_t t;
  char iso[16], y[8], m[4], d[4];
  const char *values[] = { y, m, d };
  char *s;
  if (!utc || mg_time_parse(utc, &t) != 0) return;
  mg_time_jst(t, "%Y-%m-%d", iso, sizeof iso);
  mg_time_jst(t, "%Y", y, sizeof y);
  mg_time_jst(t, "%-m", m, sizeof m);
  mg_time_jst(t, "%-d", d, sizeof d);
  if (!(s = bot_msg_fill(pages_word(site, PW_DATE), 3, names, values))) {
    b->oom = 1;
    return;
  }
  mg_buf_printf(b, "<time datetime=\"%s\">", iso);
  mg_html_esc(b, s);
  mg_buf_puts(b, "</time>");
  free(s);
}

/* ---- reading the published FAQ ---------------------------------------------- */

struct tally {
  char **names;
  int *counts;
  int n, cap;
};

static int tally_add(struct tally *t, const char *name) {
  for (int i = 0; i < t->n; i++)
    if (strcmp(t->names[i], name) == 0) return ++t->counts[i], 0;
  if (t->n == t->cap) {
    int cap = t->cap ? t->cap * 2 : 32;
    char **nn = realloc(t->names, sizeof *nn * (size_t)cap);
    int *nc;
    if (!nn) return MG_ENOMEM;
    t->names = nn;
    if (!(nc = realloc(t->counts, sizeof *nc * (size_t)cap))) return MG_ENOMEM;
    t->counts = nc;
    t->cap = cap;
  }
  if (!(t->names[t->n] = strdup(name))) return MG_ENOMEM;
  t->counts[t->n++] = 1;
  return 0;
}

static int tally_count(const struct tally *t, const char *name) {
  for (int i = 0; i < t->n; i++)
    if (strcmp(t->names[i], name) == 0) return t->counts[i];
  return 0;
}

static void tally_free(struct tally *t) {
  for (int i = 0; i < t->n; i++) free(t->names[i]);
  free(t->names);
  free(t->counts);
  memset(t, 0, sizeof *t);
}

struct census {
  struct tally cats, depts;
  mg_buf *sitemap;              /* sitemap: one <url> per entry, when set */
  const pages_site *site;
};

static int census_entry(void *ctx, const mg_faq_entry *e) {
  struct census *c = ctx;
  if (e->category && *e->category && tally_add(&c->cats, e->category) != 0) return MG_ENOMEM;
  if (e->department_id && *e->department_id && tally_add(&c->depts, e->department_id) != 0) return MG_ENOMEM;
  if (c->sitemap) {
    time_t t;
    char day[16] = "";
    mg_buf_puts(c->sitemap, "<url><loc>");
    mg_html_esc(c->sitemap, c->site->base);
    mg_buf_puts(c->sitemap, BOT_PAGE_ENTRY);
    mg_html_url_enc(c->sitemap, e->id);
    mg_buf_puts(c->sitemap, "</loc>");
    if (e->updated_at && mg_time_parse(e->updated_at, &t) == 0) {
      mg_time_jst(t, "%Y-%m-%d", day, sizeof day);
      mg_buf_printf(c->sitemap, "<lastmod>%s</lastmod>", day);
    }
    mg_buf_puts(c->sitemap, "</url>\n");
  }
  return 0;
}

/* Categories by number of entries (most first), then by name. */
static void sort_tally(struct tally *t) {
  for (int i = 1; i < t->n; i++)
    for (int j = i; j > 0 && (t->counts[j] > t->counts[j - 1] ||
                              (t->counts[j] == t->counts[j - 1] && strcmp(t->names[j], t->names[j - 1]) < 0)); j--) {
      char *n = t->names[j];
      int c = t->counts[j];
      t->names[j] = t->names[j - 1], t->counts[j] = t->counts[j - 1];
      t->names[j - 1] = n, t->counts[j - 1] = c;
    }
}

struct dept_walk {
  mg_buf *b;
  const pages_site *site;
  const struct tally *depts;
  int sitemap;
};

static int dept_item(void *ctx, const mg_department *d) {
  struct dept_walk *w = ctx;
  int n = tally_count(w->depts, d->id);
  if (!n) return 0;   /* a department without a published entry has no page */
  if (w->sitemap) {
    mg_buf_puts(w->b, "<url><loc>");
    mg_html_esc(w->b, w->site->base);
    mg_buf_puts(w->b, "/faq/department/");
    mg_html_url_enc(w->b, d->id);
    mg_buf_puts(w->b, "</loc></url>\n");
    return 0;
  }
  mg_buf_puts(w->b, "<li><a href=\"");
  href_department(w->b, w->site, d->id);
  mg_buf_puts(w->b, "\">");
  mg_html_esc(w->b, d->name);
  put_count(w->b, w->site, "</a> <span class=\"mgp-count\">", n, "</span></li>\n");
  return 0;
}

/* ---- the pages ---------------------------------------------------------------- */

int pages_finish(const pages_site *site, const pages_doc *doc, mg_buf *main, int status, int cacheable,
                  pages_resp *out, char *err) {
  mg_buf page = { 0 };
  pages_doc d = *doc;
  if (main->oom) {
    mg_buf_free(main);
    return mg_errf(err, MG_ENOMEM, "out of memory");
  }
  d.main = main->p ? main->p : "";
  pages_layout(site, &d, &page);
  mg_buf_free(main);
  if (!(out->body = mg_buf_take(&page, &out->len))) return mg_errf(err, MG_ENOMEM, "out of memory");
  out->status = status;
  out->ctype = HTML_TYPE;
  out->cacheable = cacheable;
  return 0;
}

static int page_home(const pages_site *site, bot_worker *w, pages_resp *out, char *err) {
  sqlite3 *db = bot_worker_db(w);
  struct census c = { .site = site };
  struct dept_walk dw;
  mg_buf b = { 0 };
  int rc;

  if ((rc = bot_public_list(db, NULL, NULL, census_entry, &c, err)) != 0) goto out;
  sort_tally(&c.cats);
  pages_put_word(&b, site, "<h1>", PW_FAQ, "</h1>\n");
  pages_put_word(&b, site, "<p class=\"mgp-lead\">", PW_HOME_LEAD, "</p>\n");
  search_form(&b, site, NULL);
  mg_buf_printf(&b, "<p class=\"mgp-cl-link\"><a href=\"%s/faq/checklists/\">", site->prefix);
  pages_put_word(&b, site, "", PW_CHECKLISTS, "</a>");
  pages_put_word(&b, site, "", PW_HOME_CHECKLISTS_NOTE, "</p>\n");
  pages_put_word(&b, site, "<section aria-labelledby=\"mgp-cats\">\n<h2 id=\"mgp-cats\">", PW_BY_CATEGORY,
                 "</h2>\n<ul class=\"mgp-grid\">\n");
  for (int i = 0; i < c.cats.n; i++) {
    mg_buf_puts(&b, "<li><a href=\"");
    href_category(&b, site, c.cats.names[i]);
    mg_buf_puts(&b, "\">");
    mg_html_esc(&b, c.cats.names[i]);
    put_count(&b, site, "</a> <span class=\"mgp-count\">", c.cats.counts[i], "</span></li>\n");
  }
  pages_put_word(&b, site, "</ul>\n</section>\n<section aria-labelledby=\"mgp-depts\">\n<h2 id=\"mgp-depts\">",
                 PW_BY_DEPARTMENT, "</h2>\n<ul class=\"mgp-grid\">\n");
  dw = (struct dept_walk){ .b = &b, .site = site, .depts = &c.depts };
  if ((rc = bot_public_departments(db, dept_item, &dw, err)) != 0) goto out;
  mg_buf_printf(&b, "</ul>\n</section>\n<p class=\"mgp-about\"><a href=\"%s/faq/accessibility\">", site->prefix);
  pages_put_word(&b, site, "", PW_ACCESSIBILITY, "</a></p>\n");
  rc = pages_finish(site, &(pages_doc){ .title = pages_word(site, PW_FAQ), .path = "/faq/",
                                  .description = pages_word(site, PW_HOME_DESCRIPTION) },
              &b, 200, 1, out, err);
out:
  mg_buf_free(&b);
  tally_free(&c.cats);
  tally_free(&c.depts);
  return rc;
}

/* An entry in full inside a list page (category): question as h2 linking to
 * its page, the answer, and its FAQPage item. */
struct list_walk {
  mg_buf *b;
  const pages_site *site;
  json_t *ld;        /* FAQPage, or NULL (department pages list questions only) */
  int n;
};

static int list_full(void *ctx, const mg_faq_entry *e) {
  struct list_walk *lw = ctx;
  mg_buf *b = lw->b;
  lw->n++;
  mg_buf_printf(b, "<article class=\"mgp-qa\" aria-labelledby=\"q-%d\">\n<h2 id=\"q-%d\" class=\"mgp-q\"><a href=\"", lw->n, lw->n);
  pages_href_entry(b, lw->site, e->id);
  mg_buf_puts(b, "\">");
  mg_html_esc(b, e->question);
  mg_buf_puts(b, "</a></h2>\n<div class=\"mgp-a\">");
  mg_html_paras(b, e->answer);
  mg_buf_puts(b, "</div>\n</article>\n");
  faqpage_add(lw->ld, e->question, e->answer);
  return 0;
}

static int list_brief(void *ctx, const mg_faq_entry *e) {
  struct list_walk *lw = ctx;
  lw->n++;
  mg_buf_puts(lw->b, "<li><a href=\"");
  pages_href_entry(lw->b, lw->site, e->id);
  mg_buf_puts(lw->b, "\">");
  mg_html_esc(lw->b, e->question);
  mg_buf_puts(lw->b, "</a></li>\n");
  return 0;
}

int pages_not_found(const pages_site *site, pages_resp *out) {
  pages_error(site, 404, MG_ENOTFOUND, out);
  return out->body ? 0 : MG_ENOMEM;
}

static int page_category(const pages_site *site, bot_worker *w, const char *path, const char *cat, pages_resp *out,
                         char *err) {
  mg_buf b = { 0 }, title = { 0 };
  json_t *ld = faqpage_new();
  struct list_walk lw = { .b = &b, .site = site, .ld = ld };
  char *json = NULL;
  int rc;

  if (!ld) return mg_errf(err, MG_ENOMEM, "out of memory");
  fill_word(&title, site, PW_CATEGORY_TITLE, "category", cat);
  pages_crumbs(&b, site, NULL, NULL, cat);
  mg_buf_puts(&b, "<h1>");
  mg_html_esc(&b, title.p);
  mg_buf_puts(&b, "</h1>\n");
  if ((rc = bot_public_list(bot_worker_db(w), cat, NULL, list_full, &lw, err)) != 0) goto out;
  if (!lw.n) {
    rc = pages_not_found(site, out);
    goto out;
  }
  if (!(json = json_dumps(ld, JSON_COMPACT))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  rc = pages_finish(site, &(pages_doc){ .title = title.p, .path = path, .jsonld = json,
                                  .description = title.p }, &b, 200, 1, out, err);
out:
  free(json);
  json_decref(ld);
  mg_buf_free(&b);
  mg_buf_free(&title);
  return rc;
}

static int page_department(const pages_site *site, bot_worker *w, const char *path, const char *id, pages_resp *out,
                           char *err) {
  sqlite3 *db = bot_worker_db(w);
  mg_department d = { 0 };
  mg_buf b = { 0 }, list = { 0 };
  struct list_walk lw = { .b = &list, .site = site };
  int rc;

  rc = bot_public_department(db, id, &d, err);
  if (rc == MG_ENOTFOUND) return pages_not_found(site, out);
  if (rc != 0) return rc;
  if ((rc = bot_public_list(db, NULL, id, list_brief, &lw, err)) != 0) goto out;
  if (!lw.n) {
    rc = pages_not_found(site, out);
    goto out;
  }
  pages_crumbs(&b, site, NULL, NULL, d.name);
  mg_buf_puts(&b, "<h1>");
  mg_html_esc(&b, d.name);
  mg_buf_puts(&b, "</h1>\n");
  pages_dept_card(&b, site, &d, 0, 0);
  pages_put_word(&b, site, "<section aria-labelledby=\"mgp-list-h\">\n<h2 id=\"mgp-list-h\">", PW_FAQ, "");
  put_count(&b, site, "", lw.n, "</h2>\n<ul class=\"mgp-list\">\n");
  mg_buf_put(&b, list.p ? list.p : "", list.len);
  mg_buf_puts(&b, "</ul>\n</section>\n");
  if (list.oom) b.oom = 1;
  rc = pages_finish(site, &(pages_doc){ .title = d.name, .path = path }, &b, 200, 1, out, err);
out:
  mg_buf_free(&b);
  mg_buf_free(&list);
  bot_public_department_clear(&d);
  return rc;
}

/* Links to the entries ids (published questions), as a list. */
static int entry_links(mg_buf *b, const pages_site *site, sqlite3 *db, char (*ids)[64], int n, char *err) {
  mg_buf_puts(b, "<ul class=\"mgp-list\">\n");
  for (int i = 0; i < n; i++) {
    char *q = NULL;
    int rc = bot_public_question(db, ids[i], &q, err);
    if (rc == MG_ENOTFOUND) continue;
    if (rc != 0) return rc;
    mg_buf_puts(b, "<li><a href=\"");
    pages_href_entry(b, site, ids[i]);
    mg_buf_puts(b, "\">");
    mg_html_esc(b, q);
    mg_buf_puts(b, "</a></li>\n");
    free(q);
  }
  mg_buf_puts(b, "</ul>\n");
  return 0;
}

/* Links to the entry in the languages it has (ja always), the current one marked. */
static void lang_switch(mg_buf *b, const pages_site *site, const mg_faq_entry *e, int shown, int words) {
  static const int label[BOT_LANG_COUNT] = { PW_LANG_JA, PW_LANG_EN, PW_LANG_EASY };
  static const char *const attr[BOT_LANG_COUNT] = { "ja", "en", "ja" };
  pages_put_word_text(b, "<nav class=\"mgp-langs\" aria-label=\"", bot_word_lang(site->words, PW_LANGS, words),
                      "\"><ul>\n");
  for (int l = 0; l < BOT_LANG_COUNT; l++) {
    const char *q, *a;
    if (l != BOT_LANG_JA && bot_lang_pick(e, l, &q, &a) != l) continue;
    if (l == shown) { /* the page itself: text, not a link (tidy's HTML 5 knows no aria-current) */
      mg_buf_printf(b, "<li lang=\"%s\">", attr[l]);
      pages_put_word(b, site, "<strong>", label[l], "</strong></li>\n");
      continue;
    }
    mg_buf_printf(b, "<li lang=\"%s\"><a href=\"", attr[l]);
    pages_href_entry(b, site, e->id);
    if (l != BOT_LANG_JA) mg_buf_printf(b, "?lang=%s", bot_lang_name(l));
    pages_put_word(b, site, "\">", label[l], "</a></li>\n");
  }
  mg_buf_puts(b, "</ul></nav>\n");
}

static int page_entry(const pages_site *site, bot_worker *w, const char *path, const char *id, int want,
                      pages_resp *out, char *err) {
  sqlite3 *db = bot_worker_db(w);
  mg_faq_entry *e = NULL;
  mg_buf b = { 0 }, cat = { 0 };
  json_t *ld = NULL;
  char *json = NULL, similar[PAGES_SIMILAR][64];
  const char *question, *answer;
  int rc, n_similar = 0, shown, wl;

  rc = bot_public_get(db, id, &e, err);
  if (rc == MG_ENOTFOUND) return pages_not_found(site, out);
  if (rc != 0) return rc;
  /* ?lang=en|easy: the entry's version when it has one; the page's words follow what is asked */
  shown = bot_lang_pick(e, want, &question, &answer);
  wl = want > 0 && want < BOT_LANG_COUNT ? want : BOT_LANG_JA;
#define W(id) bot_word_lang(site->words, id, wl)
  if (e->category && *e->category) href_category(&cat, site, e->category);
  if (wl == BOT_LANG_EN) mg_buf_puts(&b, "<div lang=\"ja\">\n");
  pages_crumbs(&b, site, cat.p, e->category && *e->category ? e->category : NULL, e->question);
  if (wl == BOT_LANG_EN) mg_buf_puts(&b, "</div>\n");
  lang_switch(&b, site, e, shown, wl);
  mg_buf_printf(&b, "<article class=\"mgp-entry\" aria-labelledby=\"mgp-h1\"%s>\n", wl == BOT_LANG_EN ? " lang=\"en\"" : "");
  if (shown != wl) pages_put_word_text(&b, "<p class=\"mgp-note mgp-lang-note\">", W(PW_NOT_YET), "</p>\n");
  mg_buf_printf(&b, "<h1 id=\"mgp-h1\" class=\"mgp-q\"%s>", shown == BOT_LANG_EN ? "" : wl == BOT_LANG_EN ? " lang=\"ja\"" : "");
  mg_html_esc(&b, question);
  mg_buf_puts(&b, "</h1>\n");
  /* 行かない窓口: the online application comes first, when there is one */
  if (e->online_url && mg_html_url_ok(e->online_url) && strncasecmp(e->online_url, "tel:", 4) != 0) {
    pages_put_word(&b, site, "<section class=\"mgp-online\" aria-labelledby=\"mgp-online-h\">\n<h2 id=\"mgp-online-h\">",
                   PW_ONLINE_HEADING, "</h2>\n");
    pages_put_word(&b, site, "<p>", PW_ONLINE_TEXT, "</p>\n<p><a class=\"mgp-btn\" href=\"");
    mg_html_esc(&b, e->online_url);
    pages_put_word(&b, site, "\">", PW_ONLINE_BUTTON, "</a></p>\n</section>\n");
  }
  pages_put_word_text(&b, "<section class=\"mgp-answer\" aria-labelledby=\"mgp-a-h\">\n<h2 id=\"mgp-a-h\">", W(PW_ANSWER),
                      "</h2>\n");
  mg_buf_printf(&b, "<div class=\"mgp-a\"%s>", shown == BOT_LANG_EN ? "" : wl == BOT_LANG_EN ? " lang=\"ja\"" : "");
  mg_html_paras(&b, answer);
  mg_buf_puts(&b, "</div>\n");
  if (e->url && mg_html_url_ok(e->url)) {
    mg_buf_puts(&b, "<p class=\"mgp-more\"><a href=\"");
    mg_html_esc(&b, e->url);
    pages_put_word_text(&b, "\">", W(PW_MORE), "</a></p>\n");
  }
  pages_put_word_text(&b, "<p class=\"mgp-updated\">", W(PW_UPDATED), "");
  date_jst(&b, site, e->updated_at);
  mg_buf_puts(&b, "</p>\n</section>\n");
  if (wl == BOT_LANG_EN) mg_buf_puts(&b, "<div lang=\"ja\">\n");
  pages_dept_card(&b, site, &e->dept, 1, 1);
  if (wl == BOT_LANG_EN) mg_buf_puts(&b, "</div>\n");
  /* The store keeps no related entries: the engine's nearest, said so */
  if ((rc = bot_similar(w, e->id, PAGES_SIMILAR, similar, &n_similar, err)) != 0 && rc != MG_ENOTFOUND) goto out;
  rc = 0;
  if (n_similar) {
    pages_put_word_text(&b, "<section class=\"mgp-similar\" aria-labelledby=\"mgp-sim-h\">\n<h2 id=\"mgp-sim-h\">",
                        W(PW_SIMILAR), "</h2>\n");
    pages_put_word_text(&b, "<p class=\"mgp-note\">", W(PW_SIMILAR_NOTE), "</p>\n");
    mg_buf_puts(&b, wl == BOT_LANG_EN ? "<div lang=\"ja\">\n" : "");
    if ((rc = entry_links(&b, site, db, similar, n_similar, err)) != 0) goto out;
    mg_buf_puts(&b, wl == BOT_LANG_EN ? "</div>\n</section>\n" : "</section>\n");
  }
  pages_put_word_text(&b, "<section class=\"mgp-feedback\" aria-labelledby=\"mgp-fb-h\">\n<h2 id=\"mgp-fb-h\">",
                      W(PW_HELPFUL), "</h2>\n");
  mg_buf_printf(&b, "<form method=\"post\" action=\"%s/faq/feedback\">\n<input type=\"hidden\" name=\"id\" value=\"", site->prefix);
  mg_html_esc(&b, e->id);
  pages_put_word_text(&b, "\">\n<button type=\"submit\" name=\"helpful\" value=\"1\">", W(PW_YES), "</button>\n");
  pages_put_word_text(&b, "<button type=\"submit\" name=\"helpful\" value=\"0\">", W(PW_NO),
                      "</button>\n</form>\n</section>\n</article>\n");
#undef W
  if (!(ld = faqpage_new())) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  faqpage_add(ld, question, answer);
  if (!(json = json_dumps(ld, JSON_COMPACT))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  {
    /* a version shown is its own canonical page; asked for and missing, the Japanese page is */
    char query[32] = "";
    const char *q_en, *a_en;
    if (shown != BOT_LANG_JA) snprintf(query, sizeof query, "?lang=%s", bot_lang_name(shown));
    rc = pages_finish(site, &(pages_doc){ .title = question, .path = path, .jsonld = json, .description = question,
                                    .lang = wl, .query = query[0] ? query : NULL,
                                    .alt_en = bot_lang_pick(e, BOT_LANG_EN, &q_en, &a_en) == BOT_LANG_EN },
                &b, 200, 1, out, err);
  }
out:
  free(json);
  json_decref(ld);
  mg_buf_free(&b);
  mg_buf_free(&cat);
  bot_public_entry_free(e);
  return rc;
}

/* 「職員に質問する」 and the city's number, for when the FAQ has no answer. */
static void ask_person(mg_buf *b, const pages_site *site, bot_worker *w) {
  const char *phone = bot_msg_get(bot_messages(bot_worker_bot(w)), MSG_CITY_PHONE);
  char tel[64];
  pages_put_word(b, site, "<section class=\"mgp-person\" aria-labelledby=\"mgp-person-h\">\n<h2 id=\"mgp-person-h\">",
                 PW_ASK_PERSON, "</h2>\n");
  pages_put_word(b, site, "<p>", PW_ASK_PERSON_TEXT, "</p>\n<p><a class=\"mgp-btn\" href=\"");
  mg_html_esc(b, site->chat_url);
  pages_put_word(b, site, "\">", PW_ASK_PERSON, "</a></p>\n");
  if (phone && *phone) {
    pages_put_word(b, site, "<p>", PW_ASK_PHONE, "");
    if (mg_html_tel(phone, tel, sizeof tel) == 0) {
      mg_buf_puts(b, "<a class=\"mgp-tel\" href=\"");
      mg_html_esc(b, tel);
      mg_buf_puts(b, "\">");
      mg_html_esc(b, phone);
      mg_buf_puts(b, "</a>");
    } else {
      mg_html_esc(b, phone);
    }
    mg_buf_puts(b, "</p>\n");
  }
  mg_buf_puts(b, "</section>\n");
}

static const char *jstr(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

/* Candidates of an answer object (skipping skip) as links. */
static void candidate_links(mg_buf *b, const pages_site *site, const json_t *ans, const char *skip) {
  size_t i;
  json_t *c;
  mg_buf_puts(b, "<ul class=\"mgp-list\">\n");
  json_array_foreach(json_object_get(ans, "candidates"), i, c) {
    if (skip && strcmp(jstr(c, "faq_id"), skip) == 0) continue;
    if (!bot_public_id_ok(jstr(c, "faq_id"))) continue;
    mg_buf_puts(b, "<li><a href=\"");
    pages_href_entry(b, site, jstr(c, "faq_id"));
    mg_buf_puts(b, "\">");
    mg_html_esc(b, jstr(c, "question"));
    mg_buf_puts(b, "</a></li>\n");
  }
  mg_buf_puts(b, "</ul>\n");
}

static size_t candidates_other(const json_t *ans, const char *skip) {
  size_t i, n = 0;
  json_t *c;
  json_array_foreach(json_object_get(ans, "candidates"), i, c)
    if (!skip || strcmp(jstr(c, "faq_id"), skip) != 0) n++;
  return n;
}

/* Search: the chat's pipeline (rules, safety, engine with its typo and kana
 * tolerance), its decision shown as a page: the answer, 「もしかして」 for a
 * clarify, 「職員に質問する」 when nothing fits. */
static int page_search(const pages_site *site, bot_worker *w, const char *q, pages_resp *out, char *err) {
  mg_buf b = { 0 }, title = { 0 };
  json_t *ans = NULL, *rule, *safety;
  const char *decision, *kind;
  int rc = 0;

  while (q && (*q == ' ' || *q == '\t')) q++;
  if (q && *q) fill_word(&title, site, PW_SEARCH_TITLE, "q", q);
  else mg_buf_puts(&title, pages_word(site, PW_SEARCH_PAGE));
  pages_crumbs(&b, site, NULL, NULL, pages_word(site, PW_SEARCH_CRUMB));
  mg_buf_puts(&b, "<h1>");
  mg_html_esc(&b, title.p);
  mg_buf_puts(&b, "</h1>\n");
  search_form(&b, site, q);
  if (!q || !*q) {
    pages_put_word(&b, site, "<p>", PW_SEARCH_HELP, "</p>\n");
    rc = pages_finish(site, &(pages_doc){ .title = title.p, .path = "/faq/search", .noindex = 1 }, &b, 200, 0, out, err);
    goto out;
  }
  if ((rc = bot_answer(w, q, (int)strlen(q), 0, &ans, err)) != 0) goto out;
  decision = jstr(ans, "decision");
  rule = json_object_get(ans, "rule");
  kind = jstr(rule, "kind");
  safety = json_object_get(ans, "safety");
  mg_buf_puts(&b, "<div class=\"mgp-results\" aria-live=\"polite\">\n");
  if (strcmp(kind, "emergency") == 0) {
    /* the safety layer's card: the number first, nothing else */
    pages_put_word(&b, site, "<section class=\"mgp-emergency\" role=\"alert\" aria-labelledby=\"mgp-em-h\">\n<h2 id=\"mgp-em-h\">",
                   PW_EMERGENCY, "</h2>\n");
    mg_html_paras(&b, jstr(ans, "answer"));
    mg_buf_puts(&b, "</section>\n");
  } else {
    if (safety && *jstr(safety, "text")) {
      mg_buf_puts(&b, "<div class=\"mgp-note-box\" role=\"note\">");
      mg_html_paras(&b, jstr(safety, "text"));
      mg_buf_puts(&b, "</div>\n");
    }
    if (strcmp(decision, "answer") == 0 && *jstr(ans, "faq_id")) {
      const char *id = jstr(ans, "faq_id");
      pages_put_word(&b, site, "<section class=\"mgp-best\" aria-labelledby=\"mgp-best-h\">\n<h2 id=\"mgp-best-h\">", PW_BEST,
                     "</h2>\n");
      mg_buf_puts(&b, "<article class=\"mgp-qa\" aria-labelledby=\"mgp-best-q\">\n<h3 id=\"mgp-best-q\" class=\"mgp-q\"><a href=\"");
      pages_href_entry(&b, site, id);
      mg_buf_puts(&b, "\">");
      mg_html_esc(&b, jstr(ans, "question"));
      mg_buf_puts(&b, "</a></h3>\n");
      if (mg_html_url_ok(jstr(ans, "online_url")) && strncasecmp(jstr(ans, "online_url"), "tel:", 4) != 0) {
        mg_buf_puts(&b, "<p class=\"mgp-online-link\"><a class=\"mgp-btn\" href=\"");
        mg_html_esc(&b, jstr(ans, "online_url"));
        pages_put_word(&b, site, "\">", PW_ONLINE_BUTTON, "</a></p>\n");
      }
      mg_buf_puts(&b, "<div class=\"mgp-a\">");
      mg_html_paras(&b, jstr(ans, "answer"));
      mg_buf_puts(&b, "</div>\n<p><a href=\"");
      pages_href_entry(&b, site, id);
      pages_put_word(&b, site, "\">", PW_BEST_MORE, "</a></p>\n</article>\n</section>\n");
      if (candidates_other(ans, id)) {
        pages_put_word(&b, site, "<section aria-labelledby=\"mgp-more-h\">\n<h2 id=\"mgp-more-h\">", PW_OTHER_CANDIDATES,
                       "</h2>\n");
        candidate_links(&b, site, ans, id);
        mg_buf_puts(&b, "</section>\n");
      }
    } else if (strcmp(decision, "answer") == 0) {
      /* a rule's own words (office hours, a referral, a greeting) */
      pages_put_word(&b, site, "<section class=\"mgp-best\" aria-labelledby=\"mgp-best-h\">\n<h2 id=\"mgp-best-h\">", PW_GUIDANCE,
                     "</h2>\n");
      mg_html_paras(&b, jstr(ans, "answer"));
      mg_buf_puts(&b, "</section>\n");
      if (json_is_true(json_object_get(ans, "offer_escalation"))) ask_person(&b, site, w);
    } else if (strcmp(decision, "clarify") == 0 && candidates_other(ans, NULL)) {
      pages_put_word(&b, site, "<section class=\"mgp-clarify\" aria-labelledby=\"mgp-clar-h\">\n<h2 id=\"mgp-clar-h\">",
                     PW_DID_YOU_MEAN, "</h2>\n");
      pages_put_word(&b, site, "<p>", PW_DID_YOU_MEAN_TEXT, "</p>\n");
      candidate_links(&b, site, ans, NULL);
      mg_buf_puts(&b, "</section>\n");
      ask_person(&b, site, w);
    } else {
      pages_put_word(&b, site, "<section class=\"mgp-none\" aria-labelledby=\"mgp-none-h\">\n<h2 id=\"mgp-none-h\">", PW_NOT_FOUND,
                     "</h2>\n");
      pages_put_word(&b, site, "<p>", PW_NOT_FOUND_TEXT, "</p>\n</section>\n");
      ask_person(&b, site, w);
    }
  }
  mg_buf_puts(&b, "</div>\n");
  rc = pages_finish(site, &(pages_doc){ .title = title.p, .path = "/faq/search", .noindex = 1 }, &b, 200, 0, out, err);
out:
  json_decref(ans);
  mg_buf_free(&b);
  mg_buf_free(&title);
  return rc;
}

static int page_accessibility(const pages_site *site, pages_resp *out, char *err) {
  mg_buf b = { 0 };
  pages_crumbs(&b, site, NULL, NULL, pages_word(site, PW_ACCESSIBILITY));
  mg_buf_puts(&b, site->accessibility);
  return pages_finish(site, &(pages_doc){ .title = pages_word(site, PW_ACCESSIBILITY), .path = "/faq/accessibility" }, &b, 200, 1, out, err);
}

static int page_thanks(const pages_site *site, bot_worker *w, const char *id, int helpful, pages_resp *out, char *err) {
  mg_faq_entry *e = NULL;
  mg_buf b = { 0 };
  int rc;
  rc = bot_public_get(bot_worker_db(w), id, &e, err);
  if (rc == MG_ENOTFOUND) return pages_not_found(site, out);
  if (rc != 0) return rc;
  pages_crumbs(&b, site, NULL, NULL, pages_word(site, PW_THANKS));
  pages_put_word(&b, site, "<h1>", PW_THANKS, "</h1>\n");
  pages_put_word(&b, site, "<p>", PW_THANKS_TEXT, "</p>\n");
  if (helpful == 0) {
    pages_put_word(&b, site, "<p>", PW_THANKS_SORRY, "</p>\n");
    pages_dept_card(&b, site, &e->dept, 1, 1);
    ask_person(&b, site, w);
  }
  mg_buf_puts(&b, "<p><a href=\"");
  pages_href_entry(&b, site, e->id);
  pages_put_fill(&b, site, "\">", PW_BACK_TO, "question", e->question, "</a></p>\n");
  mg_buf_printf(&b, "<p><a href=\"%s/faq/\">", site->prefix);
  pages_put_word(&b, site, "", PW_TO_TOP, "</a></p>\n");
  rc = pages_finish(site, &(pages_doc){ .title = pages_word(site, PW_THANKS), .noindex = 1 }, &b, 200, 0, out, err);
  bot_public_entry_free(e);
  return rc;
}

/* Feedback from an entry's page: the chat's feedback table, on the entry
 * alone (no session, no answer line, no question), then 303 to thanks. */
static int post_feedback(const pages_site *site, bot_worker *w, const char *id, int helpful, pages_resp *out,
                         char *err) {
  sqlite3 *db = bot_worker_db(w);
  char *q = NULL;
  int rc;
  if (!id || !bot_public_id_ok(id) || (helpful != 0 && helpful != 1)) {
    pages_error(site, 400, MG_EMISSING, out);
    return out->body ? 0 : MG_ENOMEM;
  }
  rc = bot_public_question(db, id, &q, err);
  free(q);
  if (rc == MG_ENOTFOUND) return pages_not_found(site, out);
  if (rc != 0) return rc;
  if ((rc = bot_session_begin(db, err)) != 0) return rc;
  if ((rc = bot_session_feedback(db, NULL, 0, id, helpful, NULL, NULL, err)) != 0 || (rc = bot_session_commit(db, err)) != 0) {
    bot_session_rollback(db);
    return rc;
  }
  out->status = 303;
  out->ctype = HTML_TYPE;
  snprintf(out->location, sizeof out->location, "%s/faq/thanks/%s?helpful=%d", site->prefix, id, helpful);
  if (!(out->body = strdup(""))) return mg_errf(err, MG_ENOMEM, "out of memory");
  return 0;
}

static int sitemap(const pages_site *site, bot_worker *w, pages_resp *out, char *err) {
  sqlite3 *db = bot_worker_db(w);
  mg_buf b = { 0 }, entries = { 0 };
  struct census c = { .site = site, .sitemap = &entries };
  struct dept_walk dw;
  int rc;

  mg_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
  if ((rc = bot_public_list(db, NULL, NULL, census_entry, &c, err)) != 0) goto out;
  mg_buf_puts(&b, "<url><loc>");
  mg_html_esc(&b, site->base);
  mg_buf_puts(&b, "/faq/</loc></url>\n");
  sort_tally(&c.cats);
  for (int i = 0; i < c.cats.n; i++) {
    mg_buf_puts(&b, "<url><loc>");
    mg_html_esc(&b, site->base);
    mg_buf_puts(&b, "/faq/category/");
    mg_html_url_enc(&b, c.cats.names[i]);
    mg_buf_puts(&b, "</loc></url>\n");
  }
  dw = (struct dept_walk){ .b = &b, .site = site, .depts = &c.depts, .sitemap = 1 };
  if ((rc = bot_public_departments(db, dept_item, &dw, err)) != 0) goto out;
  mg_buf_put(&b, entries.p ? entries.p : "", entries.len);
  pages_checklists_sitemap(site, w, &b);
  mg_buf_puts(&b, "<url><loc>");
  mg_html_esc(&b, site->base);
  mg_buf_puts(&b, "/faq/accessibility</loc></url>\n</urlset>\n");
  if (entries.oom || !(out->body = mg_buf_take(&b, &out->len))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  out->status = 200;
  out->ctype = XML_TYPE;
  out->cacheable = 1;
out:
  mg_buf_free(&b);
  mg_buf_free(&entries);
  tally_free(&c.cats);
  tally_free(&c.depts);
  return rc;
}

void pages_error(const pages_site *site, int status, int err, pages_resp *out) {
  mg_buf b = { 0 }, page = { 0 };
  const char *title = pages_word(site, status == 404 ? PW_ERROR_404 : status == 429 ? PW_ERROR_429
                                     : status >= 500 ? PW_ERROR_5XX : PW_ERROR_OTHER);
  pages_resp_clear(out);
  pages_put_word_text(&b, "<h1>", title, "</h1>\n<p>");
  mg_html_esc(&b, status == 404 ? pages_word(site, PW_ERROR_404_TEXT) : mg_err_message(err));
  mg_buf_printf(&b, "</p>\n<p><a href=\"%s/faq/\">", site->prefix);
  pages_put_word(&b, site, "", PW_TO_TOP, "</a></p>\n");
  pages_layout(site, &(pages_doc){ .title = title, .main = b.p ? b.p : "", .noindex = 1 }, &page);
  mg_buf_free(&b);
  out->body = mg_buf_take(&page, &out->len);
  out->status = status;
  out->ctype = HTML_TYPE;
  if (status == 405) out->allow = "GET, HEAD";
}

int pages_handle(const pages_site *site, bot_worker *w, const pages_req *req, pages_resp *out, char *err) {
  const char *p = req->path;
  int rc, post = strcmp(req->method, "POST") == 0;

  memset(out, 0, sizeof *out);
  if (strcmp(p, "/faq/feedback") == 0) {
    if (!post) {
      pages_error(site, 405, MG_EINVAL, out);
      out->allow = "POST";
      return out->body ? 0 : MG_ENOMEM;
    }
    rc = post_feedback(site, w, req->id, req->helpful, out, err);
  } else if (post) {
    pages_error(site, 405, MG_EINVAL, out);
    return out->body ? 0 : MG_ENOMEM;
  } else if (strcmp(p, "/faq") == 0 || strcmp(p, "/faq/") == 0) {
    rc = page_home(site, w, out, err);
  } else if (strcmp(p, "/faq/search") == 0) {
    rc = page_search(site, w, req->q, out, err);
  } else if (strncmp(p, "/faq/category/", 14) == 0 && p[14]) {
    rc = page_category(site, w, p, p + 14, out, err);
  } else if (strncmp(p, "/faq/department/", 16) == 0 && p[16]) {
    rc = page_department(site, w, p, p + 16, out, err);
  } else if (strncmp(p, BOT_PAGE_ENTRY, sizeof BOT_PAGE_ENTRY - 1) == 0 && p[sizeof BOT_PAGE_ENTRY - 1]) {
    rc = page_entry(site, w, p, p + sizeof BOT_PAGE_ENTRY - 1, req->lang, out, err);
  } else if (strcmp(p, "/faq/checklists") == 0 || strncmp(p, "/faq/checklists/", 16) == 0) {
    rc = pages_checklists(site, w, p, out, err);
  } else if (strcmp(p, "/faq/accessibility") == 0) {
    rc = page_accessibility(site, out, err);
  } else if (strncmp(p, "/faq/thanks/", 12) == 0) {
    rc = page_thanks(site, w, p + 12, req->helpful, out, err);
  } else if (strcmp(p, "/sitemap.xml") == 0) {
    rc = sitemap(site, w, out, err);
  } else {
    rc = pages_not_found(site, out);
  }
  if (rc != 0) {
    pages_error(site, mg_err_http_status(rc) >= 500 ? (rc == MG_EBUSY ? 503 : 500) : mg_err_http_status(rc),
                mg_err_http_status(rc) >= 500 && rc != MG_EBUSY ? MG_EIO : rc, out);
  }
  return rc;
}
