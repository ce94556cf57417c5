/*
 * cmd_backup.c — `madoguchi backup FILE`, `madoguchi restore FILE`,
 * `madoguchi check`: an operator's copy of the database, and proof that a
 * database (the live one or a copy) is whole.
 *
 * backup runs while `madoguchi serve` serves (faq/backup.c says how the copy
 * stays consistent); restore wants the service stopped (systemctl stop
 * madoguchi), and says so when the file stays locked. check prints one line
 * per finding, `what: result`, in a fixed order, so two databases compare
 * with diff; it exits 1 when a check fails. A backup holds residents'
 * personal data like the database itself: keep it as carefully.
 */
#include "cli/cmd.h"
#include "bot/stats.h"
#include "faq/analyze.h"
#include "bot/tables.h"
#include "faq/db.h"
#include "util/mg_err.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The one positional argument of backup/restore, or NULL after a message. */
/* The modules whose tables this program keeps, with the steps it has. */
static void known_schemas(faq_db_schema known[2]) {
  known[0] = (faq_db_schema){ "faq", faq_db_schema_max() };
  known[1] = (faq_db_schema){ "bot", bot_db_schema_max() };
}

/* " (schema faq V, bot V)" for the database file path, into buf: what a
 * backup holds or a restore brought back. */
static const char *versions(const char *path, char *buf, size_t size) {
  sqlite3 *db = NULL;
  buf[0] = '\0';
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
    snprintf(buf, size, " (schema faq %d, bot %d)", faq_db_version(db), bot_db_version(db));
  sqlite3_close(db);
  return buf;
}

static const char *only_file(int argc, char **argv) {
  if (argc != 2 || strncmp(argv[1], "--", 2) == 0) {
    fprintf(stderr, "madoguchi %s: give one file name (madoguchi %s --help)\n", argv[0], argv[0]);
    return NULL;
  }
  return argv[1];
}

int cmd_backup(int argc, char **argv, mg_config *cfg) {
  char err[MG_ERRLEN], v[64];
  const char *to = only_file(argc, argv);
  if (!to) return 2;
  if (faq_db_backup(cfg->db_path, to, err)) {
    fprintf(stderr, "madoguchi backup: %s\n", err);
    return 1;
  }
  printf("%s: backup of %s written%s\n", to, cfg->db_path, versions(to, v, sizeof v));
  return 0;
}

int cmd_restore(int argc, char **argv, mg_config *cfg) {
  char err[MG_ERRLEN], v[64];
  faq_db_schema known[2];
  const char *from = only_file(argc, argv);
  if (!from) return 2;
  known_schemas(known);
  if (faq_db_restore(from, cfg->db_path, known, 2, err)) {
    fprintf(stderr, "madoguchi restore: %s\n", err);
    return 1;
  }
  printf("%s: restored from %s%s\n", cfg->db_path, from, versions(cfg->db_path, v, sizeof v));
  return 0;
}

static void print_line(void *ctx, const char *what, const char *result) {
  (void)ctx;
  printf("%s: %s\n", what, result);
}

int cmd_check(int argc, char **argv, mg_config *cfg) {
  char err[MG_ERRLEN];
  faq_db_schema known[2];
  mg_lang *lang = NULL;
  sqlite3 *db = NULL;
  int problems = -1;

  if (argc != 1) {
    fprintf(stderr, "madoguchi check: unexpected argument '%s'\n", argv[1]);
    return 2;
  }
  /* never create the database it is asked to check */
  if (access(cfg->db_path, F_OK) != 0) {
    fprintf(stderr, "madoguchi check: %s: no such database\n", cfg->db_path);
    return 1;
  }
  if (faq_lang_new(&lang, cfg, err) || bot_db_open(&db, cfg, lang, err)) {
    fprintf(stderr, "madoguchi check: %s\n", err);
    goto out;
  }
  known_schemas(known);
  problems = faq_db_check(db, known, 2, print_line, NULL);
  bot_db_counts(db, print_line, NULL);
  if (problems) fprintf(stderr, "madoguchi check: %d problem(s)\n", problems);
out:
  faq_db_close(db);
  faq_lang_free(lang);
  return problems == 0 ? 0 : 1;
}
