/*
 * server.h — `madoguchi serve`: one libwebsockets context, one service
 * thread, a pool of worker threads, password hashing threads of their own.
 *
 * The public contract is srv_run. Everything below "internal" is shared by
 * the files of adapters/ only. The core:
 *
 *   server.c   context, vhost, connection table, job queues, worker pool,
 *              refresh timer, graceful stop; walks the adapter table
 *   adapters.c the table (srv_adapters): one row per endpoint or channel
 *   writer.c   the transcript writer: group commit of the chat's lines
 *   metrics.c  GET /metrics on a vhost of its own (metrics_listen:metrics_port)
 *   static.c   files under cfg->web_dir
 *
 * and the adapters, each a row (srv_adapter) with its own protocol, paths,
 * threads, state (srv_state) and job ops (srv_job_ops):
 *
 *   http_api.c protocol[0]: routing, POST /api/v1/ask, GET /healthz, GET /readyz, CORS,
 *              the WebSocket upgrade checks (path, Origin, subprotocol,
 *              per-address cap), the adapters' webhooks, and draining completed jobs
 *   ws_chat.c  protocol "madoguchi.v1" at /ws (docs/protocol.md)
 *   pages_http.c, admin_http.c  the public pages and the staff console (mounts)
 *   mail.c, line.c  the e-mail and LINE channels
 *
 * server.c knows no adapter and no job kind: a job carries its ops, and
 * the core calls the rows' hooks (start, stop, tick, …) in table order.
 *
 * Threads. The lws service thread does socket work only: it parses and
 * checks frames, then hands a job (connection id + parsed message) to the
 * job queue. A worker (its own bot_worker: MeCab tagger, SQLite connection)
 * runs the dialogue or the answer pipeline, serialises the replies, puts the
 * job on the completion queue and wakes the service thread with
 * lws_cancel_service. In LWS_CALLBACK_EVENT_WAIT_CANCELLED the service
 * thread moves the replies onto the connection's send queue and asks for a
 * writeable callback. Workers never see a `struct lws *`: a connection may
 * close while its job is in flight, so jobs carry a connection id that the
 * service thread looks up in its table (slot index + generation). Jobs that
 * hash a password go to a second queue served by threads of their own
 * (srv_submit_hash), so the chat workers never run or wait for Argon2id.
 * A chat question's transcript lines are not written by its worker: the job
 * goes on to the transcript writer (writer.c), which commits the lines of
 * every job waiting for it in one transaction and only then puts those jobs
 * on the completion queue.
 */
#ifndef MG_SERVER_H
#define MG_SERVER_H

#include <libwebsockets.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>

#include "adapters/metrics.h"
#include "bot/dialogue.h"
#include "util/mg_config.h"
#include "util/mg_utf8.h"

/* Run the service until SIGTERM or SIGINT. Prints one line
 * "madoguchi: listening on http://ADDR:PORT/" to stdout once the socket is
 * bound (port 0 = a free port), then, unless cfg->metrics_port is
 * MG_METRICS_OFF, "madoguchi: metrics on http://ADDR:PORT/metrics". evlib picks lws's event loop: "ev" (libev,
 * epoll), "uv" (libuv), "poll", or NULL/"auto" = libev when its lws plugin
 * is installed, else poll. poll() walks every descriptor on each wake-up,
 * which costs real time with 10,000 idle residents. Returns 0 after a
 * graceful stop, or MG_E* with err set when start-up failed. */
int srv_run(const mg_config *cfg, const char *evlib, char *err);

/* ---- internal to adapters/ ------------------------------------------------ */

#define SRV_MAX_FRAME (16 * 1024)   /* one WebSocket message or one POST body */
#define SRV_MAX_HEADERS (8 * 1024)  /* request headers, all together: more is 431 */
#define SRV_HEADER_BUF (16 * 1024)  /* what lws parses per request (max_http_header_data);
                                     * beyond it lws drops the connection by itself */
#define SRV_MAX_SENDQ 256           /* queued frames before a reader is cut off */
#define SRV_MAX_INQ 16              /* messages waiting behind one in flight */
#define SRV_WS_PROTOCOL "madoguchi.v1"
/* Not in util/mg_err.h's table on purpose: mg_err_code maps any value
 * outside it to "internal", which is what a client sees for our failures. */
#define SRV_EINTERNAL (-1000)

/* One outgoing WebSocket frame or HTTP body, with LWS_PRE bytes of
 * headroom so lws_write can prepend its header in place. */
typedef struct srv_msg {
  struct srv_msg *next;
  size_t len;                 /* bytes of text, without the NUL */
  unsigned char data[];       /* LWS_PRE headroom, text, NUL */
} srv_msg;
#define SRV_MSG_TEXT(m) ((char *)(m)->data + LWS_PRE)

typedef struct srv_msgq {
  srv_msg *head, *tail;
  int n;
} srv_msgq;

/* New message holding a copy of text (NULL on OOM; free with free()). */
srv_msg *srv_msg_new(const char *text, size_t len);
/* Compact JSON of j (j is not consumed); NULL on OOM. */
srv_msg *srv_msg_json(const json_t *j);
/* A protocol `error` message for err (MG_E*), with reply_to when not NULL. */
srv_msg *srv_msg_error(int err, const char *reply_to);
void srv_msgq_push(srv_msgq *q, srv_msg *m);
srv_msg *srv_msgq_pop(srv_msgq *q);
void srv_msgq_move(srv_msgq *to, srv_msgq *from);   /* append all of from, empty it */
void srv_msgq_clear(srv_msgq *q);

typedef struct srv srv;
struct srv_job;

/* What a job is: each adapter defines the ops of its own jobs (ws_chat.c:
 * a chat message; http_api.c: ask, ticket, inquiry, healthz, readyz; …)
 * and server.c those of its timer (refresh, reload), so server.c runs a
 * job without knowing what it is. */
typedef struct srv_job_ops {
  const char *name;           /* for the logs */
  /* on a worker, inside bot_read_begin/end unless no_read (NULL = nothing) */
  void (*work)(srv *s, bot_worker *w, struct srv_job *j);
  /* on the service thread once the result is back (NULL = nothing); takes
   * what it needs out of j, srv_drain frees j afterwards */
  void (*complete)(srv *s, struct srv_job *j);
  /* frees j->data (NULL = the job has none) */
  void (*release)(void *data);
  int no_read;                /* run outside the read side (a reload swaps what readers use) */
} srv_job_ops;

/* A session to look at for staff replies (ws_chat.c's pending job). */
typedef struct srv_sess {
  uint64_t conn;
  dlg_conn dc;
} srv_sess;

/* A unit of work and, when done, its result. Created and submitted by the
 * service thread, owned by the queue until a worker takes it, handed back
 * through the completion queue and freed by the service thread. */
typedef struct srv_job {
  struct srv_job *next;
  const srv_job_ops *ops;     /* what the job is; set by whoever makes it */
  void *data;                 /* the adapter's own request and result (admin_job, pages_job),
                               * owned, freed by ops->release */
  uint64_t conn;              /* connection id (0 for the timer's jobs) */
  dlg_conn dc;                /* chat: the connection's dialogue state; the worker updates it */
  json_t *msg;                /* chat: the parsed client message; ask: the request;
                               * refresh result: session ids with staff replies (owned) */
  srv_sess *sess;             /* pending: sessions to look at (owned) */
  size_t n_sess;
  /* results, written by the worker */
  srv_msgq out;               /* chat/push: frames; ask/healthz: the body */
  int status;                 /* ask/healthz: HTTP status */
  int changed;                /* refresh: in: look even if unchanged; out: replies wait (ids in msg) */
  int db_moved;               /* refresh out: the database changed since the last look */
  uint8_t counted;            /* submitted through a queue: counted in srv.jobs_out until it is back */
  uint8_t holds_refresh;      /* the refresh timer waits for it (srv.refresh_busy) */
  uint64_t req;               /* request id for the logs (util/mg_log.h); 0 for the timer's jobs */
  int64_t t_arrive;           /* chat, ask, ticket: srv_now_us() when the message had arrived */
  int questions;              /* out: answer objects shown (srv_metrics_question); each is timed */
  struct bot_turn *turn;  /* chat: transcript lines the writer commits before the replies leave (owned) */
  struct srv_msg *held;       /* chat: in out, the reply waiting for that commit (its answer_id) */
  char reply_type[12];        /* chat: that reply's type and rule kind, counted once committed */
  char reply_kind[24];
} srv_job;

/* Free a job and everything it owns. */
void srv_job_free(srv_job *j);

/* Slot of the connection table: a connection id is (generation << 32) | index. */
struct srv_slot {
  struct lws *wsi;            /* NULL when free */
  uint32_t gen;               /* bumped on every reuse, so stale ids miss */
  uint8_t is_ws;              /* a chat connection (sessions, shutdown) */
};

/* Ticket lookups by secret (http_api.c): after SRV_LOOKUP_FREE failures an
 * address waits one minute per further failure (at most 15) before its
 * next lookup; its record is kept that long after the last failure. */
#define SRV_LOOKUP_FREE 5
#define SRV_LOOKUP_FORGET_US (15 * 60 * 1000000LL)

/* Per-address bookkeeping: open chat connections and the HTTP API's token
 * bucket. Lives on the service thread only. */
/* A token bucket: refilled at rate tokens a second up to cap, one token a
 * message or request (chat per connection, HTTP API per address). */
typedef struct srv_bucket {
  double tokens;
  int64_t t;                  /* srv_now_us() of the last refill */
} srv_bucket;
/* Take a token: 0, or -1 when none is left (rate <= 0: no limit). */
int srv_bucket_take(srv_bucket *b, double rate, double cap, int64_t now);

struct srv_ip {
  struct srv_ip *next;
  char ip[64];
  int ws_conns;
  int tcp_conns;              /* accepted TCP connections from this peer, chats included */
  int tcp_other;              /* of those, not chats: limited by max_conns_per_ip_http */
  srv_bucket bucket;          /* HTTP API requests (srv_ip_take) */
  /* console logins from this address (admin_http.c) */
  int login_busy;             /* one of its logins is with the hashing threads */
  int login_fails;            /* failures since its last success */
  int64_t login_last_fail;    /* srv_now_us() of the last failure */
  int64_t login_next;         /* no login of this address is hashed before this */
  /* ticket lookups from this address that named no ticket (http_api.c) */
  int lookup_fails;
  int64_t lookup_last;        /* srv_now_us() of the last one */
};

/* One accepted TCP connection, from accept to close (the wsi's opaque user
 * data). Until its first request's headers are complete it is on the
 * pending list, oldest first. */
struct srv_tcp {
  struct srv_tcp *prev, *next;  /* pending list */
  struct lws *wsi;
  struct srv_ip *peer;
  int64_t t_accept;
  uint8_t pending;            /* on the pending list */
  uint8_t is_chat;            /* upgraded to madoguchi.v1 */
};

/* Failed console logins per login name, whatever the address (admin_http.c).
 * Service thread only; forgotten AUTH_LOCK_SECONDS after the last failure. */
struct srv_acct {
  struct srv_acct *next;
  char login[64];
  int fails;
  int64_t last_fail;
  int64_t next_try;           /* no login of this name is hashed before this */
};
#define SRV_MAX_ACCTS 100000
#define SRV_IP_BUCKETS 4096

struct srv_worker;

/* A job queue and the threads that serve it. limit = jobs that may wait. */
typedef struct srv_queue {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  srv_job *head, *tail;
  unsigned len, limit;
  int quit;                   /* its threads exit when set */
  struct srv_worker *workers;
  int n_workers;
} srv_queue;

/* One endpoint or channel of the server: its lws protocol, its paths, its
 * threads and state, and what it does on the service thread's occasions.
 * server.c walks srv_adapters (adapters.c) and knows no adapter by name;
 * every hook may be NULL. */
typedef struct srv_adapter {
  const char *name;           /* for the logs */
  /* its lws protocol on the chat port (protocol NULL = none); protocols[]
   * is built in table order, so the first row's is protocol[0], which gets
   * every request no mount takes */
  const char *protocol;
  lws_callback_function *callback;
  size_t (*pss_size)(void);   /* per-connection data lws allocates */
  size_t rx_buffer_size;      /* 0 = lws's default */
  /* lws mounts sending paths to the protocol (chained in table order),
   * when mounts_on(cfg) (NULL = always) */
  const struct lws_http_mount *mounts;
  int (*mounts_on)(const mg_config *cfg);
  /* A webhook served by protocol[0] (http_api.c): route(s, path) says
   * whether the path is this adapter's; the POST body (at most max_body
   * bytes) and the header sig_header ("x-line-signature:") go to webhook,
   * which returns the HTTP status (200: taken). */
  int (*route)(srv *s, const char *path);
  const char *sig_header;
  size_t max_body;
  int (*webhook)(srv *s, const char *sig, const unsigned char *body, size_t len, uint64_t req);
  /* start: before the context and the workers (its state in *srv_state);
   * stop: after the workers are joined (its threads); free: after the
   * context is gone (its state). stop and free also follow a start that
   * failed, or none. */
  int (*start)(srv *s, char *err);
  void (*stop)(srv *s);
  void (*free)(srv *s);
  /* service thread */
  void (*tick)(srv *s);       /* the 500 ms timer */
  void (*db_moved)(srv *s);   /* the database changed (the refresh job saw it) */
  void (*stopping)(srv *s);   /* SIGTERM: no new work is taken from now on */
  int (*busy)(srv *s);        /* while stopping: 1 while its connections have work in flight or frames to write */
  void (*going_away)(srv *s); /* the stop's last phase: close its connections (1001) */
  /* Staff replies wait for the sessions ids (a JSON array of session ids):
   * replies_worker runs on the refresh job's worker (channels that push);
   * replies_job, on the service thread, returns a job to submit for the
   * sessions among ids connected to it (NULL = none), which the timer
   * waits for. */
  void (*replies_worker)(srv *s, bot_worker *w, const json_t *ids);
  struct srv_job *(*replies_job)(srv *s, const json_t *ids);
  /* lines of its own on GET /metrics (a worker, with its connection) */
  void (*metrics)(srv *s, sqlite3 *db, srv_metrics_buf *b);
} srv_adapter;

/* The table (adapters.c), NULL-terminated: a new channel is one file and
 * one row. */
extern const srv_adapter *const srv_adapters[];
#define SRV_MAX_ADAPTERS 16
#define SRV_MAX_MOUNTS 16

/* An adapter's own state: the slot it fills in start and empties in free
 * (NULL before start and when it keeps none). */
void **srv_state(srv *s, const srv_adapter *a);

struct srv {
  const mg_config *cfg;
  bot *bot;
  struct srv_writer *writer;  /* the transcript's group commit (writer.c), NULL = workers write */
  struct lws_context *ctx;
  struct lws_vhost *vhost;
  int port;                   /* the port actually bound */
  struct lws_vhost *metrics_vhost;  /* NULL when metrics_port is off */
  int metrics_port;           /* its port actually bound (0 = none) */
  srv_metrics *metrics;       /* counters; any thread (atomics) */
  char web_root[PATH_MAX];    /* realpath of cfg->web_dir ("" = none); realpath()
                                 may write PATH_MAX bytes, whatever the input */
  void *state[SRV_MAX_ADAPTERS];  /* each adapter's own, by its row in srv_adapters (srv_state) */
  struct lws_http_mount mounts[SRV_MAX_MOUNTS];  /* the adapters' mounts, chained (info.mounts) */

  /* service thread only */
  struct srv_slot *slots;
  uint32_t *free_slots;       /* stack of free indexes */
  uint32_t n_slots, n_free;
  struct srv_ip *ips[SRV_IP_BUCKETS];
  struct srv_acct *accts[SRV_IP_BUCKETS];
  unsigned n_accts;
  unsigned ws_open;           /* open chat connections (ws_chat.c counts; the stop waits for none) */
  unsigned jobs_out;          /* submitted, not yet completed */
  int refresh_busy;           /* refresh jobs and the jobs they made that are out */
  int reload_busy;            /* a reload job is out */
  time_t last_purge;          /* transcripts past retention_days last deleted (worker side) */
  int sweep_again;            /* some session was skipped: look again next tick */
  lws_sorted_usec_list_t sul_refresh, sul_stop;
  int stopping;               /* SIGTERM seen: finish, then close */
  int closing_all;            /* chat connections are being closed */
  int done;                   /* leave the service loop */
  uint64_t evlib_opt;         /* LWS_SERVER_OPTION_LIBEV/LIBUV, 0 = poll */
  const char *evlib_name;     /* "ev", "uv", "poll" */
  int64_t stop_deadline;

  /* job queues: service thread → chat workers (jq) and → hashing threads (hq) */
  srv_queue jq, hq;

  /* completion queue: workers → service thread */
  pthread_mutex_t cq_lock;
  srv_job *cq_head, *cq_tail;
  int no_wake;                /* the context is going away: workers stop waking it */

  sqlite3 *watch;             /* read-only connection: PRAGMA data_version */
  sqlite3 *ck_db;             /* the checkpointer's connection */
  pthread_t ck_thread;
  int ck_started, ck_quit;
  pthread_mutex_t ck_lock;
  pthread_cond_t ck_cond;
  int64_t data_version;

  /* TCP connections (service thread only) */
  struct srv_tcp *pend_head, *pend_tail;  /* still sending their first headers, oldest first */
  unsigned n_pending;
  unsigned long n_refused, n_evicted, n_expired;  /* since the last log line */
  int64_t t_tcp_log;
};

/* The srv of a wsi's context. */
srv *srv_of(struct lws *wsi);

/* Connection table (service thread only). add returns the new id, or 0
 * when the table is full. */
uint64_t srv_conn_add(srv *s, struct lws *wsi, int is_ws);
void srv_conn_del(srv *s, uint64_t id);
struct lws *srv_conn_get(srv *s, uint64_t id);

/* Hand a job to the workers (service thread). Returns 0, or MG_EBUSY when
 * stopping or the queue is full (the caller still owns the job then). */
int srv_submit(srv *s, srv_job *j);
/* Hand a job that hashes a password (admin_http.c: login, new password)
 * to the hashing threads instead: auth_hash_threads of them with their own
 * queue of at most auth_hash_queue jobs, so Argon2id never runs on a chat
 * worker. Returns 0, or MG_EBUSY when stopping or that queue is full. */
int srv_submit_hash(srv *s, srv_job *j);

/* Drain the completion queue (service thread, on EVENT_WAIT_CANCELLED). */
void srv_drain(srv *s);

/* The client's address: the peer, or the last X-Forwarded-For entry when
 * the peer is cfg->trusted_proxy. */
void srv_client_ip(srv *s, struct lws *wsi, char *out, size_t outlen);
/* Per-address records (created on demand; NULL on OOM). */
struct srv_ip *srv_ip_get(srv *s, const char *ip);
/* Take one token from ip's bucket (rate max_msgs_per_sec); 0 = allowed. */
int srv_ip_take(srv *s, struct srv_ip *r);
/* The record of a login name, created when new; NULL on OOM or when
 * SRV_MAX_ACCTS names are remembered already. */
struct srv_acct *srv_acct_get(srv *s, const char *login);

/* Origin check for /ws and CORS. Returns 1 when the request may proceed:
 * no Origin header (not a browser), an Origin in cfg->allowed_origins, or,
 * with an empty list, an Origin naming the Host the request was sent to.
 * origin (outlen bytes) receives the Origin value ("" when absent). */
int srv_origin_ok(srv *s, struct lws *wsi, char *origin, size_t outlen);
/* The same-origin rule alone: the Origin value's host[:port] is the Host
 * header the request was sent to (http or https). */
int srv_same_origin(struct lws *wsi, const char *origin);

/* Request headers no handler may take: 431 when all of them together exceed
 * SRV_MAX_HEADERS, 400 for a second Content-Length (two lengths are how a
 * request is smuggled past a proxy that reads the other one). 0 when fine.
 * Every HTTP entry (API, console, files, the /ws upgrade) asks first. */
int srv_header_problem(struct lws *wsi);

/* Accepted TCP connections, whatever they become (slowloris, F2).
 * tcp_open (LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED) returns -1 to
 * refuse a connection whose peer address already has max_conns_per_ip_http
 * connections that are not chats; at max_pending_conns the oldest
 * connection still sending its first headers is closed to make room.
 * headers_done takes a connection off the pending list, tcp_chat moves it
 * to the chat count (max_conns_per_ip limits those), tcp_close forgets it
 * (LWS_CALLBACK_WSI_DESTROY, which lws sends to protocols[0]). Connections
 * whose first headers are not complete max_header_wait_secs after accept
 * are closed by the refresh timer. */
int srv_tcp_open(srv *s, struct lws *wsi);
void srv_tcp_headers_done(srv *s, struct lws *wsi);
void srv_tcp_chat(srv *s, struct lws *wsi);
void srv_tcp_close(srv *s, struct lws *wsi);


/* Monotonic clock in microseconds. */
int64_t srv_now_us(void);

/* One response header (name with its colon, "content-type:") into the
 * header buffer *pp..end; non-zero when it does not fit. */
int srv_add_header(struct lws *wsi, const char *name, const char *value, unsigned char **pp, unsigned char *end);

/* The request's method into out ("GET", …, "OTHER" when lws knows none)
 * and, when path is not NULL, its URI into path: 0, 1 for "OTHER" (path
 * ""), -1 when the URI does not fit (path ""). */
int srv_method(struct lws *wsi, char *out, size_t len, char *path, size_t plen);

/* A request body chunk appended to *body (grown, kept NUL-terminated for
 * the parsers); -1 when out of memory. The caller caps the total first. */
int srv_body_append(unsigned char **body, size_t *len, const void *in, size_t n);

/* The next piece (at most SRV_CHUNK bytes) of a response body after its
 * headers: -1 on a write error, 0 when more is to come (another writeable
 * callback is asked for), 1 when the last piece went out. *sent advances. */
#define SRV_CHUNK 16384
int srv_write_body(struct lws *wsi, const unsigned char *body, size_t len, size_t *sent);

/* The rows of srv_adapters, each in its own file:
 *   http_api.c   protocol[0] "madoguchi-http": the resident API, the /ws
 *                upgrade checks, files under web_dir, the adapters' webhooks
 *   ws_chat.c    "madoguchi.v1": the chat, its keepalive and staff replies
 *   pages_http.c "madoguchi-pages": /faq, /sitemap.xml (cfg->pages)
 *   admin_http.c "madoguchi-admin": /admin, /api/v1/admin/ (the console)
 *   mail.c       the e-mail delivery thread (no protocol)
 *   line.c       the LINE webhook (route) and its delivery thread */
extern const srv_adapter http_api_adapter;
extern const srv_adapter ws_chat_adapter;
extern const srv_adapter pages_http_adapter;
extern const srv_adapter admin_http_adapter;
extern const srv_adapter mail_adapter;
extern const srv_adapter line_adapter;

/* Writer side: the job's turn is committed (or failed, turn->rc): its
 * replies become frames, then the job completes (ws_chat.c). */
void ws_chat_turn_done(srv *s, srv_job *j, const char *err);

/* The transcript writer (writer.c): one thread with its own connection
 * that commits the turns of every chat job handed to it since its last
 * commit in one transaction, then completes those jobs. server.c runs it
 * (worker_main hands it every job with a turn, whichever adapter made it). */
int srv_writer_start(srv *s, char *err);
void srv_writer_submit(srv *s, srv_job *j);   /* j->turn set; the writer completes j */
void srv_writer_stop(srv *s);                 /* after the workers: commits what is queued, then joins */
void srv_complete(srv *s, srv_job *j);        /* hand a finished job to the service thread */
/* Tell a thread that waits on cond under mu to leave (*quit = 1), then join it. */
void srv_thread_stop(pthread_mutex_t *mu, pthread_cond_t *cond, int *quit, pthread_t th);

/* Serve a file under the web root for GET/HEAD uri (static.c). Returns what
 * an lws HTTP callback should return; sets *status for the access log. */
int static_serve(srv *s, struct lws *wsi, const char *uri, int *status, size_t *bytes);

/* The CSP of everything residents read (static.c, pages_http.c): our own
 * scripts and styles (inline styles for a city's page), the chat socket on
 * this origin, forms only to us. No frame-ancestors: the widget's host page
 * may be framed by the city. */
#define SRV_RESIDENT_CSP \
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;" \
  " connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'"

/* A webhook's signature header value: room for this many bytes (more is
 * no signature). */
#define SRV_SIG_LEN 128

/* The metrics listener (metrics.c): a second vhost on cfg->metrics_listen
 * and cfg->metrics_port answering GET /metrics only; nothing when the port
 * is MG_METRICS_OFF. Sets s->metrics_port to the port bound. Returns 0, or
 * MG_E* with err set (the address cannot be bound, or it is the chat port's).
 * Part of the core, not a row: it listens on a vhost of its own, and every
 * adapter's counters go to it. */
int srv_metrics_start(srv *s, char *err);

#endif
