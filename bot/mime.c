/*
 * mime.c — one e-mail, read as an inquiry (see mime.h).
 *
 * GMime is initialised once per process (pthread_once); each parse builds
 * its own parser and options, so parses may run on any thread. Japanese mail
 * without a declared charset is common (old mail programs, raw 8-bit
 * headers): the parser's fallback charsets try UTF-8, then ISO-2022-JP,
 * CP932 (Shift_JIS as Windows writes it) and EUC-JP.
 */
#include "bot/mime.h"

#include "util/mg_err.h"
#include "util/mg_utf8.h"

#include <gmime/gmime.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void) {
  g_mime_init();
  xmlInitParser();
}

/* A copy of s[0..len) with every byte that does not start a valid UTF-8
 * sequence left out: a mail with a few broken bytes is still read (libxml2
 * in recovery mode and a charset that does not convert cleanly pass such
 * bytes on). NULL when out of memory. */
static char *utf8_scrub(const char *s, size_t len) {
  char *out = malloc(len + 1), *o = out;
  size_t i = 0;
  if (!out) return NULL;
  while (i < len) {
    uint32_t cp;
    int k = mg_utf8_decode(s + i, len - i, &cp);
    if (k <= 0 || cp == 0) { i++; continue; }
    memcpy(o, s + i, (size_t)k);
    o += k;
    i += (size_t)k;
  }
  *o = '\0';
  return out;
}

/* ---- HTML to text ------------------------------------------------------------------ */

typedef struct textbuf { char *s; size_t len, cap; int oom; } textbuf;

static void put(textbuf *b, const char *s, size_t n) {
  if (b->oom || !n) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = (b->cap + n + 1) * 2;
    char *ns = realloc(b->s, cap);
    if (!ns) { b->oom = 1; return; }
    b->s = ns, b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

static int is_block(const char *name) {
  static const char *const blocks[] = { "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                                        "blockquote", "pre", "table", "ul", "ol", "hr", "dd", "dt", "section" };
  for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
    if (strcmp(name, blocks[i]) == 0) return 1;
  return 0;
}

static void walk(xmlNode *n, textbuf *b, int depth) {
  for (; n; n = n->next) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      /* collapse the source's line breaks and runs of spaces, as a browser does */
      const char *t = (const char *)n->content;
      int space = 0;
      for (; t && *t; t++) {
        if (*t == '\n' || *t == '\r' || *t == '\t' || *t == ' ') {
          space = 1;
          continue;
        }
        if (space && b->len && b->s[b->len - 1] != '\n') put(b, " ", 1);
        space = 0;
        put(b, t, 1);
      }
    } else if (n->type == XML_ELEMENT_NODE) {
      const char *name = (const char *)n->name;
      int block;
      if (!strcmp(name, "script") || !strcmp(name, "style") || !strcmp(name, "head") || !strcmp(name, "title"))
        continue;
      block = is_block(name);
      if (block && b->len && b->s[b->len - 1] != '\n') put(b, "\n", 1);
      if (depth < 200) walk(n->children, b, depth + 1);  /* bounded: a hostile nesting cannot exhaust the stack */
      if (block && b->len && b->s[b->len - 1] != '\n') put(b, "\n", 1);
    }
  }
}

char *bot_html_text(const char *html, size_t len) {
  htmlDocPtr doc;
  textbuf b = { 0 };
  pthread_once(&once, init);
  if (len > (size_t)INT32_MAX) return NULL;
  doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
                       HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
  if (!doc) return strdup("");
  walk(xmlDocGetRootElement(doc), &b, 0);
  xmlFreeDoc(doc);
  if (b.oom) { free(b.s); return NULL; }
  if (!b.s) return strdup("");
  {
    char *clean = utf8_scrub(b.s, b.len);
    free(b.s);
    return clean;
  }
}

/* ---- the message ---------------------------------------------------------------------- */

typedef struct find { GMimeTextPart *plain, *html; } find;

static void each_part(GMimeObject *parent, GMimeObject *part, gpointer data) {
  find *f = data;
  GMimeContentDisposition *disp;
  (void)parent;
  if (!GMIME_IS_TEXT_PART(part)) return;
  disp = g_mime_object_get_content_disposition(part);
  if (disp && g_mime_content_disposition_is_attachment(disp)) return;
  if (!f->plain && g_mime_content_type_is_type(g_mime_object_get_content_type(part), "text", "plain"))
    f->plain = GMIME_TEXT_PART(part);
  else if (!f->html && g_mime_content_type_is_type(g_mime_object_get_content_type(part), "text", "html"))
    f->html = GMIME_TEXT_PART(part);
}

/* A copy of s when it is valid UTF-8, else NULL. */
static char *utf8_dup(const char *s) {
  if (!s || mg_utf8_count(s, strlen(s)) < 0) return NULL;
  return strdup(s);
}

static void add_refs(bot_mail *m, GMimeMessage *msg, const char *header, GMimeParserOptions *opt) {
  const char *v = g_mime_object_get_header(GMIME_OBJECT(msg), header);
  GMimeReferences *refs;
  if (!v) return;
  refs = g_mime_references_parse(opt, v);
  if (!refs) return;
  /* References lists oldest first; the newest is the likeliest match */
  for (int i = g_mime_references_length(refs) - 1; i >= 0 && m->n_refs < BOT_MIME_MAX_REFS; i--) {
    char *id = utf8_dup(g_mime_references_get_message_id(refs, i));
    if (id) m->refs[m->n_refs++] = id;
  }
  g_mime_references_free(refs);
}

int bot_mime_parse(const char *data, size_t len, bot_mail *out, char *err) {
  static const char *fallback[] = { "UTF-8", "ISO-2022-JP", "CP932", "EUC-JP", NULL };
  GMimeStream *stream;
  GMimeParser *parser;
  GMimeParserOptions *opt;
  GMimeMessage *msg;
  InternetAddressList *from;
  find f = { 0 };
  char *text = NULL;
  int rc = 0;

  memset(out, 0, sizeof *out);
  pthread_once(&once, init);
  opt = g_mime_parser_options_new();
  g_mime_parser_options_set_fallback_charsets(opt, fallback);
  stream = g_mime_stream_mem_new_with_buffer(data, len);
  parser = g_mime_parser_new_with_stream(stream);
  g_object_unref(stream);
  msg = g_mime_parser_construct_message(parser, opt);
  g_object_unref(parser);
  if (!msg) {
    rc = mg_errf(err, MG_EINVAL, "mail: not a message");
    goto out;
  }
  out->message_id = utf8_dup(g_mime_message_get_message_id(msg));
  out->subject = utf8_dup(g_mime_message_get_subject(msg));
  if ((from = g_mime_message_get_from(msg)) && internet_address_list_length(from) > 0) {
    InternetAddress *a = internet_address_list_get_address(from, 0);
    out->from_name = utf8_dup(internet_address_get_name(a));
    if (INTERNET_ADDRESS_IS_MAILBOX(a)) out->from_addr = utf8_dup(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)));
  }
  {
    const char *as = g_mime_object_get_header(GMIME_OBJECT(msg), "Auto-Submitted");
    while (as && (*as == ' ' || *as == '\t')) as++;
    out->automatic = as && *as && g_ascii_strncasecmp(as, "no", 2) != 0;
  }
  add_refs(out, msg, "In-Reply-To", opt);
  add_refs(out, msg, "References", opt);

  g_mime_message_foreach(msg, each_part, &f);
  if (!f.plain && !f.html && g_mime_message_get_mime_part(msg))
    each_part(NULL, g_mime_message_get_mime_part(msg), &f);   /* a single-part message */
  if (f.plain && (text = g_mime_text_part_get_text(f.plain))) {
    out->body = utf8_scrub(text, strlen(text));
  } else if (f.html && (text = g_mime_text_part_get_text(f.html))) {
    out->body = bot_html_text(text, strlen(text));
    out->from_html = 1;
  }
  g_free(text);
  if (!out->body) {
    rc = mg_errf(err, MG_EINVAL, "mail: no readable text part");
    goto out;
  }
out:
  if (msg) g_object_unref(msg);
  g_mime_parser_options_free(opt);
  if (rc) bot_mail_clear(out);
  return rc;
}

void bot_mail_clear(bot_mail *m) {
  free(m->message_id);
  for (int i = 0; i < m->n_refs; i++) free(m->refs[i]);
  free(m->subject);
  free(m->from_name);
  free(m->from_addr);
  free(m->body);
  memset(m, 0, sizeof *m);
}
