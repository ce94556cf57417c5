/*
 * admin_api.c — routing, sessions, CSRF and roles of the admin API.
 *
 * One table lists every route with its method, path pattern ('*' matches
 * one segment), handler and minimum role, so reading it tells who may do
 * what. The router enforces the whole access policy before a handler runs:
 *   1. a session cookie naming a live session (else 401),
 *   2. for anything but GET, the session's CSRF token in X-CSRF-Token
 *      (else 403) — a cross-site form cannot read the token, and the
 *      SameSite=Strict cookie is a second, independent barrier,
 *   3. the route's minimum role (else 403).
 * Department scoping of tickets is data-dependent, so the ticket handlers
 * check it themselves through auth_can_department.
 *
 * Login is the one route without a session. It hashes (≈130 ms), which is
 * why admin_handle runs on a worker thread; after a failure it returns
 * retry_after so the server can hold the answer on an lws timer.
 */
#define _GNU_SOURCE /* strptime, timegm */
#include "adapters/admin_int.h"
#include "util/mg_time.h"
#include "bot/audit.h"
#include "util/mg_err.h"
#include "bot/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *const admin_security_headers[] = {
  "Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "X-Content-Type-Options", "nosniff",
  "X-Frame-Options", "DENY",
  "Referrer-Policy", "no-referrer",
  "Cache-Control", "no-store",
  NULL,
};

static int h_login(admin_ctx *c);
static int h_logout(admin_ctx *c);
static int h_me(admin_ctx *c);

#define NO_SESSION (-1)
struct route {
  const char *method;
  const char *pattern;  /* after ADMIN_PREFIX */
  int (*fn)(admin_ctx *c);
  int min_role;         /* auth_role, or NO_SESSION */
};
static const struct route routes[] = {
  { "POST", "/login", h_login, NO_SESSION },
  { "POST", "/logout", h_logout, AUTH_STAFF },
  { "GET", "/me", h_me, AUTH_STAFF },
  { "GET", "/departments", admin_h_departments, AUTH_STAFF },
  { "GET", "/translations", admin_h_translations, AUTH_STAFF },
  { "GET", "/faq", admin_h_faq_list, AUTH_STAFF },
  { "POST", "/faq", admin_h_faq_create, AUTH_STAFF },
  { "GET", "/faq/*", admin_h_faq_get, AUTH_STAFF },
  { "PUT", "/faq/*", admin_h_faq_put, AUTH_STAFF },
  { "GET", "/faq/*/versions/*", admin_h_faq_version, AUTH_STAFF },
  { "GET", "/faq/*/diff", admin_h_faq_diff, AUTH_STAFF },
  { "POST", "/faq/*/publish", admin_h_faq_publish, AUTH_STAFF },
  { "POST", "/faq/*/rollback", admin_h_faq_rollback, AUTH_STAFF },
  { "POST", "/faq/*/alternates", admin_h_faq_alternate, AUTH_STAFF },
  { "POST", "/try", admin_h_try, AUTH_STAFF },
  { "GET", "/unanswered", admin_h_unanswered, AUTH_STAFF },
  { "POST", "/unanswered/close", admin_h_unanswered_close, AUTH_STAFF },
  { "POST", "/unanswered/merge", admin_h_unanswered_merge, AUTH_STAFF },
  { "GET", "/phrasings", admin_h_phrasings, AUTH_STAFF },
  { "POST", "/phrasings/*/accept", admin_h_phrasing_accept, AUTH_STAFF },
  { "POST", "/phrasings/*/reject", admin_h_phrasing_reject, AUTH_STAFF },
  { "POST", "/import", admin_h_import, AUTH_STAFF },
  { "GET", "/export", admin_h_export, AUTH_STAFF },
  { "GET", "/tickets", admin_h_tickets, AUTH_STAFF },
  { "GET", "/inbox", admin_h_inbox, AUTH_STAFF },
  { "GET", "/tickets/*", admin_h_ticket_get, AUTH_STAFF },
  { "POST", "/tickets/*/reply", admin_h_ticket_reply, AUTH_STAFF },
  { "POST", "/tickets/*/close", admin_h_ticket_close, AUTH_STAFF },
  { "POST", "/tickets/*/note", admin_h_ticket_note, AUTH_STAFF },
  { "POST", "/tickets/*/assign", admin_h_ticket_assign, AUTH_STAFF },
  { "GET", "/canned", admin_h_canned_list, AUTH_STAFF },
  { "POST", "/canned", admin_h_canned_put, AUTH_STAFF },
  { "PUT", "/canned/*", admin_h_canned_put, AUTH_STAFF },
  { "DELETE", "/canned/*", admin_h_canned_delete, AUTH_STAFF },
  { "POST", "/tickets/*/reassign", admin_h_ticket_reassign, AUTH_STAFF },
  { "GET", "/stats", admin_h_stats, AUTH_SUPERVISOR },
  { "GET", "/audit", admin_h_audit, AUTH_SUPERVISOR },
  { "GET", "/privacy", admin_h_privacy_find, AUTH_SUPERVISOR },
  { "POST", "/privacy/erase", admin_h_privacy_erase, AUTH_SUPERVISOR },
  { "GET", "/users", admin_h_users, AUTH_ADMIN },
  { "POST", "/users", admin_h_user_add, AUTH_ADMIN },
  { "POST", "/users/*/passwd", admin_h_user_passwd, AUTH_ADMIN },
  { "PUT", "/users/*", admin_h_user_update, AUTH_ADMIN },
  { "POST", "/users/*/disable", admin_h_user_disable, AUTH_ADMIN },
  { "POST", "/users/*/enable", admin_h_user_enable, AUTH_ADMIN },
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

/* ---- responses ------------------------------------------------------------ */

void admin_resp_clear(admin_resp *r) {
  free(r->body);
  memset(r, 0, sizeof *r);
}

int admin_reply_json(admin_ctx *c, int status, json_t *v) {
  char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
  json_decref(v);
  if (!s) return mg_errf(c->err, MG_ENOMEM, "admin: could not encode the response");
  free(c->resp->body);
  c->resp->status = status;
  c->resp->body = s;
  c->resp->body_len = strlen(s);
  snprintf(c->resp->content_type, sizeof c->resp->content_type, "application/json; charset=utf-8");
  return 0;
}

int admin_reply_error(admin_ctx *c, int status, int code, const char *detail) {
  json_t *v = json_pack("{s{ss ss ss}}", "error", "code", mg_err_code(code), "message", mg_err_message(code),
                        "detail", detail ? detail : "");
  return admin_reply_json(c, status ? status : mg_err_http_status(code), v);
}

int admin_failed(admin_ctx *c, int *rc) {
  if (!*rc) return 0;
  if (*rc == MG_EINVAL || *rc == MG_EMISSING || *rc == MG_EEMPTY || *rc == MG_ENOTFOUND || *rc == MG_ECONFLICT ||
      *rc == MG_EFORBIDDEN)
    *rc = admin_reply_error(c, 0, *rc, c->err);
  return 1;
}

int admin_reply_bytes(admin_ctx *c, char *body, size_t len, const char *type, const char *filename) {
  free(c->resp->body);
  c->resp->status = 200;
  c->resp->body = body;
  c->resp->body_len = len;
  snprintf(c->resp->content_type, sizeof c->resp->content_type, "%s", type);
  if (filename)
    snprintf(c->resp->content_disposition, sizeof c->resp->content_disposition, "attachment; filename=\"%s\"",
             filename);
  return 0;
}

/* ---- request helpers ------------------------------------------------------ */

static int hexval(int ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* Percent-decode s[0..n) into out (plus as space when form), NUL-terminated; -1 when too long. */
static int decode(const char *s, size_t n, int form, char *out, size_t size) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    int ch = (unsigned char)s[i];
    if (ch == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      ch = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
      i += 2;
    } else if (ch == '+' && form) ch = ' ';
    if (o + 1 >= size) return -1;
    out[o++] = (char)ch;
  }
  out[o] = '\0';
  return 0;
}

void admin_paging(const admin_ctx *c, int *offset, int *limit, int def, int max) {
  char v[16];
  *offset = admin_query(c, "offset", v, sizeof v) ? atoi(v) : 0;
  *limit = admin_query(c, "limit", v, sizeof v) ? atoi(v) : def;
  if (*offset < 0) *offset = 0;
  if (*limit < 1) *limit = def;
  if (*limit > max) *limit = max;
}

json_t *admin_slice(json_t *arr, int offset, int limit) {
  json_t *page = json_array();
  for (size_t i = (size_t)offset; page && i < json_array_size(arr) && i < (size_t)offset + (size_t)limit; i++)
    json_array_append(page, json_array_get(arr, i));
  json_decref(arr);
  return page;
}

int admin_query(const admin_ctx *c, const char *key, char *out, size_t size) {
  const char *q = c->req->query;
  size_t klen = strlen(key);
  out[0] = '\0';
  while (q && *q) {
    const char *amp = strchr(q, '&'), *end = amp ? amp : q + strlen(q), *eq = memchr(q, '=', (size_t)(end - q));
    if (eq && (size_t)(eq - q) == klen && memcmp(q, key, klen) == 0)
      return decode(eq + 1, (size_t)(end - eq - 1), 1, out, size) == 0 && out[0] != '\0';
    q = amp ? amp + 1 : NULL;
  }
  return 0;
}

const char *admin_body_str(const admin_ctx *c, const char *key) {
  return c->body ? json_string_value(json_object_get(c->body, key)) : NULL;
}

long long admin_body_int(const admin_ctx *c, const char *key, long long def) {
  json_t *v = c->body ? json_object_get(c->body, key) : NULL;
  if (json_is_integer(v)) return json_integer_value(v);
  if (json_is_string(v)) {
    char *end;
    long long n = strtoll(json_string_value(v), &end, 10);
    if (*json_string_value(v) && !*end) return n;
  }
  return def;
}

int admin_jst_date(const char *utc, char *out) {
  time_t t;
  if (mg_time_parse(utc, &t)) return -1;
  mg_time_jst(t, "%Y-%m-%d", out, 11);
  return 0;
}

long long admin_seconds_between(const char *a, const char *b) {
  time_t ta, tb;
  if (mg_time_parse(a, &ta) || mg_time_parse(b, &tb)) return -1;
  return (long long)(tb - ta);
}

/* The value of cookie ADMIN_COOKIE in a Cookie header, into out. */
static int cookie_value(const char *header, char *out, size_t size) {
  const char *p = header;
  size_t klen = strlen(ADMIN_COOKIE);
  out[0] = '\0';
  while (p && *p) {
    while (*p == ' ' || *p == ';') p++;
    if (strncmp(p, ADMIN_COOKIE, klen) == 0 && p[klen] == '=') {
      const char *v = p + klen + 1, *end = strchr(v, ';');
      size_t n = end ? (size_t)(end - v) : strlen(v);
      if (n >= size) return 0;
      memcpy(out, v, n);
      out[n] = '\0';
      return 1;
    }
    p = strchr(p, ';');
  }
  return 0;
}

/* Does path (after the prefix) match pattern? Fills c->args with '*' segments. */
static int match(const char *pattern, const char *path, admin_ctx *c) {
  int n = 0;
  while (*pattern && *path) {
    if (*pattern == '*') {
      const char *end = strchr(path, '/');
      size_t len = end ? (size_t)(end - path) : strlen(path);
      if (len == 0 || n >= ADMIN_MAX_ARGS || decode(path, len, 0, c->args[n], sizeof c->args[n])) return 0;
      if (strchr(c->args[n], '/')) return 0;
      n++;
      path += len;
      pattern++;
    } else if (*pattern++ != *path++) return 0;
  }
  return *pattern == '\0' && *path == '\0';
}

/* ---- login, logout, me ---------------------------------------------------- */

static json_t *user_json(const auth_user *u) {
  return json_pack("{ss ss ss ss}", "login", u->login, "display_name", u->display_name, "role",
                   bot_auth_role_name(u->role), "department", u->department_id);
}

static json_t *session_json(const auth_session *s) {
  return json_pack("{so ss ss}", "user", user_json(&s->user), "csrf", s->csrf, "expires_at", s->expires_at);
}

static int h_login(admin_ctx *c) {
  const char *login = admin_body_str(c, "login"), *pw = admin_body_str(c, "password");
  char token[AUTH_TOKEN_LEN];
  auth_session s;
  int retry = 0, rc;
  if (!login || !pw) return admin_reply_error(c, 400, MG_EMISSING, "ログインIDとパスワードを入力してください");
  rc = bot_auth_login(c->db, login, pw, c->req->client_ip, token, &s, &retry, c->err);
  if (rc == MG_EAUTH || rc == MG_ERATE) {
    c->resp->retry_after = retry;
    return admin_reply_error(c, 0, rc, rc == MG_ERATE ? c->err : "ログインIDかパスワードが違います");
  }
  if (rc) return rc;
  snprintf(c->resp->set_cookie, sizeof c->resp->set_cookie, "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s",
           ADMIN_COOKIE, token, AUTH_SESSION_SECONDS, c->req->https ? "; Secure" : "");
  return admin_reply_json(c, 200, session_json(&s));
}

static int h_logout(admin_ctx *c) {
  char token[128];
  int rc;
  cookie_value(c->req->cookie, token, sizeof token);
  if ((rc = bot_auth_logout(c->db, token, c->err))) return rc;
  if ((rc = bot_audit_write(c->db, c->sess.user.login, "auth.logout", c->sess.user.login, NULL, NULL, NULL, c->err)))
    return rc;
  snprintf(c->resp->set_cookie, sizeof c->resp->set_cookie, "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
           ADMIN_COOKIE, c->req->https ? "; Secure" : "");
  return admin_reply_json(c, 200, json_pack("{sb}", "ok", 1));
}

static int h_me(admin_ctx *c) {
  return admin_reply_json(c, 200, session_json(&c->sess));
}

/* ---- the router ----------------------------------------------------------- */

static int dispatch(admin_ctx *c) {
  const admin_req *req = c->req;
  const char *path = req->path ? req->path : "";
  const struct route *r = NULL;
  int path_known = 0, rc;
  char token[128];

  if (strncmp(path, ADMIN_PREFIX, strlen(ADMIN_PREFIX)) != 0)
    return admin_reply_error(c, 404, MG_ENOTFOUND, "管理APIのパスではありません");
  path += strlen(ADMIN_PREFIX);
  for (size_t i = 0; i < N_ROUTES; i++) {
    if (!match(routes[i].pattern, path, c)) continue;
    path_known = 1;
    if (req->method && strcmp(routes[i].method, req->method) == 0) { r = &routes[i]; break; }
  }
  if (!r) {
    if (path_known) return admin_reply_error(c, 405, MG_EINVAL, "このパスではこのメソッドは使えません");
    return admin_reply_error(c, 404, MG_ENOTFOUND, "そのようなAPIはありません");
  }

  if (r->min_role != NO_SESSION) {
    if (!cookie_value(req->cookie, token, sizeof token))
      return admin_reply_error(c, 401, MG_EAUTH, "ログインしていません（セッションのCookieがありません）");
    rc = bot_auth_session_get(c->db, token, &c->sess, c->err);
    if (rc == MG_EAUTH) return admin_reply_error(c, 401, MG_EAUTH, c->err);
    if (rc) return rc;
    if (strcmp(req->method, "GET") != 0 && !bot_auth_csrf_ok(&c->sess, req->csrf))
      return admin_reply_error(c, 403, MG_EFORBIDDEN, "CSRFトークンがないか、正しくありません。画面を再読み込みしてください");
    if (!bot_auth_has_role(&c->sess, (auth_role)r->min_role))
      return admin_reply_error(c, 403, MG_EFORBIDDEN, "この操作には上位の権限が必要です");
  }

  /* every body but an import's CSV is a JSON object */
  if (r->fn != admin_h_import && req->body && req->body_len > 0) {
    json_error_t je;
    c->body = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(c->body)) return admin_reply_error(c, 400, MG_EBADJSON, c->body ? "本文はJSONのオブジェクト（{…}）で送ってください" : je.text);
  }
  return r->fn(c);
}

int admin_handle(bot_worker *w, const admin_req *req, admin_resp *resp, char *err) {
  admin_ctx c;
  int rc;
  memset(resp, 0, sizeof *resp);
  memset(&c, 0, sizeof c);
  c.w = w;
  c.db = bot_worker_db(w);
  c.req = req;
  c.resp = resp;
  c.err = err;
  err[0] = '\0';
  rc = dispatch(&c);
  json_decref(c.body);
  if (rc) {
    char detail[MG_ERRLEN];
    snprintf(detail, sizeof detail, "%s", err);
    resp->set_cookie[0] = '\0';
    admin_reply_error(&c, 500, rc, detail);
  }
  if (!resp->body) {
    resp->status = 500;
    resp->body = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"\",\"detail\":\"no response\"}}");
    resp->body_len = resp->body ? strlen(resp->body) : 0;
    snprintf(resp->content_type, sizeof resp->content_type, "application/json; charset=utf-8");
  }
  return rc;
}
