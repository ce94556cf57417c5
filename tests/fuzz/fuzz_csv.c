/*
 * fuzz_csv.c — libFuzzer target for CSV import, the parser a stranger's
 * file reaches. ./configure CC=clang --enable-fuzzing, then seed a scratch
 * corpus (libFuzzer writes new inputs into it, so not the source tree):
 *   mkdir -p corpus && cp $(srcdir)/tests/data/csv/*.csv corpus/
 *   tests/fuzz/fuzz_csv -max_total_time=60 -max_len=4096 corpus
 *
 * Each input is written to one temporary file and imported into one
 * in-memory database through the public entry point, so the encoding
 * detection, the record splitter, the row checks and the all-or-nothing
 * write all run; the first byte picks the options (forced encoding, a
 * column map) so those paths are fuzzed too. The sanitizers are the oracle.
 */
#include "faq/analyze.h"
#include "faq/db.h"
#include "faq/io.h"
#include "util/mg_config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static sqlite3 *db;
static mg_lang *lang;
static char path[] = "/tmp/mg_fuzz_csv.XXXXXX";
static int fd = -1;

static int setup(void) {
  mg_config cfg;
  char err[MG_ERRLEN];
  const char *v;
  mg_config_defaults(&cfg);
  if ((v = getenv("MG_DICT_DIR")) && *v) snprintf(cfg.dict_dir, sizeof cfg.dict_dir, "%s", v);
  if ((v = getenv("MG_MECAB_DICDIR")) && *v) snprintf(cfg.mecab_dicdir, sizeof cfg.mecab_dicdir, "%s", v);
  if (faq_lang_new(&lang, &cfg, err) || faq_db_open_memory(&db, lang, err) || (fd = mkstemp(path)) < 0) {
    fprintf(stderr, "fuzz_csv: setup failed: %s\n", err);
    abort();
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int ready;
  mg_io_opts o = { .format = "csv" };
  mg_io_report rep;
  char err[MG_ERRLEN];
  if (!ready) ready = !setup();
  if (size > 0) {
    o.encoding = data[0] % 3 == 0 ? "cp932" : data[0] % 3 == 1 ? "utf-8" : NULL;
    o.map = data[0] & 4 ? "No.=ID,Q=質問,A=回答" : NULL;
    o.draft = data[0] & 8;
  }
  if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) abort();
  faq_io_import(db, path, &o, &rep, err);
  if (rep.n_errors > MG_IO_MAX_ERRORS) abort();
  return 0;
}
