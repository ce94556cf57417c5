/*
 * outbox.h — notices that leave the process (e-mail today; LINE later).
 *
 * A notice is written in the same transaction as the change that causes it
 * (a ticket created, a staff reply stored), so a notice is never lost and
 * never sent for a change that rolled back. One delivery thread
 * (adapters/mail.c) takes due notices, sends them and records the result:
 * sent, or another attempt later (backoff), or failed for good after
 * OUTBOX_MAX_ATTEMPTS. Staff see each ticket's notices with their state and
 * last error, never the address.
 *
 * The "received" notice carries the ticket's lookup secret (the resident's
 * link); it is kept in the row only until the notice is sent or given up,
 * then erased.
 */
#ifndef MG_OUTBOX_H
#define MG_OUTBOX_H

#include <jansson.h>
#include <sqlite3.h>
#include <time.h>

#define OUTBOX_MAX_ATTEMPTS 8

/* Queue a notice inside the caller's transaction. kind: "received" (with
 * secret) or "reply". at: the change's time (UTC, mg_time_utc). */
int bot_outbox_add(sqlite3 *db, sqlite3_int64 ticket_id, const char *recipient, const char *kind, const char *secret,
               const char *at, char *err);

/* Up to limit notices of channel ("email", "line") due at now, oldest
 * first: new JSON array of {id, recipient, kind, secret (or null),
 * attempts, ticket_no (or null), payload (or null), line_user (0 = none)}. */
int bot_outbox_due(sqlite3 *db, const char *channel, time_t now, int limit, json_t **out, char *err);

/* Record a delivery: ok, or a failure with why (no secrets in it); a
 * failure is retried at now + 30 s * 2^attempts (at most an hour) until
 * OUTBOX_MAX_ATTEMPTS. Its own transaction. */
int bot_outbox_result(sqlite3 *db, sqlite3_int64 id, int ok, const char *why, time_t now, char *err);

/* A ticket's notices for staff: new JSON array of {kind, state, attempts,
 * last_error, created_at, sent_at, channel}. A LINE push over the month's
 * quota shows here as state "held". */
int bot_outbox_of_ticket(sqlite3 *db, sqlite3_int64 ticket_id, json_t **out, char *err);

/* 1 when s looks like one deliverable address (and nothing else: no
 * spaces, line breaks, angle brackets or commas). */
int bot_outbox_email_ok(const char *s);

/* The LINE channel (adapters/line.c). bot_outbox_line queues a reply
 * (kind "line_reply", recipient the event's reply token, ticket_no NULL)
 * or a push (kind "line_push", recipient "", ticket_no the ticket it answers)
 * to line_user (line_user.id) with payload, the JSON array of LINE message
 * objects; inside the caller's transaction. The payload is erased once the
 * row is sent or given up, and the row goes with its line_user.
 * bot_outbox_hold sets a pending row aside ('held', why shown to staff)
 * while the push quota is spent; bot_outbox_release queues every held row
 * of channel again; bot_outbox_held counts them. Each its own statement. */
int bot_outbox_line(sqlite3 *db, const char *ticket_no, sqlite3_int64 line_user, const char *kind,
                    const char *recipient, const char *payload, const char *at, char *err);
int bot_outbox_hold(sqlite3 *db, sqlite3_int64 id, const char *why, char *err);
/* A row that no retry can deliver (LINE refused it: an expired reply
 * token, a malformed message) fails for good now; its own transaction. */
int bot_outbox_give_up(sqlite3 *db, sqlite3_int64 id, const char *why, time_t now, char *err);
int bot_outbox_release(sqlite3 *db, const char *channel, char *err);
int bot_outbox_held(sqlite3 *db, const char *channel, long long *n, char *err);

#endif
