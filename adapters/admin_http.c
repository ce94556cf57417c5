/*
 * admin_http.c — the staff console on the wire: /admin and /api/v1/admin/.
 *
 * Two lws mounts send these paths to the protocol "madoguchi-admin" (this
 * file), so the resident-facing protocol[0] in http_api.c never sees them
 * and the console's stricter headers cannot leak onto the widget's pages
 * (the widget must stay embeddable; the console must not be framed).
 *
 *  - /admin/ serves exactly three files from web_dir/admin (a fixed list: no
 *    path from the request reaches the file system) with
 *    admin_security_headers: CSP default-src 'self' and frame-ancestors
 *    'none', nosniff, DENY, no-referrer, no-store.
 *  - /api/v1/admin/... is read completely (body up to ADMIN_MAX_BODY for a
 *    CSV import) on the service thread, then handed to a worker as an
 *    admin job that runs admin_handle (password hashing and SQLite
 *    writes never run on the service thread). The result comes back through
 *    srv_drain → admin_complete, and is written in HTTP_WRITEABLE in
 *    chunks.
 *
 * Requests other than GET from a browser must carry the console's own
 * Origin (login included, so another site cannot log a browser in).
 *
 * A failed login is not answered at once: the response waits retry_after
 * seconds (at most ADMIN_MAX_DELAY) on an lws timer of the connection — the
 * service thread never sleeps. A locked (login, address) pair gets 429 with
 * Retry-After. Login attempts also spend the client address's HTTP token
 * bucket.
 *
 * Password hashing (login, a new account, a new password) does not run on
 * the chat workers: those jobs go to the hashing threads (srv_submit_hash,
 * auth_hash_threads, default 1) with a queue of their own (auth_hash_queue;
 * full → 503 `busy` with Retry-After), so a login flood costs residents at
 * most the CPU of those threads, never a place in the chat queue (attack
 * review F3). In front of that queue the service thread turns logins away
 * with 429 `rate_limited` and Retry-After before anything is hashed:
 *  - per address: one login at a time is hashed, and after the n-th failure
 *    in a row the next waits min(n, LOGIN_ADDR_MAX_DELAY) seconds from the
 *    moment the failure was known. The held 401 runs from that same moment,
 *    so a client that waits for its answer is not turned away; a flood of
 *    parallel or impatient requests is, cheaply.
 *  - per login name (known or not, so the answer does not reveal which
 *    exist): after AUTH_MAX_FAILURES hashed failures from any addresses
 *    within AUTH_LOCK_SECONDS, logins of that name are hashed at most once
 *    per LOGIN_ACCT_SPACING seconds — but only for addresses that have
 *    failed themselves lately. An address without recent failures (the real
 *    user) is never held back by strangers' failures.
 * This state lives in memory on the service thread (srv_ip, srv_acct) and is
 * lost on restart, which only forgets backoff; the lock of a (login,
 * address) pair is in the database (bot/auth.c).
 */
#include "adapters/admin.h"
#include "bot/auth.h"
#include "adapters/server.h"
#include "util/mg_err.h"
#include "util/mg_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#define ADMIN_MAX_BODY (8 * 1024 * 1024)  /* a CSV import of a whole FAQ */
#define ADMIN_MAX_DELAY 5                 /* seconds a failed login waits at most */
#define LOGIN_MAX_BODY 4096               /* a login's JSON */
#define LOGIN_ADDR_MAX_DELAY 30           /* seconds an address waits at most between hashed logins */
#define LOGIN_ACCT_SPACING 1              /* seconds between hashed logins of a name under attack */
#define LOGIN_SLACK_US (250 * 1000)       /* timer jitter: the held 401 and the backoff end together */
#define ADMIN_INBOX_WAIT_US (25 * 1000000LL) /* a held GET /inbox answers after this at the latest */

/* What a worker needs, and what it returns. Owned by the job. */
struct admin_job {
  char method[8];
  char path[512];
  char *query, *cookie, *csrf;   /* NUL-terminated copies ("" when absent) */
  char ip[64];
  int https;                     /* the browser talks HTTPS (to us or to the trusted proxy) */
  unsigned char *body;
  size_t body_len;
  int hashes;                    /* the handler hashes a password: the hashing threads run it */
  int no_park;                   /* GET /inbox: answer now (its wait is over) */
  int login;                     /* POST /login: holds its address's login_busy */
  char login_name[64];           /* its "login" ("" when absent or not a string) */
  admin_resp resp;
  uint64_t req;                  /* request id, for the logs */
};

struct admin_pss {
  struct lws *wsi;
  uint64_t id;                   /* connection id while a job is out */
  struct admin_job *job;         /* being filled (body) or its result (to write) */
  int reading;                   /* collecting the body */
  int body_over;
  size_t max_body;               /* LOGIN_MAX_BODY or ADMIN_MAX_BODY */
  int writing;                   /* the response is ready */
  int headers_sent;
  size_t sent;                   /* body bytes written */
  int64_t t0;
  lws_sorted_usec_list_t sul;    /* the failed-login delay */
  struct admin_pss *wait_next;   /* on admin_state.inbox_wait: a held GET /inbox */
  int64_t wait_until;
  int parked;
};

/* The adapter's own state (srv_state); service thread only. */
struct admin_state {
  struct admin_pss *inbox_wait;  /* held GET /inbox requests */
};

static size_t admin_pss_size(void) { return sizeof(struct admin_pss); }

static struct admin_state *state_of(srv *s) { return *srv_state(s, &admin_http_adapter); }

static const srv_job_ops admin_ops;

static const struct lws_http_mount mount_api = {
  .mountpoint = ADMIN_PREFIX,
  .mountpoint_len = sizeof ADMIN_PREFIX - 1,
  .origin = "madoguchi-admin",
  .origin_protocol = LWSMPRO_CALLBACK,
};
static const struct lws_http_mount admin_mounts = {
  .mount_next = &mount_api,
  .mountpoint = "/admin",
  .mountpoint_len = 6,
  .origin = "madoguchi-admin",
  .origin_protocol = LWSMPRO_CALLBACK,
};

static void admin_http_job_free(struct admin_job *a) {
  if (!a) return;
  free(a->query);
  free(a->cookie);
  free(a->csrf);
  free(a->body);
  admin_resp_clear(&a->resp);
  free(a);
}

static void unpark(srv *s, struct admin_pss *p) {
  struct admin_pss **pp;
  if (!p->parked) return;
  for (pp = &state_of(s)->inbox_wait; *pp; pp = &(*pp)->wait_next)
    if (*pp == p) {
      *pp = p->wait_next;
      break;
    }
  p->wait_next = NULL;
  p->parked = 0;
}

static void pss_clear(srv *s, struct admin_pss *p) {
  unpark(s, p);
  lws_sul_cancel(&p->sul);
  if (p->id) srv_conn_del(s, p->id);
  admin_http_job_free(p->job);
  memset(p, 0, sizeof *p);
}

/* A header's value as a new string ("" when absent); NULL on OOM. */
static char *header_dup(struct lws *wsi, enum lws_token_indexes tok) {
  int n = lws_hdr_total_length(wsi, tok);
  char *v = malloc((size_t)(n > 0 ? n : 0) + 1);
  if (!v) return NULL;
  v[0] = '\0';
  if (n > 0 && lws_hdr_copy(wsi, v, n + 1, tok) < 0) v[0] = '\0';
  return v;
}

/* The query string as "k=v&k=v". lws keeps each argument as a fragment and
 * has already percent-decoded it; the value's '%', '&' and '+' are encoded
 * again so admin_query (which decodes) reads back exactly what was sent. */
static char *args_dup(struct lws *wsi) {
  int total = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS), n;
  size_t cap = (size_t)(total > 0 ? total : 0) * 3 + 64, used = 0;
  char *v = malloc(cap), frag[2048];
  if (!v) return NULL;
  v[0] = '\0';
  for (int i = 0; (n = lws_hdr_copy_fragment(wsi, frag, sizeof frag, WSI_TOKEN_HTTP_URI_ARGS, i)) >= 0; i++) {
    int in_value = 0;
    if (n == 0 || used + (size_t)n * 3 + 2 >= cap) continue;
    if (used) v[used++] = '&';
    for (const char *c = frag; *c; c++) {
      if (in_value && (*c == '%' || *c == '&' || *c == '+')) used += (size_t)sprintf(v + used, "%%%02X", (unsigned char)*c);
      else v[used++] = *c;
      if (*c == '=') in_value = 1;
    }
    v[used] = '\0';
  }
  return v;
}

static char *custom_dup(struct lws *wsi, const char *name) {
  int nl = (int)strlen(name), n = lws_hdr_custom_length(wsi, name, nl);
  char *v = malloc((size_t)(n > 0 ? n : 0) + 1);
  if (!v) return NULL;
  v[0] = '\0';
  if (n > 0 && lws_hdr_custom_copy(wsi, v, n + 1, name, nl) < 0) v[0] = '\0';
  return v;
}

/* Answer with a small JSON error from the service thread (no worker needed);
 * retry_after > 0 adds Retry-After (429 and 503 only). */
static int quick_error_retry(struct lws *wsi, struct admin_pss *p, int status, int err, int retry_after) {
  json_t *j = json_pack("{s{ss ss ss}}", "error", "code", mg_err_code(err), "message", mg_err_message(err), "detail", "");
  char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
  json_decref(j);
  if (!p->job && !(p->job = calloc(1, sizeof *p->job))) { free(s); return -1; }
  admin_resp_clear(&p->job->resp);
  p->job->resp.status = status;
  p->job->resp.retry_after = retry_after;
  p->job->resp.body = s;
  p->job->resp.body_len = s ? strlen(s) : 0;
  snprintf(p->job->resp.content_type, sizeof p->job->resp.content_type, "application/json; charset=utf-8");
  p->reading = 0;
  p->writing = 1;
  lws_callback_on_writable(wsi);
  return 0;
}

static int quick_error(struct lws *wsi, struct admin_pss *p, int status, int err) {
  return quick_error_retry(wsi, p, status, err, 0);
}

/* A browser's change request must come from the console's own origin: the
 * Origin's host[:port] equals Host. allowed_origins (the city pages that may
 * embed the widget) deliberately do not count here. No Origin (curl, a
 * script) passes; the CSRF token and the SameSite cookie still apply. */
static int same_origin(struct lws *wsi) {
  char origin[256];
  int n = lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN);
  if (n <= 0) return 1;
  if ((size_t)n >= sizeof origin || lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN) < 0) return 0;
  return srv_same_origin(wsi, origin);
}

/* Did the browser use HTTPS? Directly (lws_is_ssl), or to the trusted proxy,
 * which says so in X-Forwarded-Proto; then the cookie gets Secure. A header
 * from anyone else is ignored, like X-Forwarded-For in srv_client_ip. */
static int browser_https(srv *s, struct lws *wsi) {
  char peer[64], proto[16];
  const char *p = peer;
  if (lws_is_ssl(wsi)) return 1;
  if (!s->cfg->trusted_proxy[0]) return 0;
  peer[0] = '\0';
  lws_get_peer_simple(wsi, peer, sizeof peer);
  if (strncmp(p, "::ffff:", 7) == 0) p += 7;
  if (strcmp(p, s->cfg->trusted_proxy) != 0) return 0;
  if (lws_hdr_custom_copy(wsi, proto, sizeof proto, "x-forwarded-proto:", 18) <= 0) return 0;
  return strcasecmp(proto, "https") == 0;
}

/* ---- static files of the console ------------------------------------------ */

static int serve_file(srv *s, struct lws *wsi, struct admin_pss *p, const char *uri) {
  static const struct { const char *uri, *file, *type; } files[] = {
    { "/admin/", "admin/index.html", "text/html; charset=utf-8" },
    { "/admin/index.html", "admin/index.html", "text/html; charset=utf-8" },
    { "/admin/admin.js", "admin/admin.js", "text/javascript; charset=utf-8" },
    { "/admin/admin.css", "admin/admin.css", "text/css; charset=utf-8" },
  };
  char headers[1024], path[PATH_MAX + 64];
  size_t hl = 0;
  int n;
  if (strcmp(uri, "/admin") == 0) {
    unsigned char buf[LWS_PRE + 512], *start = buf + LWS_PRE, *ptr = start, *end = buf + sizeof buf - 1;
    mg_log_access("admin", "GET", uri, 301, 0, 0, "", 0);
    n = lws_http_redirect(wsi, HTTP_STATUS_MOVED_PERMANENTLY, (const unsigned char *)"/admin/", 7, &ptr, end);
    return n < 0 ? -1 : lws_http_transaction_completed(wsi) ? -1 : 0;
  }
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    if (strcmp(uri, files[i].uri) != 0) continue;
    if (!s->web_root[0]) break;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", s->web_root, files[i].file) >= sizeof path) break;
    for (int k = 0; admin_security_headers[k]; k += 2)
      hl += (size_t)snprintf(headers + hl, sizeof headers - hl, "%s: %s\x0d\x0a", admin_security_headers[k],
                             admin_security_headers[k + 1]);
    mg_log_access("admin", "GET", uri, 200, 0, 0, "", 0);
    n = lws_serve_http_file(wsi, path, files[i].type, headers, (int)hl);
    if (n < 0) return -1;
    return n > 0 ? (lws_http_transaction_completed(wsi) ? -1 : 0) : 0;
  }
  return quick_error(wsi, p, 404, MG_ENOTFOUND);
}

/* ---- API requests ---------------------------------------------------------- */

/* The routes whose handler hashes a password. */
static int route_hashes(const struct admin_job *a) {
  static const char users[] = ADMIN_PREFIX "/users", passwd[] = "/passwd";
  size_t n = strlen(a->path), np = sizeof passwd - 1;
  if (strcmp(a->method, "POST") != 0) return 0;
  if (strcmp(a->path, ADMIN_PREFIX "/login") == 0 || strcmp(a->path, users) == 0) return 1;
  return strncmp(a->path, users, sizeof users - 1) == 0 && a->path[sizeof users - 1] == '/' && n > np &&
         strcmp(a->path + n - np, passwd) == 0;
}

static int64_t secs_us(int n) { return (int64_t)n * 1000000; }

/* Before a login is hashed (service thread): 0 to go ahead — the address is
 * then busy until login_done — or the seconds to wait (> 0). */
static int login_gate(srv *s, struct admin_job *a) {
  int64_t now = srv_now_us(), wait = 0;
  struct srv_ip *r = srv_ip_get(s, a->ip);
  struct srv_acct *acct;
  if (!r) return 1;
  if (r->login_fails && now - r->login_last_fail > secs_us(AUTH_LOCK_SECONDS)) r->login_fails = 0;
  if (r->login_busy) wait = secs_us(1);
  else if (r->login_next - LOGIN_SLACK_US > now) wait = r->login_next - now;
  if (r->login_fails && a->login_name[0] && (acct = srv_acct_get(s, a->login_name)) &&
      acct->next_try - LOGIN_SLACK_US > now && acct->next_try - now > wait)
    wait = acct->next_try - now;
  if (wait > 0) return (int)((wait + 999999) / 1000000);
  r->login_busy = 1;
  a->login = 1;
  return 0;
}

/* A login came back from the hashing threads (service thread, whether or
 * not its client is still there): count the outcome for address and name. */
static void login_done(srv *s, struct admin_job *a) {
  int64_t now = srv_now_us();
  struct srv_ip *r = srv_ip_get(s, a->ip);
  struct srv_acct *acct = a->login_name[0] ? srv_acct_get(s, a->login_name) : NULL;
  int status = a->resp.status;
  if (!r) return;
  r->login_busy = 0;
  a->login = 0;
  if (status == 200) {
    r->login_fails = 0;
    r->login_next = 0;
    if (acct) {
      acct->fails = 0;
      acct->next_try = 0;
    }
  } else if (status == 401 || status == 429) {
    r->login_fails++;
    r->login_last_fail = now;
    r->login_next = now + secs_us(r->login_fails < LOGIN_ADDR_MAX_DELAY ? r->login_fails : LOGIN_ADDR_MAX_DELAY);
    if (acct && status == 401) {   /* a hashed failure (429 = a locked pair, nothing hashed) */
      if (now - acct->last_fail > secs_us(AUTH_LOCK_SECONDS)) acct->fails = 0;
      acct->fails++;
      acct->last_fail = now;
      if (acct->fails >= AUTH_MAX_FAILURES) acct->next_try = now + secs_us(LOGIN_ACCT_SPACING);
    }
  }
}

/* Read the login name of a POST /login body (service thread; at most
 * LOGIN_MAX_BODY bytes, so parsing it costs microseconds). */
static void login_name_of(struct admin_job *a) {
  json_t *body = a->body ? json_loadb((const char *)a->body, a->body_len, 0, NULL) : NULL;
  const char *login = json_string_value(json_object_get(body, "login"));
  snprintf(a->login_name, sizeof a->login_name, "%s", login ? login : "");
  json_decref(body);
}

static int submit(srv *s, struct lws *wsi, struct admin_pss *p) {
  srv_job *j;
  struct admin_job *a = p->job;
  int wait;
  p->reading = 0;
  a->hashes = route_hashes(a);
  if (a->hashes && strcmp(a->path, ADMIN_PREFIX "/login") == 0) {
    login_name_of(a);
    if ((wait = login_gate(s, a)) > 0) return quick_error_retry(wsi, p, 429, MG_ERATE, wait);
  }
  if (!(j = calloc(1, sizeof *j))) {
    if (a->login) login_done(s, a);
    return quick_error(wsi, p, 503, MG_ENOMEM);
  }
  j->ops = &admin_ops;
  j->data = p->job;
  j->req = a->req ? a->req : (a->req = mg_log_new_request_id()); /* a held /inbox keeps its id */
  if (!(p->id = srv_conn_add(s, wsi, 0))) {
    j->data = NULL;
    srv_job_free(j);
    if (a->login) login_done(s, a);
    return quick_error(wsi, p, 503, MG_EBUSY);
  }
  j->conn = p->id;
  if ((a->hashes ? srv_submit_hash(s, j) : srv_submit(s, j)) != 0) {
    j->data = NULL;
    srv_job_free(j);
    srv_conn_del(s, p->id);
    p->id = 0;
    if (a->login) login_done(s, a);
    return quick_error_retry(wsi, p, 503, MG_EBUSY, a->hashes ? 1 : 0);
  }
  p->job = NULL;   /* the job owns it until it comes back */
  return 0;
}

static int on_request(srv *s, struct lws *wsi, struct admin_pss *p) {
  struct admin_job *a;
  char clen[32] = "";
  long long n = 0;
  struct srv_ip *r;
  int bad;

  pss_clear(s, p);
  p->wsi = wsi;
  p->t0 = srv_now_us();
  if (!(a = p->job = calloc(1, sizeof *a))) return -1;
  srv_method(wsi, a->method, sizeof a->method, a->path, sizeof a->path);
  srv_client_ip(s, wsi, a->ip, sizeof a->ip);
  a->https = browser_https(s, wsi);
  if ((bad = srv_header_problem(wsi)) != 0) return quick_error(wsi, p, bad, bad == 431 ? MG_EFRAME : MG_EINVAL);
  if (s->stopping) return quick_error(wsi, p, 503, MG_EBUSY);
  if (strcmp(a->path, "/admin") == 0 || strncmp(a->path, "/admin/", 7) == 0) {
    if (strcmp(a->method, "GET") != 0 && strcmp(a->method, "HEAD") != 0) return quick_error(wsi, p, 405, MG_EINVAL);
    return serve_file(s, wsi, p, a->path);
  }
  a->query = args_dup(wsi);
  a->cookie = header_dup(wsi, WSI_TOKEN_HTTP_COOKIE);
  a->csrf = custom_dup(wsi, "x-csrf-token:");
  if (!a->query || !a->cookie || !a->csrf) return quick_error(wsi, p, 503, MG_ENOMEM);
  if (strcmp(a->method, "GET") != 0 && !same_origin(wsi)) return quick_error(wsi, p, 403, MG_EFORBIDDEN);
  if (strcmp(a->path, ADMIN_PREFIX "/login") == 0 && (!(r = srv_ip_get(s, a->ip)) || srv_ip_take(s, r) != 0))
    return quick_error_retry(wsi, p, 429, MG_ERATE, 1);
  if (lws_hdr_copy(wsi, clen, sizeof clen, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0) n = atoll(clen);
  p->max_body = strcmp(a->path, ADMIN_PREFIX "/login") == 0 ? LOGIN_MAX_BODY : ADMIN_MAX_BODY;
  if (n > (long long)p->max_body) return quick_error(wsi, p, 413, MG_EFRAME);
  if (n > 0 && strcmp(a->method, "GET") != 0) {
    p->reading = 1;
    return 0;   /* the body follows */
  }
  return submit(s, wsi, p);
}

/* Held GET /inbox requests: db_moved answers them all again (a ticket may
 * have changed); otherwise only those past their wait. */
static void wake(srv *s, int db_moved) {
  int64_t now = srv_now_us();
  struct admin_pss *p = state_of(s)->inbox_wait, *next;
  for (; p; p = next) {
    next = p->wait_next;
    if (!db_moved && now < p->wait_until && !s->stopping) continue;
    unpark(s, p);
    /* ask again: the worker holds it once more if its version is still current */
    admin_resp_clear(&p->job->resp);
    p->job->no_park = !db_moved || s->stopping;
    if (submit(s, p->wsi, p) != 0) lws_set_timeout(p->wsi, PENDING_TIMEOUT_HOLDING_AH, LWS_TO_KILL_ASYNC);
  }
}

/* ---- worker and completion (called from server.c) ---------------------------- */

static void admin_work(srv *s, bot_worker *w, srv_job *j) {
  struct admin_job *a = j->data;
  admin_req req = { .method = a->method, .path = a->path, .query = a->query, .body = (const char *)a->body,
                    .body_len = a->body_len, .cookie = a->cookie, .csrf = a->csrf, .client_ip = a->ip,
                    .https = a->https, .no_park = a->no_park };
  char err[MG_ERRLEN] = "";
  int rc = admin_handle(w, &req, &a->resp, err);
  if (rc != 0) {
    if (srv_metrics_db_failed(rc)) srv_metrics_db_error(s->metrics);
    mg_log_error("admin", "%s %s: %s", a->method, a->path, err);
  }
}

static void delayed_answer(lws_sorted_usec_list_t *sul) {
  struct admin_pss *p = lws_container_of(sul, struct admin_pss, sul);
  lws_callback_on_writable(p->wsi);
}

static void admin_complete(srv *s, srv_job *j) {
  struct lws *wsi = srv_conn_get(s, j->conn);
  struct admin_job *a = j->data;
  struct admin_pss *p;
  if (a && a->login) login_done(s, a);
  if (!wsi) return;   /* the client left; srv_drain frees the job */
  srv_conn_del(s, j->conn);
  p = lws_wsi_user(wsi);
  if (!p) return;
  p->id = 0;
  admin_http_job_free(p->job);
  p->job = a;
  j->data = NULL;
  if (p->job->resp.park && !s->stopping) {
    /* nothing new for this console yet: hold the answer (wake) */
    p->parked = 1;
    p->wait_until = p->wait_until ? p->wait_until : srv_now_us() + ADMIN_INBOX_WAIT_US;
    p->wait_next = state_of(s)->inbox_wait;
    state_of(s)->inbox_wait = p;
    /* lws's own request timeout (timeout_secs, 10 s) must not cut the wait */
    lws_set_timeout(wsi, PENDING_TIMEOUT_HTTP_CONTENT, (int)(ADMIN_INBOX_WAIT_US / 1000000) + 5);
    return;
  }
  p->writing = 1;
  if (p->job->resp.status == 401 && p->job->resp.retry_after > 0) {
    int delay = p->job->resp.retry_after < ADMIN_MAX_DELAY ? p->job->resp.retry_after : ADMIN_MAX_DELAY;
    lws_sul_schedule(lws_get_context(wsi), 0, &p->sul, delayed_answer, (lws_usec_t)delay * LWS_US_PER_SEC);
    return;
  }
  lws_callback_on_writable(wsi);
}

static int write_response(struct lws *wsi, struct admin_pss *p) {
  admin_resp *r = &p->job->resp;
  if (!p->headers_sent) {
    unsigned char buf[LWS_PRE + 3072], *start = buf + LWS_PRE, *ptr = start, *end = buf + sizeof buf - 1;
    char num[32];
    if (lws_add_http_common_headers(wsi, (unsigned)r->status, r->content_type[0] ? r->content_type : NULL,
                                    r->body_len, &ptr, end))
      return -1;
    for (int k = 0; admin_security_headers[k]; k += 2) {
      char name[64];
      snprintf(name, sizeof name, "%s:", admin_security_headers[k]);
      for (char *c = name; *c; c++) *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
      if (srv_add_header(wsi, name, admin_security_headers[k + 1], &ptr, end)) return -1;
    }
    if (r->set_cookie[0] && srv_add_header(wsi, "set-cookie:", r->set_cookie, &ptr, end)) return -1;
    if (r->content_disposition[0] && srv_add_header(wsi, "content-disposition:", r->content_disposition, &ptr, end))
      return -1;
    if ((r->status == 429 || r->status == 503) && r->retry_after > 0) {
      snprintf(num, sizeof num, "%d", r->retry_after);
      if (srv_add_header(wsi, "retry-after:", num, &ptr, end)) return -1;
    }
    if (lws_finalize_write_http_header(wsi, start, &ptr, end)) return -1;
    p->headers_sent = 1;
    if (r->body_len) {
      lws_callback_on_writable(wsi);
      return 0;
    }
  } else if (p->sent < r->body_len) {
    int done = srv_write_body(wsi, (const unsigned char *)r->body, r->body_len, &p->sent);
    if (done <= 0) return done;
  }
  mg_log_access("admin", p->job->method, p->job->path, r->status, r->body_len,
                (double)(srv_now_us() - p->t0) / 1000.0, p->job->ip, p->job->req);
  admin_http_job_free(p->job);
  p->job = NULL;
  p->writing = p->headers_sent = 0;
  p->sent = 0;
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int admin_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
  struct admin_pss *p = user;
  switch (reason) {
  case LWS_CALLBACK_FILTER_HTTP_CONNECTION:   /* a keep-alive request after one of ours */
    srv_tcp_headers_done(srv_of(wsi), wsi);
    return 0;

  case LWS_CALLBACK_HTTP:
    return on_request(srv_of(wsi), wsi, p);

  case LWS_CALLBACK_HTTP_BODY:
    if (!p || !p->reading || !p->job) return 0;
    if (p->body_over || p->job->body_len + len > p->max_body) {
      p->body_over = 1;
      return 0;
    }
    {
      unsigned char *b = realloc(p->job->body, p->job->body_len + len + 1);
      if (!b) return -1;
      p->job->body = b;
      memcpy(b + p->job->body_len, in, len);
      p->job->body_len += len;
      b[p->job->body_len] = '\0';
    }
    return 0;

  case LWS_CALLBACK_HTTP_BODY_COMPLETION:
    if (!p || !p->reading) return 0;
    if (p->body_over) return quick_error(wsi, p, 413, MG_EFRAME);
    return submit(srv_of(wsi), wsi, p);

  case LWS_CALLBACK_HTTP_WRITEABLE:
    if (!p || !p->writing || !p->job) return 0;
    return write_response(wsi, p);

  case LWS_CALLBACK_HTTP_FILE_COMPLETION:
    if (p) { admin_http_job_free(p->job); p->job = NULL; }
    return lws_http_transaction_completed(wsi) ? -1 : 0;

  case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
  case LWS_CALLBACK_CLOSED_HTTP:
    if (p) pss_clear(srv_of(wsi), p);
    return 0;

  default:
    break;
  }
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static void job_release(void *data) { admin_http_job_free(data); }

static const srv_job_ops admin_ops = { .name = "admin", .work = admin_work, .complete = admin_complete,
                                       .release = job_release };

static int start(srv *s, char *err) {
  void **slot = srv_state(s, &admin_http_adapter);
  if (!(*slot = calloc(1, sizeof(struct admin_state)))) return mg_errf(err, MG_ENOMEM, "out of memory");
  return 0;
}

/* After the context: the held requests' connections are gone with it. */
static void free_state(srv *s) {
  void **slot = srv_state(s, &admin_http_adapter);
  free(*slot);
  *slot = NULL;
}

static void tick(srv *s) { wake(s, 0); }
static void db_moved(srv *s) { wake(s, 1); }
static void stopping(srv *s) { wake(s, 0); }   /* held console requests are answered now */

const srv_adapter admin_http_adapter = {
  .name = "admin",
  .protocol = "madoguchi-admin",
  .callback = admin_callback,
  .pss_size = admin_pss_size,
  .mounts = &admin_mounts,
  .start = start,
  .free = free_state,
  .tick = tick,
  .db_moved = db_moved,
  .stopping = stopping,
};
