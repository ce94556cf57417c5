/*
 * fuzz_rules.c — libFuzzer target for the rules file loader (bot/rules.h),
 * which reads JSON and compiles PCRE2 patterns a city writes by hand.
 * ./configure CC=clang --enable-fuzzing; run
 * `tests/fuzz/fuzz_rules -max_total_time=60 dict` (dict/rules.json seeds it).
 *
 * Each input is written to one temporary file and loaded; a set that loads
 * is matched against a few fixed questions and freed. A failed load must
 * leave *out NULL and a non-empty message. The sanitizers are the oracle.
 */
#include "util/mg_err.h"
#include "bot/rules.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[] = "/tmp/mg_fuzz_rules.XXXXXX";
static int fd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const questions[] = { "家が火事です", "こんにちは", "住民票", "", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" };
  char err[MG_ERRLEN] = "";
  rules_set *s = (rules_set *)1;
  FILE *f;

  if (fd < 0 && (fd = mkstemp(path)) < 0)
    abort();
  if (!(f = fopen(path, "wb")))
    abort();
  fwrite(data, 1, size, f);
  fclose(f);
  if (bot_rules_load(&s, path, err) != 0) {
    if (s != NULL || !err[0])
      abort();
    return 0;
  }
  for (size_t i = 0; i < sizeof questions / sizeof questions[0]; i++) {
    rules_hit hit;
    int rc = bot_rules_match(s, questions[i], strlen(questions[i]), &hit);
    if (rc == 1 && (!hit.name || !hit.kind || (!hit.reply && !hit.faq_id)))
      abort();
  }
  bot_rules_free(s);
  return 0;
}
