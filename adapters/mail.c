/*
 * mail.c — the e-mail delivery thread (see mail.h).
 *
 * The thread wakes every mail_poll_secs (or when told to stop), takes up to
 * MAIL_BATCH due notices, writes each as a MIME message (UTF-8, base64
 * subject and body, so no header or line of the city's text can inject
 * anything) and hands it to the relay with libcurl's SMTP, then records the
 * result in the outbox. The resident's address reaches only the envelope
 * and the To: header; the relay password reaches only libcurl; neither is
 * logged.
 */
#define _GNU_SOURCE /* asprintf */
#include "adapters/mail.h"
#include "adapters/server.h"

#include "bot/inquiry.h"
#include "bot/messages.h"
#include "util/mg_err.h"
#include "util/mg_log.h"
#include "bot/outbox.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAIL_BATCH 20
#define MAIL_TIMEOUT_SECS 30L

struct mail_sender {
  const mg_config *cfg;
  bot *bot;
  bot_worker *w;
  pthread_t th;
  pthread_mutex_t mu;
  pthread_cond_t cond;
  int quit;
};

/* ---- the message ------------------------------------------------------------ */

/* base64 of s into a new string, wrapped every 76 characters with CRLF when wrap. */
static char *b64(const char *s, int wrap) {
  size_t n = strlen(s), len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
  char *flat = malloc(len), *out, *o;
  if (!flat) return NULL;
  sodium_bin2base64(flat, len, (const unsigned char *)s, n, sodium_base64_VARIANT_ORIGINAL);
  if (!wrap) return flat;
  n = strlen(flat);
  if (!(out = malloc(n + n / 76 * 2 + 3))) {
    free(flat);
    return NULL;
  }
  o = out;
  for (size_t i = 0; i < n; i += 76) {
    size_t k = n - i < 76 ? n - i : 76;
    memcpy(o, flat + i, k);
    o += k;
    *o++ = '\r';
    *o++ = '\n';
  }
  *o = '\0';
  free(flat);
  return out;
}

char *mail_compose(const char *from, const char *to, const char *subject, const char *body, const char *message_id,
                   time_t now) {
  char date[64], id[33], *subj = b64(subject, 0), *text = b64(body, 1), *msg = NULL;
  unsigned char rnd[16];
  struct tm tm;
  static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  const char *domain = strchr(from, '@');

  if (!subj || !text) goto out;
  gmtime_r(&now, &tm);
  /* RFC 5322 date, not strftime: the locale must not translate it */
  snprintf(date, sizeof date, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
           months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  randombytes_buf(rnd, sizeof rnd);
  sodium_bin2hex(id, sizeof id, rnd, sizeof rnd);
  /* a stored id (an inquiry's acknowledgement) only when it is header-safe */
  if (message_id && (strpbrk(message_id, "<>\r\n \t") || !strchr(message_id, '@') || strlen(message_id) > 190))
    message_id = NULL;
  if (asprintf(&msg,
               "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\nMessage-ID: <%s%s>\r\nSubject: =?UTF-8?B?%s?=\r\n"
               "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
               "Content-Transfer-Encoding: base64\r\nAuto-Submitted: auto-generated\r\n\r\n%s",
               date, from, to, message_id ? message_id : id, message_id ? "" : domain ? domain : "@madoguchi.invalid",
               subj, text) < 0)
    msg = NULL;
out:
  free(subj);
  free(text);
  return msg;
}

/* ---- sending ------------------------------------------------------------------ */

struct upload {
  const char *data;
  size_t left;
};

static size_t read_cb(char *buf, size_t size, size_t n, void *arg) {
  struct upload *u = arg;
  size_t k = size * n < u->left ? size * n : u->left;
  memcpy(buf, u->data, k);
  u->data += k;
  u->left -= k;
  return k;
}

/* Hand one message to the relay; 0, or -1 with why (curl's words, no secrets). */
static int send_one(const mg_config *cfg, const char *to, const char *msg, char *why, size_t whylen) {
  char errbuf[CURL_ERROR_SIZE] = "", from[300], rcpt[300];
  struct upload u = { msg, strlen(msg) };
  struct curl_slist *rcpts = NULL;
  CURL *c = curl_easy_init();
  CURLcode rc;

  if (!c) {
    snprintf(why, whylen, "libcurl: cannot start");
    return -1;
  }
  snprintf(from, sizeof from, "<%s>", cfg->smtp_from);
  snprintf(rcpt, sizeof rcpt, "<%s>", to);
  rcpts = curl_slist_append(NULL, rcpt);
  curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt(c, CURLOPT_READDATA, &u);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, MAIL_TIMEOUT_SECS);
  if (strcmp(cfg->smtp_tls, "starttls") == 0 && strncmp(cfg->smtp_url, "smtps://", 8) != 0)
    curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
  if (cfg->smtp_user[0]) {
    curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
    curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
  }
  if (cfg->outbound_proxy[0]) curl_easy_setopt(c, CURLOPT_PROXY, cfg->outbound_proxy);
  rc = curl_easy_perform(c);
  if (rc != CURLE_OK) snprintf(why, whylen, "%s%s%s", curl_easy_strerror(rc), errbuf[0] ? ": " : "", errbuf);
  curl_slist_free_all(rcpts);
  curl_easy_cleanup(c);
  return rc == CURLE_OK ? 0 : -1;
}

/* The subject and body of one notice, from the city's texts; an inquiry's
 * acknowledgement also its stored Message-ID into ack->message_id. */
static int texts(mail_sender *m, const json_t *n, char **subject, char **body, bot_inquiry_ack_info *ack) {
  const msg_set *msgs = bot_messages(m->bot);
  const char *kind = json_string_value(json_object_get(n, "kind"));
  const char *no = json_string_value(json_object_get(n, "ticket_no"));
  const char *secret = json_string_value(json_object_get(n, "secret"));
  const char *names[] = { "ticket_no", "link", "answer_by", "department" }, *values[4] = { no, "", "", "" };
  char *link = NULL, err[MG_ERRLEN];
  int received = kind && strcmp(kind, "received") == 0, inquiry = kind && strcmp(kind, "inquiry") == 0;
  enum msg_id subj_id = received ? MSG_MAIL_RECEIVED_SUBJECT : inquiry ? MSG_MAIL_INQUIRY_SUBJECT : MSG_MAIL_REPLY_SUBJECT;
  enum msg_id body_id = received ? MSG_MAIL_RECEIVED_BODY : inquiry ? MSG_MAIL_INQUIRY_BODY : MSG_MAIL_REPLY_BODY;

  *subject = *body = NULL;
  memset(ack, 0, sizeof *ack);
  if (inquiry) {
    if (bot_inquiry_ack(bot_worker_db(m->w), no, ack, err) != 0) return -1;
    values[2] = ack->answer_by;
    values[3] = ack->department;
  }
  if ((received || inquiry) && secret &&
      asprintf(&link, "%s/t/%s#%s", m->cfg->public_base_url, no, secret) < 0)
    return -1;
  /* a trailing slash in public_base_url must not double */
  if (link) {
    char *p = strstr(link, "//t/");
    if (p) memmove(p, p + 1, strlen(p));
    values[1] = link;
  }
  *subject = bot_msg_fill(bot_msg_get(msgs, subj_id), 4, names, values);
  *body = bot_msg_fill(bot_msg_get(msgs, body_id), 4, names, values);
  if (link) sodium_memzero(link, strlen(link));
  free(link);
  return *subject && *body ? 0 : -1;
}

static void deliver_due(mail_sender *m) {
  char err[MG_ERRLEN] = "", why[CURL_ERROR_SIZE + 64];
  sqlite3 *db = bot_worker_db(m->w);
  json_t *due = NULL, *n;
  size_t i;

  if (bot_outbox_due(db, "email", time(NULL), MAIL_BATCH, &due, err) != 0) {
    mg_log_error("mail", "%s", err);
    return;
  }
  json_array_foreach(due, i, n) {
    json_int_t id = json_integer_value(json_object_get(n, "id"));
    char *subject = NULL, *body = NULL, *msg = NULL;
    bot_inquiry_ack_info ack;
    int ok = 0;
    why[0] = '\0';
    int t;
    bot_read_begin(m->bot); /* the city's texts may be swapped by a reload */
    t = texts(m, n, &subject, &body, &ack);
    bot_read_end(m->bot);
    if (t != 0 ||
        !(msg = mail_compose(m->cfg->smtp_from, json_string_value(json_object_get(n, "recipient")), subject, body,
                             ack.message_id[0] ? ack.message_id : NULL, time(NULL))))
      snprintf(why, sizeof why, "out of memory");
    else
      ok = send_one(m->cfg, json_string_value(json_object_get(n, "recipient")), msg, why, sizeof why) == 0;
    if (msg) sodium_memzero(msg, strlen(msg));
    free(msg);
    free(subject);
    if (body) sodium_memzero(body, strlen(body));
    free(body);
    if (ok) mg_log_info("mail", "notice %lld (%s, %s) sent", (long long)id,
                        json_string_value(json_object_get(n, "kind")), json_string_value(json_object_get(n, "ticket_no")));
    else mg_log_error("mail", "notice %lld (%s): %s", (long long)id, json_string_value(json_object_get(n, "ticket_no")), why);
    if (bot_outbox_result(db, id, ok, why, time(NULL), err) != 0) mg_log_error("mail", "%s", err);
  }
  json_decref(due);
}

static void *mail_main(void *arg) {
  mail_sender *m = arg;
  pthread_mutex_lock(&m->mu);
  while (!m->quit) {
    struct timespec until;
    double secs = m->cfg->mail_poll_secs;
    pthread_mutex_unlock(&m->mu);
    deliver_due(m);
    pthread_mutex_lock(&m->mu);
    if (m->quit) break;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)secs;
    until.tv_nsec += (long)((secs - (double)(time_t)secs) * 1e9);
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&m->cond, &m->mu, &until);
  }
  pthread_mutex_unlock(&m->mu);
  bot_worker_thread_done();
  return NULL;
}

int mail_start(mail_sender **out, bot *b, const mg_config *cfg, char *err) {
  mail_sender *m;
  int rc;
  *out = NULL;
  if (!cfg->smtp_url[0]) return 0;
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return mg_errf(err, MG_EIO, "mail: libcurl did not start");
  if (!(m = calloc(1, sizeof *m))) return mg_errf(err, MG_ENOMEM, "mail: out of memory");
  m->cfg = cfg;
  m->bot = b;
  pthread_mutex_init(&m->mu, NULL);
  pthread_cond_init(&m->cond, NULL);
  if ((rc = bot_worker_new(&m->w, b, err)) != 0) {
    free(m);
    return rc;
  }
  if ((rc = pthread_create(&m->th, NULL, mail_main, m)) != 0) {
    bot_worker_free(m->w);
    free(m);
    return mg_errf(err, MG_EIO, "mail: cannot start the delivery thread: %s", strerror(rc));
  }
  /* not the URL: a city may have written credentials into it */
  mg_log_info("mail", "e-mail notices on (delivery thread started)");
  *out = m;
  return 0;
}

void mail_stop(mail_sender *m) {
  if (!m) return;
  pthread_mutex_lock(&m->mu);
  m->quit = 1;
  pthread_cond_signal(&m->cond);
  pthread_mutex_unlock(&m->mu);
  pthread_join(m->th, NULL);
  bot_worker_free(m->w);
  pthread_cond_destroy(&m->cond);
  pthread_mutex_destroy(&m->mu);
  free(m);
  curl_global_cleanup();
}

/* ---- the server's row (adapters.c) ------------------------------------------ */

/* The state (srv_state) is the sender, NULL without a relay. */
static int adapter_start(srv *s, char *err) {
  mail_sender *m = NULL;
  int rc = mail_start(&m, s->bot, s->cfg, err);
  *srv_state(s, &mail_adapter) = m;
  return rc;
}

static void adapter_stop(srv *s) {
  void **slot = srv_state(s, &mail_adapter);
  mail_stop(*slot);
  *slot = NULL;
}

const srv_adapter mail_adapter = {
  .name = "mail",
  .start = adapter_start,
  .stop = adapter_stop,
};
