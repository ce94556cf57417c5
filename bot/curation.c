/*
 * curation.c — the console's FAQ curation (curation.h): reading entries for
 * staff, and every change with its department rule and its audit row.
 *
 * A change is built (struct change) from the entry as it is and the fields
 * staff sent, then written by put_tx or publish_tx inside faq_db_tx: the
 * department rule and the related-id check read the entry inside the same
 * transaction that writes it, so nothing can slip between the check and the
 * write, and the audit row commits or rolls back with the change. The diff
 * of revisions is in curation_diff.c.
 */
#define _GNU_SOURCE /* open_memstream, mkstemp */
#include "bot/curation.h"
#include "bot/audit.h"
#include "bot/checklist.h"
#include "faq/db.h"
#include "faq/io.h"
#include "faq/learn.h"
#include "util/mg_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Staff change their own department's entries only (attack review F7): the
 * entry as it is and as it would be must both be theirs, so an entry can
 * neither be changed across departments nor moved into or out of one.
 * Supervisors and admins change any. */
int bot_curation_may_change(const bot_actor *a, const mg_faq_entry *old, const char *new_dept, char *err) {
  const char *mine = a->department ? a->department : "";
  if (a->role != AUTH_STAFF) return 0;
  if (old && strcmp(old->department_id ? old->department_id : "", mine) != 0)
    return mg_errf(err, MG_EFORBIDDEN, "%s belongs to department %s; staff change their own department's entries",
                   old->id, old->department_id && *old->department_id ? old->department_id : "(none)");
  if (new_dept && strcmp(new_dept, mine) != 0)
    return mg_errf(err, MG_EFORBIDDEN, "staff of %s cannot put an entry in department %s", mine,
                   *new_dept ? new_dept : "(none)");
  return 0;
}

/* ---- JSON of entries ------------------------------------------------------ */

static json_t *strv_json(char **v, int n) {
  json_t *a = json_array();
  for (int i = 0; a && i < n; i++) json_array_append_new(a, json_string(v[i]));
  return a;
}

json_t *bot_curation_entry_json(const mg_faq_entry *e) {
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

/* Short form for lists. */
static int list_one(void *ctx, const mg_faq_entry *e) {
  return json_array_append_new(ctx, json_pack("{ss si si ss ss ss ss ss ss}", "id", e->id, "version", e->version,
                                              "published_version", e->published_version, "status", e->status,
                                              "question", e->question, "category", e->category, "department",
                                              e->department_id, "updated_at", e->updated_at, "updated_by",
                                              e->updated_by))
           ? MG_ENOMEM : 0;
}

/* ---- reading ---------------------------------------------------------------- */

int bot_curation_list(sqlite3 *db, const mg_faq_filter *f, json_t **out, char *err) {
  json_t *arr = json_array();
  int rc;
  if (!arr) return mg_errf(err, MG_ENOMEM, "out of memory");
  if ((rc = faq_list(db, f, list_one, arr, err)) != 0) {
    json_decref(arr);
    arr = NULL;
  }
  *out = arr;
  return rc;
}

/* The newest revision of id as JSON into *entry (when entry is not NULL). */
static int latest_json(sqlite3 *db, const char *id, json_t **entry, char *err) {
  mg_faq_entry *e = NULL;
  int rc;
  if (!entry) return 0;
  *entry = NULL;
  if ((rc = faq_get(db, id, MG_FAQ_LATEST, &e, err)) == 0 && !(*entry = bot_curation_entry_json(e)))
    rc = mg_errf(err, MG_ENOMEM, "out of memory");
  faq_entry_free(e);
  return rc;
}

int bot_curation_history(sqlite3 *db, const char *id, json_t **out, char *err) {
  mg_faq_entry *e = NULL, *pub = NULL, *v = NULL;
  json_t *versions = json_array();
  int rc;
  *out = NULL;
  if (!versions) return mg_errf(err, MG_ENOMEM, "out of memory");
  if ((rc = faq_get(db, id, MG_FAQ_LATEST, &e, err))) goto out;
  if (e->published_version && (rc = faq_get(db, id, MG_FAQ_PUBLISHED, &pub, err))) goto out;
  for (int n = e->version; n >= 1; n--) {
    if ((rc = faq_get(db, id, n, &v, err))) goto out;
    json_array_append_new(versions, json_pack("{si ss ss sb}", "version", n, "updated_at", v->updated_at,
                                              "updated_by", v->updated_by, "published", n == e->published_version));
    faq_entry_free(v);
    v = NULL;
  }
  *out = json_pack("{so so so}", "entry", bot_curation_entry_json(e), "published",
                   pub ? bot_curation_entry_json(pub) : json_null(), "versions", versions);
  versions = NULL;
  if (!*out) rc = mg_errf(err, MG_ENOMEM, "out of memory");
out:
  json_decref(versions);
  faq_entry_free(e);
  faq_entry_free(pub);
  faq_entry_free(v);
  return rc;
}

int bot_curation_version(sqlite3 *db, const char *id, int n, json_t **entry, char *err) {
  mg_faq_entry *e = NULL;
  int rc;
  *entry = NULL;
  if (n <= 0) return mg_errf(err, MG_EINVAL, "版は1以上の数で指定してください");
  if ((rc = faq_get(db, id, n, &e, err)) == 0 && !(*entry = bot_curation_entry_json(e)))
    rc = mg_errf(err, MG_ENOMEM, "out of memory");
  faq_entry_free(e);
  return rc;
}

static int dept_one(void *ctx, const mg_department *d) {
  return json_array_append_new(ctx, json_pack("{ss ss ss ss ss ss}", "id", d->id, "name", d->name, "phone", d->phone,
                                              "email", d->email, "hours", d->hours, "location", d->location))
           ? MG_ENOMEM : 0;
}

int bot_curation_departments(sqlite3 *db, json_t **out, char *err) {
  json_t *arr = json_array();
  int rc;
  if (!arr) return mg_errf(err, MG_ENOMEM, "out of memory");
  if ((rc = faq_department_list(db, dept_one, arr, err)) != 0) {
    json_decref(arr);
    arr = NULL;
  }
  *out = arr;
  return rc;
}

/* Published entries without their English or やさしい日本語 version, with
 * counts per department, so each department sees what is left to write. */
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

int bot_curation_translations(sqlite3 *db, const char *only, json_t **departments, json_t **entries, char *err) {
  mg_faq_filter f = { .published_text = 1 };
  struct missing m = { json_array(), json_object(), only };
  json_t *per = json_array(), *d;
  const char *k;
  int rc;
  *departments = *entries = NULL;
  if (!m.entries || !m.depts || !per) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  if ((rc = faq_list(db, &f, missing_one, &m, err)) != 0) goto out;
  json_object_foreach(m.depts, k, d) json_array_append(per, d);
  *departments = per, *entries = m.entries;
  per = m.entries = NULL;
out:
  json_decref(m.entries);
  json_decref(m.depts);
  json_decref(per);
  return rc;
}

/* ---- changes ---------------------------------------------------------------- */

struct change {
  bot_worker *w;
  const bot_actor *a;
  const char *id;          /* the entry changed */
  mg_faq_entry e;          /* new content (strings borrowed or owned below) */
  char **alt, **kw, **rel; /* owned arrays */
  int n_alt, n_kw, n_rel;
  int publish;             /* put: publish too */
  int version;             /* publish: the version */
  const char *action;      /* audit action */
  char detail[64];
  int changed;
};

static void change_free(struct change *ch) {
  faq_strv_free(ch->alt, ch->n_alt);
  faq_strv_free(ch->kw, ch->n_kw);
  faq_strv_free(ch->rel, ch->n_rel);
}

static const char *field_str(const json_t *fields, const char *key) {
  return json_string_value(json_object_get(fields, key));
}

/* Lines of a field (an array of strings, or one string with newlines). */
static int field_lines(const json_t *fields, const char *key, char ***out) {
  json_t *v = json_object_get(fields, key);
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

/* Fill ch->e from base (may be NULL) overlaid with fields. */
static int change_from_fields(struct change *ch, const mg_faq_entry *base, const json_t *fields, char *err) {
  const char *dept = field_str(fields, "department");
  json_t *dv = json_object_get(fields, "department");
  const char *s;
  int n;
  if (json_is_object(dv)) dept = json_string_value(json_object_get(dv, "id"));
  memset(&ch->e, 0, sizeof ch->e);
  ch->e.id = (char *)ch->id;
#define FIELD(name) (char *)((s = field_str(fields, #name)) ? s : base ? base->name : "")
  ch->e.question = FIELD(question);
  ch->e.answer = FIELD(answer);
  ch->e.category = FIELD(category);
  ch->e.url = FIELD(url);
#undef FIELD
  ch->e.department_id = (char *)(dept ? dept : base ? base->department_id : "");
  /* online_url and the checklist fields: absent (NULL), the entry keeps its own */
  for (int i = 0; i < FAQ_N_KEPT; i++) *faq_kept_field(&ch->e, i) = (char *)field_str(fields, faq_kept_key[i]);
  for (int t = 0; t < MG_FAQ_NTR; t++) ch->e.tr[t] = (char *)field_str(fields, faq_tr_name(t)); /* NULL: kept */
  if (json_object_get(fields, "alternates")) {
    if ((n = field_lines(fields, "alternates", &ch->alt)) < 0) goto bad;
    ch->n_alt = n;
    ch->e.alternates = ch->alt, ch->e.n_alternates = n;
  } else if (base) ch->e.alternates = base->alternates, ch->e.n_alternates = base->n_alternates;
  if (json_object_get(fields, "keywords")) {
    if ((n = field_lines(fields, "keywords", &ch->kw)) < 0) goto bad;
    ch->n_kw = n;
    ch->e.keywords = ch->kw, ch->e.n_keywords = n;
  } else if (base) ch->e.keywords = base->keywords, ch->e.n_keywords = base->n_keywords;
  if (json_object_get(fields, "related")) {
    if ((n = field_lines(fields, "related", &ch->rel)) < 0) goto bad;
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
bad:
  return mg_errf(err, n, "言い換え・キーワード・関連するFAQは文字列の配列で指定してください");
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

/* Audit one change: before (may be NULL) and the entry as it is now. */
static int audit_entry(sqlite3 *db, struct change *ch, json_t *before, char *err) {
  json_t *after = NULL;
  int rc = latest_json(db, ch->id, &after, err);
  if (!rc) rc = bot_audit_write(db, ch->a->login, ch->action, ch->id, before, after, ch->detail[0] ? ch->detail : NULL, err);
  json_decref(after);
  return rc;
}

static int put_tx(sqlite3 *db, void *ctx, char *err) {
  struct change *ch = ctx;
  mg_faq_entry *old = NULL;
  json_t *before = NULL;
  int rc = faq_get(db, ch->id, MG_FAQ_LATEST, &old, err);
  if (rc && rc != MG_ENOTFOUND) return rc;
  if ((rc = bot_curation_may_change(ch->a, old, ch->e.department_id ? ch->e.department_id : "", err)) ||
      (rc = check_new_related(db, &ch->e, old, err)) ||
      (ch->e.life_events && (rc = bot_cl_check(bot_checklists_of(bot_worker_bot(ch->w)), ch->e.life_events, err)))) {
    faq_entry_free(old);
    return rc;
  }
  if (old) before = bot_curation_entry_json(old);
  faq_entry_free(old);
  rc = faq_put_ex(db, &ch->e, ch->a->login, ch->publish, &ch->changed, err);
  if (!rc && ch->changed) rc = audit_entry(db, ch, before, err);
  json_decref(before);
  return rc;
}

static int publish_tx(sqlite3 *db, void *ctx, char *err) {
  struct change *ch = ctx;
  mg_faq_entry *old = NULL, *now = NULL;
  json_t *before = NULL, *after = NULL;
  int rc = faq_get(db, ch->id, MG_FAQ_LATEST, &old, err);
  if (rc) return rc;
  if ((rc = bot_curation_may_change(ch->a, old, NULL, err))) goto out;
  before = json_pack("{si}", "published_version", old->published_version);
  if ((rc = faq_publish(db, ch->id, ch->version, ch->a->login, err))) goto out;
  if ((rc = faq_get(db, ch->id, MG_FAQ_LATEST, &now, err))) goto out;
  ch->changed = now->published_version != old->published_version;
  after = json_pack("{si}", "published_version", now->published_version);
  if (ch->changed) rc = bot_audit_write(db, ch->a->login, "faq.publish", ch->id, before, after, NULL, err);
out:
  json_decref(before);
  json_decref(after);
  faq_entry_free(old);
  faq_entry_free(now);
  return rc;
}

/* Write ch in one transaction (fn: put_tx or publish_tx); when it
 * publishes, the engine sees the new text before the next question; then
 * the entry as it is now. */
static int run_change(struct change *ch, int (*fn)(sqlite3 *, void *, char *), json_t **entry, int *changed,
                      char *err) {
  sqlite3 *db = bot_worker_db(ch->w);
  int rc = faq_db_tx(db, fn, ch, err);
  if (changed) *changed = ch->changed;
  if (rc) return rc;
  if ((ch->publish || fn == publish_tx) && (rc = bot_refresh(ch->w, err))) return rc;
  return latest_json(db, ch->id, entry, err);
}

int bot_curation_create(bot_worker *w, const bot_actor *a, const char *id, const json_t *fields, json_t **entry,
                        int *changed, char *err) {
  struct change ch = { .w = w, .a = a, .action = "faq.create" };
  sqlite3 *db = bot_worker_db(w);
  char next[64];
  mg_faq_entry *old = NULL;
  int rc;
  if (entry) *entry = NULL;
  /* no id: the next free one ("saijo-0173" → "saijo-0174") */
  if (!id || !*id) {
    if ((rc = faq_next_id(db, next, sizeof next, err))) return rc;
    id = next;
  }
  ch.id = id;
  rc = faq_get(db, id, MG_FAQ_LATEST, &old, err);
  faq_entry_free(old);
  if (rc == 0) return mg_errf(err, MG_ECONFLICT, "このIDのFAQはすでにあります");
  if (rc != MG_ENOTFOUND) return rc;
  if ((rc = change_from_fields(&ch, NULL, fields, err)) == 0) rc = run_change(&ch, put_tx, entry, changed, err);
  change_free(&ch);
  return rc;
}

int bot_curation_put(bot_worker *w, const bot_actor *a, const char *id, const json_t *fields, json_t **entry,
                     int *changed, char *err) {
  struct change ch = { .w = w, .a = a, .id = id, .action = "faq.edit" };
  mg_faq_entry *base = NULL;
  int rc;
  if (entry) *entry = NULL;
  if ((rc = faq_get(bot_worker_db(w), id, MG_FAQ_LATEST, &base, err))) return rc;
  if ((rc = change_from_fields(&ch, base, fields, err)) == 0) rc = run_change(&ch, put_tx, entry, changed, err);
  change_free(&ch);
  faq_entry_free(base);
  return rc;
}

int bot_curation_alternate(bot_worker *w, const bot_actor *a, const char *id, const char *text, int publish,
                           json_t **entry, int *changed, char *err) {
  struct change ch = { .w = w, .a = a, .id = id, .action = "faq.alternate", .publish = publish };
  mg_faq_entry *base = NULL;
  int rc;
  if (entry) *entry = NULL;
  if (changed) *changed = 0;
  if (!text || !*text || strchr(text, '\n')) return mg_errf(err, MG_EMISSING, "言い換えは1行で入力してください");
  if ((rc = faq_get(bot_worker_db(w), id, MG_FAQ_LATEST, &base, err))) return rc;
  for (int i = 0; i < base->n_alternates; i++)
    if (strcmp(base->alternates[i], text) == 0) { /* known already: nothing changes */
      if (entry && !(*entry = bot_curation_entry_json(base))) rc = mg_errf(err, MG_ENOMEM, "out of memory");
      goto out;
    }
  ch.alt = calloc((size_t)base->n_alternates + 2, sizeof *ch.alt);
  if (!ch.alt) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  for (int i = 0; i < base->n_alternates; i++) ch.alt[ch.n_alt++] = strdup(base->alternates[i]);
  ch.alt[ch.n_alt++] = strdup(text);
  ch.e = *base;
  ch.e.alternates = ch.alt;
  ch.e.n_alternates = ch.n_alt;
  ch.e.updated_at = NULL;
  rc = run_change(&ch, put_tx, entry, changed, err);
out:
  change_free(&ch);
  faq_entry_free(base);
  return rc;
}

int bot_curation_publish(bot_worker *w, const bot_actor *a, const char *id, int version, json_t **entry, int *changed,
                         char *err) {
  struct change ch = { .w = w, .a = a, .id = id, .action = "faq.publish", .version = version };
  if (entry) *entry = NULL;
  return run_change(&ch, publish_tx, entry, changed, err);
}

/* A rollback publishes only an entry that is live (the usual case: take a
 * wrong text back at once); a draft entry stays a draft. */
int bot_curation_rollback(bot_worker *w, const bot_actor *a, const char *id, int version, json_t **entry, int *changed,
                          char *err) {
  struct change ch = { .w = w, .a = a, .id = id, .action = "faq.rollback" };
  sqlite3 *db = bot_worker_db(w);
  mg_faq_entry *old = NULL, *now = NULL;
  int rc;
  if (entry) *entry = NULL;
  if (version <= 0) return mg_errf(err, MG_EMISSING, "戻す版（version）を指定してください");
  if ((rc = faq_get(db, id, MG_FAQ_LATEST, &now, err))) return rc;
  ch.publish = now->published_version > 0;
  faq_entry_free(now);
  if ((rc = faq_get(db, id, version, &old, err))) return rc;
  ch.e = *old;
  ch.e.updated_at = NULL;
  snprintf(ch.detail, sizeof ch.detail, "to version %d", version);
  rc = run_change(&ch, put_tx, entry, changed, err);
  faq_entry_free(old);
  return rc;
}

/* ---- import / export ----------------------------------------------------------- */

/* The import's report as JSON; the temporary file's name means nothing to
 * staff and is cut from each error. */
static json_t *report_json(const mg_io_report *rep, const char *path) {
  json_t *errors = json_array();
  size_t pl = strlen(path);
  for (int i = 0; errors && i < rep->n_errors && i < MG_IO_MAX_ERRORS; i++) {
    const char *e = rep->errors[i];
    if (strncmp(e, path, pl) == 0) e += pl + (e[pl] == ':' || e[pl] == ' ');
    while (*e == ' ') e++;
    json_array_append_new(errors, json_string(e));
  }
  return json_pack("{si si si si si si sb so}", "entries", rep->entries, "added", rep->added, "revised", rep->revised,
                   "unchanged", rep->unchanged, "departments", rep->departments, "n_errors", rep->n_errors,
                   "truncated", rep->truncated, "errors", errors);
}

int bot_curation_import(bot_worker *w, const bot_actor *a, const char *body, size_t len, int draft,
                        const char *encoding, json_t **report, char *err) {
  char path[] = "/tmp/madoguchi-import-XXXXXX";
  sqlite3 *db = bot_worker_db(w);
  mg_io_opts o = { .format = "csv", .by = a->login, .draft = draft, .encoding = encoding,
                   /* staff import into their own department only (F7) */
                   .department = a->role == AUTH_STAFF ? a->department : NULL };
  mg_io_report *rep = NULL;
  int fd = -1, rc;
  *report = NULL;
  if (!body || len == 0) return mg_errf(err, MG_EMISSING, "ファイルが空です");
  if (!(rep = calloc(1, sizeof *rep))) return mg_errf(err, MG_ENOMEM, "out of memory");
  /* the importer reads files (it detects CP932 and the BOM): hand it one */
  if ((fd = mkstemp(path)) < 0) { rc = mg_errf(err, MG_EIO, "import: cannot create a temporary file"); goto out; }
  if (write(fd, body, len) != (ssize_t)len) {
    rc = mg_errf(err, MG_EIO, "import: cannot write a temporary file");
    goto out;
  }
  rc = faq_io_import(db, path, &o, rep, err);
  if (!(*report = report_json(rep, path)) && !rc) rc = mg_errf(err, MG_ENOMEM, "out of memory");
  if (rc) goto out;
  if ((rc = bot_audit_write(db, a->login, "faq.import", "", NULL, *report, NULL, err))) goto out;
  rc = bot_refresh(w, err);
out:
  if (fd >= 0) { close(fd); unlink(path); }
  free(rep);
  return rc;
}

int bot_curation_export(sqlite3 *db, int published, char **buf, size_t *len, char *err) {
  mg_io_opts o = { .format = "csv", .published = published };
  FILE *f;
  int rc;
  *buf = NULL;
  *len = 0;
  if (!(f = open_memstream(buf, len))) return mg_errf(err, MG_ENOMEM, "export: out of memory");
  rc = faq_io_export(db, f, &o, err);
  fclose(f);
  if (rc) { free(*buf); *buf = NULL; *len = 0; }
  return rc;
}

void bot_curation_export_name(sqlite3 *db, char *name, size_t n) {
  char ignored[MG_ERRLEN], *code = NULL;
  int plain = 0;
  if (faq_meta_get(db, "municipality_code", &code, ignored) == 0 && code && *code && strlen(code) < 32) {
    plain = 1;
    for (const char *p = code; *p; p++)
      if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
        plain = 0;
  }
  if (plain) snprintf(name, n, "%s-faq.csv", code);
  else snprintf(name, n, "faq.csv");
  free(code);
}

/* ---- learned phrasings ------------------------------------------------------- */

static int add_candidate(void *ctx, const faq_learn_candidate *k) {
  return json_array_append_new(ctx, json_pack("{sI ss ss ss ss si si ss ss}", "id", (json_int_t)k->id, "faq_id",
                                              k->faq_id, "question", k->question, "department",
                                              k->department_id ? k->department_id : "", "text", k->text, "sessions",
                                              k->sessions, "addresses", k->addresses, "first_at", k->first_at,
                                              "last_at", k->last_at)) == 0
           ? 0
           : MG_ENOMEM;
}

int bot_curation_phrasings(bot_worker *w, const bot_actor *a, const char *department, int offset, int limit,
                           json_t **out, int *total, char *err) {
  const mg_config *cfg = bot_config(bot_worker_bot(w));
  json_t *arr = json_array();
  int rc;
  *out = NULL;
  if (!arr) return mg_errf(err, MG_ENOMEM, "out of memory");
  if (a->role == AUTH_STAFF) department = a->department;
  rc = faq_learn_list(bot_worker_db(w), department, cfg->learn_min_sessions, cfg->learn_min_addresses, offset, limit,
                      add_candidate, arr, total, err);
  if (rc) json_decref(arr);
  else *out = arr;
  return rc;
}

int bot_curation_phrasing_decide(bot_worker *w, const bot_actor *a, const char *id, int accept, long long *id_out,
                                 char **faq_id, char *err) {
  sqlite3 *db = bot_worker_db(w);
  char *dept = NULL, *text = NULL, *end;
  long long n = strtoll(id, &end, 10);
  json_t *detail = NULL;
  int rc;
  *faq_id = NULL;
  *id_out = n;
  if (*end || n <= 0) return mg_errf(err, MG_ENOTFOUND, "その言い回しは見つかりません");
  rc = faq_learn_get(db, n, faq_id, &dept, &text, err);
  if (rc == MG_ENOTFOUND) { rc = mg_errf(err, MG_ENOTFOUND, "その言い回しは見つかりません"); goto out; }
  if (rc) goto out;
  if (a->role == AUTH_STAFF && strcmp(dept, a->department) != 0) {
    rc = mg_errf(err, MG_EFORBIDDEN, "このFAQは他の部署の担当です");
    goto out;
  }
  rc = accept ? faq_learn_accept(db, n, a->login, err) : faq_learn_reject(db, n, a->login, err);
  if (rc) goto out;
  detail = json_pack("{sI ss}", "phrasing", (json_int_t)n, "text", text);
  if ((rc = bot_audit_write(db, a->login, accept ? "faq.phrasing_accept" : "faq.phrasing_reject", *faq_id, NULL,
                            detail, NULL, err)))
    goto out;
  if (accept) rc = bot_refresh(w, err);
out:
  if (rc) { free(*faq_id); *faq_id = NULL; }
  json_decref(detail);
  free(dept);
  free(text);
  return rc;
}
