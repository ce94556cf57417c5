/*
 * pages_http.c — the public FAQ pages on the wire: /faq/… and /sitemap.xml.
 *
 * Two lws mounts send these paths to the protocol "madoguchi-pages" (this
 * file), as admin_http.c does for the console, so the widget's protocol[0]
 * never sees them. On the service thread a request is checked without the
 * database: method, path and query as UTF-8, the query's length
 * (MG_TEXT_MAX code points), for the feedback POST its Origin (same origin,
 * or public_base_url's) and the address's token bucket (srv_ip_take, the
 * HTTP API's), which search shares since it runs the engine. A page in the
 * cache is answered at once; anything else becomes a page job that a
 * worker renders with pages_handle (pages.c). Responses are written in
 * HTTP_WRITEABLE in chunks, with the resident side's security headers.
 *
 * The cache holds every page whose body depends on its path and the
 * published FAQ only (home, category, department, entry, accessibility,
 * sitemap) together with the FAQ generation it was rendered at
 * (bot_faq_generation, read before the render started). The generation
 * moves whenever the engine's index is rebuilt — a publish through the
 * console refreshes before it answers, an edit by the CLI within the
 * 500 ms refresh tick — and a lookup under a newer generation empties the
 * cache, so a page never outlives the FAQ it was made from. Department
 * details are not part of the signature; they change with an import, which
 * publishes too. Search results, thanks and error pages are never cached.
 *
 * Every response carries Server-Timing (render or cache, in ms): the
 * figure docs/public-pages.md reports.
 */
#include "adapters/pages.h"
#include "adapters/server.h"
#include "bot/lang.h"
#include "util/mg_err.h"
#include "util/mg_log.h"
#include "util/mg_utf8.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PAGES_PROTOCOL "madoguchi-pages"
#define PAGES_MAX_BODY 4096              /* a feedback form */
#define CACHE_BUCKETS 1024
#define CACHE_MAX 20000                  /* pages kept at most; more empties the cache */

/* ---- the cache ------------------------------------------------------------ */

struct centry {
  struct centry *next;
  char *key;
  char *body;
  size_t len;
  const char *ctype;
};

struct pages_cache {
  pthread_mutex_t mu;
  struct centry *b[CACHE_BUCKETS];
  unsigned n;
  unsigned long gen;            /* the generation every entry was made at */
};

static unsigned key_hash(const char *k) {
  unsigned h = 2166136261u;
  for (; *k; k++) h = (h ^ (unsigned char)*k) * 16777619u;
  return h % CACHE_BUCKETS;
}

static void cache_clear_locked(struct pages_cache *c) {
  for (unsigned i = 0; i < CACHE_BUCKETS; i++)
    while (c->b[i]) {
      struct centry *e = c->b[i];
      c->b[i] = e->next;
      free(e->key);
      free(e->body);
      free(e);
    }
  c->n = 0;
}

/* A copy of the page for key made at generation gen, or 0 when none. */
static int cache_get(struct pages_cache *c, const char *key, unsigned long gen, pages_resp *out) {
  int hit = 0;
  pthread_mutex_lock(&c->mu);
  if (c->gen != gen) {
    cache_clear_locked(c);
    c->gen = gen;
  }
  for (struct centry *e = c->b[key_hash(key)]; e; e = e->next)
    if (strcmp(e->key, key) == 0) {
      if ((out->body = malloc(e->len + 1))) {
        memcpy(out->body, e->body, e->len + 1);
        out->len = e->len;
        out->ctype = e->ctype;
        out->status = 200;
        hit = 1;
      }
      break;
    }
  pthread_mutex_unlock(&c->mu);
  return hit;
}

/* Keep a copy of r under key, if it was rendered at the current generation. */
static void cache_put(struct pages_cache *c, const char *key, unsigned long gen, const pages_resp *r) {
  struct centry *e;
  unsigned h = key_hash(key);
  pthread_mutex_lock(&c->mu);
  if (gen != c->gen) goto out;     /* made from an older FAQ, or the cache moved on */
  for (e = c->b[h]; e; e = e->next)
    if (strcmp(e->key, key) == 0) goto out;
  if (c->n >= CACHE_MAX) cache_clear_locked(c);
  if (!(e = calloc(1, sizeof *e)) || !(e->key = strdup(key)) || !(e->body = malloc(r->len + 1))) {
    if (e) free(e->key);
    free(e);
    goto out;
  }
  memcpy(e->body, r->body, r->len + 1);
  e->len = r->len;
  e->ctype = r->ctype;
  e->next = c->b[h];
  c->b[h] = e;
  c->n++;
out:
  pthread_mutex_unlock(&c->mu);
}

/* ---- jobs and connections ----------------------------------------------------- */

struct pages_job {
  char method[8];
  char path[512];
  char *q;                      /* GET /faq/search: the question (NULL when absent) */
  char id[72];                  /* POST /faq/feedback */
  int helpful;                  /* -1 when absent */
  int lang;                     /* ?lang=en|easy (enum bot_lang); 0 when absent or unknown */
  char ip[64];
  unsigned long gen;            /* bot_faq_generation when the request arrived */
  double render_ms;
  pages_resp resp;
  uint64_t req;
};

struct pages_pss {
  struct lws *wsi;
  uint64_t id;                  /* connection id while a job is out */
  struct pages_job *job;
  int reading, body_over;
  unsigned char *body;
  size_t body_len;
  int writing, headers_sent, head;
  size_t sent;
  int64_t t0;
  char timing[48];              /* Server-Timing value */
};

static const struct lws_http_mount mount_sitemap = {
  .mountpoint = "/sitemap.xml",
  .mountpoint_len = 12,
  .origin = PAGES_PROTOCOL,
  .origin_protocol = LWSMPRO_CALLBACK,
};
static const struct lws_http_mount pages_mounts = {
  .mount_next = &mount_sitemap,
  .mountpoint = "/faq",
  .mountpoint_len = 4,
  .origin = PAGES_PROTOCOL,
  .origin_protocol = LWSMPRO_CALLBACK,
};

/* The adapter's own state (srv_state), NULL when cfg->pages is off. */
struct pages_state {
  pages_site *site;           /* template, statement, prefix; immutable */
  struct pages_cache *cache;  /* rendered pages; any thread, its own lock */
};

static size_t pages_pss_size(void) { return sizeof(struct pages_pss); }

static struct pages_state *state_of(srv *s) { return *srv_state(s, &pages_http_adapter); }
static pages_site *site_of(srv *s) { return state_of(s) ? state_of(s)->site : NULL; }
static struct pages_cache *cache_of(srv *s) { return state_of(s) ? state_of(s)->cache : NULL; }

static const srv_job_ops page_ops;

static void pages_http_job_free(struct pages_job *pj) {
  if (!pj) return;
  free(pj->q);
  pages_resp_clear(&pj->resp);
  free(pj);
}

/* Load the site (template, statement) and make the cache; MG_ECONFIG when
 * the template is wrong. Nothing when the pages are off. */
static int start(srv *s, char *err) {
  void **slot = srv_state(s, &pages_http_adapter);
  struct pages_state *st;
  int rc;
  if (!s->cfg->pages) return 0;
  if (!(*slot = st = calloc(1, sizeof *st))) return mg_errf(err, MG_ENOMEM, "out of memory");
  if ((rc = pages_site_new(&st->site, s->cfg, err)) != 0) return rc;
  if (!(st->cache = calloc(1, sizeof *st->cache))) return mg_errf(err, MG_ENOMEM, "out of memory");
  pthread_mutex_init(&st->cache->mu, NULL);
  return 0;
}

static void free_state(srv *s) {
  void **slot = srv_state(s, &pages_http_adapter);
  struct pages_state *st = *slot;
  if (!st) return;
  if (st->cache) {
    cache_clear_locked(st->cache);
    pthread_mutex_destroy(&st->cache->mu);
    free(st->cache);
  }
  pages_site_free(st->site);
  free(st);
  *slot = NULL;
}

static void pss_clear(srv *s, struct pages_pss *p) {
  if (p->id) srv_conn_del(s, p->id);
  pages_http_job_free(p->job);
  free(p->body);
  memset(p, 0, sizeof *p);
}

static int respond(struct lws *wsi, struct pages_pss *p) {
  p->reading = 0;
  p->writing = 1;
  lws_callback_on_writable(wsi);
  return 0;
}

static int respond_error(srv *s, struct lws *wsi, struct pages_pss *p, int status, int err) {
  pages_error(site_of(s), status, err, &p->job->resp);
  if (!p->job->resp.body) return -1;
  return respond(wsi, p);
}

/* A page's cache key: its path, and the language when not Japanese. */
static const char *cache_key(const struct pages_job *j, char *buf, size_t size) {
  if (!j->lang) return j->path;
  snprintf(buf, size, "%s?lang=%s", j->path, bot_lang_name(j->lang));
  return buf;
}

/* The route's own question: is the page the same for everyone (cacheable)? */
static int cacheable_path(const char *path) {
  return strcmp(path, "/faq/search") != 0 && strncmp(path, "/faq/thanks/", 12) != 0 &&
         strcmp(path, "/faq/feedback") != 0;
}

/* Percent-decode (and '+' → space) s in place; -1 on a broken escape. */
static int form_decode(char *s) {
  char *o = s;
  for (char *c = s; *c; c++) {
    if (*c == '+') *o++ = ' ';
    else if (*c == '%') {
      int hi, lo;
      char h = c[1], l = h ? c[2] : 0;
      hi = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
      lo = l >= '0' && l <= '9' ? l - '0' : l >= 'a' && l <= 'f' ? l - 'a' + 10 : l >= 'A' && l <= 'F' ? l - 'A' + 10 : -1;
      if (hi < 0 || lo < 0) return -1;
      *o++ = (char)(hi * 16 + lo);
      c += 2;
    } else *o++ = *c;
  }
  *o = '\0';
  return 0;
}

/* Read the query arguments q and helpful. lws has percent-decoded each
 * argument already. 0, or the MG_E* the request deserves. */
static int read_args(struct lws *wsi, struct pages_job *j) {
  int total = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS), n;
  char *frag;
  int rc = 0;
  if (total <= 0) return 0;
  if (!(frag = malloc((size_t)total + 1))) return MG_ENOMEM;
  for (int i = 0; (n = lws_hdr_copy_fragment(wsi, frag, total + 1, WSI_TOKEN_HTTP_URI_ARGS, i)) >= 0; i++) {
    if (mg_utf8_count(frag, (size_t)n) < 0) { rc = MG_EBADUTF8; break; }
    if (strncmp(frag, "q=", 2) == 0 && !j->q) {
      for (char *c = frag + 2; *c; c++)
        if (*c == '+') *c = ' ';   /* a form's spaces (lws leaves '+' as it came) */
      if (mg_utf8_count(frag + 2, strlen(frag + 2)) > MG_TEXT_MAX) { rc = MG_ETOOLONG; break; }
      if (!(j->q = strdup(frag + 2))) { rc = MG_ENOMEM; break; }
    } else if (strncmp(frag, "lang=", 5) == 0) {
      int l = bot_lang_parse(frag + 5);
      j->lang = l > 0 ? l : 0; /* an unknown language shows the Japanese page */
    } else if (strcmp(frag, "helpful=1") == 0) j->helpful = 1;
    else if (strcmp(frag, "helpful=0") == 0) j->helpful = 0;
  }
  free(frag);
  return rc;
}

/* The feedback form: id=…&helpful=0|1 (application/x-www-form-urlencoded). */
static int read_form(struct pages_pss *p) {
  char *save, *tok;
  if (!p->body) return MG_EMISSING;
  p->body[p->body_len] = '\0';
  if (memchr(p->body, '\0', p->body_len)) return MG_EINVAL;
  for (tok = strtok_r((char *)p->body, "&", &save); tok; tok = strtok_r(NULL, "&", &save)) {
    if (form_decode(tok) != 0) return MG_EINVAL;
    if (mg_utf8_count(tok, strlen(tok)) < 0) return MG_EBADUTF8;
    if (strncmp(tok, "id=", 3) == 0 && strlen(tok + 3) < sizeof p->job->id) snprintf(p->job->id, sizeof p->job->id, "%s", tok + 3);
    else if (strcmp(tok, "helpful=1") == 0) p->job->helpful = 1;
    else if (strcmp(tok, "helpful=0") == 0) p->job->helpful = 0;
  }
  return p->job->id[0] && p->job->helpful >= 0 ? 0 : MG_EMISSING;
}

/* A browser's POST must come from our own pages: an Origin naming the Host
 * it was sent to, or public_base_url's origin (behind a proxy). No Origin
 * (not a browser) passes. */
static int origin_ok(srv *s, struct lws *wsi) {
  char origin[256];
  const char *base = s->cfg->public_base_url, *host;
  size_t blen;
  int n = lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN);
  if (n <= 0) return 1;
  if ((size_t)n >= sizeof origin || lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN) < 0) return 0;
  if (srv_same_origin(wsi, origin)) return 1;
  host = strstr(base, "://");
  blen = host ? (size_t)(strcspn(host + 3, "/") + (size_t)(host + 3 - base)) : 0;
  return blen && strlen(origin) == blen && strncasecmp(origin, base, blen) == 0;
}

static int submit(srv *s, struct lws *wsi, struct pages_pss *p) {
  srv_job *j = calloc(1, sizeof *j);
  if (!j) return respond_error(s, wsi, p, 503, MG_ENOMEM);
  j->ops = &page_ops;
  j->data = p->job;
  j->req = p->job->req = mg_log_new_request_id();
  p->job->gen = bot_faq_generation(s->bot);
  if (!(p->id = srv_conn_add(s, wsi, 0))) {
    j->data = NULL;
    srv_job_free(j);
    return respond_error(s, wsi, p, 503, MG_EBUSY);
  }
  j->conn = p->id;
  if (srv_submit(s, j) != 0) {
    j->data = NULL;
    srv_job_free(j);
    srv_conn_del(s, p->id);
    p->id = 0;
    return respond_error(s, wsi, p, 503, MG_EBUSY);
  }
  p->job = NULL;   /* the job owns it until it comes back */
  return 0;
}

static int on_request(srv *s, struct lws *wsi, struct pages_pss *p) {
  struct pages_job *j;
  struct srv_ip *r;
  char key[600], clen[32] = "";
  long long n = 0;
  int bad, rc, post;

  pss_clear(s, p);
  p->wsi = wsi;
  p->t0 = srv_now_us();
  if (!(j = p->job = calloc(1, sizeof *j))) return -1;
  j->helpful = -1;
  srv_client_ip(s, wsi, j->ip, sizeof j->ip);
  if (srv_method(wsi, j->method, sizeof j->method, j->path, sizeof j->path) < 0) {
    snprintf(j->path, sizeof j->path, "(too long)");
    return respond_error(s, wsi, p, 414, MG_ETOOLONG);
  }
  p->head = strcmp(j->method, "HEAD") == 0;
  post = strcmp(j->method, "POST") == 0;
  if ((bad = srv_header_problem(wsi)) != 0) return respond_error(s, wsi, p, bad, bad == 431 ? MG_EFRAME : MG_EINVAL);
  if (s->stopping) return respond_error(s, wsi, p, 503, MG_EBUSY);
  if (mg_utf8_count(j->path, strlen(j->path)) < 0) {
    snprintf(j->path, sizeof j->path, "(not UTF-8)");
    return respond_error(s, wsi, p, 400, MG_EBADUTF8);
  }
  if (strcmp(j->path, "/faq/feedback") == 0) {
    if (!post) {
      respond_error(s, wsi, p, 405, MG_EINVAL);
      p->job->resp.allow = "POST";
      return 0;
    }
    if (!origin_ok(s, wsi)) return respond_error(s, wsi, p, 403, MG_EFORBIDDEN);
    if (lws_hdr_copy(wsi, clen, sizeof clen, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0) n = atoll(clen);
    if (n <= 0) return respond_error(s, wsi, p, 400, MG_EMISSING);
    if (n > PAGES_MAX_BODY) return respond_error(s, wsi, p, 413, MG_EFRAME);
    if (!(r = srv_ip_get(s, j->ip)) || srv_ip_take(s, r) != 0) {
      p->body_over = 2;           /* read the body through, then 429 */
    }
    p->reading = 1;
    return 0;   /* the body follows */
  }
  if (strcmp(j->method, "GET") != 0 && !p->head) return respond_error(s, wsi, p, 405, MG_EINVAL);
  if ((rc = read_args(wsi, j)) != 0) return respond_error(s, wsi, p, rc == MG_ENOMEM ? 503 : 400, rc);
  if (cacheable_path(j->path) &&
      cache_get(cache_of(s), cache_key(j, key, sizeof key), bot_faq_generation(s->bot), &j->resp)) {
    snprintf(p->timing, sizeof p->timing, "cache;dur=%.3f", (double)(srv_now_us() - p->t0) / 1000.0);
    return respond(wsi, p);
  }
  if (strcmp(j->path, "/faq/search") == 0 && j->q && *j->q && (!(r = srv_ip_get(s, j->ip)) || srv_ip_take(s, r) != 0))
    return respond_error(s, wsi, p, 429, MG_ERATE);
  return submit(s, wsi, p);
}

/* ---- worker and completion (called from server.c) ------------------------------ */

static void page_work(srv *s, bot_worker *w, srv_job *j) {
  struct pages_job *pj = j->data;
  pages_req req = { .method = pj->method, .path = pj->path, .q = pj->q, .id = pj->id, .helpful = pj->helpful,
                    .lang = pj->lang };
  char err[MG_ERRLEN] = "";
  int64_t t0 = srv_now_us();
  int rc = pages_handle(site_of(s), w, &req, &pj->resp, err);
  pj->render_ms = (double)(srv_now_us() - t0) / 1000.0;
  if (rc != 0) {
    if (srv_metrics_db_failed(rc)) srv_metrics_db_error(s->metrics);
    mg_log_error("pages", "%s %s: %s", pj->method, pj->path, err);
  }
}

static void page_complete(srv *s, srv_job *j) {
  struct lws *wsi = srv_conn_get(s, j->conn);
  struct pages_pss *p;
  struct pages_job *pj = j->data;
  char key[600];
  if (pj && pj->resp.cacheable && pj->resp.status == 200 && pj->resp.body)
    cache_put(cache_of(s), cache_key(pj, key, sizeof key), pj->gen, &pj->resp);
  if (!wsi) return;   /* the client left; srv_drain frees the job */
  srv_conn_del(s, j->conn);
  p = lws_wsi_user(wsi);
  if (!p) return;
  p->id = 0;
  pages_http_job_free(p->job);
  p->job = pj;
  j->data = NULL;
  if (!p->job->resp.body) {
    pages_error(site_of(s), 500, MG_EIO, &p->job->resp);
    if (!p->job->resp.body) {
      lws_set_timeout(wsi, PENDING_TIMEOUT_HOLDING_AH, LWS_TO_KILL_ASYNC);
      return;
    }
  }
  snprintf(p->timing, sizeof p->timing, "render;dur=%.3f", p->job->render_ms);
  respond(wsi, p);
}

static int add_header(struct lws *wsi, const char *name, const char *value, unsigned char **pp, unsigned char *end) {
  return lws_add_http_header_by_name(wsi, (const unsigned char *)name, (const unsigned char *)value,
                                     (int)strlen(value), pp, end);
}

static int write_response(struct lws *wsi, struct pages_pss *p) {
  pages_resp *r = &p->job->resp;
  if (!p->headers_sent) {
    unsigned char buf[LWS_PRE + 3072], *start = buf + LWS_PRE, *ptr = start, *end = buf + sizeof buf - 1;
    if (lws_add_http_common_headers(wsi, (unsigned)r->status, r->ctype, r->len, &ptr, end) ||
        add_header(wsi, "content-security-policy:", SRV_RESIDENT_CSP "; frame-ancestors 'self'", &ptr, end) ||
        add_header(wsi, "x-content-type-options:", "nosniff", &ptr, end) ||
        add_header(wsi, "referrer-policy:", "same-origin", &ptr, end) ||
        add_header(wsi, "cache-control:", "no-cache", &ptr, end))
      return -1;
    if (p->timing[0] && add_header(wsi, "server-timing:", p->timing, &ptr, end)) return -1;
    if (r->location[0] && add_header(wsi, "location:", r->location, &ptr, end)) return -1;
    if (r->allow && add_header(wsi, "allow:", r->allow, &ptr, end)) return -1;
    if (r->status == 429 && add_header(wsi, "retry-after:", "1", &ptr, end)) return -1;
    if (lws_finalize_write_http_header(wsi, start, &ptr, end)) return -1;
    p->headers_sent = 1;
    if (r->len && !p->head) {
      lws_callback_on_writable(wsi);
      return 0;
    }
  } else if (p->sent < r->len) {
    int done = srv_write_body(wsi, (const unsigned char *)r->body, r->len, &p->sent);
    if (done <= 0) return done;
  }
  mg_log_access("pages", p->job->method, p->job->path, r->status, p->head ? 0 : r->len,
                (double)(srv_now_us() - p->t0) / 1000.0, p->job->ip, p->job->req);
  pages_http_job_free(p->job);
  p->job = NULL;
  p->writing = p->headers_sent = 0;
  p->sent = 0;
  if (p->head) return -1;   /* no body went out after its length: start afresh */
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int pages_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
  struct pages_pss *p = user;
  srv *s;
  switch (reason) {
  case LWS_CALLBACK_FILTER_HTTP_CONNECTION:   /* a keep-alive request after one of ours */
    srv_tcp_headers_done(srv_of(wsi), wsi);
    return 0;

  case LWS_CALLBACK_HTTP:
    s = srv_of(wsi);
    if (!site_of(s)) return lws_return_http_status(wsi, 404, NULL) ? -1 : 1;
    return on_request(s, wsi, p);

  case LWS_CALLBACK_HTTP_BODY:
    if (!p || !p->reading || !p->job) return 0;
    if (p->body_over || p->body_len + len > PAGES_MAX_BODY) {
      if (!p->body_over) p->body_over = 1;
      return 0;
    }
    return srv_body_append(&p->body, &p->body_len, in, len);

  case LWS_CALLBACK_HTTP_BODY_COMPLETION: {
    int rc;
    if (!p || !p->reading) return 0;
    s = srv_of(wsi);
    p->reading = 0;
    if (p->body_over == 2) return respond_error(s, wsi, p, 429, MG_ERATE);
    if (p->body_over) return respond_error(s, wsi, p, 413, MG_EFRAME);
    if ((rc = read_form(p)) != 0) return respond_error(s, wsi, p, 400, rc);
    return submit(s, wsi, p);
  }

  case LWS_CALLBACK_HTTP_WRITEABLE:
    if (!p || !p->writing || !p->job) return 0;
    return write_response(wsi, p);

  case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
  case LWS_CALLBACK_CLOSED_HTTP:
    if (p) pss_clear(srv_of(wsi), p);
    return 0;

  default:
    break;
  }
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static void job_release(void *data) { pages_http_job_free(data); }

static const srv_job_ops page_ops = { .name = "page", .work = page_work, .complete = page_complete,
                                      .release = job_release };

static int pages_on(const mg_config *cfg) { return cfg->pages; }

const srv_adapter pages_http_adapter = {
  .name = "pages",
  .protocol = PAGES_PROTOCOL,
  .callback = pages_callback,
  .pss_size = pages_pss_size,
  .mounts = &pages_mounts,
  .mounts_on = pages_on,
  .start = start,
  .free = free_state,
};
