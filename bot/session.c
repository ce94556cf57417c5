/*
 * session.c — sessions and the masked transcript (see session.h).
 *
 * Durability trade-off. A chat message costs a share of one small write
 * transaction (touch the session, the resident's line, the bot's line; the
 * server's transcript writer puts many residents' turns in one). Those commits run
 * at the connection's synchronous=NORMAL: in WAL mode a commit then reaches
 * the WAL file but is not fsync'ed until the next checkpoint, so a power cut
 * (not a process crash) can lose the last transcript lines — never corrupt
 * the database. That is the price of thousands of answered questions per
 * second on one disk, and a lost transcript line costs the resident nothing:
 * the answer was already on their screen. Tickets and staff replies are
 * different — a resident is told "受付番号 T-…" or a staff reply is marked
 * delivered only after a commit at synchronous=FULL (ticket.c), because
 * losing those would break a promise made to a person.
 *
 * A full disk (SQLITE_FULL) must cost the residents of that moment their
 * transcript lines, never the server: SQLite may already have rolled the
 * whole transaction back when a statement or the COMMIT fails, so whether
 * the write lock is still ours is tracked here (tx_open), not inferred from
 * sqlite3_get_autocommit. session_rollback always releases it; the next
 * write simply tries again, and succeeds once space returns.
 *
 * Session ids are 18 bytes (144 bits) from getrandom(2), base64url without
 * padding: 24 characters. Resuming checks the expiry in SQL, so an expired
 * session is never revived, and a malformed id never reaches a query.
 */
#include "bot/session.h"
#include "util/mg_time.h"

#include "bot/mask.h"
#include "faq/store.h"
#include "util/mg_err.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sys/random.h>

enum {
  S_CREATE,
  S_RESUME,
  S_TOUCH,
  S_TOUCH_TURN,
  S_APPEND,
  S_HISTORY,
  S_LAST,
  S_GET,
  S_REPLY_TO,
  S_FEEDBACK,
  S_BEGIN,
  S_COMMIT,
  S_PURGE,
  S_ERASE_MESSAGES,
  S_ERASE_FEEDBACK,
  S_FEEDBACK_COUNTS,
  S_N
};

#define MSG_COLS "id, role, kind, text, faq_id, decision, confidence, department_id, rule_name, rule_kind, choices, created_at"

static const char *const session_sql[S_N] = {
  [S_ERASE_MESSAGES] = "DELETE FROM message WHERE session_id = ?1",
  [S_ERASE_FEEDBACK] = "DELETE FROM feedback WHERE session_id = ?1",
  [S_CREATE] = "INSERT INTO session(id, created_at, last_seen_at, expires_at) VALUES (?1, ?2, ?2, ?3)",
  /* Extends the session only while it is still valid: changes() tells. */
  [S_RESUME] = "UPDATE session SET last_seen_at = ?2, expires_at = ?3 WHERE id = ?1 AND expires_at > ?2",
  [S_TOUCH] = "UPDATE session SET last_seen_at = ?2, expires_at = ?3 WHERE id = ?1",
  /* a turn moves the times on only when the last move is a minute old: a
   * chat's every answer rewrote the session's row and its expiry index */
  [S_TOUCH_TURN] = "UPDATE session SET last_seen_at = ?2, expires_at = ?3 WHERE id = ?1 AND last_seen_at < ?4",
  [S_APPEND] = "INSERT INTO message(session_id, role, kind, text, faq_id, decision, confidence, department_id,"
               " rule_name, rule_kind, choices, created_at, safety, online)"
               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
  /* the answer's department comes along, so a resumed chat shows its card again */
  [S_HISTORY] = "SELECT role, text, created_at, kind, faq_id, rule_kind,"
                " CASE WHEN kind = 'answer' AND decision = 'answer' THEN department_id END"
                " FROM (SELECT id, role, text, created_at, kind, faq_id, rule_kind, department_id, decision FROM message"
                " WHERE session_id = ?1 AND role IN ('resident', 'bot', 'staff') ORDER BY id DESC LIMIT ?2) ORDER BY id",
  [S_LAST] = "SELECT " MSG_COLS " FROM message WHERE session_id = ?1 AND role = ?2 AND (?3 IS NULL OR kind = ?3)"
             " AND (?4 = 0 OR id < ?4) ORDER BY id DESC LIMIT 1",
  [S_GET] = "SELECT " MSG_COLS " FROM message WHERE session_id = ?1 AND id = ?2",
  [S_REPLY_TO] = "SELECT " MSG_COLS " FROM message WHERE session_id = ?1 AND id > ?2 AND role = 'bot'"
                 " ORDER BY id LIMIT 1",
  [S_FEEDBACK] = "INSERT INTO feedback(session_id, answer_id, faq_id, helpful, comment, question, created_at)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  [S_FEEDBACK_COUNTS] = "SELECT CAST(total(helpful = 1) AS INTEGER), CAST(total(helpful = 0) AS INTEGER) FROM feedback",
  [S_BEGIN] = "BEGIN IMMEDIATE",
  [S_COMMIT] = "COMMIT",
  [S_PURGE] = "DELETE FROM session WHERE expires_at < ?1",
};


static int prep(sqlite3 *db, int which, sqlite3_stmt **st, char *err) {
  return faq_db_stmt(db, session_sql[which], st, err);
}

/* Seconds a session's times may lag its last turn (so it may expire that
 * much early: nothing against hours). */
#define TOUCH_EVERY 60

static void times(int ttl_hours, char *now, char *expires) {
  time_t t = time(NULL);
  mg_time_utc(t, now);
  mg_time_utc(t + (time_t)(ttl_hours > 0 ? ttl_hours : 1) * 3600, expires);
}

int bot_session_random_token(char *id, char *err) {
  static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned char raw[18];
  size_t got = 0;
  while (got < sizeof raw) {
    ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return mg_errf(err, MG_EIO, "session: getrandom: %s", strerror(errno));
    }
    got += (size_t)n;
  }
  /* 18 bytes = 6 groups of 3 bytes = 24 characters, no padding. */
  for (int i = 0, o = 0; i < 18; i += 3) {
    unsigned v = (unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8 | raw[i + 2];
    id[o++] = b64[v >> 18 & 63];
    id[o++] = b64[v >> 12 & 63];
    id[o++] = b64[v >> 6 & 63];
    id[o++] = b64[v & 63];
    id[o] = '\0';
  }
  return 0;
}

/* Only our own alphabet and length may reach a query. */
int bot_session_token_ok(const char *id) {
  size_t n = id ? strlen(id) : 0;
  if (n < 22 || n >= SESSION_IDLEN) return 0;
  for (size_t i = 0; i < n; i++)
    if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", id[i])) return 0;
  return 1;
}

static int step_done(sqlite3 *db, sqlite3_stmt *st, const char *what, char *err) {
  int rc = sqlite3_step(st);
  if (rc == SQLITE_DONE) return 0;
  return mg_errf(err, faq_db_err(rc), "session: %s: %s", what, sqlite3_errmsg(db));
}

static void write_lock(sqlite3 *db) {
  bot_session_write_lock();
  faq_db_full_hook(db);
}

/* The id reaches *id only once its row is stored: a failed insert must not
 * leave the connection holding a session that does not exist. */
int bot_session_create(sqlite3 *db, int ttl_hours, char *id, char *err) {
  sqlite3_stmt *st = NULL;
  char now[MG_TIMELEN], exp[MG_TIMELEN], fresh[SESSION_IDLEN];
  int rc;
  if ((rc = bot_session_random_token(fresh, err)) != 0) return rc;
  if ((rc = prep(db, S_CREATE, &st, err)) != 0) return rc;
  times(ttl_hours, now, exp);
  sqlite3_bind_text(st, 1, fresh, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, exp, -1, SQLITE_STATIC);
  write_lock(db);
  rc = step_done(db, st, "create", err);
  bot_session_write_unlock();
  faq_db_stmt_done(st);
  if (rc == 0) memcpy(id, fresh, strlen(fresh) + 1);
  return rc;
}

static int update_times(sqlite3 *db, int which, const char *id, int ttl_hours, int *changed, char *err) {
  sqlite3_stmt *st = NULL;
  char now[MG_TIMELEN], exp[MG_TIMELEN], stale[MG_TIMELEN];
  int rc;
  if ((rc = prep(db, which, &st, err)) != 0) return rc;
  times(ttl_hours, now, exp);
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, exp, -1, SQLITE_STATIC);
  if (which == S_TOUCH_TURN) {
    mg_time_utc(time(NULL) - TOUCH_EVERY, stale);
    sqlite3_bind_text(st, 4, stale, -1, SQLITE_STATIC);
  }
  write_lock(db);
  rc = step_done(db, st, "touch", err);
  bot_session_write_unlock();
  if (rc == 0 && changed) *changed = sqlite3_changes(db);
  faq_db_stmt_done(st);
  return rc;
}

int bot_session_resume(sqlite3 *db, const char *id, int ttl_hours, char *out_id, int *resumed, char *err) {
  int changed = 0, rc;
  *resumed = 0;
  if (bot_session_token_ok(id)) {
    if ((rc = update_times(db, S_RESUME, id, ttl_hours, &changed, err)) != 0) return rc;
    if (changed == 1) {
      if (out_id != id) memmove(out_id, id, strlen(id) + 1);
      *resumed = 1;
      return 0;
    }
  }
  return bot_session_create(db, ttl_hours, out_id, err);
}

int bot_session_touch(sqlite3 *db, const char *id, int ttl_hours, char *err) {
  return update_times(db, S_TOUCH, id, ttl_hours, NULL, err);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s) {
  if (s) sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
  else sqlite3_bind_null(st, i);
}

/* Staff write replies to residents; everything else may hold personal data. */
static int needs_mask(const session_line *l) { return strcmp(l->role, "staff") != 0; }

/* Insert l with its text as given (already masked where it must be). */
static int insert_line(sqlite3 *db, const char *id, const session_line *l, sqlite3_int64 *msg_id, char *err) {
  sqlite3_stmt *st = NULL;
  char now[MG_TIMELEN];
  int rc;
  if ((rc = prep(db, S_APPEND, &st, err)) != 0) return rc;
  mg_time_utc(time(NULL), now);
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, l->role, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, l->kind ? l->kind : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, l->text ? l->text : "", -1, SQLITE_STATIC);
  bind_opt(st, 5, l->faq_id);
  bind_opt(st, 6, l->decision);
  if (l->decision) sqlite3_bind_double(st, 7, l->confidence);
  else sqlite3_bind_null(st, 7);
  bind_opt(st, 8, l->department_id);
  bind_opt(st, 9, l->rule_name);
  bind_opt(st, 10, l->rule_kind);
  bind_opt(st, 11, l->choices);
  sqlite3_bind_text(st, 12, now, -1, SQLITE_STATIC);
  bind_opt(st, 13, l->safety);
  if (l->online == SESSION_ONLINE || l->online == SESSION_COUNTER) sqlite3_bind_int(st, 14, l->online == SESSION_ONLINE);
  else sqlite3_bind_null(st, 14);
  if ((rc = step_done(db, st, "append", err)) == 0 && msg_id) *msg_id = sqlite3_last_insert_rowid(db);
  faq_db_stmt_done(st);
  return rc;
}

int bot_session_append(sqlite3 *db, const char *id, const session_line *l, sqlite3_int64 *msg_id, char *err) {
  session_line masked = *l;
  char *m = NULL;
  int rc;
  if (needs_mask(l)) {
    const char *text = l->text ? l->text : "";
    if (!(m = bot_mask_text(text, strlen(text)))) return mg_errf(err, MG_ENOMEM, "session: mask: out of memory");
    masked.text = m;
  }
  rc = insert_line(db, id, &masked, msg_id, err);
  free(m);
  return rc;
}

/* --- turns and the group commit ------------------------------------------- */

void bot_turn_clear(bot_turn *t) {
  free(t->store);
  memset(t, 0, sizeof *t);
}

/* The string fields of a line, in one order for sizing and copying. */
#define LINE_STRS(l) { &(l)->role, &(l)->kind, &(l)->text, &(l)->faq_id, &(l)->decision, &(l)->department_id, \
                       &(l)->rule_name, &(l)->rule_kind, &(l)->choices, &(l)->safety }
enum { LINE_NSTR = 10 };

int bot_turn_set(bot_turn *t, const char *id, int ttl_hours, const session_line *lines, int n, char *err) {
  char *masked[BOT_TURN_MAX] = { NULL }, *p;
  size_t need = 0;
  int rc = 0;
  bot_turn_clear(t);
  if (n < 0 || n > BOT_TURN_MAX || strlen(id) >= sizeof t->session)
    return mg_errf(err, MG_EINVAL, "session: a turn takes at most %d lines", BOT_TURN_MAX);
  for (int i = 0; i < n; i++) {
    t->line[i] = lines[i];
    if (needs_mask(&lines[i])) {
      const char *text = lines[i].text ? lines[i].text : "";
      if (!(masked[i] = bot_mask_text(text, strlen(text)))) { rc = mg_errf(err, MG_ENOMEM, "session: mask: out of memory"); goto out; }
      t->line[i].text = masked[i];
    }
    const char **f[] = LINE_STRS(&t->line[i]);
    for (int k = 0; k < LINE_NSTR; k++) need += *f[k] ? strlen(*f[k]) + 1 : 0;
  }
  if (!(t->store = p = malloc(need ? need : 1))) { rc = mg_errf(err, MG_ENOMEM, "session: out of memory"); goto out; }
  for (int i = 0; i < n; i++) {
    const char **f[] = LINE_STRS(&t->line[i]);
    for (int k = 0; k < LINE_NSTR; k++) {
      if (!*f[k]) continue;
      size_t len = strlen(*f[k]) + 1;
      memcpy(p, *f[k], len);
      *f[k] = p;
      p += len;
    }
  }
  memcpy(t->session, id, strlen(id) + 1);
  t->ttl_hours = ttl_hours;
  t->n = n;
out:
  for (int i = 0; i < BOT_TURN_MAX; i++) free(masked[i]);
  if (rc) bot_turn_clear(t);
  return rc;
}

int bot_session_write_turns(sqlite3 *db, bot_turn *const *turns, int n, char *err) {
  int rc;
  if ((rc = bot_session_begin(db, err)) != 0) goto out;
  for (int i = 0; i < n && rc == 0; i++) {
    bot_turn *t = turns[i];
    if ((rc = update_times(db, S_TOUCH_TURN, t->session, t->ttl_hours, NULL, err)) != 0) break;
    for (int k = 0; k < t->n && rc == 0; k++) rc = insert_line(db, t->session, &t->line[k], &t->last_id, err);
  }
  if (rc == 0) rc = bot_session_commit(db, err);
  if (rc != 0) bot_session_rollback(db);
out:
  for (int i = 0; i < n; i++) {
    turns[i]->rc = rc;
    if (rc) turns[i]->last_id = 0;
  }
  return rc;
}

int bot_session_write(sqlite3 *db, const char *id, int ttl_hours, const session_line *lines, int n,
                  sqlite3_int64 *last_id, char *err) {
  bot_turn t = { .n = 0 }, *one = &t;
  int rc = bot_turn_set(&t, id, ttl_hours, lines, n, err);
  if (rc == 0) rc = bot_session_write_turns(db, &one, 1, err);
  if (rc == 0 && last_id) *last_id = t.last_id;
  bot_turn_clear(&t);
  return rc;
}

static int exec(sqlite3 *db, int which, char *err) {
  sqlite3_stmt *st;
  int rc = prep(db, which, &st, err);
  if (rc) return rc;
  rc = step_done(db, st, session_sql[which], err);
  faq_db_stmt_done(st);
  return rc;
}

/* --- one writer at a time in this process --------------------------------
 *
 * Worker threads of this process queue for writes on the database's one
 * write lock (faq/db.h faq_db_write_lock explains why); the count makes it
 * reentrant per thread. */
static __thread int write_held;
static __thread int tx_open;   /* session_begin took the lock; rollback/commit give it back */

void bot_session_write_lock(void) {
  if (write_held++ == 0) faq_db_write_lock();
}

void bot_session_write_unlock(void) {
  if (write_held > 0 && --write_held == 0) faq_db_write_unlock();
}

int bot_session_begin(sqlite3 *db, char *err) {
  int rc;
  write_lock(db);
  if ((rc = exec(db, S_BEGIN, err)) != 0) bot_session_write_unlock();
  else tx_open = 1;
  return rc;
}

int bot_session_commit(sqlite3 *db, char *err) {
  int rc = exec(db, S_COMMIT, err);
  if (rc != 0) bot_session_rollback(db);
  else if (tx_open) {
    tx_open = 0;
    bot_session_write_unlock();
  }
  return rc;
}

/* Safe to call twice (after a failed commit): the second call finds nothing
 * to do. Releases the lock even when SQLite already rolled back by itself
 * (SQLITE_FULL, SQLITE_NOMEM, SQLITE_IOERR end the whole transaction). */
void bot_session_rollback(sqlite3 *db) {
  if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  if (tx_open) {
    tx_open = 0;
    bot_session_write_unlock();
  }
}

void bot_session_ref(const char *id, char *out) {
  static const unsigned char key[] = "madoguchi session reference v1";
  unsigned char h[6];
  crypto_generichash(h, sizeof h, (const unsigned char *)id, strlen(id), key, sizeof key - 1);
  snprintf(out, SESSION_REFLEN, "S-%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2], h[3], h[4], h[5]);
}

int bot_session_write_probe(sqlite3 *db, char *err) {
  char now[MG_TIMELEN];
  int rc;
  mg_time_utc(time(NULL), now);
  if ((rc = bot_session_begin(db, err)) != 0) return rc;
  if ((rc = faq_meta_put(db, "ready_probe", now, err)) != 0) {
    bot_session_rollback(db);
    return rc == MG_EDB ? mg_errf(err, faq_db_err(sqlite3_errcode(db)), "ready: %s", sqlite3_errmsg(db)) : rc;
  }
  if (faq_db_int(db, "PRAGMA page_count") >= faq_db_int(db, "PRAGMA max_page_count")) {
    bot_session_rollback(db);
    return mg_errf(err, MG_EFULL, "ready: the database may not grow (max_page_count reached)");
  }
  return bot_session_commit(db, err);
}

int bot_session_history(sqlite3 *db, const char *id, int limit, json_t **out, char *err) {
  sqlite3_stmt *st = NULL;
  json_t *arr = json_array();
  int rc, s;
  if (!arr) return mg_errf(err, MG_ENOMEM, "session: out of memory");
  if ((rc = prep(db, S_HISTORY, &st, err)) != 0) goto out;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, limit);
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    json_t *line = json_pack("{s:s, s:s, s:s, s:s}", "role", (const char *)sqlite3_column_text(st, 0),
                             "text", (const char *)sqlite3_column_text(st, 1),
                             "at", (const char *)sqlite3_column_text(st, 2),
                             "kind", (const char *)sqlite3_column_text(st, 3));
    if (!line || json_array_append_new(arr, line) != 0) { rc = mg_errf(err, MG_ENOMEM, "session: out of memory"); goto out; }
    if (sqlite3_column_text(st, 4)) json_object_set_new(line, "faq_id", json_string((const char *)sqlite3_column_text(st, 4)));
    if (sqlite3_column_text(st, 5)) json_object_set_new(line, "rule_kind", json_string((const char *)sqlite3_column_text(st, 5)));
    if (sqlite3_column_text(st, 6)) {
      /* the card from faq/ (none when the department was removed since) */
      mg_department d;
      if ((rc = faq_department_get(db, (const char *)sqlite3_column_text(st, 6), &d, err)) == MG_ENOTFOUND) rc = 0;
      else if (rc != 0) goto out;
      else json_object_set_new(line, "department", json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", d.id, "name", d.name,
                                                             "phone", d.phone, "email", d.email, "hours", d.hours,
                                                             "location", d.location));
      faq_department_clear(&d);
    }
  }
  if (s != SQLITE_DONE) rc = mg_errf(err, MG_EDB, "session: history: %s", sqlite3_errmsg(db));
out:
  faq_db_stmt_done(st);
  if (rc == 0) *out = arr;
  else json_decref(arr);
  return rc;
}

void bot_session_msg_clear(session_msg *m) {
  free(m->role);
  free(m->kind);
  free(m->text);
  free(m->faq_id);
  free(m->decision);
  free(m->department_id);
  free(m->rule_name);
  free(m->rule_kind);
  free(m->choices);
  memset(m, 0, sizeof *m);
}

static int col_dup(sqlite3_stmt *st, int i, char **out) {
  const unsigned char *s = sqlite3_column_text(st, i);
  *out = NULL;
  if (!s) return 0;
  return (*out = strdup((const char *)s)) ? 0 : -1;
}

/* Step a statement selecting MSG_COLS into m. */
static int read_msg(sqlite3 *db, sqlite3_stmt *st, session_msg *m, char *err) {
  int s = sqlite3_step(st), bad = 0;
  memset(m, 0, sizeof *m);
  if (s == SQLITE_DONE) return mg_errf(err, MG_ENOTFOUND, "session: no such message");
  if (s != SQLITE_ROW) return mg_errf(err, MG_EDB, "session: read: %s", sqlite3_errmsg(db));
  m->id = sqlite3_column_int64(st, 0);
  bad |= col_dup(st, 1, &m->role);
  bad |= col_dup(st, 2, &m->kind);
  bad |= col_dup(st, 3, &m->text);
  bad |= col_dup(st, 4, &m->faq_id);
  bad |= col_dup(st, 5, &m->decision);
  m->confidence = sqlite3_column_double(st, 6);
  bad |= col_dup(st, 7, &m->department_id);
  bad |= col_dup(st, 8, &m->rule_name);
  bad |= col_dup(st, 9, &m->rule_kind);
  bad |= col_dup(st, 10, &m->choices);
  snprintf(m->at, sizeof m->at, "%s", sqlite3_column_text(st, 11) ? (const char *)sqlite3_column_text(st, 11) : "");
  if (bad) {
    bot_session_msg_clear(m);
    return mg_errf(err, MG_ENOMEM, "session: out of memory");
  }
  return 0;
}

int bot_session_last(sqlite3 *db, const char *id, const char *role, const char *kind, sqlite3_int64 before,
                 session_msg *out, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  memset(out, 0, sizeof *out);
  if ((rc = prep(db, S_LAST, &st, err)) != 0) return rc;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
  bind_opt(st, 3, kind);
  sqlite3_bind_int64(st, 4, before);
  rc = read_msg(db, st, out, err);
  faq_db_stmt_done(st);
  return rc;
}

int bot_session_get(sqlite3 *db, const char *id, sqlite3_int64 msg_id, session_msg *out, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  memset(out, 0, sizeof *out);
  if ((rc = prep(db, S_GET, &st, err)) != 0) return rc;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, msg_id);
  rc = read_msg(db, st, out, err);
  faq_db_stmt_done(st);
  return rc;
}

int bot_session_reply_to(sqlite3 *db, const char *id, sqlite3_int64 msg_id, session_msg *out, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  memset(out, 0, sizeof *out);
  if ((rc = prep(db, S_REPLY_TO, &st, err)) != 0) return rc;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, msg_id);
  rc = read_msg(db, st, out, err);
  faq_db_stmt_done(st);
  return rc;
}

int bot_session_feedback(sqlite3 *db, const char *id, sqlite3_int64 answer_id, const char *faq_id, int helpful,
                     const char *comment, const char *question, char *err) {
  sqlite3_stmt *st = NULL;
  char now[MG_TIMELEN];
  char *mc = NULL, *mq = NULL;
  int rc;
  comment = comment ? comment : "";
  question = question ? question : "";
  if (!(mc = bot_mask_text(comment, strlen(comment))) || !(mq = bot_mask_text(question, strlen(question)))) {
    rc = mg_errf(err, MG_ENOMEM, "session: mask: out of memory");
    goto out;
  }
  if ((rc = prep(db, S_FEEDBACK, &st, err)) != 0) goto out;
  mg_time_utc(time(NULL), now);
  bind_opt(st, 1, id);
  if (answer_id > 0) sqlite3_bind_int64(st, 2, answer_id);
  else sqlite3_bind_null(st, 2);
  bind_opt(st, 3, faq_id);
  sqlite3_bind_int(st, 4, helpful ? 1 : 0);
  sqlite3_bind_text(st, 5, mc, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, mq, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
  rc = step_done(db, st, "feedback", err);
out:
  faq_db_stmt_done(st);
  free(mc);
  free(mq);
  return rc;
}

int bot_feedback_counts(sqlite3 *db, long long *helpful, long long *unhelpful, char *err) {
  sqlite3_stmt *st = NULL;
  int rc = prep(db, S_FEEDBACK_COUNTS, &st, err), s;
  *helpful = *unhelpful = 0;
  if (rc) return rc;
  if ((s = sqlite3_step(st)) == SQLITE_ROW) {
    *helpful = sqlite3_column_int64(st, 0);
    *unhelpful = sqlite3_column_int64(st, 1);
  } else {
    rc = mg_errf(err, faq_db_err(s), "session: feedback counts: %s", sqlite3_errmsg(db));
  }
  faq_db_stmt_done(st);
  return rc;
}

int bot_session_purge(sqlite3 *db, int retention_days, int *deleted, char *err) {
  sqlite3_stmt *st = NULL;
  char cutoff[MG_TIMELEN];
  int rc;
  if (deleted) *deleted = 0;
  if (retention_days < 1) return mg_errf(err, MG_EINVAL, "session: retention_days must be at least 1");
  if ((rc = prep(db, S_PURGE, &st, err)) != 0) return rc;
  mg_time_utc(time(NULL) - (time_t)retention_days * 86400, cutoff);
  sqlite3_bind_text(st, 1, cutoff, -1, SQLITE_STATIC);
  write_lock(db);
  rc = step_done(db, st, "purge", err);
  bot_session_write_unlock();
  if (rc == 0 && deleted) *deleted = sqlite3_changes(db);
  faq_db_stmt_done(st);
  return rc;
}

int bot_session_erase(sqlite3 *db, const char *id, char *err) {
  for (int q = S_ERASE_FEEDBACK; q >= S_ERASE_MESSAGES; q--) {
    sqlite3_stmt *st = NULL;
    int rc = prep(db, q, &st, err);
    if (rc) return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    rc = step_done(db, st, "erase", err);
    faq_db_stmt_done(st);
    if (rc) return rc;
  }
  return 0;
}
