/*
 * line_store.h — what the LINE channel keeps (the line_* tables, migration 16).
 *
 * A LINE user id ("U" and 32 hex digits) names a person: it is kept raw in
 * line_user.user_id_raw only, because the push API needs it, and read back
 * only by the delivery thread (bot_line_raw). Everything else — logs, the
 * table's own key — uses a keyed BLAKE2b of it (bot_line_hash) whose key is
 * random per database (meta 'line_hash_key'), so the hash cannot be
 * recomputed from a user id by anyone without the database. No console API
 * reads these tables. The retention purge and a ticket's erasure delete the
 * user's row, which takes its sessions' mapping and queued deliveries with
 * it (ON DELETE CASCADE).
 *
 * Each LINE user talks through an ordinary chat session (bot/session.h),
 * so the transcript is masked and expires exactly like the widget's;
 * line_session remembers every session the user has had, so a staff reply
 * to a ticket opened in an expired session still reaches them.
 *
 * All functions take the caller's connection and return 0 or MG_E* with
 * err set. Those that write run in their own transaction unless they say
 * "inside the caller's transaction".
 */
#ifndef MG_BOT_LINE_STORE_H
#define MG_BOT_LINE_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <time.h>

#define BOT_LINE_HASHLEN 33   /* 128-bit keyed BLAKE2b, hex, NUL */
#define BOT_LINE_IDLEN 64     /* a LINE user id with room (33 characters used) */

/* The keyed hash of user_id into out[BOT_LINE_HASHLEN]; makes the key on
 * first use. */
int bot_line_hash(sqlite3 *db, const char *user_id, char *out, char *err);

/* Remember a webhook event id: *fresh = 1 the first time, 0 when the
 * platform sends it again (a redelivery, or a retry after a timeout), which
 * is then not answered a second time. Inside the caller's transaction. */
int bot_line_event(sqlite3 *db, const char *event_id, time_t now, int *fresh, char *err);

/* The user's row, made when new (followed again, last seen now): its id
 * into *id and its current session id into session[slen] ("" = none).
 * Inside the caller's transaction. */
int bot_line_user(sqlite3 *db, const char *user_id, const char *hash, time_t now, sqlite3_int64 *id,
                  char *session, size_t slen, char *err);

/* The user's current session is session (a new one after the last expired),
 * and session belongs to the user. Inside the caller's transaction. */
int bot_line_set_session(sqlite3 *db, sqlite3_int64 id, const char *session, char *err);

/* The user blocked the account (unfollow): nothing is pushed to them any
 * more. Inside the caller's transaction. */
int bot_line_unfollow(sqlite3 *db, const char *hash, char *err);

/* The raw user id of line_user id into out[BOT_LINE_IDLEN] and whether the
 * user still follows: MG_ENOTFOUND when erased. For the delivery thread only. */
int bot_line_raw(sqlite3 *db, sqlite3_int64 id, char *out, int *followed, char *err);

/* The LINE user a session belongs to into *id (0 when none). */
int bot_line_of_session(sqlite3 *db, const char *session, sqlite3_int64 *id, char *err);

/* Pushes counted in the Asia/Tokyo month of now ("YYYY-MM") into *n;
 * bot_line_push_counted adds one (its own statement). */
int bot_line_pushes(sqlite3 *db, time_t now, long long *n, char *err);
int bot_line_push_counted(sqlite3 *db, time_t now, char *err);

/* Retention: users not seen for retention_days (their raw id and sessions'
 * mapping go), and event ids older than a week. How many users went into
 * *deleted (may be NULL). */
int bot_line_purge(sqlite3 *db, int retention_days, time_t now, int *deleted, char *err);

/* A personal-information erasure: the LINE user session belonged to, if
 * any, is deleted (raw id, mapping, queued deliveries). Inside the
 * caller's transaction (ticket_erase). */
int bot_line_erase_session(sqlite3 *db, const char *session, char *err);

#endif
