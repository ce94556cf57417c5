/*
 * fuzz_text.c — libFuzzer target for what a resident's text reaches before
 * the engine: masking (bot/mask.h) and the intent rules (bot/rules.h).
 * ./configure CC=clang --enable-fuzzing; run
 * `MG_DICT_DIR=dict tests/fuzz/fuzz_text -max_total_time=60`.
 *
 * Oracles besides the sanitizers: a masked text is valid UTF-8 and masking
 * it again changes nothing; rules_match on raw bytes returns 0, 1 or
 * MG_EBADUTF8, never anything else.
 */
#include "bot/mask.h"
#include "util/mg_utf8.h"
#include "util/mg_err.h"
#include "bot/rules.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rules_set *rules;

static int valid_utf8(const unsigned char *s) { return mg_utf8_count(s, strlen((const char *)s)) >= 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *once, *twice;
  rules_hit hit;
  int rc;

  if (!rules) {
    char path[1024], err[MG_ERRLEN];
    const char *dict = getenv("MG_DICT_DIR");
    snprintf(path, sizeof path, "%s/rules.json", dict && *dict ? dict : "dict");
    if (bot_rules_load(&rules, path, err)) {
      fprintf(stderr, "fuzz_text: %s\n", err);
      abort();
    }
  }
  if (!(once = bot_mask_text((const char *)data, size)))
    abort();
  if (!valid_utf8((const unsigned char *)once))
    abort();
  if (!(twice = bot_mask_text(once, strlen(once))) || strcmp(once, twice))
    abort();
  rc = bot_rules_match(rules, (const char *)data, size, &hit);
  if (rc != 0 && rc != 1 && rc != MG_EBADUTF8)
    abort();
  if (rc == 1 && (!hit.name || !hit.kind))
    abort();
  free(once);
  free(twice);
  return 0;
}
