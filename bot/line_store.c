/*
 * line_store.c — the LINE channel's tables (see line_store.h for the contract).
 */
#include "bot/line_store.h"

#include "faq/db.h"
#include "util/mg_err.h"
#include "util/mg_time.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  L_EVENT, L_USER_GET, L_USER_NEW, L_USER_SEEN, L_SET_SESSION, L_MAP_SESSION,
  L_UNFOLLOW, L_RAW, L_OF_SESSION, L_PUSHES, L_PUSH_COUNT, L_PURGE_USERS, L_PURGE_EVENTS, L_ERASE, L_N
};

static const char *const line_sql[L_N] = {
  [L_EVENT] = "INSERT OR IGNORE INTO line_event(event_id, at) VALUES (?1, ?2)",
  [L_USER_GET] = "SELECT id, session_id FROM line_user WHERE user_hash = ?1",
  [L_USER_NEW] = "INSERT INTO line_user(user_hash, user_id_raw, created_at, last_seen_at) VALUES (?1, ?2, ?3, ?3)",
  [L_USER_SEEN] = "UPDATE line_user SET last_seen_at = ?2, followed = 1 WHERE id = ?1",
  [L_SET_SESSION] = "UPDATE line_user SET session_id = ?2 WHERE id = ?1",
  [L_MAP_SESSION] = "INSERT OR IGNORE INTO line_session(session_id, user_id) VALUES (?2, ?1)",
  [L_UNFOLLOW] = "UPDATE line_user SET followed = 0 WHERE user_hash = ?1",
  [L_RAW] = "SELECT user_id_raw, followed FROM line_user WHERE id = ?1",
  [L_OF_SESSION] = "SELECT user_id FROM line_session WHERE session_id = ?1",
  [L_PUSHES] = "SELECT n FROM line_push_month WHERE month = ?1",
  [L_PUSH_COUNT] = "INSERT INTO line_push_month(month, n) VALUES (?1, 1) ON CONFLICT(month) DO UPDATE SET n = n + 1",
  [L_PURGE_USERS] = "DELETE FROM line_user WHERE last_seen_at < ?1",
  [L_PURGE_EVENTS] = "DELETE FROM line_event WHERE at < ?1",
  [L_ERASE] = "DELETE FROM line_user WHERE id IN (SELECT user_id FROM line_session WHERE session_id = ?1)",
};

static int fail(sqlite3 *db, int rc, const char *what, char *err) {
  return mg_errf(err, faq_db_err(rc), "line: %s: %s", what, sqlite3_errmsg(db));
}

/* Step a write statement to its end; 0 or MG_E*. */
static int done(sqlite3 *db, sqlite3_stmt *st, const char *what, char *err) {
  int rc = sqlite3_step(st);
  faq_db_stmt_done(st);
  return rc == SQLITE_DONE ? 0 : fail(db, rc, what, err);
}

/* The hashing key, made (32 random bytes) the first time. */
static int hash_key(sqlite3 *db, unsigned char key[32], char *err) {
  for (int pass = 0; pass < 2; pass++) {
    char *hex = NULL;
    size_t n = 0;
    int found = 0, rc = faq_meta_get(db, "line_hash_key", &hex, err);
    if (rc == 0) {
      found = sodium_hex2bin(key, 32, hex, strlen(hex), NULL, &n, NULL) == 0 && n == 32;
      sodium_memzero(hex, strlen(hex));
      free(hex);
    } else if (rc != MG_ENOTFOUND) {
      return rc == MG_EDB ? fail(db, sqlite3_errcode(db), "key", err) : rc;
    }
    if (found) return 0;
    if (pass == 0) {
      unsigned char k[32];
      char fresh[65];
      randombytes_buf(k, sizeof k);
      sodium_bin2hex(fresh, sizeof fresh, k, sizeof k);
      sodium_memzero(k, sizeof k);
      /* the first connection's key stays when two make one at once */
      rc = faq_meta_add(db, "line_hash_key", fresh, err);
      sodium_memzero(fresh, sizeof fresh);
      if (rc) return rc == MG_EDB ? fail(db, sqlite3_errcode(db), "key", err) : rc;
    }
  }
  return mg_errf(err, MG_EDB, "line: the hashing key in meta is not 64 hex digits");
}

int bot_line_hash(sqlite3 *db, const char *user_id, char *out, char *err) {
  unsigned char key[32], h[16];
  int rc = hash_key(db, key, err);
  if (rc) return rc;
  crypto_generichash(h, sizeof h, (const unsigned char *)user_id, strlen(user_id), key, sizeof key);
  sodium_memzero(key, sizeof key);
  sodium_bin2hex(out, BOT_LINE_HASHLEN, h, sizeof h);
  return 0;
}

int bot_line_event(sqlite3 *db, const char *event_id, time_t now, int *fresh, char *err) {
  sqlite3_stmt *st;
  char at[MG_TIMELEN];
  int rc = faq_db_stmt(db, line_sql[L_EVENT], &st, err);
  *fresh = 0;
  if (rc) return rc;
  mg_time_utc(now, at);
  sqlite3_bind_text(st, 1, event_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
  if ((rc = done(db, st, "event", err))) return rc;
  *fresh = sqlite3_changes(db) > 0;
  return 0;
}

/* A statement bound to (id, text) run to its end. */
static int id_text(sqlite3 *db, int which, sqlite3_int64 id, const char *text, char *err) {
  sqlite3_stmt *st;
  int rc = faq_db_stmt(db, line_sql[which], &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
  return done(db, st, "user", err);
}

/* A statement bound to one text run to its end. */
static int one_text(sqlite3 *db, int which, const char *text, char *err) {
  sqlite3_stmt *st;
  int rc = faq_db_stmt(db, line_sql[which], &st, err);
  if (rc) return rc;
  sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
  return done(db, st, "write", err);
}

int bot_line_user(sqlite3 *db, const char *user_id, const char *hash, time_t now, sqlite3_int64 *id,
                  char *session, size_t slen, char *err) {
  sqlite3_stmt *st;
  char at[MG_TIMELEN];
  int rc = faq_db_stmt(db, line_sql[L_USER_GET], &st, err);
  *id = 0;
  session[0] = '\0';
  if (rc) return rc;
  mg_time_utc(now, at);
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *s = (const char *)sqlite3_column_text(st, 1);
    *id = sqlite3_column_int64(st, 0);
    snprintf(session, slen, "%s", s ? s : "");
    rc = 0;
  } else if (rc == SQLITE_DONE) {
    rc = 0;
  } else {
    rc = fail(db, rc, "user", err);
  }
  faq_db_stmt_done(st);
  if (rc) return rc;
  if (*id) return id_text(db, L_USER_SEEN, *id, at, err);
  if ((rc = faq_db_stmt(db, line_sql[L_USER_NEW], &st, err))) return rc;
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, user_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, at, -1, SQLITE_STATIC);
  if ((rc = done(db, st, "new user", err))) return rc;
  *id = sqlite3_last_insert_rowid(db);
  return 0;
}

int bot_line_set_session(sqlite3 *db, sqlite3_int64 id, const char *session, char *err) {
  int rc = id_text(db, L_SET_SESSION, id, session, err);
  return rc ? rc : id_text(db, L_MAP_SESSION, id, session, err);
}

int bot_line_unfollow(sqlite3 *db, const char *hash, char *err) {
  return one_text(db, L_UNFOLLOW, hash, err);
}

int bot_line_raw(sqlite3 *db, sqlite3_int64 id, char *out, int *followed, char *err) {
  sqlite3_stmt *st;
  int rc = faq_db_stmt(db, line_sql[L_RAW], &st, err);
  out[0] = '\0';
  *followed = 0;
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, id);
  if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    snprintf(out, BOT_LINE_IDLEN, "%s", (const char *)sqlite3_column_text(st, 0));
    *followed = sqlite3_column_int(st, 1);
    rc = 0;
  } else {
    rc = rc == SQLITE_DONE ? mg_errf(err, MG_ENOTFOUND, "line: the user was erased") : fail(db, rc, "raw", err);
  }
  faq_db_stmt_done(st);
  return rc;
}

int bot_line_of_session(sqlite3 *db, const char *session, sqlite3_int64 *id, char *err) {
  sqlite3_stmt *st;
  int rc = faq_db_stmt(db, line_sql[L_OF_SESSION], &st, err);
  *id = 0;
  if (rc) return rc;
  sqlite3_bind_text(st, 1, session, -1, SQLITE_STATIC);
  if ((rc = sqlite3_step(st)) == SQLITE_ROW) *id = sqlite3_column_int64(st, 0);
  rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(db, rc, "session", err);
  faq_db_stmt_done(st);
  return rc;
}

int bot_line_pushes(sqlite3 *db, time_t now, long long *n, char *err) {
  sqlite3_stmt *st;
  char month[8];
  int rc = faq_db_stmt(db, line_sql[L_PUSHES], &st, err);
  *n = 0;
  if (rc) return rc;
  mg_time_jst(now, "%Y-%m", month, sizeof month);
  sqlite3_bind_text(st, 1, month, -1, SQLITE_STATIC);
  if ((rc = sqlite3_step(st)) == SQLITE_ROW) *n = sqlite3_column_int64(st, 0);
  rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(db, rc, "pushes", err);
  faq_db_stmt_done(st);
  return rc;
}

int bot_line_push_counted(sqlite3 *db, time_t now, char *err) {
  char month[8];
  mg_time_jst(now, "%Y-%m", month, sizeof month);
  return one_text(db, L_PUSH_COUNT, month, err);
}

int bot_line_purge(sqlite3 *db, int retention_days, time_t now, int *deleted, char *err) {
  char before[MG_TIMELEN];
  int rc;
  if (deleted) *deleted = 0;
  mg_time_utc(now - (time_t)retention_days * 86400, before);
  if ((rc = one_text(db, L_PURGE_USERS, before, err))) return rc;
  if (deleted) *deleted = sqlite3_changes(db);
  mg_time_utc(now - 7 * 86400, before);
  return one_text(db, L_PURGE_EVENTS, before, err);
}

int bot_line_erase_session(sqlite3 *db, const char *session, char *err) {
  return one_text(db, L_ERASE, session, err);
}
