/*
 * outbox.c — the outbox table (see outbox.h for the contract).
 */
#include "bot/outbox.h"
#include "util/mg_time.h"

#include "faq/db.h"
#include "util/mg_err.h"
#include "bot/session.h"

#include <string.h>

enum { O_ADD, O_DUE, O_SENT, O_RETRY, O_FAILED, O_ATTEMPTS, O_OF_TICKET, O_LINE_ADD, O_HOLD, O_RELEASE, O_HELD, O_N };

static const char *const outbox_sql[O_N] = {
  [O_ADD] = "INSERT INTO outbox(ticket_id, channel, recipient, kind, secret, next_at, created_at)"
            " VALUES (?1, 'email', ?2, ?3, ?4, ?5, ?5)",
  [O_DUE] = "SELECT o.id, o.recipient, o.kind, o.secret, o.attempts, t.ticket_no, o.payload, o.line_user"
            " FROM outbox o LEFT JOIN ticket t ON t.id = o.ticket_id"
            " WHERE o.channel = ?3 AND o.state = 'pending' AND o.next_at <= ?1"
            " ORDER BY o.next_at, o.id LIMIT ?2",
  [O_SENT] = "UPDATE outbox SET state = 'sent', sent_at = ?2, attempts = attempts + 1, secret = NULL,"
             " payload = NULL, last_error = '' WHERE id = ?1",
  [O_RETRY] = "UPDATE outbox SET attempts = attempts + 1, next_at = ?2, last_error = ?3 WHERE id = ?1",
  [O_FAILED] = "UPDATE outbox SET state = 'failed', attempts = attempts + 1, secret = NULL, payload = NULL,"
               " last_error = ?3, next_at = ?2 WHERE id = ?1",
  [O_ATTEMPTS] = "SELECT attempts FROM outbox WHERE id = ?1",
  [O_OF_TICKET] = "SELECT kind, state, attempts, last_error, created_at, sent_at, channel FROM outbox"
                  " WHERE ticket_id = ?1 ORDER BY id",
  [O_LINE_ADD] = "INSERT INTO outbox(ticket_id, channel, recipient, kind, line_user, payload, next_at, created_at)"
                 " VALUES ((SELECT id FROM ticket WHERE ticket_no = ?1), 'line', ?2, ?3, ?4, ?5, ?6, ?6)",
  [O_HOLD] = "UPDATE outbox SET state = 'held', last_error = ?2 WHERE id = ?1 AND state = 'pending'",
  [O_RELEASE] = "UPDATE outbox SET state = 'pending', last_error = '' WHERE channel = ?1 AND state = 'held'",
  [O_HELD] = "SELECT count(*) FROM outbox WHERE channel = ?1 AND state = 'held'",
};

static int fail(sqlite3 *db, int rc, const char *what, char *err) {
  return mg_errf(err, faq_db_err(rc), "outbox: %s: %s", what, sqlite3_errmsg(db));
}

int bot_outbox_email_ok(const char *s) {
  const char *at;
  size_t n = s ? strlen(s) : 0;
  if (n < 3 || n > 254) return 0;
  for (const char *p = s; *p; p++)
    if ((unsigned char)*p <= ' ' || (unsigned char)*p == 0x7f || strchr("<>(),;:\"[]\\", *p)) return 0;
  at = strchr(s, '@');
  return at && at != s && !strchr(at + 1, '@') && strchr(at + 1, '.') && at[1] != '.' && s[n - 1] != '.';
}

int bot_outbox_add(sqlite3 *db, sqlite3_int64 ticket_id, const char *recipient, const char *kind, const char *secret,
               const char *at, char *err) {
  sqlite3_stmt *st;
  int rc = faq_db_stmt(db, outbox_sql[O_ADD], &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, ticket_id);
  sqlite3_bind_text(st, 2, recipient, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
  if (secret) sqlite3_bind_text(st, 4, secret, -1, SQLITE_STATIC);
  else sqlite3_bind_null(st, 4);
  sqlite3_bind_text(st, 5, at, -1, SQLITE_STATIC);
  if ((rc = sqlite3_step(st)) != SQLITE_DONE) rc = fail(db, rc, "add", err);
  else rc = 0;
  faq_db_stmt_done(st);
  return rc;
}

static json_t *col(sqlite3_stmt *st, int i) {
  const unsigned char *s = sqlite3_column_text(st, i);
  return s ? json_string((const char *)s) : json_null();
}

int bot_outbox_due(sqlite3 *db, const char *channel, time_t now, int limit, json_t **out, char *err) {
  sqlite3_stmt *st;
  char at[MG_TIMELEN];
  json_t *arr = json_array();
  int rc, s;
  *out = NULL;
  if (!arr) return mg_errf(err, MG_ENOMEM, "outbox: out of memory");
  if ((rc = faq_db_stmt(db, outbox_sql[O_DUE], &st, err))) { json_decref(arr); return rc; }
  mg_time_utc(now, at);
  sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, limit);
  sqlite3_bind_text(st, 3, channel, -1, SQLITE_STATIC);
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    json_t *o = json_pack("{s:I, s:o, s:o, s:o, s:i, s:o, s:o, s:I}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                          "recipient", col(st, 1), "kind", col(st, 2), "secret", col(st, 3),
                          "attempts", sqlite3_column_int(st, 4), "ticket_no", col(st, 5), "payload", col(st, 6),
                          "line_user", (json_int_t)sqlite3_column_int64(st, 7));
    if (!o || json_array_append_new(arr, o)) { rc = mg_errf(err, MG_ENOMEM, "outbox: out of memory"); break; }
  }
  if (!rc && s != SQLITE_DONE) rc = fail(db, s, "due", err);
  faq_db_stmt_done(st);
  if (rc) json_decref(arr);
  else *out = arr;
  return rc;
}

int bot_outbox_result(sqlite3 *db, sqlite3_int64 id, int ok, const char *why, time_t now, char *err) {
  sqlite3_stmt *st = NULL;
  char at[MG_TIMELEN], next[MG_TIMELEN];
  int rc, attempts = 0, which;
  long wait;

  mg_time_utc(now, at);
  if ((rc = bot_session_begin(db, err))) return rc;
  if ((rc = faq_db_stmt(db, outbox_sql[O_ATTEMPTS], &st, err))) goto out;
  sqlite3_bind_int64(st, 1, id);
  if (sqlite3_step(st) == SQLITE_ROW) attempts = sqlite3_column_int(st, 0);
  faq_db_stmt_done(st);
  st = NULL;
  which = ok ? O_SENT : attempts + 1 >= OUTBOX_MAX_ATTEMPTS ? O_FAILED : O_RETRY;
  wait = 30L << (attempts < 7 ? attempts : 7);
  mg_time_utc(now + (wait > 3600 ? 3600 : wait), next);
  if ((rc = faq_db_stmt(db, outbox_sql[which], &st, err))) goto out;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, ok ? at : next, -1, SQLITE_STATIC);
  if (!ok) sqlite3_bind_text(st, 3, why ? why : "", -1, SQLITE_STATIC);
  if ((rc = sqlite3_step(st)) != SQLITE_DONE) rc = fail(db, rc, "result", err);
  else rc = 0;
out:
  faq_db_stmt_done(st);
  if (rc) {
    bot_session_rollback(db);
    return rc;
  }
  return bot_session_commit(db, err);
}

int bot_outbox_of_ticket(sqlite3 *db, sqlite3_int64 ticket_id, json_t **out, char *err) {
  sqlite3_stmt *st;
  json_t *arr = json_array();
  int rc, s;
  *out = NULL;
  if (!arr) return mg_errf(err, MG_ENOMEM, "outbox: out of memory");
  if ((rc = faq_db_stmt(db, outbox_sql[O_OF_TICKET], &st, err))) { json_decref(arr); return rc; }
  sqlite3_bind_int64(st, 1, ticket_id);
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    json_t *o = json_pack("{s:o, s:o, s:i, s:o, s:o, s:o, s:o}", "kind", col(st, 0), "state", col(st, 1),
                          "attempts", sqlite3_column_int(st, 2), "last_error", col(st, 3),
                          "created_at", col(st, 4), "sent_at", col(st, 5), "channel", col(st, 6));
    if (!o || json_array_append_new(arr, o)) { rc = mg_errf(err, MG_ENOMEM, "outbox: out of memory"); break; }
  }
  if (!rc && s != SQLITE_DONE) rc = fail(db, s, "list", err);
  faq_db_stmt_done(st);
  if (rc) json_decref(arr);
  else *out = arr;
  return rc;
}

int bot_outbox_line(sqlite3 *db, const char *ticket_no, sqlite3_int64 line_user, const char *kind,
                    const char *recipient, const char *payload, const char *at, char *err) {
  sqlite3_stmt *st;
  int rc = faq_db_stmt(db, outbox_sql[O_LINE_ADD], &st, err);
  if (rc) return rc;
  if (ticket_no) sqlite3_bind_text(st, 1, ticket_no, -1, SQLITE_STATIC);
  else sqlite3_bind_null(st, 1);
  sqlite3_bind_text(st, 2, recipient, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, line_user);
  sqlite3_bind_text(st, 5, payload, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, at, -1, SQLITE_STATIC);
  if ((rc = sqlite3_step(st)) != SQLITE_DONE) rc = fail(db, rc, "add", err);
  else rc = 0;
  faq_db_stmt_done(st);
  return rc;
}

/* One statement with an id or a channel and an optional text, no result rows. */
static int run(sqlite3 *db, int which, sqlite3_int64 id, const char *channel, const char *text, char *err) {
  sqlite3_stmt *st;
  int rc = faq_db_stmt(db, outbox_sql[which], &st, err);
  if (rc) return rc;
  if (channel) sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
  else sqlite3_bind_int64(st, 1, id);
  if (text) sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
  if ((rc = sqlite3_step(st)) != SQLITE_DONE) rc = fail(db, rc, "update", err);
  else rc = 0;
  faq_db_stmt_done(st);
  return rc;
}

int bot_outbox_give_up(sqlite3 *db, sqlite3_int64 id, const char *why, time_t now, char *err) {
  sqlite3_stmt *st;
  char at[MG_TIMELEN];
  int rc;
  mg_time_utc(now, at);
  if ((rc = bot_session_begin(db, err))) return rc;
  if ((rc = faq_db_stmt(db, outbox_sql[O_FAILED], &st, err)) == 0) {
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, why ? why : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(db, sqlite3_errcode(db), "give up", err);
    faq_db_stmt_done(st);
  }
  if (rc) {
    bot_session_rollback(db);
    return rc;
  }
  return bot_session_commit(db, err);
}

int bot_outbox_hold(sqlite3 *db, sqlite3_int64 id, const char *why, char *err) {
  return run(db, O_HOLD, id, NULL, why, err);
}

int bot_outbox_release(sqlite3 *db, const char *channel, char *err) {
  return run(db, O_RELEASE, 0, channel, NULL, err);
}

int bot_outbox_held(sqlite3 *db, const char *channel, long long *n, char *err) {
  sqlite3_stmt *st;
  int rc = faq_db_stmt(db, outbox_sql[O_HELD], &st, err);
  *n = 0;
  if (rc) return rc;
  sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
  if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    *n = sqlite3_column_int64(st, 0);
    rc = 0;
  } else {
    rc = fail(db, rc, "held", err);
  }
  faq_db_stmt_done(st);
  return rc;
}
