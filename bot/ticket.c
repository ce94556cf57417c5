/*
 * ticket.c — the staff ticket table (see ticket.h for the contract).
 *
 * Numbers. T-YYYYMMDD-NNNN takes the date in Asia/Tokyo (cal_date_jst) and
 * the sequence from ticket_seq, one row per Tokyo day, bumped with an upsert
 * inside the creating transaction: two processes creating tickets at once
 * serialise on BEGIN IMMEDIATE and can never draw the same number, and
 * deleting a ticket never frees its number.
 *
 * Durability. Every function that changes a ticket raises the connection to
 * synchronous=FULL for its one transaction and restores the previous level
 * afterwards (the chat's transcript runs at NORMAL, see session.c): the
 * commit is on disk before the caller tells anybody.
 *
 * Threads. After the question, ticket_reply holds the conversation both
 * ways (side staff or resident). The resident proves who they are with the
 * chat session that opened the ticket or with the lookup secret shown to
 * them once at escalation; only the secret's BLAKE2b hash is stored, and an
 * unknown number and a wrong proof fail alike (MG_ENOTICKET).
 *
 * Personal data. The question and the resident's later lines are masked
 * (bot/mask.h); the contact is kept as the resident typed it, because staff
 * must be able to call back. Each
 * ticket_get writes an audit_log row before it reads, in the same
 * transaction, so no read of a transcript or contact goes unrecorded.
 */
#include "bot/ticket.h"
#include "bot/line_store.h"
#include "util/mg_time.h"

#include "bot/audit.h"
#include "bot/calendar.h"
#include "bot/mask.h"
#include "util/mg_err.h"
#include "bot/outbox.h"
#include "bot/session.h"
#include "faq/store.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  T_SEQ,
  T_INSERT,
  T_EVENT,
  T_FIND,
  T_REPLY,
  T_ANSWERED,
  T_CLOSE,
  T_REASSIGN,
  T_LIST,
  T_GET,
  T_TRANSCRIPT,
  T_REPLIES,
  T_EVENTS,
  T_PENDING,
  T_DELIVER,
  T_PENDING_SESSIONS,
  T_SESSION_COUNT,
  T_PAGE,
  T_PAGE_TOTAL,
  T_AUTH,
  T_RESIDENT_LINE,
  T_REOPEN,
  T_THREAD_HEAD,
  T_THREAD_LINES,
  T_INBOX,
  T_PERSON,
  T_ERASE,
  T_ERASE_LINES,
  T_ERASE_OUTBOX,
  T_ERASE_INQUIRY,
  T_ERASE_EXAMPLES,
  T_NOTE,
  T_NOTES,
  T_ASSIGN,
  T_CANNED_LIST,
  T_CANNED_ADD,
  T_CANNED_SET,
  T_CANNED_DEL,
  T_OWED,
  T_COUNTS,
  T_READ,
  T_READ_END,
  T_REASSIGNS,
  T_N
};

/* The department's name is faq's (row_summary reads it through faq/store.h). */
#define LIST_COLS "t.ticket_no, t.status, t.department_id, t.routed_by, t.question, t.contact <> '', " \
                  "t.created_at, t.first_reply_at, t.closed_at, t.assignee"

static const char *const ticket_sql[T_N] = {
  [T_SESSION_COUNT] = "SELECT count(*) FROM ticket WHERE session_id = ?1",
  /* the inbox, oldest first (worked in the order residents asked); dates
   * ?3/?4 are Asia/Tokyo days, created_at is UTC */
#define PAGE_WHERE " WHERE (?1 IS NULL OR t.status = ?1) AND (?2 IS NULL OR t.department_id = ?2)" \
                   " AND (?3 IS NULL OR date(t.created_at, '+9 hours') >= ?3)" \
                   " AND (?4 IS NULL OR date(t.created_at, '+9 hours') <= ?4)"
  [T_PAGE] = "SELECT " LIST_COLS " FROM ticket t" PAGE_WHERE
             " ORDER BY t.id LIMIT ?5 OFFSET ?6",
  [T_PAGE_TOTAL] = "SELECT count(*) FROM ticket t" PAGE_WHERE,
#undef PAGE_WHERE
  [T_SEQ] = "INSERT INTO ticket_seq(day, n) VALUES (?1, 1) ON CONFLICT(day) DO UPDATE SET n = n + 1 RETURNING n",
  [T_INSERT] = "INSERT INTO ticket(ticket_no, session_id, question, department_id, routed_by, status, contact,"
               " created_at, lookup_hash, notify_email) VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6, ?7, ?8, ?9)",
  [T_AUTH] = "SELECT id, status, session_id, lookup_hash, closed_at FROM ticket WHERE ticket_no = ?1",
  [T_RESIDENT_LINE] = "INSERT INTO ticket_reply(ticket_id, author, text, created_at, delivered_at, side)"
                      " VALUES (?1, 'resident', ?2, ?3, ?3, 'resident')",
  [T_REOPEN] = "UPDATE ticket SET status = 'open' WHERE id = ?1 AND status = 'answered'",
  [T_THREAD_HEAD] = "SELECT ticket_no, status, created_at, closed_at, question, department_id FROM ticket WHERE id = ?1",
  [T_THREAD_LINES] = "SELECT side, text, created_at FROM ticket_reply WHERE ticket_id = ?1 ORDER BY id",
  [T_PERSON] = "SELECT ticket_no, contact, coalesce(notify_email, ''), session_id FROM ticket"
               " WHERE ticket_no = ?1 OR contact <> '' OR notify_email IS NOT NULL ORDER BY id",
  [T_ERASE] = "UPDATE ticket SET question = '（削除済み）', contact = '', notify_email = NULL, lookup_hash = NULL,"
              " session_id = NULL WHERE id = ?1",
  [T_ERASE_LINES] = "UPDATE ticket_reply SET text = '（削除済み）' WHERE ticket_id = ?1",
  [T_ERASE_OUTBOX] = "DELETE FROM outbox WHERE ticket_id = ?1",
  /* an inquiry's subject and its triage examples are the resident's words too;
   * its Message-IDs stay, so the same mail imported again is not a new ticket */
  [T_ERASE_INQUIRY] = "UPDATE inquiry SET subject = '' WHERE ticket_id = ?1",
  [T_ERASE_EXAMPLES] = "DELETE FROM triage_example WHERE ticket_id = ?1",
  [T_NOTE] = "INSERT INTO ticket_note(ticket_id, author, text, created_at) VALUES (?1, ?2, ?3, ?4)",
  [T_NOTES] = "SELECT author, text, created_at FROM ticket_note WHERE ticket_id = ?1 ORDER BY id",
  [T_ASSIGN] = "UPDATE ticket SET assignee = ?2 WHERE id = ?1",
  [T_CANNED_LIST] = "SELECT id, title, text, updated_at, updated_by FROM canned_reply WHERE department_id = ?1"
                    " ORDER BY title, id",
  [T_CANNED_ADD] = "INSERT INTO canned_reply(department_id, title, text, updated_at, updated_by)"
                   " VALUES (?1, ?2, ?3, ?4, ?5)",
  [T_CANNED_SET] = "UPDATE canned_reply SET title = ?2, text = ?3, updated_at = ?4, updated_by = ?5"
                   " WHERE id = ?6 AND department_id = ?1",
  [T_CANNED_DEL] = "DELETE FROM canned_reply WHERE id = ?2 AND department_id = ?1",
  [T_OWED] = "SELECT " LIST_COLS ", CASE WHEN t.first_reply_at IS NULL THEN t.created_at ELSE"
             " coalesce((SELECT min(r.created_at) FROM ticket_reply r WHERE r.ticket_id = t.id AND r.side = 'resident'"
             " AND r.id > (SELECT coalesce(max(s.id), 0) FROM ticket_reply s WHERE s.ticket_id = t.id AND s.side = 'staff')),"
             " t.created_at) END"
             " FROM ticket t WHERE t.status = 'open' AND (?1 IS NULL OR t.department_id = ?1) ORDER BY t.id",
  /* per department, "" for tickets routed to none (bot_ticket_counts adds
   * the departments without any); the index on status serves it */
  [T_COUNTS] = "SELECT coalesce(department_id, ''), CAST(total(status = 'open') AS INTEGER),"
               " CAST(total(status = 'answered') AS INTEGER) FROM ticket WHERE status IN ('open', 'answered')"
               " GROUP BY 1 ORDER BY 1",
  /* every reassignment, for the chain of departments each ticket went through */
  [T_REASSIGNS] = "SELECT t.ticket_no, coalesce(e.from_department, ''), coalesce(e.to_department, '')"
                  " FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id WHERE e.action = 'reassign' ORDER BY e.id",
  [T_READ] = "BEGIN",
  [T_READ_END] = "COMMIT",
  [T_INBOX] = "SELECT (SELECT coalesce(max(id), 0) FROM ticket_event),"
              " (SELECT count(*) FROM ticket WHERE status = 'open' AND (?1 IS NULL OR department_id = ?1)),"
              " (SELECT count(*) FROM ticket WHERE status = 'answered' AND (?1 IS NULL OR department_id = ?1))",
  [T_EVENT] = "INSERT INTO ticket_event(ticket_id, at, actor, action, from_department, to_department, reason)"
              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  [T_FIND] = "SELECT id, status, department_id, notify_email FROM ticket WHERE ticket_no = ?1",
  [T_REPLY] = "INSERT INTO ticket_reply(ticket_id, author, text, created_at) VALUES (?1, ?2, ?3, ?4)",
  [T_ANSWERED] = "UPDATE ticket SET status = 'answered', first_reply_at = coalesce(first_reply_at, ?2) WHERE id = ?1",
  [T_CLOSE] = "UPDATE ticket SET status = 'closed', closed_at = ?2 WHERE id = ?1",
  [T_REASSIGN] = "UPDATE ticket SET department_id = ?2 WHERE id = ?1",
  [T_LIST] = "SELECT " LIST_COLS " FROM ticket t"
             " WHERE (?1 IS NULL OR t.status = ?1) AND (?2 IS NULL OR t.department_id = ?2)"
             " ORDER BY t.id DESC LIMIT ?3",
  [T_GET] = "SELECT " LIST_COLS ", t.id, t.session_id, t.contact FROM ticket t WHERE t.ticket_no = ?1",
  /* per turn what staff need to judge the bot: the entry, the decision and
   * confidence, the rule, and the resident's last feedback on the answer */
  [T_TRANSCRIPT] = "SELECT m.role, m.kind, m.text, m.created_at, m.rule_kind, m.safety, m.faq_id, m.decision,"
                   " round(m.confidence, 3), m.rule_name,"
                   " (SELECT f.helpful FROM feedback f WHERE f.answer_id = m.id ORDER BY f.id DESC LIMIT 1)"
                   " FROM message m WHERE m.session_id = ?1 ORDER BY m.id",
  [T_REPLIES] = "SELECT author, text, created_at, delivered_at, side FROM ticket_reply WHERE ticket_id = ?1 ORDER BY id",
  [T_EVENTS] = "SELECT at, actor, action, from_department, to_department, reason FROM ticket_event"
               " WHERE ticket_id = ?1 ORDER BY id",
  [T_PENDING] = "SELECT r.id, t.ticket_no, r.text, r.created_at FROM ticket t JOIN ticket_reply r ON r.ticket_id = t.id"
                " WHERE t.session_id = ?1 AND r.delivered_at IS NULL ORDER BY r.id",
  [T_DELIVER] = "UPDATE ticket_reply SET delivered_at = ?2 WHERE id = ?1 AND delivered_at IS NULL",
  [T_PENDING_SESSIONS] = "SELECT DISTINCT t.session_id FROM ticket_reply r JOIN ticket t ON t.id = r.ticket_id"
                         " WHERE r.delivered_at IS NULL AND t.session_id IS NOT NULL",
};

/* Cached per thread like session.c's: the server asks for pending replies
 * of every connected session whenever the database changes. */
static int prep(sqlite3 *db, int which, sqlite3_stmt **st, char *err) {
  return faq_db_stmt(db, ticket_sql[which], st, err);
}

int bot_ticket_count_session(sqlite3 *db, const char *session_id, int *n, char *err) {
  sqlite3_stmt *st = NULL;
  int rc = prep(db, T_SESSION_COUNT, &st, err);
  *n = 0;
  if (rc) return rc;
  sqlite3_bind_text(st, 1, session_id, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW) *n = sqlite3_column_int(st, 0);
  else rc = mg_errf(err, MG_EDB, "ticket count: %s", sqlite3_errmsg(db));
  faq_db_stmt_done(st);
  return rc;
}

static int db_fail(sqlite3 *db, int rc, const char *what, char *err) {
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return mg_errf(err, MG_EBUSY, "ticket: %s: database busy", what);
  if ((rc & 0xff) == SQLITE_FULL) return mg_errf(err, MG_EFULL, "ticket: %s: %s", what, sqlite3_errmsg(db));
  if ((rc & 0xff) == SQLITE_CONSTRAINT) return mg_errf(err, MG_EINVAL, "ticket: %s: %s", what, sqlite3_errmsg(db));
  return mg_errf(err, MG_EDB, "ticket: %s: %s", what, sqlite3_errmsg(db));
}

static int step_done(sqlite3 *db, sqlite3_stmt *st, const char *what, char *err) {
  int rc = sqlite3_step(st);
  return rc == SQLITE_DONE ? 0 : db_fail(db, rc, what, err);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s) {
  if (s) sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
  else sqlite3_bind_null(st, i);
}

void bot_ticket_day_prefix(time_t t, char *buf) {
  char day[9];
  bot_cal_date_jst(t, day); /* the one definition of the Tokyo date (calendar.h) */
  snprintf(buf, 12, "T-%.8s-", day);
}

/* --- transactions at synchronous=FULL ----------------------------------- */

typedef struct tx {
  int sync;  /* the level to restore, or -1 */
} tx;

/* Put synchronous back as it was before tx_begin and release the write lock. */
static void restore_sync(sqlite3 *db, const tx *t) {
  if (t->sync >= 0) {
    char pragma[40];
    snprintf(pragma, sizeof pragma, "PRAGMA synchronous=%d", t->sync);
    sqlite3_exec(db, pragma, NULL, NULL, NULL);
  }
  bot_session_write_unlock();
}

static int tx_begin(sqlite3 *db, tx *t, int full, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  t->sync = -1;
  if (!sqlite3_get_autocommit(db)) return mg_errf(err, MG_EINVAL, "ticket: called inside a transaction");
  bot_session_write_lock();
  faq_db_full_hook(db);
  if (full) {
    if (sqlite3_prepare_v2(db, "PRAGMA synchronous", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      t->sync = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (t->sync < 0 || sqlite3_exec(db, "PRAGMA synchronous=FULL", NULL, NULL, NULL) != SQLITE_OK) {
      bot_session_write_unlock();
      return mg_errf(err, MG_EDB, "ticket: synchronous=FULL: %s", sqlite3_errmsg(db));
    }
  }
  if ((rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK) {
    rc = db_fail(db, rc, "begin", err);
    restore_sync(db, t);
    return rc;
  }
  return 0;
}

/* Commit when rc is 0, else roll back; restore synchronous. Returns rc or the commit's error. */
static int tx_end(sqlite3 *db, tx *t, int rc, char *err) {
  if (rc == 0) {
    int c = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (c != SQLITE_OK) rc = db_fail(db, c, "commit", err);
  }
  if (rc != 0 && !sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  restore_sync(db, t);
  return rc;
}

/* --- shared steps -------------------------------------------------------- */

typedef struct found {
  sqlite3_int64 id;
  char status[12];
  char department[64];
  int has_department;
  char notify[256];           /* "" = no e-mail notices */
} found;

static int find(sqlite3 *db, const char *ticket_no, found *f, char *err) {
  sqlite3_stmt *st;
  int rc = prep(db, T_FIND, &st, err), s;
  if (rc) return rc;
  memset(f, 0, sizeof *f);
  sqlite3_bind_text(st, 1, ticket_no ? ticket_no : "", -1, SQLITE_STATIC);
  s = sqlite3_step(st);
  if (s == SQLITE_ROW) {
    f->id = sqlite3_column_int64(st, 0);
    snprintf(f->status, sizeof f->status, "%s", (const char *)sqlite3_column_text(st, 1));
    if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
      f->has_department = 1;
      snprintf(f->department, sizeof f->department, "%s", (const char *)sqlite3_column_text(st, 2));
    }
    if (sqlite3_column_text(st, 3)) snprintf(f->notify, sizeof f->notify, "%s", (const char *)sqlite3_column_text(st, 3));
  } else if (s == SQLITE_DONE) {
    rc = mg_errf(err, MG_ENOTFOUND, "ticket %s: no such ticket", ticket_no ? ticket_no : "");
  } else {
    rc = db_fail(db, s, "find", err);
  }
  faq_db_stmt_done(st);
  return rc;
}

int bot_ticket_route(sqlite3 *db, const char *ticket_no, char *dept, size_t dsize, char *status, size_t ssize, char *err) {
  found f;
  int rc = find(db, ticket_no, &f, err);
  if (rc) return rc;
  snprintf(dept, dsize, "%s", f.department);
  snprintf(status, ssize, "%s", f.status);
  return 0;
}

static int event(sqlite3 *db, sqlite3_int64 id, const char *at, const char *actor, const char *action,
                 const char *from, const char *to, const char *reason, char *err) {
  sqlite3_stmt *st;
  int rc = prep(db, T_EVENT, &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, actor && *actor ? actor : "system", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
  bind_opt(st, 5, from);
  bind_opt(st, 6, to);
  sqlite3_bind_text(st, 7, reason ? reason : "", -1, SQLITE_STATIC);
  rc = step_done(db, st, "event", err);
  faq_db_stmt_done(st);
  return rc;
}

/* Run a one-parameter-plus-time update on ticket id. */
static int update(sqlite3 *db, int which, sqlite3_int64 id, const char *arg, char *err) {
  sqlite3_stmt *st;
  int rc = prep(db, which, &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, id);
  bind_opt(st, 2, arg);
  rc = step_done(db, st, "update", err);
  faq_db_stmt_done(st);
  return rc;
}

static int department_exists(sqlite3 *db, const char *id, char *err) {
  int rc = faq_department_exists(db, id, err);
  return rc == MG_ENOTFOUND ? mg_errf(err, MG_ENOTFOUND, "ticket: no department \"%s\"", id) : rc;
}

static int blank(const char *s) {
  if (!s) return 1;
  for (; *s; s++)
    if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return 0;
  return 1;
}

/* --- the resident's proof ------------------------------------------------ */

#define SECRET_HASHLEN 65 /* hex BLAKE2b-256 + NUL */

static void secret_hash(const char *secret, char *hex) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, (const unsigned char *)secret, strlen(secret), NULL, 0);
  sodium_bin2hex(hex, SECRET_HASHLEN, h, sizeof h);
}

typedef struct proven {
  sqlite3_int64 id;
  char status[12];
  char closed_at[MG_TIMELEN];   /* "" while open */
  int by_session;                    /* the chat session that opened it */
} proven;

/* Find ticket_no and check the resident's proof (see the file comment). */
static int prove(sqlite3 *db, const char *ticket_no, const char *session_id, const char *secret, proven *p, char *err) {
  sqlite3_stmt *st;
  char hash[SECRET_HASHLEN] = "";
  const char *stored;
  int rc, s, ok = 0;

  memset(p, 0, sizeof *p);
  /* hashed before the lookup, so a known and an unknown number take as long */
  if (secret && bot_session_token_ok(secret)) secret_hash(secret, hash);
  if ((rc = prep(db, T_AUTH, &st, err)) != 0) return rc;
  sqlite3_bind_text(st, 1, ticket_no ? ticket_no : "", -1, SQLITE_STATIC);
  if ((s = sqlite3_step(st)) == SQLITE_ROW) {
    p->id = sqlite3_column_int64(st, 0);
    snprintf(p->status, sizeof p->status, "%s", (const char *)sqlite3_column_text(st, 1));
    stored = (const char *)sqlite3_column_text(st, 2);
    if (session_id && *session_id && stored && strcmp(stored, session_id) == 0) ok = p->by_session = 1;
    stored = (const char *)sqlite3_column_text(st, 3);
    if (!ok && hash[0] && stored && strlen(stored) == SECRET_HASHLEN - 1 &&
        sodium_memcmp(hash, stored, SECRET_HASHLEN - 1) == 0)
      ok = 1;
    if (sqlite3_column_text(st, 4)) snprintf(p->closed_at, sizeof p->closed_at, "%s", (const char *)sqlite3_column_text(st, 4));
  } else if (s != SQLITE_DONE) {
    rc = db_fail(db, s, "find", err);
  }
  faq_db_stmt_done(st);
  if (rc == 0 && !ok) rc = mg_errf(err, MG_ENOTICKET, "ticket %.30s: no such ticket, or not the resident's", ticket_no ? ticket_no : "");
  return rc;
}

/* --- the API ------------------------------------------------------------- */

int bot_ticket_create(sqlite3 *db, const ticket_new *in, char *ticket_no, char *err) {
  sqlite3_stmt *st = NULL;
  time_t now = in->now ? in->now : time(NULL);
  char at[MG_TIMELEN], day[12];
  char *question = NULL, hash[SECRET_HASHLEN];
  const char *routed_by = in->routed_by ? in->routed_by : "default";
  sqlite3_int64 id;
  tx t;
  int rc, s;

  ticket_no[0] = '\0';
  if (in->lookup_out) {
    in->lookup_out[0] = '\0';
    if ((rc = bot_session_random_token(in->lookup_out, err)) != 0) return rc;
    secret_hash(in->lookup_out, hash);
  }
  if (blank(in->question)) return mg_errf(err, MG_EINVAL, "ticket: the question is empty");
  if (strcmp(routed_by, "engine") != 0 && strcmp(routed_by, "rule") != 0 && strcmp(routed_by, "default") != 0 &&
      strcmp(routed_by, "inquiry") != 0)
    return mg_errf(err, MG_EINVAL, "ticket: routed_by must be engine, rule, default or inquiry");
  if (!(question = bot_mask_text(in->question, strlen(in->question))))
    return mg_errf(err, MG_ENOMEM, "ticket: mask: out of memory");
  mg_time_utc(now, at);
  bot_ticket_day_prefix(now, day);
  if ((rc = tx_begin(db, &t, 1, err)) != 0) goto out_free;

  if ((rc = prep(db, T_SEQ, &st, err)) != 0) goto out;
  sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
  if ((s = sqlite3_step(st)) != SQLITE_ROW) { rc = db_fail(db, s, "sequence", err); goto out; }
  snprintf(ticket_no, TICKET_NOLEN, "%s%04d", day, sqlite3_column_int(st, 0));
  faq_db_stmt_done(st);
  st = NULL;

  if ((rc = prep(db, T_INSERT, &st, err)) != 0) goto out;
  sqlite3_bind_text(st, 1, ticket_no, -1, SQLITE_STATIC);
  bind_opt(st, 2, in->session_id);
  sqlite3_bind_text(st, 3, question, -1, SQLITE_STATIC);
  bind_opt(st, 4, in->department_id && *in->department_id ? in->department_id : NULL);
  sqlite3_bind_text(st, 5, routed_by, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, in->contact ? in->contact : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 7, at, -1, SQLITE_STATIC);
  bind_opt(st, 8, in->lookup_out ? hash : NULL);
  bind_opt(st, 9, in->notify_email);
  if ((rc = step_done(db, st, "create", err)) != 0) goto out;
  id = sqlite3_last_insert_rowid(db);
  if (in->notify_email &&
      (rc = bot_outbox_add(db, id, in->notify_email, in->notice_kind ? in->notice_kind : "received", in->lookup_out, at,
                       err)) != 0)
    goto out;
  if (in->also && (rc = in->also(db, id, ticket_no, at, in->also_arg, err)) != 0) goto out;
  rc = event(db, id, at, in->actor ? in->actor : "resident", "create", NULL,
             in->department_id && *in->department_id ? in->department_id : NULL, routed_by, err);
out:
  faq_db_stmt_done(st);
  rc = tx_end(db, &t, rc, err);
out_free:
  free(question);
  if (rc) {
    ticket_no[0] = '\0';
    if (in->lookup_out) sodium_memzero(in->lookup_out, TICKET_SECRETLEN);
  }
  return rc;
}

int bot_ticket_reply(sqlite3 *db, const char *ticket_no, const char *author, const char *text, char *err) {
  sqlite3_stmt *st = NULL;
  char at[MG_TIMELEN];
  found f;
  tx t;
  int rc;

  if (blank(text)) return mg_errf(err, MG_EINVAL, "ticket: the reply is empty");
  if (blank(author)) return mg_errf(err, MG_EINVAL, "ticket: a reply needs an author");
  mg_time_utc(time(NULL), at);
  if ((rc = tx_begin(db, &t, 1, err)) != 0) return rc;
  if ((rc = find(db, ticket_no, &f, err)) != 0) goto out;
  if (strcmp(f.status, "closed") == 0) {
    rc = mg_errf(err, MG_ECONFLICT, "ticket %s is closed", ticket_no);
    goto out;
  }
  if ((rc = prep(db, T_REPLY, &st, err)) != 0) goto out;
  sqlite3_bind_int64(st, 1, f.id);
  sqlite3_bind_text(st, 2, author, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
  if ((rc = step_done(db, st, "reply", err)) != 0) goto out;
  if ((rc = update(db, T_ANSWERED, f.id, at, err)) != 0) goto out;
  if (f.notify[0] && (rc = bot_outbox_add(db, f.id, f.notify, "reply", NULL, at, err)) != 0) goto out;
  rc = event(db, f.id, at, author, "reply", NULL, NULL, NULL, err);
out:
  faq_db_stmt_done(st);
  return tx_end(db, &t, rc, err);
}

int bot_ticket_close(sqlite3 *db, const char *ticket_no, const char *actor, const char *reason, char *err) {
  char at[MG_TIMELEN];
  found f;
  tx t;
  int rc;

  mg_time_utc(time(NULL), at);
  if ((rc = tx_begin(db, &t, 1, err)) != 0) return rc;
  if ((rc = find(db, ticket_no, &f, err)) != 0) goto out;
  if (strcmp(f.status, "closed") == 0) {
    rc = mg_errf(err, MG_ECONFLICT, "ticket %s is already closed", ticket_no);
    goto out;
  }
  if ((rc = update(db, T_CLOSE, f.id, at, err)) != 0) goto out;
  rc = event(db, f.id, at, actor, "close", NULL, NULL, reason, err);
out:
  return tx_end(db, &t, rc, err);
}

int bot_ticket_reassign(sqlite3 *db, const char *ticket_no, const char *actor, const char *to_department,
                    const char *reason, char *err) {
  char at[MG_TIMELEN];
  found f;
  tx t;
  int rc;

  if (blank(to_department)) return mg_errf(err, MG_EINVAL, "ticket: reassign needs a department");
  mg_time_utc(time(NULL), at);
  if ((rc = tx_begin(db, &t, 1, err)) != 0) return rc;
  if ((rc = find(db, ticket_no, &f, err)) != 0) goto out;
  if (strcmp(f.status, "closed") == 0) {
    rc = mg_errf(err, MG_ECONFLICT, "ticket %s is closed", ticket_no);
    goto out;
  }
  if (f.has_department && strcmp(f.department, to_department) == 0) {
    rc = mg_errf(err, MG_ECONFLICT, "ticket %s is already with %s", ticket_no, to_department);
    goto out;
  }
  if ((rc = department_exists(db, to_department, err)) != 0) goto out;
  if ((rc = update(db, T_REASSIGN, f.id, to_department, err)) != 0) goto out;
  rc = event(db, f.id, at, actor, "reassign", f.has_department ? f.department : NULL, to_department, reason, err);
out:
  return tx_end(db, &t, rc, err);
}

/* --- reading ------------------------------------------------------------- */

static json_t *col_str(sqlite3_stmt *st, int i) {
  const unsigned char *s = sqlite3_column_text(st, i);
  return s ? json_string((const char *)s) : json_null();
}

/* A column as its own JSON type (numbers stay numbers). */
static json_t *col_val(sqlite3_stmt *st, int i) {
  switch (sqlite3_column_type(st, i)) {
  case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(st, i));
  case SQLITE_FLOAT: return json_real(sqlite3_column_double(st, i));
  default: return col_str(st, i);
  }
}

/* Department column i of the current row through faq/store.h into *d:
 * zeroed (every field NULL) when the row names none or it was removed. */
static int row_department(sqlite3 *db, sqlite3_stmt *st, int i, mg_department *d, char *err) {
  const char *id = (const char *)sqlite3_column_text(st, i);
  int rc = id ? faq_department_get(db, id, d, err) : 0;
  if (!id) memset(d, 0, sizeof *d);
  return rc == MG_ENOTFOUND ? 0 : rc;
}

/* The list fields (LIST_COLS) of the current row as a new object in *out,
 * with the department's name (null when there is none). */
static int row_summary(sqlite3 *db, sqlite3_stmt *st, json_t **out, char *err) {
  mg_department d;
  json_t *dept;
  int rc = row_department(db, st, 2, &d, err);
  *out = NULL;
  if (rc) return rc;
  dept = json_pack("{s:o, s:o}", "id", col_str(st, 2), "name", d.name ? json_string(d.name) : json_null());
  faq_department_clear(&d);
  *out = json_pack("{s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:o}", "ticket_no", col_str(st, 0),
                   "status", col_str(st, 1), "department", dept ? dept : json_null(), "routed_by", col_str(st, 3),
                   "question", col_str(st, 4), "has_contact", sqlite3_column_int(st, 5),
                   "created_at", col_str(st, 6), "first_reply_at", col_str(st, 7), "closed_at", col_str(st, 8),
                   "assignee", col_str(st, 9));
  return *out ? 0 : mg_errf(err, MG_ENOMEM, "ticket: out of memory");
}

/* Append row_summary of each row of st (LIST_COLS) to arr. */
static int summaries(sqlite3 *db, sqlite3_stmt *st, json_t *arr, const char *what, char *err) {
  json_t *row;
  int rc, s;
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    if ((rc = row_summary(db, st, &row, err)) != 0) return rc;
    if (json_array_append_new(arr, row) != 0) return mg_errf(err, MG_ENOMEM, "ticket: out of memory");
  }
  return s == SQLITE_DONE ? 0 : db_fail(db, s, what, err);
}

int bot_ticket_list(sqlite3 *db, const char *status, const char *department, int limit, json_t **out, char *err) {
  sqlite3_stmt *st = NULL;
  json_t *arr = json_array();
  int rc;
  *out = NULL;
  if (!arr) return mg_errf(err, MG_ENOMEM, "ticket: out of memory");
  if ((rc = prep(db, T_LIST, &st, err)) != 0) goto out;
  bind_opt(st, 1, status);
  bind_opt(st, 2, department);
  sqlite3_bind_int(st, 3, limit > 0 ? limit : 1000);
  rc = summaries(db, st, arr, "list", err);
out:
  faq_db_stmt_done(st);
  if (rc == 0) *out = arr;
  else json_decref(arr);
  return rc;
}

int bot_ticket_page(sqlite3 *db, const ticket_filter *f, int offset, int limit, json_t **out, int *total, char *err) {
  sqlite3_stmt *st = NULL;
  json_t *arr = json_array();
  int rc, s;
  *out = NULL;
  *total = 0;
  if (!arr) return mg_errf(err, MG_ENOMEM, "ticket: out of memory");
  for (int q = T_PAGE_TOTAL; q >= T_PAGE; q--) {
    if ((rc = prep(db, q, &st, err)) != 0) goto out;
    bind_opt(st, 1, f->status);
    bind_opt(st, 2, f->department);
    bind_opt(st, 3, f->from);
    bind_opt(st, 4, f->to);
    if (q == T_PAGE_TOTAL) {
      if ((s = sqlite3_step(st)) != SQLITE_ROW) { rc = db_fail(db, s, "count", err); goto out; }
      *total = sqlite3_column_int(st, 0);
      faq_db_stmt_done(st);
      st = NULL;
      continue;
    }
    sqlite3_bind_int(st, 5, limit > 0 ? limit : 100);
    sqlite3_bind_int(st, 6, offset > 0 ? offset : 0);
    rc = summaries(db, st, arr, "page", err);
  }
out:
  faq_db_stmt_done(st);
  if (rc == 0) *out = arr;
  else json_decref(arr);
  return rc;
}

int bot_ticket_add_reassignments(sqlite3 *db, json_t *tickets, char *err) {
  sqlite3_stmt *st = NULL;
  json_t *chains = json_object(), *t;
  size_t i;
  int rc, s;
  if (!chains) return mg_errf(err, MG_ENOMEM, "ticket: out of memory");
  if ((rc = prep(db, T_REASSIGNS, &st, err)) != 0) goto out;
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    const char *no = (const char *)sqlite3_column_text(st, 0);
    json_t *chain = json_object_get(chains, no);
    if (!chain) {
      chain = json_array();
      json_object_set_new(chains, no, chain);
      json_array_append_new(chain, col_str(st, 1));
    }
    json_array_append_new(chain, col_str(st, 2));
  }
  if (s != SQLITE_DONE) { rc = db_fail(db, s, "reassignments", err); goto out; }
  json_array_foreach(tickets, i, t) {
    json_t *chain = json_object_get(chains, json_string_value(json_object_get(t, "ticket_no")));
    json_object_set_new(t, "reassignments", chain ? json_incref(chain) : json_array());
  }
out:
  faq_db_stmt_done(st);
  json_decref(chains);
  return rc;
}

/* Append one object per row of statement which (bound to id or session) to
 * arr under key, with the column names given. */
static int rows(sqlite3 *db, int which, sqlite3_int64 id, const char *session, const char *const *names, int n,
                json_t *obj, const char *key, char *err) {
  sqlite3_stmt *st = NULL;
  json_t *arr = json_array();
  int rc, s;
  if (!arr) return mg_errf(err, MG_ENOMEM, "ticket: out of memory");
  if ((rc = prep(db, which, &st, err)) != 0) goto out;
  if (session) sqlite3_bind_text(st, 1, session, -1, SQLITE_STATIC);
  else sqlite3_bind_int64(st, 1, id);
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    json_t *row = json_object();
    if (!row || json_array_append_new(arr, row) != 0) { rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory"); goto out; }
    for (int i = 0; i < n; i++)
      if (json_object_set_new(row, names[i], col_val(st, i)) != 0) {
        rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory");
        goto out;
      }
  }
  if (s != SQLITE_DONE) rc = db_fail(db, s, key, err);
out:
  faq_db_stmt_done(st);
  if (rc == 0 && json_object_set_new(obj, key, arr) != 0) return mg_errf(err, MG_ENOMEM, "ticket: out of memory");
  if (rc != 0) json_decref(arr);
  return rc;
}

int bot_ticket_get(sqlite3 *db, const char *ticket_no, const ticket_viewer *viewer, json_t **out, char *err) {
  static const char *const transcript[] = { "role", "kind", "text", "at", "rule_kind", "safety", "faq_id",
                                            "decision", "confidence", "rule", "helpful" };
  static const char *const replies[] = { "author", "text", "at", "delivered_at", "side" };
  static const char *const events[] = { "at", "actor", "action", "from_department", "to_department", "reason" };
  sqlite3_stmt *st = NULL;
  json_t *obj = NULL;
  char ref[SESSION_REFLEN];
  char *session = NULL, *contact = NULL;
  sqlite3_int64 id;
  int rc, s, show_contact;
  tx t;

  *out = NULL;
  if ((rc = tx_begin(db, &t, 0, err)) != 0) return rc;
  if ((rc = prep(db, T_GET, &st, err)) != 0) goto out;
  sqlite3_bind_text(st, 1, ticket_no ? ticket_no : "", -1, SQLITE_STATIC);
  if ((s = sqlite3_step(st)) != SQLITE_ROW) {
    rc = s == SQLITE_DONE ? mg_errf(err, MG_ENOTFOUND, "ticket %s: no such ticket", ticket_no ? ticket_no : "")
                          : db_fail(db, s, "get", err);
    goto out;
  }
  if ((rc = row_summary(db, st, &obj, err)) != 0) goto out;
  id = sqlite3_column_int64(st, 10);
  if (sqlite3_column_text(st, 11) && !(session = strdup((const char *)sqlite3_column_text(st, 11)))) {
    rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory");
    goto out;
  }
  /* Only the ticket's own department (or a reader with no department
   * restriction) sees the contact. */
  show_contact = sqlite3_column_bytes(st, 12) > 0 &&
                 (!viewer || !viewer->department ||
                  (sqlite3_column_text(st, 2) && strcmp(viewer->department, (const char *)sqlite3_column_text(st, 2)) == 0));
  if (show_contact && !(contact = strdup((const char *)sqlite3_column_text(st, 12)))) {
    rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory");
    goto out;
  }
  faq_db_stmt_done(st);
  st = NULL;

  /* Audit first: the read is on record before anything is returned. */
  if ((rc = bot_audit_write(db, viewer && viewer->actor && *viewer->actor ? viewer->actor : NULL, "ticket.read", ticket_no,
                            NULL, NULL, contact ? "transcript,contact" : "transcript", err)) != 0)
    goto out;
  if (session) bot_session_ref(session, ref);
  /* Never the session id itself: it would let staff resume the resident's chat (F8). */
  if (json_object_set_new(obj, "session_ref", session ? json_string(ref) : json_null()) != 0 ||
      (contact && json_object_set_new(obj, "contact", json_string(contact)) != 0)) {
    rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory");
    goto out;
  }
  if (session) {
    if ((rc = rows(db, T_TRANSCRIPT, 0, session, transcript, 11, obj, "transcript", err)) != 0) goto out;
  } else if (json_object_set_new(obj, "transcript", json_array()) != 0) {
    rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory");
    goto out;
  }
  if ((rc = rows(db, T_REPLIES, id, NULL, replies, 5, obj, "replies", err)) != 0) goto out;
  {
    static const char *const notes[] = { "author", "text", "at" };
    if ((rc = rows(db, T_NOTES, id, NULL, notes, 3, obj, "notes", err)) != 0) goto out;
  }
  {
    json_t *notices = NULL;
    if ((rc = bot_outbox_of_ticket(db, id, &notices, err)) != 0) goto out;
    if (json_object_set_new(obj, "notices", notices) != 0) { rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory"); goto out; }
  }
  rc = rows(db, T_EVENTS, id, NULL, events, 6, obj, "events", err);
out:
  faq_db_stmt_done(st);
  rc = tx_end(db, &t, rc, err);
  free(session);
  free(contact);
  if (rc == 0) *out = obj;
  else json_decref(obj);
  return rc;
}

int bot_ticket_take_pending(sqlite3 *db, const char *session_id, json_t **out, char *err) {
  sqlite3_stmt *st = NULL, *up = NULL;
  json_t *arr = json_array();
  char at[MG_TIMELEN];
  int rc, s;
  tx t;

  *out = NULL;
  if (!arr) return mg_errf(err, MG_ENOMEM, "ticket: out of memory");
  mg_time_utc(time(NULL), at);
  /* A plain read first: most calls (a timer, every resume) find nothing and
   * then need neither the write lock nor a synchronous commit. */
  if ((rc = prep(db, T_PENDING, &st, err)) != 0) goto out_free;
  sqlite3_bind_text(st, 1, session_id, -1, SQLITE_STATIC);
  s = sqlite3_step(st);
  faq_db_stmt_done(st);
  st = NULL;
  if (s != SQLITE_ROW) {
    if (s != SQLITE_DONE) rc = db_fail(db, s, "pending", err);
    goto out_free;
  }
  if ((rc = tx_begin(db, &t, 1, err)) != 0) goto out_free;
  if ((rc = prep(db, T_PENDING, &st, err)) != 0 || (rc = prep(db, T_DELIVER, &up, err)) != 0) goto out;
  sqlite3_bind_text(st, 1, session_id, -1, SQLITE_STATIC);
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    const char *text = (const char *)sqlite3_column_text(st, 2);
    session_line line = { .role = "staff", .kind = "staff_reply", .text = text };
    json_t *msg = json_pack("{s:s, s:s, s:s}", "ticket_no", (const char *)sqlite3_column_text(st, 1),
                            "text", text, "at", (const char *)sqlite3_column_text(st, 3));
    if (!msg || json_array_append_new(arr, msg) != 0) { rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory"); goto out; }
    sqlite3_bind_int64(up, 1, sqlite3_column_int64(st, 0));
    sqlite3_bind_text(up, 2, at, -1, SQLITE_STATIC);
    if ((rc = step_done(db, up, "deliver", err)) != 0) goto out;
    sqlite3_reset(up);
    if ((rc = bot_session_append(db, session_id, &line, NULL, err)) != 0) goto out;
  }
  if (s != SQLITE_DONE) rc = db_fail(db, s, "pending", err);
out:
  faq_db_stmt_done(st);
  faq_db_stmt_done(up);
  rc = tx_end(db, &t, rc, err);
out_free:
  if (rc == 0) *out = arr;
  else json_decref(arr);
  return rc;
}

int bot_ticket_pending_sessions(sqlite3 *db, json_t **out, char *err) {
  sqlite3_stmt *st = NULL;
  json_t *arr = json_array();
  int rc, s;
  *out = NULL;
  if (!arr) return mg_errf(err, MG_ENOMEM, "ticket: out of memory");
  if ((rc = prep(db, T_PENDING_SESSIONS, &st, err)) != 0) goto out;
  while ((s = sqlite3_step(st)) == SQLITE_ROW)
    if (json_array_append_new(arr, col_str(st, 0)) != 0) { rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory"); goto out; }
  if (s != SQLITE_DONE) rc = db_fail(db, s, "pending sessions", err);
out:
  faq_db_stmt_done(st);
  if (rc == 0) *out = arr;
  else json_decref(arr);
  return rc;
}

/* A resident's line: proven by session or secret, or (mail, trusted) by
 * the thread the caller matched; also runs inside the transaction. */
static int resident_line(sqlite3 *db, const char *ticket_no, const char *session_id, const char *secret,
                         int trusted, const char *text, const ticket_new *also, char *at_out, char *err) {
  sqlite3_stmt *st = NULL;
  char at[MG_TIMELEN], *masked = NULL;
  proven p;
  tx t;
  int rc;

  if (at_out) at_out[0] = '\0';
  if (blank(text)) return mg_errf(err, MG_EEMPTY, "ticket: the message is empty");
  if (!(masked = bot_mask_text(text, strlen(text)))) return mg_errf(err, MG_ENOMEM, "ticket: mask: out of memory");
  mg_time_utc(time(NULL), at);
  if ((rc = tx_begin(db, &t, 1, err)) != 0) goto out_free;
  if (trusted) {
    found f;
    if ((rc = find(db, ticket_no, &f, err)) != 0) goto out;
    memset(&p, 0, sizeof p);
    p.id = f.id;
    snprintf(p.status, sizeof p.status, "%s", f.status);
  } else if ((rc = prove(db, ticket_no, session_id, secret, &p, err)) != 0) {
    goto out;
  }
  if (strcmp(p.status, "closed") == 0) {
    rc = mg_errf(err, MG_ECLOSED, "ticket %s is closed", ticket_no);
    goto out;
  }
  if ((rc = prep(db, T_RESIDENT_LINE, &st, err)) != 0) goto out;
  sqlite3_bind_int64(st, 1, p.id);
  sqlite3_bind_text(st, 2, masked, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, at, -1, SQLITE_STATIC);
  if ((rc = step_done(db, st, "resident reply", err)) != 0) goto out;
  /* staff owe the next reply: back in the open inbox */
  if ((rc = update(db, T_REOPEN, p.id, NULL, err)) != 0) goto out;
  if ((rc = event(db, p.id, at, "resident", "reply", NULL, NULL, NULL, err)) != 0) goto out;
  if (also && also->also) rc = also->also(db, p.id, ticket_no, at, also->also_arg, err);
out:
  faq_db_stmt_done(st);
  rc = tx_end(db, &t, rc, err);
  if (rc == 0 && at_out) memcpy(at_out, at, MG_TIMELEN);
out_free:
  free(masked);
  return rc;
}

int bot_ticket_resident_reply(sqlite3 *db, const char *ticket_no, const char *session_id, const char *secret,
                          const char *text, char *at_out, char *err) {
  return resident_line(db, ticket_no, session_id, secret, 0, text, NULL, at_out, err);
}

int bot_ticket_mail_line(sqlite3 *db, const char *ticket_no, const char *text, const ticket_new *also, char *err) {
  return resident_line(db, ticket_no, NULL, NULL, 1, text, also, NULL, err);
}

int bot_ticket_thread(sqlite3 *db, const char *ticket_no, const char *secret, int lookup_days, json_t **out, char *err) {
  sqlite3_stmt *st = NULL;
  json_t *obj = NULL, *lines = NULL, *dept;
  char cutoff[MG_TIMELEN];
  proven p;
  int rc, s;

  *out = NULL;
  if ((rc = prove(db, ticket_no, NULL, secret, &p, err)) != 0) return rc;
  mg_time_utc(time(NULL) - (time_t)(lookup_days > 0 ? lookup_days : 0) * 86400, cutoff);
  if (p.closed_at[0] && strcmp(p.closed_at, cutoff) < 0)
    return mg_errf(err, MG_EEXPIRED, "ticket %s: closed %s, lookups end after %d days", ticket_no, p.closed_at, lookup_days);

  if ((rc = prep(db, T_THREAD_HEAD, &st, err)) != 0) return rc;
  sqlite3_bind_int64(st, 1, p.id);
  if ((s = sqlite3_step(st)) != SQLITE_ROW) {
    rc = s == SQLITE_DONE ? mg_errf(err, MG_ENOTICKET, "ticket %s vanished", ticket_no) : db_fail(db, s, "thread", err);
    goto out;
  }
  {
    /* the department's card, from faq/ (null when there is none) */
    mg_department d;
    if ((rc = row_department(db, st, 5, &d, err)) != 0) goto out;
    dept = !d.id ? json_null() : json_pack("{s:s, s:s, s:s}", "name", d.name, "phone", d.phone, "hours", d.hours);
    faq_department_clear(&d);
  }
  lines = json_pack("[{s:s, s:o, s:o}]", "side", "resident", "text", col_str(st, 4), "at", col_str(st, 2));
  obj = json_pack("{s:o, s:o, s:o, s:o, s:o}", "ticket_no", col_str(st, 0), "status", col_str(st, 1),
                  "created_at", col_str(st, 2), "closed_at", col_str(st, 3), "department", dept ? dept : json_null());
  faq_db_stmt_done(st);
  st = NULL;
  if (!obj || !lines) { rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory"); goto out; }

  if ((rc = prep(db, T_THREAD_LINES, &st, err)) != 0) goto out;
  sqlite3_bind_int64(st, 1, p.id);
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    json_t *line = json_pack("{s:o, s:o, s:o}", "side", col_str(st, 0), "text", col_str(st, 1), "at", col_str(st, 2));
    if (!line || json_array_append_new(lines, line) != 0) { rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory"); goto out; }
  }
  if (s != SQLITE_DONE) { rc = db_fail(db, s, "thread", err); goto out; }
  if (json_object_set(obj, "messages", lines) != 0) rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory");
out:
  faq_db_stmt_done(st);
  json_decref(lines);
  if (rc == 0) *out = obj;
  else json_decref(obj);
  return rc;
}

int bot_ticket_inbox(sqlite3 *db, const char *department, long long *version, int *open, int *answered, char *err) {
  sqlite3_stmt *st = NULL;
  int rc = prep(db, T_INBOX, &st, err), s;
  *version = 0;
  *open = *answered = 0;
  if (rc) return rc;
  bind_opt(st, 1, department);
  if ((s = sqlite3_step(st)) == SQLITE_ROW) {
    *version = sqlite3_column_int64(st, 0);
    *open = sqlite3_column_int(st, 1);
    *answered = sqlite3_column_int(st, 2);
  } else {
    rc = db_fail(db, s, "inbox", err);
  }
  faq_db_stmt_done(st);
  return rc;
}

/* faq_department_list's callback: the id into a JSON array. */
static int add_id(void *ctx, const mg_department *d) {
  return json_array_append_new(ctx, json_string(d->id)) ? MG_ENOMEM : 0;
}

/* One {department, open, answered, overdue: 0} row of bot_ticket_counts, in
 * arr and by[k]. */
static int count_row(json_t *arr, json_t *by, const char *k, json_int_t open, json_int_t answered, char *err) {
  json_t *row = json_pack("{s:s, s:I, s:I, s:i}", "department", k, "open", open, "answered", answered, "overdue", 0);
  if (!row || json_array_append_new(arr, row) || json_object_set(by, k, row))
    return mg_errf(err, MG_ENOMEM, "ticket: out of memory");
  return 0;
}

int bot_ticket_counts(sqlite3 *db, const struct cal *c, int default_days, time_t now, json_t **out, char *err) {
  sqlite3_stmt *st = NULL;
  json_t *arr = json_array(), *by = json_object(), *ids = json_array(), *overdue = NULL, *row;
  int rc = 0, s, reading = 0;
  size_t i, d = 0;

  *out = NULL;
  if (!arr || !by || !ids) { rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory"); goto out; }
  /* one snapshot for both reads, so overdue is never more than open */
  if (sqlite3_get_autocommit(db)) {
    if ((rc = prep(db, T_READ, &st, err)) != 0) goto out;
    s = sqlite3_step(st);
    faq_db_stmt_done(st);
    st = NULL;
    if (s != SQLITE_DONE) { rc = db_fail(db, s, "counts", err); goto out; }
    reading = 1;
  }
  /* every department, zeros too (a monitoring series exists from the start),
   * merged in id order with the tickets' counts (faq/ lists the departments
   * in the same order, SQLite's BINARY collation, as strcmp compares) */
  if ((rc = faq_department_list(db, add_id, ids, err)) != 0) goto out;
  if ((rc = prep(db, T_COUNTS, &st, err)) != 0) goto out;
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    const char *k = (const char *)sqlite3_column_text(st, 0);
    for (; d < json_array_size(ids) && strcmp(json_string_value(json_array_get(ids, d)), k) <= 0; d++)
      if (strcmp(json_string_value(json_array_get(ids, d)), k) < 0 &&
          (rc = count_row(arr, by, json_string_value(json_array_get(ids, d)), 0, 0, err)) != 0)
        goto out;
    if ((rc = count_row(arr, by, k, sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2), err)) != 0) goto out;
  }
  if (s != SQLITE_DONE) { rc = db_fail(db, s, "counts", err); goto out; }
  faq_db_stmt_done(st);
  st = NULL;
  for (; d < json_array_size(ids); d++)
    if ((rc = count_row(arr, by, json_string_value(json_array_get(ids, d)), 0, 0, err)) != 0) goto out;
  if ((rc = bot_ticket_overdue(db, c, NULL, default_days, now, &overdue, err)) != 0) goto out;
  json_array_foreach(overdue, i, row) {
    const char *k = json_string_value(json_object_get(json_object_get(row, "department"), "id"));
    json_t *r = json_object_get(by, k ? k : "");
    /* open, so T_COUNTS saw it in the same snapshot */
    if (r) json_object_set_new(r, "overdue", json_integer(json_integer_value(json_object_get(r, "overdue")) + 1));
  }
out:
  faq_db_stmt_done(st);
  if (reading && prep(db, T_READ_END, &st, NULL) == 0) {
    sqlite3_step(st);
    faq_db_stmt_done(st);
  }
  json_decref(overdue);
  json_decref(by);
  json_decref(ids);
  if (rc == 0) *out = arr;
  else json_decref(arr);
  return rc;
}

/* The digits of s (ASCII and full-width), for comparing phone numbers
 * however they were written; into out (size bytes). */
static void digits_of(const char *s, char *out, size_t size) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; p && *p && n + 1 < size; p++) {
    if (*p >= '0' && *p <= '9') out[n++] = (char)*p;
    else if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {  /* ０-９ */
      out[n++] = (char)('0' + (p[2] - 0x90));
      p += 2;
    }
  }
  out[n] = '\0';
}

static int contains_ci(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  for (; *hay; hay++)
    if (strncasecmp(hay, needle, n) == 0) return 1;
  return 0;
}

int bot_ticket_person_find(sqlite3 *db, const ticket_person *who, const char *actor, json_t **out, char *err) {
  sqlite3_stmt *st = NULL;
  json_t *arr = json_array(), *nos = json_array(), *no;
  char want[64] = "", have[512];
  ticket_viewer v = { .actor = actor, .department = NULL };
  size_t i;
  int rc = 0, s;

  *out = NULL;
  if (!arr || !nos) { rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory"); goto out; }
  if (who->phone) digits_of(who->phone, want, sizeof want);
  if (who->phone && strlen(want) < 6) { rc = mg_errf(err, MG_EINVAL, "a phone number needs at least 6 digits"); goto out; }
  if (!who->ticket_no && !who->email && !who->phone) { rc = mg_errf(err, MG_EMISSING, "give a ticket number, e-mail or phone"); goto out; }
  if ((rc = prep(db, T_PERSON, &st, err)) != 0) goto out;
  bind_opt(st, 1, who->ticket_no);
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    const char *tno = (const char *)sqlite3_column_text(st, 0), *contact = (const char *)sqlite3_column_text(st, 1);
    const char *mail = (const char *)sqlite3_column_text(st, 2);
    int hit = who->ticket_no && strcmp(tno, who->ticket_no) == 0;
    if (!hit && who->email && *who->email)
      hit = strcasecmp(mail, who->email) == 0 || contains_ci(contact, who->email);
    if (!hit && want[0]) {
      digits_of(contact, have, sizeof have);
      hit = strstr(have, want) != NULL;
    }
    if (hit && json_array_append_new(nos, json_pack("{s:s, s:s}", "no", tno, "mail", mail)) != 0) {
      rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory");
      break;
    }
  }
  if (rc == 0 && s != SQLITE_DONE) rc = db_fail(db, s, "find", err);
  faq_db_stmt_done(st);
  if (rc) goto out;
  json_array_foreach(nos, i, no) {
    json_t *t = NULL;
    const char *mail = json_string_value(json_object_get(no, "mail"));
    if ((rc = bot_ticket_get(db, json_string_value(json_object_get(no, "no")), &v, &t, err)) != 0) goto out;
    json_object_set_new(t, "notify_email", *mail ? json_string(mail) : json_null());
    if (json_array_append_new(arr, t) != 0) { rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory"); goto out; }
  }
out:
  json_decref(nos);
  if (rc == 0) *out = arr;
  else json_decref(arr);
  return rc;
}

int bot_ticket_erase(sqlite3 *db, const char *ticket_no, const char *actor, char *err) {
  sqlite3_stmt *st = NULL;
  char *session = NULL;
  found f;
  tx t;
  int rc;

  if ((rc = tx_begin(db, &t, 1, err)) != 0) return rc;
  if ((rc = find(db, ticket_no, &f, err)) != 0) goto out;
  if ((rc = prep(db, T_GET, &st, err)) != 0) goto out;
  sqlite3_bind_text(st, 1, ticket_no, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 11) &&
      !(session = strdup((const char *)sqlite3_column_text(st, 11)))) {
    rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory");
    goto out;
  }
  faq_db_stmt_done(st);
  st = NULL;
  if (session && (rc = bot_session_erase(db, session, err)) != 0) goto out;
  /* a LINE resident's raw user id and queued pushes (bot/line_store.h) */
  if (session && (rc = bot_line_erase_session(db, session, err)) != 0) goto out;
  for (int q = T_ERASE; q <= T_ERASE_EXAMPLES; q++)
    if ((rc = update(db, q, f.id, NULL, err)) != 0) goto out;
  rc = bot_audit_write(db, actor, "privacy.erase", ticket_no, NULL, NULL,
                   session ? "question, contact, e-mail, thread, transcript" : "question, contact, e-mail, thread", err);
out:
  faq_db_stmt_done(st);
  free(session);
  return tx_end(db, &t, rc, err);
}

int bot_ticket_note(sqlite3 *db, const char *ticket_no, const char *author, const char *text, char *err) {
  sqlite3_stmt *st = NULL;
  char at[MG_TIMELEN];
  found f;
  tx t;
  int rc;
  if (blank(text)) return mg_errf(err, MG_EEMPTY, "ticket: the note is empty");
  mg_time_utc(time(NULL), at);
  if ((rc = tx_begin(db, &t, 0, err)) != 0) return rc;
  if ((rc = find(db, ticket_no, &f, err)) != 0) goto out;
  if ((rc = prep(db, T_NOTE, &st, err)) != 0) goto out;
  sqlite3_bind_int64(st, 1, f.id);
  sqlite3_bind_text(st, 2, author, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
  rc = step_done(db, st, "note", err);
out:
  faq_db_stmt_done(st);
  return tx_end(db, &t, rc, err);
}

int bot_ticket_assign(sqlite3 *db, const char *ticket_no, const char *assignee, char *err) {
  found f;
  tx t;
  int rc;
  if ((rc = tx_begin(db, &t, 0, err)) != 0) return rc;
  if ((rc = find(db, ticket_no, &f, err)) == 0)
    rc = update(db, T_ASSIGN, f.id, assignee && *assignee ? assignee : NULL, err);
  return tx_end(db, &t, rc, err);
}

int bot_canned_list(sqlite3 *db, const char *department, json_t **out, char *err) {
  sqlite3_stmt *st = NULL;
  json_t *arr = json_array();
  int rc, s;
  *out = NULL;
  if (!arr) return mg_errf(err, MG_ENOMEM, "canned: out of memory");
  if ((rc = prep(db, T_CANNED_LIST, &st, err)) != 0) goto out;
  sqlite3_bind_text(st, 1, department, -1, SQLITE_STATIC);
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    json_t *o = json_pack("{s:I, s:o, s:o, s:o, s:o}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                          "title", col_str(st, 1), "text", col_str(st, 2), "updated_at", col_str(st, 3),
                          "updated_by", col_str(st, 4));
    if (!o || json_array_append_new(arr, o)) { rc = mg_errf(err, MG_ENOMEM, "canned: out of memory"); goto out; }
  }
  if (s != SQLITE_DONE) rc = db_fail(db, s, "canned", err);
out:
  faq_db_stmt_done(st);
  if (rc == 0) *out = arr;
  else json_decref(arr);
  return rc;
}

int bot_canned_put(sqlite3 *db, long long id, const char *department, const char *title, const char *text,
               const char *actor, long long *id_out, char *err) {
  sqlite3_stmt *st = NULL;
  char at[MG_TIMELEN];
  tx t;
  int rc;
  if (blank(title) || blank(text)) return mg_errf(err, MG_EEMPTY, "canned: a title and a text are needed");
  mg_time_utc(time(NULL), at);
  if ((rc = tx_begin(db, &t, 0, err)) != 0) return rc;
  if ((rc = department_exists(db, department, err)) != 0) goto out;
  if ((rc = prep(db, id ? T_CANNED_SET : T_CANNED_ADD, &st, err)) != 0) goto out;
  sqlite3_bind_text(st, 1, department, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, actor, -1, SQLITE_STATIC);
  if (id) sqlite3_bind_int64(st, 6, id);
  if ((rc = step_done(db, st, "canned", err)) != 0) goto out;
  if (id && sqlite3_changes(db) == 0) rc = mg_errf(err, MG_ENOTFOUND, "canned reply %lld: not in this department", id);
  if (id_out) *id_out = id ? id : sqlite3_last_insert_rowid(db);
out:
  faq_db_stmt_done(st);
  return tx_end(db, &t, rc, err);
}

int bot_canned_delete(sqlite3 *db, long long id, const char *department, char *err) {
  sqlite3_stmt *st = NULL;
  tx t;
  int rc;
  if ((rc = tx_begin(db, &t, 0, err)) != 0) return rc;
  if ((rc = prep(db, T_CANNED_DEL, &st, err)) != 0) goto out;
  sqlite3_bind_text(st, 1, department, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, id);
  if ((rc = step_done(db, st, "canned", err)) == 0 && sqlite3_changes(db) == 0)
    rc = mg_errf(err, MG_ENOTFOUND, "canned reply %lld: not in this department", id);
out:
  faq_db_stmt_done(st);
  return tx_end(db, &t, rc, err);
}

static int by_due(const void *a, const void *b) {
  const char *x = json_string_value(json_object_get(*(json_t *const *)a, "due_at"));
  const char *y = json_string_value(json_object_get(*(json_t *const *)b, "due_at"));
  return strcmp(x, y);
}

int bot_ticket_overdue(sqlite3 *db, const struct cal *c, const char *department, int default_days, time_t now,
                   json_t **out, char *err) {
  sqlite3_stmt *st = NULL;
  json_t **rowsv = NULL, *arr = json_array();
  size_t n = 0, cap = 0;
  int rc, s;

  *out = NULL;
  if (!arr) return mg_errf(err, MG_ENOMEM, "ticket: out of memory");
  if ((rc = prep(db, T_OWED, &st, err)) != 0) goto out;
  bind_opt(st, 1, department);
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    const char *since = (const char *)sqlite3_column_text(st, 10);
    int days = default_days;   /* unless the department sets its own */
    char due_s[MG_TIMELEN];
    time_t owed, due;
    json_t *row;
    if (sqlite3_column_text(st, 2) &&
        (rc = faq_department_answer_days(db, (const char *)sqlite3_column_text(st, 2), &days, err)) != 0)
      goto out;
    if (mg_time_parse(since, &owed) != 0 || (due = bot_cal_add_working_days(c, owed, days)) == (time_t)-1 || due > now)
      continue;
    mg_time_utc(due, due_s);
    if ((rc = row_summary(db, st, &row, err)) != 0) goto out;
    if (json_object_set_new(row, "owed_since", json_string(since)) ||
        json_object_set_new(row, "due_at", json_string(due_s)) || json_object_set_new(row, "answer_days", json_integer(days))) {
      json_decref(row);
      rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory");
      goto out;
    }
    if (n == cap) {
      json_t **g = realloc(rowsv, (cap = cap ? 2 * cap : 16) * sizeof *g);
      if (!g) { json_decref(row); rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory"); goto out; }
      rowsv = g;
    }
    rowsv[n++] = row;
  }
  if (s != SQLITE_DONE) { rc = db_fail(db, s, "overdue", err); goto out; }
  if (n) qsort(rowsv, n, sizeof *rowsv, by_due);   /* rowsv is NULL when nothing is due */
  for (size_t i = 0; i < n; i++) {
    if (json_array_append_new(arr, rowsv[i])) rc = mg_errf(err, MG_ENOMEM, "ticket: out of memory");
    rowsv[i] = NULL;
  }
out:
  faq_db_stmt_done(st);
  for (size_t i = 0; i < n; i++) json_decref(rowsv[i]);
  free(rowsv);
  if (rc == 0) *out = arr;
  else json_decref(arr);
  return rc;
}
