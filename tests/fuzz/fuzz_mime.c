/*
 * fuzz_mime.c — libFuzzer target for the MIME path a stranger's e-mail
 * reaches (`madoguchi inquiries import`, bot/mime.h): GMime's parser with
 * the Japanese fallback charsets, RFC 2047 headers, the references, the
 * choice of text part, and the HTML-to-text reading with libxml2.
 * ./configure CC=clang-14 --enable-fuzzing, then (scripts/fuzz.sh mime):
 *   tests/fuzz/fuzz_mime -max_total_time=60 -max_len=8192 corpus/mime
 *
 * A parsed body then goes through the inquiry's cleaning (greetings,
 * signatures, sentences: bot_inquiry_clean with dict/inquiry.json).
 *
 * Oracles besides the sanitizers: a parsed mail has a body, and every
 * string it hands on (body, subject, names, ids, the cleaned text) is valid
 * UTF-8 — the inquiry code and SQLite rely on that — and at most
 * BOT_MIME_MAX_REFS ids.
 */
#include "bot/inquiry.h"
#include "bot/mime.h"
#include "util/mg_err.h"
#include "util/mg_utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void utf8(const char *s) {
  if (s && mg_utf8_count(s, strlen(s)) < 0) abort();
}

static mg_config cfg;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  const char *v;
  (void)argc, (void)argv;
  mg_config_defaults(&cfg);
  if ((v = getenv("MG_DICT_DIR")) && *v) snprintf(cfg.dict_dir, sizeof cfg.dict_dir, "%s", v);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[MG_ERRLEN], *clean;
  bot_mail m;
  if (bot_mime_parse((const char *)data, size, &m, err) == 0) {
    if (!m.body || m.n_refs < 0 || m.n_refs > BOT_MIME_MAX_REFS) abort();
    utf8(m.body), utf8(m.subject), utf8(m.from_name), utf8(m.from_addr), utf8(m.message_id);
    for (int i = 0; i < m.n_refs; i++) utf8(m.refs[i]);
    if (!(clean = bot_inquiry_clean(&cfg, m.body))) abort();
    utf8(clean);
    free(clean);
    bot_mail_clear(&m);
  }
  /* the HTML reader on its own, for bodies GMime would not reach */
  if (size && (data[0] & 1)) free(bot_html_text((const char *)data + 1, size - 1));
  return 0;
}
