/*
 * stats.h — what the conversation's tables add up to: the console's
 * statistics (GET /admin/stats, docs/admin-api.md) and the row counts that
 * `madoguchi check` prints after faq_db_check's.
 *
 * The numbers come from bot's own tables (the transcript in message,
 * feedback, ticket, ticket_event); the names shown beside them (an entry's
 * question, a department's name) from faq/store.h, whose tables they are.
 * Days are Asia/Tokyo days (UTC+9, no daylight saving time): from and to
 * are Tokyo dates, turned into UTC bounds inside SQL.
 */
#ifndef MG_BOT_STATS_H
#define MG_BOT_STATS_H

#include <jansson.h>
#include <sqlite3.h>

/* The statistics of the Tokyo days from..to (YYYY-MM-DD, both included). */
typedef struct bot_stats {
  json_t *days;           /* [{day, questions, answered, clarified, no_answer, escalated, helpful,
                           * not_helpful}], the days with any, in order */
  json_t *top_questions;  /* [{faq_id, question, count}]: the entries answered most ("" for
                           * the question of one no longer published) */
  json_t *top_unanswered; /* [{text, count}]: the questions most often left without an answer */
  json_t *departments;    /* [{id, name, answered, tickets, open_tickets, avg_first_reply_seconds
                           * (null when none was answered), reroutes}], by id, the departments
                           * with anything to count */
  long long totals[7];    /* the days' sums, in the order of days' fields (questions … not_helpful) */
  long long online;       /* answers that showed an online application (message.online) */
  long long counter;      /* answers that sent the resident to a counter */
} bot_stats;

/* Fill *out (top lists at most top_n long). The arrays are new; free them
 * with bot_stats_clear, also after an error. */
int bot_stats_read(sqlite3 *db, const char *from, const char *to, int top_n, bot_stats *out, char *err);
void bot_stats_clear(bot_stats *s);

/* Call line for the row count of each of bot's main tables (tickets, ticket
 * messages, sessions, messages, staff accounts, audit rows): the number, or
 * "error: " and SQLite's message. */
void bot_db_counts(sqlite3 *db, void (*line)(void *ctx, const char *what, const char *result), void *ctx);

/* The number of published FAQ entries into *n (-1 on error), for GET
 * /healthz: 0, or MG_EDB with err set. */
int bot_published_count(sqlite3 *db, long long *n, char *err);

#endif
