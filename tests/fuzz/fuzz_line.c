/*
 * fuzz_line.c — libFuzzer target for the LINE webhook, the input anyone on
 * the Internet can post to line_webhook_path. ./configure CC=clang
 * --enable-fuzzing, then (scripts/fuzz.sh does this):
 *   tests/fuzz/fuzz_line -max_total_time=60 corpus   (seeded from tests/fuzz/corpus/line/)
 *
 * Each input goes through what the service thread does with a body before
 * any worker sees it — the signature check (the first 44 bytes taken as the
 * header's value, the rest as the body) and the webhook parse — and then
 * through what a worker makes of JSON: the parsed events' postback data
 * (line_postback), and the input's "events" read as dialogue replies
 * (line_messages), so every string shape reaches the message builder.
 * Oracles: the sanitizers, and LINE's own limits on what is built (at most
 * five messages, labels of at most 20 characters, tel: URIs of digits).
 */
#include "adapters/line.h"
#include "bot/messages.h"
#include "util/mg_err.h"
#include "util/mg_utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static msg_set *msgs;

static void setup(void) {
  char err[MG_ERRLEN] = "", path[1024];
  const char *dict = getenv("MG_DICT_DIR");
  snprintf(path, sizeof path, "%s/messages.json", dict ? dict : "dict");
  if (bot_msg_load(&msgs, path, err) != 0) {
    fprintf(stderr, "fuzz_line: %s\n", err);
    abort();
  }
}

static long cps(const char *s) { return mg_utf8_count(s, strlen(s)); }

/* LINE's limits on what line_messages built. */
static void check(const json_t *lm) {
  const json_t *m, *it, *a;
  size_t i, k;
  if (!lm) return;   /* out of memory */
  if (json_array_size(lm) > 5) abort();
  json_array_foreach(lm, i, m) {
    json_array_foreach(json_object_get(json_object_get(m, "quickReply"), "items"), k, it) {
      const char *label = json_string_value(json_object_get(json_object_get(it, "action"), "label"));
      if (!label || cps(label) < 0 || cps(label) > 20 || k >= 13) abort();
    }
    json_array_foreach(json_object_get(json_object_get(m, "template"), "actions"), k, a) {
      const char *uri = json_string_value(json_object_get(a, "uri"));
      if (!uri || strncmp(uri, "tel:", 4) != 0 || strspn(uri + 4, "0123456789-") != strlen(uri + 4) || k >= 4) abort();
    }
    if (json_object_get(m, "text") && cps(json_string_value(json_object_get(m, "text"))) > 5000) abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[MG_ERRLEN], sig[45];
  json_t *ev = NULL, *root, *e, *lm;
  size_t i;
  if (!msgs) setup();
  if (size >= 44) {
    memcpy(sig, data, 44);
    sig[44] = '\0';
    (void)line_signature_ok("a3f1c2d4e5b60718293a4b5c6d7e8f90", data + 44, size - 44, sig);
  }
  if (line_parse(data, size, &ev, err) == 0) {
    if (!json_is_array(ev)) abort();
    json_array_foreach(ev, i, e) {
      const char *d = json_string_value(json_object_get(e, "data"));
      if (!json_string_value(json_object_get(e, "user")) || !json_string_value(json_object_get(e, "type"))) abort();
      if (d) json_decref(line_postback(d, "f"));
    }
    json_decref(ev);
  } else if (ev) {
    abort();   /* a failure returns nothing */
  }
  root = json_loadb((const char *)data, size, 0, NULL);
  if (root) {
    lm = line_messages(json_is_array(json_object_get(root, "events")) ? json_object_get(root, "events") : root, msgs);
    check(lm);
    json_decref(lm);
    json_decref(root);
  }
  return 0;
}
