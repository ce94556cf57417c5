/*
 * db.c — opening the database: connection settings, migrations, the
 * analysis fingerprint, and the sample FAQ on first run.
 *
 * Every process opens the one file through faq_db_open, so every connection
 * has the same settings: WAL (readers never block the writer), foreign keys,
 * a busy timeout (the CLI and the server write the same file), and
 * synchronous=NORMAL (safe in WAL; the chat service raises it for ticket
 * writes).
 *
 * The FTS5 index is external content: deleting a row re-tokenizes its old
 * text with the *current* analysis. If dict/ or a dictionary changed since
 * the index was built, those deletes would no longer remove what was indexed
 * and the index would silently go stale. So meta 'fingerprint' records the
 * analysis the index was built with, and a different one triggers a full
 * rebuild here, before anything else touches the index.
 *
 * A brand-new database (no entries and no meta 'initialized') is filled with
 * cfg->sample_path in the same transaction that sets 'initialized'; a city
 * that deletes every entry later does not get the sample back.
 *
 * Opening without a language (lang NULL: commands that never touch the
 * index) still works on a new file, or one with faq steps pending: the
 * open builds a temporary language to create (or upgrade) the schema and
 * load the sample, then reopens without it (bot_db_open does the same for
 * bot's steps).
 */
#include "faq/db.h"
#include "faq/analyze.h"
#include "faq/io.h"
#include "util/mg_err.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
  Q_PRAGMAS, Q_BEGIN, Q_COMMIT, Q_ROLLBACK, Q_SAVEPOINT, Q_RELEASE, Q_ROLLBACK_TO, Q_BEGIN_READ,
  Q_META_GET, Q_META_PUT, Q_META_ADD, Q_IS_NEW, Q_REBUILD, Q_TOUCH, N_Q
};
static const char *const sql[N_Q] = {
  /* no mmap_size: measured at 3,000 questions/s it cost the server 30 %
   * more CPU than pread (38 against 26-29 CPU-s, docs/benchmarks.md) */
  [Q_PRAGMAS] = "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;",
  [Q_BEGIN] = "BEGIN IMMEDIATE",
  [Q_COMMIT] = "COMMIT",
  [Q_ROLLBACK] = "ROLLBACK",
  [Q_SAVEPOINT] = "SAVEPOINT mg_tx",
  [Q_RELEASE] = "RELEASE mg_tx",
  [Q_ROLLBACK_TO] = "ROLLBACK TO mg_tx; RELEASE mg_tx",
  [Q_BEGIN_READ] = "BEGIN",
  [Q_META_GET] = "SELECT value FROM meta WHERE key = ?1",
  [Q_META_PUT] = "INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
  [Q_META_ADD] = "INSERT OR IGNORE INTO meta(key, value) VALUES(?1, ?2)",
  [Q_IS_NEW] = "SELECT NOT EXISTS(SELECT 1 FROM faq) AND NOT EXISTS(SELECT 1 FROM meta WHERE key = 'initialized')",
  [Q_REBUILD] = "INSERT INTO faq_fts(faq_fts) VALUES('rebuild')",
  [Q_TOUCH] = "SELECT count(*) FROM sqlite_master",
};

/* --- the disk-full test hook (db.h) --------------------------------------- */
static char full_file[MG_PATHLEN];
static sqlite3_int64 page_max_default; /* a connection's max_page_count before any cap */

void faq_db_set_full_file(const char *path) {
  snprintf(full_file, sizeof full_file, "%s", path ? path : "");
}

sqlite3_int64 faq_db_int(sqlite3 *db, const char *q) {
  sqlite3_stmt *st = NULL;
  sqlite3_int64 v = -1;
  if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

void faq_db_full_hook(sqlite3 *db) {
  char q[64];
  if (!full_file[0]) return;
  /* Read under the caller's write lock, before any connection was capped. */
  if (!page_max_default) page_max_default = faq_db_int(db, "PRAGMA max_page_count");
  if (access(full_file, F_OK) == 0) {
    /* Values below the current size are raised to it: "no new pages". */
    sqlite3_exec(db, "PRAGMA max_page_count=1", NULL, NULL, NULL);
  } else if (page_max_default > 0) {
    snprintf(q, sizeof q, "PRAGMA max_page_count=%lld", (long long)page_max_default);
    sqlite3_exec(db, q, NULL, NULL, NULL);
  }
}

int faq_db_err(int sqlite_rc) {
  switch (sqlite_rc & 0xff) {
  case SQLITE_FULL: return MG_EFULL;
  case SQLITE_BUSY: case SQLITE_LOCKED: return MG_EBUSY;
  default: return MG_EDB;
  }
}

static int exec(sqlite3 *db, int q, char *err) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql[q], NULL, NULL, &msg) == SQLITE_OK) return 0;
  mg_errf(err, sqlite3_errcode(db) == SQLITE_BUSY ? MG_EBUSY : MG_EDB, "%s: %s", sql[q], msg ? msg : "?");
  sqlite3_free(msg);
  return sqlite3_errcode(db) == SQLITE_BUSY ? MG_EBUSY : MG_EDB;
}

/* One statement q through the statement cache: BEGIN and COMMIT run around
 * every answer, and parsing them each time (sqlite3_exec) cost more than
 * running them. Only for the read transaction of a worker's connection,
 * which faq_db_close closes: a cached statement keeps a connection open
 * through sqlite3_close, which the store's callers of faq_db_tx (imports,
 * backups, schema steps, tests) use. */
static int run(sqlite3 *db, int q, char *err) {
  sqlite3_stmt *st = NULL;
  int rc = faq_db_stmt(db, sql[q], &st, err), s;
  if (rc) return rc;
  if ((s = sqlite3_step(st)) != SQLITE_DONE) rc = mg_errf(err, faq_db_err(s), "%s: %s", sql[q], sqlite3_errmsg(db));
  faq_db_stmt_done(st);
  return rc;
}

/* A transaction, or a savepoint when the caller already holds one, so store
 * functions can run alone or as part of an import. */
int faq_db_tx(sqlite3 *db, int (*fn)(sqlite3 *db, void *ctx, char *err), void *ctx, char *err) {
  int nested = !sqlite3_get_autocommit(db);
  int rc = exec(db, nested ? Q_SAVEPOINT : Q_BEGIN, err);
  if (rc) return rc;
  rc = fn(db, ctx, err);
  if (rc == 0) rc = exec(db, nested ? Q_RELEASE : Q_COMMIT, err);
  if (rc != 0) {
    char ignored[MG_ERRLEN];
    exec(db, nested ? Q_ROLLBACK_TO : Q_ROLLBACK, ignored);
  }
  return rc;
}

int faq_db_read_begin(sqlite3 *db) {
  char ignored[MG_ERRLEN];
  return sqlite3_get_autocommit(db) && run(db, Q_BEGIN_READ, ignored) == 0;
}

void faq_db_read_end(sqlite3 *db, int begun) {
  char ignored[MG_ERRLEN];
  if (begun) run(db, Q_COMMIT, ignored);
}

int faq_meta_get(sqlite3 *db, const char *key, char **out, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  *out = NULL;
  if (sqlite3_prepare_v2(db, sql[Q_META_GET], -1, &st, NULL) != SQLITE_OK) goto fail;
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if (rc == SQLITE_DONE) rc = mg_errf(err, MG_ENOTFOUND, "meta %s: not set", key);
  else if (rc != SQLITE_ROW) goto fail;
  else rc = (*out = strdup((const char *)sqlite3_column_text(st, 0))) ? 0 : mg_errf(err, MG_ENOMEM, "out of memory");
  sqlite3_finalize(st);
  return rc;
fail:
  rc = mg_errf(err, MG_EDB, "meta %s: %s", key, sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc;
}

/* Write key = value with statement q (Q_META_PUT or Q_META_ADD). */
static int meta_write(sqlite3 *db, int q, const char *key, const char *value, char *err) {
  sqlite3_stmt *st = NULL;
  int rc = 0;
  if (sqlite3_prepare_v2(db, sql[q], -1, &st, NULL) != SQLITE_OK) goto fail;
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, value ? value : "", -1, SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_DONE) goto fail;
  sqlite3_finalize(st);
  return 0;
fail:
  rc = mg_errf(err, MG_EDB, "meta %s: %s", key, sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc;
}

int faq_meta_put(sqlite3 *db, const char *key, const char *value, char *err) {
  return meta_write(db, Q_META_PUT, key, value, err);
}

int faq_meta_add(sqlite3 *db, const char *key, const char *value, char *err) {
  return meta_write(db, Q_META_ADD, key, value, err);
}

int faq_db_touch(sqlite3 *db, char *err) {
  if (sqlite3_exec(db, sql[Q_TOUCH], NULL, NULL, NULL) == SQLITE_OK) return 0;
  return mg_errf(err, MG_EDB, "%s", sqlite3_errmsg(db));
}

/* The stored analysis fingerprint into *have (new string, "" when none). */
static int stored_fingerprint(sqlite3 *db, char **have, char *err) {
  int rc = faq_meta_get(db, "fingerprint", have, err);
  if (rc == MG_ENOTFOUND) rc = (*have = strdup("")) ? 0 : mg_errf(err, MG_ENOMEM, "out of memory");
  return rc;
}

/* Inside a transaction: rebuild the index when the analysis changed. */
static int check_fingerprint(sqlite3 *db, void *ctx, char *err) {
  const char *want = ctx;
  char *have = NULL;
  int rc = stored_fingerprint(db, &have, err);
  if (rc == 0 && strcmp(have, want) != 0) {
    if (!*have || (rc = exec(db, Q_REBUILD, err)) == 0) rc = faq_meta_put(db, "fingerprint", want, err);
  }
  free(have);
  return rc;
}

/* Is this a new database (no entries, never initialized)? 1, 0 or MG_EDB. */
static int is_new(sqlite3 *db, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  if (sqlite3_prepare_v2(db, sql[Q_IS_NEW], -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
    rc = mg_errf(err, MG_EDB, "checking for a new database: %s", sqlite3_errmsg(db));
  else rc = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return rc;
}

/* Inside a transaction: load the sample into a new database. */
static int load_sample(sqlite3 *db, void *ctx, char *err) {
  const char *path = ctx;
  mg_io_report rep;
  mg_io_opts o = { .format = "json", .by = "sample" };
  int rc = is_new(db, err); /* again, under the write lock */
  if (rc <= 0) return rc;
  rc = faq_io_import_in_tx(db, path, &o, &rep, err);
  if (rc && rep.n_errors) mg_errf(err, rc, "sample FAQ: %s%s", rep.errors[0], rep.n_errors > 1 ? " (and more)" : "");
  if (rc) return rc;
  return faq_meta_put(db, "initialized", "sample", err);
}

/* Process-wide SQLite settings, before its first use. Memory statistics
 * cost a global mutex on every allocation SQLite makes; with two workers
 * answering thousands of questions a second they queued on it (perf, issue
 * 15), and nothing here reads them. */
static void configure_sqlite(void) { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

static int open_conn(sqlite3 **out, const char *path, int flags, mg_lang *lang, char *err) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  sqlite3 *db = NULL;
  int rc = 0;
  *out = NULL;
  pthread_once(&once, configure_sqlite);
  if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
    goto out;
  }
  sqlite3_busy_timeout(db, MG_DB_BUSY_MS);
  sqlite3_extended_result_codes(db, 0);
  if ((rc = exec(db, Q_PRAGMAS, err))) goto out;
  if (lang && (rc = faq_fts5_register(db, lang, err))) goto out;
  if ((rc = faq_db_migrate(db, err))) goto out;
  if (lang) {
    /* Read first: the write lock is taken only when a rebuild is due. */
    char *have = NULL;
    const char *want = faq_lang_fingerprint(lang);
    if ((rc = stored_fingerprint(db, &have, err))) goto out;
    if (strcmp(have, want) != 0) rc = faq_db_tx(db, check_fingerprint, (void *)want, err);
    free(have);
  }
out:
  if (rc) { sqlite3_close(db); db = NULL; }
  *out = db;
  return rc;
}

/* First open of a new file (or one with faq steps pending) without a
 * language: create or upgrade the schema and load the sample with a
 * temporary one, then hand back a connection without. A step may make
 * SQLite re-read the triggers on the index, which need the tokenizer. */
static int bootstrap(const mg_config *cfg, char *err) {
  mg_lang *lang = NULL;
  sqlite3 *db = NULL;
  int rc = faq_lang_new(&lang, cfg, err);
  if (rc) return rc;
  rc = faq_db_open(&db, cfg, lang, err);
  faq_db_close(db);
  faq_lang_free(lang);
  return rc;
}

int faq_db_open(sqlite3 **out, const mg_config *cfg, mg_lang *lang, char *err) {
  sqlite3 *db = NULL;
  int rc, flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (!lang) {
    sqlite3 *probe = NULL;
    int v = -1;
    if (sqlite3_open_v2(cfg->db_path, &probe, flags, NULL) == SQLITE_OK) v = faq_db_version(probe);
    sqlite3_close(probe);
    if (v >= 0 && v < faq_db_schema_max() && (rc = bootstrap(cfg, err))) return rc;
  }
  if ((rc = open_conn(&db, cfg->db_path, flags, lang, err))) return rc;
  if (lang && cfg->sample_path[0] && (rc = is_new(db, err)) == 1) {
    rc = 0;
    if (access(cfg->sample_path, R_OK) == 0) rc = faq_db_tx(db, load_sample, (void *)cfg->sample_path, err);
    /* No sample file: start empty and try again on the next open. */
  }
  if (rc) { sqlite3_close(db); db = NULL; }
  *out = db;
  return rc;
}

int faq_db_open_memory(sqlite3 **out, mg_lang *lang, char *err) {
  return open_conn(out, ":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY, lang, err);
}

void faq_db_close(sqlite3 *db) {
  if (!db) return;
  faq_db_stmt_release(db);   /* this thread's cache; other threads release theirs as they end */
  sqlite3_close_v2(db);
}

/* --- prepared statements, cached per thread ------------------------------
 *
 * Parsing SQL against this schema costs tens of microseconds, as much as the
 * rest of a transcript write, so the hot statements are prepared once per
 * connection and reset after use. A connection belongs to one worker thread
 * (architecture.md), so the cache is thread-local and needs no lock: it
 * holds the statements of the connection the thread used last. When a
 * thread turns to another connection the old statements are finalized. A
 * connection closed with sqlite3_close_v2 (faq_db_close) while statements
 * are cached stays a harmless zombie until then, so a cached db pointer can
 * never name a different, newer connection. */
#define STMT_CACHE_MAX 96

static __thread struct {
  sqlite3 *db;
  int n;
  const char *sql[STMT_CACHE_MAX];  /* keyed by the address of a module's SQL text */
  sqlite3_stmt *st[STMT_CACHE_MAX];
} cache;

static void cache_drop(void) {
  for (int i = 0; i < cache.n; i++) sqlite3_finalize(cache.st[i]);
  cache.n = 0;
  cache.db = NULL;
}

int faq_db_stmt(sqlite3 *db, const char *sql, sqlite3_stmt **st, char *err) {
  *st = NULL;
  if (cache.db != db) {
    cache_drop();
    cache.db = db;
  }
  for (int i = 0; i < cache.n; i++)
    if (cache.sql[i] == sql) {
      *st = cache.st[i];
      sqlite3_reset(*st);
      sqlite3_clear_bindings(*st);
      return 0;
    }
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
    return mg_errf(err, MG_EDB, "prepare: %s", sqlite3_errmsg(db));
  if (cache.n < STMT_CACHE_MAX) {
    cache.sql[cache.n] = sql;
    cache.st[cache.n++] = *st;
  }
  return 0;
}

void faq_db_stmt_done(sqlite3_stmt *st) {
  if (!st) return;
  for (int i = 0; i < cache.n; i++)
    if (cache.st[i] == st) {
      /* Reset at once: a statement left on a row would hold a read snapshot. */
      sqlite3_reset(st);
      sqlite3_clear_bindings(st);
      return;
    }
  sqlite3_finalize(st); /* the cache was full */
}

void faq_db_stmt_release(sqlite3 *db) {
  if (!db || cache.db == db) cache_drop();
}

int faq_db_text(sqlite3 *db, const char *sql, const char *arg, char *buf, size_t size, char *err) {
  sqlite3_stmt *st = NULL;
  int rc, s;
  buf[0] = '\0';
  if ((rc = faq_db_stmt(db, sql, &st, err)) != 0) return rc;
  if (arg) sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
  s = sqlite3_step(st);
  if (s == SQLITE_ROW && sqlite3_column_text(st, 0)) snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
  else if (s == SQLITE_DONE) rc = MG_ENOTFOUND;
  else if (s != SQLITE_ROW) rc = mg_errf(err, faq_db_err(s), "%s", sqlite3_errmsg(db));
  faq_db_stmt_done(st);
  return rc;
}

/* ---- the process's write lock ------------------------------------------------
 *
 * Worker threads write through their own connections. Left to SQLite, two of
 * them meeting at BEGIN IMMEDIATE means the loser's busy handler sleeps — 1 ms,
 * then 2, 5, 10 … up to 100 — which at thousands of questions a second turns
 * into queues and a long tail, and lets a writer that commits and begins again
 * at once (an import, chunk after chunk) starve the others. Threads of this
 * process therefore queue on one mutex; SQLite's busy timeout still arbitrates
 * with other processes (the CLI, a second server). A long writer calls
 * faq_db_write_yield between its transactions so that the threads already
 * waiting go first. */
static pthread_mutex_t write_mutex = PTHREAD_MUTEX_INITIALIZER;
static atomic_int write_waiting;

void faq_db_write_lock(void) {
  atomic_fetch_add(&write_waiting, 1);
  pthread_mutex_lock(&write_mutex);
  atomic_fetch_sub(&write_waiting, 1);
}

void faq_db_write_unlock(void) { pthread_mutex_unlock(&write_mutex); }

void faq_db_write_yield(void) {
  /* at most 50 ms: under a steady stream someone is always waiting */
  for (int i = 0; i < 250 && atomic_load(&write_waiting) > 0; i++) {
    struct timespec ts = { 0, 200 * 1000 };
    nanosleep(&ts, NULL);
  }
}
