/*
 * curation_diff.c — what changed between two revisions of an entry
 * (bot_curation_diff), field by field, and the text diff under it
 * (bot_curation_textdiff): a longest common subsequence over code points,
 * or over lines when the texts are too large for a table of
 * DIFF_MAX_CELLS cells, with short equal runs folded into the change so a
 * rewritten Japanese passage reads as one deletion and one insertion.
 */
#include "bot/curation.h"
#include "util/mg_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIFF_MAX_CELLS 4000000   /* larger texts are diffed line by line */


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

json_t *bot_curation_textdiff(const char *a, const char *b) {
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


int bot_curation_diff(sqlite3 *db, const char *id, const char *from_s, const char *to_s, json_t **out, char *err) {
  mg_faq_entry *latest = NULL, *a = NULL, *b = NULL;
  json_t *fields = NULL;
  int rc, from, to;
  *out = NULL;
  if ((rc = faq_get(db, id, MG_FAQ_LATEST, &latest, err))) return rc;
  to = to_s ? atoi(to_s) : latest->version;
  from = from_s ? atoi(from_s)
       : latest->published_version && latest->published_version != to ? latest->published_version : to - 1;
  if (from <= 0 || to <= 0) { rc = mg_errf(err, MG_EINVAL, "from と to には版の番号を指定してください"); goto out; }
  if ((rc = faq_get(db, id, from, &a, err)) || (rc = faq_get(db, id, to, &b, err))) goto out;
  if (!(fields = json_array())) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
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
                                              "ops", bot_curation_textdiff(x, y)));
    }
    free(aa); free(ba); free(ak); free(bk); free(ar); free(br);
  }
  if (!(*out = json_pack("{ss si si so}", "id", id, "from", from, "to", to, "fields", fields)))
    rc = mg_errf(err, MG_ENOMEM, "out of memory");
  fields = NULL;
out:
  json_decref(fields);
  faq_entry_free(latest);
  faq_entry_free(a);
  faq_entry_free(b);
  return rc;
}
