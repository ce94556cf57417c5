/*
 * stats.c — the console's statistics and bot's row counts (stats.h).
 *
 * Each table of the statistics is one statement over bot's tables, with
 * the date range bound as ?1/?2 (Tokyo dates, RANGE turns them into UTC
 * bounds) and the length of a top list as ?3. What belongs to faq/ is
 * looked up afterwards through faq/store.h: the question of each top entry
 * (faq_question), and the departments, listed in id order
 * (faq_department_list), each shown with its counts when it has any — so a
 * department that was removed since is not shown, as before the counts
 * left faq's tables.
 */
#include "bot/stats.h"
#include "faq/db.h"
#include "faq/store.h"
#include "util/mg_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RANGE(col) " " col " >= strftime('%Y-%m-%dT%H:%M:%SZ', ?1, '-9 hours')" \
                   " AND " col " < strftime('%Y-%m-%dT%H:%M:%SZ', ?2, '+1 day', '-9 hours')"

enum { B_DAYS, B_TOP_Q, B_TOP_UNANSWERED, B_DEPTS, B_ONLINE, B_N };
static const char *const stats_sql[B_N] = {
  [B_DAYS] =
    "WITH m AS (SELECT date(created_at, '+9 hours') AS day,"
    "   sum(role = 'resident' AND kind = 'ask') AS questions,"
    "   sum(role = 'bot' AND decision = 'answer') AS answered,"
    "   sum(role = 'bot' AND decision = 'clarify') AS clarified,"
    "   sum(role = 'bot' AND decision = 'no_answer') AS no_answer"
    "   FROM message WHERE" RANGE("created_at") " GROUP BY 1),"
    " t AS (SELECT date(created_at, '+9 hours') AS day, count(*) AS escalated FROM ticket"
    "   WHERE" RANGE("created_at") " GROUP BY 1),"
    " f AS (SELECT date(created_at, '+9 hours') AS day, sum(helpful = 1) AS helpful, sum(helpful = 0) AS not_helpful"
    "   FROM feedback WHERE" RANGE("created_at") " GROUP BY 1)"
    " SELECT days.day, coalesce(m.questions, 0), coalesce(m.answered, 0), coalesce(m.clarified, 0),"
    "   coalesce(m.no_answer, 0), coalesce(t.escalated, 0), coalesce(f.helpful, 0), coalesce(f.not_helpful, 0)"
    " FROM (SELECT day FROM m UNION SELECT day FROM t UNION SELECT day FROM f) AS days"
    " LEFT JOIN m USING(day) LEFT JOIN t USING(day) LEFT JOIN f USING(day) ORDER BY days.day",
  [B_TOP_Q] = "SELECT faq_id, count(*) FROM message"
              " WHERE role = 'bot' AND decision = 'answer' AND coalesce(faq_id, '') <> '' AND" RANGE("created_at")
              " GROUP BY faq_id ORDER BY 2 DESC, 1 LIMIT ?3",
  [B_TOP_UNANSWERED] =
    "SELECT q.text, count(*) FROM message b JOIN message q ON q.id = (SELECT max(x.id) FROM message x"
    "   WHERE x.session_id = b.session_id AND x.id < b.id AND x.role = 'resident' AND x.kind = 'ask')"
    " WHERE b.role = 'bot' AND b.decision = 'no_answer' AND" RANGE("b.created_at")
    " GROUP BY q.text ORDER BY 2 DESC, 1 LIMIT ?3",
  /* per department id that has anything; the names are faq's */
  [B_DEPTS] =
    "WITH a AS (SELECT department_id AS id, count(*) AS answered FROM message"
    "   WHERE role = 'bot' AND decision = 'answer' AND" RANGE("created_at") " GROUP BY 1),"
    " t AS (SELECT department_id AS id, count(*) AS tickets,"
    "   CAST(avg(strftime('%s', first_reply_at) - strftime('%s', created_at)) AS INTEGER) AS reply"
    "   FROM ticket WHERE" RANGE("created_at") " GROUP BY 1),"
    " o AS (SELECT department_id AS id, count(*) AS open FROM ticket WHERE status <> 'closed' GROUP BY 1),"
    /* たらい回し: tickets a department passed on to another, the number to drive down */
    " r AS (SELECT from_department AS id, count(*) AS reroutes FROM ticket_event"
    "   WHERE action = 'reassign' AND" RANGE("at") " GROUP BY 1)"
    " SELECT k.id, coalesce(a.answered, 0), coalesce(t.tickets, 0), coalesce(o.open, 0),"
    "   coalesce(t.reply, -1), coalesce(r.reroutes, 0)"
    " FROM (SELECT id FROM a UNION SELECT id FROM t UNION SELECT id FROM o UNION SELECT id FROM r) AS k"
    " LEFT JOIN a ON a.id = k.id LEFT JOIN t ON t.id = k.id LEFT JOIN o ON o.id = k.id"
    " LEFT JOIN r ON r.id = k.id WHERE k.id IS NOT NULL",
  /* answers that showed an online application versus sent to a counter (message.online) */
  [B_ONLINE] = "SELECT coalesce(sum(online = 1), 0), coalesce(sum(online = 0), 0) FROM message"
               " WHERE role = 'bot' AND online IS NOT NULL AND" RANGE("created_at"),
};

static int fail(sqlite3 *db, int s, char *err) {
  return mg_errf(err, faq_db_err(s), "stats: %s", sqlite3_errmsg(db));
}

/* Statement which with the date range (and the top list's length) bound. */
static int stmt(sqlite3 *db, int which, const char *from, const char *to, int top_n, sqlite3_stmt **st, char *err) {
  int rc = faq_db_stmt(db, stats_sql[which], st, err);
  if (rc) return rc;
  sqlite3_bind_text(*st, 1, from, -1, SQLITE_STATIC);
  sqlite3_bind_text(*st, 2, to, -1, SQLITE_STATIC);
  if (sqlite3_bind_parameter_count(*st) >= 3) sqlite3_bind_int(*st, 3, top_n);
  return 0;
}

static const char *col(sqlite3_stmt *st, int i) {
  const char *s = (const char *)sqlite3_column_text(st, i);
  return s ? s : "";
}

static int days(sqlite3 *db, sqlite3_stmt *st, bot_stats *out, char *err) {
  int s;
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    long long v[7];
    for (int i = 0; i < 7; i++) out->totals[i] += v[i] = sqlite3_column_int64(st, i + 1);
    json_array_append_new(out->days, json_pack("{ss sI sI sI sI sI sI sI}", "day", col(st, 0), "questions", v[0],
                                               "answered", v[1], "clarified", v[2], "no_answer", v[3], "escalated",
                                               v[4], "helpful", v[5], "not_helpful", v[6]));
  }
  return s == SQLITE_DONE ? 0 : fail(db, s, err);
}

static int top_questions(sqlite3 *db, sqlite3_stmt *st, bot_stats *out, char *err) {
  int s, rc = 0;
  while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
    char *q = NULL;
    if ((rc = faq_question(db, col(st, 0), &q, err)) == MG_ENOTFOUND) rc = 0;   /* no longer published: "" */
    if (rc == 0)
      json_array_append_new(out->top_questions, json_pack("{ss ss sI}", "faq_id", col(st, 0), "question", q ? q : "",
                                                          "count", (json_int_t)sqlite3_column_int64(st, 1)));
    free(q);
  }
  return rc ? rc : s == SQLITE_DONE ? 0 : fail(db, s, err);
}

static int top_unanswered(sqlite3 *db, sqlite3_stmt *st, bot_stats *out, char *err) {
  int s;
  while ((s = sqlite3_step(st)) == SQLITE_ROW)
    json_array_append_new(out->top_unanswered, json_pack("{ss sI}", "text", col(st, 0), "count",
                                                         (json_int_t)sqlite3_column_int64(st, 1)));
  return s == SQLITE_DONE ? 0 : fail(db, s, err);
}

/* faq_department_list's callback: the department with its counts (ctx[0],
 * by id) appended to ctx[1], when it has any. */
static int department_row(void *ctx, const mg_department *d) {
  json_t **c = ctx, *n = json_object_get(c[0], d->id);
  json_int_t answered = json_integer_value(json_array_get(n, 0)), tickets = json_integer_value(json_array_get(n, 1)),
             open = json_integer_value(json_array_get(n, 2)), reply = json_integer_value(json_array_get(n, 3)),
             reroutes = json_integer_value(json_array_get(n, 4));
  if (!answered && !tickets && !open && !reroutes) return 0;
  return json_array_append_new(c[1], json_pack("{ss ss sI sI sI so sI}", "id", d->id, "name", d->name, "answered",
                                               answered, "tickets", tickets, "open_tickets", open,
                                               "avg_first_reply_seconds", reply >= 0 ? json_integer(reply) : json_null(),
                                               "reroutes", reroutes))
           ? MG_ENOMEM : 0;
}

static int departments(sqlite3 *db, sqlite3_stmt *st, bot_stats *out, char *err) {
  json_t *by = json_object(), *ctx[2] = { by, out->departments };
  int s, rc;
  if (!by) return mg_errf(err, MG_ENOMEM, "stats: out of memory");
  while ((s = sqlite3_step(st)) == SQLITE_ROW)
    json_object_set_new(by, col(st, 0), json_pack("[IIIII]", (json_int_t)sqlite3_column_int64(st, 1),
                                                  (json_int_t)sqlite3_column_int64(st, 2),
                                                  (json_int_t)sqlite3_column_int64(st, 3),
                                                  (json_int_t)sqlite3_column_int64(st, 4),
                                                  (json_int_t)sqlite3_column_int64(st, 5)));
  rc = s == SQLITE_DONE ? 0 : fail(db, s, err);
  if (rc == 0 && (rc = faq_department_list(db, department_row, ctx, err)) == MG_ENOMEM)
    mg_errf(err, MG_ENOMEM, "stats: out of memory");
  json_decref(by);
  return rc;
}

static int online(sqlite3 *db, sqlite3_stmt *st, bot_stats *out, char *err) {
  int s = sqlite3_step(st);
  if (s != SQLITE_ROW) return fail(db, s, err);
  out->online = sqlite3_column_int64(st, 0);
  out->counter = sqlite3_column_int64(st, 1);
  return 0;
}

int bot_stats_read(sqlite3 *db, const char *from, const char *to, int top_n, bot_stats *out, char *err) {
  static int (*const readers[B_N])(sqlite3 *, sqlite3_stmt *, bot_stats *, char *) = {
    [B_DAYS] = days, [B_TOP_Q] = top_questions, [B_TOP_UNANSWERED] = top_unanswered,
    [B_DEPTS] = departments, [B_ONLINE] = online,
  };
  int rc = 0;
  memset(out, 0, sizeof *out);
  out->days = json_array();
  out->top_questions = json_array();
  out->top_unanswered = json_array();
  out->departments = json_array();
  if (!out->days || !out->top_questions || !out->top_unanswered || !out->departments)
    return mg_errf(err, MG_ENOMEM, "stats: out of memory");
  for (int q = 0; rc == 0 && q < B_N; q++) {
    sqlite3_stmt *st = NULL;
    if ((rc = stmt(db, q, from, to, top_n, &st, err)) == 0) rc = readers[q](db, st, out, err);
    faq_db_stmt_done(st);
  }
  return rc;
}

void bot_stats_clear(bot_stats *s) {
  json_decref(s->days);
  json_decref(s->top_questions);
  json_decref(s->top_unanswered);
  json_decref(s->departments);
  memset(s, 0, sizeof *s);
}

int bot_published_count(sqlite3 *db, long long *n, char *err) { return faq_published_count(db, n, err); }

void bot_db_counts(sqlite3 *db, void (*line)(void *ctx, const char *what, const char *result), void *ctx) {
  static const struct { const char *what, *sql; } counts[] = {
    { "tickets", "SELECT count(*) FROM ticket" },
    { "ticket messages", "SELECT count(*) FROM ticket_reply" },
    { "sessions", "SELECT count(*) FROM session" },
    { "messages", "SELECT count(*) FROM message" },
    { "staff accounts", "SELECT count(*) FROM user" },
    { "audit rows", "SELECT count(*) FROM audit_log" },
  };
  char buf[512], err[MG_ERRLEN];
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
    if (faq_db_text(db, counts[i].sql, NULL, buf, sizeof buf, err) != 0)
      snprintf(buf, sizeof buf, "error: %s", sqlite3_errmsg(db));
    line(ctx, counts[i].what, buf);
  }
}
