/*
 * console.h — the staff console's work on tickets, canned replies, personal
 * data requests, accounts and the audit log: who may do what, and the audit
 * row each change and each read of personal data leaves.
 *
 * The admin API (adapters/admin_ops.c) only translates HTTP to these calls;
 * the work itself is bot/ticket.h's, bot/auth.h's and bot/audit.h's. The
 * rules: staff act on their own department's tickets and canned replies
 * only, supervisors and admins on all; a ticket of another department is
 * refused before it is read (bot_ticket_get records every read of a
 * transcript, so reading first and refusing after would leave a false
 * trail); staff take a ticket or let it go, a supervisor gives it to an
 * active account of the ticket's department; nobody takes the admin role
 * from themselves or disables their own account. Every function returns 0
 * or a negative MG_E* code with a reason in the caller's err[MG_ERRLEN]:
 * MG_EINVAL, MG_EMISSING, MG_EEMPTY, MG_ENOTFOUND, MG_ECONFLICT and
 * MG_EFORBIDDEN are the caller's mistakes; others are internal failures.
 */
#ifndef MG_BOT_CONSOLE_H
#define MG_BOT_CONSOLE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

#include "bot/answer.h"
#include "bot/audit.h"
#include "bot/auth.h"
#include "bot/ticket.h"

/* ---- tickets ---- */

/* The department whose tickets a sees, given the one asked for (NULL or
 * "": none): staff their own (MG_EFORBIDDEN when they ask for another),
 * others the one asked (*dept NULL: all). *dept borrows a's or asked. */
int bot_console_ticket_scope(const bot_actor *a, const char *asked, const char **dept, char *err);

/* May a act on ticket no? Its department and status into dept and status
 * (dsize, ssize bytes). MG_ENOTFOUND, MG_EFORBIDDEN (another department's:
 * the ticket is not read). */
int bot_console_ticket_access(sqlite3 *db, const bot_actor *a, const char *no, char *dept, size_t dsize, char *status,
                              size_t ssize, char *err);

/* Ticket no in full into *out (new, bot_ticket_get: the read is audited),
 * with the inquiry it came from ("inquiry") when there is one; the
 * resident's contact only for the ticket's own department. */
int bot_console_ticket_get(sqlite3 *db, const bot_actor *a, const char *no, json_t **out, char *err);

/* Reply text to the resident (audit ticket.reply). MG_EEMPTY. */
int bot_console_ticket_reply(sqlite3 *db, const bot_actor *a, const char *no, const char *text, char *err);
/* An internal note for colleagues, never in the resident's thread (audit ticket.note). MG_EEMPTY. */
int bot_console_ticket_note(sqlite3 *db, const bot_actor *a, const char *no, const char *text, char *err);
/* Give ticket no to who ("": nobody) (audit ticket.assign). MG_EMISSING
 * when who is NULL, MG_EFORBIDDEN when staff give it to another, MG_EINVAL
 * when who is no active account of the ticket's department. */
int bot_console_ticket_assign(sqlite3 *db, const bot_actor *a, const char *no, const char *who, char *err);
/* Close ticket no, reason may be NULL (audit ticket.close). */
int bot_console_ticket_close(sqlite3 *db, const bot_actor *a, const char *no, const char *reason, char *err);
/* Move ticket no to department to for reason (audit ticket.reassign); the
 * triage learns where such text belongs. MG_EMISSING. */
int bot_console_ticket_reassign(bot_worker *w, const bot_actor *a, const char *no, const char *to, const char *reason,
                                char *err);

/* ---- canned replies ---- */

/* The department whose canned replies a works on: staff their own, others
 * the one in the body, else the one in the query. MG_EMISSING when none. */
int bot_console_canned_department(const bot_actor *a, const char *body_dept, const char *query_dept, const char **dept,
                                  char *err);
/* Add (id 0) or change canned reply id of dept; its id into *out_id (audit canned.put). */
int bot_console_canned_put(sqlite3 *db, const bot_actor *a, long long id, const char *dept, const char *title,
                           const char *text, long long *out_id, char *err);
/* Delete canned reply id (its decimal text) of dept (audit canned.delete). */
int bot_console_canned_delete(sqlite3 *db, const bot_actor *a, const char *id, const char *dept, char *err);

/* ---- personal data, unanswered questions ---- */

/* What the city holds about one resident (bot_ticket_person_find) into
 * *out (new); audited as privacy.find with how the resident was looked up,
 * never the value. */
int bot_console_privacy_find(sqlite3 *db, const bot_actor *a, const ticket_person *who, json_t **out, char *err);

/* The unanswered questions of the last days, grouped (bot/unanswered.h):
 * residents' own words, so each read is audited (unanswered.read). */
int bot_console_unanswered(sqlite3 *db, const bot_actor *a, int days, json_t **groups, int *n, int *truncated,
                           char *err);

/* ---- accounts, the audit log ---- */

/* Change account login (bot_auth_user_update); MG_ECONFLICT when a would
 * give up their own admin role. */
int bot_console_user_update(sqlite3 *db, const bot_actor *a, const char *login, const char *display_name,
                            const char *role, const char *dept, char *err);
/* Disable (disabled 1) or enable account login; MG_ECONFLICT when a would
 * disable themselves. */
int bot_console_user_disable(sqlite3 *db, const bot_actor *a, const char *login, int disabled, char *err);

/* Rows of the audit log (bot_audit_find) into *rows (new); with export
 * ("csv", "json"; NULL: a page only) the export itself is audited
 * (audit.export). */
int bot_console_audit_find(sqlite3 *db, const bot_actor *a, const audit_filter *f, int offset, int limit,
                           const char *export, json_t **rows, int *total, char *err);

/* A table as CSV in Excel's taste (UTF-8 with a BOM, CRLF, every field
 * quoted, through the FAQ export's formula guard so a resident's
 * "=HYPERLINK(…)" stays text): the n heads, then keys of each row (numbers
 * as text, anything else ""), into *buf (malloc'd, caller frees) of *len
 * bytes. */
int bot_console_csv(const char *const *heads, const char *const *keys, int n, json_t *rows, char **buf, size_t *len,
                    char *err);

#endif
