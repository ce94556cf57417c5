/*
 * metrics.c — GET /metrics for Prometheus, on a listener of its own.
 *
 * The residents' port (server.c) never serves /metrics: this file adds a
 * second lws vhost on metrics_listen:metrics_port (127.0.0.1:9464 by
 * default) whose one protocol answers GET /metrics and 404 for anything
 * else. It shares the context, so it runs on the one service thread and
 * hands its slow part to the workers like every other request:
 *
 *   scrape ──► a metrics job on the job queue (connection id, no wsi)
 *   worker ──► scrape_work: tickets and feedback from its own SQLite
 *              connection (srv_metrics_write_db), as text, into the job
 *   service thread ──► srv_drain → scrape_complete: the process's own
 *              families (atomics, connection and queue gauges) in front of
 *              the worker's text; written in HTTP_WRITEABLE.
 *
 * A scrape whose database part fails still gets the rest (and the failure
 * shows in madoguchi_db_errors_total), so a broken database is visible
 * instead of turning the whole target "down".
 *
 * Counting (metrics.h) is lock-free: every counter is a C11 atomic bumped
 * with memory_order_relaxed. Relaxed is enough because nothing is ordered
 * by a counter; a scrape that follows a reply in time sees its count,
 * since the reply itself passed through the completion queue's mutex.
 * The histogram keeps one atomic per bucket (not cumulative) and derives
 * _count from their sum when it is written, so le="+Inf" and _count always
 * agree, as Prometheus requires.
 */
#include "adapters/metrics.h"
#include "adapters/server.h"
#include "bot/calendar.h"
#include "bot/session.h"
#include "bot/ticket.h"
#include "config.h"
#include "util/mg_err.h"
#include "util/mg_log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- counting --------------------------------------------------------------- */

static const char *const decisions[] = { "answer", "clarify", "no_answer" };
#define N_DECISIONS (sizeof decisions / sizeof decisions[0])
/* bot/rules.c's rule kinds, "faq" first (no rule = the FAQ answered), then
 * "other" for kinds the intent file may add (dict/intents.json). */
static const char *const kinds[] = { "faq", "emergency", "handoff", "greeting", "thanks",
                                     "hours", "smalltalk", "referral", "other" };
#define N_KINDS (sizeof kinds / sizeof kinds[0])

/* Upper bounds of the answer-time buckets. A chat answer takes about a
 * millisecond on an idle server (MeCab, FTS5, one transcript commit); the
 * top buckets catch a queue backing up under load. */
static const struct {
  int64_t us;
  const char *le;
} buckets[] = {
  { 500, "0.0005" }, { 1000, "0.001" }, { 2500, "0.0025" }, { 5000, "0.005" }, { 10000, "0.01" },
  { 25000, "0.025" }, { 50000, "0.05" }, { 100000, "0.1" }, { 250000, "0.25" }, { 500000, "0.5" },
  { 1000000, "1" }, { 2500000, "2.5" }, { 5000000, "5" },
};
#define N_BUCKETS (sizeof buckets / sizeof buckets[0])

struct srv_metrics {
  atomic_ullong questions[N_DECISIONS][N_KINDS];
  atomic_ullong answer_le[N_BUCKETS + 1];   /* per bucket, the last one +Inf */
  atomic_ullong answer_sum_us;
  atomic_ullong db_errors;
  atomic_ullong tx_commits, tx_turns;       /* the transcript writer's transactions and the turns in them */
  double start_time;                        /* Unix time, seconds */
};

int srv_metrics_new(srv_metrics **out, char *err) {
  struct timespec ts;
  srv_metrics *m = calloc(1, sizeof *m);
  *out = NULL;
  if (!m) return mg_errf(err, MG_ENOMEM, "metrics: out of memory");
  for (size_t d = 0; d < N_DECISIONS; d++)
    for (size_t k = 0; k < N_KINDS; k++) atomic_init(&m->questions[d][k], 0);
  for (size_t i = 0; i <= N_BUCKETS; i++) atomic_init(&m->answer_le[i], 0);
  atomic_init(&m->answer_sum_us, 0);
  atomic_init(&m->db_errors, 0);
  atomic_init(&m->tx_commits, 0);
  atomic_init(&m->tx_turns, 0);
  clock_gettime(CLOCK_REALTIME, &ts);
  m->start_time = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
  *out = m;
  return 0;
}

void srv_metrics_free(srv_metrics *m) { free(m); }

int srv_metrics_question(srv_metrics *m, const char *decision, const char *rule_kind) {
  size_t d, k;
  if (!m || !decision) return 0;
  for (d = 0; d < N_DECISIONS && strcmp(decision, decisions[d]) != 0; d++) {}
  if (d == N_DECISIONS) return 0;
  k = 0;
  if (rule_kind)
    while (k < N_KINDS - 1 && strcmp(rule_kind, kinds[k]) != 0) k++;
  atomic_fetch_add_explicit(&m->questions[d][k], 1, memory_order_relaxed);
  return 1;
}

void srv_metrics_answer_time(srv_metrics *m, int64_t us) {
  size_t i;
  if (!m) return;
  if (us < 0) us = 0;
  for (i = 0; i < N_BUCKETS && us > buckets[i].us; i++) {}
  atomic_fetch_add_explicit(&m->answer_le[i], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&m->answer_sum_us, (unsigned long long)us, memory_order_relaxed);
}

void srv_metrics_db_error(srv_metrics *m) {
  if (m) atomic_fetch_add_explicit(&m->db_errors, 1, memory_order_relaxed);
}

void srv_metrics_transcript_batch(srv_metrics *m, int turns) {
  if (!m) return;
  atomic_fetch_add_explicit(&m->tx_commits, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&m->tx_turns, (unsigned long long)turns, memory_order_relaxed);
}

int srv_metrics_db_failed(int rc) { return rc == MG_EDB || rc == MG_EFULL || rc == MG_EBUSY; }

/* ---- the text format ---------------------------------------------------------- */

static int grow(srv_metrics_buf *b, size_t more) {
  size_t cap;
  char *t;
  if (b->oom) return -1;
  if (b->len + more + 1 <= b->cap) return 0;
  for (cap = b->cap ? b->cap : 4096; cap < b->len + more + 1; cap *= 2) {}
  if (!(t = realloc(b->text, cap))) {
    b->oom = 1;
    return -1;
  }
  b->text = t;
  b->cap = cap;
  return 0;
}

void srv_metrics_printf(srv_metrics_buf *b, const char *fmt, ...) {
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || grow(b, (size_t)n) != 0) {
    b->oom = 1;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(b->text + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void srv_metrics_label(srv_metrics_buf *b, const char *value) {
  size_t n = strlen(value);
  if (grow(b, 2 * n) != 0) return;   /* every byte escaped at worst */
  for (const char *c = value; *c; c++) {
    if (*c == '\\' || *c == '"') b->text[b->len++] = '\\', b->text[b->len++] = *c;
    else if (*c == '\n') b->text[b->len++] = '\\', b->text[b->len++] = 'n';
    else b->text[b->len++] = *c;
  }
  b->text[b->len] = '\0';
}

void srv_metrics_head(srv_metrics_buf *b, const char *name, const char *type, const char *help) {
  srv_metrics_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void srv_metrics_buf_free(srv_metrics_buf *b) {
  free(b->text);
  memset(b, 0, sizeof *b);
}

static unsigned long long get(atomic_ullong *a) { return atomic_load_explicit(a, memory_order_relaxed); }

void srv_metrics_write(srv_metrics *m, const srv_metrics_gauges *g, srv_metrics_buf *b) {
  unsigned long long le[N_BUCKETS + 1], cum = 0;

  srv_metrics_head(b, "madoguchi_build_info", "gauge", "The running madoguchi's version (always 1).");
  srv_metrics_printf(b, "madoguchi_build_info{version=\"");
  srv_metrics_label(b, PACKAGE_VERSION);
  srv_metrics_printf(b, "\"} 1\n");
  srv_metrics_head(b, "madoguchi_start_time_seconds", "gauge", "When the server started, Unix time.");
  srv_metrics_printf(b, "madoguchi_start_time_seconds %.3f\n", m->start_time);

  srv_metrics_head(b, "madoguchi_questions_total", "counter",
                   "Answer objects shown to residents (chat, POST /api/v1/ask, an emergency written into a "
                   "ticket's thread), by decision and by the kind of intent rule that wrote them (faq: no rule, "
                   "the FAQ engine).");
  for (size_t d = 0; d < N_DECISIONS; d++)
    for (size_t k = 0; k < N_KINDS; k++) {
      unsigned long long n = get(&m->questions[d][k]);
      /* rules always answer: clarify and no_answer come from the engine
       * alone, so only their faq series exist before they are seen */
      if (!n && d != 0 && k != 0) continue;
      srv_metrics_printf(b, "madoguchi_questions_total{decision=\"%s\",kind=\"%s\"} %llu\n", decisions[d], kinds[k], n);
    }

  for (size_t i = 0; i <= N_BUCKETS; i++) le[i] = get(&m->answer_le[i]);
  srv_metrics_head(b, "madoguchi_answer_seconds", "histogram",
                   "Time from a resident's question arriving (chat message, API request body) to its reply being "
                   "ready to send.");
  for (size_t i = 0; i < N_BUCKETS; i++) {
    cum += le[i];
    srv_metrics_printf(b, "madoguchi_answer_seconds_bucket{le=\"%s\"} %llu\n", buckets[i].le, cum);
  }
  cum += le[N_BUCKETS];
  srv_metrics_printf(b, "madoguchi_answer_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
  srv_metrics_printf(b, "madoguchi_answer_seconds_sum %.6f\n", (double)get(&m->answer_sum_us) / 1e6);
  srv_metrics_printf(b, "madoguchi_answer_seconds_count %llu\n", cum);

  srv_metrics_head(b, "madoguchi_open_connections", "gauge",
                   "Open connections to the chat port: chat WebSockets, and other TCP connections (HTTP).");
  srv_metrics_printf(b, "madoguchi_open_connections{kind=\"chat\"} %u\n", g->chat_conns);
  srv_metrics_printf(b, "madoguchi_open_connections{kind=\"http\"} %u\n", g->http_conns);
  srv_metrics_head(b, "madoguchi_worker_queue_depth", "gauge", "Jobs waiting for a worker thread.");
  srv_metrics_printf(b, "madoguchi_worker_queue_depth %u\n", g->queue_depth);
  srv_metrics_head(b, "madoguchi_db_errors_total", "counter",
                   "Database failures (database, storage_full, busy) of worker jobs and WAL checkpoints.");
  srv_metrics_printf(b, "madoguchi_db_errors_total %llu\n", get(&m->db_errors));
  srv_metrics_head(b, "madoguchi_transcript_commits_total", "counter",
                   "Transactions of the transcript writer (group commit); turns_total / commits_total is the mean batch.");
  srv_metrics_printf(b, "madoguchi_transcript_commits_total %llu\n", get(&m->tx_commits));
  srv_metrics_head(b, "madoguchi_transcript_turns_total", "counter",
                   "Questions whose transcript lines the writer committed.");
  srv_metrics_printf(b, "madoguchi_transcript_turns_total %llu\n", get(&m->tx_turns));
}

int srv_metrics_write_db(sqlite3 *db, const struct cal *c, int answer_days, time_t now, srv_metrics_buf *b, char *err) {
  static const char *const states[] = { "open", "answered", "overdue" };
  json_t *counts = NULL, *row;
  long long helpful = 0, unhelpful = 0;
  size_t start = b->len, i;
  int rc;

  if ((rc = bot_ticket_counts(db, c, answer_days, now, &counts, err)) != 0 ||
      (rc = bot_feedback_counts(db, &helpful, &unhelpful, err)) != 0)
    goto out;
  srv_metrics_head(b, "madoguchi_tickets", "gauge",
                   "Tickets by department and state: open (staff owe an answer), answered (staff replied), overdue "
                   "(open past the department's answer target; also counted in open). department=\"\": routed to none.");
  for (size_t s = 0; s < sizeof states / sizeof states[0]; s++)
    json_array_foreach(counts, i, row) {
      srv_metrics_printf(b, "madoguchi_tickets{department=\"");
      srv_metrics_label(b, json_string_value(json_object_get(row, "department")));
      srv_metrics_printf(b, "\",state=\"%s\"} %lld\n", states[s],
                         (long long)json_integer_value(json_object_get(row, states[s])));
    }
  srv_metrics_head(b, "madoguchi_feedback_total", "counter",
                   "Residents' feedback on answers, as stored in the database.");
  srv_metrics_printf(b, "madoguchi_feedback_total{helpful=\"true\"} %lld\n", helpful);
  srv_metrics_printf(b, "madoguchi_feedback_total{helpful=\"false\"} %lld\n", unhelpful);
  if (b->oom) rc = mg_errf(err, MG_ENOMEM, "metrics: out of memory");
out:
  if (rc != 0 && b->text) b->text[b->len = start] = '\0';
  json_decref(counts);
  return rc;
}

/* ---- the listener --------------------------------------------------------------- */

struct metrics_pss {
  uint64_t id;                /* connection id while the scrape's job is out, else 0 */
  uint64_t req;               /* request id of the scrape's job, for the logs */
  char method[8];
  char path[128];             /* without the query string */
  char ip[64];
  int64_t t0;
  int status;                 /* response waiting for HTTP_WRITEABLE (0 = none) */
  const char *ctype;
  const char *allow;          /* Allow header for 405 */
  srv_msg *resp;
};

static void pss_reset(srv *s, struct metrics_pss *p) {
  if (p->id) srv_conn_del(s, p->id);
  free(p->resp);
  memset(p, 0, sizeof *p);
}

static int respond(struct lws *wsi, struct metrics_pss *p, int status, const char *ctype, srv_msg *body) {
  free(p->resp);
  p->status = status;
  p->ctype = ctype;
  p->resp = body;
  lws_callback_on_writable(wsi);
  return 0;
}

static int respond_text(struct lws *wsi, struct metrics_pss *p, int status, const char *text) {
  return respond(wsi, p, status, "text/plain; charset=utf-8", srv_msg_new(text, strlen(text)));
}

static int write_response(struct lws *wsi, struct metrics_pss *p) {
  unsigned char buf[LWS_PRE + 1024], *start = buf + LWS_PRE, *ptr = start, *end = buf + sizeof buf - 1;
  size_t blen = p->resp ? p->resp->len : 0;
  int status = p->status;

  p->status = 0;
  if (lws_add_http_common_headers(wsi, (unsigned)status, p->ctype, blen, &ptr, end) ||
      srv_add_header(wsi, "cache-control:", "no-store", &ptr, end) ||
      srv_add_header(wsi, "x-content-type-options:", "nosniff", &ptr, end) ||
      (p->allow && srv_add_header(wsi, "allow:", p->allow, &ptr, end)) ||
      lws_finalize_write_http_header(wsi, start, &ptr, end))
    return -1;
  if (blen && lws_write(wsi, (unsigned char *)SRV_MSG_TEXT(p->resp), blen, LWS_WRITE_HTTP_FINAL) < (int)blen)
    return -1;
  mg_log_access("metrics", p->method, p->path, status, blen, (double)(srv_now_us() - p->t0) / 1000.0, p->ip, p->req);
  free(p->resp);
  p->resp = NULL;
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static const srv_job_ops scrape_ops;

static int on_request(srv *s, struct lws *wsi, struct metrics_pss *p, const char *uri) {
  srv_job *j;
  int status;

  pss_reset(s, p);
  p->t0 = srv_now_us();
  snprintf(p->path, sizeof p->path, "%s", uri ? uri : "");
  snprintf(p->method, sizeof p->method, "%s", lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) ? "GET" : "OTHER");
  srv_client_ip(s, wsi, p->ip, sizeof p->ip);
  if ((status = srv_header_problem(wsi)) != 0) return respond_text(wsi, p, status, "bad request headers\n");
  if (strcmp(p->path, "/metrics") != 0) return respond_text(wsi, p, 404, "not found: this port serves /metrics only\n");
  if (strcmp(p->method, "GET") != 0) {
    p->allow = "GET";
    return respond_text(wsi, p, 405, "method not allowed\n");
  }
  if (s->stopping || !(j = calloc(1, sizeof *j))) return respond_text(wsi, p, 503, "unavailable\n");
  j->ops = &scrape_ops;
  j->req = p->req = mg_log_new_request_id();
  if (!(p->id = srv_conn_add(s, wsi, 0))) {
    srv_job_free(j);
    return respond_text(wsi, p, 503, "unavailable\n");
  }
  j->conn = p->id;
  if (srv_submit(s, j) != 0) {
    srv_job_free(j);
    srv_conn_del(s, p->id);
    p->id = 0;
    return respond_text(wsi, p, 503, "busy\n");
  }
  return 0;
}

static int metrics_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
  struct metrics_pss *p = user;

  switch (reason) {
  case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
    return 0;   /* lws tells every vhost's protocols; the chat port's drains the queue */
  case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
    /* no WebSocket here; the per-request data does not exist yet */
    return lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL) ? -1 : 1;
  case LWS_CALLBACK_HTTP:
    return on_request(srv_of(wsi), wsi, p, (const char *)in);
  case LWS_CALLBACK_HTTP_BODY:
  case LWS_CALLBACK_HTTP_BODY_COMPLETION:
    return 0;   /* a body of GET /metrics means nothing */
  case LWS_CALLBACK_HTTP_WRITEABLE:
    if (!p || !p->status) return 0;
    return write_response(wsi, p);
  case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
  case LWS_CALLBACK_CLOSED_HTTP:
    if (p) pss_reset(srv_of(wsi), p);
    return 0;
  default:
    break;
  }
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols metrics_protocols[] = {
  { .name = "madoguchi-metrics", .callback = metrics_callback, .per_session_data_size = sizeof(struct metrics_pss) },
  { .name = NULL, .callback = NULL },
};

/* As on the chat port (server.c): no lws validity timers. */
static const lws_retry_bo_t no_validity = { .secs_since_valid_ping = 0, .secs_since_valid_hangup = 0 };

int srv_metrics_start(srv *s, char *err) {
  struct lws_context_creation_info info;
  const mg_config *cfg = s->cfg;
  const char *addr = cfg->metrics_listen[0] ? cfg->metrics_listen : "*";

  s->metrics_port = 0;
  if (cfg->metrics_port == MG_METRICS_OFF) return 0;
  /* the same port would share the chat port's listening socket */
  if (cfg->metrics_port == s->port)
    return mg_errf(err, MG_ECONFIG, "metrics_port %d is the chat port; choose another one or \"off\"", s->port);
  memset(&info, 0, sizeof info);
  info.vhost_name = "metrics";
  info.port = cfg->metrics_port;
  info.iface = cfg->metrics_listen[0] ? cfg->metrics_listen : NULL;
  info.protocols = metrics_protocols;
  info.retry_and_idle_policy = &no_validity;
  info.timeout_secs = 10;
  info.keepalive_timeout = 5;
  info.timeout_secs_ah_idle = (unsigned)(cfg->max_header_wait_secs + 0.999);
  info.options = LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
  if (cfg->metrics_listen[0] && !strchr(cfg->metrics_listen, ':')) info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
  if (!(s->metrics_vhost = lws_create_vhost(s->ctx, &info)))
    return mg_errf(err, MG_EIO, "cannot listen for metrics on %s port %d", addr, cfg->metrics_port);
  s->metrics_port = lws_get_vhost_listen_port(s->metrics_vhost);
  if (s->metrics_port <= 0 || s->metrics_port == s->port)
    return mg_errf(err, MG_EIO, "cannot listen for metrics on %s port %d", addr, cfg->metrics_port);
  return 0;
}

/* ---- the scrape's job ----------------------------------------------------------- */

/* Worker side: tickets and feedback (and each adapter's own lines), as text, into j->out. */
static void scrape_work(srv *s, bot_worker *w, srv_job *j) {
  char err[MG_ERRLEN] = "";
  srv_metrics_buf b = { 0 };
  int rc = srv_metrics_write_db(bot_worker_db(w), bot_calendar(bot_worker_bot(w)), s->cfg->answer_days, time(NULL),
                                &b, err);
  if (rc != 0) {
    if (srv_metrics_db_failed(rc)) srv_metrics_db_error(s->metrics);
    mg_log_error("metrics", "tickets and feedback left out of the scrape: %s", err);
  } else {
    for (const srv_adapter *const *a = srv_adapters; *a; a++)
      if ((*a)->metrics) (*a)->metrics(s, bot_worker_db(w), &b);
    if (b.len) srv_msgq_push(&j->out, srv_msg_new(b.text, b.len));
  }
  srv_metrics_buf_free(&b);
}

/* The gauges the service thread keeps anyway. */
static void gauges(srv *s, srv_metrics_gauges *g) {
  g->chat_conns = s->ws_open;
  g->http_conns = 0;
  for (unsigned h = 0; h < SRV_IP_BUCKETS; h++)
    for (const struct srv_ip *r = s->ips[h]; r; r = r->next)
      if (r->tcp_other > 0) g->http_conns += (unsigned)r->tcp_other;
  pthread_mutex_lock(&s->jq.lock);
  g->queue_depth = s->jq.len;
  pthread_mutex_unlock(&s->jq.lock);
}

/* Service side: the whole page, written to the scraper if still there. */
static void scrape_complete(srv *s, srv_job *j) {
  struct lws *wsi = srv_conn_get(s, j->conn);
  struct metrics_pss *p;
  srv_metrics_buf b = { 0 };
  srv_metrics_gauges g;
  srv_msg *db;
  if (!wsi) return;   /* the scraper left */
  srv_conn_del(s, j->conn);
  if (!(p = lws_wsi_user(wsi))) return;
  p->id = 0;
  gauges(s, &g);
  srv_metrics_write(s->metrics, &g, &b);
  if ((db = srv_msgq_pop(&j->out))) {
    srv_metrics_printf(&b, "%s", SRV_MSG_TEXT(db));
    free(db);
  }
  if (b.oom) respond_text(wsi, p, 503, "out of memory\n");
  else respond(wsi, p, 200, METRICS_CONTENT_TYPE, srv_msg_new(b.text, b.len));
  srv_metrics_buf_free(&b);
}

static const srv_job_ops scrape_ops = { .name = "metrics", .work = scrape_work, .complete = scrape_complete };
