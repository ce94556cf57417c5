/*
 * loadgen.c — load generator for the madoguchi chat service (madoguchi.v1).
 *
 * One process, one thread, one libwebsockets client context. It opens N
 * "active" chat connections and M "idle" ones, says hello on each and waits
 * for the welcome, then asks questions from a file for a fixed time and
 * prints what came back: connections opened and failed, idle connections
 * still held at the end, questions sent and answered, errors by code, and
 * latency percentiles; the last line is the same as one JSON object so a
 * script can keep it.
 *
 * Two ways to offer load:
 *
 *  - open loop (--rate R): question k is *scheduled* at t0 + k/R and given to
 *    active connection k mod N, whatever the server is doing. A 1 ms timer
 *    pushes every question whose time has come onto its connection's send
 *    queue. Latency runs from the scheduled time, not from the moment the
 *    frame left, so a stalled server shows up as latency instead of silently
 *    lowering the offered rate ("coordinated omission").
 *  - closed loop (--closed): every active connection asks again as soon as
 *    its previous question is answered. Throughput is then whatever the
 *    server sustains and, by Little's law, mean latency = N / throughput.
 *
 * Questions scheduled during --warmup seconds are sent but not counted;
 * those scheduled in the following --seconds are counted; after that no new
 * question is scheduled and the tool waits at most --drain seconds for the
 * counted ones still in flight (those never answered are reported as
 * "unanswered"). answered/s is counted answers divided by --seconds.
 * --timeline adds one line per second of scheduled time (answered, slower
 * than 50 ms, errors, slowest), which shows whether a tail is steady
 * queueing or a stall.
 *
 * A reply is matched to its question by reply_to (our ids are decimal
 * sequence numbers). answer, clarify, no_answer and checklist (a life event
 * told: 「引っ越してきました」) are "answered"; error is
 * counted under its code (rate_limited, busy, ...).
 *
 * Connections are opened in batches (--batch at a time in handshake) so the
 * server's accept queue is not flooded, active ones first. RLIMIT_NOFILE is
 * raised to the hard limit first. Every phase has a time bound, so the tool
 * always stops by itself.
 *
 * Socket rules as in the server (adapters/): everything runs
 * in the lws service loop, frames are written only from
 * LWS_CALLBACK_CLIENT_WRITEABLE, one per callback, with LWS_PRE headroom.
 * With --evlib ev|uv lws uses its libev/libuv plugin (epoll) instead of
 * poll(), which matters with 10,000 idle descriptors: poll() walks all of
 * them on every wake-up.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define QCAP 64          /* questions waiting to be written, per connection */
#define OCAP 64          /* questions written and not yet answered, per connection */
#define RX_MAX (1 << 20) /* largest reply we accept */
#define MAX_QLEN 2048    /* longest question line */
#define N_CODES 16       /* distinct error codes we keep apart */

enum conn_state { C_NEW, C_CONNECTING, C_HELLO, C_READY, C_CLOSED, C_FAILED };

struct ask {
  uint64_t k;      /* sequence number, sent as the message id */
  int64_t t_sched; /* scheduled send time, microseconds (monotonic) */
};

struct lg;

struct conn {
  struct lg *lg;
  struct lws *wsi;
  int idx;
  int idle;              /* hello only, then silent */
  enum conn_state state;
  int hello_sent;
  struct ask q[QCAP];    /* send queue (ring) */
  unsigned qh, qn;
  struct ask out[OCAP];  /* in flight */
  int nout;
  char *rx;              /* reply being reassembled */
  size_t rxlen, rxcap;
};

/* What happened to the questions scheduled in one second of the window. */
struct second {
  uint32_t answered, over_50ms, errors;
  uint32_t max_us;
};

struct err_count {
  char code[32];
  uint64_t n;
};

enum phase { P_CONNECT, P_RUN, P_DRAIN, P_DONE };

struct lg {
  /* options */
  const char *url_host;
  int port;
  const char *path;
  int n_active, n_idle;
  double rate;       /* questions per second in total; 0 = closed loop */
  double seconds, warmup, drain, connect_timeout;
  int batch;
  const char *evlib;
  int verbose;

  char host_hdr[300], origin[320];
  char **questions;
  int n_questions;

  struct lws_context *ctx;
  lws_sorted_usec_list_t sul;
  struct conn *conns;
  int n_conns;
  int next_connect;  /* next conns[] index to open */
  int in_handshake;  /* connecting or waiting for welcome */

  enum phase phase;
  int64_t t_connect0, t_run0, t_count0, t_end, t_drain_end;
  int64_t deadline;  /* hard bound on the whole run */
  int *ready;        /* active connections ready when the run began */
  int n_ready;
  uint64_t next_k;   /* next question to schedule */

  /* results */
  uint64_t opened, failed, closed_early;
  uint64_t idle_held, active_held; /* ready connections when the run ended */
  int destroyed_in_loop;           /* event-lib mode: context destroyed from the timer */
  uint64_t offered;    /* counted questions scheduled */
  uint64_t sent;       /* counted questions written */
  uint64_t answered, errors, dropped, answers, clarifies, no_answers, checklists;
  uint64_t in_flight_counted;
  struct err_count codes[N_CODES];
  int n_codes;
  uint32_t *lat;       /* microseconds, counted answers */
  size_t n_lat, cap_lat;
  uint32_t *lag;       /* microseconds from scheduled to written, counted questions */
  size_t n_lag, cap_lag;
  int oom;
  int timeline;        /* print one line per second of the measured window */
  struct second *secs; /* per second of scheduled time since t_count0 */
  int n_secs;
};

/* Connection policy without validity timers (see main). */
static const uint32_t backoff_ms[] = { 1000 };
static const lws_retry_bo_t no_validity = {
  .retry_ms_table = backoff_ms,
  .retry_ms_table_count = 1,
  .conceal_count = 1,
  .secs_since_valid_ping = 0,
  .secs_since_valid_hangup = 0,
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
  (void)sig;
  interrupted = 1;
}

static int64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- results -------------------------------------------------------------- */

static int counted(const struct lg *lg, int64_t t_sched) {
  return t_sched >= lg->t_count0 && t_sched < lg->t_end;
}

static void count_error(struct lg *lg, const char *code) {
  lg->errors++;
  if (!code) code = "(none)";
  for (int i = 0; i < lg->n_codes; i++)
    if (strcmp(lg->codes[i].code, code) == 0) {
      lg->codes[i].n++;
      return;
    }
  if (lg->n_codes == N_CODES) code = "(other)";
  for (int i = 0; i < lg->n_codes; i++)
    if (strcmp(lg->codes[i].code, code) == 0) {
      lg->codes[i].n++;
      return;
    }
  snprintf(lg->codes[lg->n_codes].code, sizeof lg->codes[0].code, "%s", code);
  lg->codes[lg->n_codes++].n = 1;
}

/* Append a duration to a growing array; on failure only the flag is set. */
static void record(struct lg *lg, uint32_t **a, size_t *n, size_t *cap, int64_t us) {
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 65536;
    uint32_t *p = realloc(*a, c * sizeof *p);
    if (!p) {
      lg->oom = 1;
      return;
    }
    *a = p;
    *cap = c;
  }
  (*a)[(*n)++] = us < 0 ? 0 : us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of n sorted durations, in milliseconds. */
static double pct_ms(const uint32_t *a, size_t n, double p) {
  if (!n) return 0;
  size_t i = (size_t)(p / 100.0 * (double)n + 0.999999);
  if (i < 1) i = 1;
  if (i > n) i = n;
  return a[i - 1] / 1000.0;
}

/* ---- sending -------------------------------------------------------------- */

/* Queue question k on connection c; returns -1 when its queue is full. */
static int enqueue(struct conn *c, uint64_t k, int64_t t_sched) {
  if (c->qn == QCAP) return -1;
  struct ask *a = &c->q[(c->qh + c->qn) % QCAP];
  a->k = k;
  a->t_sched = t_sched;
  c->qn++;
  lws_callback_on_writable(c->wsi);
  return 0;
}

/* Schedule question k at t_sched on connection c, counting it if it falls in
 * the measured window. */
static void offer(struct lg *lg, struct conn *c, uint64_t k, int64_t t_sched) {
  int cnt = counted(lg, t_sched);
  if (cnt) lg->offered++;
  if (c->state != C_READY || enqueue(c, k, t_sched) < 0) {
    if (cnt) lg->dropped++;
  }
}

/* Append s to p as JSON string contents; returns bytes written or -1. */
static int json_escape(char *p, size_t room, const char *s) {
  size_t n = 0;
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    char tmp[8];
    const char *add = tmp;
    size_t len;
    if (ch == '"' || ch == '\\') {
      tmp[0] = '\\';
      tmp[1] = (char)ch;
      len = 2;
    } else if (ch < 0x20) {
      snprintf(tmp, sizeof tmp, "\\u%04x", ch);
      len = 6;
    } else {
      tmp[0] = (char)ch;
      len = 1;
    }
    if (n + len >= room) return -1;
    memcpy(p + n, add, len);
    n += len;
  }
  return (int)n;
}

/* Write one frame from the writeable callback; returns -1 to close. */
static int write_one(struct conn *c) {
  struct lg *lg = c->lg;
  unsigned char buf[LWS_PRE + MAX_QLEN * 2 + 128];
  char *p = (char *)buf + LWS_PRE;
  size_t room = sizeof buf - LWS_PRE;
  int n;

  if (!c->hello_sent) {
    n = snprintf(p, room, "{\"type\":\"hello\"}");
    c->hello_sent = 1;
  } else if (c->qn && c->nout < OCAP) {
    struct ask a = c->q[c->qh];
    c->qh = (c->qh + 1) % QCAP;
    c->qn--;
    const char *text = lg->questions[a.k % (uint64_t)lg->n_questions];
    n = snprintf(p, room, "{\"type\":\"ask\",\"id\":\"%" PRIu64 "\",\"text\":\"", a.k);
    int e = json_escape(p + n, room - (size_t)n - 3, text);
    if (e < 0) return -1;
    n += e;
    n += snprintf(p + n, room - (size_t)n, "\"}");
    c->out[c->nout++] = a;
    if (counted(lg, a.t_sched)) {
      lg->sent++;
      lg->in_flight_counted++;
      record(lg, &lg->lag, &lg->n_lag, &lg->cap_lag, now_us() - a.t_sched);
    }
  } else {
    return 0;
  }
  if (lws_write(c->wsi, (unsigned char *)p, (size_t)n, LWS_WRITE_TEXT) < n) return -1;
  if (c->qn && c->nout < OCAP) lws_callback_on_writable(c->wsi);
  return 0;
}

/* ---- receiving ------------------------------------------------------------ */

static void handshake_done(struct conn *c, int ok) {
  struct lg *lg = c->lg;
  if (c->state == C_CONNECTING || c->state == C_HELLO) {
    lg->in_handshake--;
    if (ok) lg->opened++;
    else lg->failed++;
  }
}

static void on_reply(struct conn *c, const char *type, const char *reply_to, const char *code) {
  struct lg *lg = c->lg;
  int64_t t = now_us();
  int i;
  uint64_t k;
  char *end;

  if (!reply_to) {
    /* An error the server could not tie to a message of ours. */
    if (strcmp(type, "error") == 0) count_error(lg, code);
    return;
  }
  errno = 0;
  k = strtoull(reply_to, &end, 10);
  if (errno || *end) return;
  for (i = 0; i < c->nout; i++)
    if (c->out[i].k == k) break;
  if (i == c->nout) return; /* not ours, or already answered */
  struct ask a = c->out[i];
  c->out[i] = c->out[--c->nout];

  int cnt = counted(lg, a.t_sched);
  struct second *sec = NULL;
  if (cnt) {
    lg->in_flight_counted--;
    int i_sec = (int)((a.t_sched - lg->t_count0) / 1000000);
    if (lg->secs && i_sec >= 0 && i_sec < lg->n_secs) sec = &lg->secs[i_sec];
  }
  if (strcmp(type, "error") == 0) {
    if (cnt) count_error(lg, code);
    if (sec) sec->errors++;
  } else if (cnt) {
    if (sec) {
      int64_t us = t - a.t_sched;
      sec->answered++;
      if (us > 50000) sec->over_50ms++;
      if (us > (int64_t)sec->max_us) sec->max_us = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
    }
    lg->answered++;
    if (strcmp(type, "answer") == 0) lg->answers++;
    else if (strcmp(type, "clarify") == 0) lg->clarifies++;
    else if (strcmp(type, "checklist") == 0) lg->checklists++;
    else lg->no_answers++;
    record(lg, &lg->lat, &lg->n_lat, &lg->cap_lat, t - a.t_sched);
  }
  if (lg->rate <= 0 && lg->phase == P_RUN && t < lg->t_end) offer(lg, c, lg->next_k++, t);
  if (c->qn && c->nout < OCAP) lws_callback_on_writable(c->wsi);
}

static void on_message(struct conn *c) {
  json_error_t jerr;
  json_t *o = json_loadb(c->rx, c->rxlen, 0, &jerr);
  const char *type;
  if (!o) return;
  type = json_string_value(json_object_get(o, "type"));
  if (!type) goto out;
  if (strcmp(type, "welcome") == 0) {
    if (c->state == C_HELLO) {
      handshake_done(c, 1);
      c->state = C_READY;
    }
  } else if (strcmp(type, "answer") == 0 || strcmp(type, "clarify") == 0 || strcmp(type, "no_answer") == 0 ||
             strcmp(type, "checklist") == 0 || strcmp(type, "error") == 0) {
    on_reply(c, type, json_string_value(json_object_get(o, "reply_to")),
             json_string_value(json_object_get(o, "code")));
  }
out:
  json_decref(o);
}

static int on_receive(struct conn *c, const void *in, size_t len) {
  if (c->rxlen + len > RX_MAX) return -1;
  if (c->rxlen + len > c->rxcap) {
    size_t cap = c->rxcap ? c->rxcap : 4096;
    while (cap < c->rxlen + len) cap *= 2;
    char *p = realloc(c->rx, cap);
    if (!p) return -1;
    c->rx = p;
    c->rxcap = cap;
  }
  memcpy(c->rx + c->rxlen, in, len);
  c->rxlen += len;
  if (lws_is_final_fragment(c->wsi) && !lws_remaining_packet_payload(c->wsi)) {
    on_message(c);
    c->rxlen = 0;
  }
  return 0;
}

/* Questions in flight on a connection that went away will never be answered. */
static void conn_gone(struct conn *c) {
  struct lg *lg = c->lg;
  for (int i = 0; i < c->nout; i++)
    if (counted(lg, c->out[i].t_sched)) lg->in_flight_counted--;
  for (unsigned i = 0; i < c->qn; i++)
    if (counted(lg, c->q[(c->qh + i) % QCAP].t_sched)) lg->dropped++;
  c->nout = 0;
  c->qn = 0;
  c->wsi = NULL;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len) {
  struct conn *c = user;
  switch (reason) {
  case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
    if (!c) break;
    if (c->lg->verbose)
      fprintf(stderr, "loadgen: connection %d failed: %s\n", c->idx, in ? (const char *)in : "?");
    handshake_done(c, 0);
    c->state = C_FAILED;
    conn_gone(c);
    break;
  case LWS_CALLBACK_CLIENT_ESTABLISHED:
    if (!c) break;
    c->state = C_HELLO;
    lws_callback_on_writable(wsi);
    break;
  case LWS_CALLBACK_CLIENT_WRITEABLE:
    if (!c || !c->wsi) break;
    if (write_one(c) < 0) return -1;
    break;
  case LWS_CALLBACK_CLIENT_RECEIVE:
    if (!c || !c->wsi) break;
    if (lws_frame_is_binary(wsi)) break;
    if (on_receive(c, in, len) < 0) return -1;
    break;
  case LWS_CALLBACK_CLIENT_CLOSED:
    if (!c) break;
    if (c->state == C_READY && c->lg->phase != P_DONE) c->lg->closed_early++;
    handshake_done(c, 0);
    c->state = C_CLOSED;
    conn_gone(c);
    break;
  default:
    break;
  }
  return 0;
}

/* ---- the timer: connecting, scheduling, phases ---------------------------- */

static void start_connects(struct lg *lg) {
  while (lg->in_handshake < lg->batch && lg->next_connect < lg->n_conns) {
    struct conn *c = &lg->conns[lg->next_connect++];
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = lg->ctx;
    ci.address = lg->url_host;
    ci.port = lg->port;
    ci.path = lg->path;
    ci.host = lg->host_hdr;
    ci.origin = lg->origin;
    ci.protocol = "madoguchi.v1";
    ci.userdata = c;
    ci.pwsi = &c->wsi;
    ci.retry_and_idle_policy = &no_validity;
    c->state = C_CONNECTING;
    lg->in_handshake++;
    if (!lws_client_connect_via_info(&ci)) {
      /* CONNECTION_ERROR may already have run and counted it. */
      if (c->state == C_CONNECTING) {
        handshake_done(c, 0);
        c->state = C_FAILED;
      }
      c->wsi = NULL;
    }
  }
}

static void begin_run(struct lg *lg, int64_t t) {
  lg->ready = calloc((size_t)lg->n_active + 1, sizeof *lg->ready);
  if (!lg->ready) {
    lg->oom = 1;
    lg->phase = P_DONE;
    return;
  }
  for (int i = 0; i < lg->n_active; i++)
    if (lg->conns[i].state == C_READY) lg->ready[lg->n_ready++] = i;
  lg->t_run0 = t;
  lg->t_count0 = t + (int64_t)(lg->warmup * 1e6);
  lg->t_end = lg->t_count0 + (int64_t)(lg->seconds * 1e6);
  if (lg->opened == 0) {
    fprintf(stderr, "loadgen: no connection opened (%" PRIu64 " failed); stopping\n", lg->failed);
    lg->phase = P_DONE;
    return;
  }
  lg->phase = P_RUN;
  fprintf(stderr, "loadgen: %" PRIu64 " connections open (%d active ready) after %.1f s; running\n",
          lg->opened, lg->n_ready, (double)(t - lg->t_connect0) / 1e6);
  if (lg->rate <= 0)
    for (int i = 0; i < lg->n_ready; i++) offer(lg, &lg->conns[lg->ready[i]], lg->next_k++, t);
}

static void schedule_due(struct lg *lg, int64_t t) {
  if (!lg->n_ready) return;
  for (;;) {
    int64_t ts = lg->t_run0 + (int64_t)((double)lg->next_k * 1e6 / lg->rate);
    if (ts > t || ts >= lg->t_end) break;
    struct conn *c = &lg->conns[lg->ready[lg->next_k % (uint64_t)lg->n_ready]];
    offer(lg, c, lg->next_k, ts);
    lg->next_k++;
  }
}

static void count_held(struct lg *lg) {
  lg->idle_held = lg->active_held = 0;
  for (int i = 0; i < lg->n_conns; i++)
    if (lg->conns[i].state == C_READY) {
      if (lg->conns[i].idle) lg->idle_held++;
      else lg->active_held++;
    }
}

static void tick(lws_sorted_usec_list_t *sul) {
  struct lg *lg = lws_container_of(sul, struct lg, sul);
  int64_t t = now_us();

  if (interrupted && lg->phase != P_DONE) {
    fprintf(stderr, "loadgen: interrupted\n");
    if (lg->phase == P_CONNECT) begin_run(lg, t);
    lg->t_end = t < lg->t_end ? t : lg->t_end;
    lg->phase = P_DONE;
  }
  if (t >= lg->deadline && lg->phase != P_DONE) {
    fprintf(stderr, "loadgen: stopped by the overall time bound\n");
    lg->phase = P_DONE;
  }
  switch (lg->phase) {
  case P_CONNECT:
    start_connects(lg);
    if ((lg->next_connect == lg->n_conns && lg->in_handshake == 0) ||
        t - lg->t_connect0 > (int64_t)(lg->connect_timeout * 1e6))
      begin_run(lg, t);
    break;
  case P_RUN:
    if (lg->rate > 0) schedule_due(lg, t);
    if (t >= lg->t_end) {
      lg->phase = P_DRAIN;
      lg->t_drain_end = t + (int64_t)(lg->drain * 1e6);
    }
    break;
  case P_DRAIN:
    if (lg->in_flight_counted == 0 || t >= lg->t_drain_end) lg->phase = P_DONE;
    break;
  case P_DONE:
    break;
  }
  if (lg->phase != P_DONE) {
    lws_sul_schedule(lg->ctx, 0, &lg->sul, tick, lg->phase == P_RUN ? LWS_US_PER_MS : 10 * LWS_US_PER_MS);
    return;
  }
  count_held(lg);
  if (strcmp(lg->evlib, "poll") == 0) {
    lws_cancel_service(lg->ctx);
  } else {
    /* lws 4.1's event-lib service runs the loop until it has no handles:
     * destroying the context from inside the loop closes them all, the loop
     * ends, and main finishes the destruction. */
    lg->destroyed_in_loop = 1;
    lws_context_destroy(lg->ctx);
  }
}

/* ---- setup and report ----------------------------------------------------- */

static int load_questions(struct lg *lg, const char *path) {
  FILE *f = fopen(path, "r");
  char line[MAX_QLEN];
  int cap = 0, rc = -1;
  if (!f) {
    fprintf(stderr, "loadgen: %s: %s\n", path, strerror(errno));
    return -1;
  }
  while (fgets(line, sizeof line, f)) {
    size_t n = strcspn(line, "\r\n");
    line[n] = '\0';
    if (!n || line[0] == '#') continue;
    if (lg->n_questions == cap) {
      cap = cap ? cap * 2 : 256;
      char **p = realloc(lg->questions, (size_t)cap * sizeof *p);
      if (!p) goto out;
      lg->questions = p;
    }
    if (!(lg->questions[lg->n_questions] = strdup(line))) goto out;
    lg->n_questions++;
  }
  if (!lg->n_questions) {
    fprintf(stderr, "loadgen: %s: no questions\n", path);
    goto out;
  }
  rc = 0;
out:
  fclose(f);
  return rc;
}

/* ws://HOST:PORT/PATH → parts; host is kept in a static buffer. */
static int parse_url(struct lg *lg, const char *url) {
  static char host[256];
  const char *p, *slash, *colon;
  if (strncmp(url, "ws://", 5) != 0) return -1;
  p = url + 5;
  slash = strchr(p, '/');
  if (!slash) slash = p + strlen(p);
  colon = memchr(p, ':', (size_t)(slash - p));
  if (!colon || (size_t)(colon - p) >= sizeof host) return -1;
  memcpy(host, p, (size_t)(colon - p));
  host[colon - p] = '\0';
  lg->port = atoi(colon + 1);
  if (lg->port <= 0 || lg->port > 65535) return -1;
  lg->url_host = host;
  lg->path = *slash ? slash : "/ws";
  snprintf(lg->host_hdr, sizeof lg->host_hdr, "%s:%d", host, lg->port);
  /* lws 4.1 writes "Origin: http://" followed by this. */
  snprintf(lg->origin, sizeof lg->origin, "%s:%d", host, lg->port);
  return 0;
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: loadgen --url ws://127.0.0.1:PORT/ws --conns N --questions FILE\n"
          "               (--rate R | --closed) --seconds S [--idle M] [--warmup S]\n"
          "               [--drain S] [--batch B] [--connect-timeout S] [--evlib poll|ev|uv]\n"
          "               [--timeline] [-v]\n"
          "  --rate R     open loop: R questions per second in total, spread over N connections\n"
          "  --closed     closed loop: each connection asks again as soon as it is answered\n"
          "  --idle M     also hold M connections that only say hello\n"
          "  --warmup S   seconds asked but not counted (default 2)\n"
          "  --drain S    seconds to wait for counted questions still in flight (default 10)\n"
          "  --batch B    connections in handshake at once (default 100)\n"
          "  --timeline   one line per second: answered, over 50 ms, errors, slowest\n"
          "  --evlib L    lws event loop: poll (default), ev (libev, epoll) or uv\n");
}

static void report(struct lg *lg, int64_t t_done) {
  uint64_t idle_held = lg->idle_held, active_held = lg->active_held;
  qsort(lg->lat, lg->n_lat, sizeof *lg->lat, cmp_u32);
  qsort(lg->lag, lg->n_lag, sizeof *lg->lag, cmp_u32);
  double p50 = pct_ms(lg->lat, lg->n_lat, 50), p95 = pct_ms(lg->lat, lg->n_lat, 95);
  double p99 = pct_ms(lg->lat, lg->n_lat, 99);
  double lag50 = pct_ms(lg->lag, lg->n_lag, 50), lag99 = pct_ms(lg->lag, lg->n_lag, 99);
  double lagmax = lg->n_lag ? lg->lag[lg->n_lag - 1] / 1000.0 : 0;
  double per_s = lg->seconds > 0 ? (double)lg->answered / lg->seconds : 0;
  double mx = lg->n_lat ? lg->lat[lg->n_lat - 1] / 1000.0 : 0;
  uint64_t unanswered = lg->sent > lg->answered + lg->errors ? lg->sent - lg->answered - lg->errors : 0;

  if (lg->timeline && lg->secs)
    for (int i = 0; i < lg->n_secs && i < (int)lg->seconds; i++)
      printf("second %3d           answered %6u  over 50 ms %6u  errors %5u  max %8.1f ms\n", i,
             lg->secs[i].answered, lg->secs[i].over_50ms, lg->secs[i].errors, lg->secs[i].max_us / 1000.0);
  printf("mode                 %s\n", lg->rate > 0 ? "open loop" : "closed loop");
  if (lg->rate > 0) printf("offered rate         %.0f questions/s\n", lg->rate);
  printf("connections opened   %" PRIu64 " (failed %" PRIu64 ", closed during run %" PRIu64 ")\n",
         lg->opened, lg->failed, lg->closed_early);
  printf("active held at end   %" PRIu64 " of %d\n", active_held, lg->n_active);
  printf("idle held at end     %" PRIu64 " of %d\n", idle_held, lg->n_idle);
  printf("questions offered    %" PRIu64 " in %.1f s (after %.1f s warm-up)\n", lg->offered,
         lg->seconds, lg->warmup);
  printf("questions sent       %" PRIu64 " (dropped before sending %" PRIu64 ")\n", lg->sent, lg->dropped);
  printf("answered             %" PRIu64 " (answer %" PRIu64 ", clarify %" PRIu64 ", no_answer %" PRIu64
         ", checklist %" PRIu64 ")\n", lg->answered, lg->answers, lg->clarifies, lg->no_answers, lg->checklists);
  printf("answered/s           %.1f\n", per_s);
  printf("unanswered           %" PRIu64 "\n", unanswered);
  printf("errors               %" PRIu64, lg->errors);
  for (int i = 0; i < lg->n_codes; i++)
    printf("%s%s %" PRIu64, i ? ", " : " (", lg->codes[i].code, lg->codes[i].n);
  printf("%s\n", lg->n_codes ? ")" : "");
  printf("latency ms           p50 %.2f  p95 %.2f  p99 %.2f  max %.2f\n", p50, p95, p99, mx);
  printf("send lag ms          p50 %.2f  p99 %.2f  max %.2f (scheduled to written; part of the latency)\n",
         lag50, lag99, lagmax);
  printf("wall time            %.1f s\n", (double)(t_done - lg->t_connect0) / 1e6);

  printf("{\"mode\":\"%s\",\"rate\":%.0f,\"conns\":%d,\"idle\":%d,\"seconds\":%.1f,"
         "\"opened\":%" PRIu64 ",\"failed\":%" PRIu64 ",\"closed_early\":%" PRIu64 ","
         "\"active_held\":%" PRIu64 ",\"idle_held\":%" PRIu64 ",\"offered\":%" PRIu64 ","
         "\"sent\":%" PRIu64 ",\"dropped\":%" PRIu64 ",\"answered\":%" PRIu64 ","
         "\"answered_per_s\":%.1f,\"unanswered\":%" PRIu64 ",\"errors\":{",
         lg->rate > 0 ? "open" : "closed", lg->rate, lg->n_active, lg->n_idle, lg->seconds, lg->opened,
         lg->failed, lg->closed_early, active_held, idle_held, lg->offered, lg->sent, lg->dropped,
         lg->answered, per_s, unanswered);
  for (int i = 0; i < lg->n_codes; i++)
    printf("%s\"%s\":%" PRIu64, i ? "," : "", lg->codes[i].code, lg->codes[i].n);
  printf("},\"p50_ms\":%.2f,\"p95_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f,"
         "\"lag_p50_ms\":%.2f,\"lag_p99_ms\":%.2f,\"lag_max_ms\":%.2f}\n",
         p50, p95, p99, mx, lag50, lag99, lagmax);
  fflush(stdout);
}

static int raise_nofile(int need) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return -1;
  rl.rlim_cur = rl.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &rl) < 0) return -1;
  if (rl.rlim_cur != RLIM_INFINITY && (rlim_t)need > rl.rlim_cur) {
    fprintf(stderr, "loadgen: need %d descriptors, the hard limit is %lu\n", need,
            (unsigned long)rl.rlim_cur);
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  struct lg lg;
  struct lws_context_creation_info info;
  struct lws_protocols protocols[2];
  const char *url = NULL, *qfile = NULL;
  int closed = 0, rc = 1, n = 0;

  memset(&lg, 0, sizeof lg);
  lg.warmup = 2;
  lg.drain = 10;
  lg.connect_timeout = 120;
  lg.batch = 100;
  lg.evlib = "poll";
  lg.seconds = -1;

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    int takes = 1;
    if (strcmp(a, "--url") == 0 && v) url = v;
    else if (strcmp(a, "--conns") == 0 && v) lg.n_active = atoi(v);
    else if (strcmp(a, "--questions") == 0 && v) qfile = v;
    else if (strcmp(a, "--rate") == 0 && v) lg.rate = atof(v);
    else if (strcmp(a, "--seconds") == 0 && v) lg.seconds = atof(v);
    else if (strcmp(a, "--idle") == 0 && v) lg.n_idle = atoi(v);
    else if (strcmp(a, "--warmup") == 0 && v) lg.warmup = atof(v);
    else if (strcmp(a, "--drain") == 0 && v) lg.drain = atof(v);
    else if (strcmp(a, "--batch") == 0 && v) lg.batch = atoi(v);
    else if (strcmp(a, "--connect-timeout") == 0 && v) lg.connect_timeout = atof(v);
    else if (strcmp(a, "--evlib") == 0 && v) lg.evlib = v;
    else {
      takes = 0;
      if (strcmp(a, "--closed") == 0) closed = 1;
      else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) lg.verbose = 1;
      else if (strcmp(a, "--timeline") == 0) lg.timeline = 1;
      else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
        usage(stdout);
        return 0;
      } else {
        fprintf(stderr, "loadgen: unknown or incomplete option %s\n", a);
        usage(stderr);
        return 2;
      }
    }
    i += takes;
  }
  if (!url || !qfile || lg.n_active < 0 || lg.n_idle < 0 || lg.n_active + lg.n_idle < 1 ||
      lg.seconds <= 0 || lg.warmup < 0 || lg.drain < 0 || lg.batch < 1 || (closed == (lg.rate > 0)) ||
      lg.rate < 0) {
    usage(stderr);
    return 2;
  }
  if (closed) lg.rate = 0;
  if (parse_url(&lg, url) < 0) {
    fprintf(stderr, "loadgen: bad --url %s (want ws://HOST:PORT/PATH)\n", url);
    return 2;
  }
  if (load_questions(&lg, qfile) < 0) goto out;
  lg.n_conns = lg.n_active + lg.n_idle;
  lg.n_secs = (int)lg.seconds + 1;
  if (!(lg.secs = calloc((size_t)lg.n_secs, sizeof *lg.secs))) goto out;
  if (raise_nofile(lg.n_conns + 64) < 0) goto out;
  lg.conns = calloc((size_t)lg.n_conns, sizeof *lg.conns);
  if (!lg.conns) goto out;
  for (int i = 0; i < lg.n_conns; i++) {
    lg.conns[i].lg = &lg;
    lg.conns[i].idx = i;
    lg.conns[i].idle = i >= lg.n_active;
  }

  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGPIPE, SIG_IGN);
  lws_set_log_level(lg.verbose ? LLL_ERR | LLL_WARN | LLL_NOTICE : LLL_ERR, NULL);

  memset(protocols, 0, sizeof protocols);
  protocols[0].name = "madoguchi.v1";
  protocols[0].callback = callback;
  protocols[0].rx_buffer_size = 8192;
  memset(&info, 0, sizeof info);
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = protocols;
  /* No fd_limit_per_thread: lws 4.1 then sizes its descriptor table from
   * the (raised) RLIMIT_NOFILE and indexes it by fd; a limit set here makes
   * every lookup a linear search (wsi_from_fd), O(connections) per event. */
  info.timeout_secs = 30;
  /* No validity pings from our side (the server pings; lws answers). With
   * lws's default policy every connection keeps a validity timer, and lws 4.1
   * keeps timers in one sorted list: re-arming one walks the list, so with
   * 11,000 connections each event costs O(connections). */
  info.retry_and_idle_policy = &no_validity;
  if (strcmp(lg.evlib, "ev") == 0) info.options |= LWS_SERVER_OPTION_LIBEV;
  else if (strcmp(lg.evlib, "uv") == 0) info.options |= LWS_SERVER_OPTION_LIBUV;
  else if (strcmp(lg.evlib, "poll") != 0) {
    fprintf(stderr, "loadgen: --evlib must be poll, ev or uv\n");
    goto out;
  }
  lg.ctx = lws_create_context(&info);
  if (!lg.ctx) {
    fprintf(stderr, "loadgen: cannot create the libwebsockets context\n");
    goto out;
  }

  lg.t_connect0 = now_us();
  lg.phase = P_CONNECT;
  /* Hard bound on the whole run, whatever the server does. */
  lg.deadline = lg.t_connect0 + (int64_t)((lg.connect_timeout + lg.warmup + lg.seconds + lg.drain + 30) * 1e6);
  lws_sul_schedule(lg.ctx, 0, &lg.sul, tick, 1);
  while (n >= 0 && lg.phase != P_DONE && now_us() < lg.deadline + 5000000) n = lws_service(lg.ctx, 0);
  if (lg.phase != P_DONE) {
    fprintf(stderr, "loadgen: the service loop failed\n");
    count_held(&lg);
  }
  if (lg.oom) fprintf(stderr, "loadgen: out of memory; latencies incomplete\n");
  report(&lg, now_us());
  rc = lg.opened > 0 ? 0 : 1;

out:
  if (lg.ctx) lws_context_destroy(lg.ctx);
  if (lg.conns)
    for (int i = 0; i < lg.n_conns; i++) free(lg.conns[i].rx);
  free(lg.conns);
  free(lg.ready);
  free(lg.lat);
  free(lg.lag);
  free(lg.secs);
  for (int i = 0; i < lg.n_questions; i++) free(lg.questions[i]);
  free(lg.questions);
  return rc;
}
