/*
 * metrics.h — the numbers behind GET /metrics (Prometheus text format 0.0.4).
 *
 * Three kinds of number, each read where it is cheapest:
 *
 *  - What happens in the process (questions answered, how long they took,
 *    database failures) is counted where it happens, on whatever thread,
 *    in C11 atomics: one relaxed increment on the hot path, no lock. The
 *    scrape reads them; a reader may see one counter a moment before
 *    another, never a torn value.
 *  - What the service thread keeps anyway (open connections, the job
 *    queue) is read when the page is written, on that thread.
 *  - What the database knows (tickets per department, feedback) is read at
 *    scrape time by a worker with its own connection, never by the service
 *    thread (srv_metrics_write_db).
 *
 * This header is the part that needs no lws: counting and the text format,
 * so tests/t_metrics.c checks it directly. The listener (a vhost of its own,
 * the scrape's job) is declared with the rest of adapters/ in server.h.
 */
#ifndef MG_METRICS_H
#define MG_METRICS_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

typedef struct srv_metrics srv_metrics;

/* The process's counters, zero; start time now. Free with srv_metrics_free. */
int srv_metrics_new(srv_metrics **out, char *err);
void srv_metrics_free(srv_metrics *m);

/* One answer object a resident was shown. decision "answer", "clarify" or
 * "no_answer"; rule_kind its rule.kind, NULL when no rule wrote it (counted
 * as "faq"); a kind that is not a rule kind of bot/rules.c counts as
 * "other", so label values stay a fixed set. Returns 1 when counted, 0 for
 * any other decision (so a caller may pass every reply's type). Any thread. */
int srv_metrics_question(srv_metrics *m, const char *decision, const char *rule_kind);
/* One question's time from its arrival to its reply, in microseconds. Any thread. */
void srv_metrics_answer_time(srv_metrics *m, int64_t us);
/* One database failure (a worker job, the checkpointer). Any thread. */
void srv_metrics_db_error(srv_metrics *m);
/* One transaction of the transcript writer with this many turns. Any thread. */
void srv_metrics_transcript_batch(srv_metrics *m, int turns);
/* 1 when rc (MG_E*) is a database failure: database, storage_full or busy
 * (on a worker, busy is SQLite's lock wait running out). */
int srv_metrics_db_failed(int rc);

/* A growing text buffer; oom is set (and text kept) when an append failed.
 * Zero-initialise; release text with srv_metrics_buf_free. */
typedef struct srv_metrics_buf {
  char *text;                 /* NUL-terminated, NULL until the first append */
  size_t len, cap;
  int oom;
} srv_metrics_buf;
void srv_metrics_printf(srv_metrics_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A label value between its quotes, escaped as the format wants: backslash,
 * double quote and line feed become \\, \" and \n. */
void srv_metrics_label(srv_metrics_buf *b, const char *value);
/* A family's "# HELP" and "# TYPE" lines. */
void srv_metrics_head(srv_metrics_buf *b, const char *name, const char *type, const char *help);
void srv_metrics_buf_free(srv_metrics_buf *b);

/* What the service thread reads for the page. */
typedef struct srv_metrics_gauges {
  unsigned chat_conns;        /* open chat WebSockets */
  unsigned http_conns;        /* open TCP connections to the chat port that are not chats */
  unsigned queue_depth;       /* jobs waiting for a chat worker */
} srv_metrics_gauges;

/* The process's families into b: build info, start time, questions,
 * answer time, open connections, queue depth, database failures. */
void srv_metrics_write(srv_metrics *m, const srv_metrics_gauges *g, srv_metrics_buf *b);
/* The database's families into b: tickets by department and state (c,
 * answer_days and now decide what is overdue, as ticket_overdue does) and
 * feedback. Reads only. Returns 0, or MG_E* with err set and nothing
 * appended. */
struct cal;
int srv_metrics_write_db(sqlite3 *db, const struct cal *c, int answer_days, time_t now, srv_metrics_buf *b, char *err);

#endif
