/*
 * server.h — `madoguchi serve`: one libwebsockets context, one service
 * thread, a pool of worker threads, password hashing threads of their own.
 *
 * The public contract is srv_run. Everything below "internal" is shared by
 * the files of adapters/ only:
 *
 *   server.c   context, vhost, connection table, job queues, worker pool,
 *              refresh timer, graceful stop
 *   metrics.c  GET /metrics on a vhost of its own (metrics_listen:metrics_port)
 *   http_api.c protocol[0]: routing, POST /api/v1/ask, GET /healthz, GET /readyz, CORS,
 *              the WebSocket upgrade checks (path, Origin, subprotocol,
 *              per-address cap), and draining completed jobs
 *   ws_chat.c  protocol "madoguchi.v1" at /ws (docs/protocol.md)
 *   writer.c   the transcript writer: group commit of the chat's lines
 *   static.c   files under cfg->web_dir
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

enum srv_job_kind {
  SRV_JOB_CHAT,     /* one client message → dialogue_handle */
  SRV_JOB_ASK,      /* POST /api/v1/ask → bot_answer */
  SRV_JOB_HEALTH,   /* GET /healthz → count of published entries */
  SRV_JOB_READY,    /* GET /readyz → a real write probe */
  SRV_JOB_TICKET,   /* POST /api/v1/ticket/{lookup,reply} → the resident's thread */
  SRV_JOB_INQUIRY,  /* POST /api/v1/inquiries → bot_inquiry_submit (the contact form) */
  SRV_JOB_REFRESH,  /* timer: bot_refresh, has the database changed? */
  SRV_JOB_PENDING,  /* staff replies for a snapshot of connected sessions */
  SRV_JOB_PUSH,     /* result only: staff replies for one connection */
  SRV_JOB_ADMIN,    /* /api/v1/admin/... → admin_handle (admin_http.c) */
  SRV_JOB_METRICS,  /* GET /metrics → the database's part of the page (metrics.c) */
  SRV_JOB_RELOAD,   /* SIGHUP → bot_reload (dict/, rules, calendar) */
  SRV_JOB_PAGE,     /* /faq/…, /sitemap.xml → pages_handle (pages_http.c) */
  SRV_JOB_LINE,     /* a LINE webhook's events → the dialogue, replies to the outbox (line.c) */
};

/* A session to look at for staff replies (SRV_JOB_PENDING). */
typedef struct srv_sess {
  uint64_t conn;
  dlg_conn dc;
} srv_sess;

/* A unit of work and, when done, its result. Created and submitted by the
 * service thread, owned by the queue until a worker takes it, handed back
 * through the completion queue and freed by the service thread. */
typedef struct srv_job {
  struct srv_job *next;
  enum srv_job_kind kind;
  uint64_t conn;              /* connection id (0 for the timer's jobs) */
  dlg_conn dc;                /* CHAT: the connection's dialogue state; the worker updates it */
  json_t *msg;                /* CHAT: the parsed client message; ASK: the request;
                               * REFRESH result: session ids with staff replies (owned) */
  srv_sess *sess;             /* PENDING: sessions to look at (owned) */
  size_t n_sess;
  /* results, written by the worker */
  srv_msgq out;               /* CHAT/PUSH: frames; ASK/HEALTH: the body */
  int status;                 /* ASK/HEALTH: HTTP status */
  int changed;                /* REFRESH: in: look even if unchanged; out: replies wait (ids in msg) */
  int db_moved;               /* REFRESH out: the database changed since the last look */
  struct admin_job *admin;    /* ADMIN: the request and, when done, the response (owned) */
  struct pages_job *page;     /* PAGE: the request and, when done, the page (owned) */
  uint64_t req;               /* request id for the logs (util/mg_log.h); 0 for the timer's jobs */
  int64_t t_arrive;           /* CHAT, ASK, TICKET: srv_now_us() when the message had arrived */
  int questions;              /* out: answer objects shown (srv_metrics_question); each is timed */
  struct bot_turn *turn;  /* CHAT: transcript lines the writer commits before the replies leave (owned) */
  struct srv_msg *held;       /* CHAT: in out, the reply waiting for that commit (its answer_id) */
  char reply_type[12];        /* CHAT: that reply's type and rule kind, counted once committed */
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

typedef struct srv {
  const mg_config *cfg;
  bot *bot;
  struct mail_sender *mail;   /* e-mail delivery thread, NULL without a relay */
  struct srv_writer *writer;  /* the transcript's group commit (writer.c), NULL = workers write */
  struct line_sender *line;   /* LINE delivery thread, NULL when the channel is off */
  struct lws_context *ctx;
  struct lws_vhost *vhost;
  int port;                   /* the port actually bound */
  struct lws_vhost *metrics_vhost;  /* NULL when metrics_port is off */
  int metrics_port;           /* its port actually bound (0 = none) */
  srv_metrics *metrics;       /* counters; any thread (atomics) */
  char web_root[PATH_MAX];    /* realpath of cfg->web_dir ("" = none); realpath()
                                 may write PATH_MAX bytes, whatever the input */

  /* service thread only */
  struct srv_slot *slots;
  uint32_t *free_slots;       /* stack of free indexes */
  uint32_t n_slots, n_free;
  struct srv_ip *ips[SRV_IP_BUCKETS];
  struct srv_acct *accts[SRV_IP_BUCKETS];
  unsigned n_accts;
  unsigned ws_open;           /* open chat connections */
  unsigned jobs_out;          /* submitted, not yet completed */
  int refresh_busy;           /* a REFRESH or PENDING job is out */
  int reload_busy;            /* a RELOAD job is out */
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
  uint32_t ka_cursor;         /* next slot ws_chat_keepalive looks at */

  struct admin_pss *inbox_wait;  /* held GET /inbox requests (admin_http.c), service thread only */
  struct pages_site *pages_site; /* the public pages' site (NULL when pages are off); immutable */
  struct pages_cache *pages_cache; /* rendered pages (pages_http.c); any thread, own lock */

  /* TCP connections (service thread only) */
  struct srv_tcp *pend_head, *pend_tail;  /* still sending their first headers, oldest first */
  unsigned n_pending;
  unsigned long n_refused, n_evicted, n_expired;  /* since the last log line */
  int64_t t_tcp_log;
} srv;

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
/* Hand a job that hashes a password (SRV_JOB_ADMIN: login, new password)
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

/* protocol[0]: HTTP, upgrade checks, completions (http_api.c). */
int http_api_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
size_t http_api_pss_size(void);
/* Worker side of ASK and HEALTH jobs (http_api.c). */
void http_api_work(srv *s, bot_worker *w, srv_job *j);
/* Service side: an ASK or HEALTH result arrived (http_api.c); as above. */
void http_api_complete(srv *s, srv_job *j);

/* The madoguchi.v1 protocol (ws_chat.c). */
int ws_chat_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
size_t ws_chat_pss_size(void);
/* Worker side of a CHAT job (ws_chat.c). */
void ws_chat_work(srv *s, bot_worker *w, srv_job *j);
/* Service side: a CHAT or PUSH result arrived (ws_chat.c). Takes what it
 * needs out of j; srv_drain frees j afterwards. */
void ws_chat_complete(srv *s, srv_job *j);
/* Writer side: the job's turn is committed (or failed, turn->rc): its
 * replies become frames, then the job completes. */
void ws_chat_turn_done(srv *s, srv_job *j, const char *err);

/* The transcript writer (writer.c): one thread with its own connection
 * that commits the turns of every chat job handed to it since its last
 * commit in one transaction, then completes those jobs. */
int srv_writer_start(srv *s, char *err);
void srv_writer_submit(srv *s, srv_job *j);   /* j->turn set; the writer completes j */
void srv_writer_stop(srv *s);                 /* after the workers: commits what is queued, then joins */
void srv_complete(srv *s, srv_job *j);        /* hand a finished job to the service thread */
/* Tell a thread that waits on cond under mu to leave (*quit = 1), then join it. */
void srv_thread_stop(pthread_mutex_t *mu, pthread_cond_t *cond, int *quit, pthread_t th);
/* Snapshot of the connected sessions among ids (a JSON array of session
 * id strings) with nothing in flight (service thread); returns the count,
 * *out malloc'd (NULL when none). Sets s->sweep_again when a busy session
 * was skipped. */
size_t ws_chat_sessions(srv *s, const json_t *ids, srv_sess **out);
/* True when no chat connection has frames waiting to be written. */
int ws_chat_idle(srv *s);
/* Start closing every chat connection with 1001 (going away). */
void ws_chat_close_all(srv *s);
/* Keepalive, from the 500 ms timer: visits a slice of the connection table
 * per call (all of it every ws_ping_secs), pings chats silent for
 * ws_ping_secs and drops those silent (no echoed PONG either) for
 * ws_hangup_secs. Spreading the visits keeps the pings to 10,000 idle
 * residents from arriving as one burst. */
void ws_chat_keepalive(srv *s);

/* Serve a file under the web root for GET/HEAD uri (static.c). Returns what
 * an lws HTTP callback should return; sets *status for the access log. */
int static_serve(srv *s, struct lws *wsi, const char *uri, int *status, size_t *bytes);

/* The staff console (admin_http.c): /admin and /api/v1/admin/ are mounted
 * on the protocol "madoguchi-admin", so protocol[0] never sees them. */
extern const struct lws_http_mount admin_http_mounts;
int admin_http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
size_t admin_http_pss_size(void);
void admin_http_work(srv *s, bot_worker *w, srv_job *j);
void admin_http_complete(srv *s, srv_job *j);
/* Held GET /inbox requests (admin_http.c): db_moved answers them all again
 * (a ticket may have changed); otherwise only those past their wait. */
void admin_http_wake(srv *s, int db_moved);
void admin_http_job_free(struct admin_job *a);

/* The public FAQ pages (pages_http.c): /faq and /sitemap.xml are mounted
 * on the protocol "madoguchi-pages" in front of the console's mounts (use
 * pages_http_mounts instead of admin_http_mounts when cfg->pages).
 * pages_http_start loads the site (template, statement) and makes the
 * cache; MG_ECONFIG when the template is wrong. */
extern const struct lws_http_mount pages_http_mounts;
int pages_http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
size_t pages_http_pss_size(void);
int pages_http_start(srv *s, char *err);
void pages_http_stop(srv *s);
void pages_http_work(srv *s, bot_worker *w, srv_job *j);
void pages_http_complete(srv *s, srv_job *j);
void pages_http_job_free(struct pages_job *pj);

/* The CSP of everything residents read (static.c, pages_http.c): our own
 * scripts and styles (inline styles for a city's page), the chat socket on
 * this origin, forms only to us. No frame-ancestors: the widget's host page
 * may be framed by the city. */
#define SRV_RESIDENT_CSP \
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;" \
  " connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'"

/* The LINE channel (line.c, line.h). line_enabled: the secret and the
 * token are configured. line_webhook (service thread): the HTTP status for
 * a webhook body with its X-Line-Signature value sig (NULL = none); 200
 * once its events are with a worker. line_work: a LINE job's events.
 * line_take_pending (the refresh job's worker): staff replies waiting for
 * sessions among ids that belong to LINE users, queued as pushes.
 * line_start/line_stop: the delivery thread (none when the channel is off).
 * line_metrics: the month's pushes, the quota and the held pushes. */
int line_enabled(const mg_config *cfg);
int line_webhook(srv *s, const char *sig, const unsigned char *body, size_t len, uint64_t req);
void line_work(srv *s, bot_worker *w, srv_job *j);
void line_take_pending(srv *s, bot_worker *w, const json_t *ids);
int line_start(srv *s, char *err);
void line_stop(srv *s);
void line_metrics(srv *s, sqlite3 *db, srv_metrics_buf *b);

/* The metrics listener (metrics.c): a second vhost on cfg->metrics_listen
 * and cfg->metrics_port answering GET /metrics only; nothing when the port
 * is MG_METRICS_OFF. Sets s->metrics_port to the port bound. Returns 0, or
 * MG_E* with err set (the address cannot be bound, or it is the chat port's). */
int srv_metrics_start(srv *s, char *err);
/* Worker side of a METRICS job: tickets and feedback, as text, into j->out. */
void srv_metrics_work(srv *s, bot_worker *w, srv_job *j);
/* Service side: the whole page, written to the scraper if still there. */
void srv_metrics_complete(srv *s, srv_job *j);

#endif
