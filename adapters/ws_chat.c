/*
 * ws_chat.c — the chat protocol `madoguchi.v1` at /ws (docs/protocol.md).
 *
 * The service thread only moves and checks bytes. A message is assembled
 * from its fragments until lws_is_final_fragment, then checked in the order
 * that keeps a misbehaving client cheapest: rate (token bucket of
 * max_msgs_per_sec per connection), binary frame, UTF-8, JSON, `type`. A
 * message that passes becomes a chat job for the dialogue (bot/dialogue.h)
 * on a worker; the upgrade checks (Origin, subprotocol, per-address cap) ran
 * before, in http_api.c.
 *
 * One job per connection is in flight at a time; later messages wait in the
 * connection's input queue. That keeps replies in order and gives the
 * dialogue a consistent dlg_conn (hello fills in the session that the next
 * ask needs). The dlg_conn travels with the job and comes back updated.
 *
 * A message over 16 KiB is answered with frame_too_large and the connection
 * closed with 1009 as soon as the limit is passed; the rest of it is never
 * buffered. A client that stops reading is cut off (1008) once
 * SRV_MAX_SENDQ frames wait for it.
 *
 * Keepalive is ours, not lws's validity timers (server.c says why): a chat
 * silent for ws_ping_secs gets a PING, one silent for ws_hangup_secs (PONGs
 * included) is dropped. The PING carries 8 bytes (the time it was sent) and
 * only a PONG echoing them counts: lws 4.1.6's ws role discards a PONG with
 * an empty payload before LWS_CALLBACK_RECEIVE_PONG, so the empty PINGs we
 * used to send got answers that never arrived and live idle residents were
 * dropped after 70–100 s.
 *
 * Staff replies: when the refresh job finds sessions with replies waiting,
 * server.c asks this adapter (replies_job) for a pending job over those
 * connected here; its worker makes a push job per connection that has
 * replies, which comes back like a chat result.
 */
#include "adapters/server.h"
#include "util/mg_err.h"
#include "util/mg_log.h"

#include <stdlib.h>
#include <string.h>

struct ws_pss {
  uint64_t id;                /* connection id (0 until established) */
  dlg_conn dc;                /* the dialogue's view of this connection */
  char ip[64];                /* client address, for the per-address cap and the access log */
  unsigned char *rx;          /* message being assembled */
  size_t rx_len;
  int in_msg;                 /* fragments of a message are arriving */
  int rx_binary;              /* ... and it is binary */
  int busy;                   /* a chat job is out */
  srv_job *inq_head, *inq_tail; /* parsed messages waiting for the one in flight */
  int inq_n;
  srv_msgq sendq;             /* frames waiting for SERVER_WRITEABLE */
  srv_bucket bucket;          /* max_msgs_per_sec */
  int close_code;             /* close with this once sendq is written (0 = stay open) */
  int64_t t_open;
  int64_t t_rx;               /* last frame (or PONG) from the client */
  int64_t t_ping;             /* last PING sent (0 = none); its payload */
  int ping_due;               /* send a PING at the next writeable callback */
  size_t bytes;               /* bytes received and sent, for the access log */
};

#define KA_PING_BYTES 8              /* PING payload: t_ping, big-endian */
#define KA_TICK_US (500 * 1000LL)     /* keepalive (the tick hook) runs this often (server.c) */

/* The adapter's own state (srv_state). */
struct ws_state {
  uint32_t ka_cursor;         /* next slot keepalive looks at */
};

static size_t chat_pss_size(void) { return sizeof(struct ws_pss); }

static struct ws_state *state_of(srv *s) { return *srv_state(s, &ws_chat_adapter); }

static const srv_job_ops chat_ops, pending_ops, push_ops;

static const char *const msg_types[] = { "hello", "ask", "choose", "feedback", "escalate", "ticket_reply" };

static void queue_frame(struct lws *wsi, struct ws_pss *p, srv_msg *m) {
  if (!m) return;
  if (p->sendq.n >= SRV_MAX_SENDQ) {
    free(m);
    if (!p->close_code) {
      mg_log_info("ws", "client does not read its replies; closing");
      p->close_code = LWS_CLOSE_STATUS_POLICY_VIOLATION;
    }
  } else {
    srv_msgq_push(&p->sendq, m);
  }
  lws_callback_on_writable(wsi);
}

static void send_error(struct lws *wsi, struct ws_pss *p, int err, const char *reply_to) {
  queue_frame(wsi, p, srv_msg_error(err, reply_to));
}

static int take_token(srv *s, struct ws_pss *p) {
  double rate = s->cfg->max_msgs_per_sec;
  return srv_bucket_take(&p->bucket, rate, rate, srv_now_us());
}

static void dispatch(srv *s, struct lws *wsi, struct ws_pss *p, srv_job *j) {
  const char *reply_to;
  j->dc = p->dc;
  if (srv_submit(s, j) == 0) {
    p->busy = 1;
    return;
  }
  reply_to = json_string_value(json_object_get(j->msg, "id"));
  send_error(wsi, p, MG_EBUSY, reply_to);
  srv_job_free(j);
}

/* Dispatch the next waiting message, if any and nothing is in flight. */
static void next_job(srv *s, struct lws *wsi, struct ws_pss *p) {
  srv_job *j;
  while (!p->busy && (j = p->inq_head)) {
    p->inq_head = j->next;
    if (!p->inq_head) p->inq_tail = NULL;
    p->inq_n--;
    dispatch(s, wsi, p, j);
  }
}

/* A whole message arrived in p->rx. */
static void on_message(srv *s, struct lws *wsi, struct ws_pss *p) {
  json_t *msg = NULL, *type;
  const char *reply_to;
  srv_job *j;
  size_t i;
  int known = 0;

  if (take_token(s, p) != 0) {
    /* Say which message was refused when its id can be read. */
    if (!p->rx_binary && mg_utf8_count(p->rx, p->rx_len) >= 0)
      msg = json_loadb((const char *)p->rx, p->rx_len, 0, NULL);
    send_error(wsi, p, MG_ERATE, json_string_value(json_object_get(msg, "id")));
    goto out;
  }
  if (p->rx_binary) {
    send_error(wsi, p, MG_EBINARY, NULL);
    goto out;
  }
  if (mg_utf8_count(p->rx, p->rx_len) < 0) {
    send_error(wsi, p, MG_EBADUTF8, NULL);
    goto out;
  }
  msg = json_loadb((const char *)p->rx, p->rx_len, JSON_REJECT_DUPLICATES, NULL);
  if (!json_is_object(msg)) {
    send_error(wsi, p, MG_EBADJSON, NULL);
    goto out;
  }
  reply_to = json_string_value(json_object_get(msg, "id"));
  type = json_object_get(msg, "type");
  if (!type) {
    send_error(wsi, p, MG_EMISSING, reply_to);
    goto out;
  }
  if (!json_is_string(type)) {
    send_error(wsi, p, MG_EUNKNOWNTYPE, reply_to);
    goto out;
  }
  for (i = 0; i < sizeof msg_types / sizeof msg_types[0]; i++)
    if (strcmp(json_string_value(type), msg_types[i]) == 0) known = 1;
  if (!known) {
    send_error(wsi, p, MG_EUNKNOWNTYPE, reply_to);
    goto out;
  }
  if (!(j = calloc(1, sizeof *j))) {
    send_error(wsi, p, MG_ENOMEM, reply_to);
    goto out;
  }
  j->ops = &chat_ops;
  j->conn = p->id;
  j->msg = msg;
  j->req = mg_log_new_request_id();
  j->t_arrive = srv_now_us();   /* a wait behind the message in flight is part of its answer time */
  msg = NULL;
  if (!p->busy) {
    dispatch(s, wsi, p, j);
  } else if (p->inq_n >= SRV_MAX_INQ) {
    send_error(wsi, p, MG_EBUSY, reply_to);
    srv_job_free(j);
  } else {
    if (p->inq_tail) p->inq_tail->next = j;
    else p->inq_head = j;
    p->inq_tail = j;
    p->inq_n++;
  }
out:
  json_decref(msg);
}

static void release(srv *s, struct ws_pss *p) {
  struct srv_ip *r;
  free(p->rx);
  p->rx = NULL;
  while (p->inq_head) {
    srv_job *j = p->inq_head;
    p->inq_head = j->next;
    srv_job_free(j);
  }
  p->inq_tail = NULL;
  srv_msgq_clear(&p->sendq);
  if (!p->id) return;
  srv_conn_del(s, p->id);
  p->id = 0;
  s->ws_open--;
  if ((r = srv_ip_get(s, p->ip)) && r->ws_conns > 0) r->ws_conns--;
  mg_log_access("ws_close", NULL, "/ws", 0, p->bytes, (double)(srv_now_us() - p->t_open) / 1000.0, p->ip, 0);
}

static int chat_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
  struct ws_pss *p = user;
  srv *s;
  struct srv_ip *r;

  switch (reason) {
  case LWS_CALLBACK_ESTABLISHED:
    s = srv_of(wsi);
    memset(p, 0, sizeof *p);
    if (!(p->id = srv_conn_add(s, wsi, 1))) {
      mg_log_error("ws", "connection table full");
      return -1;
    }
    s->ws_open++;
    srv_tcp_chat(s, wsi);
    srv_client_ip(s, wsi, p->ip, sizeof p->ip);
    if ((r = srv_ip_get(s, p->ip))) r->ws_conns++;
    mg_log_mask_ip(p->ip, p->dc.client_ip, sizeof p->dc.client_ip);
    p->t_open = p->t_rx = srv_now_us();
    p->bucket = (srv_bucket){ .tokens = s->cfg->max_msgs_per_sec, .t = p->t_open };
    mg_log_access("ws_open", "GET", "/ws", 101, 0, 0, p->ip, 0);
    return 0;

  case LWS_CALLBACK_RECEIVE_PONG: {
    unsigned char want[KA_PING_BYTES];
    for (int i = 0; i < KA_PING_BYTES; i++) want[i] = (unsigned char)((uint64_t)p->t_ping >> (8 * (7 - i)));
    /* Only the echo of our last PING proves the resident is there. */
    if (p->t_ping && len == KA_PING_BYTES && memcmp(in, want, KA_PING_BYTES) == 0) p->t_rx = srv_now_us();
    return 0;
  }

  case LWS_CALLBACK_RECEIVE:
    s = srv_of(wsi);
    p->t_rx = srv_now_us();
    if (!p->id || p->close_code) return 0;   /* closing: ignore the rest */
    if (!p->in_msg) {
      p->in_msg = 1;
      p->rx_binary = lws_frame_is_binary(wsi);
      p->rx_len = 0;
    }
    p->bytes += len;
    if (p->rx_len + len > SRV_MAX_FRAME) {
      free(p->rx);
      p->rx = NULL;
      p->rx_len = 0;
      p->in_msg = 0;
      send_error(wsi, p, MG_EFRAME, NULL);
      p->close_code = LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE;
      return 0;
    }
    if (!p->rx_binary) {
      unsigned char *b = realloc(p->rx, p->rx_len + len + 1);
      if (!b) return -1;
      p->rx = b;
      memcpy(b + p->rx_len, in, len);
    }
    p->rx_len += len;
    if (!lws_is_final_fragment(wsi)) return 0;
    p->in_msg = 0;
    on_message(s, wsi, p);
    free(p->rx);
    p->rx = NULL;
    p->rx_len = 0;
    return 0;

  case LWS_CALLBACK_SERVER_WRITEABLE: {
    srv_msg *m;
    if (p->ping_due) {
      unsigned char ping[LWS_PRE + KA_PING_BYTES];
      p->ping_due = 0;
      for (int i = 0; i < KA_PING_BYTES; i++) ping[LWS_PRE + i] = (unsigned char)((uint64_t)p->t_ping >> (8 * (7 - i)));
      if (lws_write(wsi, ping + LWS_PRE, KA_PING_BYTES, LWS_WRITE_PING) < 0) return -1;
      if (p->sendq.n || p->close_code) lws_callback_on_writable(wsi);
      return 0;
    }
    m = srv_msgq_pop(&p->sendq);
    if (m) {
      int n = lws_write(wsi, (unsigned char *)SRV_MSG_TEXT(m), m->len, LWS_WRITE_TEXT);
      size_t sent = m->len;
      free(m);
      if (n < (int)sent) return -1;
      p->bytes += sent;
      if (p->sendq.n || p->close_code) lws_callback_on_writable(wsi);
      return 0;
    }
    if (p->close_code) {
      lws_close_reason(wsi, (enum lws_close_status)p->close_code, NULL, 0);
      return -1;
    }
    return 0;
  }

  case LWS_CALLBACK_CLOSED:
    release(srv_of(wsi), p);
    return 0;

  default:
    break;
  }
  return 0;
}

/* ---- worker side ---------------------------------------------------------- */

/* The replies become frames (each answer shown is counted), and a failure
 * the resident's error. out is consumed. held, when not NULL, is a reply
 * waiting for the transcript writer: its frame is remembered in j->held and
 * it is counted only once its lines are committed (ws_chat_turn_done). */
static int count_question(srv *s, const json_t *m) {
  return srv_metrics_question(s->metrics, json_string_value(json_object_get(m, "type")),
                              json_string_value(json_object_get(json_object_get(m, "rule"), "kind")));
}

static void finish(srv *s, srv_job *j, json_t *out, const json_t *held, int rc, const char *err) {
  json_t *m;
  size_t i;
  json_array_foreach(out, i, m) {
    srv_msg *frame = srv_msg_json(m);
    /* An answer object shown to the resident: the reply's type is its
     * decision (answer, clarify, no_answer; dialogue.c reply_with), an
     * answer carries its rule. Every other reply is not counted. */
    if (m == held) j->held = frame;
    else j->questions += count_question(s, m);
    srv_msgq_push(&j->out, frame);
  }
  json_decref(out);
  if (rc != 0) {
    if (srv_metrics_db_failed(rc)) srv_metrics_db_error(s->metrics);
    mg_log_error("ws", "dialogue: %s", err);
    /* A full disk or a busy database is the resident's to know (try later); other failures stay "internal". */
    srv_msgq_push(&j->out, srv_msg_error(rc == MG_EFULL || rc == MG_EBUSY ? rc : SRV_EINTERNAL,
                                         json_string_value(json_object_get(j->msg, "id"))));
  }
}

static void chat_work(srv *s, bot_worker *w, srv_job *j) {
  char err[MG_ERRLEN] = "";
  json_t *out = NULL;
  /* with a writer, a question's lines are committed there (writer.c); without
   * one, or without the memory for a turn, the dialogue writes them itself */
  bot_turn *turn = s->writer ? calloc(1, sizeof *turn) : NULL;
  int rc = bot_dialogue_turn(w, &j->dc, j->msg, &out, turn, err);
  /* debug: what was done, never what was said (the type is one of msg_types) */
  if (mg_log_enabled(MG_LOG_DEBUG)) {
    json_t *first = json_array_get(out, 0);
    mg_log_debug("ws", "%s -> %s (%zu replies)", json_string_value(json_object_get(j->msg, "type")),
                 first ? json_string_value(json_object_get(first, "type")) : "-", json_array_size(out));
  }
  if (rc == 0 && turn && turn->n) {
    /* worker_main hands the job to the writer; the frames are made here, on
     * the worker, and the writer only adds the answer's id */
    const json_t *r = turn->reply;
    const char *kind = json_string_value(json_object_get(json_object_get(r, "rule"), "kind"));
    j->turn = turn;
    snprintf(j->reply_type, sizeof j->reply_type, "%s", r ? json_string_value(json_object_get(r, "type")) : "");
    snprintf(j->reply_kind, sizeof j->reply_kind, "%s", kind ? kind : "");
    finish(s, j, out, r, 0, err);
    turn->reply = NULL;   /* it was inside out, which is gone */
    return;
  }
  free(turn);   /* nothing was set, or bot_dialogue_turn cleared it */
  finish(s, j, out, NULL, rc, err);
}

/* The held frame {…} becomes {"answer_id":"ID",…}: member order means
 * nothing in JSON, so the worker's text is kept and nothing is parsed. */
static void add_answer_id(srv_job *j, sqlite3_int64 id) {
  char head[48];
  srv_msg *old = j->held, *m, **at;
  int n = snprintf(head, sizeof head, "{\"answer_id\":\"%lld\",", (long long)id);
  size_t len;
  if (!old || old->len < 2 || SRV_MSG_TEXT(old)[0] != '{') return;
  len = (size_t)n + old->len - 1;
  if (!(m = malloc(sizeof *m + LWS_PRE + len + 1))) return;
  m->len = len;
  memcpy(SRV_MSG_TEXT(m), head, (size_t)n);
  memcpy(SRV_MSG_TEXT(m) + n, SRV_MSG_TEXT(old) + 1, old->len - 1);
  SRV_MSG_TEXT(m)[len] = '\0';
  for (at = &j->out.head; *at && *at != old; at = &(*at)->next) {}
  if (!*at) { free(m); return; }
  m->next = old->next;
  *at = m;
  if (j->out.tail == old) j->out.tail = m;
  free(old);
  j->held = m;
}

void ws_chat_turn_done(srv *s, srv_job *j, const char *err) {
  bot_turn *t = j->turn;
  if (t->rc == 0) {
    if (strcmp(j->reply_type, "answer") == 0) add_answer_id(j, t->last_id);
    j->questions += srv_metrics_question(s->metrics, j->reply_type, j->reply_kind[0] ? j->reply_kind : NULL);
  } else {
    /* a failed write: the reply was never said (as when the worker wrote) */
    srv_msgq_clear(&j->out);
    j->held = NULL;
    if (srv_metrics_db_failed(t->rc)) srv_metrics_db_error(s->metrics);
    mg_log_error("ws", "dialogue: %s", err);
    srv_msgq_push(&j->out, srv_msg_error(t->rc == MG_EFULL || t->rc == MG_EBUSY ? t->rc : SRV_EINTERNAL,
                                         json_string_value(json_object_get(j->msg, "id"))));
  }
  srv_complete(s, j);
}

/* ---- service side --------------------------------------------------------- */

/* A chat result (is_chat: the connection's job in flight) or staff replies
 * pushed to it: the frames go out, the next waiting message goes in. */
static void deliver(srv *s, srv_job *j, int is_chat) {
  struct lws *wsi = srv_conn_get(s, j->conn);
  struct ws_pss *p;
  srv_msg *m;
  /* timed even when the resident left, so the histogram counts every question */
  for (int q = 0; q < j->questions; q++) srv_metrics_answer_time(s->metrics, srv_now_us() - j->t_arrive);
  if (!wsi || !(p = lws_wsi_user(wsi))) return;   /* the resident left */
  if (is_chat) {
    p->dc = j->dc;
    p->busy = 0;
  }
  while ((m = srv_msgq_pop(&j->out))) queue_frame(wsi, p, m);
  if (!p->close_code) next_job(s, wsi, p);
}

static void chat_complete(srv *s, srv_job *j) { deliver(s, j, 1); }
static void push_complete(srv *s, srv_job *j) { deliver(s, j, 0); }

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Snapshot of the connected sessions among ids (a JSON array of session
 * id strings) with nothing in flight; returns the count, *out malloc'd
 * (NULL when none). Sets s->sweep_again when a busy session was skipped. */
static size_t sessions(srv *s, const json_t *ids, srv_sess **out) {
  size_t n = 0, cap = 0, n_ids = json_array_size(ids), k;
  srv_sess *v = NULL;
  const char **want;
  json_t *id;
  *out = NULL;
  if (!n_ids || !(want = malloc(n_ids * sizeof *want))) return 0;
  json_array_foreach(ids, k, id) want[k] = json_is_string(id) ? json_string_value(id) : "";
  qsort(want, n_ids, sizeof *want, cmp_str);
  for (uint32_t i = 0; i < s->n_slots; i++) {
    struct ws_pss *p;
    const char *key;
    if (!s->slots[i].wsi || !s->slots[i].is_ws) continue;
    if (!(p = lws_wsi_user(s->slots[i].wsi)) || !p->dc.session[0]) continue;
    key = p->dc.session;
    if (!bsearch(&key, want, n_ids, sizeof *want, cmp_str)) continue;
    if (p->busy) {
      s->sweep_again = 1;
      continue;
    }
    if (n == cap) {
      srv_sess *nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof *v);
      if (!nv) break;
      v = nv;
    }
    v[n].conn = p->id;
    v[n].dc = p->dc;
    n++;
  }
  free(want);
  *out = v;
  return n;
}

/* The replies_job hook: a pending job over the sessions among ids
 * connected here (NULL when none is). */
static srv_job *replies_job(srv *s, const json_t *ids) {
  srv_job *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->ops = &pending_ops;
  if (!(p->n_sess = sessions(s, ids, &p->sess))) {
    srv_job_free(p);
    return NULL;
  }
  return p;
}

/* Worker side of the pending job: each session's staff replies go through
 * the dialogue; a push job per connection with replies brings the frames. */
static void pending_work(srv *s, bot_worker *w, srv_job *j) {
  char err[MG_ERRLEN];
  for (size_t i = 0; i < j->n_sess; i++) {
    json_t *out = NULL, *m;
    srv_job *push;
    size_t k;
    err[0] = '\0';
    int rc = bot_dialogue_pending(w, &j->sess[i].dc, &out, err);
    if (rc != 0) {
      if (srv_metrics_db_failed(rc)) srv_metrics_db_error(s->metrics);
      mg_log_error("server", "pending replies: %s", err);
      json_decref(out);
      continue;
    }
    if (!out || !json_array_size(out) || !(push = calloc(1, sizeof *push))) {
      json_decref(out);
      continue;
    }
    push->ops = &push_ops;
    push->conn = j->sess[i].conn;
    json_array_foreach(out, k, m) srv_msgq_push(&push->out, srv_msg_json(m));
    json_decref(out);
    srv_complete(s, push);
  }
}

/* The busy hook: 1 while a chat connection has a job out, messages
 * waiting or frames to write. */
static int busy(srv *s) {
  for (uint32_t i = 0; i < s->n_slots; i++) {
    struct ws_pss *p;
    if (!s->slots[i].wsi || !s->slots[i].is_ws) continue;
    if ((p = lws_wsi_user(s->slots[i].wsi)) && (p->sendq.n || p->busy || p->inq_n)) return 1;
  }
  return 0;
}

/* The going_away hook: start closing every chat connection with 1001. */
static void close_all(srv *s) {
  for (uint32_t i = 0; i < s->n_slots; i++) {
    struct ws_pss *p;
    if (!s->slots[i].wsi || !s->slots[i].is_ws) continue;
    if ((p = lws_wsi_user(s->slots[i].wsi)) && !p->close_code) {
      p->close_code = LWS_CLOSE_STATUS_GOINGAWAY;
      lws_callback_on_writable(s->slots[i].wsi);
    }
  }
}

/* Keepalive, the tick hook: visits a slice of the connection table per
 * call (all of it every ws_ping_secs), pings chats silent for ws_ping_secs
 * and drops those silent (no echoed PONG either) for ws_hangup_secs.
 * Spreading the visits keeps the pings to 10,000 idle residents from
 * arriving as one burst. */
static void keepalive(srv *s) {
  struct ws_state *st = state_of(s);
  int64_t now = srv_now_us();
  int64_t ping_us = (int64_t)(s->cfg->ws_ping_secs * 1e6), hangup_us = (int64_t)(s->cfg->ws_hangup_secs * 1e6);
  /* Visit the whole table once per ping interval, a slice per tick. */
  int64_t rounds = ping_us / KA_TICK_US;
  uint32_t n = s->n_slots / (uint32_t)(rounds > 1 ? rounds : 1) + 1;
  for (uint32_t k = 0; k < n && s->n_slots; k++) {
    uint32_t i = st->ka_cursor++ % s->n_slots;
    struct lws *wsi = s->slots[i].wsi;
    struct ws_pss *p;
    if (!wsi || !s->slots[i].is_ws || !(p = lws_wsi_user(wsi))) continue;
    if (now - p->t_rx > hangup_us) {
      /* Gone without a close (a phone that lost its network): free the
       * descriptor now; a close handshake would wait for nobody. */
      lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    } else if (now - p->t_rx > ping_us && now - p->t_ping > ping_us) {
      p->t_ping = now;
      p->ping_due = 1;
      lws_callback_on_writable(wsi);
    }
  }
  st->ka_cursor %= s->n_slots ? s->n_slots : 1;
}

static int start(srv *s, char *err) {
  void **slot = srv_state(s, &ws_chat_adapter);
  if (!(*slot = calloc(1, sizeof(struct ws_state)))) return mg_errf(err, MG_ENOMEM, "out of memory");
  return 0;
}

static void free_state(srv *s) {
  void **slot = srv_state(s, &ws_chat_adapter);
  free(*slot);
  *slot = NULL;
}

static const srv_job_ops chat_ops = { .name = "chat", .work = chat_work, .complete = chat_complete };
static const srv_job_ops pending_ops = { .name = "pending", .work = pending_work };
static const srv_job_ops push_ops = { .name = "push", .complete = push_complete };

const srv_adapter ws_chat_adapter = {
  .name = "ws",
  .protocol = SRV_WS_PROTOCOL,
  .callback = chat_callback,
  .pss_size = chat_pss_size,
  .rx_buffer_size = 4096,
  .start = start,
  .free = free_state,
  .tick = keepalive,
  .busy = busy,
  .going_away = close_all,
  .replies_job = replies_job,
};
