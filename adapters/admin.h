/*
 * admin.h — the JSON admin API behind the staff console (/api/v1/admin/).
 *
 * admin_handle is a pure request → response function: the HTTP server
 * gathers one complete request (method, path, query, body and the few
 * headers that matter) on the libwebsockets service thread, runs
 * admin_handle on a worker thread (it hashes passwords and writes SQLite),
 * and writes the response back. It never touches a socket, so the unit tests
 * call it directly with the same structs the server fills.
 *
 * Every endpoint except login checks the session cookie (401 without a
 * valid one) and the role (403); every request that changes something must
 * carry the session's CSRF token in X-CSRF-Token (403 otherwise). Staff act
 * on their own department's tickets only; supervisors on all tickets and the
 * statistics; admins also manage accounts. Every change, and every read of
 * personal data (a ticket's transcript and contact), is written to the audit
 * log (bot/audit.h). docs/admin-api.md lists the endpoints.
 */
#ifndef MG_ADMIN_H
#define MG_ADMIN_H

#include <stddef.h>

#include "bot/answer.h"

#define ADMIN_PREFIX "/api/v1/admin"
#define ADMIN_COOKIE "mg_admin"

/* One request; every string is borrowed for the call, NULL when absent. */
typedef struct admin_req {
  const char *method;      /* "GET", "POST", "PUT", "DELETE" */
  const char *path;        /* "/api/v1/admin/faq/saijo-0001", without the query */
  const char *query;       /* "status=open&department=shimin", without '?' */
  const char *body;        /* request body (JSON, or CSV for import) */
  size_t body_len;
  const char *cookie;      /* the Cookie header */
  const char *csrf;        /* the X-CSRF-Token header */
  const char *client_ip;   /* the client's address (after trusted_proxy) */
  int https;               /* 1: the cookie gets the Secure attribute */
  int no_park;             /* GET /inbox: answer now even when nothing changed */
} admin_req;

/* One response. body is malloc'd and owned by the struct: free with
 * admin_resp_clear. Header values are "" when not to be sent. */
typedef struct admin_resp {
  int status;                    /* HTTP status */
  char *body;                    /* JSON (or CSV) bytes */
  size_t body_len;
  char content_type[64];         /* "application/json; charset=utf-8", "text/csv; charset=utf-8" */
  char content_disposition[128]; /* attachment; filename=… for downloads */
  char set_cookie[256];          /* Set-Cookie value */
  int park;                      /* GET /inbox?since=V and V is current: the server holds the
                                  * answer until the database changes (admin_http.c) */
  int retry_after;               /* > 0 after a failed login: the server holds the answer this
                                  * many seconds on an lws timer (never a sleep) when it is
                                  * small, and sends Retry-After when the account is locked */
} admin_resp;

/* Handle one admin API request on a worker thread (w's SQLite connection).
 * Always fills resp (4xx for the client's mistakes, 500 for internal
 * failures, with {"error": {code, message, detail}}); returns 0, or the
 * MG_E* code of an internal failure with err set (for the server's log). */
int admin_handle(bot_worker *w, const admin_req *req, admin_resp *resp, char *err);

/* Free what admin_handle put into resp (safe on a zeroed or cleared resp). */
void admin_resp_clear(admin_resp *resp);

/* Security headers every /admin and /api/v1/admin response carries (name,
 * value pairs ending with NULL): CSP default-src 'self' with
 * frame-ancestors 'none', nosniff, no referrer, no caching. The resident
 * widget's pages do not get these, so it stays embeddable. */
extern const char *const admin_security_headers[];

#endif
