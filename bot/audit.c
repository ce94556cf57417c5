/*
 * audit.c — writing and reading the append-only audit log.
 *
 * Rows are only ever inserted; the schema's triggers make UPDATE and DELETE
 * fail, so the log cannot be edited after the fact even by a bug here.
 * Statements are prepared per call: the log is written a few times a minute
 * by people, not per question, and callers pass connections of different
 * worker threads.
 */
#include "bot/audit.h"
#include "util/mg_err.h"

#include <stdlib.h>
#include <string.h>

enum { S_INSERT, S_LIST, S_TOTAL, S_COUNT };
static const char *const sql[S_COUNT] = {
  [S_INSERT] = "INSERT INTO audit_log(at, actor, action, target, detail, before_json, after_json)"
               " VALUES(strftime('%Y-%m-%dT%H:%M:%SZ','now'), ?1, ?2, ?3, ?4, ?5, ?6)",
  /* ?5 actor, ?6/?7 first and last day in Asia/Tokyo (at is UTC) */
#define AUDIT_WHERE " WHERE (?1 IS NULL OR substr(action, 1, length(?1)) = ?1) AND (?2 IS NULL OR target = ?2)" \
                    " AND (?5 IS NULL OR actor = ?5) AND (?6 IS NULL OR date(at, '+9 hours') >= ?6)" \
                    " AND (?7 IS NULL OR date(at, '+9 hours') <= ?7)"
  [S_LIST] = "SELECT id, at, actor, action, target, detail, before_json, after_json FROM audit_log" AUDIT_WHERE
             " ORDER BY id DESC LIMIT ?3 OFFSET ?4",
  [S_TOTAL] = "SELECT count(*) FROM audit_log" AUDIT_WHERE,
#undef AUDIT_WHERE
};

static int prep(sqlite3 *db, int which, sqlite3_stmt **st, char *err) {
  if (sqlite3_prepare_v2(db, sql[which], -1, st, NULL) != SQLITE_OK)
    return mg_errf(err, MG_EDB, "audit: %s", sqlite3_errmsg(db));
  return 0;
}

/* Bind a JSON value as compact text, or NULL. */
static int bind_json(sqlite3_stmt *st, int i, json_t *v) {
  char *s;
  int rc;
  if (!v) return sqlite3_bind_null(st, i);
  s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
  if (!s) return SQLITE_NOMEM;
  rc = sqlite3_bind_text(st, i, s, -1, free);
  return rc;
}

int bot_audit_write(sqlite3 *db, const char *actor, const char *action, const char *target, json_t *before,
                json_t *after, const char *detail, char *err) {
  sqlite3_stmt *st = NULL;
  int rc = prep(db, S_INSERT, &st, err);
  if (rc) return rc;
  if (sqlite3_bind_text(st, 1, actor ? actor : "system", -1, SQLITE_STATIC) != SQLITE_OK ||
      sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC) != SQLITE_OK ||
      sqlite3_bind_text(st, 3, target ? target : "", -1, SQLITE_STATIC) != SQLITE_OK ||
      sqlite3_bind_text(st, 4, detail ? detail : "", -1, SQLITE_STATIC) != SQLITE_OK ||
      bind_json(st, 5, before) != SQLITE_OK || bind_json(st, 6, after) != SQLITE_OK) {
    rc = mg_errf(err, MG_ENOMEM, "audit: binding values failed");
    goto out;
  }
  if (sqlite3_step(st) != SQLITE_DONE) rc = mg_errf(err, MG_EDB, "audit: %s", sqlite3_errmsg(db));
out:
  sqlite3_finalize(st);
  return rc;
}

/* A stored JSON column back as a value (null when absent or unreadable). */
static json_t *col_json(sqlite3_stmt *st, int i) {
  const char *s = (const char *)sqlite3_column_text(st, i);
  json_t *v = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
  return v ? v : json_null();
}

static json_t *col_str(sqlite3_stmt *st, int i) {
  const char *s = (const char *)sqlite3_column_text(st, i);
  return json_string(s ? s : "");
}

int bot_audit_list(sqlite3 *db, const char *action_prefix, const char *target, int limit, json_t **out, char *err) {
  return bot_audit_page(db, action_prefix, target, 0, limit, out, NULL, err);
}

static void bind_filter(sqlite3_stmt *st, const audit_filter *f) {
  const char *v[] = { f->action_prefix, f->target, NULL, NULL, f->actor, f->from, f->to };
  for (int i = 0; i < 7; i++)
    if (v[i]) sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
}

int bot_audit_page(sqlite3 *db, const char *action_prefix, const char *target, int offset, int limit, json_t **out,
               int *total, char *err) {
  audit_filter f = { .action_prefix = action_prefix, .target = target };
  return bot_audit_find(db, &f, offset, limit, out, total, err);
}

int bot_audit_find(sqlite3 *db, const audit_filter *f, int offset, int limit, json_t **out, int *total, char *err) {
  sqlite3_stmt *st = NULL;
  json_t *arr = json_array();
  int rc, step;
  *out = NULL;
  if (!arr) return mg_errf(err, MG_ENOMEM, "audit: out of memory");
  if (total) {
    if ((rc = prep(db, S_TOTAL, &st, err))) goto out;
    bind_filter(st, f);
    *total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    st = NULL;
  }
  if ((rc = prep(db, S_LIST, &st, err))) goto out;
  bind_filter(st, f);
  sqlite3_bind_int(st, 3, limit > 0 ? limit : 100);
  sqlite3_bind_int(st, 4, offset > 0 ? offset : 0);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    json_t *row = json_pack("{sI so so so so so so so}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                            "at", col_str(st, 1), "actor", col_str(st, 2), "action", col_str(st, 3),
                            "target", col_str(st, 4), "detail", col_str(st, 5), "before", col_json(st, 6),
                            "after", col_json(st, 7));
    if (!row || json_array_append_new(arr, row)) { rc = mg_errf(err, MG_ENOMEM, "audit: out of memory"); goto out; }
  }
  if (step != SQLITE_DONE) { rc = mg_errf(err, MG_EDB, "audit: %s", sqlite3_errmsg(db)); goto out; }
  *out = arr;
  arr = NULL;
out:
  sqlite3_finalize(st);
  json_decref(arr);
  return rc;
}
