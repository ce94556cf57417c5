/*
 * unanswered.c — grouping the questions the bot could not answer, and the
 * staff's marks on them (close, merge).
 *
 * Grouping: NFKC-folded text cut into character bigrams; a question joins
 * the first group whose first question reaches UNANSWERED_SIMILAR (Jaccard).
 * Bigrams need no dictionary, so spelling variants and particles that MeCab
 * would split differently still meet, which is what a curator wants to see
 * together. Questions come newest first, so a group's first question — its
 * key — is its newest.
 *
 * Marks: a closed question is left out by the query; a merged one is placed,
 * after the greedy pass, in the group that holds the question it was merged
 * into (or grouped as usual when that one has left the window or was
 * closed). A merge names every question of the groups merged, including
 * those merged into them before, so marks never form chains.
 */
#include "bot/unanswered.h"
#include "util/mg_time.h"

#include "faq/analyze.h"
#include "bot/audit.h"
#include "faq/db.h"
#include "bot/mask.h"
#include "util/mg_err.h"
#include "bot/session.h"
#include "faq/termmap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define UNANSWERED_SIMILAR 0.5 /* Jaccard of character bigrams to join a group */
#define KEYLEN 24

enum { U_LIST, U_IS_NO_ANSWER, U_IS_NOT_HELPFUL, U_MARK, U_COUNT };
static const char *const sql[U_COUNT] = {
  /* the resident's question behind each no_answer, and each not-helpful
   * feedback; closed ones left out, merged ones with their target */
  [U_LIST] =
    "SELECT q.text, b.created_at, 'no_answer', '', 'm' || b.id, k.into_key FROM message b"
    " JOIN message q ON q.id = (SELECT max(m.id) FROM message m WHERE m.session_id = b.session_id"
    "   AND m.id < b.id AND m.role = 'resident' AND m.kind = 'ask')"
    " LEFT JOIN unanswered_mark k ON k.key = 'm' || b.id"
    " WHERE b.role = 'bot' AND b.decision = 'no_answer' AND b.created_at >= ?1 AND k.action IS NOT 'closed'"
    " UNION ALL SELECT f.question, f.created_at, 'not_helpful', coalesce(f.faq_id, ''), 'f' || f.id, k.into_key"
    " FROM feedback f LEFT JOIN unanswered_mark k ON k.key = 'f' || f.id"
    " WHERE f.helpful = 0 AND coalesce(f.question, '') <> '' AND f.created_at >= ?1 AND k.action IS NOT 'closed'"
    " ORDER BY 2 DESC LIMIT ?2",
  [U_IS_NO_ANSWER] = "SELECT 1 FROM message WHERE id = ?1 AND role = 'bot' AND decision = 'no_answer'",
  [U_IS_NOT_HELPFUL] = "SELECT 1 FROM feedback WHERE id = ?1 AND helpful = 0",
  [U_MARK] = "INSERT INTO unanswered_mark(key, action, into_key, by, at) VALUES (?1, ?2, ?3, ?4, ?5)"
             " ON CONFLICT(key) DO UPDATE SET action = excluded.action, into_key = excluded.into_key,"
             " by = excluded.by, at = excluded.at",
};

struct uq {
  char *text;            /* as stored, masked again */
  char at[24];
  int not_helpful;
  char faq_id[72];
  char key[KEYLEN];
  char into[KEYLEN];     /* merged into this question; "" when not merged */
  int group;             /* index into the groups, -1 before grouping */
  uint64_t *grams; int n_grams;
};

struct group {
  int first;             /* index of the question that represents the group */
  int count, no_answer, not_helpful;
  json_t *keys;          /* every question's key */
  json_t *examples;      /* distinct texts */
  json_t *faq_ids;       /* entries found not helpful */
};

int bot_unanswered_valid_key(const char *key) {
  if (!key || (key[0] != 'm' && key[0] != 'f') || !key[1] || strlen(key) > 20) return 0;
  for (const char *p = key + 1; *p; p++)
    if (*p < '0' || *p > '9') return 0;
  return key[1] != '0';
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Sorted distinct character bigrams (single characters for one-character texts). */
static int bigrams(const char *text, uint64_t **out) {
  int len = 0, n = 0;
  char *norm = faq_normalize(text, (int)strlen(text), &len);
  const char *cp[2] = { NULL, NULL };
  uint64_t *g = NULL;
  if (!norm) return -1;
  g = malloc(((size_t)len + 1) * sizeof *g);
  if (!g) { free(norm); return -1; }
  for (const char *p = norm; *p;) {
    const char *q = p + 1;
    while ((*q & 0xC0) == 0x80) q++;
    if (!(*p == ' ' || *p == '?' || *p == '!' || strncmp(p, "\xef\xbc\x9f", 3) == 0 || strncmp(p, "\xe3\x80\x82", 3) == 0)) {
      cp[0] = cp[1];
      cp[1] = p;
      if (cp[0]) g[n++] = faq_fnv1a(MG_FNV_OFFSET, cp[0], (size_t)(q - cp[0]));
    }
    p = q;
  }
  if (n == 0 && cp[1]) g[n++] = faq_fnv1a(MG_FNV_OFFSET, cp[1], strlen(cp[1]));
  free(norm);
  qsort(g, (size_t)n, sizeof *g, cmp_u64);
  int k = 0;
  for (int i = 0; i < n; i++)
    if (k == 0 || g[k - 1] != g[i]) g[k++] = g[i];
  *out = g;
  return k;
}

static double jaccard(const uint64_t *a, int na, const uint64_t *b, int nb) {
  int i = 0, j = 0, both = 0;
  if (na + nb == 0) return 1;
  while (i < na && j < nb) {
    if (a[i] == b[j]) both++, i++, j++;
    else if (a[i] < b[j]) i++;
    else j++;
  }
  return (double)both / (na + nb - both);
}

static int cmp_group(const void *a, const void *b) {
  const struct group *x = a, *y = b;
  return y->count != x->count ? y->count - x->count : x->first - y->first;
}

/* Question i joins group k. */
static void join(struct uq *q, int i, struct group *g, int k) {
  size_t idx;
  json_t *v;
  int seen = 0;
  q[i].group = k;
  g[k].count++;
  if (q[i].not_helpful) g[k].not_helpful++;
  else g[k].no_answer++;
  json_array_append_new(g[k].keys, json_string(q[i].key));
  json_array_foreach(g[k].examples, idx, v) if (strcmp(json_string_value(v), q[i].text) == 0) seen = 1;
  if (!seen && json_array_size(g[k].examples) < 5) json_array_append_new(g[k].examples, json_string(q[i].text));
  seen = !q[i].faq_id[0];
  json_array_foreach(g[k].faq_ids, idx, v) if (strcmp(json_string_value(v), q[i].faq_id) == 0) seen = 1;
  if (!seen) json_array_append_new(g[k].faq_ids, json_string(q[i].faq_id));
}

/* The greedy pass for question i: the first similar group, or a new one. */
static void place(struct uq *q, int i, struct group *g, int *ng) {
  int k;
  for (k = 0; k < *ng; k++) {
    struct uq *r = &q[g[k].first];
    if (jaccard(r->grams, r->n_grams, q[i].grams, q[i].n_grams) >= UNANSWERED_SIMILAR) break;
  }
  if (k == *ng) {
    g[k].first = i;
    g[k].keys = json_array();
    g[k].examples = json_array();
    g[k].faq_ids = json_array();
    (*ng)++;
  }
  join(q, i, g, k);
}

int bot_unanswered_groups(sqlite3 *db, int days, json_t **groups, int *questions, int *truncated, char *err) {
  char since[MG_TIMELEN];
  sqlite3_stmt *st = NULL;
  struct uq *q = calloc(UNANSWERED_ROWS, sizeof *q);
  struct group *g = calloc(UNANSWERED_ROWS, sizeof *g);
  json_t *arr = NULL;
  int n = 0, ng = 0, rc = 0, step = SQLITE_DONE;

  *groups = NULL;
  if (!q || !g) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  mg_time_utc(time(NULL) - (time_t)(days > 0 ? days : 90) * 86400, since);
  if (sqlite3_prepare_v2(db, sql[U_LIST], -1, &st, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "unanswered: %s", sqlite3_errmsg(db));
    goto out;
  }
  sqlite3_bind_text(st, 1, since, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, UNANSWERED_ROWS);
  while (n < UNANSWERED_ROWS && (step = sqlite3_step(st)) == SQLITE_ROW) {
    const char *text = (const char *)sqlite3_column_text(st, 0), *into = (const char *)sqlite3_column_text(st, 5);
    if (!text || !*text) continue;
    /* Masked again on the way out: rows stored before the masker learned a
     * format (attack review F9) must not show the number to every staff. */
    q[n].text = bot_mask_text(text, strlen(text));
    snprintf(q[n].at, sizeof q[n].at, "%s", (const char *)sqlite3_column_text(st, 1));
    q[n].not_helpful = strcmp((const char *)sqlite3_column_text(st, 2), "not_helpful") == 0;
    snprintf(q[n].faq_id, sizeof q[n].faq_id, "%s", (const char *)sqlite3_column_text(st, 3));
    snprintf(q[n].key, sizeof q[n].key, "%s", (const char *)sqlite3_column_text(st, 4));
    snprintf(q[n].into, sizeof q[n].into, "%s", into ? into : "");
    q[n].group = -1;
    if (!q[n].text || (q[n].n_grams = bigrams(q[n].text, &q[n].grams)) < 0) {
      rc = mg_errf(err, MG_ENOMEM, "out of memory");
      n++;
      goto out;
    }
    n++;
  }
  if (step != SQLITE_ROW && step != SQLITE_DONE) {
    rc = mg_errf(err, MG_EDB, "unanswered: %s", sqlite3_errmsg(db));
    goto out;
  }
  for (int i = 0; i < n; i++)
    if (!q[i].into[0]) place(q, i, g, &ng);
  /* merged questions go where their target went (a linear search per
   * merged question: at most UNANSWERED_ROWS², only for merged rows) */
  for (int i = 0; i < n; i++) {
    int k = -1;
    if (!q[i].into[0]) continue;
    for (int j = 0; j < n && k < 0; j++)
      if (q[j].group >= 0 && !q[j].into[0] && strcmp(q[j].key, q[i].into) == 0) k = q[j].group;
    if (k >= 0) join(q, i, g, k);
    else place(q, i, g, &ng);
  }
  qsort(g, (size_t)ng, sizeof *g, cmp_group);
  if (!(arr = json_array())) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  for (int k = 0; k < ng; k++)
    json_array_append_new(arr, json_pack("{ss sO ss si si si ss sO sO}", "key", q[g[k].first].key, "keys", g[k].keys,
                                         "text", q[g[k].first].text, "count", g[k].count, "no_answer", g[k].no_answer,
                                         "not_helpful", g[k].not_helpful, "last_at", q[g[k].first].at, "examples",
                                         g[k].examples, "faq_ids", g[k].faq_ids));
  *groups = arr;
  arr = NULL;
  if (questions) *questions = n;
  if (truncated) *truncated = n >= UNANSWERED_ROWS;
out:
  sqlite3_finalize(st);
  for (int i = 0; q && i < n; i++) { free(q[i].text); free(q[i].grams); }
  for (int k = 0; g && k < ng; k++) { json_decref(g[k].keys); json_decref(g[k].examples); json_decref(g[k].faq_ids); }
  json_decref(arr);
  free(q);
  free(g);
  return rc;
}

/* ---- marks ------------------------------------------------------------------- */

struct mark {
  const json_t *keys;
  const char *action, *into, *by;
  int n;
};

/* MG_ENOTFOUND unless key names an unanswered question. */
static int check_key(sqlite3 *db, const char *key, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  if (!bot_unanswered_valid_key(key)) return mg_errf(err, MG_EINVAL, "「%s」は質問の番号ではありません", key ? key : "");
  if ((rc = faq_db_stmt(db, sql[key[0] == 'm' ? U_IS_NO_ANSWER : U_IS_NOT_HELPFUL], &st, err))) return rc;
  sqlite3_bind_int64(st, 1, strtoll(key + 1, NULL, 10));
  rc = sqlite3_step(st);
  rc = rc == SQLITE_ROW ? 0
       : rc == SQLITE_DONE ? mg_errf(err, MG_ENOTFOUND, "質問 %s が見つかりません（保存期間を過ぎて削除された可能性があります）", key)
                           : mg_errf(err, faq_db_err(rc), "unanswered: %s", sqlite3_errmsg(db));
  faq_db_stmt_done(st);
  return rc;
}

static int mark_tx(sqlite3 *db, void *ctx, char *err) {
  struct mark *m = ctx;
  char at[MG_TIMELEN];
  sqlite3_stmt *st = NULL;
  size_t i;
  json_t *v, *after = NULL;
  int rc = 0;

  mg_time_utc(time(NULL), at);
  if (m->into && (rc = check_key(db, m->into, err))) return rc;
  json_array_foreach(m->keys, i, v) {
    const char *key = json_string_value(v);
    if ((rc = check_key(db, key, err))) goto out;
    if (m->into && strcmp(key, m->into) == 0) { rc = mg_errf(err, MG_EINVAL, "まとめ先のグループは、まとめる側に含められません"); goto out; }
    if ((rc = faq_db_stmt(db, sql[U_MARK], &st, err))) goto out;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, m->action, -1, SQLITE_STATIC);
    if (m->into) sqlite3_bind_text(st, 3, m->into, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, 3);
    sqlite3_bind_text(st, 4, m->by, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, at, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    faq_db_stmt_done(st);
    st = NULL;
    if (rc != SQLITE_DONE) { rc = mg_errf(err, faq_db_err(rc), "unanswered: %s", sqlite3_errmsg(db)); goto out; }
    rc = 0;
    m->n++;
  }
  /* the keys in the audit row: what was hidden can be found again */
  after = json_pack("{sO}", "keys", m->keys);
  if (m->into) json_object_set_new(after, "into", json_string(m->into));
  rc = bot_audit_write(db, m->by, strcmp(m->action, "closed") == 0 ? "unanswered.close" : "unanswered.merge",
                   m->into ? m->into : json_string_value(json_array_get(m->keys, 0)), NULL, after, NULL, err);
out:
  json_decref(after);
  return rc;
}

static int mark(sqlite3 *db, struct mark *m, int *n, char *err) {
  int rc;
  *n = 0;
  if (!json_is_array(m->keys) || json_array_size(m->keys) == 0)
    return mg_errf(err, MG_EMISSING, "対象の質問（keys）を指定してください");
  if (json_array_size(m->keys) > UNANSWERED_KEYS)
    return mg_errf(err, MG_ETOOLONG, "一度に指定できる質問は%d件までです", UNANSWERED_KEYS);
  rc = faq_db_tx(db, mark_tx, m, err);
  if (rc == 0) *n = m->n;
  return rc;
}

int bot_unanswered_close(sqlite3 *db, const json_t *keys, const char *by, int *n, char *err) {
  struct mark m = { .keys = keys, .action = "closed", .by = by };
  return mark(db, &m, n, err);
}

int bot_unanswered_merge(sqlite3 *db, const json_t *keys, const char *into, const char *by, int *n, char *err) {
  struct mark m = { .keys = keys, .action = "merged", .into = into, .by = by };
  if (!into || !*into) { *n = 0; return mg_errf(err, MG_EMISSING, "まとめ先のグループ（into）を指定してください"); }
  return mark(db, &m, n, err);
}
