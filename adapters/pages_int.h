/*
 * pages_int.h — the pieces of the page renderer (pages.c) that the other
 * page kinds (pages_checklist.c) build with. Not a public interface: only
 * adapters/pages*.c include it.
 */
#ifndef MG_PAGES_INT_H
#define MG_PAGES_INT_H

#include "adapters/pages.h"
#include "bot/public.h"

/* public_base_url without its trailing '/', as canonical URLs start. */
const char *pages_base(const pages_site *site);
/* The pages' word id (enum page_word, dict/pages.json), plain text. */
const char *pages_word(const pages_site *site, int id);
/* open (markup, as is), the word escaped, close (markup, as is). */
void pages_put_word(mg_buf *b, const pages_site *site, const char *open, int id, const char *close);
/* The same with the word's {name} filled by value first (the whole escaped). */
void pages_put_fill(mg_buf *b, const pages_site *site, const char *open, int id, const char *name, const char *value,
                    const char *close);
/* open, text escaped, close. */
void pages_put_word_text(mg_buf *b, const char *open, const char *text, const char *close);
/* <dt>word label</dt><dd>value escaped</dd>, when value is set. */
void pages_dept_row(mg_buf *b, const pages_site *site, int label, const char *value);
/* href of an entry's page (prefix + /faq/entry/ + id, percent-encoded). */
void pages_href_entry(mg_buf *b, const pages_site *site, const char *id);
/* <nav> breadcrumbs: よくある質問 › mid (a link, when given) › here. */
void pages_crumbs(mg_buf *b, const pages_site *site, const char *mid_href, const char *mid, const char *here);
/* The department card (tel: link, hours, place); heading: 担当窓口 as h2. */
void pages_dept_card(mg_buf *b, const pages_site *site, const mg_department *d, int heading, int link_name);
/* Pour main into the layout as a page of status into out (main is freed). */
int pages_finish(const pages_site *site, const pages_doc *doc, mg_buf *main, int status, int cacheable,
                 pages_resp *out, char *err);
/* The 404 page into out. */
int pages_not_found(const pages_site *site, pages_resp *out);

/* /faq/checklists/ and /faq/checklists/SLUG (pages_checklist.c). */
int pages_checklists(const pages_site *site, bot_worker *w, const char *path, pages_resp *out, char *err);
/* Their <url> lines for sitemap.xml, appended to b. */
void pages_checklists_sitemap(const pages_site *site, bot_worker *w, mg_buf *b);

#endif
