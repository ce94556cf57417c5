/*
 * server.c — the lws context, the connection table, the job and completion
 * queues, the worker pool, the refresh timer and the graceful stop.
 *
 * It knows no adapter by name. srv_run builds protocols[] and the mounts
 * from srv_adapters (adapters.c) and calls each row's start; the workers
 * run a job's ops->work and srv_drain its ops->complete; the timer, the
 * stop and srv_free call the rows' hooks (tick, db_moved, stopping, busy,
 * going_away, stop, free) in table order. Its own jobs are the timer's
 * refresh and SIGHUP's reload.
 *
 * See server.h for the thread model. These details shape this file:
 *
 *  - Wake-ups are coalesced: a worker calls lws_cancel_service only when it
 *    puts a result on an empty completion queue. The service thread takes the
 *    whole queue at once, so a non-empty queue always has a wake-up pending.
 *
 *  - The refresh timer (every 500 ms) sends one refresh job: a worker calls
 *    bot_refresh (FAQ edits by the CLI or the console) and reads PRAGMA
 *    data_version on a read-only connection of its own. Only when the
 *    database changed does it ask which sessions have staff replies not yet
 *    delivered (one indexed query) and hand them to the rows that push
 *    (replies_worker: LINE); the service thread then asks the rows for a
 *    job over those connected to them (replies_job: the chat's pending
 *    job, whose worker hands the replies over through the dialogue). An
 *    idle server costs one PRAGMA every 500 ms, a busy one a query more,
 *    however many residents are connected.
 *
 *  - Password hashing runs on threads of its own. The chat workers and the
 *    hashing threads run the same loop (worker_main) on two queues
 *    (srv_queue): jq for everything else, hq for jobs that hash a password
 *    (admin_http.c decides), with a small limit. A login flood then costs
 *    the residents at most the CPU of auth_hash_threads, never a wait in
 *    their queue behind a 130 ms Argon2id.
 *
 *  - WAL checkpoints run on a thread of their own. SQLite's automatic
 *    checkpoint runs inside the commit that crosses 1,000 WAL pages, fsync
 *    included, while that worker holds the process's write lock (session.c):
 *    every other worker then waits for the disk. The workers' connections
 *    have autocheckpoint off; the checkpointer runs a PASSIVE checkpoint
 *    once a second, which never blocks a writer.
 *
 * The stop (SIGTERM/SIGINT) runs in phases on the service thread: refuse new
 * work, wait until every job came back and every queued frame was written
 * (at most 5 s), close the chat connections with 1001, leave the loop; then
 * the workers are joined, the context destroyed and the database closed.
 */
#include "adapters/server.h"
#include "bot/auth.h"
#include "bot/tables.h"
#include "util/mg_err.h"
#include "util/mg_log.h"
#include "bot/session.h"
#include "bot/ticket.h"
#include "bot/line_store.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

#define REFRESH_US (500 * LWS_US_PER_MS)
#define STOP_POLL_US (20 * LWS_US_PER_MS)
#define STOP_DRAIN_US (5 * LWS_US_PER_SEC)
#define STOP_CLOSE_US (2 * LWS_US_PER_SEC)
#define MAX_QUEUED_JOBS 20000
#define CK_RESTART_FRAMES 4096      /* 16 MB of WAL */

struct srv_worker {
  srv *s;
  srv_queue *q;               /* the queue it serves */
  bot_worker *w;
  pthread_t th;
  int started;
};

/* The signal handler's only way to reach the service thread. */
static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;
static struct lws_context *volatile signal_ctx;

/* ---- small helpers -------------------------------------------------------- */

int64_t srv_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int srv_add_header(struct lws *wsi, const char *name, const char *value, unsigned char **pp, unsigned char *end) {
  return lws_add_http_header_by_name(wsi, (const unsigned char *)name, (const unsigned char *)value,
                                     (int)strlen(value), pp, end);
}

int srv_method(struct lws *wsi, char *out, size_t len, char *path, size_t plen) {
  static const struct { enum lws_token_indexes tok; const char *name; } m[] = {
    { WSI_TOKEN_GET_URI, "GET" }, { WSI_TOKEN_POST_URI, "POST" }, { WSI_TOKEN_HEAD_URI, "HEAD" },
    { WSI_TOKEN_PUT_URI, "PUT" }, { WSI_TOKEN_DELETE_URI, "DELETE" }, { WSI_TOKEN_OPTIONS_URI, "OPTIONS" },
    { WSI_TOKEN_PATCH_URI, "PATCH" },
  };
  if (path) path[0] = '\0';
  for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
    if (lws_hdr_total_length(wsi, m[i].tok)) {
      snprintf(out, len, "%s", m[i].name);
      if (path && lws_hdr_copy(wsi, path, (int)plen, m[i].tok) < 0) {
        path[0] = '\0';
        return -1;
      }
      return 0;
    }
  snprintf(out, len, "OTHER");
  return 1;
}

int srv_body_append(unsigned char **body, size_t *len, const void *in, size_t n) {
  unsigned char *b = realloc(*body, *len + n + 1);
  if (!b) return -1;
  memcpy(b + *len, in, n);
  *len += n;
  b[*len] = '\0';
  *body = b;
  return 0;
}

int srv_write_body(struct lws *wsi, const unsigned char *body, size_t len, size_t *sent) {
  unsigned char buf[LWS_PRE + SRV_CHUNK];
  size_t n = len - *sent;
  int final = n <= SRV_CHUNK;
  if (!final) n = SRV_CHUNK;
  memcpy(buf + LWS_PRE, body + *sent, n);
  if (lws_write(wsi, buf + LWS_PRE, n, final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) < (int)n) return -1;
  *sent += n;
  if (final) return 1;
  lws_callback_on_writable(wsi);
  return 0;
}

srv *srv_of(struct lws *wsi) {
  return lws_context_user(lws_get_context(wsi));
}

srv_msg *srv_msg_new(const char *text, size_t len) {
  srv_msg *m = malloc(sizeof *m + LWS_PRE + len + 1);
  if (!m) return NULL;
  m->next = NULL;
  m->len = len;
  memcpy(m->data + LWS_PRE, text, len);
  m->data[LWS_PRE + len] = '\0';
  return m;
}

/* The message being dumped: grown as Jansson hands over pieces. */
struct dump { srv_msg *m; size_t cap; };

static int dump_piece(const char *buf, size_t size, void *data) {
  struct dump *d = data;
  if (d->m->len + size + 1 > d->cap) {
    size_t cap = 2 * d->cap + size;
    srv_msg *m = realloc(d->m, sizeof *m + LWS_PRE + cap);
    if (!m) return -1;
    d->m = m;
    d->cap = cap;
  }
  memcpy(d->m->data + LWS_PRE + d->m->len, buf, size);
  d->m->len += size;
  return 0;
}

/* One pass over the tree (json_dumpb would need two: one to size, one to write). */
srv_msg *srv_msg_json(const json_t *j) {
  struct dump d = { .cap = 1024 };
  if (!(d.m = malloc(sizeof *d.m + LWS_PRE + d.cap))) return NULL;
  d.m->next = NULL;
  d.m->len = 0;
  if (json_dump_callback(j, dump_piece, &d, JSON_COMPACT) != 0 || !d.m->len) {
    free(d.m);
    return NULL;
  }
  d.m->data[LWS_PRE + d.m->len] = '\0';
  return d.m;
}

srv_msg *srv_msg_error(int err, const char *reply_to) {
  json_t *j = json_pack("{s:s,s:s,s:s}", "type", "error", "code", mg_err_code(err), "message", mg_err_message(err));
  srv_msg *m;
  if (!j) return NULL;
  if (reply_to) json_object_set_new(j, "reply_to", json_string(reply_to));
  m = srv_msg_json(j);
  json_decref(j);
  return m;
}

void srv_msgq_push(srv_msgq *q, srv_msg *m) {
  if (!m) return;
  m->next = NULL;
  if (q->tail) q->tail->next = m;
  else q->head = m;
  q->tail = m;
  q->n++;
}

srv_msg *srv_msgq_pop(srv_msgq *q) {
  srv_msg *m = q->head;
  if (!m) return NULL;
  q->head = m->next;
  if (!q->head) q->tail = NULL;
  q->n--;
  m->next = NULL;
  return m;
}

void srv_msgq_move(srv_msgq *to, srv_msgq *from) {
  if (!from->head) return;
  if (to->tail) to->tail->next = from->head;
  else to->head = from->head;
  to->tail = from->tail;
  to->n += from->n;
  from->head = from->tail = NULL;
  from->n = 0;
}

void srv_msgq_clear(srv_msgq *q) {
  srv_msg *m;
  while ((m = srv_msgq_pop(q))) free(m);
}

void srv_job_free(srv_job *j) {
  if (!j) return;
  json_decref(j->msg);
  free(j->sess);
  if (j->data && j->ops && j->ops->release) j->ops->release(j->data);
  srv_msgq_clear(&j->out);
  if (j->turn) bot_turn_clear(j->turn);
  free(j->turn);
  free(j);
}

/* ---- the adapters ---------------------------------------------------------- */

void **srv_state(srv *s, const srv_adapter *a) {
  for (int i = 0; i < SRV_MAX_ADAPTERS && srv_adapters[i]; i++)
    if (srv_adapters[i] == a) return &s->state[i];
  return NULL;   /* not a row: a programming error, caught by the first test */
}

/* Walk the table: `for_each_adapter(a) if (a->hook) a->hook(s);` */
#define for_each_adapter(a) \
  for (const srv_adapter *const *a##_p = srv_adapters, *a; (a = *a##_p) != NULL; a##_p++)

/* ---- connection table ----------------------------------------------------- */

uint64_t srv_conn_add(srv *s, struct lws *wsi, int is_ws) {
  uint32_t i;
  if (!s->n_free) return 0;
  i = s->free_slots[--s->n_free];
  s->slots[i].wsi = wsi;
  s->slots[i].is_ws = (uint8_t)is_ws;
  if (++s->slots[i].gen == 0) s->slots[i].gen = 1;
  return ((uint64_t)s->slots[i].gen << 32) | i;
}

static struct srv_slot *slot_of(srv *s, uint64_t id) {
  uint32_t i = (uint32_t)id;
  if (!id || i >= s->n_slots || s->slots[i].gen != (uint32_t)(id >> 32) || !s->slots[i].wsi) return NULL;
  return &s->slots[i];
}

void srv_conn_del(srv *s, uint64_t id) {
  struct srv_slot *sl = slot_of(s, id);
  if (!sl) return;
  sl->wsi = NULL;
  sl->is_ws = 0;
  s->free_slots[s->n_free++] = (uint32_t)id;
}

struct lws *srv_conn_get(srv *s, uint64_t id) {
  struct srv_slot *sl = slot_of(s, id);
  return sl ? sl->wsi : NULL;
}

/* ---- per-address records -------------------------------------------------- */

static unsigned ip_hash(const char *ip) {
  unsigned h = 2166136261u;
  for (; *ip; ip++) h = (h ^ (unsigned char)*ip) * 16777619u;
  return h % SRV_IP_BUCKETS;
}

static double ip_rate(srv *s) {
  return s->cfg->max_msgs_per_sec > 0 ? s->cfg->max_msgs_per_sec : 5;
}

struct srv_ip *srv_ip_get(srv *s, const char *ip) {
  unsigned h = ip_hash(ip);
  struct srv_ip *r;
  for (r = s->ips[h]; r; r = r->next)
    if (strcmp(r->ip, ip) == 0) return r;
  if (!(r = calloc(1, sizeof *r))) return NULL;
  snprintf(r->ip, sizeof r->ip, "%s", ip);
  r->bucket = (srv_bucket){ .tokens = 2 * ip_rate(s), .t = srv_now_us() };
  r->next = s->ips[h];
  s->ips[h] = r;
  return r;
}

int srv_bucket_take(srv_bucket *b, double rate, double cap, int64_t now) {
  if (rate <= 0) return 0;
  b->tokens += (double)(now - b->t) / 1e6 * rate;
  if (b->tokens > cap) b->tokens = cap;
  b->t = now;
  if (b->tokens < 1) return -1;
  b->tokens -= 1;
  return 0;
}

/* The HTTP API allows a burst of twice the per-second rate per address. */
int srv_ip_take(srv *s, struct srv_ip *r) {
  double rate = ip_rate(s);
  return srv_bucket_take(&r->bucket, rate, 2 * rate, srv_now_us());
}

/* Forget addresses with no connection whose bucket has refilled. */
static void ip_sweep(srv *s) {
  int64_t now = srv_now_us(), full_us = (int64_t)(2.0 * 1e6) + 1;
  for (unsigned h = 0; h < SRV_IP_BUCKETS; h++) {
    struct srv_ip **pp = &s->ips[h];
    while (*pp) {
      struct srv_ip *r = *pp;
      if (r->ws_conns <= 0 && r->tcp_conns <= 0 && now - r->bucket.t > full_us && !r->login_busy &&
          (!r->login_fails || now - r->login_last_fail > (int64_t)AUTH_LOCK_SECONDS * 1000000) &&
          (!r->lookup_fails || now - r->lookup_last > SRV_LOOKUP_FORGET_US)) {
        *pp = r->next;
        free(r);
      } else {
        pp = &r->next;
      }
    }
    for (struct srv_acct **ap = &s->accts[h]; *ap;) {
      struct srv_acct *a = *ap;
      if (now - a->last_fail > (int64_t)AUTH_LOCK_SECONDS * 1000000) {
        *ap = a->next;
        free(a);
        s->n_accts--;
      } else {
        ap = &a->next;
      }
    }
  }
}

struct srv_acct *srv_acct_get(srv *s, const char *login) {
  unsigned h = ip_hash(login);
  struct srv_acct *a;
  for (a = s->accts[h]; a; a = a->next)
    if (strcmp(a->login, login) == 0) return a;
  if (s->n_accts >= SRV_MAX_ACCTS || !(a = calloc(1, sizeof *a))) return NULL;
  snprintf(a->login, sizeof a->login, "%s", login);
  a->last_fail = srv_now_us();
  a->next = s->accts[h];
  s->accts[h] = a;
  s->n_accts++;
  return a;
}

static void unmap_v4(char *ip) {
  if (strncmp(ip, "::ffff:", 7) == 0 && strchr(ip + 7, '.')) memmove(ip, ip + 7, strlen(ip + 7) + 1);
}

void srv_client_ip(srv *s, struct lws *wsi, char *out, size_t outlen) {
  char xff[512];
  int n;
  out[0] = '\0';
  lws_get_peer_simple(wsi, out, outlen);
  unmap_v4(out);
  if (!s->cfg->trusted_proxy[0] || strcmp(out, s->cfg->trusted_proxy) != 0) return;
  /* nginx's $proxy_add_x_forwarded_for appends the address it saw: the
   * last entry is the one the trusted proxy vouches for. */
  n = lws_hdr_copy(wsi, xff, sizeof xff, WSI_TOKEN_X_FORWARDED_FOR);
  if (n > 0) {
    char *last = strrchr(xff, ',');
    char *p = last ? last + 1 : xff, *e;
    while (*p == ' ' || *p == '\t') p++;
    e = p + strlen(p);
    while (e > p && (e[-1] == ' ' || e[-1] == '\t')) *--e = '\0';
    if (*p && (size_t)(e - p) < outlen) {
      memmove(out, p, (size_t)(e - p) + 1);
      unmap_v4(out);
    }
  }
}

int srv_header_problem(struct lws *wsi) {
  size_t total = 0;
  for (int t = 0; t < (int)WSI_TOKEN_COUNT; t++) {
    int n = lws_hdr_total_length(wsi, (enum lws_token_indexes)t);
    if (n > 0) total += (size_t)n + 4; /* ": " and CRLF */
  }
  if (total > SRV_MAX_HEADERS) return 431;
  if (lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, 1) > 0) return 400;
  return 0;
}

/* ---- TCP connections: per peer address, first headers ------------------- */

static void pending_unlink(srv *s, struct srv_tcp *t) {
  if (!t->pending) return;
  if (t->prev) t->prev->next = t->next;
  else s->pend_head = t->next;
  if (t->next) t->next->prev = t->prev;
  else s->pend_tail = t->prev;
  t->prev = t->next = NULL;
  t->pending = 0;
  s->n_pending--;
}

/* Close a connection from outside its own callbacks: lws does it on its
 * next pass, and WSI_DESTROY then frees the record. */
static void pending_kill(srv *s, struct srv_tcp *t) {
  pending_unlink(s, t);
  lws_set_timeout(t->wsi, PENDING_TIMEOUT_HOLDING_AH, LWS_TO_KILL_ASYNC);
}

int srv_tcp_open(srv *s, struct lws *wsi) {
  char peer[64] = "";
  struct srv_tcp *t;
  struct srv_ip *r;
  int cap = s->cfg->max_conns_per_ip_http;

  /* The peer address, not X-Forwarded-For (no header has arrived yet); a
   * trusted proxy speaks for everyone and limits on its own side. */
  lws_get_peer_simple(wsi, peer, sizeof peer);
  unmap_v4(peer);
  if (!(r = srv_ip_get(s, peer[0] ? peer : "?"))) return -1;
  if (cap > 0 && r->tcp_other >= cap && strcmp(peer, s->cfg->trusted_proxy) != 0) {
    s->n_refused++;
    return -1;
  }
  if (!(t = calloc(1, sizeof *t))) return -1;
  /* Full: the oldest unfinished request goes. A client that sends its
   * headers in normal time is done long before max_pending_conns newer
   * connections arrive. */
  if (s->n_pending >= (unsigned)s->cfg->max_pending_conns && s->pend_head) {
    pending_kill(s, s->pend_head);
    s->n_evicted++;
  }
  t->wsi = wsi;
  t->peer = r;
  t->t_accept = srv_now_us();
  t->pending = 1;
  t->prev = s->pend_tail;
  if (s->pend_tail) s->pend_tail->next = t;
  else s->pend_head = t;
  s->pend_tail = t;
  s->n_pending++;
  r->tcp_conns++;
  r->tcp_other++;
  lws_set_opaque_user_data(wsi, t);
  return 0;
}

/* The record of one of our accepted connections, or NULL (lws's own). */
static struct srv_tcp *tcp_of(struct lws *wsi) {
  struct srv_tcp *t = lws_get_opaque_user_data(wsi);
  return t && t->wsi == wsi ? t : NULL;
}

void srv_tcp_headers_done(srv *s, struct lws *wsi) {
  struct srv_tcp *t = tcp_of(wsi);
  if (t) pending_unlink(s, t);
}

void srv_tcp_chat(srv *s, struct lws *wsi) {
  struct srv_tcp *t = tcp_of(wsi);
  (void)s;
  if (!t || t->is_chat) return;
  t->is_chat = 1;
  t->peer->tcp_other--;
}

void srv_tcp_close(srv *s, struct lws *wsi) {
  struct srv_tcp *t = tcp_of(wsi);
  if (!t) return;
  lws_set_opaque_user_data(wsi, NULL);
  pending_unlink(s, t);
  t->peer->tcp_conns--;
  if (!t->is_chat) t->peer->tcp_other--;
  free(t);
}

/* From the refresh timer: close connections whose first headers are
 * overdue, and say (at most every 10 s) how many were closed and why. */
static void tcp_expire(srv *s) {
  int64_t now = srv_now_us(), wait = (int64_t)(s->cfg->max_header_wait_secs * 1e6);
  while (s->pend_head && now - s->pend_head->t_accept >= wait) {
    pending_kill(s, s->pend_head);
    s->n_expired++;
  }
  if ((s->n_refused || s->n_evicted || s->n_expired) && now - s->t_tcp_log >= 10 * 1000000LL) {
    mg_log_info("server", "connections closed: %lu over max_conns_per_ip_http, %lu oldest at max_pending_conns, "
                "%lu past max_header_wait_secs", s->n_refused, s->n_evicted, s->n_expired);
    s->n_refused = s->n_evicted = s->n_expired = 0;
    s->t_tcp_log = now;
  }
}

int srv_origin_ok(srv *s, struct lws *wsi, char *origin, size_t outlen) {
  int n = lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN);
  origin[0] = '\0';
  if (n <= 0) return 1;
  if ((size_t)n >= outlen || lws_hdr_copy(wsi, origin, (int)outlen, WSI_TOKEN_ORIGIN) < 0) {
    origin[0] = '\0';
    return 0;
  }
  if (s->cfg->n_allowed_origins) {
    for (int i = 0; i < s->cfg->n_allowed_origins; i++)
      if (strcasecmp(origin, s->cfg->allowed_origins[i]) == 0) return 1;
    return 0;
  }
  return srv_same_origin(wsi, origin);
}

int srv_same_origin(struct lws *wsi, const char *origin) {
  char host[256];
  const char *o;
  if (lws_hdr_copy(wsi, host, sizeof host, WSI_TOKEN_HOST) <= 0) return 0;
  if (strncasecmp(origin, "http://", 7) == 0) o = origin + 7;
  else if (strncasecmp(origin, "https://", 8) == 0) o = origin + 8;
  else return 0;
  return strcasecmp(o, host) == 0;
}

/* ---- queues and workers --------------------------------------------------- */

static int enqueue(srv *s, srv_queue *q, srv_job *j) {
  int rc = 0;
  if (s->stopping) return MG_EBUSY;
  pthread_mutex_lock(&q->lock);
  if (q->len >= q->limit) {
    rc = MG_EBUSY;
  } else {
    j->next = NULL;
    j->counted = 1;   /* before a worker can see it */
    if (q->tail) q->tail->next = j;
    else q->head = j;
    q->tail = j;
    q->len++;
    pthread_cond_signal(&q->cond);
  }
  pthread_mutex_unlock(&q->lock);
  if (!rc) s->jobs_out++;
  return rc;
}

int srv_submit(srv *s, srv_job *j) { return enqueue(s, &s->jq, j); }
int srv_submit_hash(srv *s, srv_job *j) { return enqueue(s, &s->hq, j); }

void srv_complete(srv *s, srv_job *j) {
  int wake;
  j->next = NULL;
  pthread_mutex_lock(&s->cq_lock);
  wake = s->cq_head == NULL && !s->no_wake;
  if (s->cq_tail) s->cq_tail->next = j;
  else s->cq_head = j;
  s->cq_tail = j;
  /* Under the lock: once no_wake is set the context may be going away. */
  if (wake) lws_cancel_service(s->ctx);
  pthread_mutex_unlock(&s->cq_lock);
}

static int64_t data_version(srv *s) {
  sqlite3_stmt *st = NULL;
  int64_t v = -1;
  if (sqlite3_prepare_v2(s->watch, "PRAGMA data_version", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* The privacy notice promises that transcripts are deleted after
 * retention_days: check once an hour, from the refresh job (one at a time,
 * so last_purge needs no lock). */
static void purge_if_due(srv *s, bot_worker *w) {
  char err[MG_ERRLEN] = "";
  time_t now = time(NULL);
  int deleted = 0, rc;
  if (s->last_purge && now - s->last_purge < 3600) return;
  s->last_purge = now;
  if ((rc = bot_session_purge(bot_worker_db(w), s->cfg->retention_days, &deleted, err)) != 0) {
    if (srv_metrics_db_failed(rc)) srv_metrics_db_error(s->metrics);
    mg_log_error("server", "retention purge: %s", err);
  } else if (deleted)
    mg_log_info("server", "retention purge: %d sessions older than %d days deleted", deleted, s->cfg->retention_days);
  /* LINE users unseen as long: their raw ids go too (bot/line_store.h) */
  deleted = 0;
  if ((rc = bot_session_begin(bot_worker_db(w), err)) == 0) {
    if ((rc = bot_line_purge(bot_worker_db(w), s->cfg->retention_days, now, &deleted, err)) != 0)
      bot_session_rollback(bot_worker_db(w));
    else
      rc = bot_session_commit(bot_worker_db(w), err);
  }
  if (rc != 0) mg_log_error("server", "retention purge of LINE users: %s", err);
  else if (deleted) mg_log_info("server", "retention purge: %d LINE users unseen for %d days deleted", deleted,
                                s->cfg->retention_days);
}

/* Worker side of the timer. j->changed comes in set when the last sweep
 * skipped a busy session (look again even if nothing changed) and goes out
 * set, with j->msg = the session ids to look at, when staff replies wait. */
static void work_refresh(srv *s, bot_worker *w, srv_job *j) {
  char err[MG_ERRLEN] = "";
  json_t *ids = NULL;
  int64_t v;
  int rc;
  if ((rc = bot_refresh_background(w, err)) != 0) {
    if (srv_metrics_db_failed(rc)) srv_metrics_db_error(s->metrics);
    mg_log_error("server", "refresh: %s", err);
  }
  purge_if_due(s, w);
  v = data_version(s);
  if (v == s->data_version && !j->changed) return;
  j->db_moved = v != s->data_version;
  s->data_version = v;
  j->changed = 0;
  /* One indexed query, whatever the number of connected residents. */
  if ((rc = bot_ticket_pending_sessions(bot_worker_db(w), &ids, err)) != 0) {
    if (srv_metrics_db_failed(rc)) srv_metrics_db_error(s->metrics);
    mg_log_error("server", "pending replies: %s", err);
    return;
  }
  /* channels whose residents are never connected push their replies (LINE) */
  for_each_adapter(a) if (a->replies_worker) a->replies_worker(s, w, ids);
  if (json_array_size(ids)) {
    j->msg = ids;
    j->changed = 1;
  } else {
    json_decref(ids);
  }
}

/* Service side of the timer: wake what waits for a change, and hand the
 * sessions with staff replies to the adapters holding them open. */
static void refresh_complete(srv *s, srv_job *j) {
  if (j->db_moved)
    for_each_adapter(a) if (a->db_moved) a->db_moved(s);
  if (!j->changed || s->stopping) return;
  for_each_adapter(a) {
    srv_job *p;
    if (!a->replies_job || !(p = a->replies_job(s, j->msg))) continue;
    p->holds_refresh = 1;
    if (srv_submit(s, p) == 0) s->refresh_busy++;
    else srv_job_free(p);
  }
}

static const srv_job_ops refresh_ops = { .name = "refresh", .work = work_refresh, .complete = refresh_complete };

/* SIGHUP, outside the read side: the swap waits for the other jobs. */
static void reload_work(srv *s, bot_worker *w, srv_job *j) {
  char err[MG_ERRLEN];
  (void)w;
  (void)j;
  if (bot_reload(s->bot, err) == 0) mg_log_info("server", "reloaded dict/, rules and calendar (SIGHUP)");
  else mg_log_error("server", "reload refused, the running set stays: %s", err);
}

static void reload_complete(srv *s, srv_job *j) {
  (void)j;
  s->reload_busy = 0;
}

static const srv_job_ops reload_ops = { .name = "reload", .work = reload_work, .complete = reload_complete, .no_read = 1 };

/* A chat worker or a hashing thread: the same loop on its own queue. */
static void *worker_main(void *arg) {
  struct srv_worker *wk = arg;
  srv *s = wk->s;
  srv_queue *q = wk->q;
  for (;;) {
    srv_job *j;
    pthread_mutex_lock(&q->lock);
    while (!q->head && !q->quit) pthread_cond_wait(&q->cond, &q->lock);
    if (q->quit) {
      pthread_mutex_unlock(&q->lock);
      break;
    }
    j = q->head;
    q->head = j->next;
    if (!q->head) q->tail = NULL;
    q->len--;
    pthread_mutex_unlock(&q->lock);

    mg_log_request(j->req); /* every line about this job carries its id */
    if (j->ops->no_read) {
      if (j->ops->work) j->ops->work(s, wk->w, j);
    } else {
      bot_read_begin(s->bot);
      if (j->ops->work) j->ops->work(s, wk->w, j);
      bot_read_end(s->bot);
    }
    mg_log_request(0);
    if (j->turn) srv_writer_submit(s, j);   /* the writer completes it after the commit */
    else srv_complete(s, j);
  }
  /* the connection is closed by srv_free on another thread: finalize this
   * thread's cached statements now, or it would stay a zombie for good */
  bot_worker_thread_done();
  return NULL;
}

/* The checkpointer: one PASSIVE checkpoint a second on its own connection. */
static void *checkpoint_main(void *arg) {
  srv *s = arg;
  pthread_mutex_lock(&s->ck_lock);
  while (!s->ck_quit) {
    struct timespec until;
    int frames = 0, done = 0, rc;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 1;
    pthread_cond_timedwait(&s->ck_cond, &s->ck_lock, &until);
    if (s->ck_quit) break;
    pthread_mutex_unlock(&s->ck_lock);
    rc = sqlite3_wal_checkpoint_v2(s->ck_db, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames, &done);
    /* Readers that never pause can keep the WAL from starting over; past
     * CK_RESTART_FRAMES wait for a gap (RESTART) so it stays bounded. */
    if (rc == SQLITE_OK && frames > CK_RESTART_FRAMES)
      rc = sqlite3_wal_checkpoint_v2(s->ck_db, NULL, SQLITE_CHECKPOINT_RESTART, &frames, &done);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      srv_metrics_db_error(s->metrics);
      mg_log_error("server", "checkpoint: %s", sqlite3_errmsg(s->ck_db));
    }
    pthread_mutex_lock(&s->ck_lock);
  }
  pthread_mutex_unlock(&s->ck_lock);
  return NULL;
}

/* ---- service thread: completions, timer, stop ----------------------------- */

static void begin_stop(srv *s);

void srv_drain(srv *s) {
  srv_job *j, *next;
  if (stop_requested && !s->stopping) begin_stop(s);
  if (reload_requested && !s->stopping && !s->reload_busy) {
    srv_job *r = calloc(1, sizeof *r);
    reload_requested = 0;
    if (r) r->ops = &reload_ops;
    if (r && srv_submit(s, r) == 0) s->reload_busy = 1;
    else {
      srv_job_free(r);
      mg_log_error("server", "reload: no worker could take it; send SIGHUP again");
    }
  }
  pthread_mutex_lock(&s->cq_lock);
  j = s->cq_head;
  s->cq_head = s->cq_tail = NULL;
  pthread_mutex_unlock(&s->cq_lock);
  for (; j; j = next) {
    next = j->next;
    if (j->counted) s->jobs_out--;
    if (j->holds_refresh) s->refresh_busy--;
    if (j->ops && j->ops->complete) j->ops->complete(s, j);
    srv_job_free(j);
  }
}

static void refresh_tick(lws_sorted_usec_list_t *sul) {
  srv *s = lws_container_of(sul, srv, sul_refresh);
  if (s->stopping) return;
  if (!s->refresh_busy) {
    srv_job *j = calloc(1, sizeof *j);
    if (j) {
      j->ops = &refresh_ops;
      j->holds_refresh = 1;
      j->changed = s->sweep_again;
      s->sweep_again = 0;
      if (srv_submit(s, j) == 0) s->refresh_busy++;
      else srv_job_free(j);
    }
  }
  tcp_expire(s);
  ip_sweep(s);
  for_each_adapter(a) if (a->tick) a->tick(s);
  lws_sul_schedule(s->ctx, 0, &s->sul_refresh, refresh_tick, REFRESH_US);
}

/* Leave the service loop. poll: the loop sees done. An event library runs
 * its loop until the context is destroyed, so destroy it from inside (lws
 * defers the real work until the loop returns; srv_free finishes it). */
static void leave_loop(srv *s) {
  s->done = 1;
  pthread_mutex_lock(&s->cq_lock);
  s->no_wake = 1;
  pthread_mutex_unlock(&s->cq_lock);
  if (s->evlib_opt) lws_context_destroy(s->ctx);
  else lws_cancel_service(s->ctx);
}

static void stop_tick(lws_sorted_usec_list_t *sul) {
  srv *s = lws_container_of(sul, srv, sul_stop);
  int64_t now = srv_now_us();
  if (!s->closing_all) {
    int busy = s->jobs_out != 0;
    for_each_adapter(a) if (!busy && a->busy) busy = a->busy(s);
    if (!busy || now >= s->stop_deadline) {
      s->closing_all = 1;
      s->stop_deadline = now + STOP_CLOSE_US;
      for_each_adapter(a) if (a->going_away) a->going_away(s);
    }
  } else if (s->ws_open == 0 || now >= s->stop_deadline) {
    leave_loop(s);
    return;
  }
  lws_sul_schedule(s->ctx, 0, &s->sul_stop, stop_tick, STOP_POLL_US);
}

static void begin_stop(srv *s) {
  s->stopping = 1;
  s->stop_deadline = srv_now_us() + STOP_DRAIN_US;
  mg_log_info("server", "stopping: %u chat connections, %u jobs in flight", s->ws_open, s->jobs_out);
  lws_sul_cancel(&s->sul_refresh);
  for_each_adapter(a) if (a->stopping) a->stopping(s);   /* e.g. held console requests are answered now */
  lws_sul_schedule(s->ctx, 0, &s->sul_stop, stop_tick, 1);
}

static void on_signal(int sig) {
  if (sig == SIGHUP) reload_requested = 1;
  else stop_requested = 1;
  if (signal_ctx) lws_cancel_service(signal_ctx);
}

/* With an event library lws owns SIGINT and calls this inside its loop. */
static void on_evlib_signal(void *handle, int sig) {
  struct lws_context *ctx = signal_ctx;
  srv *s = ctx ? lws_context_user(ctx) : NULL;
  (void)handle;
  (void)sig;
  stop_requested = 1;
  if (s && !s->stopping) begin_stop(s);
}

/* lws's own warnings and errors become JSON lines too. */
static void lws_emit(int level, const char *line) {
  char buf[512];
  size_t n;
  snprintf(buf, sizeof buf, "%s", line);
  n = strlen(buf);
  while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
  if (level & LLL_ERR) mg_log_error("lws", "%s", buf);
  else mg_log_info("lws", "%s", buf);
}

/* ---- start and stop ------------------------------------------------------- */

static rlim_t raise_nofile(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  if (rl.rlim_cur < rl.rlim_max) {
    rlim_t want = rl.rlim_max;
    rl.rlim_cur = want;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) getrlimit(RLIMIT_NOFILE, &rl);
  }
  return rl.rlim_cur == RLIM_INFINITY ? 65536 : rl.rlim_cur;
}

void srv_thread_stop(pthread_mutex_t *mu, pthread_cond_t *cond, int *quit, pthread_t th) {
  pthread_mutex_lock(mu);
  *quit = 1;
  pthread_cond_signal(cond);
  pthread_mutex_unlock(mu);
  pthread_join(th, NULL);
}

static void queue_stop(srv_queue *q) {
  if (!q->workers) return;
  pthread_mutex_lock(&q->lock);
  q->quit = 1;
  pthread_cond_broadcast(&q->cond);
  pthread_mutex_unlock(&q->lock);
  for (int i = 0; i < q->n_workers; i++)
    if (q->workers[i].started) pthread_join(q->workers[i].th, NULL);
}

static void queue_free(srv_queue *q) {
  while (q->head) {
    srv_job *j = q->head;
    q->head = j->next;
    srv_job_free(j);
  }
  if (q->workers)
    for (int i = 0; i < q->n_workers; i++) bot_worker_free(q->workers[i].w);
  free(q->workers);
  pthread_mutex_destroy(&q->lock);
  pthread_cond_destroy(&q->cond);
}

/* n threads with a bot_worker each (their own SQLite connection) on q. */
static int queue_init(srv *s, srv_queue *q, int n, unsigned limit, char *err) {
  q->limit = limit;
  q->n_workers = n;
  if (!(q->workers = calloc((size_t)n, sizeof *q->workers))) return mg_errf(err, MG_ENOMEM, "out of memory");
  for (int i = 0; i < n; i++) {
    int rc;
    q->workers[i].s = s;
    q->workers[i].q = q;
    if ((rc = bot_worker_new(&q->workers[i].w, s->bot, err)) != 0) return rc;
    sqlite3_wal_autocheckpoint(bot_worker_db(q->workers[i].w), 0);   /* the checkpointer does it */
  }
  return 0;
}

static int queue_start(srv_queue *q, const char *what, char *err) {
  for (int i = 0; i < q->n_workers; i++) {
    int n = pthread_create(&q->workers[i].th, NULL, worker_main, &q->workers[i]);
    if (n != 0) return mg_errf(err, MG_EIO, "cannot start %s thread: %s", what, strerror(n));
    q->workers[i].started = 1;
  }
  return 0;
}

static void srv_free(srv *s) {
  if (!s) return;
  queue_stop(&s->jq);
  queue_stop(&s->hq);
  srv_writer_stop(s);   /* after the workers: they hand it turns */
  for_each_adapter(a) if (a->stop) a->stop(s);   /* their threads, after the workers that wake them */
  if (s->ck_started) srv_thread_stop(&s->ck_lock, &s->ck_cond, &s->ck_quit, s->ck_thread);
  /* Destroying the context closes what is still open; the callbacks
   * release per-connection memory through the table, so it goes first. */
  signal_ctx = NULL;
  pthread_mutex_lock(&s->cq_lock);
  s->no_wake = 1;
  pthread_mutex_unlock(&s->cq_lock);
  if (s->ctx) lws_context_destroy(s->ctx);
  queue_free(&s->jq);
  queue_free(&s->hq);
  while (s->cq_head) {
    srv_job *j = s->cq_head;
    s->cq_head = j->next;
    srv_job_free(j);
  }
  if (s->watch) sqlite3_close(s->watch);
  if (s->ck_db) {
    sqlite3_wal_checkpoint_v2(s->ck_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    sqlite3_close(s->ck_db);
  }
  for_each_adapter(a) if (a->free) a->free(s);   /* their state, after the callbacks of the context */
  bot_free(s->bot);
  for (unsigned h = 0; h < SRV_IP_BUCKETS; h++)
    while (s->ips[h]) {
      struct srv_ip *r = s->ips[h];
      s->ips[h] = r->next;
      free(r);
    }
  for (unsigned h = 0; h < SRV_IP_BUCKETS; h++)
    while (s->accts[h]) {
      struct srv_acct *a = s->accts[h];
      s->accts[h] = a->next;
      free(a);
    }
  free(s->slots);
  free(s->free_slots);
  srv_metrics_free(s->metrics);
  pthread_mutex_destroy(&s->cq_lock);
  pthread_mutex_destroy(&s->ck_lock);
  pthread_cond_destroy(&s->ck_cond);
  free(s);
}

static const struct {
  const char *name;
  uint64_t option;
} evlibs[] = {
  { "ev", LWS_SERVER_OPTION_LIBEV },
  { "uv", LWS_SERVER_OPTION_LIBUV },
  { "poll", 0 },
};

/* The adapters' mounts, copied into s->mounts in table order and chained
 * (an adapter's own chain stays in its order). */
static int chain_mounts(srv *s, char *err) {
  int n = 0;
  for_each_adapter(a) {
    if (!a->mounts || (a->mounts_on && !a->mounts_on(s->cfg))) continue;
    for (const struct lws_http_mount *m = a->mounts; m; m = m->mount_next) {
      if (n == SRV_MAX_MOUNTS) return mg_errf(err, MG_ECONFIG, "more than %d mounts", SRV_MAX_MOUNTS);
      s->mounts[n] = *m;
      s->mounts[n].mount_next = NULL;
      if (n) s->mounts[n - 1].mount_next = &s->mounts[n];
      n++;
    }
  }
  return 0;
}

static const lws_retry_bo_t no_validity = { .secs_since_valid_ping = 0, .secs_since_valid_hangup = 0 };

int srv_run(const mg_config *cfg, const char *evlib, char *err) {
  struct lws_context_creation_info info;
  struct lws_protocols protocols[SRV_MAX_ADAPTERS + 1];   /* NULL-terminated */
  struct sigaction sa;
  srv *s = calloc(1, sizeof *s);
  rlim_t nofile;
  int rc = 0, n;
  const char *host;

  if (!s) return mg_errf(err, MG_ENOMEM, "out of memory");
  mg_log_set_level(mg_log_level_parse(cfg->log_level)); /* checked when the configuration was read */
  pthread_mutex_init(&s->jq.lock, NULL);
  pthread_cond_init(&s->jq.cond, NULL);
  pthread_mutex_init(&s->hq.lock, NULL);
  pthread_cond_init(&s->hq.cond, NULL);
  pthread_mutex_init(&s->cq_lock, NULL);
  pthread_mutex_init(&s->ck_lock, NULL);
  pthread_cond_init(&s->ck_cond, NULL);
  s->cfg = cfg;
  stop_requested = 0;
  reload_requested = 0;
  for (n = 0; srv_adapters[n]; n++) {}
  if (n > SRV_MAX_ADAPTERS) {   /* s->state and protocols[] have room for that many */
    rc = mg_errf(err, MG_ECONFIG, "%d adapters, at most %d", n, SRV_MAX_ADAPTERS);
    goto out;
  }

  /* 10,000 idle residents plus the active ones need more than the usual
   * 1,024 descriptors; lws sizes its tables from this limit. */
  nofile = raise_nofile();
  s->n_slots = (uint32_t)(nofile > 1000000 ? 1000000 : nofile);
  s->slots = calloc(s->n_slots, sizeof *s->slots);
  s->free_slots = malloc(s->n_slots * sizeof *s->free_slots);
  if (!s->slots || !s->free_slots) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  for (uint32_t i = 0; i < s->n_slots; i++) s->free_slots[i] = s->n_slots - 1 - i;
  s->n_free = s->n_slots;

  if ((rc = srv_metrics_new(&s->metrics, err)) != 0 || (rc = bot_new(&s->bot, cfg, err)) != 0) goto out;
  if ((rc = queue_init(s, &s->jq, cfg->workers > 0 ? cfg->workers : 1, MAX_QUEUED_JOBS, err)) != 0) goto out;
  if ((rc = queue_init(s, &s->hq, cfg->auth_hash_threads > 0 ? cfg->auth_hash_threads : 1,
                       cfg->auth_hash_queue > 0 ? (unsigned)cfg->auth_hash_queue : 1, err)) != 0)
    goto out;
  /* the dummy hash unknown logins verify against is made here, not on the first login */
  if ((rc = bot_auth_init(err)) != 0) goto out;
  if (sqlite3_open_v2(cfg->db_path, &s->ck_db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "%s: %s", cfg->db_path, s->ck_db ? sqlite3_errmsg(s->ck_db) : "cannot open");
    goto out;
  }
  sqlite3_busy_timeout(s->ck_db, 5000);
  sqlite3_exec(s->ck_db, "PRAGMA journal_size_limit = 67108864", NULL, NULL, NULL);
  /* A connection finds the WAL on its first read; until then a checkpoint
   * silently does nothing (SQLite 3.40). */
  if (bot_db_touch(s->ck_db, err) != 0) {
    rc = mg_errf(err, MG_EDB, "%s: %s", cfg->db_path, sqlite3_errmsg(s->ck_db));
    goto out;
  }
  if (sqlite3_open_v2(cfg->db_path, &s->watch, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "%s: %s", cfg->db_path, s->watch ? sqlite3_errmsg(s->watch) : "cannot open");
    goto out;
  }
  sqlite3_busy_timeout(s->watch, 5000);
  s->data_version = data_version(s);

  for_each_adapter(a) if (a->start && (rc = a->start(s, err)) != 0) goto out;

  if (!realpath(cfg->web_dir, s->web_root)) {
    mg_log_error("server", "web_dir %s: %s; no static files are served", cfg->web_dir, strerror(errno));
    s->web_root[0] = '\0';
  }

  /* MADOGUCHI_LWS_LOG=<lws level bits> turns on lws's own notices for debugging. */
  lws_set_log_level(getenv("MADOGUCHI_LWS_LOG") ? atoi(getenv("MADOGUCHI_LWS_LOG")) : LLL_ERR | LLL_WARN, lws_emit);
  memset(protocols, 0, sizeof protocols);
  n = 0;
  for_each_adapter(a) {
    if (!a->protocol) continue;
    protocols[n].name = a->protocol;
    protocols[n].callback = a->callback;
    protocols[n].per_session_data_size = a->pss_size ? a->pss_size() : 0;
    protocols[n].rx_buffer_size = a->rx_buffer_size;
    n++;
  }
  if ((rc = chain_mounts(s, err)) != 0) goto out;

  memset(&info, 0, sizeof info);
  /* No lws validity timers (a policy with hangup 0): lws 4.1 keeps them in
   * one sorted list, re-armed on every PONG, and each insert walked all
   * 10,000 idle residents — 70% of the server's time at idle, even with
   * lws's default policy. ws_chat.c's keepalive (its tick hook) pings instead. */
  info.retry_and_idle_policy = &no_validity;
  info.port = cfg->port;
  info.iface = cfg->listen_addr[0] ? cfg->listen_addr : NULL;
  info.protocols = protocols;
  info.mounts = s->mounts[0].mountpoint ? &s->mounts[0] : NULL;
  info.user = s;
  info.gid = -1;
  info.uid = -1;
  /* Header slots: each connection still sending its first headers holds
   * one (max_pending_conns bounds those), the rest serve requests in
   * progress. Later requests on a keep-alive connection get
   * max_header_wait_secs from lws itself (timeout_secs_ah_idle). */
  info.max_http_header_pool = (unsigned short)(cfg->max_pending_conns + 512 > 65535 ? 65535 : cfg->max_pending_conns + 512);
  info.timeout_secs_ah_idle = (unsigned)(cfg->max_header_wait_secs + 0.999);
  /* parse headers up to SRV_HEADER_BUF so that more than SRV_MAX_HEADERS can
   * be answered with 431 instead of a dropped connection */
  info.max_http_header_data = SRV_HEADER_BUF;
  info.timeout_secs = 10;
  info.keepalive_timeout = 5;
  info.options = LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
  if (cfg->listen_addr[0] && !strchr(cfg->listen_addr, ':')) info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
  if (!evlib || !*evlib) evlib = "auto";
  for (size_t i = 0; i < sizeof evlibs / sizeof evlibs[0] && !s->ctx; i++) {
    uint64_t base = info.options;
    if (strcmp(evlib, "auto") == 0 ? strcmp(evlibs[i].name, "uv") == 0 : strcmp(evlib, evlibs[i].name) != 0) continue;
    info.options |= evlibs[i].option;
    info.signal_cb = evlibs[i].option ? on_evlib_signal : NULL;
    s->ctx = lws_create_context(&info);
    info.options = base;
    if (s->ctx) {
      s->evlib_opt = evlibs[i].option;
      s->evlib_name = evlibs[i].name;
    } else if (evlibs[i].option) {
      mg_log_info("server", "event library %s not available (package libwebsockets-evlib-%s)", evlibs[i].name,
                  evlibs[i].name);
    }
  }
  if (!s->ctx) {
    rc = mg_errf(err, MG_EIO, "cannot listen on %s port %d", cfg->listen_addr[0] ? cfg->listen_addr : "*", cfg->port);
    goto out;
  }
  signal_ctx = s->ctx;
  s->vhost = lws_get_vhost_by_name(s->ctx, "default");
  s->port = s->vhost ? lws_get_vhost_listen_port(s->vhost) : cfg->port;
  if ((rc = srv_metrics_start(s, err)) != 0) goto out;

  if ((rc = srv_writer_start(s, err)) != 0) goto out;   /* before the workers, who hand it turns */
  if ((rc = queue_start(&s->jq, "worker", err)) != 0 || (rc = queue_start(&s->hq, "password hashing", err)) != 0)
    goto out;

  if ((n = pthread_create(&s->ck_thread, NULL, checkpoint_main, s)) != 0) {
    rc = mg_errf(err, MG_EIO, "cannot start the checkpoint thread: %s", strerror(n));
    goto out;
  }
  s->ck_started = 1;

  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);   /* reload dict/, rules and calendar */
  signal(SIGPIPE, SIG_IGN);

  host = cfg->listen_addr[0] ? cfg->listen_addr : "0.0.0.0";
  printf(strchr(host, ':') ? "madoguchi: listening on http://[%s]:%d/\n" : "madoguchi: listening on http://%s:%d/\n",
         host, s->port);
  if (s->metrics_port) {
    host = cfg->metrics_listen[0] ? cfg->metrics_listen : "0.0.0.0";
    printf(strchr(host, ':') ? "madoguchi: metrics on http://[%s]:%d/metrics\n" : "madoguchi: metrics on http://%s:%d/metrics\n",
           host, s->metrics_port);
  }
  fflush(stdout);
  mg_log_info("server", "listening on port %d (metrics %d), %d workers, %d password hashing, descriptor limit %lu, event loop %s",
              s->port, s->metrics_port, s->jq.n_workers, s->hq.n_workers, (unsigned long)nofile, s->evlib_name);

  lws_sul_schedule(s->ctx, 0, &s->sul_refresh, refresh_tick, REFRESH_US);
  while (!s->done) {
    if (stop_requested && !s->stopping) begin_stop(s);
    /* With an event library this returns only when the loop ended. */
    if (lws_service(s->ctx, 0) < 0 || s->evlib_opt) break;
  }
  mg_log_info("server", "stopped");
out:
  srv_free(s);
  return rc;
}
