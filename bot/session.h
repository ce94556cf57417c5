/*
 * session.h — chat sessions and their masked transcript, kept in SQLite.
 *
 * A session is a random, unguessable id (>= 128 bits from getrandom(2),
 * base64url) with an idle expiry. Everything a conversation needs to carry
 * from one message to the next (the last question, the choices last offered,
 * the department of the last answer) is read back from the transcript in the
 * `message` table, never kept in process memory, so a resident can reconnect
 * to any worker or any process and carry on.
 *
 * Every text stored here passes through bot_mask_text (bot/mask.h) first; the
 * caller may hand over raw text. Staff replies are the exception: they are
 * written by city staff and quote the department's own phone numbers, which
 * masking would destroy (see ticket.h).
 *
 * All functions take the caller's SQLite connection (one per worker thread)
 * and return 0 or a negative MG_E* code with err set. Times are UTC ISO-8601.
 */
#ifndef MG_SESSION_H
#define MG_SESSION_H

#include <jansson.h>
#include <sqlite3.h>
#include <time.h>

#include "faq/db.h"
#include "util/mg_time.h"

#define SESSION_IDLEN 48       /* buffer size for an id (24 chars used) */
#define SESSION_HISTORY_MAX 50 /* lines returned on resume */

/* One transcript line to append. Only role and text are required. */
typedef struct session_line {
  const char *role;          /* "resident", "bot", "staff", "system" */
  const char *kind;          /* ask, choose, escalate, feedback, answer, clarify, no_answer, ticket, staff_reply */
  const char *text;          /* raw text; masked before it is stored (except role "staff") */
  const char *faq_id;        /* ext id of the FAQ entry answered, or NULL */
  const char *decision;      /* answer | clarify | no_answer, or NULL */
  double confidence;         /* stored only when decision is set */
  const char *department_id; /* routing hint for escalation, or NULL */
  const char *rule_name;     /* the intent rule that wrote a reply, or NULL */
  const char *rule_kind;     /* its kind (emergency, handoff, ...), or NULL */
  const char *choices;       /* clarify: JSON array text [{faq_id, question}], or NULL */
  const char *safety;        /* the safety decision as JSON {level, numbers, danger, cues}, or NULL */
  int online;                /* an answer: SESSION_ONLINE it showed an online application,
                              * SESSION_COUNTER it sent the resident to a counter; 0 neither
                              * (stored as message.online 1, 0 and NULL) */
} session_line;
enum { SESSION_ONLINE = 1, SESSION_COUNTER = 2 };


/* A chat turn: the lines one client message adds to a session's transcript
 * (the resident's line and the bot's reply), written together with the
 * session's new expiry in one transaction. bot_turn_set masks and copies
 * the lines (so it runs on a worker, outside the write lock, and the turn
 * outlives the answer object the lines point into); bot_session_write_turns
 * writes one turn or a batch of turns from many residents — the group commit
 * of docs/benchmarks.md — in one transaction. */
#define BOT_TURN_MAX 2
typedef struct bot_turn {
  char session[SESSION_IDLEN];
  int ttl_hours;
  int n;                             /* lines set; 0 = nothing to write */
  session_line line[BOT_TURN_MAX];
  char *store;                       /* owns every string of line[] */
  void *reply;                       /* the caller's: the reply waiting for last_id (not owned) */
  sqlite3_int64 last_id;             /* out: message id of the last line */
  int rc;                            /* out: 0, or the MG_E* code of the failed write */
} bot_turn;

/* Copy n (<= BOT_TURN_MAX) lines into t, masking what must be masked
 * (session_append's rule). Clears t first. Only allocation can fail. */
int bot_turn_set(bot_turn *t, const char *id, int ttl_hours, const session_line *lines, int n, char *err);
void bot_turn_clear(bot_turn *t);

/* Touch each turn's session and append its lines, all in one transaction
 * under the process's write lock. Sets each turn's last_id and rc; returns
 * 0 or the error that rolled the whole batch back. */
int bot_session_write_turns(sqlite3 *db, bot_turn *const *turns, int n, char *err);

/* bot_turn_set + bot_session_write_turns for one turn: the message id of
 * the last line into *last_id (may be NULL). */
int bot_session_write(sqlite3 *db, const char *id, int ttl_hours, const session_line *lines, int n,
                  sqlite3_int64 *last_id, char *err);

/* A bearer token: 18 bytes (144 bits) from getrandom(2), base64url, 24
 * characters, into id[SESSION_IDLEN] (session ids, ticket lookup secrets).
 * session_token_ok: 1 when s has the shape of one (checked before it
 * reaches a query). */
int bot_session_random_token(char *id, char *err);
int bot_session_token_ok(const char *s);

/* Make a new session expiring ttl_hours after now; its id into id[SESSION_IDLEN]. */
int bot_session_create(sqlite3 *db, int ttl_hours, char *id, char *err);

/* Resume id when it names a session that has not expired: extends it and
 * sets *resumed = 1. Otherwise (unknown, expired, malformed) creates a new
 * session, writes its id into out_id and sets *resumed = 0. out_id may be id. */
int bot_session_resume(sqlite3 *db, const char *id, int ttl_hours, char *out_id, int *resumed, char *err);

/* Record activity: last_seen_at = now, expires_at = now + ttl. */
int bot_session_touch(sqlite3 *db, const char *id, int ttl_hours, char *err);

/* Append one line (no transaction of its own: wrap several in one with
 * session_begin/session_commit). Its message id into *msg_id (may be NULL). */
int bot_session_append(sqlite3 *db, const char *id, const session_line *line, sqlite3_int64 *msg_id, char *err);

/* Transcript writes are grouped in one BEGIN IMMEDIATE … COMMIT per client
 * message, at the connection's synchronous=NORMAL (see session.c). Begin
 * takes the process's write lock (below); commit and rollback release it.
 * A failed commit has already rolled back; rollback may still be called. */
int bot_session_begin(sqlite3 *db, char *err);
int bot_session_commit(sqlite3 *db, char *err);
void bot_session_rollback(sqlite3 *db);

/* The process's write lock: threads of one process write one at a time
 * (session.c says why). Reentrant per thread; every lock needs an unlock.
 * ticket.c holds it around its transactions. */
void bot_session_write_lock(void);
/* Readiness (GET /readyz): under the write lock, one real write transaction
 * (meta 'ready_probe' = now, committed) and room for at least one more page
 * (page_count < max_page_count). 0, or MG_EFULL/MG_EBUSY/MG_EDB with err. */
int bot_session_write_probe(sqlite3 *db, char *err);

/* A session id is the bearer token that resumes a resident's chat, so it
 * never leaves the resident's side. Staff see this instead: "S-" and 12 hex
 * digits of a BLAKE2b hash of the id — stable (the same conversation has
 * the same reference), short, and not reversible. out: SESSION_REFLEN. */
#define SESSION_REFLEN 16
void bot_session_ref(const char *id, char *out);
void bot_session_write_unlock(void);

/* A resident asked that what the city holds about them be erased
 * (個人情報保護法): delete the session's transcript and feedback, inside
 * the caller's transaction (ticket_erase). */
int bot_session_erase(sqlite3 *db, const char *id, char *err);

/* The last `limit` resident/bot/staff lines, oldest first, as a new JSON
 * array of {role, text, at, kind} plus, where known, faq_id, rule_kind and
 * (for an answer) department {id, name, phone, email, hours, location}, so
 * a resumed chat can draw its answers as they were (caller json_decref's it). */
int bot_session_history(sqlite3 *db, const char *id, int limit, json_t **out, char *err);

/* A stored line read back. Strings are owned by the struct: free with
 * session_msg_clear. Absent columns are NULL. */
typedef struct session_msg {
  sqlite3_int64 id;
  char *role, *kind, *text, *faq_id, *decision, *department_id, *rule_name, *rule_kind, *choices;
  double confidence;
  char at[MG_TIMELEN];
} session_msg;
void bot_session_msg_clear(session_msg *m);

/* The newest line of this session matching role and (when non-NULL) kind,
 * optionally only lines with id < before (0 = no bound). MG_ENOTFOUND when none. */
int bot_session_last(sqlite3 *db, const char *id, const char *role, const char *kind, sqlite3_int64 before,
                 session_msg *out, char *err);
/* The line msg_id if it belongs to session id; MG_ENOTFOUND otherwise. */
int bot_session_get(sqlite3 *db, const char *id, sqlite3_int64 msg_id, session_msg *out, char *err);
/* The first bot line after resident line msg_id (its reply); MG_ENOTFOUND when none. */
int bot_session_reply_to(sqlite3 *db, const char *id, sqlite3_int64 msg_id, session_msg *out, char *err);

/* Delete the sessions that ended (expires_at) more than retention_days ago,
 * with their transcripts (ON DELETE CASCADE); feedback and tickets stay,
 * detached (session_id NULL). How many sessions went into *deleted (may be
 * NULL). The server calls this from a daily timer; the privacy notice
 * promises it. */
int bot_session_purge(sqlite3 *db, int retention_days, int *deleted, char *err);


/* Store feedback on answer line answer_id (comment and question are masked).
 * From a public FAQ page there is no chat: id NULL and answer_id 0 store
 * the feedback on entry faq_id alone. Call inside session_begin/commit. */
int bot_session_feedback(sqlite3 *db, const char *id, sqlite3_int64 answer_id, const char *faq_id, int helpful,
                     const char *comment, const char *question, char *err);
/* All feedback ever stored, helpful and not, for monitoring (the /metrics
 * scrape). Rows outlive their sessions (session_purge keeps them), so the
 * counts only fall when a person's data is erased (session_erase). */
int bot_feedback_counts(sqlite3 *db, long long *helpful, long long *unhelpful, char *err);

#endif
