/*
 * http_api.c — protocol[0] of the context: every HTTP request lands here.
 *
 *   POST /api/v1/ask   {"text": "…", "lang"?} → the answer object of docs/protocol.md
 *   POST /api/v1/ticket/lookup {"ticket_no", "secret"} → the resident's thread
 *   POST /api/v1/ticket/reply  {"ticket_no", "secret", "text"} → {"ticket_no", "at"}
 *   POST /api/v1/inquiries {name?, email?, phone?, subject?, body, form_id?} with
 *                      "Authorization: Bearer KEY" (the contact form's key) →
 *                      201 {"ticket_no", "department": {id, name}, "answer_by",
 *                      "acknowledged"} (bot/inquiry.h, docs/channels.md)
 *   GET  /t/<number>   the page that reads the secret from its #fragment and
 *                      uses the two above (web/ticket.html)
 *   GET  /healthz      {"status", "faq_entries", "db"}   liveness: a worker can read
 *   GET  /readyz       {"status", "db"}                  readiness: a worker can write
 *   POST <a webhook>   the path of an adapter's route (srv_adapter: LINE's
 *                      line_webhook_path, when the channel is on): the body
 *                      is read here and handed to the adapter's webhook
 *   GET  /ws + Upgrade  checked here (path, Origin, subprotocol, per-address
 *                      cap), then handed to ws_chat.c
 *   anything else      a file under web_dir (static.c)
 *
 * Answers come from a worker: the request's connection id goes with the job,
 * the result comes back through srv_drain → api_complete, which finds
 * the connection again (or not, when the client left) and asks for a
 * writeable callback. Responses are written only in HTTP_WRITEABLE.
 *
 * A request body is read to its end even when the answer is already known
 * to be an error (a 413 or 415 sent before the body was read would reach
 * many clients as a connection reset); only a body over 1 MiB is refused at
 * once and the connection closed.
 *
 * CORS: a browser request carries Origin; when it is allowed (srv_origin_ok)
 * the response echoes it in Access-Control-Allow-Origin, otherwise the
 * request is refused with 403 before any work is done.
 */
#include "adapters/server.h"
#include "bot/lang.h"
#include "util/mg_time.h"
#include "util/mg_utf8.h"
#include "util/mg_err.h"
#include "util/mg_log.h"
#include "bot/session.h"
#include "bot/ticket.h"
#include "bot/inquiry.h"
#include "bot/stats.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DRAIN_MAX (1024 * 1024)
#define INQUIRY_MAX_BODY (256 * 1024)  /* 10,000 characters of Japanese with JSON escapes, and room */

enum route { R_NONE, R_ASK, R_TICKET, R_INQUIRY, R_HEALTH, R_FILE, R_HOOK };

struct http_pss {
  uint64_t id;                /* connection id while a job is out, else 0 */
  enum route route;
  char method[8];
  char path[128];             /* without the query string */
  char ip[64];
  char origin[256];           /* allowed Origin to echo ("" = no CORS headers) */
  int64_t t0;                 /* lws_now of the request, for duration_ms */
  unsigned char *body;        /* POST body so far (at most SRV_MAX_FRAME) */
  size_t body_len;
  int body_over;              /* body longer than SRV_MAX_FRAME */
  int fail_status;            /* error decided before the body was read */
  int fail_err;
  int status;                 /* response waiting for HTTP_WRITEABLE (0 = none) */
  srv_msg *resp;
  const char *allow;          /* Allow header for 405 */
  int preflight;              /* answer a CORS preflight */
  int close_after;            /* unread body on the wire: close after answering */
  const char *op;             /* R_TICKET: "lookup" or "reply" */
  const char *form;           /* R_INQUIRY: the name of the API key that was shown (config) */
  size_t file_bytes;          /* size of the file being served */
  uint64_t req;               /* request id of the job, for the logs */
  const srv_adapter *hook;    /* R_HOOK: the adapter whose webhook this is */
  char sig[SRV_SIG_LEN];      /* R_HOOK: its signature header's value ("" = none) */
};

static size_t api_pss_size(void) { return sizeof(struct http_pss); }

/* The jobs of this protocol, one ops each (defined with their work below). */
static const srv_job_ops ask_ops, health_ops, ready_ops, ticket_ops, inquiry_ops;

static void pss_reset(srv *s, struct http_pss *p) {
  if (p->id) srv_conn_del(s, p->id);
  free(p->body);
  free(p->resp);
  memset(p, 0, sizeof *p);
}

static int respond(struct lws *wsi, struct http_pss *p, int status, srv_msg *body) {
  free(p->resp);
  p->status = status;
  p->resp = body;
  lws_callback_on_writable(wsi);
  return 0;
}

static int respond_error(struct lws *wsi, struct http_pss *p, int status, int err) {
  json_t *j = json_pack("{s:{s:s,s:s}}", "error", "code", mg_err_code(err), "message", mg_err_message(err));
  srv_msg *m = j ? srv_msg_json(j) : NULL;
  json_decref(j);
  return respond(wsi, p, status, m);
}

static void access_log(struct http_pss *p, int status, size_t bytes) {
  mg_log_access("http", p->method, p->path, status, bytes, (double)(srv_now_us() - p->t0) / 1000.0, p->ip, p->req);
}

static int write_response(srv *s, struct lws *wsi, struct http_pss *p) {
  unsigned char buf[LWS_PRE + 2048], *start = buf + LWS_PRE, *ptr = start, *end = buf + sizeof buf - 1;
  size_t blen = p->resp ? p->resp->len : 0;
  int status = p->status;

  p->status = 0;
  if (lws_add_http_common_headers(wsi, (unsigned)status, blen ? "application/json; charset=utf-8" : NULL,
                                  blen, &ptr, end) ||
      srv_add_header(wsi, "cache-control:", "no-store", &ptr, end) ||
      srv_add_header(wsi, "x-content-type-options:", "nosniff", &ptr, end) ||
      srv_add_header(wsi, "content-security-policy:", "default-src 'none'; frame-ancestors 'none'", &ptr, end))
    return -1;
  if (p->origin[0] && (srv_add_header(wsi, "access-control-allow-origin:", p->origin, &ptr, end) ||
                       srv_add_header(wsi, "vary:", "Origin", &ptr, end)))
    return -1;
  if (p->preflight && (srv_add_header(wsi, "access-control-allow-methods:", "POST, OPTIONS", &ptr, end) ||
                       srv_add_header(wsi, "access-control-allow-headers:", "Content-Type", &ptr, end) ||
                       srv_add_header(wsi, "access-control-max-age:", "600", &ptr, end)))
    return -1;
  if (p->allow && srv_add_header(wsi, "allow:", p->allow, &ptr, end)) return -1;
  if (lws_finalize_write_http_header(wsi, start, &ptr, end)) return -1;
  if (blen && lws_write(wsi, (unsigned char *)SRV_MSG_TEXT(p->resp), blen, LWS_WRITE_HTTP_FINAL) < (int)blen)
    return -1;
  access_log(p, status, blen);
  free(p->resp);
  p->resp = NULL;
  (void)s;
  if (p->close_after || lws_http_transaction_completed(wsi)) return -1;
  return 0;
}

/* Start a job (ask, healthz, …) for this request. */
static int submit(srv *s, struct lws *wsi, struct http_pss *p, const srv_job_ops *ops, json_t *msg) {
  srv_job *j = calloc(1, sizeof *j);
  if (!j) { json_decref(msg); return respond_error(wsi, p, 503, MG_ENOMEM); }
  j->ops = ops;
  j->msg = msg;
  j->req = p->req = mg_log_new_request_id();
  j->t_arrive = srv_now_us();
  if (!(p->id = srv_conn_add(s, wsi, 0))) {
    srv_job_free(j);
    return respond_error(wsi, p, 503, MG_EBUSY);
  }
  j->conn = p->id;
  if (srv_submit(s, j) != 0) {
    srv_job_free(j);
    srv_conn_del(s, p->id);
    p->id = 0;
    return respond_error(wsi, p, 503, MG_EBUSY);
  }
  return 0;
}

static void begin_request(srv *s, struct lws *wsi, struct http_pss *p, const char *uri) {
  pss_reset(s, p);
  p->t0 = srv_now_us();
  srv_method(wsi, p->method, sizeof p->method, NULL, 0);
  snprintf(p->path, sizeof p->path, "%s", uri ? uri : "");
  srv_client_ip(s, wsi, p->ip, sizeof p->ip);
}

/* An address that named no ticket SRV_LOOKUP_FREE times waits a minute per
 * further failure (at most 15) before it may look up again. */
static int lookup_blocked(srv *s, struct srv_ip *r) {
  int64_t wait;
  if (r->lookup_fails < SRV_LOOKUP_FREE) return 0;
  wait = (int64_t)(r->lookup_fails - SRV_LOOKUP_FREE + 1) * 60 * 1000000;
  if (wait > SRV_LOOKUP_FORGET_US) wait = SRV_LOOKUP_FORGET_US;
  return srv_now_us() - r->lookup_last < wait;
}

/* The configured name of the contact form's key in "Authorization: Bearer
 * KEY", or NULL. A hash and a constant-time compare: cheap enough for the
 * service thread, and the key never reaches a job or a log. */
static const char *inquiry_key(srv *s, struct lws *wsi) {
  char auth[256] = "";
  const char *name = NULL;
  if (lws_hdr_copy(wsi, auth, sizeof auth, WSI_TOKEN_HTTP_AUTHORIZATION) > 7 && strncasecmp(auth, "Bearer ", 7) == 0)
    name = bot_inquiry_key_check(s->cfg, auth + 7);
  sodium_memzero(auth, sizeof auth);
  return name;
}

/* A JSON POST (ask, ticket lookup or reply, inquiry): the checks that need no body. */
static int on_post_request(srv *s, struct lws *wsi, struct http_pss *p, enum route route) {
  char ctype[128] = "", clen[32] = "";
  long long n;
  struct srv_ip *r;

  if (!srv_origin_ok(s, wsi, p->origin, sizeof p->origin)) {
    p->origin[0] = '\0';
    return respond_error(wsi, p, 403, MG_EFORBIDDEN);
  }
  if (strcmp(p->method, "OPTIONS") == 0) {
    p->preflight = 1;
    return respond(wsi, p, 204, NULL);
  }
  if (strcmp(p->method, "POST") != 0) {
    p->allow = "POST, OPTIONS";
    return respond_error(wsi, p, 405, MG_EINVAL);
  }
  p->route = route;
  if (lws_hdr_copy(wsi, clen, sizeof clen, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0 || (n = atoll(clen)) <= 0)
    return respond_error(wsi, p, 400, MG_EBADJSON);   /* no body to read */
  if (n > DRAIN_MAX) {
    /* Too big to read through; answer and let the client go. */
    p->route = R_NONE;
    p->close_after = 1;
    return respond_error(wsi, p, 413, MG_EFRAME);
  }
  lws_hdr_copy(wsi, ctype, sizeof ctype, WSI_TOKEN_HTTP_CONTENT_TYPE);
  if (strncasecmp(ctype, "application/json", 16) != 0 || (ctype[16] && ctype[16] != ';' && ctype[16] != ' ')) {
    p->fail_status = 415;
    p->fail_err = MG_EINVAL;
  } else if (n > (route == R_INQUIRY ? INQUIRY_MAX_BODY : SRV_MAX_FRAME)) {
    p->fail_status = 413;
    p->fail_err = MG_EFRAME;
  } else if (route == R_INQUIRY && !(p->form = inquiry_key(s, wsi))) {
    /* the key is checked before the body is read; nothing of it is kept */
    p->fail_status = 401;
    p->fail_err = MG_EAUTH;
  } else if (!(r = srv_ip_get(s, p->ip)) || srv_ip_take(s, r) != 0 || (route == R_TICKET && lookup_blocked(s, r))) {
    p->fail_status = 429;
    p->fail_err = MG_ERATE;
  }
  return 0;   /* the body follows */
}

/* An adapter's webhook (LINE's): no Origin (the platform is not a browser), no token
 * bucket (the platform sends for every resident from a few addresses);
 * the signature over the body decides, in line_webhook. */
static int on_hook_request(struct lws *wsi, struct http_pss *p, const srv_adapter *a) {
  char clen[32] = "";
  long long n;
  if (strcmp(p->method, "POST") != 0) {
    p->allow = "POST";
    return respond_error(wsi, p, 405, MG_EINVAL);
  }
  if (lws_hdr_copy(wsi, clen, sizeof clen, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0 || (n = atoll(clen)) <= 0)
    return respond_error(wsi, p, 400, MG_EBADJSON);
  if (n > (long long)a->max_body) {
    p->close_after = 1;
    return respond_error(wsi, p, 413, MG_EFRAME);
  }
  if (!a->sig_header ||
      lws_hdr_custom_copy(wsi, p->sig, sizeof p->sig, a->sig_header, (int)strlen(a->sig_header)) < 0)
    p->sig[0] = '\0';
  p->hook = a;
  p->route = R_HOOK;
  return 0;   /* the body follows */
}

static int on_hook_body(srv *s, struct lws *wsi, struct http_pss *p) {
  int status;
  p->route = R_NONE;
  if (p->body_over) return respond_error(wsi, p, 413, MG_EFRAME);
  p->req = mg_log_new_request_id();
  status = p->hook->webhook(s, p->sig, p->body ? p->body : (const unsigned char *)"", p->body_len, p->req);
  if (status == 200) return respond(wsi, p, 200, srv_msg_new("{}", 2));
  return respond_error(wsi, p, status, status == 401 ? MG_EFORBIDDEN : status == 400 ? MG_EBADJSON : MG_EBUSY);
}

/* A string member of at most max code points, or NULL. */
static const char *member(json_t *msg, const char *key, long max) {
  json_t *v = json_object_get(msg, key);
  long n;
  if (!json_is_string(v)) return NULL;
  n = mg_utf8_count((const unsigned char *)json_string_value(v), json_string_length(v));
  return n >= 0 && n <= max ? json_string_value(v) : NULL;
}

static int on_ticket_body(srv *s, struct lws *wsi, struct http_pss *p, json_t *msg) {
  int reply = strcmp(p->op, "reply") == 0;
  if (!member(msg, "ticket_no", TICKET_NOLEN - 1) || !member(msg, "secret", TICKET_SECRETLEN - 1) ||
      (reply && !json_is_string(json_object_get(msg, "text")))) {
    json_decref(msg);
    return respond_error(wsi, p, 400, MG_EMISSING);
  }
  if (reply && !member(msg, "text", MG_TEXT_MAX)) {
    json_decref(msg);
    return respond_error(wsi, p, 400, MG_ETOOLONG);
  }
  json_object_set_new(msg, "op", json_string(p->op));
  return submit(s, wsi, p, &ticket_ops, msg);
}

/* The form's fields: body a string, the others strings when present. */
static int on_inquiry_body(srv *s, struct lws *wsi, struct http_pss *p, json_t *msg) {
  static const char *const optional[] = { "name", "email", "phone", "subject", "form_id" };
  if (!json_is_string(json_object_get(msg, "body"))) {
    json_decref(msg);
    return respond_error(wsi, p, 400, MG_EMISSING);
  }
  for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++) {
    json_t *v = json_object_get(msg, optional[i]);
    if (v && !json_is_string(v) && !json_is_null(v)) {
      json_decref(msg);
      return respond_error(wsi, p, 400, MG_EINVAL);
    }
  }
  json_object_set_new(msg, "_form", json_string(p->form));
  return submit(s, wsi, p, &inquiry_ops, msg);
}

static int on_body_done(srv *s, struct lws *wsi, struct http_pss *p) {
  json_t *msg, *text;
  enum route route = p->route;
  long cps;

  p->route = R_NONE;
  if (p->fail_status) return respond_error(wsi, p, p->fail_status, p->fail_err);
  if (p->body_over) return respond_error(wsi, p, 413, MG_EFRAME);
  if (mg_utf8_count(p->body, p->body_len) < 0) return respond_error(wsi, p, 400, MG_EBADUTF8);
  msg = json_loadb((const char *)p->body, p->body_len, JSON_REJECT_DUPLICATES, NULL);
  if (!json_is_object(msg)) {
    json_decref(msg);
    return respond_error(wsi, p, 400, MG_EBADJSON);
  }
  if (route == R_TICKET) return on_ticket_body(s, wsi, p, msg);
  if (route == R_INQUIRY) return on_inquiry_body(s, wsi, p, msg);
  text = json_object_get(msg, "text");
  if (!json_is_string(text)) {
    json_decref(msg);
    return respond_error(wsi, p, 400, MG_EMISSING);
  }
  cps = mg_utf8_count((const unsigned char *)json_string_value(text), json_string_length(text));
  if (cps > MG_TEXT_MAX) {
    json_decref(msg);
    return respond_error(wsi, p, 400, MG_ETOOLONG);
  }
  return submit(s, wsi, p, &ask_ops, msg);
}

/* The WebSocket upgrade: only /ws, only madoguchi.v1, only allowed
 * origins, at most max_conns_per_ip per address. Returns 0 to accept. */
static int confirm_upgrade(srv *s, struct lws *wsi, struct http_pss *p) {
  char uri[64] = "", protos[256] = "";
  int status = 0, err = 0, found = 0;
  struct srv_ip *r;
  char *tok, *save;

  srv_tcp_headers_done(s, wsi);
  lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI);
  begin_request(s, wsi, p, uri);
  lws_hdr_copy(wsi, protos, sizeof protos, WSI_TOKEN_PROTOCOL);
  /* lws binds the first name it knows, and it knows our HTTP protocols by
   * name too: madoguchi.v1 must come before any other name of ours. */
  for (tok = strtok_r(protos, ", \t", &save); tok && !found; tok = strtok_r(NULL, ", \t", &save)) {
    if (strcmp(tok, SRV_WS_PROTOCOL) == 0) found = 1;
    else if (strncmp(tok, "madoguchi", 9) == 0) break;
  }

  if ((status = srv_header_problem(wsi)) != 0) err = status == 431 ? MG_EFRAME : MG_EINVAL;
  else if (strcmp(uri, "/ws") != 0) status = 404, err = MG_ENOTFOUND;
  else if (s->stopping) status = 503, err = MG_EBUSY;
  else if (!srv_origin_ok(s, wsi, p->origin, sizeof p->origin)) status = 403, err = MG_EFORBIDDEN;
  else if (!found) status = 400, err = MG_EINVAL;
  else if (!(r = srv_ip_get(s, p->ip))) status = 503, err = MG_ENOMEM;
  else if (s->cfg->max_conns_per_ip > 0 && r->ws_conns >= s->cfg->max_conns_per_ip) status = 429, err = MG_ERATE;
  if (!status) return 0;
  mg_log_access("ws_refused", "GET", uri, status, 0, 0, p->ip, 0);
  /* An Origin names a web site, not a person: worth logging when refused. */
  if (status == 403) mg_log_info("ws", "upgrade refused: %s (Origin %.200s)", mg_err_code(err), p->origin);
  else mg_log_info("ws", "upgrade refused: %s", mg_err_code(err));
  if (lws_return_http_status(wsi, (unsigned)status, NULL)) return -1;
  return 1;
}

/* The adapter whose webhook path is path, or NULL. */
static const srv_adapter *hook_of(srv *s, const char *path) {
  for (const srv_adapter *const *a = srv_adapters; *a; a++)
    if ((*a)->route && (*a)->webhook && (*a)->route(s, path)) return *a;
  return NULL;
}

static int api_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
  struct http_pss *p = user;
  srv *s;

  switch (reason) {
  case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
    s = srv_of(wsi);
    if (s) srv_drain(s);
    return 0;

  case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
    {
      /* lws has not allocated the per-request data yet at this point. */
      struct http_pss tmp;
      memset(&tmp, 0, sizeof tmp);
      if (strcasecmp((const char *)in, "websocket") != 0) return -1;
      return confirm_upgrade(srv_of(wsi), wsi, &tmp);
    }

  case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
    return 1;   /* only madoguchi.v1 speaks WebSocket */

  /* Every accepted connection, whatever it becomes: server.c counts them
   * per address and times their first headers. lws sends these two to
   * protocols[0], this one. */
  case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
    return srv_tcp_open(srv_of(wsi), wsi);

  case LWS_CALLBACK_WSI_DESTROY:
    srv_tcp_close(srv_of(wsi), wsi);
    return 0;

  case LWS_CALLBACK_FILTER_HTTP_CONNECTION:
    srv_tcp_headers_done(srv_of(wsi), wsi);
    return 0;

  case LWS_CALLBACK_HTTP: {
    const srv_adapter *hook;
    int status = 0;
    size_t bytes = 0;
    int rc;
    s = srv_of(wsi);
    begin_request(s, wsi, p, (const char *)in);
    if ((status = srv_header_problem(wsi)) != 0) return respond_error(wsi, p, status, status == 431 ? MG_EFRAME : MG_EINVAL);
    if (s->stopping) return respond_error(wsi, p, 503, MG_EBUSY);
    if (strcmp(p->path, "/api/v1/ask") == 0) return on_post_request(s, wsi, p, R_ASK);
    if ((hook = hook_of(s, p->path)) != NULL) return on_hook_request(wsi, p, hook);
    if (strcmp(p->path, "/api/v1/ticket/lookup") == 0 || strcmp(p->path, "/api/v1/ticket/reply") == 0) {
      p->op = p->path[15] == 'l' ? "lookup" : "reply";
      return on_post_request(s, wsi, p, R_TICKET);
    }
    if (strcmp(p->path, "/api/v1/inquiries") == 0) return on_post_request(s, wsi, p, R_INQUIRY);
    if (strcmp(p->path, "/healthz") == 0 || strcmp(p->path, "/readyz") == 0) {
      if (strcmp(p->method, "GET") != 0) {
        p->allow = "GET";
        return respond_error(wsi, p, 405, MG_EINVAL);
      }
      return submit(s, wsi, p, p->path[1] == 'h' ? &health_ops : &ready_ops, NULL);
    }
    if (strcmp(p->method, "GET") != 0 && strcmp(p->method, "HEAD") != 0) {
      p->allow = "GET, HEAD";
      return respond_error(wsi, p, 405, MG_EINVAL);
    }
    p->route = R_FILE;
    /* every ticket's page is the one page; the number is in its path, the
     * secret in its #fragment (which never reaches the server) */
    rc = static_serve(s, wsi, strncmp(p->path, "/t/", 3) == 0 ? "/ticket.html" : p->path, &status, &bytes);
    if (status != 200) {
      p->route = R_NONE;
      return respond_error(wsi, p, status, status == 404 ? MG_ENOTFOUND : MG_EFORBIDDEN);
    }
    p->file_bytes = bytes;
    if (rc > 0) {
      /* lws answered by itself (the file vanished: 404); finish here. */
      access_log(p, 404, 0);
      p->route = R_NONE;
      return lws_http_transaction_completed(wsi) ? -1 : 0;
    }
    return rc;
  }

  case LWS_CALLBACK_HTTP_BODY:
    if (!p || (p->route != R_ASK && p->route != R_TICKET && p->route != R_INQUIRY && p->route != R_HOOK)) return 0;
    if (p->body_over || p->fail_status) return 0;
    if (p->body_len + len > (p->route == R_HOOK ? p->hook->max_body : p->route == R_INQUIRY ? INQUIRY_MAX_BODY : SRV_MAX_FRAME)) {
      p->body_over = 1;
      free(p->body);
      p->body = NULL;
      return 0;
    }
    return srv_body_append(&p->body, &p->body_len, in, len);

  case LWS_CALLBACK_HTTP_BODY_COMPLETION:
    if (p && p->route == R_HOOK) return on_hook_body(srv_of(wsi), wsi, p);
    if (!p || (p->route != R_ASK && p->route != R_TICKET && p->route != R_INQUIRY)) return 0;
    return on_body_done(srv_of(wsi), wsi, p);

  case LWS_CALLBACK_HTTP_WRITEABLE:
    if (!p || !p->status) return 0;
    return write_response(srv_of(wsi), wsi, p);

  case LWS_CALLBACK_HTTP_FILE_COMPLETION:
    if (p && p->route == R_FILE) {
      access_log(p, 200, p->file_bytes);
      p->route = R_NONE;
    }
    if (lws_http_transaction_completed(wsi)) return -1;
    return 0;

  case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
  case LWS_CALLBACK_CLOSED_HTTP:
    if (p) pss_reset(srv_of(wsi), p);
    return 0;

  default:
    break;
  }
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* ---- worker side ---------------------------------------------------------- */

static void set_error(srv_job *j, int err) {
  json_t *e;
  if (mg_err_http_status(err) == 500) err = SRV_EINTERNAL;   /* no internals to the client */
  e = json_pack("{s:{s:s,s:s}}", "error", "code", mg_err_code(err), "message", mg_err_message(err));
  j->status = mg_err_http_status(err);
  if (e) srv_msgq_push(&j->out, srv_msg_json(e));
  json_decref(e);
}

static void work_health(srv *s, bot_worker *w, srv_job *j) {
  char err[MG_ERRLEN];
  long long n = -1;
  json_t *o;
  if (bot_published_count(bot_worker_db(w), &n, err) == 0) {
    o = json_pack("{s:s,s:I,s:s}", "status", "ok", "faq_entries", (json_int_t)n, "db", "ok");
    j->status = 200;
  } else {
    srv_metrics_db_error(s->metrics);
    mg_log_error("http", "healthz: %s", sqlite3_errmsg(bot_worker_db(w)));
    o = json_pack("{s:s,s:n,s:s}", "status", "error", "faq_entries", "db", "error");
    j->status = 503;
  }
  if (o) srv_msgq_push(&j->out, srv_msg_json(o));
  json_decref(o);
}

/* Readiness: /healthz says the process answers and can read; this says it
 * can also write (a full disk fails every transcript line and ticket). */
static void work_ready(srv *s, bot_worker *w, srv_job *j) {
  char err[MG_ERRLEN] = "";
  int rc = bot_session_write_probe(bot_worker_db(w), err);
  json_t *o;
  if (rc == 0) {
    o = json_pack("{s:s,s:s}", "status", "ok", "db", "ok");
    j->status = 200;
  } else {
    if (srv_metrics_db_failed(rc)) srv_metrics_db_error(s->metrics);
    mg_log_error("http", "readyz: %s", err);
    o = json_pack("{s:s,s:s}", "status", "error", "db", mg_err_code(rc));
    j->status = 503;
  }
  if (o) srv_msgq_push(&j->out, srv_msg_json(o));
  json_decref(o);
}

/* The resident's thread by number and secret: read it, or add a line.
 * A line that is an emergency comes back with the emergency answer, as in
 * the chat: staff read the thread only at their next opening time. */
static void work_ticket(srv *s, bot_worker *w, srv_job *j) {
  char err[MG_ERRLEN] = "", at[MG_TIMELEN];
  const char *no = json_string_value(json_object_get(j->msg, "ticket_no"));
  const char *secret = json_string_value(json_object_get(j->msg, "secret"));
  json_t *text = json_object_get(j->msg, "text"), *out = NULL, *ans = NULL, *rule;
  int rc;

  if (strcmp(json_string_value(json_object_get(j->msg, "op")), "lookup") == 0) {
    rc = bot_ticket_thread(bot_worker_db(w), no, secret, s->cfg->ticket_lookup_days, &out, err);
  } else if ((rc = bot_answer(w, json_string_value(text), (int)json_string_length(text), 0, &ans, err)) == 0 &&
             (rc = bot_ticket_resident_reply(bot_worker_db(w), no, NULL, secret, json_string_value(text), at, err)) == 0) {
    rule = json_object_get(ans, "rule");
    out = json_pack("{s:s, s:s}", "ticket_no", no, "at", at);
    if (out && json_is_string(json_object_get(rule, "kind")) &&
        strcmp(json_string_value(json_object_get(rule, "kind")), "emergency") == 0) {
      json_object_set(out, "emergency", ans);
      j->questions = srv_metrics_question(s->metrics, json_string_value(json_object_get(ans, "decision")), "emergency");
    }
    if (!out) rc = MG_ENOMEM;
  }
  if (rc != 0) {
    if (srv_metrics_db_failed(rc)) srv_metrics_db_error(s->metrics);
    if (mg_err_http_status(rc) >= 500) mg_log_error("http", "ticket: %s", err);
    set_error(j, rc);
  } else {
    j->status = 200;
    srv_msgq_push(&j->out, srv_msg_json(out));
  }
  json_decref(out);
  json_decref(ans);
}

/* One inquiry from the contact form: triaged, stored, acknowledged. */
static void work_inquiry(srv *s, bot_worker *w, srv_job *j) {
  char err[MG_ERRLEN] = "", form[160];
  bot_inquiry in = { .source = "form" };
  bot_inquiry_result r;
  json_t *m = j->msg, *out = NULL;
  const char *fid = json_string_value(json_object_get(m, "form_id"));
  int rc;
  /* which key posted, and the form's own id when it sends one */
  snprintf(form, sizeof form, "%s%s%.64s", json_string_value(json_object_get(m, "_form")), fid && *fid ? "/" : "",
           fid ? fid : "");
  in.form_id = form;
  in.name = json_string_value(json_object_get(m, "name"));
  in.email = json_string_value(json_object_get(m, "email"));
  in.phone = json_string_value(json_object_get(m, "phone"));
  in.subject = json_string_value(json_object_get(m, "subject"));
  in.body = json_string_value(json_object_get(m, "body"));
  rc = bot_inquiry_submit(w, &in, &r, err);
  if (rc == 0 && !(out = json_pack("{s:s, s:o, s:s, s:b}", "ticket_no", r.ticket_no, "department",
                                   r.triage.department[0] ? json_pack("{s:s, s:s}", "id", r.triage.department, "name", r.department_name)
                                                          : json_null(),
                                   "answer_by", r.answer_by, "acknowledged", r.acknowledged)))
    rc = MG_ENOMEM;
  if (rc != 0) {
    if (srv_metrics_db_failed(rc)) srv_metrics_db_error(s->metrics);
    if (mg_err_http_status(rc) >= 500) mg_log_error("http", "inquiry: %s", err);
    set_error(j, rc);
  } else {
    mg_log_info("http", "inquiry %s from form %s to %s", r.ticket_no, in.form_id ? in.form_id : "-",
                r.triage.department[0] ? r.triage.department : "-");
    j->status = 201;
    srv_msgq_push(&j->out, srv_msg_json(out));
  }
  json_decref(out);
}

static void work_ask(srv *s, bot_worker *w, srv_job *j) {
  char err[MG_ERRLEN] = "";
  json_t *text, *out = NULL;
  int rc, lang;
  text = json_object_get(j->msg, "text");
  /* optional "lang" (docs/languages.md): "ja" (default), "en", "easy"; anything else is refused */
  lang = bot_lang_parse(json_string_value(json_object_get(j->msg, "lang")));
  rc = lang < 0 ? MG_EINVAL : bot_answer_lang(w, json_string_value(text), (int)json_string_length(text), lang, 0, &out, err);
  if (rc != 0) {
    if (srv_metrics_db_failed(rc)) srv_metrics_db_error(s->metrics);
    if (mg_err_http_status(rc) >= 500) mg_log_error("http", "ask: %s", err);
    set_error(j, rc);
  } else {
    j->status = 200;
    j->questions = srv_metrics_question(s->metrics, json_string_value(json_object_get(out, "decision")),
                                        json_string_value(json_object_get(json_object_get(out, "rule"), "kind")));
    srv_msgq_push(&j->out, srv_msg_json(out));
  }
  json_decref(out);
}

/* Service side: a result arrived; the response goes out if the client is still there. */
static void api_complete(srv *s, srv_job *j) {
  struct lws *wsi = srv_conn_get(s, j->conn);
  struct http_pss *p;
  if (j->questions) srv_metrics_answer_time(s->metrics, srv_now_us() - j->t_arrive);
  if (!wsi) return;   /* the client left */
  p = lws_wsi_user(wsi);
  srv_conn_del(s, j->conn);
  if (!p) return;
  p->id = 0;
  if (j->ops == &ticket_ops) {
    /* count lookups that named no ticket, per address (lookup_blocked) */
    struct srv_ip *r = srv_ip_get(s, p->ip);
    if (r && j->status == 404) {
      r->lookup_fails++;
      r->lookup_last = srv_now_us();
    } else if (r && j->status == 200) {
      r->lookup_fails = 0;
    }
  }
  respond(wsi, p, j->status ? j->status : 500, srv_msgq_pop(&j->out));
}

static const srv_job_ops ask_ops = { .name = "ask", .work = work_ask, .complete = api_complete };
static const srv_job_ops health_ops = { .name = "healthz", .work = work_health, .complete = api_complete };
static const srv_job_ops ready_ops = { .name = "readyz", .work = work_ready, .complete = api_complete };
static const srv_job_ops ticket_ops = { .name = "ticket", .work = work_ticket, .complete = api_complete };
static const srv_job_ops inquiry_ops = { .name = "inquiry", .work = work_inquiry, .complete = api_complete };

const srv_adapter http_api_adapter = {
  .name = "http",
  .protocol = "madoguchi-http",
  .callback = api_callback,
  .pss_size = api_pss_size,
};
