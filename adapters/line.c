/*
 * line.c — the LINE Messaging API channel (see line.h for the design).
 *
 * Three threads touch it, each with its own part:
 *
 *  - the service thread (line_webhook, this adapter's webhook, which
 *    http_api.c calls for line_webhook_path): checks the signature over
 *    the raw body, parses, answers 200 and submits one LINE job per webhook. An HMAC and a JSON parse of at most
 *    LINE_MAX_BODY are microseconds: no SQLite, no network here.
 *  - a worker (line_work; line_take_pending from the refresh job): the
 *    dialogue, the line_* tables, and the outbox rows to send.
 *  - the delivery thread (line_main): the outbox's due LINE rows, sent with
 *    libcurl to line_api_base (the platform, or the test suite's stand-in),
 *    results recorded with outbox_result — the same retries and backoff as
 *    the e-mail notices.
 *
 * A webhook event is answered once: its webhookEventId is stored before the
 * dialogue runs, so a redelivery (deliveryContext.isRedelivery) or a retry
 * after a slow 200 finds it and is dropped. The replies go out through the
 * reply API (free, but its token is short-lived); only staff replies, which
 * come later, use the push API and its monthly quota.
 */
#define _GNU_SOURCE /* asprintf */
#include "adapters/line.h"
#include "adapters/server.h"

#include "bot/line_store.h"
#include "bot/outbox.h"
#include "bot/session.h"
#include "bot/ticket.h"
#include "util/mg_err.h"
#include "util/mg_log.h"
#include "util/mg_time.h"
#include "util/mg_utf8.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LINE_BATCH 20
#define LINE_TIMEOUT_SECS 20L
#define LINE_MAX_MESSAGES 5     /* per reply or push */
#define LINE_MAX_QUICK 13       /* quick-reply buttons */
#define LINE_LABEL_MAX 20       /* code points of a button's label */
#define LINE_TEXT_MAX 5000      /* code points of a text message */
#define LINE_ALT_MAX 400        /* a template's altText */
#define LINE_BUTTONS_TEXT_MAX 160
#define LINE_MAX_TEL 4          /* actions of a buttons template */

#define LINE_RATE_SLOTS 4096   /* per-user token buckets, direct-mapped */

/* A LINE user's token bucket, found by a keyed SipHash of the user id (the
 * id itself is not kept). Two users in one slot share a fresh bucket:
 * collisions only make the limit gentler. */
struct line_rate {
  uint64_t user;
  srv_bucket b;
};

struct line_sender {
  srv *s;
  bot_worker *w;
  pthread_t th;
  pthread_mutex_t mu;
  pthread_cond_t cond;
  int quit, wake;
  /* service thread only */
  unsigned char rate_key[crypto_shorthash_KEYBYTES];
  struct line_rate rate[LINE_RATE_SLOTS];
  unsigned long n_limited;    /* events dropped since the last log line */
  int64_t t_limited_log;
};

static const srv_job_ops line_ops;

/* http_api.c reads the signature into SRV_SIG_LEN bytes */
_Static_assert(LINE_SIGLEN <= SRV_SIG_LEN, "X-Line-Signature fits the webhook's buffer");

/* The adapter's state (srv_state): the sender, NULL when the channel is off. */
static struct line_sender *sender_of(srv *s) { return *srv_state(s, &line_adapter); }

/* ---- signature --------------------------------------------------------------- */

int line_signature_ok(const char *secret, const void *body, size_t len, const char *sig) {
  crypto_auth_hmacsha256_state st;
  unsigned char mac[crypto_auth_hmacsha256_BYTES], got[crypto_auth_hmacsha256_BYTES + 4];
  size_t n = 0;
  int ok;
  if (!secret || !*secret || !sig) return 0;
  /* the whole header must be the base64 of exactly 32 bytes */
  if (sodium_base642bin(got, sizeof got, sig, strlen(sig), NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      n != sizeof mac)
    return 0;
  /* the secret is 32 hex characters, not a 32-byte key: the _init form
   * takes a key of any length, as HMAC does */
  crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
  crypto_auth_hmacsha256_update(&st, body, len);
  crypto_auth_hmacsha256_final(&st, mac);
  ok = sodium_memcmp(mac, got, sizeof mac) == 0;
  sodium_memzero(&st, sizeof st);
  return ok;
}

/* ---- webhook parsing ---------------------------------------------------------- */

static const char *str(const json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

/* One webhook event as this channel sees it, or NULL when it is not ours. */
static json_t *event_of(const json_t *e) {
  const char *type = str(e, "type"), *user, *id, *token;
  const json_t *src = json_object_get(e, "source"), *msg = json_object_get(e, "message");
  json_t *o;
  int redelivery;
  if (!json_is_object(e) || !type) return NULL;
  if (strcmp(type, "message") != 0 && strcmp(type, "postback") != 0 && strcmp(type, "follow") != 0 &&
      strcmp(type, "unfollow") != 0)
    return NULL;
  if (!json_is_object(src) || !str(src, "type") || strcmp(str(src, "type"), "user") != 0) return NULL;
  user = str(src, "userId");
  if (!user || !*user || strlen(user) >= BOT_LINE_IDLEN) return NULL;
  id = str(e, "webhookEventId");
  token = str(e, "replyToken");
  redelivery = json_is_true(json_object_get(json_object_get(e, "deliveryContext"), "isRedelivery"));
  if (!(o = json_pack("{s:s, s:s, s:b}", "type", type, "user", user, "redelivery", redelivery))) return NULL;
  if (id && strlen(id) < 64) json_object_set_new(o, "event_id", json_string(id));
  if (token && strlen(token) < 256) json_object_set_new(o, "reply_token", json_string(token));
  if (strcmp(type, "message") == 0) {
    /* stickers, images, locations: not a question this bot can read */
    if (!json_is_object(msg) || !str(msg, "type") || strcmp(str(msg, "type"), "text") != 0 || !str(msg, "text")) {
      json_decref(o);
      return NULL;
    }
    json_object_set(o, "text", json_object_get(msg, "text"));
  } else if (strcmp(type, "postback") == 0) {
    const char *data = str(json_object_get(e, "postback"), "data");
    if (!data) {
      json_decref(o);
      return NULL;
    }
    json_object_set_new(o, "data", json_string(data));
  }
  return o;
}

int line_parse(const void *body, size_t len, json_t **out, char *err) {
  json_t *root, *events, *e, *arr;
  size_t i;
  *out = NULL;
  if (mg_utf8_count(body, len) < 0) return mg_errf(err, MG_EBADJSON, "line: the body is not UTF-8");
  root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
  events = json_object_get(root, "events");
  if (!json_is_object(root) || !json_is_array(events)) {
    json_decref(root);
    return mg_errf(err, MG_EBADJSON, "line: not a webhook (an object with an events array)");
  }
  if (!(arr = json_array())) {
    json_decref(root);
    return mg_errf(err, MG_ENOMEM, "line: out of memory");
  }
  json_array_foreach(events, i, e) {
    json_t *o = event_of(e);
    if (o) json_array_append_new(arr, o);
  }
  json_decref(root);
  *out = arr;
  return 0;
}

/* ---- LINE message objects ------------------------------------------------------ */

/* s cut to at most max code points (new string). */
static char *cut(const char *s, int max) {
  size_t i = 0;
  int n = 0;
  while (s[i] && n < max) {
    i++;
    while ((s[i] & 0xC0) == 0x80) i++;
    n++;
  }
  return strndup(s, i);
}

static json_t *text_msg(const char *text) {
  char *t = cut(text, LINE_TEXT_MAX);
  json_t *m = t ? json_pack("{s:s, s:s}", "type", "text", "text", t) : NULL;
  free(t);
  return m;
}

/* A quick-reply button that posts data back and shows shown as the
 * resident's own line. */
static json_t *quick_postback(const char *shown, const char *data) {
  char *label = cut(shown, LINE_LABEL_MAX), *disp = cut(shown, 300);
  json_t *item = label && disp ? json_pack("{s:s, s:{s:s, s:s, s:s, s:s}}", "type", "action", "action", "type",
                                           "postback", "label", label, "data", data, "displayText", disp)
                               : NULL;
  free(label);
  free(disp);
  return item;
}

/* Append item to the quick reply of message m (made on first use). */
static void quick_add(json_t *m, json_t *item) {
  json_t *qr = json_object_get(m, "quickReply"), *items;
  if (!item) return;
  if (!qr) {
    json_object_set_new(m, "quickReply", json_pack("{s:[]}", "items"));
    qr = json_object_get(m, "quickReply");
  }
  items = json_object_get(qr, "items");
  if (items && json_array_size(items) < LINE_MAX_QUICK) json_array_append_new(items, item);
  else json_decref(item);
}

/* The buttons template with one tel: action per number of the safety
 * decision; NULL when there is no number. */
static json_t *tel_card(const json_t *safety, const char *text, const msg_set *msgs) {
  const json_t *numbers = json_object_get(safety, "numbers"), *n;
  json_t *actions = json_array(), *m = NULL;
  char *alt = cut(text, LINE_ALT_MAX), *body = cut(text, LINE_BUTTONS_TEXT_MAX);
  size_t i;
  json_array_foreach(numbers, i, n) {
    const char *num = json_string_value(n), *names[] = { "number" }, *values[1] = { num };
    char *label, *uri = NULL, *short_label;
    if (!num || json_array_size(actions) >= LINE_MAX_TEL || strspn(num, "0123456789-") != strlen(num)) continue;
    label = bot_msg_fill(bot_msg_get(msgs, MSG_LINE_CALL), 1, names, values);
    short_label = label ? cut(label, LINE_LABEL_MAX) : NULL;
    if (short_label && asprintf(&uri, "tel:%s", num) >= 0)
      json_array_append_new(actions, json_pack("{s:s, s:s, s:s}", "type", "uri", "label", short_label, "uri", uri));
    free(uri);
    free(label);
    free(short_label);
  }
  if (actions && json_array_size(actions) && alt && body)
    m = json_pack("{s:s, s:s, s:{s:s, s:s, s:O}}", "type", "template", "altText", alt, "template", "type", "buttons",
                  "text", body, "actions", actions);
  json_decref(actions);
  free(alt);
  free(body);
  return m;
}

/* An answer's text: the safety note first, the answer, its department. */
static char *answer_text(const json_t *a, const msg_set *msgs) {
  const json_t *d = json_object_get(a, "department"), *safety = json_object_get(a, "safety");
  const char *note = str(safety, "level") && strcmp(str(safety, "level"), "note") == 0 ? str(safety, "text") : NULL;
  const char *names[] = { "name", "phone", "hours" };
  const char *values[] = { str(d, "name") ? str(d, "name") : "", str(d, "phone") ? str(d, "phone") : "",
                           str(d, "hours") ? str(d, "hours") : "" };
  char *dept = json_is_object(d) && *values[0] ? bot_msg_fill(bot_msg_get(msgs, MSG_LINE_DEPARTMENT), 3, names, values) : NULL;
  char *t = NULL;
  const char *body = str(a, "answer") ? str(a, "answer") : str(a, "text");
  if (asprintf(&t, "%s%s%s%s%s%s%s", note ? note : "", note ? "\n\n" : "", body ? body : "", dept ? "\n\n" : "",
               dept ? dept : "", str(a, "english") ? "\n\n" : "", str(a, "english") ? str(a, "english") : "") < 0)
    t = NULL;
  free(dept);
  return t;
}

/* One dialogue reply as LINE messages appended to arr. */
static void add_reply(json_t *arr, const json_t *r, const msg_set *msgs) {
  const char *type = str(r, "type");
  const char *kind = str(json_object_get(r, "rule"), "kind");
  const json_t *safety = json_object_get(r, "safety");
  json_t *m = NULL, *card = NULL;
  char *t = NULL;
  if (!type || strcmp(type, "welcome") == 0 || strcmp(type, "ticket_reply_ok") == 0 || strcmp(type, "feedback_ok") == 0)
    return;
  if (strcmp(type, "answer") == 0 || strcmp(type, "clarify") == 0 || strcmp(type, "no_answer") == 0) {
    int emergency = kind && strcmp(kind, "emergency") == 0;
    t = answer_text(r, msgs);
    m = t ? text_msg(t) : NULL;
    /* the emergency card: the number to call, as a button */
    if (emergency || str(safety, "level")) card = tel_card(safety, str(r, "answer") ? str(r, "answer") : t, msgs);
    if (m && strcmp(type, "clarify") == 0) {
      const json_t *c;
      size_t i;
      json_array_foreach(json_object_get(r, "choices"), i, c) {
        char *data = NULL;
        if (!str(c, "faq_id") || !str(c, "question") || asprintf(&data, "choose=%s", str(c, "faq_id")) < 0) continue;
        quick_add(m, quick_postback(str(c, "question"), data));
        free(data);
      }
    }
    if (m && !emergency && (json_is_true(json_object_get(r, "offer_escalation")) || strcmp(type, "no_answer") == 0 ||
                            strcmp(type, "clarify") == 0))
      quick_add(m, quick_postback(bot_msg_get(msgs, MSG_LINE_ESCALATE), "escalate"));
  } else if (strcmp(type, "ticket") == 0) {
    const char *names[] = { "ticket_no", "next_read" };
    const char *values[] = { str(r, "ticket_no") ? str(r, "ticket_no") : "", str(r, "next_read") ? str(r, "next_read") : "" };
    t = bot_msg_fill(bot_msg_get(msgs, MSG_TICKET_RECEIVED), 2, names, values);
    m = t ? text_msg(t) : NULL;
  } else if (strcmp(type, "staff_reply") == 0) {
    const char *names[] = { "ticket_no", "text" };
    const char *values[] = { str(r, "ticket_no") ? str(r, "ticket_no") : "", str(r, "text") ? str(r, "text") : "" };
    t = bot_msg_fill(bot_msg_get(msgs, MSG_LINE_STAFF_REPLY), 2, names, values);
    m = t ? text_msg(t) : NULL;
  } else if (str(r, "message")) {   /* error: its Japanese message */
    m = text_msg(str(r, "message"));
  }
  free(t);
  if (m && json_array_size(arr) < LINE_MAX_MESSAGES) json_array_append_new(arr, m);
  else json_decref(m);
  if (card && json_array_size(arr) < LINE_MAX_MESSAGES) json_array_append_new(arr, card);
  else json_decref(card);
}

json_t *line_messages(const json_t *out, const msg_set *msgs) {
  json_t *arr = json_array();
  const json_t *r;
  size_t i;
  if (!arr) return NULL;
  json_array_foreach(out, i, r) add_reply(arr, r, msgs);
  return arr;
}

json_t *line_postback(const char *data, const char *id) {
  if (strcmp(data, "escalate") == 0) return json_pack("{s:s, s:s}", "type", "escalate", "id", id);
  if (strncmp(data, "choose=", 7) == 0 && data[7] && strlen(data) < 128)
    return json_pack("{s:s, s:s, s:s}", "type", "choose", "id", id, "faq_id", data + 7);
  return NULL;
}

/* ---- service thread ------------------------------------------------------------ */

static int line_enabled(const mg_config *cfg) {
  return cfg->line_channel_secret[0] && cfg->line_channel_access_token[0];
}

/* One more message or postback from user: 1 when within max_msgs_per_sec
 * (a burst of twice that), as for a chat connection. */
static int rate_ok(srv *s, const char *user) {
  struct line_sender *l = sender_of(s);
  double rate = s->cfg->max_msgs_per_sec > 0 ? s->cfg->max_msgs_per_sec : 5;
  int64_t now = srv_now_us();
  struct line_rate *r;
  uint64_t h;
  if (!l) return 1;
  crypto_shorthash((unsigned char *)&h, (const unsigned char *)user, strlen(user), l->rate_key);
  r = &l->rate[h % LINE_RATE_SLOTS];
  if (r->user != h || !r->b.t) {
    r->user = h;
    r->b = (srv_bucket){ .tokens = 2 * rate, .t = now };
  }
  return srv_bucket_take(&r->b, rate, 2 * rate, now) == 0;
}

/* Leave out the messages and postbacks of users over their rate; say how
 * many (at most every 10 s). */
static void rate_limit(srv *s, json_t *events) {
  struct line_sender *l = sender_of(s);
  for (size_t i = 0; i < json_array_size(events);) {
    const json_t *e = json_array_get(events, i);
    const char *type = str(e, "type");
    if ((strcmp(type, "message") == 0 || strcmp(type, "postback") == 0) && !rate_ok(s, str(e, "user"))) {
      json_array_remove(events, i);
      if (l) l->n_limited++;
    } else {
      i++;
    }
  }
  if (l && l->n_limited && srv_now_us() - l->t_limited_log >= 10 * 1000000LL) {
    mg_log_info("line", "%lu events dropped: their users wrote faster than max_msgs_per_sec", l->n_limited);
    l->n_limited = 0;
    l->t_limited_log = srv_now_us();
  }
}

static int line_webhook(srv *s, const char *sig, const unsigned char *body, size_t len, uint64_t req) {
  char err[MG_ERRLEN] = "";
  json_t *events = NULL;
  srv_job *j;
  if (!line_signature_ok(s->cfg->line_channel_secret, body, len, sig)) {
    mg_log_info("line", "webhook refused: %s X-Line-Signature", sig && *sig ? "wrong" : "no");
    return 401;
  }
  if (line_parse(body, len, &events, err) != 0) {
    mg_log_info("line", "webhook refused: %s", err);
    return 400;
  }
  rate_limit(s, events);
  /* the console's "Verify" button sends no events */
  if (!json_array_size(events)) {
    json_decref(events);
    return 200;
  }
  if (!(j = calloc(1, sizeof *j))) {
    json_decref(events);
    return 503;
  }
  j->ops = &line_ops;
  j->msg = events;
  j->req = req;
  j->t_arrive = srv_now_us();
  if (srv_submit(s, j) != 0) {
    srv_job_free(j);
    return 503;   /* LINE sends it again when redelivery is on */
  }
  return 200;
}

/* ---- worker ---------------------------------------------------------------------- */

static void wake(struct line_sender *l) {
  if (!l) return;
  pthread_mutex_lock(&l->mu);
  l->wake = 1;
  pthread_cond_signal(&l->cond);
  pthread_mutex_unlock(&l->mu);
}

/* Queue messages for the delivery thread: a reply (token) or a push
 * (ticket_no) to LINE user uid, in a transaction of its own. */
static int queue(sqlite3 *db, sqlite3_int64 uid, const char *token, const char *ticket_no, const json_t *msgs,
                 char *err) {
  char at[MG_TIMELEN], *payload;
  int rc;
  if (!json_array_size(msgs)) return 0;
  if (!(payload = json_dumps(msgs, JSON_COMPACT))) return mg_errf(err, MG_ENOMEM, "line: out of memory");
  mg_time_utc(time(NULL), at);
  if ((rc = bot_session_begin(db, err)) == 0) {
    rc = bot_outbox_line(db, ticket_no, uid, token ? "line_reply" : "line_push", token ? token : "", payload, at, err);
    if (rc) bot_session_rollback(db);
    else rc = bot_session_commit(db, err);
  }
  free(payload);
  return rc;
}

/* The first part of an event, in one transaction: seen before? which user,
 * which session? *uid = 0 when there is nothing more to do. */
static int event_begin(sqlite3 *db, const json_t *e, sqlite3_int64 *uid, char *session, char *hash, int *fresh,
                       char *err) {
  const char *type = str(e, "type"), *id = str(e, "event_id");
  int rc;
  *uid = 0;
  *fresh = 1;
  if ((rc = bot_session_begin(db, err))) return rc;
  if (id && (rc = bot_line_event(db, id, time(NULL), fresh, err))) goto out;
  if ((rc = bot_line_hash(db, str(e, "user"), hash, err))) goto out;
  if (!*fresh) goto out;
  if (strcmp(type, "unfollow") == 0) rc = bot_line_unfollow(db, hash, err);
  else rc = bot_line_user(db, str(e, "user"), hash, time(NULL), uid, session, SESSION_IDLEN, err);
out:
  if (rc) {
    bot_session_rollback(db);
    return rc;
  }
  return bot_session_commit(db, err);
}

/* The dialogue's replies to one message or postback of LINE user uid. */
static int converse(srv *s, bot_worker *w, const json_t *e, sqlite3_int64 uid, const char *hash, char *session,
                    json_t **out, char *err) {
  sqlite3 *db = bot_worker_db(w);
  dlg_conn dc;
  json_t *hello, *msg = NULL;
  const char *text = str(e, "text"), *data = str(e, "data");
  int rc;
  memset(&dc, 0, sizeof dc);
  snprintf(dc.session, sizeof dc.session, "%s", session);
  /* the per-address ticket limit counts per LINE user instead */
  snprintf(dc.client_ip, sizeof dc.client_ip, "line:%.16s", hash);
  hello = session[0] ? json_pack("{s:s, s:s}", "type", "hello", "session", session) : json_pack("{s:s}", "type", "hello");
  if (!hello) return mg_errf(err, MG_ENOMEM, "line: out of memory");
  rc = bot_dialogue_handle(w, &dc, hello, out, err);
  json_decref(hello);
  if (rc) return rc;
  if (strcmp(dc.session, session) != 0) {   /* new, or the last one expired */
    if ((rc = bot_session_begin(db, err))) return rc;
    if ((rc = bot_line_set_session(db, uid, dc.session, err))) {
      bot_session_rollback(db);
      return rc;
    }
    if ((rc = bot_session_commit(db, err))) return rc;
    snprintf(session, SESSION_IDLEN, "%s", dc.session);
  }
  if (data) msg = line_postback(data, "line");
  else if (text && strcmp(text, bot_msg_get(bot_messages(s->bot), MSG_LINE_ESCALATE)) == 0)
    msg = json_pack("{s:s, s:s}", "type", "escalate", "id", "line");
  else if (text)
    msg = json_pack("{s:s, s:s, s:s}", "type", "ask", "id", "line", "text", text);
  if (!msg) return 0;
  rc = bot_dialogue_handle(w, &dc, msg, out, err);
  json_decref(msg);
  return rc;
}

/* Count what was answered, as for the widget. */
static void count(srv *s, const json_t *out) {
  const json_t *r;
  size_t i;
  json_array_foreach(out, i, r) {
    const char *type = str(r, "type");
    if (type && (strcmp(type, "answer") == 0 || strcmp(type, "clarify") == 0 || strcmp(type, "no_answer") == 0))
      srv_metrics_question(s->metrics, type, str(json_object_get(r, "rule"), "kind"));
  }
}

static int one_event(srv *s, bot_worker *w, const json_t *e, char *err) {
  sqlite3 *db = bot_worker_db(w);
  char session[SESSION_IDLEN] = "", hash[BOT_LINE_HASHLEN] = "";
  const char *type = str(e, "type"), *token = str(e, "reply_token");
  sqlite3_int64 uid;
  json_t *out = NULL, *msgs = NULL;
  int fresh, rc;

  if ((rc = event_begin(db, e, &uid, session, hash, &fresh, err))) return rc;
  if (!fresh) {
    mg_log_info("line", "event of user %.12s already answered (%s)", hash,
                json_is_true(json_object_get(e, "redelivery")) ? "redelivery" : "sent again");
    return 0;
  }
  if (!uid) {
    mg_log_info("line", "user %.12s unfollowed", hash);
    return 0;
  }
  if (strcmp(type, "follow") == 0) {
    const msg_set *m = bot_messages(s->bot);
    char days[16], *privacy;
    const char *names[] = { "retention_days" }, *values[] = { days };
    snprintf(days, sizeof days, "%d", s->cfg->retention_days);
    privacy = bot_msg_fill(bot_msg_get(m, MSG_PRIVACY), 1, names, values);
    msgs = json_array();
    if (msgs) json_array_append_new(msgs, text_msg(bot_msg_get(m, MSG_GREETING)));
    if (msgs && privacy) json_array_append_new(msgs, text_msg(privacy));
    free(privacy);
    mg_log_info("line", "user %.12s followed", hash);
  } else {
    if ((rc = converse(s, w, e, uid, hash, session, &out, err))) goto out;
    count(s, out);
    msgs = line_messages(out, bot_messages(s->bot));
    mg_log_info("line", "%s of user %.12s answered with %zu messages", type, hash, json_array_size(msgs));
  }
  if (!msgs) {
    rc = mg_errf(err, MG_ENOMEM, "line: out of memory");
    goto out;
  }
  if (token) rc = queue(db, uid, token, NULL, msgs, err);
out:
  json_decref(out);
  json_decref(msgs);
  return rc;
}

static void line_work(srv *s, bot_worker *w, srv_job *j) {
  const json_t *e;
  size_t i;
  json_array_foreach(j->msg, i, e) {
    char err[MG_ERRLEN] = "";
    int rc = one_event(s, w, e, err);
    if (rc) {
      if (srv_metrics_db_failed(rc)) srv_metrics_db_error(s->metrics);
      mg_log_error("line", "event: %s", err);
    }
  }
  wake(sender_of(s));
}

/* The replies_worker hook: staff replies waiting for sessions among ids
 * that belong to LINE users, queued as pushes (they are never connected). */
static void line_take_pending(srv *s, bot_worker *w, const json_t *ids) {
  sqlite3 *db = bot_worker_db(w);
  const json_t *id;
  size_t i;
  if (!sender_of(s)) return;
  json_array_foreach(ids, i, id) {
    char err[MG_ERRLEN] = "";
    sqlite3_int64 uid = 0;
    json_t *replies = NULL, *r;
    size_t k;
    int rc;
    if ((rc = bot_line_of_session(db, json_string_value(id), &uid, err)) != 0 || !uid) goto next;
    /* marked delivered here: the push is queued just below */
    if ((rc = bot_ticket_take_pending(db, json_string_value(id), &replies, err)) != 0) goto next;
    json_array_foreach(replies, k, r) {
      json_t *one = json_pack("[{s:s, s:O, s:O}]", "type", "staff_reply", "ticket_no", json_object_get(r, "ticket_no"),
                              "text", json_object_get(r, "text"));
      json_t *msgs = one ? line_messages(one, bot_messages(s->bot)) : NULL;
      if (!msgs) rc = mg_errf(err, MG_ENOMEM, "line: out of memory");
      else rc = queue(db, uid, NULL, str(r, "ticket_no"), msgs, err);
      json_decref(one);
      json_decref(msgs);
      if (rc) break;
    }
  next:
    if (rc) {
      if (srv_metrics_db_failed(rc)) srv_metrics_db_error(s->metrics);
      mg_log_error("line", "staff replies: %s", err);
    }
    json_decref(replies);
  }
  wake(sender_of(s));
}

/* ---- delivery thread --------------------------------------------------------------- */

static size_t sink(char *p, size_t size, size_t n, void *arg) {
  (void)p;
  (void)arg;
  return size * n;
}

/* POST body to line_api_base + path with the channel's token (and a
 * retry key, when not NULL, so a push retried after a lost answer is not
 * shown twice); 0 on a 2xx, else -1 with why (curl's words or the status;
 * never the token) and *status the HTTP status (0 when none came). */
static int post(const mg_config *cfg, const char *path, const char *body, const char *retry_key, long *status_out,
                char *why, size_t whylen) {
  char errbuf[CURL_ERROR_SIZE] = "", *url = NULL, *auth = NULL, key[80];
  struct curl_slist *h = NULL;
  CURL *c = curl_easy_init();
  long status = 0;
  CURLcode rc = CURLE_OUT_OF_MEMORY;
  size_t n = strlen(cfg->line_api_base);

  /* asprintf leaves its pointer undefined on failure: NULL it */
  if (c && asprintf(&url, "%.*s%s", (int)(n && cfg->line_api_base[n - 1] == '/' ? n - 1 : n), cfg->line_api_base,
                    path) < 0)
    url = NULL;
  if (url && asprintf(&auth, "Authorization: Bearer %s", cfg->line_channel_access_token) < 0) auth = NULL;
  if (!c || !url || !auth) {
    snprintf(why, whylen, "out of memory");
    goto out;
  }
  h = curl_slist_append(h, "Content-Type: application/json");
  h = curl_slist_append(h, auth);
  if (retry_key) {
    snprintf(key, sizeof key, "X-Line-Retry-Key: %s", retry_key);
    h = curl_slist_append(h, key);
  }
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, LINE_TIMEOUT_SECS);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  if (cfg->outbound_proxy[0]) curl_easy_setopt(c, CURLOPT_PROXY, cfg->outbound_proxy);
  rc = curl_easy_perform(c);
  if (rc != CURLE_OK) snprintf(why, whylen, "%s%s%s", curl_easy_strerror(rc), errbuf[0] ? ": " : "", errbuf);
  else if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status < 200 || status > 299)
    snprintf(why, whylen, "the LINE API answered HTTP %ld", status);
out:
  if (auth) sodium_memzero(auth, strlen(auth));
  free(auth);
  free(url);
  curl_slist_free_all(h);
  if (c) curl_easy_cleanup(c);
  *status_out = status;
  return rc == CURLE_OK && status >= 200 && status <= 299 ? 0 : -1;
}

/* A write of its own under the process's write lock (session.h). */
static int write1(sqlite3 *db, int (*fn)(sqlite3 *, sqlite3_int64, const char *, char *), sqlite3_int64 id,
                  const char *text, char *err) {
  int rc = bot_session_begin(db, err);
  if (rc) return rc;
  if ((rc = fn(db, id, text, err))) {
    bot_session_rollback(db);
    return rc;
  }
  return bot_session_commit(db, err);
}

static int release(sqlite3 *db, sqlite3_int64 id, const char *text, char *err) {
  (void)id;
  (void)text;
  return bot_outbox_release(db, "line", err);
}

static int counted(sqlite3 *db, sqlite3_int64 id, const char *text, char *err) {
  (void)id;
  (void)text;
  return bot_line_push_counted(db, time(NULL), err);
}

/* The push's retry key: a UUID (version 4 layout) made from the row's id
 * with the database's hashing key, the same on every attempt of that row. */
static int retry_key(sqlite3 *db, json_int_t id, char *out, char *err) {
  char idtext[32], h[BOT_LINE_HASHLEN];
  int rc;
  snprintf(idtext, sizeof idtext, "outbox:%lld", (long long)id);
  if ((rc = bot_line_hash(db, idtext, h, err))) return rc;
  h[12] = '4';
  h[16] = "89ab"[h[16] % 4];
  snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
  return 0;
}

/* Send one due row; 1 = sent, 0 = failed (why set; *permanent when LINE
 * refused it so that no retry can help), -1 = held (quota). */
static int send_row(struct line_sender *l, const json_t *n, long long *pushes, int *permanent, char *why,
                    size_t whylen) {
  const mg_config *cfg = l->s->cfg;
  sqlite3 *db = bot_worker_db(l->w);
  const char *kind = str(n, "kind"), *payload = str(n, "payload");
  char err[MG_ERRLEN] = "", raw[BOT_LINE_IDLEN], *body = NULL, key[40] = "";
  int followed = 0, ok;
  long status = 0;
  json_t *msgs = payload ? json_loads(payload, 0, NULL) : NULL, *req;

  if (!msgs) {
    snprintf(why, whylen, "no messages to send");
    return 0;
  }
  if (strcmp(kind, "line_reply") == 0) {
    req = json_pack("{s:s, s:o}", "replyToken", str(n, "recipient"), "messages", msgs);
  } else {
    if (cfg->line_push_quota > 0 && *pushes >= cfg->line_push_quota) {
      char held[200];
      snprintf(held, sizeof held, "push quota of %d this month reached: held until next month or a higher line_push_quota",
               cfg->line_push_quota);
      json_decref(msgs);
      if (write1(db, bot_outbox_hold, json_integer_value(json_object_get(n, "id")), held, err) != 0)
        mg_log_error("line", "%s", err);
      return -1;
    }
    if (bot_line_raw(db, json_integer_value(json_object_get(n, "line_user")), raw, &followed, err) != 0 || !followed) {
      /* blocked or erased: no retry will reach them */
      snprintf(why, whylen, "%s", followed ? err : "the user blocked the account (unfollow)");
      *permanent = 1;
      json_decref(msgs);
      return 0;
    }
    req = json_pack("{s:s, s:o}", "to", raw, "messages", msgs);
    sodium_memzero(raw, sizeof raw);
    if (retry_key(db, json_integer_value(json_object_get(n, "id")), key, err) != 0) mg_log_error("line", "%s", err);
  }
  body = req ? json_dumps(req, JSON_COMPACT) : NULL;
  json_decref(req);
  if (!body) {
    snprintf(why, whylen, "out of memory");
    return 0;
  }
  ok = post(cfg, strcmp(kind, "line_reply") == 0 ? "/v2/bot/message/reply" : "/v2/bot/message/push", body,
            key[0] ? key : NULL, &status, why, whylen) == 0;
  /* 4xx but 429: an expired reply token, a blocked user, a message LINE
   * will never take; 409 on a push: that retry key was accepted already */
  if (!ok && status == 409 && key[0]) ok = 1;
  *permanent = !ok && status >= 400 && status < 500 && status != 429;
  sodium_memzero(body, strlen(body));
  free(body);
  if (ok && strcmp(kind, "line_push") == 0) {
    (*pushes)++;
    if (write1(db, counted, 0, NULL, err) != 0) mg_log_error("line", "%s", err);
  }
  return ok;
}

static void deliver_due(struct line_sender *l) {
  char err[MG_ERRLEN] = "", why[CURL_ERROR_SIZE + 64];
  sqlite3 *db = bot_worker_db(l->w);
  const mg_config *cfg = l->s->cfg;
  json_t *due = NULL, *n;
  long long pushes = 0, held = 0;
  size_t i;

  if (bot_line_pushes(db, time(NULL), &pushes, err) != 0 || bot_outbox_held(db, "line", &held, err) != 0) {
    mg_log_error("line", "%s", err);
    return;
  }
  /* a new month, or a higher quota: what was held goes out */
  if (held && (cfg->line_push_quota == 0 || pushes < cfg->line_push_quota) && write1(db, release, 0, NULL, err) != 0)
    mg_log_error("line", "%s", err);
  if (bot_outbox_due(db, "line", time(NULL), LINE_BATCH, &due, err) != 0) {
    mg_log_error("line", "%s", err);
    return;
  }
  json_array_foreach(due, i, n) {
    json_int_t id = json_integer_value(json_object_get(n, "id"));
    int sent, permanent = 0;
    why[0] = '\0';
    sent = send_row(l, n, &pushes, &permanent, why, sizeof why);
    if (sent < 0) {
      mg_log_info("line", "%s %lld held: the month's push quota (%d) is spent", str(n, "kind"), (long long)id,
                  cfg->line_push_quota);
      continue;
    }
    if (sent) mg_log_info("line", "%s %lld sent", str(n, "kind"), (long long)id);
    else mg_log_error("line", "%s %lld: %s", str(n, "kind"), (long long)id, why);
    if ((permanent ? bot_outbox_give_up(db, id, why, time(NULL), err)
                   : bot_outbox_result(db, id, sent, why, time(NULL), err)) != 0)
      mg_log_error("line", "%s", err);
  }
  json_decref(due);
}

static void *line_main(void *arg) {
  struct line_sender *l = arg;
  pthread_mutex_lock(&l->mu);
  while (!l->quit) {
    struct timespec until;
    l->wake = 0;
    pthread_mutex_unlock(&l->mu);
    deliver_due(l);
    pthread_mutex_lock(&l->mu);
    /* a worker that queued a reply wakes us; retries come due by the clock */
    if (l->quit || l->wake) continue;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 1;
    pthread_cond_timedwait(&l->cond, &l->mu, &until);
  }
  pthread_mutex_unlock(&l->mu);
  bot_worker_thread_done();
  return NULL;
}

static int line_start(srv *s, char *err) {
  struct line_sender *l;
  int rc;
  if (!line_enabled(s->cfg)) return 0;
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return mg_errf(err, MG_EIO, "line: libcurl did not start");
  if (!(l = calloc(1, sizeof *l))) return mg_errf(err, MG_ENOMEM, "line: out of memory");
  l->s = s;
  crypto_shorthash_keygen(l->rate_key);
  pthread_mutex_init(&l->mu, NULL);
  pthread_cond_init(&l->cond, NULL);
  if ((rc = bot_worker_new(&l->w, s->bot, err)) != 0) {
    free(l);
    return rc;
  }
  if ((rc = pthread_create(&l->th, NULL, line_main, l)) != 0) {
    bot_worker_free(l->w);
    free(l);
    return mg_errf(err, MG_EIO, "line: cannot start the delivery thread: %s", strerror(rc));
  }
  /* not the secret, not the token */
  mg_log_info("line", "LINE channel on: webhook at %s, push quota %d a month", s->cfg->line_webhook_path,
              s->cfg->line_push_quota);
  *srv_state(s, &line_adapter) = l;
  return 0;
}

/* After the workers, which wake the sender: joins it and frees it. */
static void line_stop(srv *s) {
  struct line_sender *l = sender_of(s);
  if (!l) return;
  srv_thread_stop(&l->mu, &l->cond, &l->quit, l->th);
  bot_worker_free(l->w);
  pthread_cond_destroy(&l->cond);
  pthread_mutex_destroy(&l->mu);
  free(l);
  *srv_state(s, &line_adapter) = NULL;
  curl_global_cleanup();
}

/* The metrics hook: the month's pushes, the quota and the held pushes. */
static void line_metrics(srv *s, sqlite3 *db, srv_metrics_buf *b) {
  char err[MG_ERRLEN] = "";
  long long pushes = 0, held = 0;
  if (!sender_of(s)) return;
  if (bot_line_pushes(db, time(NULL), &pushes, err) != 0 || bot_outbox_held(db, "line", &held, err) != 0) {
    mg_log_error("metrics", "LINE counts left out of the scrape: %s", err);
    return;
  }
  srv_metrics_head(b, "madoguchi_line_pushes_month", "gauge", "LINE push messages sent this month (Asia/Tokyo)");
  srv_metrics_printf(b, "madoguchi_line_pushes_month %lld\n", pushes);
  srv_metrics_head(b, "madoguchi_line_push_quota", "gauge", "LINE pushes allowed a month (line_push_quota, 0 = no limit)");
  srv_metrics_printf(b, "madoguchi_line_push_quota %d\n", s->cfg->line_push_quota);
  srv_metrics_head(b, "madoguchi_line_pushes_held", "gauge", "LINE pushes held because the month's quota is spent");
  srv_metrics_printf(b, "madoguchi_line_pushes_held %lld\n", held);
}

/* The webhook's path, when the channel is on. */
static int line_route(srv *s, const char *path) {
  return line_enabled(s->cfg) && strcmp(path, s->cfg->line_webhook_path) == 0;
}

static const srv_job_ops line_ops = { .name = "line", .work = line_work };

const srv_adapter line_adapter = {
  .name = "line",
  .route = line_route,
  .sig_header = "x-line-signature:",
  .max_body = LINE_MAX_BODY,
  .webhook = line_webhook,
  .start = line_start,
  .stop = line_stop,
  .replies_worker = line_take_pending,
  .metrics = line_metrics,
};
