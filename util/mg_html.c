/*
 * mg_html.c — buffer, escaper, URL check and templates (mg_html.h).
 */
#include "util/mg_html.h"
#include "util/mg_err.h"
#include "util/mg_utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TPL_MAX_BYTES (1024 * 1024)

/* ---- buffer --------------------------------------------------------------- */

static int grow(mg_buf *b, size_t need) {
  size_t cap;
  char *p;
  if (b->oom) return -1;
  if (b->len + need + 1 <= b->cap) return 0;
  cap = b->cap ? b->cap : 256;
  while (cap < b->len + need + 1) cap *= 2;
  if (!(p = realloc(b->p, cap))) {
    b->oom = 1;
    return -1;
  }
  b->p = p;
  b->cap = cap;
  return 0;
}

void mg_buf_put(mg_buf *b, const char *s, size_t n) {
  if (grow(b, n) != 0) return;
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

void mg_buf_puts(mg_buf *b, const char *s) {
  if (s) mg_buf_put(b, s, strlen(s));
}

void mg_buf_printf(mg_buf *b, const char *fmt, ...) {
  va_list ap;
  int n;
  char small[256];
  va_start(ap, fmt);
  n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof small) {
    mg_buf_put(b, small, (size_t)n);
    return;
  }
  if (grow(b, (size_t)n) != 0) return;
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void mg_buf_free(mg_buf *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}

char *mg_buf_take(mg_buf *b, size_t *len) {
  char *p;
  if (b->oom) {
    mg_buf_free(b);
    return NULL;
  }
  p = b->p ? b->p : strdup("");
  if (len) *len = b->len;
  memset(b, 0, sizeof *b);
  return p;
}

/* ---- escaping ------------------------------------------------------------- */

void mg_html_esc_n(mg_buf *b, const char *s, size_t n) {
  size_t from = 0;
  for (size_t i = 0; i < n; i++) {
    const char *rep;
    switch (s[i]) {
    case '&': rep = "&amp;"; break;
    case '<': rep = "&lt;"; break;
    case '>': rep = "&gt;"; break;
    case '"': rep = "&quot;"; break;
    case '\'': rep = "&#39;"; break;
    case '\0': rep = ""; break;   /* never a NUL in a page */
    default: continue;
    }
    mg_buf_put(b, s + from, i - from);
    mg_buf_puts(b, rep);
    from = i + 1;
  }
  mg_buf_put(b, s + from, n - from);
}

void mg_html_esc(mg_buf *b, const char *s) {
  if (s) mg_html_esc_n(b, s, strlen(s));
}

void mg_html_paras(mg_buf *b, const char *text) {
  const char *p = text ? text : "";
  int open = 0;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    if (n && p[n - 1] == '\r') n--;
    if (n == 0) {                       /* a blank line ends the paragraph */
      if (open) mg_buf_puts(b, "</p>\n");
      open = 0;
    } else {
      mg_buf_puts(b, open ? "<br>\n" : "<p>");
      mg_html_esc_n(b, p, n);
      open = 1;
    }
    if (!nl) break;
    p = nl + 1;
  }
  if (open) mg_buf_puts(b, "</p>\n");
}

int mg_html_url_ok(const char *url) {
  const char *rest;
  if (!url) return 0;
  for (const unsigned char *c = (const unsigned char *)url; *c; c++)
    if (*c <= 0x20 || *c == 0x7f || *c == '"' || *c == '\'' || *c == '<' || *c == '>' || *c == '\\' || *c == '`')
      return 0;
  if (mg_utf8_count(url, strlen(url)) < 0) return 0;
  if (strncasecmp(url, "tel:", 4) == 0) {
    rest = url + 4;
    if (!*rest) return 0;
    for (; *rest; rest++)
      if (!((*rest >= '0' && *rest <= '9') || *rest == '+' || *rest == '-' || *rest == '(' || *rest == ')')) return 0;
    return 1;
  }
  if (strncasecmp(url, "https://", 8) == 0) rest = url + 8;
  else if (strncasecmp(url, "http://", 7) == 0) rest = url + 7;
  else return 0;
  /* a host must follow: not empty, not another slash, no user:password@ */
  if (!*rest || *rest == '/' || *rest == '?' || *rest == '#') return 0;
  {
    size_t hostlen = strcspn(rest, "/?#");
    if (memchr(rest, '@', hostlen)) return 0;
  }
  return 1;
}

int mg_html_tel(const char *phone, char *out, size_t size) {
  size_t n = 0;
  int digits = 0;
  if (size < 8) return -1;
  memcpy(out, "tel:", 4);
  n = 4;
  for (const char *c = phone ? phone : ""; *c && n + 1 < size; c++) {
    if (*c >= '0' && *c <= '9') out[n++] = *c, digits++;
    else if (*c == '+' && digits == 0 && n == 4) out[n++] = '+';
    else if (*c == '(' || *c == ')' || *c == '-' || *c == ' ') continue;
    else if (digits) break;   /* "0897-00-0101 (代表)": the number ends here */
  }
  out[n] = '\0';
  return digits >= 3 ? 0 : -1;
}

void mg_html_url_enc(mg_buf *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++) {
    if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' ||
        *c == '.' || *c == '_' || *c == '~') {
      mg_buf_put(b, (const char *)c, 1);
    } else {
      char e[3] = { '%', hex[*c >> 4], hex[*c & 15] };
      mg_buf_put(b, e, 3);
    }
  }
}

void mg_html_json_script(mg_buf *b, const char *json) {
  size_t from = 0, n = json ? strlen(json) : 0;
  for (size_t i = 0; i < n; i++) {
    const char *rep = json[i] == '<' ? "\\u003c" : json[i] == '>' ? "\\u003e" : json[i] == '&' ? "\\u0026" : NULL;
    if (!rep) continue;
    mg_buf_put(b, json + from, i - from);
    mg_buf_puts(b, rep);
    from = i + 1;
  }
  mg_buf_put(b, json + from, n - from);
}

/* ---- templates ------------------------------------------------------------ */

struct tpl_part {
  size_t off, len;   /* literal text in t->text */
  int slot;          /* then this placeholder (-1: none) */
};

struct mg_tpl {
  char *text;
  struct tpl_part *parts;
  int n_parts;
};

void mg_tpl_free(mg_tpl *t) {
  if (!t) return;
  free(t->text);
  free(t->parts);
  free(t);
}

static int line_of(const char *text, const char *at) {
  int line = 1;
  for (const char *c = text; c < at; c++)
    if (*c == '\n') line++;
  return line;
}

int mg_tpl_parse(mg_tpl **out, const char *text, const char *what, const char *const *names, int n_names,
                 char *err) {
  mg_tpl *t = calloc(1, sizeof *t);
  int *seen = calloc((size_t)(n_names > 0 ? n_names : 1), sizeof *seen), rc = 0, cap = 0;
  const char *p, *open;

  *out = NULL;
  if (!t || !seen || !(t->text = strdup(text))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  if (mg_utf8_count(text, strlen(text)) < 0) { rc = mg_errf(err, MG_ECONFIG, "%s: not UTF-8", what); goto out; }
  p = t->text;
  for (;;) {
    const char *close;
    int slot = -1;
    open = strstr(p, "{{");
    if (t->n_parts == cap) {
      struct tpl_part *np = realloc(t->parts, sizeof *np * (size_t)(cap = cap ? cap * 2 : 8));
      if (!np) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
      t->parts = np;
    }
    if (!open) {
      t->parts[t->n_parts++] = (struct tpl_part){ .off = (size_t)(p - t->text), .len = strlen(p), .slot = -1 };
      break;
    }
    close = strstr(open + 2, "}}");
    if (close) {
      size_t n = (size_t)(close - open - 2);
      for (int i = 0; i < n_names; i++)
        if (strlen(names[i]) == n && memcmp(open + 2, names[i], n) == 0) slot = i;
    }
    if (slot < 0) {
      rc = mg_errf(err, MG_ECONFIG, "%s:%d: unknown placeholder %.40s", what,
                   line_of(t->text, open), open);
      goto out;
    }
    if (seen[slot]++) {
      rc = mg_errf(err, MG_ECONFIG, "%s:%d: {{%s}} appears twice", what, line_of(t->text, open), names[slot]);
      goto out;
    }
    t->parts[t->n_parts++] = (struct tpl_part){ .off = (size_t)(p - t->text), .len = (size_t)(open - p), .slot = slot };
    p = close + 2;
  }
  for (int i = 0; i < n_names; i++)
    if (!seen[i]) { rc = mg_errf(err, MG_ECONFIG, "%s: {{%s}} is missing", what, names[i]); goto out; }
  *out = t;
  t = NULL;
out:
  free(seen);
  mg_tpl_free(t);
  return rc;
}

int mg_tpl_load(mg_tpl **out, const char *path, const char *const *names, int n_names, char *err) {
  FILE *f = fopen(path, "rb");
  char *text = NULL;
  size_t n;
  int rc;
  *out = NULL;
  if (!f) return mg_errf(err, MG_ECONFIG, "%s: cannot open", path);
  if (!(text = malloc(TPL_MAX_BYTES + 1))) { fclose(f); return mg_errf(err, MG_ENOMEM, "out of memory"); }
  n = fread(text, 1, TPL_MAX_BYTES + 1, f);
  fclose(f);
  if (n > TPL_MAX_BYTES) rc = mg_errf(err, MG_ECONFIG, "%s: larger than 1 MiB", path);
  else if (memchr(text, '\0', n)) rc = mg_errf(err, MG_ECONFIG, "%s: not a text file", path);
  else {
    text[n] = '\0';
    rc = mg_tpl_parse(out, text, path, names, n_names, err);
  }
  free(text);
  return rc;
}

void mg_tpl_fill(const mg_tpl *t, mg_buf *out, const char *const *values) {
  for (int i = 0; i < t->n_parts; i++) {
    mg_buf_put(out, t->text + t->parts[i].off, t->parts[i].len);
    if (t->parts[i].slot >= 0) mg_buf_puts(out, values[t->parts[i].slot]);
  }
}
