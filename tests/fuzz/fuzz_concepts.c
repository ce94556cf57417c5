/*
 * fuzz_concepts.c — libFuzzer target for the concept files a city edits
 * (dict/concepts.h) and their compilation into lemmas and readings
 * (bot/understand.h), which runs MeCab on every term.
 * ./configure CC=clang --enable-fuzzing; run
 * `tests/fuzz/fuzz_concepts -max_total_time=60 tests/fuzz/corpus/concepts`.
 *
 * Each input is written as the one file of a temporary concept directory
 * and loaded. A failed load must leave *out NULL and a message naming the
 * file; a set that loads is compiled, matched against a few fixed messages
 * (kanji, kana-only, a typo, mixed English), and freed.
 *
 * Oracles besides the sanitizers: load returns 0 or one of the codes the
 * header lists, with a message; every match names a concept of the set and
 * lies inside the message.
 */
#include "faq/analyze.h"
#include "dict/concepts.h"
#include "util/mg_config.h"
#include "util/mg_err.h"
#include "bot/understand.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/mg_fuzz_concepts.XXXXXX";
static char file[sizeof dir + 16];
static mg_lang *lang;
static mg_analyzer *an;
static bot_msg msgs[4];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  static const char *const texts[] = { "家の裏の山から煙が出ています", "いきしてない たすけて",
                                       "火時です", "my house is on fire 火事" };
  char err[MG_ERRLEN];
  mg_config cfg;
  const char *v;

  (void)argc;
  (void)argv;
  mg_config_defaults(&cfg);
  if ((v = getenv("MG_DICT_DIR")) && *v) snprintf(cfg.dict_dir, sizeof cfg.dict_dir, "%s", v);
  if ((v = getenv("MG_MECAB_DICDIR")) && *v) snprintf(cfg.mecab_dicdir, sizeof cfg.mecab_dicdir, "%s", v);
  cfg.userdic[0] = '\0';
  if (!mkdtemp(dir) || faq_lang_new(&lang, &cfg, err) || faq_analyzer_new(&an, lang, err)) {
    fprintf(stderr, "fuzz_concepts: %s\n", err);
    abort();
  }
  snprintf(file, sizeof file, "%s/fuzz.txt", dir);
  for (int i = 0; i < 4; i++)
    if (bot_msg_analyze(&msgs[i], an, texts[i], (int)strlen(texts[i])) != 0)
      abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[MG_ERRLEN] = "";
  dict_concepts *set = (dict_concepts *)1;
  bot_concepts *c = NULL;
  FILE *f;
  int rc;

  if (!(f = fopen(file, "wb")))
    abort();
  fwrite(data, 1, size, f);
  fclose(f);
  rc = dict_concepts_load(&set, dir, err);
  if (rc != 0) {
    if (set != NULL || !err[0] || (rc != MG_EIO && rc != MG_ECONFIG && rc != MG_ENOMEM))
      abort();
    return 0;
  }
  if (bot_concepts_compile(&c, set, an, err) == 0) {
    for (int i = 0; i < 4; i++) {
      bot_hits h;
      if (bot_hits_init(&h, c) != 0)
        abort();
      bot_concepts_match(c, &msgs[i], &h);
      for (int k = 0; k < h.nall; k++) {
        const bot_match *m = &h.all[k];
        if (m->concept < 0 || m->concept >= bot_concepts_count(c) || m->start < 0 || m->start > m->end ||
            m->end > msgs[i].len)
          abort();
      }
      json_decref(bot_hits_json(c, &h));
      bot_hits_clear(&h);
    }
    bot_concepts_free(c);
  } else if (!err[0]) {
    abort();
  }
  dict_concepts_free(set);
  return 0;
}
