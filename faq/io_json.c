/*
 * io_json.c — the FAQ as JSON, format "madoguchi-faq/1" (docs/faq-format.md;
 * faq/sample/saijo-faq.json is an example).
 *
 * Jansson parses the whole file (rejecting duplicate keys); each value is
 * then checked for its type, and every problem is reported as
 * "FILE: entries[N] (ID): reason" — Jansson keeps no line numbers for values,
 * so the position in the array stands in for one. The shared half (io.c)
 * writes a clean set through the store.
 */
#include "faq/io_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define FORMAT_NAME "madoguchi-faq/1"

struct jctx { const char *file; mg_io_report *rep; char where[96]; };

/* A string member (NULL when absent); reports a wrong type or a missing required one. */
static const char *member(struct jctx *c, json_t *obj, const char *key, int required) {
  json_t *v = json_object_get(obj, key);
  if (!v || json_is_null(v)) {
    if (required) faq_io_report_error(c->rep, c->file, 0, "%s: 「%s」がありません", c->where, key);
    return NULL;
  }
  if (!json_is_string(v)) {
    faq_io_report_error(c->rep, c->file, 0, "%s: 「%s」は文字列で書いてください", c->where, key);
    return NULL;
  }
  if (required && !*json_string_value(v)) {
    faq_io_report_error(c->rep, c->file, 0, "%s: 「%s」が空です", c->where, key);
    return NULL;
  }
  return json_string_value(v);
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* An array of strings into a new vector; returns the count or -1 (reported). */
static int string_list(struct jctx *c, json_t *obj, const char *key, char ***out) {
  json_t *a = json_object_get(obj, key), *v;
  size_t i;
  int n = 0;
  *out = NULL;
  if (!a || json_is_null(a)) return 0;
  if (!json_is_array(a)) {
    faq_io_report_error(c->rep, c->file, 0, "%s: 「%s」は文字列の配列で書いてください", c->where, key);
    return -1;
  }
  if (!(*out = calloc(json_array_size(a) + 1, sizeof **out))) return -1;
  json_array_foreach(a, i, v) {
    if (!json_is_string(v)) {
      faq_io_report_error(c->rep, c->file, 0, "%s: 「%s」の%zu番目は文字列で書いてください", c->where, key, i + 1);
      continue;
    }
    if (*json_string_value(v)) (*out)[n++] = strdup(json_string_value(v));
  }
  return n;
}

static void read_dept(struct jctx *c, mg_io_set *s, json_t *d, size_t i) {
  mg_department *out;
  const char *id;
  snprintf(c->where, sizeof c->where, "departments の%zu件目", i + 1);
  if (!json_is_object(d)) { faq_io_report_error(c->rep, c->file, 0, "%s: オブジェクト（{…}）で書いてください", c->where); return; }
  if (!(id = member(c, d, "id", 1))) return;
  if (faq_io_set_find_dept(s, id, NULL)) {
    faq_io_report_error(c->rep, c->file, 0, "%s: 部署「%s」が2回出てきます", c->where, id);
    return;
  }
  if (!(out = faq_io_set_add_dept(s, 0))) return;
  out->id = strdup(id);
  out->name = dup_or_null(member(c, d, "name", 1));
  out->phone = dup_or_null(member(c, d, "phone", 0));
  out->email = dup_or_null(member(c, d, "email", 0));
  out->hours = dup_or_null(member(c, d, "hours", 0));
  out->location = dup_or_null(member(c, d, "location", 0));
}

static int read_status(struct jctx *c, json_t *e) {
  const char *st = member(c, e, "status", 0);
  if (!st || strcmp(st, "published") == 0) return 1;
  if (strcmp(st, "draft") == 0) return 0;
  faq_io_report_error(c->rep, c->file, 0, "%s: 状態「%s」は使えません（published か draft）", c->where, st);
  return 0;
}

/* online_url and the checklist fields: absent, the entry keeps its own (NULL);
 * a string, or (life_events reads best so) an array of lines. */
static void read_kept(struct jctx *c, json_t *obj, mg_faq_entry *e) {
  for (int i = 0; i < FAQ_N_KEPT; i++) {
    const char *key = faq_kept_key[i];
    json_t *v = json_object_get(obj, key);
    char **lines = NULL, **dst = faq_kept_field(e, i);
    int n;
    if (!v) continue;
    if (!json_is_array(v)) {
      const char *t = member(c, obj, key, 0);
      *dst = strdup(t ? t : "");
      continue;
    }
    if ((n = string_list(c, obj, key, &lines)) < 0) continue;
    size_t len = 1;
    for (int k = 0; k < n; k++) len += strlen(lines[k]) + 1;
    if ((*dst = malloc(len))) {
      char *p = *dst;
      *p = '\0';
      for (int k = 0; k < n; k++) p = stpcpy(stpcpy(p, k ? "\n" : ""), lines[k]);
    }
    faq_strv_free(lines, n);
  }
}

static void read_entry(struct jctx *c, mg_io_set *s, json_t *e, size_t i) {
  mg_io_row *r;
  const char *id, *updated;
  char ts[32];
  snprintf(c->where, sizeof c->where, "entries の%zu件目", i + 1);
  if (!json_is_object(e)) { faq_io_report_error(c->rep, c->file, 0, "%s: オブジェクト（{…}）で書いてください", c->where); return; }
  if (!(id = member(c, e, "id", 1))) return;
  snprintf(c->where, sizeof c->where, "entries の%zu件目（%s）", i + 1, id);
  if (faq_io_set_has_id(s, id, s->n_rows, NULL)) {
    faq_io_report_error(c->rep, c->file, 0, "%s: ID「%s」が2回出てきます", c->where, id);
    return;
  }
  if (!(r = faq_io_set_add_row(s))) return;
  r->e.id = strdup(id);
  r->e.question = dup_or_null(member(c, e, "question", 1));
  r->e.answer = dup_or_null(member(c, e, "answer", 1));
  r->e.category = dup_or_null(member(c, e, "category", 0));
  r->e.department_id = dup_or_null(member(c, e, "department", 0));
  r->e.url = dup_or_null(member(c, e, "url", 0));
  read_kept(c, e, &r->e);
  /* absent: the entry keeps its translations (NULL), as with online_url */
  for (int t = 0; t < MG_FAQ_NTR; t++)
    if (json_object_get(e, faq_tr_name(t)))
      r->e.tr[t] = strdup(member(c, e, faq_tr_name(t), 0) ? member(c, e, faq_tr_name(t), 0) : "");
  r->e.n_alternates = string_list(c, e, "alternates", &r->e.alternates);
  r->e.n_keywords = string_list(c, e, "keywords", &r->e.keywords);
  r->e.n_related = string_list(c, e, "related", &r->e.related);
  if (r->e.n_alternates < 0) r->e.n_alternates = 0;
  if (r->e.n_keywords < 0) r->e.n_keywords = 0;
  if (r->e.n_related < 0) r->e.n_related = 0;
  r->publish = read_status(c, e);
  if ((updated = member(c, e, "updated", 0)) && *updated) {
    if (faq_io_date_in(updated, ts)) faq_io_report_error(c->rep, c->file, 0, "%s: 日付「%s」が正しくありません（YYYY-MM-DD）", c->where, updated);
    else r->e.updated_at = strdup(ts);
  }
}

/* Check the top level and fill s. */
static void read_root(struct jctx *c, mg_io_set *s, json_t *root) {
  json_t *v, *muni;
  size_t i;
  const char *fmt;
  snprintf(c->where, sizeof c->where, "ファイル全体");
  if (!json_is_object(root)) { faq_io_report_error(c->rep, c->file, 0, "ファイル全体が1つのJSONオブジェクトになっていません"); return; }
  fmt = member(c, root, "format", 1);
  if (fmt && strcmp(fmt, FORMAT_NAME)) {
    faq_io_report_error(c->rep, c->file, 0, "format「%s」は「" FORMAT_NAME "」ではありません", fmt);
    return;
  }
  s->notice = dup_or_null(member(c, root, "notice", 0));
  if ((muni = json_object_get(root, "municipality")) && json_is_object(muni)) {
    snprintf(c->where, sizeof c->where, "municipality");
    s->code = dup_or_null(member(c, muni, "code", 0));
    s->name = dup_or_null(member(c, muni, "name", 0));
  }
  v = json_object_get(root, "departments");
  if (v && !json_is_array(v)) faq_io_report_error(c->rep, c->file, 0, "「departments」は配列で書いてください");
  else for (i = 0; v && i < json_array_size(v); i++) read_dept(c, s, json_array_get(v, i), i);
  v = json_object_get(root, "entries");
  if (!v || !json_is_array(v)) faq_io_report_error(c->rep, c->file, 0, "「entries」は配列で書いてください");
  else for (i = 0; i < json_array_size(v); i++) read_entry(c, s, json_array_get(v, i), i);
}

int faq_io_import_json(sqlite3 *db, const char *path, const mg_io_opts *o, mg_io_report *rep, char *err) {
  struct jctx c = { .file = path, .rep = rep };
  mg_io_set s = { 0 };
  json_error_t jerr;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  int rc;
  if (!root) {
    /* Jansson's own words (English) stay in brackets: they locate the fault */
    if (jerr.line <= 0) return mg_errf(err, MG_EIO, "%s: ファイルを読めません（%s）", path, jerr.text);
    faq_io_report_error(rep, path, jerr.line, "JSONの書き方に誤りがあります（%s）", jerr.text);
    return mg_errf(err, MG_EBADJSON, "%s %d行目: JSONの書き方に誤りがあるため、何も取り込んでいません（%s）", path, jerr.line,
                   jerr.text);
  }
  read_root(&c, &s, root);
  json_decref(root);
  if (rep->n_errors) rc = mg_errf(err, MG_EBADJSON, "%s: 誤りが%d件あるため、何も取り込んでいません", path, rep->n_errors);
  else if ((rc = faq_io_apply(db, &s, o, path, rep, err)) == MG_ECSV) rc = MG_EBADJSON; /* same errors, this format */
  faq_io_set_free(&s);
  return rc;
}

/* ---- export ------------------------------------------------------------- */

static json_t *str_array(char *const *v, int n) {
  json_t *a = json_array();
  for (int i = 0; a && i < n; i++) json_array_append_new(a, json_string(v[i]));
  return a;
}

static int add_dept(void *ctx, const mg_department *d) {
  json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", d->id, "name", d->name, "phone", d->phone,
                        "email", d->email, "hours", d->hours, "location", d->location);
  return o ? json_array_append_new(ctx, o) : MG_ENOMEM;
}

static int add_entry(void *ctx, const mg_faq_entry *e, int published) {
  char date[16];
  faq_io_date_out(e->updated_at, date);
  json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:s, s:s, s:s}", "id", e->id, "question",
                        e->question, "answer", e->answer, "alternates", str_array(e->alternates, e->n_alternates),
                        "keywords", str_array(e->keywords, e->n_keywords), "related",
                        str_array(e->related, e->n_related), "category", e->category, "department",
                        e->department_id, "url", e->url, "updated", date, "status",
                        published ? "published" : "draft");
  for (int i = 0; o && i < FAQ_N_KEPT; i++) {
    const char *v = *faq_kept_field((mg_faq_entry *)e, i);
    if (!v || !*v) continue;
    if (strchr(v, '\n')) {   /* lines (life_events) as an array, as they are read */
      char **lines = NULL;
      int n = faq_strv_split(v, &lines);
      json_object_set_new(o, faq_kept_key[i], n < 0 ? json_string(v) : str_array(lines, n));
      if (n > 0) faq_strv_free(lines, n);
    } else json_object_set_new(o, faq_kept_key[i], json_string(v));
  }
  for (int t = 0; o && t < MG_FAQ_NTR; t++)
    if (e->tr[t] && *e->tr[t]) json_object_set_new(o, faq_tr_name(t), json_string(e->tr[t]));
  return o ? json_array_append_new(ctx, o) : MG_ENOMEM;
}

/* meta value into a new JSON string ("" when unset). */
static json_t *meta_string(sqlite3 *db, const char *key) {
  char *v = NULL, err[MG_ERRLEN];
  json_t *s;
  faq_meta_get(db, key, &v, err);
  s = json_string(v ? v : "");
  free(v);
  return s;
}

int faq_io_export_json(sqlite3 *db, FILE *out, const mg_io_opts *o, char *err) {
  json_t *root = json_object(), *depts = json_array(), *entries = json_array();
  int rc;
  if (!root || !depts || !entries) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  json_object_set_new(root, "format", json_string(FORMAT_NAME));
  json_object_set_new(root, "notice", meta_string(db, "notice"));
  json_object_set_new(root, "municipality", json_pack("{s:o, s:o}", "code", meta_string(db, "municipality_code"),
                                                      "name", meta_string(db, "municipality_name")));
  if ((rc = faq_department_list(db, add_dept, depts, err))) goto out;
  if ((rc = faq_io_walk(db, o, add_entry, entries, err))) goto out;
  json_object_set(root, "departments", depts);
  json_object_set(root, "entries", entries);
  if (json_dumpf(root, out, JSON_INDENT(2)) != 0 || fputc('\n', out) == EOF)
    rc = mg_errf(err, MG_EIO, "writing JSON failed");
out:
  if (rc == MG_ENOMEM) mg_errf(err, MG_ENOMEM, "out of memory");
  json_decref(depts);
  json_decref(entries);
  json_decref(root);
  return rc;
}
