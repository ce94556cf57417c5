/*
 * backup.c — copying the database while it serves, putting a copy back, and
 * checking that a database is whole.
 *
 * A backup is SQLite's online backup API stepped to the end at once: one read
 * transaction, so the copy is one consistent moment, while the server's
 * writers go on (WAL). It is written next to its final name, switched to a
 * rollback journal (one self-contained file, no -wal beside it), synced, and
 * renamed into place, so a crash or a full disk never leaves a file that
 * looks like a backup and is not one.
 *
 * A restore checks the copy first (quick_check, each module's schema a
 * version this program knows), then copies its pages over the live file in one transaction, and
 * puts the file back in WAL mode.
 */
#include "faq/db.h"
#include "util/mg_err.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BACKUP_TRIES 50 /* ×100 ms while the source is locked by a writer */

/* fsync path (a file, or a directory to make a rename durable). */
static int sync_path(const char *path, int dir, char *err) {
  int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
  if (fd < 0) return mg_errf(err, MG_EIO, "%s: %s", path, strerror(errno));
  int rc = fsync(fd) == 0 ? 0 : mg_errf(err, MG_EIO, "%s: fsync: %s", path, strerror(errno));
  close(fd);
  return rc;
}

/* Copy every page of src into dst (one transaction on each side). */
static int copy_pages(sqlite3 *dst, sqlite3 *src, const char *what, char *err) {
  sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
  int rc;
  if (!b) return mg_errf(err, MG_EDB, "%s: %s", what, sqlite3_errmsg(dst));
  for (int tries = 0;; tries++) {
    rc = sqlite3_backup_step(b, -1);
    if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || tries == BACKUP_TRIES) break;
    sqlite3_sleep(100);
  }
  sqlite3_backup_finish(b);
  if (rc == SQLITE_DONE) return 0;
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
    return mg_errf(err, MG_EBUSY, "%s: the database stayed locked for %d s (is a server writing to it?)", what,
                   BACKUP_TRIES / 10);
  return mg_errf(err, rc == SQLITE_FULL ? MG_EFULL : MG_EDB, "%s: %s", what, sqlite3_errstr(rc));
}

static int open_existing(sqlite3 **db, const char *path, int flags, char *err) {
  *db = NULL;
  if (access(path, F_OK) != 0) return mg_errf(err, MG_ENOTFOUND, "%s: no such database", path);
  if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
    int rc = mg_errf(err, MG_EDB, "%s: %s", path, *db ? sqlite3_errmsg(*db) : "cannot open");
    sqlite3_close(*db);
    *db = NULL;
    return rc;
  }
  sqlite3_busy_timeout(*db, MG_DB_BUSY_MS);
  return 0;
}

int faq_db_backup(const char *db_path, const char *to, char *err) {
  char part[PATH_MAX], dir[PATH_MAX];
  sqlite3 *src = NULL, *dst = NULL;
  int rc;

  if (access(to, F_OK) == 0) return mg_errf(err, MG_EINVAL, "%s exists: give a new file name", to);
  if (snprintf(part, sizeof part, "%s.part", to) >= (int)sizeof part) return mg_errf(err, MG_EINVAL, "%s: name too long", to);
  unlink(part); /* a stale part of a backup that crashed */
  if ((rc = open_existing(&src, db_path, SQLITE_OPEN_READONLY, err))) goto out;
  if (sqlite3_open_v2(part, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EIO, "%s: %s", to, dst ? sqlite3_errmsg(dst) : "cannot create");
    goto out;
  }
  if ((rc = copy_pages(dst, src, "backup", err))) goto out;
  /* one self-contained file: no -wal beside it */
  if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "backup: %s", sqlite3_errmsg(dst));
    goto out;
  }
  sqlite3_close(dst);
  dst = NULL;
  if ((rc = sync_path(part, 0, err))) goto out;
  if (rename(part, to) != 0) { rc = mg_errf(err, MG_EIO, "%s: %s", to, strerror(errno)); goto out; }
  snprintf(dir, sizeof dir, "%s", to);
  rc = sync_path(dirname(dir), 1, err);
out:
  sqlite3_close(dst);
  sqlite3_close(src);
  if (rc) unlink(part);
  return rc;
}

int faq_db_restore(const char *from, const char *db_path, const faq_db_schema *known, int n, char *err) {
  sqlite3 *src = NULL, *dst = NULL;
  sqlite3_stmt *st = NULL;
  char why[MG_ERRLEN];
  int rc;

  if ((rc = open_existing(&src, from, SQLITE_OPEN_READONLY, err))) goto out;
  /* the copy first: a damaged or foreign file never replaces the live one */
  if (sqlite3_prepare_v2(src, "PRAGMA quick_check", -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW ||
      strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
    rc = mg_errf(err, MG_EINVAL, "%s: not a sound database (%s); nothing was restored", from,
                 st && sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : sqlite3_errmsg(src));
    goto out;
  }
  sqlite3_finalize(st);
  st = NULL;
  if (faq_db_schema_known(src, known, n, why)) {
    rc = mg_errf(err, MG_EINVAL, "%s: %s; nothing was restored", from, why);
    goto out;
  }
  if (sqlite3_open_v2(db_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "%s: %s", db_path, dst ? sqlite3_errmsg(dst) : "cannot open");
    goto out;
  }
  sqlite3_busy_timeout(dst, MG_DB_BUSY_MS);
  if ((rc = copy_pages(dst, src, "restore", err))) goto out;
  if (sqlite3_exec(dst, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK)
    rc = mg_errf(err, MG_EDB, "restore: %s", sqlite3_errmsg(dst));
out:
  sqlite3_finalize(st);
  sqlite3_close(dst);
  sqlite3_close(src);
  return rc;
}

/* ---- check ------------------------------------------------------------------- */

/* The first row of a one-column statement, or the error. */
static void first_text(sqlite3 *db, const char *sql, char *out, size_t size) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    snprintf(out, size, "error: %s", sqlite3_errmsg(db));
  } else {
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) snprintf(out, size, "%s", sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
    else if (s == SQLITE_DONE) snprintf(out, size, "ok");
    else snprintf(out, size, "error: %s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
}

/* One FTS5 index against its content: its line, and 1 when it is not ok. */
static int fts_check(sqlite3 *db, void (*line)(void *ctx, const char *what, const char *result), void *ctx,
                     const char *what, const char *sql) {
  char buf[512];
  if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK) snprintf(buf, sizeof buf, "ok");
  else snprintf(buf, sizeof buf, "error: %s", sqlite3_errmsg(db));
  line(ctx, what, buf);
  return strcmp(buf, "ok") != 0;
}

int faq_db_check(sqlite3 *db, const faq_db_schema *known, int n,
                 void (*line)(void *ctx, const char *what, const char *result), void *ctx) {
  static const struct { const char *what, *sql; } counts[] = {
    { "faq entries", "SELECT count(*) FROM faq" },
    { "faq published", "SELECT count(*) FROM faq WHERE published_rev IS NOT NULL" },
    { "faq revisions", "SELECT count(*) FROM faq_revision" },
    { "departments", "SELECT count(*) FROM department" },
    /* bot's tables count in bot_db_counts (bot/stats.h), which the CLI's
     * check prints next: each module counts its own */
  };
  char buf[512];
  int problems = 0;

  problems += faq_db_schema_lines(db, known, n, line, ctx);
  first_text(db, "PRAGMA integrity_check", buf, sizeof buf);
  line(ctx, "integrity", buf);
  problems += strcmp(buf, "ok") != 0;
  /* foreign_key_check lists violations: none is "ok" */
  first_text(db, "PRAGMA foreign_key_check", buf, sizeof buf);
  if (strcmp(buf, "ok") != 0) snprintf(buf, sizeof buf, "violations (PRAGMA foreign_key_check lists them)");
  line(ctx, "foreign keys", buf);
  problems += strcmp(buf, "ok") != 0;
  /* each FTS5 index against its content (the Japanese one needs the mecab tokenizer) */
  problems += fts_check(db, line, ctx, "fts index", "INSERT INTO faq_fts(faq_fts) VALUES ('integrity-check')");
  problems += fts_check(db, line, ctx, "english index", "INSERT INTO faq_en_fts(faq_en_fts) VALUES ('integrity-check')");
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
    first_text(db, counts[i].sql, buf, sizeof buf);
    line(ctx, counts[i].what, buf);
  }
  return problems;
}
