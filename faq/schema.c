/*
 * schema.c — faq's tables as an ordered list of steps, and the runner that
 * keeps every module's steps applied.
 *
 * Each module creates and migrates its own tables (docs/architecture.md
 * "Database"): faq's steps are here, bot's in bot/tables.c, and the table
 * schema_version(module, version) counts how many of each module's steps a
 * database has. faq_db_migrate_module applies one module's pending steps,
 * each in its own BEGIN IMMEDIATE transaction that re-reads the module's
 * version inside it, so two processes opening a new file at once cannot
 * both apply a step. A shipped step is never edited: a later feature
 * appends one to its module's array (the next index is the next version).
 *
 * Before schema_version, one global list of 20 steps was counted in PRAGMA
 * user_version. A database from then is adopted once, in one transaction:
 * schema_version is created with, for each module, how many of its steps
 * the old steps 1..user_version contained (`legacy` below says which old
 * step became which module's step), and user_version is set to
 * FAQ_DB_USER_VERSION (1000), which every program that counted in
 * user_version refuses as newer than itself; a new database gets the same
 * marker. The old steps' texts are the module steps named "(old N)" below
 * and in bot/tables.c, unchanged.
 *
 * The FTS5 index faq_fts is an external-content table over the view
 * faq_published, so it holds only the published revision of each entry.
 * Triggers on faq keep it in sync: a revision's text never changes (a
 * trigger rejects UPDATE on faq_revision), so moving published_rev is the
 * only event that changes what is indexed; the old text is deleted from the
 * index using the old revision row. These triggers re-tokenize that old text
 * with the current analysis, which is why db.c rebuilds the index whenever
 * the analysis fingerprint changes (see docs/architecture.md).
 */
#include "faq/db.h"
#include "util/mg_err.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const steps[] = {
  /* 1 (old 1) — the FAQ (docs/architecture.md "Database") */
  "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
  "CREATE TABLE department(id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT NOT NULL DEFAULT '',\n"
  "  email TEXT NOT NULL DEFAULT '', hours TEXT NOT NULL DEFAULT '', location TEXT NOT NULL DEFAULT '');\n"
  "CREATE TABLE faq(id INTEGER PRIMARY KEY, ext_id TEXT NOT NULL UNIQUE,\n"
  "  published_rev INTEGER REFERENCES faq_revision(id), created_at TEXT NOT NULL);\n"
  "CREATE TABLE faq_revision(id INTEGER PRIMARY KEY, faq_id INTEGER NOT NULL REFERENCES faq(id),\n"
  "  version INTEGER NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL,\n"
  "  alternates TEXT NOT NULL DEFAULT '',\n"
  "  keywords TEXT NOT NULL DEFAULT '',\n"
  "  category TEXT NOT NULL DEFAULT '', department_id TEXT REFERENCES department(id),\n"
  "  url TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,\n"
  "  UNIQUE(faq_id, version));\n"
  "CREATE INDEX faq_revision_department ON faq_revision(department_id);\n"
  "CREATE VIEW faq_published(id, ext_id, question, alternates, keywords, answer, category, department_id) AS\n"
  "  SELECT f.id, f.ext_id, r.question, r.alternates, r.keywords, r.answer, r.category, r.department_id\n"
  "  FROM faq f JOIN faq_revision r ON r.id = f.published_rev;\n"
  "CREATE VIRTUAL TABLE faq_fts USING fts5(question, alternates, keywords, answer,\n"
  "  content='faq_published', content_rowid='id', tokenize='mecab');\n"
  "CREATE TRIGGER faq_ai AFTER INSERT ON faq WHEN new.published_rev IS NOT NULL BEGIN\n"
  "  INSERT INTO faq_fts(rowid, question, alternates, keywords, answer)\n"
  "    SELECT new.id, r.question, r.alternates, r.keywords, r.answer FROM faq_revision r\n"
  "    WHERE r.id = new.published_rev;\n"
  "END;\n"
  "CREATE TRIGGER faq_au AFTER UPDATE OF published_rev ON faq BEGIN\n"
  "  INSERT INTO faq_fts(faq_fts, rowid, question, alternates, keywords, answer)\n"
  "    SELECT 'delete', old.id, r.question, r.alternates, r.keywords, r.answer FROM faq_revision r\n"
  "    WHERE r.id = old.published_rev;\n"
  "  INSERT INTO faq_fts(rowid, question, alternates, keywords, answer)\n"
  "    SELECT new.id, r.question, r.alternates, r.keywords, r.answer FROM faq_revision r\n"
  "    WHERE r.id = new.published_rev;\n"
  "END;\n"
  "CREATE TRIGGER faq_bd BEFORE DELETE ON faq BEGIN\n"
  "  INSERT INTO faq_fts(faq_fts, rowid, question, alternates, keywords, answer)\n"
  "    SELECT 'delete', old.id, r.question, r.alternates, r.keywords, r.answer FROM faq_revision r\n"
  "    WHERE r.id = old.published_rev;\n"
  "END;\n"
  "CREATE TRIGGER faq_revision_immutable BEFORE UPDATE ON faq_revision BEGIN\n"
  "  SELECT RAISE(ABORT, 'faq_revision rows are immutable: add a revision instead');\n"
  "END;\n",

  /* 2 (old 7) — imports written in chunks (faq/io_chunked.c): each import, its
   * progress and heartbeat, and the journal that undoes it until it is done. */
  "CREATE TABLE faq_import(id INTEGER PRIMARY KEY, by TEXT NOT NULL, file TEXT NOT NULL,\n"
  "  state TEXT NOT NULL CHECK(state IN ('writing', 'done', 'rolled_back')),\n"
  "  rows_total INTEGER NOT NULL, rows_done INTEGER NOT NULL DEFAULT 0,\n"
  "  started_at TEXT NOT NULL, heartbeat_at TEXT NOT NULL, finished_at TEXT);\n"
  "CREATE INDEX faq_import_state ON faq_import(state);\n"
  "CREATE TABLE faq_import_undo(id INTEGER PRIMARY KEY,\n"
  "  import_id INTEGER NOT NULL REFERENCES faq_import(id),\n"
  "  kind TEXT NOT NULL CHECK(kind IN ('faq', 'department')), key TEXT NOT NULL,\n"
  "  existed INTEGER NOT NULL, prev_pub INTEGER, prev_max_rev INTEGER, prev_dept TEXT);\n"
  "CREATE INDEX faq_import_undo_import ON faq_import_undo(import_id);\n",

  /* 3 (old 8) — the learning loop (faq/learn.c): residents' questions that ended on
   * an entry, as candidate phrasings (masked text, deduplicated on its
   * normalised form) with one evidence row per session and a keyed hash of
   * the client address, so one address cannot make a phrasing alone. */
  "CREATE TABLE phrasing_candidate(id INTEGER PRIMARY KEY,\n"
  "  faq_id INTEGER NOT NULL REFERENCES faq(id), norm TEXT NOT NULL, text TEXT NOT NULL,\n"
  "  state TEXT NOT NULL DEFAULT 'new' CHECK(state IN ('new', 'accepted', 'rejected')),\n"
  "  created_at TEXT NOT NULL, decided_at TEXT, decided_by TEXT,\n"
  "  UNIQUE(faq_id, norm));\n"
  "CREATE INDEX phrasing_candidate_state ON phrasing_candidate(state);\n"
  "CREATE TABLE phrasing_evidence(candidate_id INTEGER NOT NULL REFERENCES phrasing_candidate(id),\n"
  "  session_ref TEXT NOT NULL, addr_ref TEXT NOT NULL,\n"
  "  kind TEXT NOT NULL CHECK(kind IN ('choose', 'helpful', 'staff', 'eval')), at TEXT NOT NULL,\n"
  "  PRIMARY KEY(candidate_id, session_ref)) WITHOUT ROWID;\n",

  /* 4 (old 12) — each department's answer target in working days (NULL: the
   * configuration's answer_days), for the overdue view (bot/ticket.c). */
  "ALTER TABLE department ADD COLUMN answer_days INTEGER CHECK(answer_days IS NULL OR answer_days BETWEEN 1 AND 60);\n",

  /* 5 (old 14) — the URL of an entry's online application (行かない窓口): answers and
   * the public pages show it first when there is one (issue 16, item 4). */
  "ALTER TABLE faq_revision ADD COLUMN online_url TEXT NOT NULL DEFAULT '';\n",

  /* 6 (old 15) — related entries (issue 12): a revision may list entries a resident
   * would want next ("転入届" → "転出届", "住民票"), by ext_id, one per line
   * like alternates and keywords. Ids are not foreign keys: an entry named
   * may be unpublished or removed later, and is then simply not shown. */
  "ALTER TABLE faq_revision ADD COLUMN related TEXT NOT NULL DEFAULT '';\n",

  /* 7 (old 18) — life-event checklists (issue 16, item 2): a procedure is an FAQ
   * entry that names the life events it belongs to, one per line with an
   * optional condition on the resident's answers ("転入 if car"), and says
   * what to bring, by when and what it costs. Revisions, drafts, publish and
   * the department card come with the entry (docs/public-pages.md). */
  "ALTER TABLE faq_revision ADD COLUMN life_events TEXT NOT NULL DEFAULT '';\n"
  "ALTER TABLE faq_revision ADD COLUMN bring TEXT NOT NULL DEFAULT '';\n"
  "ALTER TABLE faq_revision ADD COLUMN deadline TEXT NOT NULL DEFAULT '';\n"
  "ALTER TABLE faq_revision ADD COLUMN fee TEXT NOT NULL DEFAULT '';\n",

  /* 8 (old 19) — English and やさしい日本語 versions of an entry (issue 17, item 3):
   * part of the revision, so a translation is drafted, reviewed and
   * published with the Japanese text it translates. "" means none: the
   * resident who chose that language is answered in Japanese (docs/languages.md). */
  "ALTER TABLE faq_revision ADD COLUMN question_en TEXT NOT NULL DEFAULT '';\n"
  "ALTER TABLE faq_revision ADD COLUMN answer_en TEXT NOT NULL DEFAULT '';\n"
  "ALTER TABLE faq_revision ADD COLUMN question_easy TEXT NOT NULL DEFAULT '';\n"
  "ALTER TABLE faq_revision ADD COLUMN answer_easy TEXT NOT NULL DEFAULT '';\n",

  /* 9 (old 20) — an English index over the published entries' English versions
   * (faq/store.c faq_search_en): an English question is compared with
   * English text by FTS5's own porter stemmer, beside the Japanese index
   * that the English-to-Japanese table reaches (docs/languages.md). Kept
   * in step with faq_fts by the same three moments: insert, publish,
   * delete. */
  "CREATE VIEW faq_published_en(id, question, answer) AS\n"
  "  SELECT f.id, r.question_en, r.answer_en FROM faq f JOIN faq_revision r ON r.id = f.published_rev;\n"
  "CREATE VIRTUAL TABLE faq_en_fts USING fts5(question, answer,\n"
  "  content='faq_published_en', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');\n"
  "CREATE TRIGGER faq_en_ai AFTER INSERT ON faq WHEN new.published_rev IS NOT NULL BEGIN\n"
  "  INSERT INTO faq_en_fts(rowid, question, answer)\n"
  "    SELECT new.id, r.question_en, r.answer_en FROM faq_revision r WHERE r.id = new.published_rev;\n"
  "END;\n"
  "CREATE TRIGGER faq_en_au AFTER UPDATE OF published_rev ON faq BEGIN\n"
  "  INSERT INTO faq_en_fts(faq_en_fts, rowid, question, answer)\n"
  "    SELECT 'delete', old.id, r.question_en, r.answer_en FROM faq_revision r WHERE r.id = old.published_rev;\n"
  "  INSERT INTO faq_en_fts(rowid, question, answer)\n"
  "    SELECT new.id, r.question_en, r.answer_en FROM faq_revision r WHERE r.id = new.published_rev;\n"
  "END;\n"
  "CREATE TRIGGER faq_en_bd BEFORE DELETE ON faq BEGIN\n"
  "  INSERT INTO faq_en_fts(faq_en_fts, rowid, question, answer)\n"
  "    SELECT 'delete', old.id, r.question_en, r.answer_en FROM faq_revision r WHERE r.id = old.published_rev;\n"
  "END;\n"
  "INSERT INTO faq_en_fts(faq_en_fts) VALUES ('rebuild');\n",

  /* 10 — append faq's next step here (never edit the steps above). */
};
#define N_STEPS ((int)(sizeof steps / sizeof steps[0]))

/* The old global steps (counted in user_version) and the module step each
 * became, in order; old step 18 became two, one per module. */
#define LEGACY_STEPS 20
static const struct { int old; const char *module; int step; } legacy[] = {
  { 1, "faq", 1 },  { 2, "bot", 1 },  { 3, "bot", 2 },   { 4, "bot", 3 },   { 5, "bot", 4 },   { 6, "bot", 5 },
  { 7, "faq", 2 },  { 8, "faq", 3 },  { 9, "bot", 6 },   { 10, "bot", 7 },  { 11, "bot", 8 },  { 12, "faq", 4 },
  { 13, "bot", 9 }, { 14, "faq", 5 }, { 15, "faq", 6 },  { 16, "bot", 10 }, { 17, "bot", 11 }, { 18, "faq", 7 },
  { 18, "bot", 12 }, { 19, "faq", 8 }, { 20, "faq", 9 },
};

#define COPY_WAIT_MS (30 * 60 * 1000) /* for another process's copy before an upgrade */
#define STR_(x) #x
#define STR(x) STR_(x)
enum { Q_HAS_TABLE, Q_CREATE, Q_GET, Q_SET, Q_MODULES, Q_USER_VERSION, Q_MARK, N_Q };
static const char *const sql[N_Q] = {
  [Q_HAS_TABLE] = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
  [Q_CREATE] = "CREATE TABLE schema_version(module TEXT PRIMARY KEY, version INTEGER NOT NULL)",
  [Q_GET] = "SELECT version FROM schema_version WHERE module = ?1",
  [Q_SET] = "INSERT INTO schema_version(module, version) VALUES(?1, ?2)"
            " ON CONFLICT(module) DO UPDATE SET version = excluded.version",
  [Q_MODULES] = "SELECT module, version FROM schema_version ORDER BY module",
  [Q_USER_VERSION] = "PRAGMA user_version",
  [Q_MARK] = "PRAGMA user_version = " STR(FAQ_DB_USER_VERSION),
};

int faq_db_schema_max(void) { return N_STEPS; }

/* How many of module's steps the old steps 1..uv contained. */
static int legacy_version(int uv, const char *module) {
  int v = 0;
  for (size_t i = 0; i < sizeof legacy / sizeof legacy[0]; i++)
    if (legacy[i].old <= uv && strcmp(legacy[i].module, module) == 0) v = legacy[i].step;
  return v;
}

/* Does the database have schema_version? 1, 0, or -1 when it cannot be read. */
static int has_table(sqlite3 *db) { return (int)faq_db_int(db, sql[Q_HAS_TABLE]); }

static int set_version(sqlite3 *db, const char *module, int v, char *err) {
  sqlite3_stmt *st = NULL;
  int rc = 0;
  if (sqlite3_prepare_v2(db, sql[Q_SET], -1, &st, NULL) != SQLITE_OK) goto fail;
  sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, v);
  if (sqlite3_step(st) != SQLITE_DONE) goto fail;
  goto out;
fail:
  rc = mg_errf(err, MG_EDB, "schema %s: recording version %d: %s", module, v, sqlite3_errmsg(db));
out:
  sqlite3_finalize(st);
  return rc;
}

int faq_db_module_version(sqlite3 *db, const char *module) {
  sqlite3_stmt *st = NULL;
  int t = has_table(db), v = -1, s;
  if (t == 0) {
    int uv = (int)faq_db_int(db, sql[Q_USER_VERSION]);
    if (uv >= 0 && uv <= LEGACY_STEPS) v = legacy_version(uv, module);
    goto out;
  }
  if (t < 0 || sqlite3_prepare_v2(db, sql[Q_GET], -1, &st, NULL) != SQLITE_OK) goto out;
  sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
  s = sqlite3_step(st);
  if (s == SQLITE_ROW) v = sqlite3_column_int(st, 0);
  else if (s == SQLITE_DONE) v = 0;
out:
  sqlite3_finalize(st);
  return v;
}

int faq_db_version(sqlite3 *db) { return faq_db_module_version(db, "faq"); }

/* Inside a transaction: create schema_version unless another process did;
 * a database counted in user_version gets its modules' versions from it. */
static int adopt(sqlite3 *db, void *ctx, char *err) {
  int t = has_table(db), uv = (int)faq_db_int(db, sql[Q_USER_VERSION]), rc = 0;
  (void)ctx;
  if (t < 0 || uv < 0) {
    rc = mg_errf(err, MG_EDB, "reading the schema version: %s", sqlite3_errmsg(db));
    goto out;
  }
  if (t) goto out; /* another process got there first */
  if (uv > LEGACY_STEPS) {
    rc = mg_errf(err, MG_EDB, "the database has schema version %d (user_version) and no schema_version table: "
                 "newer than this program (%d), or not its database", uv, LEGACY_STEPS);
    goto out;
  }
  if (sqlite3_exec(db, sql[Q_CREATE], NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec(db, sql[Q_MARK], NULL, NULL, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "creating schema_version: %s", sqlite3_errmsg(db));
    goto out;
  }
  for (size_t i = 0; rc == 0 && i < sizeof legacy / sizeof legacy[0]; i++)
    if (legacy[i].old <= uv) rc = set_version(db, legacy[i].module, legacy[i].step, err);
out:
  return rc;
}

struct copy {
  const char *path, *bak, *module;
  int v;
};

/* Inside a transaction (the file's write lock): the copy, unless made. */
static int copy_locked(sqlite3 *db, void *ctx, char *err) {
  struct copy *c = ctx;
  char why[MG_ERRLEN];
  int rc = 0;
  (void)db;
  if (access(c->bak, F_OK) == 0) goto out; /* another process made it */
  if (faq_db_backup(c->path, c->bak, why))
    rc = mg_errf(err, MG_EIO, "not upgrading %s (%s schema version %d): the copy made first failed (%s)", c->path,
                 c->module ? c->module : "user_version", c->v, why);
out:
  return rc;
}

/* Before steps change an existing database, a copy of it as it was:
 * PATH.vN.bak for a database counted in user_version (module NULL), else
 * PATH.MODULE-vN.bak. It is made holding the file's write lock (readers go
 * on: WAL), so of two processes upgrading at once one copies and the other,
 * waiting for as long as that takes, finds the copy. No copy, no upgrade.
 * In-memory databases have none. */
static int backup_before(sqlite3 *db, const char *module, int v, char *err) {
  char bak[4096];
  struct copy c = { sqlite3_db_filename(db, "main"), bak, module, v };
  int rc = 0;
  if (!c.path || !*c.path) goto out;
  snprintf(bak, sizeof bak, "%s.%s%sv%d.bak", c.path, module ? module : "", module ? "-" : "", v);
  if (access(bak, F_OK) == 0) goto out;
  sqlite3_busy_timeout(db, COPY_WAIT_MS);
  rc = faq_db_tx(db, copy_locked, &c, err);
  sqlite3_busy_timeout(db, MG_DB_BUSY_MS);
out:
  return rc;
}

struct step_ctx {
  const char *module;
  const char *const *steps;
  int i; /* the step to apply, 0-based */
};

/* Inside a transaction: apply step c->i when still pending. */
static int apply_step(sqlite3 *db, void *ctx, char *err) {
  struct step_ctx *c = ctx;
  char *msg = NULL;
  int v = faq_db_module_version(db, c->module), rc = 0;
  if (v < 0) {
    rc = mg_errf(err, MG_EDB, "schema %s: reading its version: %s", c->module, sqlite3_errmsg(db));
    goto out;
  }
  if (v > c->i) goto out; /* another process got there first */
  if (sqlite3_exec(db, c->steps[c->i], NULL, NULL, &msg) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "schema %s step %d: %s", c->module, c->i + 1, msg ? msg : sqlite3_errmsg(db));
    goto out;
  }
  rc = set_version(db, c->module, c->i + 1, err);
out:
  sqlite3_free(msg);
  return rc;
}

int faq_db_migrate_module(sqlite3 *db, const char *module, const char *const *steps, int n, char *err) {
  struct step_ctx c = { module, steps, 0 };
  int rc = 0, t = has_table(db), v;

  if (t < 0) {
    rc = mg_errf(err, MG_EDB, "reading the schema version: %s", sqlite3_errmsg(db));
    goto out;
  }
  if (t == 0) {
    int uv = (int)faq_db_int(db, sql[Q_USER_VERSION]);
    if (uv > 0 && uv <= LEGACY_STEPS && (rc = backup_before(db, NULL, uv, err))) goto out;
    if ((rc = faq_db_tx(db, adopt, NULL, err))) goto out;
  }
  if ((v = faq_db_module_version(db, module)) < 0) {
    rc = mg_errf(err, MG_EDB, "schema %s: reading its version: %s", module, sqlite3_errmsg(db));
    goto out;
  }
  if (v > n) {
    rc = mg_errf(err, MG_EDB, "the database has schema version %d of module %s, newer than this program (%d)", v,
                 module, n);
    goto out;
  }
  if (v > 0 && v < n && (rc = backup_before(db, module, v, err))) goto out;
  for (c.i = v; c.i < n; c.i++)
    if ((rc = faq_db_tx(db, apply_step, &c, err))) goto out;
out:
  return rc;
}

int faq_db_migrate(sqlite3 *db, char *err) { return faq_db_migrate_module(db, "faq", steps, N_STEPS, err); }

/* ---- versions against what a program knows (check, restore) --------------- */

/* The entry of known for module, or NULL. */
static const faq_db_schema *find_known(const faq_db_schema *known, int n, const char *module) {
  for (int i = 0; i < n; i++)
    if (strcmp(known[i].module, module) == 0) return &known[i];
  return NULL;
}

int faq_db_schema_known(sqlite3 *db, const faq_db_schema *known, int n, char *err) {
  sqlite3_stmt *st = NULL;
  int rc = 0, t = has_table(db);
  for (int i = 0; i < n; i++) {
    int v = faq_db_module_version(db, known[i].module), low = strcmp(known[i].module, "faq") == 0;
    if (v < low || v > known[i].max) {
      rc = mg_errf(err, MG_EINVAL, "%s schema version %d, this program knows %d to %d", known[i].module, v, low,
                   known[i].max);
      goto out;
    }
  }
  if (t <= 0) goto out; /* counted in user_version: the old steps are all known */
  if (sqlite3_prepare_v2(db, sql[Q_MODULES], -1, &st, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EINVAL, "reading schema_version: %s", sqlite3_errmsg(db));
    goto out;
  }
  while (sqlite3_step(st) == SQLITE_ROW)
    if (!find_known(known, n, (const char *)sqlite3_column_text(st, 0))) {
      rc = mg_errf(err, MG_EINVAL, "schema of module %s (version %d), which this program does not know",
                   (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1));
      goto out;
    }
out:
  sqlite3_finalize(st);
  return rc;
}

int faq_db_schema_lines(sqlite3 *db, const faq_db_schema *known, int n,
                        void (*line)(void *ctx, const char *what, const char *result), void *ctx) {
  sqlite3_stmt *st = NULL;
  char what[128], buf[128];
  int problems = 0;
  for (int i = 0; i < n; i++) {
    int v = faq_db_module_version(db, known[i].module);
    snprintf(what, sizeof what, "schema version %s", known[i].module);
    snprintf(buf, sizeof buf, "%d of %d", v, known[i].max);
    line(ctx, what, buf);
    problems += v != known[i].max;
  }
  if (has_table(db) > 0 && sqlite3_prepare_v2(db, sql[Q_MODULES], -1, &st, NULL) == SQLITE_OK)
    while (sqlite3_step(st) == SQLITE_ROW) {
      const char *m = (const char *)sqlite3_column_text(st, 0);
      if (find_known(known, n, m)) continue;
      snprintf(what, sizeof what, "schema version %s", m);
      snprintf(buf, sizeof buf, "%d, a module this program does not know", sqlite3_column_int(st, 1));
      line(ctx, what, buf);
      problems++;
    }
  sqlite3_finalize(st);
  return problems;
}
