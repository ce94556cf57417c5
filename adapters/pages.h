/*
 * pages.h — the public FAQ pages: server-rendered HTML of the published FAQ
 * (docs/public-pages.md).
 *
 * Two halves. This header is the renderer: a request (method, path, the
 * few arguments a page takes) in, a response (status, type, body) out, run
 * on a worker with its bot_worker; it never sees a socket, so the unit
 * test drives it directly. pages_http.c puts it on the wire: the lws
 * mounts /faq and /sitemap.xml, the checks that need no database (method,
 * UTF-8, length, Origin, rate), the page cache and the writes.
 *
 * Every page is a pages_doc poured into the city's template by
 * pages_layout: the template is the city's header and footer, the doc says
 * the title, the canonical path, the JSON-LD and the HTML of <main>. A new
 * kind of page (the life-event checklists of issue 16) is a function that
 * fills a pages_doc; the layout, the escaping, the canonical URL and the
 * cache come with it.
 *
 * Every word of the pages' own (headings, labels, buttons, the error pages)
 * is dict/pages.json's, loaded with the site (bot_words: a missing key stops
 * start-up) and escaped like everything else; C writes only the markup.
 *
 * Canonical URLs, the sitemap and the widget's links are public_base_url
 * plus a path, never the Host header a request came with. Everything from
 * the store goes through mg_html_esc; URLs from the store reach an href
 * only when mg_html_url_ok accepts them.
 */
#ifndef MG_PAGES_H
#define MG_PAGES_H

#include <stddef.h>

#include "bot/answer.h"
#include "util/mg_config.h"
#include "util/mg_html.h"

#define PAGES_SIMILAR 5          /* entries shown as 似ている質問 on an entry's page */

typedef struct pages_site pages_site;

/* The site of cfg (pages on): the base URL and its path, the template
 * (cfg->page_template, parsed once), the accessibility statement and where
 * 「職員に質問する」 leads. MG_ECONFIG with err naming the file and line when
 * the template is wrong. Free with pages_site_free. Immutable afterwards:
 * any thread may read it. */
int pages_site_new(pages_site **out, const mg_config *cfg, char *err);
void pages_site_free(pages_site *site);

/* One request, as pages_http.c parsed it. Strings are NUL-terminated,
 * decoded and checked for UTF-8 and length already. */
typedef struct pages_req {
  const char *method;   /* "GET", "HEAD" or "POST" */
  const char *path;     /* "/faq/entry/saijo-0001", without the query */
  const char *q;        /* GET /faq/search: the question; NULL when absent */
  const char *id;       /* POST /faq/feedback: the entry */
  int helpful;          /* POST /faq/feedback, GET /faq/thanks/ID: 1, 0, or -1 when absent */
  int lang;             /* ?lang=en|easy (enum bot_lang): an entry's page in that version; 0 Japanese */
} pages_req;

typedef struct pages_resp {
  int status;
  const char *ctype;    /* a static string */
  char *body;           /* malloc'd (pages_resp_clear) */
  size_t len;
  char location[640];   /* 303: where to (a path under the base) */
  const char *allow;    /* 405: the methods allowed */
  int cacheable;        /* the body depends on the path and the published FAQ only */
} pages_resp;

void pages_resp_clear(pages_resp *r);

/* Answer req. Runs on a worker between bot_read_begin/end (it reads the
 * bot's messages and asks the engine). Returns 0 with *out filled (4xx
 * pages too), or MG_E* with err set when the database failed; *out is then
 * a 500/503 page that says so without internals. */
int pages_handle(const pages_site *site, bot_worker *w, const pages_req *req, pages_resp *out, char *err);

/* A page for a status decided without the database (400 bad UTF-8, 413,
 * 429, 503 …): err (MG_E*) chooses the message. Any thread. */
void pages_error(const pages_site *site, int status, int err, pages_resp *out);

/* ---- the layout, for every kind of page ----------------------------------- */

typedef struct pages_doc {
  const char *title;        /* plain text (escaped here); the template adds the city's name */
  const char *description;  /* plain text for <meta name="description">, or NULL */
  const char *path;         /* canonical path under the base ("/faq/"), NULL = no canonical */
  const char *jsonld;       /* JSON text for <script type="application/ld+json">, or NULL */
  const char *main;         /* the HTML inside <main> */
  int noindex;              /* search results, thanks and error pages */
  int lang;                 /* enum bot_lang of the page's text: English sets <html lang="en"> */
  const char *query;        /* appended to the canonical path ("?lang=en"), or NULL */
  int alt_en;               /* an English version exists: hreflang alternates ja / en / x-default */
} pages_doc;

/* The whole page: the template with {{title}}, {{head}} and {{main}}
 * filled from doc, appended to out. */
void pages_layout(const pages_site *site, const pages_doc *doc, mg_buf *out);
/* The site's prefix for links: the path of public_base_url ("" at the
 * root, "/madoguchi" under a path), so "/faq/" is written prefix + "/faq/". */
const char *pages_prefix(const pages_site *site);

#endif
