/*
 * admin_faq.c — FAQ curation endpoints of the admin API.
 *
 * The console edits the FAQ only through faq/store.h, so the rules of
 * revisions hold here too: an edit adds a draft revision and leaves the
 * published text answering; publish moves the pointer (and the FTS5 triggers
 * index the new text at once); rollback copies an old revision into a new
 * one and publishes it, so history only ever grows and a rollback can itself
 * be rolled back. Each change and its audit row commit in one transaction.
 *
 * "Unanswered" shows the groups of bot/unanswered.h (questions the bot could
 * not answer, grouped by similarity) and lets staff close or merge them.
 */
#define _GNU_SOURCE /* open_memstream, mkstemp */
#include "adapters/admin_int.h"
#include "bot/checklist.h"
#include "faq/analyze.h"
#include "bot/audit.h"
#include "faq/db.h"
#include "faq/io.h"
#include "util/mg_err.h"
#include "bot/mask.h"
#include "util/mg_utf8.h"
#include "faq/store.h"
#include "faq/termmap.h"
#include "bot/unanswered.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define UNANSWERED_GROUPS 100    /* groups returned by default */
#define UNANSWERED_GROUPS_MAX 500 /* groups one page may ask for */
#define DIFF_MAX_CELLS 4000000   /* larger texts are diffed line by line */

/* ---- JSON of entries ------------------------------------------------------ */

static json_t *strv_json(char **v, int n) {
  json_t *a = json_array();
  for (int i = 0; a && i < n; i++) json_array_append_new(a, json_string(v[i]));
  return a;
}

static json_t *entry_json(const mg_faq_entry *e) {
  json_t *o = json_pack("{ss si si ss ss ss so so so ss s{ss ss} ss ss ss ss}", "id", e->id, "version", e->version,
                   "published_version", e->published_version, "status", e->status, "question", e->question,
                   "answer", e->answer, "alternates", strv_json(e->alternates, e->n_alternates), "keywords",
                   strv_json(e->keywords, e->n_keywords), "related", strv_json(e->related, e->n_related),
                   "category", e->category, "department", "id", e->department_id, "name",
                   e->dept.name ? e->dept.name : "", "url", e->url, "online_url", e->online_url ? e->online_url : "",
                   "updated_at", e->updated_at, "updated_by", e->updated_by);
  /* the checklist fields (online_url is above), "" when none */
  for (int i = 1; o && i < FAQ_N_KEPT; i++) {
    const char *v = *faq_kept_field((mg_faq_entry *)e, i);
    json_object_set_new(o, faq_kept_key[i], json_string(v ? v : ""));
  }
  /* the English and やさしい日本語 versions (docs/languages.md) */
  for (int t = 0; o && t < MG_FAQ_NTR; t++) json_object_set_new(o, faq_tr_name(t), json_string(e->tr[t] ? e->tr[t] : ""));
  return o;
}

/* Short form for lists and the audit log. */
static json_t *entry_brief(const mg_faq_entry *e) {
  return json_pack("{ss si si ss ss ss ss ss ss}", "id", e->id, "version", e->version, "published_version",
                   e->published_version, "status", e->status, "question", e->question, "category", e->category,
                   "department", e->department_id, "updated_at", e->updated_at, "updated_by", e->updated_by);
}

/* ---- reading ---------------------------------------------------------------- */

static int list_one(void *ctx, const mg_faq_entry *e) {
  return json_array_append_new(ctx, entry_brief(e)) ? MG_ENOMEM : 0;
}

int admin_h_faq_list(admin_ctx *c) {
  char dept[64], cat[128], status[32], q[512];
  mg_faq_filter f = { 0 };
  json_t *arr = json_array();
  int rc;
  if (admin_query(c, "department", dept, sizeof dept)) f.department = dept;
  if (admin_query(c, "category", cat, sizeof cat)) f.category = cat;
  if (admin_query(c, "status", status, sizeof status)) f.status = status;
  if (admin_query(c, "q", q, sizeof q)) f.search = q;
  int offset, limit, total;
  if ((rc = faq_list(c->db, &f, list_one, arr, c->err))) {
    json_decref(arr);
    return rc == MG_EDB ? rc : admin_reply_error(c, 0, rc, c->err);
  }
  admin_paging(c, &offset, &limit, 500, 2000);
  total = (int)json_array_size(arr);
  return admin_reply_json(c, 200, json_pack("{so si si si}", "entries", admin_slice(arr, offset, limit), "total", total,
                                            "offset", offset, "limit", limit));
}

static int dept_one(void *ctx, const mg_department *d) {
  return json_array_append_new(ctx, json_pack("{ss ss ss ss ss ss}", "id", d->id, "name", d->name, "phone", d->phone,
                                              "email", d->email, "hours", d->hours, "location", d->location))
           ? MG_ENOMEM : 0;
}

int admin_h_departments(admin_ctx *c) {
  json_t *arr = json_array();
  int rc = faq_department_list(c->db, dept_one, arr, c->err);
  if (rc) { json_decref(arr); return rc; }
  return admin_reply_json(c, 200, json_pack("{so}", "departments", arr));
}

/* GET /translations: published entries without their English or やさしい日本語
 * version (question and answer both), with counts per department, so each
 * department sees what is left to write (docs/admin-api.md). */
struct missing { json_t *entries, *depts; const char *only; };

static int missing_one(void *ctx, const mg_faq_entry *e) {
  struct missing *m = ctx;
  const char *dept = e->department_id && *e->department_id ? e->department_id : "";
  int no_en = !*e->tr[MG_FAQ_TR_QUESTION_EN] || !*e->tr[MG_FAQ_TR_ANSWER_EN];
  int no_easy = !*e->tr[MG_FAQ_TR_QUESTION_EASY] || !*e->tr[MG_FAQ_TR_ANSWER_EASY];
  json_t *d = json_object_get(m->depts, dept);
  if (!d) {
    if (!(d = json_pack("{ss ss si si si}", "department", dept, "name", e->dept.name ? e->dept.name : "", "published", 0,
                        "missing_en", 0, "missing_easy", 0)) || json_object_set_new(m->depts, dept, d))
      return MG_ENOMEM;
  }
  json_object_set_new(d, "published", json_integer(json_integer_value(json_object_get(d, "published")) + 1));
  json_object_set_new(d, "missing_en", json_integer(json_integer_value(json_object_get(d, "missing_en")) + no_en));
  json_object_set_new(d, "missing_easy", json_integer(json_integer_value(json_object_get(d, "missing_easy")) + no_easy));
  if ((no_en || no_easy) && (!m->only || strcmp(m->only, dept) == 0) &&
      json_array_append_new(m->entries, json_pack("{ss ss ss sb sb}", "id", e->id, "question", e->question, "department",
                                                  dept, "missing_en", no_en, "missing_easy", no_easy)))
    return MG_ENOMEM;
  return 0;
}

int admin_h_translations(admin_ctx *c) {
  char dept[64];
  mg_faq_filter f = { .published_text = 1 };
  struct missing m = { json_array(), json_object(), admin_query(c, "department", dept, sizeof dept) ? dept : NULL };
  json_t *per = json_array(), *d;
  const char *k;
  int rc, offset, limit, total;
  if (!m.entries || !m.depts || !per) { rc = MG_ENOMEM; goto fail; }
  if ((rc = faq_list(c->db, &f, missing_one, &m, c->err)) != 0) goto fail;
  json_object_foreach(m.depts, k, d) json_array_append(per, d);
  json_decref(m.depts);
  admin_paging(c, &offset, &limit, 500, 2000);
  total = (int)json_array_size(m.entries);
  return admin_reply_json(c, 200, json_pack("{so so si si si}", "departments", per, "entries",
                                            admin_slice(m.entries, offset, limit), "total", total, "offset", offset,
                                            "limit", limit));
fail:
  json_decref(m.entries);
  json_decref(m.depts);
  json_decref(per);
  return rc == MG_EDB ? rc : admin_reply_error(c, 0, rc, c->err);
}

/* Entry args[0] at `which`, or an answered 404 (returns 1 then). */
static int get_or_404(admin_ctx *c, int which, mg_faq_entry **e, int *rc) {
  *rc = faq_get(c->db, c->args[0], which, e, c->err);
  if (*rc == MG_ENOTFOUND) { *rc = admin_reply_error(c, 404, MG_ENOTFOUND, c->err); return 1; }
  return *rc != 0;
}

int admin_h_faq_get(admin_ctx *c) {
  mg_faq_entry *e = NULL, *pub = NULL, *v = NULL;
  json_t *versions = json_array(), *out = NULL;
  int rc;
  if (get_or_404(c, MG_FAQ_LATEST, &e, &rc)) goto out;
  if (e->published_version && (rc = faq_get(c->db, c->args[0], MG_FAQ_PUBLISHED, &pub, c->err))) goto out;
  for (int n = e->version; n >= 1; n--) {
    if ((rc = faq_get(c->db, c->args[0], n, &v, c->err))) goto out;
    json_array_append_new(versions, json_pack("{si ss ss sb}", "version", n, "updated_at", v->updated_at,
                                              "updated_by", v->updated_by, "published", n == e->published_version));
    faq_entry_free(v);
    v = NULL;
  }
  out = json_pack("{so so so}", "entry", entry_json(e), "published", pub ? entry_json(pub) : json_null(),
                  "versions", versions);
  versions = NULL;
  rc = admin_reply_json(c, 200, out);
out:
  json_decref(versions);
  faq_entry_free(e);
  faq_entry_free(pub);
  faq_entry_free(v);
  return rc;
}

int admin_h_faq_version(admin_ctx *c) {
  mg_faq_entry *e = NULL;
  int n = atoi(c->args[1]), rc;
  if (n <= 0) return admin_reply_error(c, 400, MG_EINVAL, "版は1以上の数で指定してください");
  if (get_or_404(c, n, &e, &rc)) return rc;
  rc = admin_reply_json(c, 200, json_pack("{so}", "entry", entry_json(e)));
  faq_entry_free(e);
  return rc;
}

/* ---- diff ------------------------------------------------------------------- */

/* Split UTF-8 text into units: code points, or lines (with their newline). */
static int units(const char *s, int lines, const char ***start, int **len) {
  int n = 0, cap = 16;
  *start = malloc(cap * sizeof **start);
  *len = malloc(cap * sizeof **len);
  if (!*start || !*len) return -1;
  for (const char *p = s; *p;) {
    const char *q = p + 1;
    if (lines) { while (*q && q[-1] != '\n') q++; }
    else while ((*q & 0xC0) == 0x80) q++;
    if (n == cap) {
      cap *= 2;
      const char **ns = realloc(*start, cap * sizeof **start);
      int *nl = ns ? realloc(*len, cap * sizeof **len) : NULL;
      if (ns) *start = ns;
      if (!nl) return -1;
      *len = nl;
    }
    (*start)[n] = p;
    (*len)[n] = (int)(q - p);
    n++;
    p = q;
  }
  return n;
}

/* Append text to the last op when it has the same kind, else a new op. */
static void push_op(json_t *ops, const char *op, const char *text, int len) {
  size_t n = json_array_size(ops);
  json_t *last = n ? json_array_get(ops, n - 1) : NULL;
  if (last && strcmp(json_string_value(json_object_get(last, "op")), op) == 0) {
    const char *old = json_string_value(json_object_get(last, "text"));
    size_t ol = strlen(old);
    char *joined = malloc(ol + (size_t)len + 1);
    if (!joined) return;
    memcpy(joined, old, ol);
    memcpy(joined + ol, text, (size_t)len);
    joined[ol + (size_t)len] = '\0';
    json_object_set_new(last, "text", json_string(joined));
    free(joined);
    return;
  }
  json_array_append_new(ops, json_pack("{ss ss#}", "op", op, "text", text, (size_t)len));
}

/* A character diff of Japanese text matches stray common characters (の, を,
 * ン) inside a rewritten passage and shreds it into confetti. Equal runs of
 * at most DIFF_SHORT_EQUAL code points between two changes are folded into
 * the change, so a reader sees one deleted and one inserted phrase. */
#define DIFF_SHORT_EQUAL 2
struct sbuf { char *s; size_t len, cap; };

static int sbuf_add(struct sbuf *b, const char *text) {
  size_t n = strlen(text);
  if (b->len + n + 1 > b->cap) {
    size_t cap = (b->len + n + 1) * 2;
    char *s = realloc(b->s, cap);
    if (!s) return -1;
    b->s = s, b->cap = cap;
  }
  memcpy(b->s + b->len, text, n + 1);
  b->len += n;
  return 0;
}

/* Push the pending deletion and insertion (in that order) and empty them. */
static void flush_change(json_t *out, struct sbuf *del, struct sbuf *ins) {
  if (del->len) push_op(out, "-", del->s, (int)del->len);
  if (ins->len) push_op(out, "+", ins->s, (int)ins->len);
  del->len = ins->len = 0;
}

static json_t *cleanup(json_t *ops) {
  json_t *out = json_array(), *op;
  struct sbuf del = { 0 }, ins = { 0 };
  size_t i, n = json_array_size(ops);
  int pending = 0, fail = !out;
  json_array_foreach(ops, i, op) {
    const char *kind = json_string_value(json_object_get(op, "op")), *text = json_string_value(json_object_get(op, "text"));
    int cps = 0;
    if (fail) break;
    if (strcmp(kind, "=") != 0) {
      fail = sbuf_add(kind[0] == '-' ? &del : &ins, text) != 0;
      pending = 1;
      continue;
    }
    for (const char *p = text; *p; p++) cps += (*p & 0xC0) != 0x80;
    if (pending && i + 1 < n && cps <= DIFF_SHORT_EQUAL) {
      fail = sbuf_add(&del, text) || sbuf_add(&ins, text);
      continue;
    }
    flush_change(out, &del, &ins);
    pending = 0;
    push_op(out, "=", text, (int)strlen(text));
  }
  if (!fail) flush_change(out, &del, &ins);
  free(del.s);
  free(ins.s);
  if (fail) { json_decref(out); return ops; }
  json_decref(ops);
  return out;
}

json_t *admin_diff(const char *a, const char *b) {
  const char **as = NULL, **bs = NULL;
  int *al = NULL, *bl = NULL, n, m, lines = 0;
  int *dp = NULL;
  json_t *ops = json_array();
  a = a ? a : "";
  b = b ? b : "";
again:
  n = units(a, lines, &as, &al);
  m = units(b, lines, &bs, &bl);
  if (n < 0 || m < 0) goto out;
  if ((long long)(n + 1) * (m + 1) > DIFF_MAX_CELLS) {
    if (!lines) {
      free(as); free(al); free(bs); free(bl);
      as = bs = NULL; al = bl = NULL;
      lines = 1;
      goto again;
    }
    push_op(ops, "-", a, (int)strlen(a));
    push_op(ops, "+", b, (int)strlen(b));
    goto out;
  }
  /* dp[i][j] = length of the longest common subsequence of a[i..] and b[j..] */
  dp = calloc((size_t)(n + 1) * (m + 1), sizeof *dp);
  if (!dp) goto out;
#define DP(i, j) dp[(size_t)(i) * (m + 1) + (j)]
  for (int i = n - 1; i >= 0; i--)
    for (int j = m - 1; j >= 0; j--)
      DP(i, j) = al[i] == bl[j] && memcmp(as[i], bs[j], al[i]) == 0 ? DP(i + 1, j + 1) + 1
               : DP(i + 1, j) >= DP(i, j + 1) ? DP(i + 1, j) : DP(i, j + 1);
  {
    int i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && al[i] == bl[j] && memcmp(as[i], bs[j], al[i]) == 0) {
        push_op(ops, "=", as[i], al[i]); i++; j++;
      } else if (j < m && (i == n || DP(i, j + 1) >= DP(i + 1, j))) {
        push_op(ops, "+", bs[j], bl[j]); j++;
      } else {
        push_op(ops, "-", as[i], al[i]); i++;
      }
    }
  }
#undef DP
  ops = cleanup(ops);
out:
  free(dp);
  free(as); free(al); free(bs); free(bl);
  return ops;
}

static char *joined(char **v, int n) {
  size_t len = 1;
  for (int i = 0; i < n; i++) len += strlen(v[i]) + 1;
  char *s = malloc(len), *p = s;
  if (!s) return NULL;
  for (int i = 0; i < n; i++) p += sprintf(p, "%s%s", i ? "\n" : "", v[i]);
  *p = '\0';
  return s;
}

int admin_h_faq_diff(admin_ctx *c) {
  char from_s[16], to_s[16];
  mg_faq_entry *latest = NULL, *a = NULL, *b = NULL;
  json_t *fields = NULL;
  int rc, from, to;
  if (get_or_404(c, MG_FAQ_LATEST, &latest, &rc)) return rc;
  to = admin_query(c, "to", to_s, sizeof to_s) ? atoi(to_s) : latest->version;
  from = admin_query(c, "from", from_s, sizeof from_s) ? atoi(from_s)
       : latest->published_version && latest->published_version != to ? latest->published_version : to - 1;
  if (from <= 0 || to <= 0) { rc = admin_reply_error(c, 400, MG_EINVAL, "from と to には版の番号を指定してください"); goto out; }
  if (get_or_404(c, from, &a, &rc) || get_or_404(c, to, &b, &rc)) goto out;
  fields = json_array();
  {
    char *aa = joined(a->alternates, a->n_alternates), *ba = joined(b->alternates, b->n_alternates);
    char *ak = joined(a->keywords, a->n_keywords), *bk = joined(b->keywords, b->n_keywords);
    char *ar = joined(a->related, a->n_related), *br = joined(b->related, b->n_related);
    enum { N_BASE = 8, N_FIELDS = N_BASE + FAQ_N_KEPT + MG_FAQ_NTR };
    const char *names[N_FIELDS] = { "question", "answer", "alternates", "keywords", "related", "category", "department", "url" };
    const char *av[N_FIELDS] = { a->question, a->answer, aa, ak, ar, a->category, a->department_id, a->url };
    const char *bv[N_FIELDS] = { b->question, b->answer, ba, bk, br, b->category, b->department_id, b->url };
    for (int i = 0; i < FAQ_N_KEPT; i++) /* online_url and the checklist fields */
      names[N_BASE + i] = faq_kept_key[i], av[N_BASE + i] = *faq_kept_field(a, i), bv[N_BASE + i] = *faq_kept_field(b, i);
    for (int t = 0; t < MG_FAQ_NTR; t++) /* the translations */
      names[N_BASE + FAQ_N_KEPT + t] = faq_tr_name(t), av[N_BASE + FAQ_N_KEPT + t] = a->tr[t],
      bv[N_BASE + FAQ_N_KEPT + t] = b->tr[t];
    for (int i = 0; i < N_FIELDS; i++) {
      const char *x = av[i] ? av[i] : "", *y = bv[i] ? bv[i] : "";
      json_array_append_new(fields, json_pack("{ss sb so}", "field", names[i], "changed", strcmp(x, y) != 0,
                                              "ops", admin_diff(x, y)));
    }
    free(aa); free(ba); free(ak); free(bk); free(ar); free(br);
  }
  rc = admin_reply_json(c, 200, json_pack("{ss si si so}", "id", c->args[0], "from", from, "to", to,
                                          "fields", fields));
out:
  faq_entry_free(latest);
  faq_entry_free(a);
  faq_entry_free(b);
  return rc;
}

/* ---- changes ---------------------------------------------------------------- */

/* Lines of a body field (an array of strings, or one string with newlines). */
static int body_lines(const admin_ctx *c, const char *key, char ***out) {
  json_t *v = json_object_get(c->body, key);
  if (json_is_string(v)) return faq_strv_split(json_string_value(v), out);
  if (json_is_array(v)) {
    size_t n = json_array_size(v), k = 0;
    char **arr = calloc(n + 1, sizeof *arr);
    if (!arr) return MG_ENOMEM;
    for (size_t i = 0; i < n; i++) {
      const char *s = json_string_value(json_array_get(v, i));
      if (!s || !*s) continue;
      if (!(arr[k] = strdup(s))) { faq_strv_free(arr, (int)k); return MG_ENOMEM; }
      k++;
    }
    *out = arr;
    return (int)k;
  }
  return MG_EINVAL;
}

struct change {
  admin_ctx *c;
  mg_faq_entry e;        /* new content (strings borrowed or owned below) */
  char **alt, **kw, **rel; /* owned arrays */
  int n_alt, n_kw, n_rel;
  int publish;           /* put: publish too */
  int version;           /* publish: the version */
  const char *action;    /* audit action */
  char detail[64];
  int changed;
};

static void change_free(struct change *ch) {
  faq_strv_free(ch->alt, ch->n_alt);
  faq_strv_free(ch->kw, ch->n_kw);
  faq_strv_free(ch->rel, ch->n_rel);
}

/* Fill ch->e from base (may be NULL) overlaid with the body's fields. */
static int change_from_body(struct change *ch, const mg_faq_entry *base, const char *id) {
  admin_ctx *c = ch->c;
  const char *dept = admin_body_str(c, "department");
  json_t *dv = json_object_get(c->body, "department");
  int n;
  if (json_is_object(dv)) dept = json_string_value(json_object_get(dv, "id"));
  memset(&ch->e, 0, sizeof ch->e);
  ch->e.id = (char *)id;
  ch->e.question = (char *)(admin_body_str(c, "question") ? admin_body_str(c, "question") : base ? base->question : "");
  ch->e.answer = (char *)(admin_body_str(c, "answer") ? admin_body_str(c, "answer") : base ? base->answer : "");
  ch->e.category = (char *)(admin_body_str(c, "category") ? admin_body_str(c, "category") : base ? base->category : "");
  ch->e.department_id = (char *)(dept ? dept : base ? base->department_id : "");
  ch->e.url = (char *)(admin_body_str(c, "url") ? admin_body_str(c, "url") : base ? base->url : "");
  /* online_url and the checklist fields: absent (NULL), the entry keeps its own */
  for (int i = 0; i < FAQ_N_KEPT; i++) *faq_kept_field(&ch->e, i) = (char *)admin_body_str(c, faq_kept_key[i]);
  for (int t = 0; t < MG_FAQ_NTR; t++) ch->e.tr[t] = (char *)admin_body_str(c, faq_tr_name(t)); /* NULL: kept */
  if (json_object_get(c->body, "alternates")) {
    if ((n = body_lines(c, "alternates", &ch->alt)) < 0) return n;
    ch->n_alt = n;
    ch->e.alternates = ch->alt, ch->e.n_alternates = n;
  } else if (base) ch->e.alternates = base->alternates, ch->e.n_alternates = base->n_alternates;
  if (json_object_get(c->body, "keywords")) {
    if ((n = body_lines(c, "keywords", &ch->kw)) < 0) return n;
    ch->n_kw = n;
    ch->e.keywords = ch->kw, ch->e.n_keywords = n;
  } else if (base) ch->e.keywords = base->keywords, ch->e.n_keywords = base->n_keywords;
  if (json_object_get(c->body, "related")) {
    if ((n = body_lines(c, "related", &ch->rel)) < 0) return n;
    ch->n_rel = n;
    for (int i = 0; i < n; i++) { /* ids as typed: "saijo-0002 " is saijo-0002 */
      char *p = ch->rel[i], *q = p + strlen(p);
      while (*p == ' ' || *p == '\t') p++;
      while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\r')) q--;
      memmove(ch->rel[i], p, (size_t)(q - p));
      ch->rel[i][q - p] = '\0';
    }
    ch->e.related = ch->rel, ch->e.n_related = n;
  } else if (base) ch->e.related = base->related, ch->e.n_related = base->n_related;
  return 0;
}

/* The related ids of e that old (NULL: none) does not list yet must name
 * entries that exist: a person just typed them. Ids kept from before are
 * not checked again — an entry removed since is simply not shown. Returns 0
 * or MG_EINVAL with the reason in err. */
static int check_new_related(sqlite3 *db, const mg_faq_entry *e, const mg_faq_entry *old, char *err) {
  mg_faq_entry fresh = { .id = e->id };
  char **v = calloc((size_t)e->n_related + 1, sizeof *v);
  int rc;
  if (!v) return mg_errf(err, MG_ENOMEM, "out of memory");
  for (int i = 0; i < e->n_related; i++) {
    int known = 0;
    for (int k = 0; old && k < old->n_related && !known; k++) known = strcmp(old->related[k], e->related[i]) == 0;
    if (!known) v[fresh.n_related++] = e->related[i];
  }
  fresh.related = v;
  rc = faq_related_check(db, &fresh, err);
  free(v);
  return rc;
}

/* Audit one change of entry id: before (may be NULL) and the entry as it is now. */
static int audit_entry(sqlite3 *db, struct change *ch, const char *id, json_t *before, char *err) {
  mg_faq_entry *now = NULL;
  json_t *after;
  int rc = faq_get(db, id, MG_FAQ_LATEST, &now, err);
  if (rc) return rc;
  after = entry_json(now);
  faq_entry_free(now);
  rc = bot_audit_write(db, ch->c->sess.user.login, ch->action, id, before, after, ch->detail[0] ? ch->detail : NULL,
                   err);
  json_decref(after);
  return rc;
}

/* Staff change their own department's entries only (attack review F7): the
 * entry as it is and as it would be must both be theirs, so an entry can
 * neither be changed across departments nor moved into or out of one.
 * Supervisors and admins change any. Returns 0 or MG_EFORBIDDEN. */
static int may_change(const admin_ctx *c, const mg_faq_entry *old, const char *new_dept, char *err) {
  const char *mine = c->sess.user.department_id;
  if (c->sess.user.role != AUTH_STAFF) return 0;
  if (old && strcmp(old->department_id ? old->department_id : "", mine) != 0)
    return mg_errf(err, MG_EFORBIDDEN, "%s belongs to department %s; staff change their own department's entries",
                   old->id, old->department_id && *old->department_id ? old->department_id : "(none)");
  if (new_dept && strcmp(new_dept, mine) != 0)
    return mg_errf(err, MG_EFORBIDDEN, "staff of %s cannot put an entry in department %s", mine,
                   *new_dept ? new_dept : "(none)");
  return 0;
}

static int put_tx(sqlite3 *db, void *ctx, char *err) {
  struct change *ch = ctx;
  mg_faq_entry *old = NULL;
  json_t *before = NULL;
  int rc = faq_get(db, ch->e.id, MG_FAQ_LATEST, &old, err);
  if (rc && rc != MG_ENOTFOUND) return rc;
  if ((rc = may_change(ch->c, old, ch->e.department_id ? ch->e.department_id : "", err)) ||
      (rc = check_new_related(db, &ch->e, old, err)) ||
      (ch->e.life_events && (rc = bot_cl_check(bot_checklists_of(bot_worker_bot(ch->c->w)), ch->e.life_events, err)))) {
    faq_entry_free(old);
    return rc;
  }
  if (old) before = entry_json(old);
  faq_entry_free(old);
  rc = faq_put_ex(db, &ch->e, ch->c->sess.user.login, ch->publish, &ch->changed, err);
  if (!rc && ch->changed) rc = audit_entry(db, ch, ch->e.id, before, err);
  json_decref(before);
  return rc;
}

/* Answer a change: the entry as it is now, or the store's error. */
static int change_reply(admin_ctx *c, struct change *ch, int rc, const char *id) {
  mg_faq_entry *e = NULL;
  if (rc == MG_EINVAL || rc == MG_ENOTFOUND || rc == MG_ECONFLICT || rc == MG_EFORBIDDEN)
    return admin_reply_error(c, 0, rc, c->err);
  if (rc) return rc;
  if (ch->publish || strcmp(ch->action, "faq.publish") == 0) {
    /* the engine sees the new published text before the next question */
    if ((rc = bot_refresh(c->w, c->err))) return rc;
  }
  if ((rc = faq_get(c->db, id, MG_FAQ_LATEST, &e, c->err))) return rc;
  rc = admin_reply_json(c, 200, json_pack("{so sb}", "entry", entry_json(e), "changed", ch->changed));
  faq_entry_free(e);
  return rc;
}

int admin_h_faq_create(admin_ctx *c) {
  struct change ch = { .c = c, .action = "faq.create" };
  const char *id = admin_body_str(c, "id");
  char next[64];
  mg_faq_entry *old = NULL;
  int rc;
  /* no id: the next free one ("saijo-0173" → "saijo-0174") */
  if (!id || !*id) {
    if ((rc = faq_next_id(c->db, next, sizeof next, c->err))) return rc;
    id = next;
  }
  rc = faq_get(c->db, id, MG_FAQ_LATEST, &old, c->err);
  faq_entry_free(old);
  if (rc == 0) return admin_reply_error(c, 409, MG_ECONFLICT, "このIDのFAQはすでにあります");
  if (rc != MG_ENOTFOUND) return rc;
  if ((rc = change_from_body(&ch, NULL, id))) { change_free(&ch); return admin_reply_error(c, 400, rc, "言い換え・キーワード・関連するFAQは文字列の配列で指定してください"); }
  rc = faq_db_tx(c->db, put_tx, &ch, c->err);
  rc = change_reply(c, &ch, rc, id);
  change_free(&ch);
  return rc;
}

int admin_h_faq_put(admin_ctx *c) {
  struct change ch = { .c = c, .action = "faq.edit" };
  mg_faq_entry *base = NULL;
  int rc;
  if (!c->body) return admin_reply_error(c, 400, MG_EMISSING, "JSON形式の本文が必要です");
  if (get_or_404(c, MG_FAQ_LATEST, &base, &rc)) return rc;
  if ((rc = change_from_body(&ch, base, c->args[0]))) {
    rc = admin_reply_error(c, 400, rc, "言い換え・キーワード・関連するFAQは文字列の配列で指定してください");
    goto out;
  }
  rc = faq_db_tx(c->db, put_tx, &ch, c->err);
  rc = change_reply(c, &ch, rc, c->args[0]);
out:
  change_free(&ch);
  faq_entry_free(base);
  return rc;
}

int admin_h_faq_alternate(admin_ctx *c) {
  struct change ch = { .c = c, .action = "faq.alternate" };
  const char *text = admin_body_str(c, "text");
  mg_faq_entry *base = NULL;
  int rc;
  if (!text || !*text || strchr(text, '\n')) return admin_reply_error(c, 400, MG_EMISSING, "言い換えは1行で入力してください");
  if (get_or_404(c, MG_FAQ_LATEST, &base, &rc)) return rc;
  for (int i = 0; i < base->n_alternates; i++)
    if (strcmp(base->alternates[i], text) == 0) {
      rc = admin_reply_json(c, 200, json_pack("{so sb}", "entry", entry_json(base), "changed", 0));
      goto out;
    }
  ch.alt = calloc((size_t)base->n_alternates + 2, sizeof *ch.alt);
  if (!ch.alt) { rc = mg_errf(c->err, MG_ENOMEM, "out of memory"); goto out; }
  for (int i = 0; i < base->n_alternates; i++) ch.alt[ch.n_alt++] = strdup(base->alternates[i]);
  ch.alt[ch.n_alt++] = strdup(text);
  ch.e = *base;
  ch.e.alternates = ch.alt;
  ch.e.n_alternates = ch.n_alt;
  ch.e.updated_at = NULL;
  ch.publish = admin_body_int(c, "publish", 0) != 0 || json_is_true(json_object_get(c->body, "publish"));
  rc = faq_db_tx(c->db, put_tx, &ch, c->err);
  rc = change_reply(c, &ch, rc, c->args[0]);
out:
  change_free(&ch);
  faq_entry_free(base);
  return rc;
}

static int publish_tx(sqlite3 *db, void *ctx, char *err) {
  struct change *ch = ctx;
  mg_faq_entry *old = NULL;
  json_t *before;
  int rc = faq_get(db, ch->c->args[0], MG_FAQ_LATEST, &old, err);
  if (rc) return rc;
  if ((rc = may_change(ch->c, old, NULL, err))) {
    faq_entry_free(old);
    return rc;
  }
  before = json_pack("{si}", "published_version", old->published_version);
  rc = faq_publish(db, ch->c->args[0], ch->version, ch->c->sess.user.login, err);
  if (!rc) {
    mg_faq_entry *now = NULL;
    if (!(rc = faq_get(db, ch->c->args[0], MG_FAQ_LATEST, &now, err))) {
      ch->changed = now->published_version != old->published_version;
      json_t *after = json_pack("{si}", "published_version", now->published_version);
      if (ch->changed) rc = bot_audit_write(db, ch->c->sess.user.login, "faq.publish", ch->c->args[0], before, after,
                                        NULL, err);
      json_decref(after);
    }
    faq_entry_free(now);
  }
  json_decref(before);
  faq_entry_free(old);
  return rc;
}

int admin_h_faq_publish(admin_ctx *c) {
  struct change ch = { .c = c, .action = "faq.publish" };
  ch.version = (int)admin_body_int(c, "version", 0);
  return change_reply(c, &ch, faq_db_tx(c->db, publish_tx, &ch, c->err), c->args[0]);
}

/* A rollback publishes only an entry that is live (the usual case: take a
 * wrong text back at once); a draft entry stays a draft. */
int admin_h_faq_rollback(admin_ctx *c) {
  struct change ch = { .c = c, .action = "faq.rollback" };
  mg_faq_entry *old = NULL, *now = NULL;
  int n = (int)admin_body_int(c, "version", 0), rc;
  if (n <= 0) return admin_reply_error(c, 400, MG_EMISSING, "戻す版（version）を指定してください");
  if (get_or_404(c, MG_FAQ_LATEST, &now, &rc)) return rc;
  ch.publish = now->published_version > 0;
  faq_entry_free(now);
  if (get_or_404(c, n, &old, &rc)) return rc;
  ch.e = *old;
  ch.e.updated_at = NULL;
  snprintf(ch.detail, sizeof ch.detail, "to version %d", n);
  rc = faq_db_tx(c->db, put_tx, &ch, c->err);
  rc = change_reply(c, &ch, rc, c->args[0]);
  faq_entry_free(old);
  return rc;
}

/* ---- try it ----------------------------------------------------------------- */

int admin_h_try(admin_ctx *c) {
  const char *text = admin_body_str(c, "text");
  json_t *out = NULL;
  int rc, drafts = c->body && json_is_true(json_object_get(c->body, "drafts"));
  if (!text || !*text) return admin_reply_error(c, 400, MG_EEMPTY, "質問を入力してください");
  if (mg_utf8_count(text, strlen(text)) > MG_TEXT_MAX) return admin_reply_error(c, 400, MG_ETOOLONG, "1,000文字以内で入力してください");
  if ((rc = bot_refresh(c->w, c->err))) return rc;
  /* drafts: as residents would be answered once every draft is published */
  if (drafts) rc = bot_answer_drafts(c->w, text, (int)strlen(text), &out, c->err);
  else rc = bot_answer(c->w, text, (int)strlen(text), 1, &out, c->err);
  if (rc == MG_EBADUTF8 || rc == MG_ETOOLONG || rc == MG_EEMPTY || rc == MG_EINVAL)
    return admin_reply_error(c, 400, rc, c->err);
  if (rc) return rc;
  json_object_set_new(out, "drafts", json_boolean(drafts));
  return admin_reply_json(c, 200, out);
}

/* ---- unanswered --------------------------------------------------------------- */

/* Groups of bot/unanswered.h, each with the published entry nearest to its
 * text ("create entry" starts from that entry's department and answer). */
int admin_h_unanswered(admin_ctx *c) {
  char days_s[16];
  int days = admin_query(c, "days", days_s, sizeof days_s) ? atoi(days_s) : 90, n = 0, truncated = 0, rc, offset, limit;
  json_t *groups = NULL, *page, *g;
  size_t i;

  if (days <= 0) days = 90;
  if ((rc = bot_unanswered_groups(c->db, days, &groups, &n, &truncated, c->err))) return rc;
  /* Residents' own words, shown to every staff member: each read is audited. */
  {
    char detail[64];
    snprintf(detail, sizeof detail, "days=%d questions=%d", days, n);
    if ((rc = bot_audit_write(c->db, c->sess.user.login, "unanswered.read", "", NULL, NULL, detail, c->err))) {
      json_decref(groups);
      return rc;
    }
  }
  {
    size_t total = json_array_size(groups);
    admin_paging(c, &offset, &limit, UNANSWERED_GROUPS, UNANSWERED_GROUPS_MAX);
    page = admin_slice(groups, offset, limit);
    json_array_foreach(page, i, g) {
      const char *text = json_string_value(json_object_get(g, "text"));
      char id[64];
      char *q = NULL;
      if ((rc = bot_nearest(c->w, text, (int)strlen(text), id, sizeof id, c->err))) { json_decref(page); return rc; }
      if (id[0] && faq_question(c->db, id, &q, c->err) == 0)
        json_object_set_new(g, "nearest", json_pack("{ss ss}", "faq_id", id, "question", q));
      free(q);
    }
    /* total: the groups among the newest UNANSWERED_ROWS questions; "truncated"
     * says that older questions were not read */
    return admin_reply_json(c, 200, json_pack("{si si so si si si sb}", "days", days, "questions", n, "groups", page,
                                              "total", (int)total, "offset", offset, "limit", limit, "truncated",
                                              truncated));
  }
}

static int unanswered_mark_reply(admin_ctx *c, int rc, int n, const char *what) {
  if (rc == MG_EINVAL || rc == MG_EMISSING || rc == MG_ETOOLONG || rc == MG_ENOTFOUND)
    return admin_reply_error(c, rc == MG_ENOTFOUND ? 404 : 400, rc, c->err);
  if (rc) return rc;
  return admin_reply_json(c, 200, json_pack("{ss si}", "done", what, "questions", n));
}

int admin_h_unanswered_close(admin_ctx *c) {
  int n = 0, rc = bot_unanswered_close(c->db, c->body ? json_object_get(c->body, "keys") : NULL, c->sess.user.login, &n, c->err);
  return unanswered_mark_reply(c, rc, n, "closed");
}

int admin_h_unanswered_merge(admin_ctx *c) {
  int n = 0, rc = bot_unanswered_merge(c->db, c->body ? json_object_get(c->body, "keys") : NULL, admin_body_str(c, "into"),
                                   c->sess.user.login, &n, c->err);
  return unanswered_mark_reply(c, rc, n, "merged");
}

/* ---- import / export ----------------------------------------------------------- */

int admin_h_import(admin_ctx *c) {
  char path[] = "/tmp/madoguchi-import-XXXXXX", draft[8], enc[16];
  mg_io_opts o = { .format = "csv", .by = c->sess.user.login,
                   /* staff import into their own department only (F7) */
                   .department = c->sess.user.role == AUTH_STAFF ? c->sess.user.department_id : NULL };
  mg_io_report *rep = calloc(1, sizeof *rep);
  json_t *errors = NULL, *report = NULL;
  int fd = -1, rc;
  if (!rep) return mg_errf(c->err, MG_ENOMEM, "out of memory");
  if (!c->req->body || c->req->body_len == 0) { rc = admin_reply_error(c, 400, MG_EMISSING, "ファイルが空です"); goto out; }
  if (admin_query(c, "draft", draft, sizeof draft)) o.draft = strcmp(draft, "0") != 0;
  if (admin_query(c, "encoding", enc, sizeof enc)) o.encoding = enc;
  /* the importer reads files (it detects CP932 and the BOM): hand it one */
  if ((fd = mkstemp(path)) < 0) { rc = mg_errf(c->err, MG_EIO, "import: cannot create a temporary file"); goto out; }
  if (write(fd, c->req->body, c->req->body_len) != (ssize_t)c->req->body_len) {
    rc = mg_errf(c->err, MG_EIO, "import: cannot write a temporary file");
    goto out;
  }
  rc = faq_io_import(c->db, path, &o, rep, c->err);
  errors = json_array();
  for (int i = 0; i < rep->n_errors && i < MG_IO_MAX_ERRORS; i++) {
    /* the temporary file name means nothing to the user */
    const char *e = rep->errors[i];
    if (strncmp(e, path, strlen(path)) == 0) e += strlen(path) + (e[strlen(path)] == ':' || e[strlen(path)] == ' ');
    while (*e == ' ') e++;
    json_array_append_new(errors, json_string(e));
  }
  report = json_pack("{si si si si si si sb so}", "entries", rep->entries, "added", rep->added, "revised",
                     rep->revised, "unchanged", rep->unchanged, "departments", rep->departments, "n_errors",
                     rep->n_errors, "truncated", rep->truncated, "errors", errors);
  errors = NULL;
  if (rc == MG_ECSV || rc == MG_EBADUTF8 || rc == MG_EBADJSON || rc == MG_EINVAL) {
    rc = admin_reply_json(c, 422, json_pack("{s{ss ss ss} sO}", "error", "code", mg_err_code(rc), "message",
                                            mg_err_message(rc), "detail", "何も取り込んでいません", "report",
                                            report));
    goto out;
  }
  if (rc) goto out;
  if ((rc = bot_audit_write(c->db, c->sess.user.login, "faq.import", "", NULL, report, NULL, c->err))) goto out;
  if ((rc = bot_refresh(c->w, c->err))) goto out;
  rc = admin_reply_json(c, 200, json_pack("{sO}", "report", report));
out:
  if (fd >= 0) { close(fd); unlink(path); }
  json_decref(errors);
  json_decref(report);
  free(rep);
  return rc;
}

int admin_h_export(admin_ctx *c) {
  char pub[8];
  char *buf = NULL;
  size_t len = 0;
  mg_io_opts o = { .format = "csv" };
  FILE *f = open_memstream(&buf, &len);
  int rc;
  if (!f) return mg_errf(c->err, MG_ENOMEM, "export: out of memory");
  if (admin_query(c, "published", pub, sizeof pub)) o.published = strcmp(pub, "0") != 0;
  rc = faq_io_export(c->db, f, &o, c->err);
  fclose(f);
  if (rc) { free(buf); return rc; }
  return admin_reply_bytes(c, buf, len, "text/csv; charset=utf-8", "saijo-faq.csv");
}
