/*
 * admin_int.h — what the admin API's files share (not a public contract).
 *
 * admin_api.c owns routing, sessions, CSRF and roles, and the helpers that
 * build responses; admin_faq.c the FAQ curation endpoints (list, edit,
 * history, diff, rollback, try, unanswered, import/export), which translate
 * HTTP to bot/curation.h, where their rules are; admin_ops.c the
 * ticket inbox, statistics, accounts and the audit view. A handler runs only
 * after the router has checked the session, the CSRF token and the minimum
 * role of its route; it fills c->resp through admin_reply*, and returns 0, or
 * a negative MG_E* code for an internal failure (the router turns it into a
 * 500 with err as detail).
 */
#ifndef MG_ADMIN_INT_H
#define MG_ADMIN_INT_H

#include <jansson.h>
#include <sqlite3.h>

#include "adapters/admin.h"
#include "bot/auth.h"

#define ADMIN_MAX_ARGS 3

typedef struct admin_ctx {
  bot_worker *w;
  sqlite3 *db;
  const admin_req *req;
  admin_resp *resp;
  auth_session sess;              /* valid when the route needs a session */
  char args[ADMIN_MAX_ARGS][256]; /* the '*' segments of the route, percent-decoded */
  json_t *body;                   /* the parsed JSON body (an object), or NULL */
  char *err;                      /* the caller's err[MG_ERRLEN] */
} admin_ctx;

/* Responses. admin_reply_json steals v. */
int admin_reply_json(admin_ctx *c, int status, json_t *v);
/* {"error": {code, message, detail}} for an MG_E* code; status from the code
 * when status is 0. Returns 0 (the request was answered). */
int admin_reply_error(admin_ctx *c, int status, int code, const char *detail);
/* After a call of bot/ (bot/curation.h, bot/console.h): 0 when rc is 0;
 * else 1, with the caller's mistakes (MG_EINVAL, MG_EMISSING, MG_EEMPTY,
 * MG_ENOTFOUND, MG_ECONFLICT, MG_EFORBIDDEN) answered as 4xx with err as
 * detail (*rc becomes 0), an internal failure left in *rc for the router. */
int admin_failed(admin_ctx *c, int *rc);
/* A download: body (malloc'd, stolen) with its type and file name. */
int admin_reply_bytes(admin_ctx *c, char *body, size_t len, const char *type, const char *filename);

/* Query parameter key, percent-decoded into out; returns 1 when present and non-empty. */
int admin_query(const admin_ctx *c, const char *key, char *out, size_t size);
/* Every list is paged (attack review F4: a flood must not hide real rows):
 * ?offset= (default 0) and ?limit= (default def, at most max). */
void admin_paging(const admin_ctx *c, int *offset, int *limit, int def, int max);
/* Rows offset .. offset+limit-1 of arr, as a new array (arr is released). */
json_t *admin_slice(json_t *arr, int offset, int limit);
/* Body fields: the string (NULL when absent or not a string), the integer (def when absent). */
const char *admin_body_str(const admin_ctx *c, const char *key);
long long admin_body_int(const admin_ctx *c, const char *key, long long def);

/* "YYYY-MM-DD" Asia/Tokyo date of a UTC "YYYY-MM-DDTHH:MM:SSZ" time into out[11]; 0 or -1. */
int admin_jst_date(const char *utc, char *out);
/* Seconds between two UTC times (b - a), or -1 when either is missing. */
long long admin_seconds_between(const char *a, const char *b);

/* Handlers (one per route). */
int admin_h_faq_list(admin_ctx *c);
int admin_h_faq_create(admin_ctx *c);
int admin_h_faq_get(admin_ctx *c);
int admin_h_faq_put(admin_ctx *c);
int admin_h_faq_version(admin_ctx *c);
int admin_h_faq_diff(admin_ctx *c);
int admin_h_faq_publish(admin_ctx *c);
int admin_h_faq_rollback(admin_ctx *c);
int admin_h_faq_alternate(admin_ctx *c);
int admin_h_departments(admin_ctx *c);
int admin_h_translations(admin_ctx *c);
int admin_h_try(admin_ctx *c);
int admin_h_unanswered(admin_ctx *c);
int admin_h_unanswered_close(admin_ctx *c);
int admin_h_unanswered_merge(admin_ctx *c);
int admin_h_import(admin_ctx *c);
int admin_h_phrasings(admin_ctx *c);
int admin_h_phrasing_accept(admin_ctx *c);
int admin_h_phrasing_reject(admin_ctx *c);
int admin_h_export(admin_ctx *c);

int admin_h_tickets(admin_ctx *c);
int admin_h_inbox(admin_ctx *c);
int admin_h_user_update(admin_ctx *c);
int admin_h_ticket_note(admin_ctx *c);
int admin_h_ticket_assign(admin_ctx *c);
int admin_h_canned_list(admin_ctx *c);
int admin_h_canned_put(admin_ctx *c);
int admin_h_canned_delete(admin_ctx *c);
int admin_h_privacy_find(admin_ctx *c);
int admin_h_privacy_erase(admin_ctx *c);
int admin_h_ticket_get(admin_ctx *c);
int admin_h_ticket_reply(admin_ctx *c);
int admin_h_ticket_close(admin_ctx *c);
int admin_h_ticket_reassign(admin_ctx *c);
int admin_h_stats(admin_ctx *c);
int admin_h_users(admin_ctx *c);
int admin_h_user_add(admin_ctx *c);
int admin_h_user_passwd(admin_ctx *c);
int admin_h_user_disable(admin_ctx *c);
int admin_h_user_enable(admin_ctx *c);
int admin_h_audit(admin_ctx *c);

#endif
