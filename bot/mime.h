/*
 * mime.h — one e-mail, read as an inquiry (GMime 3, libxml2).
 *
 * The city's mailbox receives what residents' mail programs write:
 * ISO-2022-JP and Shift_JIS bodies, RFC 2047 encoded subjects and names,
 * base64 and quoted-printable, multipart/alternative, HTML-only mail.
 * bot_mime_parse turns a raw message into UTF-8 text and the ids that tie
 * it to a thread; everything else (attachments, images) is left out. GMime
 * does the MIME and the charsets (through iconv); an HTML body is read with
 * libxml2's HTML parser and only its text is kept (scripts, styles and the
 * head are not text), block elements ending lines.
 */
#ifndef MG_MIME_H
#define MG_MIME_H

#include <stddef.h>

#define BOT_MIME_MAX_REFS 32

typedef struct bot_mail {
  char *message_id;               /* without <>, or NULL */
  char *refs[BOT_MIME_MAX_REFS];  /* In-Reply-To, then References newest first, without <> */
  int n_refs;
  char *subject;                  /* UTF-8, or NULL */
  char *from_name;                /* UTF-8, or NULL */
  char *from_addr;                /* the sender's address, or NULL */
  char *body;                     /* UTF-8 text: the text/plain part, else the HTML part's text */
  int from_html;                  /* 1 when body came from HTML */
  int automatic;                  /* 1: Auto-Submitted other than "no" (RFC 3834: an autoresponder,
                                     a bounce's notice): not a resident writing */
} bot_mail;

/* Parse len bytes of a message (RFC 5322). On success *out is filled (free
 * it with bot_mail_clear); MG_EINVAL when it is not a message or has no
 * text part, MG_ENOMEM. Safe on any input (fuzzed: tests/fuzz/fuzz_mime.c). */
int bot_mime_parse(const char *data, size_t len, bot_mail *out, char *err);
void bot_mail_clear(bot_mail *m);

/* The text of an HTML document (UTF-8 or as its meta says), new string or
 * NULL. Exposed for tests. */
char *bot_html_text(const char *html, size_t len);

#endif
