/*
 * testenv.h — what the C tests share: a configuration that points at the
 * source tree's data (from the variables make check exports), and a query
 * for one integer. Header-only, like tap.h, so each test stays one file.
 */
#ifndef MG_TESTENV_H
#define MG_TESTENV_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/mg_config.h"

/* Defaults, then the dictionary, language data and sample FAQ of the tree
 * under test; the database is DIR/t.db. */
static inline void test_config(mg_config *cfg, const char *dir) {
  const char *v;
  mg_config_defaults(cfg);
  if ((v = getenv("MG_DICT_DIR")) && *v) {
    snprintf(cfg->dict_dir, sizeof cfg->dict_dir, "%s", v);
    snprintf(cfg->rules_path, sizeof cfg->rules_path, "%s/rules.json", v);
    snprintf(cfg->calendar_path, sizeof cfg->calendar_path, "%s/calendar.tsv", v);
  }
  if ((v = getenv("MG_MECAB_DICDIR")) && *v) snprintf(cfg->mecab_dicdir, sizeof cfg->mecab_dicdir, "%s", v);
  if ((v = getenv("MG_USERDIC")) && access(v, R_OK) == 0) snprintf(cfg->userdic, sizeof cfg->userdic, "%s", v);
  else cfg->userdic[0] = '\0';
  if ((v = getenv("MG_SAMPLE")) && *v) snprintf(cfg->sample_path, sizeof cfg->sample_path, "%s", v);
  snprintf(cfg->db_path, sizeof cfg->db_path, "%s/t.db", dir);
}

/* A fresh directory /tmp/NAME.XXXXXX for a test's files, in dir (cap
 * bytes); dir, or NULL when it can not be made. */
static inline const char *test_tmpdir(char *dir, size_t cap, const char *name) {
  snprintf(dir, cap, "/tmp/%s.XXXXXX", name);
  return mkdtemp(dir);
}

/* Remove the database test_config put in dir (t.db with its -wal and -shm
 * files), then dir itself if it is empty. */
static inline void test_rmdir(const char *dir) {
  const char *files[] = { "t.db", "t.db-wal", "t.db-shm" };
  char p[1100];
  for (int i = 0; i < 3; i++) {
    snprintf(p, sizeof p, "%s/%s", dir, files[i]);
    unlink(p);
  }
  rmdir(dir);
}

/* Rows of the audit log with this action (and target, unless NULL); -2
 * when the query does not prepare. */
static inline int test_audits(sqlite3 *db, const char *action, const char *target) {
  sqlite3_stmt *st = NULL;
  int v = -1;
  if (sqlite3_prepare_v2(db, "SELECT count(*) FROM audit_log WHERE action = ?1 AND (?2 IS NULL OR target = ?2)", -1, &st,
                         NULL) != SQLITE_OK)
    return -2;
  sqlite3_bind_text(st, 1, action, -1, SQLITE_STATIC);
  if (target) sqlite3_bind_text(st, 2, target, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* First column of the first row of q (one optional text parameter) as an
 * integer; -1 when there is no row, -2 when q does not prepare. */
static inline int test_int(sqlite3 *db, const char *q, const char *arg) {
  sqlite3_stmt *st = NULL;
  int v = -1;
  if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) return -2;
  if (arg) sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* Write text to the file named by tmpl, a mkstemp(3) template: the first
 * call creates the file (filling in the Xs), later calls overwrite it.
 * Returns tmpl, or NULL when the file can not be written. */
static inline const char *test_write_tmp(char *tmpl, const char *text) {
  size_t n = strlen(tmpl);
  FILE *f;
  if (n >= 6 && strcmp(tmpl + n - 6, "XXXXXX") == 0) {
    int fd = mkstemp(tmpl);
    if (fd < 0) return NULL;
    close(fd);
  }
  if (!(f = fopen(tmpl, "w"))) return NULL;
  fputs(text, f);
  fclose(f);
  return tmpl;
}

#endif
