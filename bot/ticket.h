/*
 * ticket.h — escalated questions that city staff answer (the ticket table).
 *
 * A resident's `escalate` creates a ticket; staff work it from the CLI
 * (`madoguchi tickets`) today and from the console later, both through this
 * API. A ticket has a readable number T-YYYYMMDD-NNNN (the Asia/Tokyo date
 * and a per-day sequence), the masked question, the department it is routed
 * to, a status that moves open → answered → closed, and the contact the
 * resident chose to give — unmasked, so it is shown only to the ticket's
 * department and every read of it is written to audit_log.
 *
 * Every change also appends a ticket_event row (create, reply, close,
 * reassign: who, when, from/to department, why). Creating a ticket and
 * storing a staff reply commit at synchronous=FULL before they return, so a
 * ticket number a resident has seen, or a reply staff were told is sent,
 * survives a power cut (session.c explains the trade-off for transcripts).
 *
 * All functions take the caller's connection, run in their own transaction
 * (so they must not be called inside one), and return 0 or a negative MG_E*
 * code with err set: MG_ENOTFOUND for an unknown ticket or department,
 * MG_ECONFLICT for a change the status does not allow (replying to or
 * reassigning a closed ticket, closing it twice), MG_EINVAL for bad input.
 */
#ifndef MG_TICKET_H
#define MG_TICKET_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <time.h>

#define TICKET_NOLEN 24 /* "T-20261124-0007" + NUL, room for 5-digit days */
#define TICKET_SECRETLEN 48 /* a lookup secret (24 base64url characters) + NUL, with room */

/* What escalation knows. Strings are borrowed for the call. */
typedef struct ticket_new {
  const char *session_id;    /* the resident's session, or NULL */
  const char *question;      /* raw text; masked before it is stored */
  const char *department_id; /* routed department, or NULL for none */
  const char *routed_by;     /* "engine", "rule", "default" or "inquiry" */
  const char *contact;       /* stored as given (NULL or "" = none) */
  const char *actor;         /* who created it, for ticket_event ("resident") */
  time_t now;                /* 0 = the current time (tests pin the clock) */
  char *lookup_out;          /* TICKET_SECRETLEN bytes, or NULL: receives a new lookup
                                secret (144 random bits; only its hash is stored) */
  const char *notify_email;  /* NULL, or an address for e-mail notices (bot/outbox.h):
                                a "received" notice with the link now, a "reply"
                                notice whenever staff reply */
  const char *notice_kind;   /* the first notice's kind: NULL = "received";
                                "inquiry" = an inquiry's acknowledgement */
  /* More writes that belong to the ticket's creation (an inquiry's own
   * rows), run inside its transaction after the ticket row: a non-zero
   * return rolls the ticket back. NULL = none. */
  int (*also)(sqlite3 *db, sqlite3_int64 ticket_id, const char *ticket_no, const char *at, void *arg, char *err);
  void *also_arg;
} ticket_new;

/* Create a ticket; its number into ticket_no[TICKET_NOLEN]. */
int bot_ticket_create(sqlite3 *db, const ticket_new *in, char *ticket_no, char *err);
/* Tickets a chat session has opened so far (the flood limit, docs/security.md). */
int bot_ticket_count_session(sqlite3 *db, const char *session_id, int *n, char *err);

/* Store a staff reply (as written: staff text is not masked). The ticket
 * becomes answered; first_reply_at is set on the first reply; a "reply"
 * notice is queued when the resident asked for e-mail. The reply is
 * undelivered until ticket_take_pending hands it to the resident's session. */
int bot_ticket_reply(sqlite3 *db, const char *ticket_no, const char *author, const char *text, char *err);

/* The resident's side of the thread. The caller proves it is the resident
 * with the chat session that opened the ticket (session_id) or with the
 * ticket's lookup secret (secret); either may be NULL. A wrong proof and an
 * unknown number are the same MG_ENOTICKET, so numbers cannot be probed.
 *
 * ticket_resident_reply stores text (masked) as a resident line, committed
 * at synchronous=FULL; an answered ticket becomes open again (staff owe the
 * next reply); a closed one refuses with MG_ECLOSED. The chat's transcript
 * is the caller's (bot/dialogue.c). at_out (MG_TIMELEN or NULL)
 * receives the line's time. */
int bot_ticket_resident_reply(sqlite3 *db, const char *ticket_no, const char *session_id, const char *secret,
                          const char *text, char *at_out, char *err);

/* A resident's e-mail that answers the thread (bot/inquiry.c matched its
 * In-Reply-To or References to the ticket's messages: the mail is its own
 * proof): as ticket_resident_reply, and also->also (when set) runs in the
 * same transaction. MG_ENOTFOUND, MG_ECLOSED. */
int bot_ticket_mail_line(sqlite3 *db, const char *ticket_no, const char *text, const ticket_new *also, char *err);

/* The thread as the resident may see it, by number and lookup secret: new
 * JSON {ticket_no, status, created_at, closed_at, department: {name, phone,
 * hours} or null, messages: [{side: "resident"|"staff", text, at}]} — the
 * question first, never staff names or the contact. A ticket closed more
 * than lookup_days days ago is MG_EEXPIRED. */
int bot_ticket_thread(sqlite3 *db, const char *ticket_no, const char *secret, int lookup_days, json_t **out, char *err);

/* Close a ticket (reason may be NULL). */
int bot_ticket_close(sqlite3 *db, const char *ticket_no, const char *actor, const char *reason, char *err);

/* Route a ticket to another department (which must exist). */
int bot_ticket_reassign(sqlite3 *db, const char *ticket_no, const char *actor, const char *to_department,
                    const char *reason, char *err);

/* Tickets newest first, filtered by status and/or department (NULL = any),
 * at most limit (<= 0: 1000). New JSON array of {ticket_no, status,
 * department: {id, name}, routed_by, question, has_contact, created_at,
 * first_reply_at, closed_at} — never the contact. Caller json_decref's it. */
int bot_ticket_list(sqlite3 *db, const char *status, const char *department, int limit, json_t **out, char *err);

/* The staff inbox, one page: oldest first, filtered (NULL fields = any;
 * from/to are "YYYY-MM-DD" days in Asia/Tokyo, inclusive), rows offset ..
 * offset+limit-1 as ticket_list's objects, *total the number that match. */
typedef struct ticket_filter { const char *status, *department, *from, *to; } ticket_filter;
int bot_ticket_page(sqlite3 *db, const ticket_filter *f, int offset, int limit, json_t **out, int *total, char *err);
/* Give each ticket object in tickets (ticket_page's) "reassignments": the
 * departments it went through, the first it was routed to, then each one it
 * was passed on to ([] when never reassigned). */
int bot_ticket_add_reassignments(sqlite3 *db, json_t *tickets, char *err);
/* The department ("" when none) and status of ticket_no into dept and
 * status, and nothing else: no transcript is read, so nothing is audited
 * (the console decides with it whether the reader may see the ticket).
 * MG_ENOTFOUND for an unknown ticket. */
int bot_ticket_route(sqlite3 *db, const char *ticket_no, char *dept, size_t dsize, char *status, size_t ssize, char *err);

/* Who is reading: actor for the audit log; department = the reader's
 * department, or NULL for a reader allowed to see every department
 * (supervisors, the operator at the command line). */
typedef struct ticket_viewer {
  const char *actor;
  const char *department;
} ticket_viewer;

/* One ticket in full: the list fields plus session, the session transcript
 * (array of {role, kind, text, at}), replies ({author, text, at,
 * delivered_at, side: "staff"|"resident"}: the thread after the question),
 * notices (outbox_of_ticket: e-mail notices and their delivery state), events ({at, actor, action, from_department,
 * to_department, reason}) and `contact` — present only when the ticket has
 * one and the viewer may see it; that read is written to audit_log
 * (action "ticket.read", detail "contact") in the same transaction.
 * Caller json_decref's *out. */
int bot_ticket_get(sqlite3 *db, const char *ticket_no, const ticket_viewer *viewer, json_t **out, char *err);

/* Staff replies of session's tickets not yet delivered, oldest first, as a
 * new JSON array of {ticket_no, text, at}; they are marked delivered and
 * appended to the session transcript (role staff) in the same transaction,
 * committed at synchronous=FULL — each reply is taken exactly once, even
 * when two workers ask at the same time. An empty array when none. */
int bot_ticket_take_pending(sqlite3 *db, const char *session_id, json_t **out, char *err);

/* Session ids that have undelivered staff replies (new JSON array of
 * strings): what a server checks after PRAGMA data_version moved, instead
 * of asking once per connected session. */
int bot_ticket_pending_sessions(sqlite3 *db, json_t **out, char *err);

/* The inbox at a glance: *version changes whenever any ticket does (a new
 * ticket, a reply either way, a close, a reassignment: the newest
 * ticket_event), *open and *answered count the tickets of department (NULL:
 * all). What the console's live inbox waits on. */
int bot_ticket_inbox(sqlite3 *db, const char *department, long long *version, int *open, int *answered, char *err);

/* The tickets staff owe an answer (status open) that are past their
 * target: answer_days working days (the department's, else default_days)
 * after staff began to owe it — the ticket's creation, or the resident's
 * first line after the last staff reply — counted on the office calendar.
 * New JSON array, most overdue first, of ticket_list's objects plus
 * owed_since, due_at (UTC) and answer_days. department NULL: all. */
struct cal;
int bot_ticket_overdue(sqlite3 *db, const struct cal *c, const char *department, int default_days, time_t now,
                   json_t **out, char *err);

/* Tickets per department for monitoring (the /metrics scrape): a new
 * JSON array, by department id, of {department, open, answered, overdue}
 * with every department (zeros included) and department "" for tickets
 * routed to none, when there are such. overdue counts the open tickets that
 * ticket_overdue lists (c, default_days, now as there), so it is part of
 * open. The counts come from one read snapshot. Caller json_decref's *out. */
int bot_ticket_counts(sqlite3 *db, const struct cal *c, int default_days, time_t now, json_t **out, char *err);

/* Ticket work. ticket_note adds an internal note (staff only: never in the
 * resident's thread); ticket_assign sets who in the department has the
 * ticket (assignee NULL or "" = nobody). ticket_get shows both. */
int bot_ticket_note(sqlite3 *db, const char *ticket_no, const char *author, const char *text, char *err);
int bot_ticket_assign(sqlite3 *db, const char *ticket_no, const char *assignee, char *err);

/* A department's canned replies: new JSON array of {id, title, text,
 * updated_at, updated_by}, by title. canned_put adds (id 0) or changes one
 * of that department; canned_delete removes one of that department
 * (MG_ENOTFOUND otherwise). */
int bot_canned_list(sqlite3 *db, const char *department, json_t **out, char *err);
int bot_canned_put(sqlite3 *db, long long id, const char *department, const char *title, const char *text,
               const char *actor, long long *id_out, char *err);
int bot_canned_delete(sqlite3 *db, long long id, const char *department, char *err);

/* Personal-information requests (個人情報保護法), for supervisors.
 * ticket_person_find: the tickets of one resident, found by ticket number,
 * e-mail address (the notice address, or in the contact) or phone number
 * (its digits anywhere in the contact, however it was written), each as
 * ticket_get gives it (transcript, thread, contact; reads audited as
 * ticket.read) plus notify_email. New JSON array.
 * ticket_erase: blank what the ticket holds about the resident — question,
 * contact, e-mail, lookup secret, every line of the thread, the chat's
 * transcript and feedback, pending notices — and record in audit_log
 * (privacy.erase) that it was done, in one transaction. The ticket's number,
 * dates, department and events stay. */
typedef struct ticket_person { const char *ticket_no, *email, *phone; } ticket_person;
int bot_ticket_person_find(sqlite3 *db, const ticket_person *who, const char *actor, json_t **out, char *err);
int bot_ticket_erase(sqlite3 *db, const char *ticket_no, const char *actor, char *err);

/* "T-YYYYMMDD-" prefix of the Asia/Tokyo day of t into buf (>= 12 bytes). */
void bot_ticket_day_prefix(time_t t, char *buf);

#endif
