/*
 * mg_html.h — building HTML safely: a growing buffer, the one escaper, the
 * one check for URLs that go into an href, and page templates.
 *
 * Everything that comes from the store (questions, answers, department
 * names, URLs) reaches a page through mg_html_esc, which escapes the five
 * characters that matter in text and in quoted attribute values alike, so
 * a caller never has to know which of the two it is writing. A URL from the
 * store reaches an href only when mg_html_url_ok says it is http, https or
 * tel: (no javascript:, data:, or a scheme-relative //host).
 *
 * A template is a file the city writes (its own header and footer) with
 * placeholders {{name}} for a fixed set of names. It is parsed once into
 * literal runs and slots; filling it is concatenation. Values are inserted
 * as given: the caller escapes what needs escaping, the template itself is
 * the operator's trusted HTML. An unknown or missing placeholder is an
 * error at load time, so a typo shows when the server starts.
 */
#ifndef MG_HTML_H
#define MG_HTML_H

#include <stdarg.h>
#include <stddef.h>

/* A growing byte buffer, always NUL-terminated once anything was put.
 * Zero-initialise. After an allocation failure `oom` is set and later puts
 * do nothing, so a renderer checks once at the end. */
typedef struct mg_buf {
  char *p;       /* the bytes (NULL until the first put) */
  size_t len;    /* without the NUL */
  size_t cap;
  int oom;       /* an allocation failed: the content is incomplete */
} mg_buf;

void mg_buf_put(mg_buf *b, const char *s, size_t n);
void mg_buf_puts(mg_buf *b, const char *s);
void mg_buf_printf(mg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mg_buf_free(mg_buf *b);
/* The bytes, handed to the caller (free them), and b emptied; NULL after
 * an allocation failure (b is freed then too). An empty buffer gives "". */
char *mg_buf_take(mg_buf *b, size_t *len);

/* s (NUL-terminated; NULL = "") with & < > " ' escaped: for element text
 * and quoted attribute values. */
void mg_html_esc(mg_buf *b, const char *s);
/* The same for n bytes. */
void mg_html_esc_n(mg_buf *b, const char *s, size_t n);
/* Text with its line breaks kept: paragraphs (<p>) at blank lines, <br>
 * at single ones; everything escaped. */
void mg_html_paras(mg_buf *b, const char *text);
/* 1 when url may go into an href: "http://" or "https://" followed by a
 * host, or "tel:" followed by digits and + - ( ) only; no spaces, control
 * characters, quotes, angle brackets or backslashes anywhere. */
int mg_html_url_ok(const char *url);
/* A tel: URL for a phone number as written ("0897-00-0101 (代表)"): its
 * digits and a leading +, into out (size bytes). 0, or -1 when the number
 * has fewer than 3 digits (no link then). */
int mg_html_tel(const char *phone, char *out, size_t size);
/* s percent-encoded for a path segment or a query value (UTF-8 bytes
 * outside A-Z a-z 0-9 - . _ ~ become %XX). */
void mg_html_url_enc(mg_buf *b, const char *s);
/* JSON text (compact) for inside <script type="application/ld+json">:
 * < > & become \u003c \u003e \u0026, so no "</script>" or "<!--" can
 * appear, whatever the strings hold. */
void mg_html_json_script(mg_buf *b, const char *json);

/* ---- templates ------------------------------------------------------------ */

typedef struct mg_tpl mg_tpl;

/* Parse text into a template whose placeholders are {{names[i]}}. Every
 * name must occur exactly once; anything else between {{ and }} is an
 * error naming its line. *out is new (mg_tpl_free). what names the source
 * in messages (a path). */
int mg_tpl_parse(mg_tpl **out, const char *text, const char *what, const char *const *names, int n_names,
                 char *err);
/* The same from a file (at most 1 MiB, UTF-8). */
int mg_tpl_load(mg_tpl **out, const char *path, const char *const *names, int n_names, char *err);
/* Append the template with values[i] (NULL = "") in place of names[i]. */
void mg_tpl_fill(const mg_tpl *t, mg_buf *out, const char *const *values);
void mg_tpl_free(mg_tpl *t);

#endif
