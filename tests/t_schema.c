/* Each module's schema steps and schema_version(module, version): a new
 * database has exactly the schema the old global steps made (the 20 steps
 * of 3eb776b, tests/data/schema/legacy-steps.sql), a database of any old
 * version (PRAGMA user_version) is adopted once with each module's version
 * and upgraded to that same schema with its rows, the runner applies each
 * step once and refuses what it does not know, and check/restore compare
 * each module's version. Uses the real MeCab analysis (faq_fts's tokenizer). */
#include "bot/tables.h"
#include "faq/analyze.h"
#include "faq/db.h"
#include "util/mg_config.h"
#include "util/mg_err.h"
#include "tests/tap.h"
#include "tests/testenv.h"

#include <stdlib.h>
#include <unistd.h>

#define LEGACY 20
static char *legacy[LEGACY + 1]; /* legacy[k]: the old step k's text */
static mg_lang *lang;
static char dir[64];

/* Read tests/data/schema/legacy-steps.sql into legacy[1..20]; 0 or -1. */
static int load_legacy(void) {
  const char *top = getenv("top_srcdir");
  char path[512], *text = NULL, *p;
  long size;
  FILE *f;
  int k = 0;
  snprintf(path, sizeof path, "%s/tests/data/schema/legacy-steps.sql", top && *top ? top : ".");
  if (!(f = fopen(path, "rb"))) return -1;
  fseek(f, 0, SEEK_END);
  size = ftell(f);
  rewind(f);
  if (size <= 0 || !(text = calloc(1, (size_t)size + 1)) || fread(text, 1, (size_t)size, f) != (size_t)size) {
    fclose(f);
    free(text);
    return -1;
  }
  fclose(f);
  /* each line "-- legacy step N" ends the step before and starts step N */
  for (p = text; (p = strstr(p, "\n-- legacy step ")) != NULL;) {
    k = atoi(p + 16);
    if (k < 1 || k > LEGACY) break;
    *++p = '\0';
    p = strchr(p + 1, '\n');
    if (!p) break;
    legacy[k] = ++p;
  }
  return k == LEGACY ? 0 : -1;
}

/* A database at old version n, as the program before schema_version left
 * it: the old steps 1..n, each in a transaction with user_version = k. */
static sqlite3 *legacy_db(const char *path, int n) {
  sqlite3 *db = NULL;
  char err[MG_ERRLEN], q[64];
  if (sqlite3_open(path, &db) != SQLITE_OK || faq_fts5_register(db, lang, err)) goto fail;
  sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
  for (int k = 1; k <= n; k++) {
    snprintf(q, sizeof q, "PRAGMA user_version = %d; COMMIT", k);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(db, legacy[k], NULL, NULL, NULL) != SQLITE_OK || sqlite3_exec(db, q, NULL, NULL, NULL) != SQLITE_OK) {
      diag("old step %d: %s", k, sqlite3_errmsg(db));
      goto fail;
    }
  }
  return db;
fail:
  sqlite3_close(db);
  return NULL;
}

/* The schema as text: type|name|tbl_name|sql of every object but
 * schema_version's, sorted (new string). */
static char *schema_text(sqlite3 *db) {
  sqlite3_stmt *st = NULL;
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  if (!f) return NULL;
  if (sqlite3_prepare_v2(db,
                         "SELECT type || '|' || name || '|' || tbl_name || '|' || coalesce(sql, '') FROM sqlite_master"
                         " WHERE tbl_name <> 'schema_version' ORDER BY 1",
                         -1, &st, NULL) == SQLITE_OK)
    while (sqlite3_step(st) == SQLITE_ROW) fprintf(f, "%s\n", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  fclose(f);
  return out;
}

/* ok when a and b are the same schema; the first line that differs when not. */
static void same_schema(const char *a, const char *b, const char *what) {
  if (ok(a && b && strcmp(a, b) == 0, "%s", what) || !a || !b) return;
  for (size_t i = 0; a[i] && a[i] == b[i]; i++)
    if (a[i] == '\n') a += i + 1, b += i + 1, i = (size_t)-1;
  diag("first difference: \"%.120s\" vs \"%.120s\"", a, b);
}

/* A fresh database: faq's steps, then bot's (as bot_db_open_memory). */
static char *fresh_schema(void) {
  sqlite3 *db = NULL;
  char err[MG_ERRLEN] = "", *s = NULL;
  if (bot_db_open_memory(&db, lang, err) == 0) s = schema_text(db);
  else diag("fresh database: %s", err);
  faq_db_close(db);
  return s;
}

static void new_database_has_the_old_schema(void) {
  sqlite3 *old = legacy_db(":memory:", LEGACY);
  char *a = old ? schema_text(old) : NULL, *b = fresh_schema();
  same_schema(a, b, "a new database's schema is the one the 20 old steps made (tables, columns, indexes, triggers, views)");
  ok(b && strstr(b, "table|outbox|outbox|") && strstr(b, "trigger|faq_en_bd|faq|"), "the comparison saw the schema");
  free(a);
  free(b);
  sqlite3_close(old);
}

static void new_database_counts_each_module(void) {
  sqlite3 *db = NULL;
  char err[MG_ERRLEN] = "";
  if (!ok(bot_db_open_memory(&db, lang, err) == 0, "in-memory database (%s)", err)) return;
  is_int(faq_db_version(db), faq_db_schema_max(), "faq's version is its number of steps");
  is_int(bot_db_version(db), bot_db_schema_max(), "bot's version is its number of steps");
  is_int(faq_db_schema_max(), 9, "faq has 9 steps");
  is_int(bot_db_schema_max(), 12, "bot has 12 steps");
  is_int(test_int(db, "SELECT count(*) FROM schema_version", NULL), 2, "schema_version has a row per module");
  is_int(test_int(db, "PRAGMA user_version", NULL), FAQ_DB_USER_VERSION, "user_version is the marker older programs refuse");
  faq_db_close(db);
}

/* Rows a database at old version n can hold, one of each kind. */
static int fill(sqlite3 *db, int n) {
  int rc = sqlite3_exec(db,
                        "INSERT INTO department(id, name) VALUES ('d1', '市民課');"
                        "INSERT INTO faq(id, ext_id, created_at) VALUES (1, 'x-1', '2026-01-01T00:00:00Z');"
                        "INSERT INTO faq_revision(id, faq_id, version, question, answer, department_id, updated_at,"
                        "  updated_by) VALUES (1, 1, 1, '住民票の写しはどこで取れますか', '市民課の窓口です', 'd1',"
                        "  '2026-01-01T00:00:00Z', 't');"
                        "UPDATE faq SET published_rev = 1 WHERE id = 1;",
                        NULL, NULL, NULL);
  if (rc == SQLITE_OK && n >= 2)
    rc = sqlite3_exec(db,
                      "INSERT INTO session(id, created_at, last_seen_at, expires_at) VALUES ('s1', 'a', 'b', 'c');"
                      "INSERT INTO message(session_id, role, text, kind, created_at) VALUES ('s1', 'resident', '住民票',"
                      "  'ask', 'a');"
                      "INSERT INTO ticket(id, ticket_no, session_id, question, department_id, routed_by, created_at)"
                      "  VALUES (1, 'T-1', 's1', '住民票', 'd1', 'engine', 'a');",
                      NULL, NULL, NULL);
  if (rc == SQLITE_OK && n >= 10 && n < 16) /* the outbox before old step 16 rebuilt it */
    rc = sqlite3_exec(db,
                      "INSERT INTO outbox(ticket_id, channel, recipient, kind, next_at, created_at)"
                      "  VALUES (1, 'email', 'a@example.jp', 'received', 'a', 'a');",
                      NULL, NULL, NULL);
  if (rc != SQLITE_OK) diag("rows at old version %d: %s", n, sqlite3_errmsg(db));
  return rc;
}

static void old_databases_upgrade_to_the_same_schema(void) {
  /* old version -> (faq, bot) versions it is adopted with (faq/schema.c `legacy`) */
  static const int cases[][3] = { { 1, 1, 0 },  { 4, 1, 3 },   { 7, 2, 5 },   { 12, 4, 8 }, { 16, 6, 10 },
                                  { 17, 6, 11 }, { 18, 7, 12 }, { 19, 8, 12 }, { 20, 9, 12 } };
  char *want = fresh_schema(), err[MG_ERRLEN];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int n = cases[i][0];
    sqlite3 *db = legacy_db(":memory:", n);
    char *got;
    err[0] = '\0';
    if (!ok(db && fill(db, n) == SQLITE_OK, "a database at old version %d, with rows", n)) { sqlite3_close(db); continue; }
    is_int(faq_db_version(db), cases[i][1], "old version %d: faq's version read from user_version", n);
    is_int(bot_db_version(db), cases[i][2], "old version %d: bot's version read from user_version", n);
    /* adoption alone: a module with no steps runs it */
    is_int(faq_db_migrate_module(db, "none", NULL, 0, err), 0, "old version %d adopted (%s)", n, err);
    is_int(test_int(db, "SELECT version FROM schema_version WHERE module = 'faq'", NULL), cases[i][1],
           "old version %d: schema_version faq", n);
    is_int(test_int(db, "SELECT coalesce((SELECT version FROM schema_version WHERE module = 'bot'), 0)", NULL),
           cases[i][2], "old version %d: schema_version bot", n);
    is_int(test_int(db, "PRAGMA user_version", NULL), FAQ_DB_USER_VERSION, "old version %d: user_version marked", n);
    ok(faq_db_migrate(db, err) == 0 && bot_db_migrate(db, err) == 0, "old version %d upgraded (%s)", n, err);
    got = schema_text(db);
    same_schema(got, want, n == 1 ? "old version 1: the same schema as a new database" : "… and the same schema");
    is_int(test_int(db, "SELECT count(*) FROM faq JOIN faq_revision r ON r.id = published_rev WHERE r.department_id = 'd1'"
                        " AND r.question_en = '' AND r.life_events = ''", NULL),
           1, "old version %d: the entry is intact, new columns at their defaults", n);
    is_int(sqlite3_exec(db, "INSERT INTO faq_fts(faq_fts, rank) VALUES('integrity-check', 1);"
                            "INSERT INTO faq_en_fts(faq_en_fts, rank) VALUES('integrity-check', 1)", NULL, NULL, NULL),
           SQLITE_OK, "old version %d: both indexes agree with the entries", n);
    if (n >= 2)
      is_int(test_int(db, "SELECT count(*) FROM ticket t JOIN message m ON m.session_id = t.session_id"
                          " WHERE t.department_id = 'd1' AND m.online IS NULL AND m.safety IS NULL", NULL),
             1, "old version %d: the ticket and the transcript are intact", n);
    if (n >= 10 && n < 16)
      is_int(test_int(db, "SELECT count(*) FROM outbox WHERE recipient = 'a@example.jp' AND line_user IS NULL", NULL),
             1, "old version %d: the outbox row survives its rebuild", n);
    free(got);
    sqlite3_close(db);
  }
  free(want);
}

/* A file at an old version: copied as PATH.vN.bak before adoption. */
static void old_file_is_copied_before_adoption(void) {
  char path[128], bak[160], err[MG_ERRLEN] = "";
  sqlite3 *db, *copy = NULL;
  snprintf(path, sizeof path, "%s/v19.db", dir);
  if (!ok((db = legacy_db(path, 19)) != NULL, "a file at old version 19")) return;
  ok(faq_db_migrate(db, err) == 0 && bot_db_migrate(db, err) == 0, "upgraded (%s)", err);
  snprintf(bak, sizeof bak, "%s.v19.bak", path);
  if (ok(access(bak, F_OK) == 0 && sqlite3_open_v2(bak, &copy, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK,
         "the file as it was is kept as PATH.v19.bak"))
    is_int(test_int(copy, "PRAGMA user_version", NULL), 19, "with its old user_version");
  snprintf(bak, sizeof bak, "%s.faq-v8.bak", path);
  ok(access(bak, F_OK) == 0, "and before faq's pending step as PATH.faq-v8.bak");
  snprintf(bak, sizeof bak, "%s.bot-v12.bak", path);
  ok(access(bak, F_OK) != 0, "bot, already at its newest, makes no copy");
  sqlite3_close(copy);
  sqlite3_close(db);
}

static void runner_applies_each_step_once(void) {
  static const char *const steps[] = { "CREATE TABLE t_a(x);", "CREATE TABLE t_b(x);", "CREATE TABLE t_c(x);",
                                       "CREATE TABLE t_d(x); CREATE TABLE t_a(x);" };
  sqlite3 *db = NULL, *other = NULL;
  char path[128], err[MG_ERRLEN] = "";
  snprintf(path, sizeof path, "%s/runner.db", dir);
  if (sqlite3_open(path, &db) != SQLITE_OK || sqlite3_open(path, &other) != SQLITE_OK) { ok(0, "open"); goto out; }
  sqlite3_busy_timeout(other, MG_DB_BUSY_MS);
  is_int(faq_db_migrate_module(db, "t", steps, 2, err), 0, "two steps of a module applied (%s)", err);
  is_int(faq_db_module_version(db, "t"), 2, "its version is 2");
  is_int(faq_db_module_version(db, "u"), 0, "a module without a row is at 0");
  is_int(faq_db_migrate_module(other, "t", steps, 2, err), 0, "a second connection finds nothing to do (%s)", err);
  is_int(faq_db_migrate_module(other, "t", steps, 3, err), 0, "a third step appended is applied alone (%s)", err);
  is_int(faq_db_module_version(db, "t"), 3, "version 3, seen by the first connection");
  is_int(faq_db_migrate_module(db, "t", steps, 4, err), MG_EDB, "a failing step fails");
  ok(strstr(err, "schema t step 4") != NULL, "naming the module and the step (%s)", err);
  is_int(faq_db_module_version(db, "t"), 3, "the version stays at the last step applied");
  is_int(test_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 't_d'", NULL), 0,
         "and the failed step left nothing behind");
  is_int(faq_db_migrate_module(db, "t", steps, 2, err), MG_EDB, "a program that knows fewer steps is refused");
  ok(strstr(err, "schema version 3 of module t, newer than this program (2)") != NULL,
     "naming the module and both versions (%s)", err);
out:
  sqlite3_close(other);
  sqlite3_close(db);
}

static void unknown_user_version_is_refused(void) {
  sqlite3 *db = NULL;
  char err[MG_ERRLEN] = "";
  sqlite3_open(":memory:", &db);
  sqlite3_exec(db, "PRAGMA user_version = 21", NULL, NULL, NULL);
  is_int(faq_db_migrate(db, err), MG_EDB, "user_version 21 without schema_version is refused");
  ok(strstr(err, "schema version 21") != NULL, "with the reason (%s)", err);
  is_int(faq_db_version(db), -1, "its faq version is unknown");
  sqlite3_close(db);
}

static void line_cb(void *ctx, const char *what, const char *result) {
  FILE *f = ctx;
  fprintf(f, "%s: %s\n", what, result);
}

static void check_and_restore_compare_each_module(void) {
  sqlite3 *db = NULL, *old = legacy_db(":memory:", 16);
  char err[MG_ERRLEN] = "", *out = NULL;
  size_t len = 0;
  FILE *f;
  faq_db_schema known[] = { { "faq", faq_db_schema_max() }, { "bot", bot_db_schema_max() } };
  if (!ok(old != NULL && bot_db_open_memory(&db, lang, err) == 0, "databases (%s)", err)) goto out;
  is_int(faq_db_schema_known(db, known, 2, err), 0, "a new database's versions are known (%s)", err);
  is_int(faq_db_schema_known(old, known, 2, err), 0, "so are an old one's, from user_version (%s)", err);
  sqlite3_exec(db, "INSERT INTO schema_version VALUES ('future', 1)", NULL, NULL, NULL);
  is_int(faq_db_schema_known(db, known, 2, err), MG_EINVAL, "a module the program does not know is not");
  ok(strstr(err, "future") != NULL, "named (%s)", err);
  if ((f = open_memstream(&out, &len))) {
    is_int(faq_db_schema_lines(db, known, 2, line_cb, f), 1, "check counts it as a problem");
    fclose(f);
    is_str(out, "schema version faq: 9 of 9\nschema version bot: 12 of 12\n"
                "schema version future: 1, a module this program does not know\n",
           "check prints each module's version");
  }
  sqlite3_exec(db, "DELETE FROM schema_version WHERE module = 'future'; UPDATE schema_version SET version = 13"
                   " WHERE module = 'bot'", NULL, NULL, NULL);
  is_int(faq_db_schema_known(db, known, 2, err), MG_EINVAL, "nor is a newer version of a module");
  ok(strstr(err, "bot schema version 13, this program knows 0 to 12") != NULL, "with both versions (%s)", err);
out:
  free(out);
  faq_db_close(db);
  sqlite3_close(old);
}

int main(void) {
  mg_config cfg;
  char err[MG_ERRLEN] = "";
  if (!test_tmpdir(dir, sizeof dir, "t_schema")) return 1;
  test_config(&cfg, dir);
  if (!ok(load_legacy() == 0, "the old steps are read (tests/data/schema/legacy-steps.sql)")) return done_testing();
  if (!ok(faq_lang_new(&lang, &cfg, err) == 0, "language (%s)", err)) return done_testing();
  RUN(new_database_has_the_old_schema);
  RUN(new_database_counts_each_module);
  RUN(old_databases_upgrade_to_the_same_schema);
  RUN(old_file_is_copied_before_adoption);
  RUN(runner_applies_each_step_once);
  RUN(unknown_user_version_is_refused);
  RUN(check_and_restore_compare_each_module);
  faq_lang_free(lang);
  {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) diag("could not remove %s", dir);
  }
  return done_testing();
}
