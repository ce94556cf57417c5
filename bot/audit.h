/*
 * audit.h — the append-only audit log of the console.
 *
 * Every change made through the console or the CLI (FAQ edit, publish,
 * rollback, import, ticket reply/close/reassign, user changes, logins) and
 * every read of personal data (a ticket's transcript or contact) adds one row
 * to audit_log: who (actor), what (action, target), when (UTC), and where it
 * applies the state before and after as JSON. Triggers in the schema reject
 * UPDATE and DELETE on audit_log, so a row, once written, stays as written.
 *
 * The table is created by the chat-service migration (audit_log: id, at,
 * actor, action, target, detail); the console's migration adds before_json
 * and after_json.
 */
#ifndef MG_AUDIT_H
#define MG_AUDIT_H

#include <jansson.h>
#include <sqlite3.h>

/* Append one row. actor: login of the user ("cli:LOGIN" or "system" for the
 * command line); action: a stable verb ("faq.publish", "ticket.read");
 * target: what it acted on ("saijo-0001", "T-20261124-0007"); before/after
 * (borrowed, may be NULL) are stored as compact JSON; detail (may be NULL) is
 * a short free text such as a reassignment reason. Joins the caller's
 * transaction when one is open. Returns 0 or MG_EDB/MG_ENOMEM with err set. */
int bot_audit_write(sqlite3 *db, const char *actor, const char *action, const char *target, json_t *before,
                json_t *after, const char *detail, char *err);

/* Newest rows first, filtered by action prefix and/or target (NULL = any),
 * at most limit rows, as a new JSON array of {id, at, actor, action, target,
 * detail, before, after}; caller json_decref's *out. */
int bot_audit_list(sqlite3 *db, const char *action_prefix, const char *target, int limit, json_t **out, char *err);
/* The same from row offset, with *total (may be NULL) the number of matching rows. */
int bot_audit_page(sqlite3 *db, const char *action_prefix, const char *target, int offset, int limit, json_t **out,
               int *total, char *err);
/* The same with every filter (NULL = any): action prefix, target, actor,
 * and the first/last day "YYYY-MM-DD" in Asia/Tokyo. */
typedef struct audit_filter { const char *action_prefix, *target, *actor, *from, *to; } audit_filter;
int bot_audit_find(sqlite3 *db, const audit_filter *f, int offset, int limit, json_t **out, int *total, char *err);

#endif
