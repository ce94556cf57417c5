/*
 * store.c — FAQ entries with revisions, departments and meta (store.h).
 *
 * The design is in store.h: an entry points at its published revision, a
 * change is a new immutable revision, publishing moves the pointer and the
 * triggers of faq/schema.c update the FTS5 index in the same transaction.
 *
 * All SQL is the array `sql` below. Statements are prepared once per thread
 * and connection through the cache in faq/db.c (faq_db_stmt), because the
 * answer path reads an entry for every candidate it shows.
 * Alternates, keywords and related ids are stored one per line
 * (docs/architecture.md).
 */
#include "faq/store.h"
#include "util/mg_time.h"
#include "faq/db.h"
#include "util/mg_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns every entry read returns, in the order row_to_entry reads. */
#define ENTRY_COLS \
  "SELECT f.ext_id, r.version, coalesce(p.version, 0), r.question, r.answer, r.alternates, r.keywords," \
  " r.category, coalesce(r.department_id, ''), r.url, r.updated_at, r.updated_by," \
  " CASE WHEN f.published_rev IS NULL THEN 'draft'" \
  "  WHEN f.published_rev = (SELECT id FROM faq_revision WHERE faq_id = f.id ORDER BY version DESC LIMIT 1)" \
  "  THEN 'published' ELSE 'published+draft' END," \
  " coalesce(d.id, ''), coalesce(d.name, ''), coalesce(d.phone, ''), coalesce(d.email, '')," \
  " coalesce(d.hours, ''), coalesce(d.location, ''), r.online_url, r.related," \
  " r.life_events, r.bring, r.deadline, r.fee," \
  " r.question_en, r.answer_en, r.question_easy, r.answer_easy" \
  " FROM faq f JOIN faq_revision r ON r.faq_id = f.id" \
  " LEFT JOIN faq_revision p ON p.id = f.published_rev" \
  " LEFT JOIN department d ON d.id = r.department_id "
#define NEWEST_REV "(SELECT id FROM faq_revision WHERE faq_id = f.id ORDER BY version DESC LIMIT 1)"

enum {
  S_FAQ_FIND, S_FAQ_INSERT, S_REV_NEWEST, S_REV_INSERT, S_REV_FIND, S_SET_PUBLISHED,
  S_REV_DELETE, S_FAQ_DELETE, S_GET, S_QUESTION, S_LIST, S_DEPT_GET, S_DEPT_PUT, S_DEPT_LIST,
  S_DEPT_EXISTS, S_LAST_ID, S_LIST_PUB, S_FAQ_EXISTS, S_SEARCH_EN, S_DEPT_NAME, S_DEPT_DAYS, S_DEPT_DEFAULT,
  S_PUB_DEPT, S_PUB_COUNT, N_S
};
static const char *const sql[N_S] = {
  [S_FAQ_FIND] = "SELECT id, coalesce(published_rev, 0) FROM faq WHERE ext_id = ?1",
  [S_FAQ_INSERT] = "INSERT INTO faq(ext_id, created_at) VALUES(?1, ?2)",
  [S_REV_NEWEST] = "SELECT id, version, question, answer, alternates, keywords, category,"
                   " coalesce(department_id, ''), url, related, online_url, life_events, bring, deadline, fee,"
                   " question_en, answer_en, question_easy, answer_easy"
                   " FROM faq_revision WHERE faq_id = ?1"
                   " ORDER BY version DESC LIMIT 1",
  [S_REV_INSERT] = "INSERT INTO faq_revision(faq_id, version, question, answer, alternates, keywords,"
                   " category, department_id, url, updated_at, updated_by, related, online_url, life_events, bring,"
                   " deadline, fee, question_en, answer_en, question_easy, answer_easy)"
                   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, nullif(?8, ''), ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
                   " ?18, ?19, ?20, ?21)",
  [S_REV_FIND] = "SELECT id FROM faq_revision WHERE faq_id = ?1 AND (?2 = 0 OR version = ?2)"
                 " ORDER BY version DESC LIMIT 1",
  [S_SET_PUBLISHED] = "UPDATE faq SET published_rev = ?2 WHERE id = ?1",
  [S_REV_DELETE] = "DELETE FROM faq_revision WHERE faq_id = ?1",
  [S_FAQ_DELETE] = "DELETE FROM faq WHERE id = ?1",
  [S_GET] = ENTRY_COLS "WHERE f.ext_id = ?1 AND r.id = CASE WHEN ?2 = -1 THEN f.published_rev"
            " WHEN ?2 = 0 THEN " NEWEST_REV
            " ELSE (SELECT id FROM faq_revision WHERE faq_id = f.id AND version = ?2) END",
  [S_QUESTION] = "SELECT r.question FROM faq f JOIN faq_revision r ON r.id = f.published_rev WHERE f.ext_id = ?1",
  /* the question counts twice its answer, as in the Japanese index */
  /* the best ?2 first, then their texts: read for every match before the
   * sort, the texts cost more than the ranking */
  [S_SEARCH_EN] = "SELECT f.ext_id, s, t.question, t.answer FROM"
                  " (SELECT rowid AS hit, -bm25(faq_en_fts, 2.0, 1.0) AS s FROM faq_en_fts"
                  "  WHERE faq_en_fts MATCH ?1 ORDER BY s DESC LIMIT ?2)"
                  " JOIN faq f ON f.id = hit JOIN faq_en_fts t ON t.rowid = hit ORDER BY s DESC",
  [S_LIST] = ENTRY_COLS "WHERE r.id = " NEWEST_REV
             " AND (?1 IS NULL OR r.department_id = ?1) AND (?2 IS NULL OR r.category = ?2)"
             " AND (?3 IS NULL OR ?3 = CASE WHEN f.published_rev IS NULL THEN 'draft'"
             "  WHEN f.published_rev = r.id THEN 'published' ELSE 'published+draft' END)"
             " AND (?4 IS NULL OR f.id IN (SELECT rowid FROM faq_fts WHERE faq_fts MATCH ?4))"
             " AND (?5 IS NULL OR instr(r.life_events, ?5) > 0)"
             " ORDER BY f.ext_id",
  [S_DEPT_GET] = "SELECT id, name, phone, email, hours, location FROM department WHERE id = ?1",
  [S_DEPT_PUT] = "INSERT INTO department(id, name, phone, email, hours, location) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
                 " ON CONFLICT(id) DO UPDATE SET name = excluded.name, phone = excluded.phone,"
                 " email = excluded.email, hours = excluded.hours, location = excluded.location",
  [S_DEPT_LIST] = "SELECT id, name, phone, email, hours, location FROM department ORDER BY id",
  [S_DEPT_EXISTS] = "SELECT 1 FROM department WHERE id = ?1",
  [S_LAST_ID] = "SELECT ext_id FROM faq ORDER BY length(ext_id) DESC, ext_id DESC LIMIT 1",
  /* as S_LIST, the published revisions only (?3 is bound but unused) */
  [S_LIST_PUB] = ENTRY_COLS "WHERE r.id = f.published_rev"
                 " AND (?1 IS NULL OR r.department_id = ?1) AND (?2 IS NULL OR r.category = ?2)"
                 " AND (?3 IS NULL OR ?3 = ?3)"
                 " AND (?4 IS NULL OR f.id IN (SELECT rowid FROM faq_fts WHERE faq_fts MATCH ?4))"
                 " AND (?5 IS NULL OR instr(r.life_events, ?5) > 0)"
                 " ORDER BY f.ext_id",
  [S_FAQ_EXISTS] = "SELECT 1 FROM faq WHERE ext_id = ?1",
  [S_DEPT_NAME] = "SELECT name FROM department WHERE id = ?1",
  [S_DEPT_DAYS] = "SELECT answer_days FROM department WHERE id = ?1",
  /* meta.default_department when it names a department, else the first one */
  [S_DEPT_DEFAULT] = "SELECT coalesce((SELECT value FROM meta WHERE key = 'default_department'"
                     " AND value IN (SELECT id FROM department)), (SELECT id FROM department ORDER BY rowid LIMIT 1))",
  [S_PUB_DEPT] = "SELECT department_id FROM faq_published WHERE ext_id = ?1",
  [S_PUB_COUNT] = "SELECT count(*) FROM faq WHERE published_rev IS NOT NULL",
};

/* ---- small helpers ------------------------------------------------------ */

/* Statements come from the per-thread cache in faq/db.c (the answer path
 * reads an entry per candidate; preparing each time cost more than the
 * ranking) and go back with faq_db_stmt_done, which resets them at once. */
static int prep(sqlite3 *db, int q, sqlite3_stmt **st, char *err) {
  return faq_db_stmt(db, sql[q], st, err);
}

static int db_fail(sqlite3 *db, const char *what, char *err) {
  int code = sqlite3_errcode(db) == SQLITE_BUSY ? MG_EBUSY : MG_EDB;
  return mg_errf(err, code, "%s: %s", what, sqlite3_errmsg(db));
}

static void bind_str(sqlite3_stmt *st, int i, const char *s) {
  if (s && *s) sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
  else sqlite3_bind_null(st, i);
}

static char *col_dup(sqlite3_stmt *st, int i) {
  const char *s = (const char *)sqlite3_column_text(st, i);
  return strdup(s ? s : "");
}

static int str_eq(const char *a, const char *b) {
  return strcmp(a ? a : "", b ? b : "") == 0;
}

int faq_strv_split(const char *text, char ***out) {
  int n = 0, cap = 0;
  char **v = NULL;
  *out = NULL;
  for (const char *p = text ? text : ""; *p;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    if (len > 0) {
      if (n == cap) {
        char **nv = realloc(v, sizeof *v * (cap = cap ? cap * 2 : 4));
        if (!nv) goto nomem;
        v = nv;
      }
      if (!(v[n] = strndup(p, len))) goto nomem;
      n++;
    }
    p += len + (nl ? 1 : 0);
  }
  *out = v;
  return n;
nomem:
  faq_strv_free(v, n);
  return MG_ENOMEM;
}

void faq_strv_free(char **v, int n) {
  for (int i = 0; i < n; i++) free(v[i]);
  free(v);
}

/* Join v with newlines into a new string (empty items dropped). */
static char *strv_join(char *const *v, int n) {
  size_t len = 1;
  char *s, *p;
  for (int i = 0; i < n; i++) len += strlen(v[i]) + 1;
  if (!(p = s = malloc(len))) return NULL;
  *p = '\0';
  for (int i = 0; i < n; i++) {
    if (!v[i][0]) continue;
    if (p != s) *p++ = '\n';
    p = stpcpy(p, v[i]);
  }
  return s;
}

/* Join related ids with newlines, each id once (the first place it is given). */
static char *related_join(char *const *v, int n) {
  char **u = malloc(((size_t)n + 1) * sizeof *u), *s;
  int k = 0;
  if (!u) return NULL;
  for (int i = 0; i < n; i++) {
    int dup = 0;
    for (int j = 0; j < k && !dup; j++) dup = strcmp(u[j], v[i]) == 0;
    if (!dup) u[k++] = v[i];
  }
  s = strv_join(u, k);
  free(u);
  return s;
}

void faq_department_clear(mg_department *d) {
  if (!d) return;
  free(d->id); free(d->name); free(d->phone); free(d->email); free(d->hours); free(d->location);
  memset(d, 0, sizeof *d);
}

void faq_entry_clear(mg_faq_entry *e) {
  free(e->id); free(e->question); free(e->answer);
  faq_strv_free(e->alternates, e->n_alternates);
  faq_strv_free(e->keywords, e->n_keywords);
  faq_strv_free(e->related, e->n_related);
  free(e->category); free(e->department_id); free(e->url); free(e->updated_at); free(e->updated_by);
  for (int i = 0; i < FAQ_N_KEPT; i++) free(*faq_kept_field((mg_faq_entry *)e, i));
  for (int i = 0; i < MG_FAQ_NTR; i++) free(e->tr[i]);
  faq_department_clear(&e->dept);
}

void faq_entry_free(mg_faq_entry *e) {
  if (!e) return;
  faq_entry_clear(e);
  free(e);
}

static void row_to_department(sqlite3_stmt *st, int c, mg_department *d) {
  d->id = col_dup(st, c); d->name = col_dup(st, c + 1); d->phone = col_dup(st, c + 2);
  d->email = col_dup(st, c + 3); d->hours = col_dup(st, c + 4); d->location = col_dup(st, c + 5);
}

static const char *status_name(const char *s) {
  if (strcmp(s, "published") == 0) return "published";
  if (strcmp(s, "draft") == 0) return "draft";
  return "published+draft";
}

/* A new entry from a row of ENTRY_COLS, or NULL when out of memory. */
static mg_faq_entry *row_to_entry(sqlite3_stmt *st) {
  mg_faq_entry *e = calloc(1, sizeof *e);
  int bad = 0;
  if (!e) return NULL;
  e->id = col_dup(st, 0);
  e->version = sqlite3_column_int(st, 1);
  e->published_version = sqlite3_column_int(st, 2);
  e->question = col_dup(st, 3);
  e->answer = col_dup(st, 4);
  e->n_alternates = faq_strv_split((const char *)sqlite3_column_text(st, 5), &e->alternates);
  e->n_keywords = faq_strv_split((const char *)sqlite3_column_text(st, 6), &e->keywords);
  e->category = col_dup(st, 7);
  e->department_id = col_dup(st, 8);
  e->url = col_dup(st, 9);
  e->updated_at = col_dup(st, 10);
  e->updated_by = col_dup(st, 11);
  e->status = status_name((const char *)sqlite3_column_text(st, 12));
  row_to_department(st, 13, &e->dept);
  e->n_related = faq_strv_split((const char *)sqlite3_column_text(st, 20), &e->related);
  for (int i = 0; i < FAQ_N_KEPT; i++)
    if (!(*faq_kept_field(e, i) = col_dup(st, i == 0 ? 19 : 20 + i))) bad = 1;
  for (int i = 0; i < MG_FAQ_NTR; i++)
    if (!(e->tr[i] = col_dup(st, 25 + i))) bad = 1;
  if (e->n_alternates < 0 || e->n_keywords < 0 || e->n_related < 0 || !e->id || !e->question || !e->answer ||
      !e->category || !e->department_id || !e->url || !e->updated_at || !e->updated_by || !e->dept.location ||
      bad) {
    if (e->n_alternates < 0) e->n_alternates = 0, e->alternates = NULL;
    if (e->n_keywords < 0) e->n_keywords = 0, e->keywords = NULL;
    if (e->n_related < 0) e->n_related = 0, e->related = NULL;
    faq_entry_free(e);
    return NULL;
  }
  return e;
}

/* ---- reading ------------------------------------------------------------ */

int faq_get(sqlite3 *db, const char *id, int which, mg_faq_entry **out, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  *out = NULL;
  if ((rc = prep(db, S_GET, &st, err))) return rc;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, which);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) rc = (*out = row_to_entry(st)) ? 0 : mg_errf(err, MG_ENOMEM, "out of memory");
  else if (rc == SQLITE_DONE)
    rc = which == MG_FAQ_PUBLISHED ? mg_errf(err, MG_ENOTFOUND, "%s: no published revision", id)
       : which > 0 ? mg_errf(err, MG_ENOTFOUND, "%s: no version %d", id, which)
       : mg_errf(err, MG_ENOTFOUND, "%s: no such entry", id);
  else rc = db_fail(db, id, err);
  faq_db_stmt_done(st);
  return rc;
}

int faq_question(sqlite3 *db, const char *id, char **out, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  *out = NULL;
  if ((rc = prep(db, S_QUESTION, &st, err))) return rc;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) rc = (*out = strdup((const char *)sqlite3_column_text(st, 0))) ? 0 : mg_errf(err, MG_ENOMEM, "out of memory");
  else if (rc == SQLITE_DONE) rc = mg_errf(err, MG_ENOTFOUND, "%s: no published revision", id);
  else rc = db_fail(db, id, err);
  faq_db_stmt_done(st);
  return rc;
}

int faq_search_en(sqlite3 *db, const char *match, faq_en_hit *out, int max, int *n, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  *n = 0;
  if ((rc = prep(db, S_SEARCH_EN, &st, err))) return rc;
  sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, max);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    faq_en_hit *h = &out[*n];
    snprintf(h->id, sizeof h->id, "%s", (const char *)sqlite3_column_text(st, 0));
    h->score = sqlite3_column_double(st, 1);
    h->question = col_dup(st, 2);
    h->answer = col_dup(st, 3);
    ++*n;
    if (!h->question || !h->answer) {
      rc = mg_errf(err, MG_ENOMEM, "out of memory");
      goto out;
    }
  }
  rc = rc == SQLITE_DONE ? 0 : db_fail(db, "English search", err);
out:
  faq_db_stmt_done(st);
  if (rc) {
    faq_en_hits_clear(out, *n);
    *n = 0;
  }
  return rc;
}

void faq_en_hits_clear(faq_en_hit *h, int n) {
  for (int i = 0; i < n; i++) {
    free(h[i].question);
    free(h[i].answer);
    h[i].question = h[i].answer = NULL;
  }
}

/* faq_list and faq_list_take: exactly one of fn (borrows each entry) and
 * take (owns it) is set. */
static int list_walk(sqlite3 *db, const mg_faq_filter *f, int (*fn)(void *ctx, const mg_faq_entry *e),
                     int (*take)(void *ctx, mg_faq_entry *e), void *ctx, char *err) {
  sqlite3_stmt *st = NULL;
  mg_faq_filter none = { 0 };
  int rc;
  if (!f) f = &none;
  if ((rc = prep(db, f->published_text ? S_LIST_PUB : S_LIST, &st, err))) return rc;
  bind_str(st, 1, f->department);
  bind_str(st, 2, f->category);
  bind_str(st, 3, f->published_text ? NULL : f->status);
  bind_str(st, 5, f->life_events_with);
  char *match = NULL;
  if (f->search && *f->search) {
    /* Each space-separated word becomes an FTS5 string (quotes doubled), so
     * user text is never FTS5 syntax; the mecab tokenizer analyses it. */
    size_t n = strlen(f->search);
    char *q = match = malloc(n * 3 + 4);
    if (!match) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
    int in_word = 0;
    for (const char *p = f->search; *p; p++) {
      int space = *p == ' ' || *p == '\t' || *p == '\n' || (strncmp(p, "\xe3\x80\x80", 3) == 0);
      if (space) {
        if (in_word) *q++ = '"', *q++ = ' ', in_word = 0;
        if (*p != ' ' && *p != '\t' && *p != '\n') p += 2;
        continue;
      }
      if (!in_word) *q++ = '"', in_word = 1;
      if (*p == '"') *q++ = '"';
      *q++ = *p;
    }
    if (in_word) *q++ = '"';
    *q = '\0';
    if (q == match) { free(match); match = NULL; }
    else sqlite3_bind_text(st, 4, match, -1, SQLITE_STATIC);
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    mg_faq_entry *e = row_to_entry(st);
    if (!e) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
    if (take) {
      rc = take(ctx, e);
    } else {
      rc = fn(ctx, e);
      faq_entry_free(e);
    }
    if (rc) goto out;
  }
  rc = rc == SQLITE_DONE ? 0 : db_fail(db, "listing entries", err);
out:
  faq_db_stmt_done(st);
  free(match);
  return rc;
}

int faq_list(sqlite3 *db, const mg_faq_filter *f, int (*fn)(void *ctx, const mg_faq_entry *e), void *ctx,
             char *err) {
  return list_walk(db, f, fn, NULL, ctx, err);
}

int faq_list_take(sqlite3 *db, const mg_faq_filter *f, int (*fn)(void *ctx, mg_faq_entry *e), void *ctx, char *err) {
  return list_walk(db, f, NULL, fn, ctx, err);
}

/* ---- writing ------------------------------------------------------------ */

/* Look up entry ext_id: *faq_id (0 when absent) and its published revision. */
static int find_faq(sqlite3 *db, const char *ext_id, sqlite3_int64 *faq_id, sqlite3_int64 *pub_rev, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  *faq_id = *pub_rev = 0;
  if ((rc = prep(db, S_FAQ_FIND, &st, err))) return rc;
  sqlite3_bind_text(st, 1, ext_id, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *faq_id = sqlite3_column_int64(st, 0);
    *pub_rev = sqlite3_column_int64(st, 1);
    rc = 0;
  } else rc = rc == SQLITE_DONE ? 0 : db_fail(db, ext_id, err);
  faq_db_stmt_done(st);
  return rc;
}

/* Revision id of `version` (0 = newest) of faq_id into *rev (0 when absent). */
static int find_rev(sqlite3 *db, sqlite3_int64 faq_id, int version, sqlite3_int64 *rev, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  *rev = 0;
  if ((rc = prep(db, S_REV_FIND, &st, err))) return rc;
  sqlite3_bind_int64(st, 1, faq_id);
  sqlite3_bind_int(st, 2, version);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) *rev = sqlite3_column_int64(st, 0), rc = 0;
  else rc = rc == SQLITE_DONE ? 0 : db_fail(db, "finding a revision", err);
  faq_db_stmt_done(st);
  return rc;
}

static int set_published(sqlite3 *db, sqlite3_int64 faq_id, sqlite3_int64 rev, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  if ((rc = prep(db, S_SET_PUBLISHED, &st, err))) return rc;
  sqlite3_bind_int64(st, 1, faq_id);
  if (rev) sqlite3_bind_int64(st, 2, rev);
  else sqlite3_bind_null(st, 2);
  rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(db, "publishing", err);
  faq_db_stmt_done(st);
  return rc;
}

/* Run one statement that takes a single integer and returns no rows. */
static int exec_id(sqlite3 *db, int q, sqlite3_int64 id, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  if ((rc = prep(db, q, &st, err))) return rc;
  sqlite3_bind_int64(st, 1, id);
  rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(db, sql[q], err);
  faq_db_stmt_done(st);
  return rc;
}

static int dept_exists(sqlite3 *db, const char *id, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  if ((rc = prep(db, S_DEPT_EXISTS, &st, err))) return rc;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  rc = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? mg_errf(err, MG_ENOTFOUND, "unknown department '%s'", id)
     : db_fail(db, id, err);
  faq_db_stmt_done(st);
  return rc;
}

/* Entry ids are used in URLs and on the command line: keep them plain. */
int faq_valid_id(const char *id) {
  size_t n = id ? strlen(id) : 0;
  if (n == 0 || n > 64) return 0;
  for (const char *p = id; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          *p == '-' || *p == '_' || *p == '.'))
      return 0;
  return 1;
}

struct put {
  const mg_faq_entry *e;
  const char *by;
  int publish;
  int changed;
  char *alternates, *keywords, *related; /* joined */
  char *kept[FAQ_N_KEPT];      /* e's kept fields, or (NULL there) the newest revision's */
  char *tr[MG_FAQ_NTR];        /* e->tr, or (NULL there) the newest revision's */
};

const char *faq_tr_name(int i) {
  static const char *const names[MG_FAQ_NTR] = { "question_en", "answer_en", "question_easy", "answer_easy" };
  return i >= 0 && i < MG_FAQ_NTR ? names[i] : "";
}

/* The fields a writer may leave NULL to keep the newest revision's. */
static int same_kept(sqlite3_stmt *st, const struct put *p) {
  for (int i = 0; i < FAQ_N_KEPT; i++)
    if (!str_eq((const char *)sqlite3_column_text(st, 10 + i), p->kept[i])) return 0;
  for (int i = 0; i < MG_FAQ_NTR; i++)
    if (!str_eq((const char *)sqlite3_column_text(st, 10 + FAQ_N_KEPT + i), p->tr[i])) return 0;
  return 1;
}

/* Does the newest revision (a row of S_REV_NEWEST) hold p's content? */
static int same_content(sqlite3_stmt *st, const struct put *p) {
  const mg_faq_entry *e = p->e;
  return str_eq((const char *)sqlite3_column_text(st, 2), e->question) &&
         str_eq((const char *)sqlite3_column_text(st, 3), e->answer) &&
         str_eq((const char *)sqlite3_column_text(st, 4), p->alternates) &&
         str_eq((const char *)sqlite3_column_text(st, 5), p->keywords) &&
         str_eq((const char *)sqlite3_column_text(st, 6), e->category) &&
         str_eq((const char *)sqlite3_column_text(st, 7), e->department_id) &&
         str_eq((const char *)sqlite3_column_text(st, 8), e->url) &&
         str_eq((const char *)sqlite3_column_text(st, 9), p->related) &&
         same_kept(st, p);
}

/* Newest revision of faq_id: *rev, *version (0/0 when none), *same. */
static int newest(sqlite3 *db, struct put *p, sqlite3_int64 faq_id, sqlite3_int64 *rev, int *version, int *same,
                  char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  *rev = 0, *version = 0, *same = 0;
  if ((rc = prep(db, S_REV_NEWEST, &st, err))) return rc;
  sqlite3_bind_int64(st, 1, faq_id);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *rev = sqlite3_column_int64(st, 0);
    *version = sqlite3_column_int(st, 1);
    /* a field not given (a format or a caller that predates it): keep the newest one's */
    for (int i = 0; i < FAQ_N_KEPT; i++)
      if (!p->kept[i]) {
        const char *o = (const char *)sqlite3_column_text(st, 10 + i);
        if (!(p->kept[i] = strdup(o ? o : ""))) {
          faq_db_stmt_done(st);
          return mg_errf(err, MG_ENOMEM, "out of memory");
        }
      }
    for (int i = 0; i < MG_FAQ_NTR; i++)
      if (!p->tr[i]) {
        const char *o = (const char *)sqlite3_column_text(st, 10 + FAQ_N_KEPT + i);
        if (!(p->tr[i] = strdup(o ? o : ""))) {
          faq_db_stmt_done(st);
          return mg_errf(err, MG_ENOMEM, "out of memory");
        }
      }
    *same = same_content(st, p);
    rc = 0;
  } else rc = rc == SQLITE_DONE ? 0 : db_fail(db, "reading the newest revision", err);
  faq_db_stmt_done(st);
  return rc;
}

static int insert_faq(sqlite3 *db, const char *ext_id, sqlite3_int64 *faq_id, char *err) {
  sqlite3_stmt *st = NULL;
  char now[32];
  int rc;
  mg_time_utc(time(NULL), now);
  if ((rc = prep(db, S_FAQ_INSERT, &st, err))) return rc;
  sqlite3_bind_text(st, 1, ext_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
  rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(db, ext_id, err);
  *faq_id = sqlite3_last_insert_rowid(db);
  faq_db_stmt_done(st);
  return rc;
}

static int insert_rev(sqlite3 *db, const struct put *p, sqlite3_int64 faq_id, int version, sqlite3_int64 *rev,
                      char *err) {
  sqlite3_stmt *st = NULL;
  const mg_faq_entry *e = p->e;
  char now[32];
  int rc;
  mg_time_utc(time(NULL), now);
  if ((rc = prep(db, S_REV_INSERT, &st, err))) return rc;
  sqlite3_bind_int64(st, 1, faq_id);
  sqlite3_bind_int(st, 2, version);
  sqlite3_bind_text(st, 3, e->question, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, e->answer, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, p->alternates, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, p->keywords, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 7, e->category ? e->category : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 8, e->department_id ? e->department_id : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 9, e->url ? e->url : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 10, e->updated_at && *e->updated_at ? e->updated_at : now, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 11, p->by && *p->by ? p->by : "unknown", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 12, p->related, -1, SQLITE_STATIC);
  for (int i = 0; i < FAQ_N_KEPT; i++) sqlite3_bind_text(st, 13 + i, p->kept[i] ? p->kept[i] : "", -1, SQLITE_STATIC);
  for (int i = 0; i < MG_FAQ_NTR; i++)
    sqlite3_bind_text(st, 13 + FAQ_N_KEPT + i, p->tr[i] ? p->tr[i] : "", -1, SQLITE_STATIC);
  rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(db, e->id, err);
  *rev = sqlite3_last_insert_rowid(db);
  faq_db_stmt_done(st);
  return rc;
}

static int put_tx(sqlite3 *db, void *ctx, char *err) {
  struct put *p = ctx;
  sqlite3_int64 faq_id, pub, rev;
  int version, same, rc;
  if (p->e->department_id && *p->e->department_id && (rc = dept_exists(db, p->e->department_id, err))) return rc;
  if ((rc = find_faq(db, p->e->id, &faq_id, &pub, err))) return rc;
  if (!faq_id && (rc = insert_faq(db, p->e->id, &faq_id, err))) return rc;
  if ((rc = newest(db, p, faq_id, &rev, &version, &same, err))) return rc;
  if (!same) {
    if ((rc = insert_rev(db, p, faq_id, version + 1, &rev, err))) return rc;
    p->changed = 1;
  }
  if (p->publish && rev != pub) {
    if ((rc = set_published(db, faq_id, rev, err))) return rc;
    p->changed = 1;
  }
  return 0;
}

/* Copy e's kept fields that are set into p->kept; non-zero when out of memory. */
static int kept_dup(struct put *p) {
  for (int i = 0; i < FAQ_N_KEPT; i++) {
    const char *v = *faq_kept_field((mg_faq_entry *)p->e, i);
    if (v && !(p->kept[i] = strdup(v))) return 1;
  }
  return 0;
}

const char *const faq_kept_key[FAQ_N_KEPT] = { "online_url", "life_events", "bring", "deadline", "fee" };

char **faq_kept_field(mg_faq_entry *e, int i) {
  switch (i) {
  case 0: return &e->online_url;
  case 1: return &e->life_events;
  case 2: return &e->bring;
  case 3: return &e->deadline;
  default: return &e->fee;
  }
}

int faq_put_ex(sqlite3 *db, const mg_faq_entry *e, const char *by, int publish, int *changed, char *err) {
  struct put p = { .e = e, .by = by, .publish = publish };
  int rc;
  if (changed) *changed = 0;
  if (!faq_valid_id(e->id))
    return mg_errf(err, MG_EINVAL, "bad id '%s': use 1-64 letters, digits, '-', '_' or '.'", e->id ? e->id : "");
  if (!e->question || !*e->question) return mg_errf(err, MG_EINVAL, "%s: the question is empty", e->id);
  if (!e->answer || !*e->answer) return mg_errf(err, MG_EINVAL, "%s: the answer is empty", e->id);
  for (int i = 0; i < e->n_related; i++) {
    if (!faq_valid_id(e->related[i]))
      return mg_errf(err, MG_EINVAL, "%s: 関連するFAQのID「%s」は使えません（半角英数字と - _ . で1〜64文字）", e->id,
                     e->related[i]);
    if (strcmp(e->related[i], e->id) == 0)
      return mg_errf(err, MG_EINVAL, "%s: 関連するFAQに自分自身は入れられません", e->id);
  }
  p.alternates = strv_join(e->alternates, e->n_alternates);
  p.keywords = strv_join(e->keywords, e->n_keywords);
  p.related = related_join(e->related, e->n_related);
  if (e->online_url && *e->online_url && strncmp(e->online_url, "https://", 8) != 0 && strncmp(e->online_url, "http://", 7) != 0)
    rc = mg_errf(err, MG_EINVAL, "%s: the online application URL must start with https:// or http://", e->id);
  else if (!p.alternates || !p.keywords || !p.related || kept_dup(&p))
    rc = mg_errf(err, MG_ENOMEM, "out of memory");
  else {
    rc = 0;
    for (int i = 0; i < MG_FAQ_NTR && rc == 0; i++)
      if (e->tr[i] && !(p.tr[i] = strdup(e->tr[i]))) rc = mg_errf(err, MG_ENOMEM, "out of memory");
    if (rc == 0) rc = faq_db_tx(db, put_tx, &p, err);
  }
  if (rc == 0 && changed) *changed = p.changed;
  for (int i = 0; i < MG_FAQ_NTR; i++) free(p.tr[i]);
  free(p.alternates);
  free(p.keywords);
  for (int i = 0; i < FAQ_N_KEPT; i++) free(p.kept[i]);
  free(p.related);
  return rc;
}

int faq_related_check(sqlite3 *db, const mg_faq_entry *e, char *err) {
  sqlite3_stmt *st = NULL;
  int rc = 0;
  for (int i = 0; rc == 0 && i < e->n_related; i++) {
    const char *id = e->related[i];
    if (!faq_valid_id(id))
      return mg_errf(err, MG_EINVAL, "関連するFAQのID「%s」は使えません（半角英数字と - _ . で1〜64文字）", id);
    if (e->id && strcmp(id, e->id) == 0) return mg_errf(err, MG_EINVAL, "関連するFAQに自分自身は入れられません");
    if ((rc = prep(db, S_FAQ_EXISTS, &st, err))) return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? mg_errf(err, MG_EINVAL, "関連するFAQ「%s」はありません", id)
       : db_fail(db, id, err);
    faq_db_stmt_done(st);
  }
  return rc;
}

int faq_put(sqlite3 *db, const mg_faq_entry *e, const char *by, int publish, char *err) {
  return faq_put_ex(db, e, by, publish, NULL, err);
}

int faq_next_id(sqlite3 *db, char *buf, size_t size, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  if ((rc = prep(db, S_LAST_ID, &st, err))) return rc;
  snprintf(buf, size, "faq-0001");
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    const char *last = (const char *)sqlite3_column_text(st, 0);
    size_t n = strlen(last), d = n;
    while (d > 0 && last[d - 1] >= '0' && last[d - 1] <= '9') d--;
    if (d < n && n - d < 10) snprintf(buf, size, "%.*s%0*ld", (int)d, last, (int)(n - d), atol(last + d) + 1);
    else snprintf(buf, size, "%.50s-2", last);
    rc = 0;
  } else rc = rc == SQLITE_DONE ? 0 : db_fail(db, "choosing an id", err);
  faq_db_stmt_done(st);
  return rc;
}

struct target { const char *id; int version; };

static int publish_tx(sqlite3 *db, void *ctx, char *err) {
  struct target *t = ctx;
  sqlite3_int64 faq_id, pub, rev;
  int rc;
  if ((rc = find_faq(db, t->id, &faq_id, &pub, err))) return rc;
  if (!faq_id) return mg_errf(err, MG_ENOTFOUND, "%s: no such entry", t->id);
  if ((rc = find_rev(db, faq_id, t->version, &rev, err))) return rc;
  if (!rev) return mg_errf(err, MG_ENOTFOUND, "%s: no version %d", t->id, t->version);
  return rev == pub ? 0 : set_published(db, faq_id, rev, err);
}

int faq_publish(sqlite3 *db, const char *id, int version, const char *by, char *err) {
  struct target t = { id, version };
  if (version < 0) return mg_errf(err, MG_EINVAL, "%s: bad version %d", id, version);
  return faq_db_tx(db, publish_tx, &t, err);
}

/* faq and faq_revision point at each other: unpublish first (the trigger
 * takes the text out of the index), then revisions, then the entry. */
static int remove_tx(sqlite3 *db, void *ctx, char *err) {
  struct target *t = ctx;
  sqlite3_int64 faq_id, pub;
  int rc;
  if ((rc = find_faq(db, t->id, &faq_id, &pub, err))) return rc;
  if (!faq_id) return mg_errf(err, MG_ENOTFOUND, "%s: no such entry", t->id);
  if (pub && (rc = set_published(db, faq_id, 0, err))) return rc;
  if ((rc = exec_id(db, S_REV_DELETE, faq_id, err))) return rc;
  return exec_id(db, S_FAQ_DELETE, faq_id, err);
}

int faq_remove(sqlite3 *db, const char *id, const char *by, char *err) {
  struct target t = { id, 0 };
  return faq_db_tx(db, remove_tx, &t, err);
}

/* ---- departments and meta ----------------------------------------------- */

int faq_department_get(sqlite3 *db, const char *id, mg_department *out, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  memset(out, 0, sizeof *out);
  if ((rc = prep(db, S_DEPT_GET, &st, err))) return rc;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    row_to_department(st, 0, out);
    rc = out->location ? 0 : mg_errf(err, MG_ENOMEM, "out of memory");
  } else rc = rc == SQLITE_DONE ? mg_errf(err, MG_ENOTFOUND, "unknown department '%s'", id) : db_fail(db, id, err);
  faq_db_stmt_done(st);
  return rc;
}

int faq_department_exists(sqlite3 *db, const char *id, char *err) { return dept_exists(db, id, err); }

int faq_department_name(sqlite3 *db, const char *id, char *buf, size_t size, char *err) {
  return faq_db_text(db, sql[S_DEPT_NAME], id, buf, size, err);
}

int faq_department_answer_days(sqlite3 *db, const char *id, int *days, char *err) {
  char buf[16];
  int rc = faq_db_text(db, sql[S_DEPT_DAYS], id, buf, sizeof buf, err);
  if (rc == 0 && buf[0]) *days = atoi(buf);
  return rc == MG_ENOTFOUND ? 0 : rc;
}

int faq_department_default(sqlite3 *db, char *buf, size_t size, char *err) {
  int rc = faq_db_text(db, sql[S_DEPT_DEFAULT], NULL, buf, size, err);
  return rc == MG_ENOTFOUND ? 0 : rc;
}

int faq_published_department(sqlite3 *db, const char *id, char *buf, size_t size, char *err) {
  int rc = faq_db_text(db, sql[S_PUB_DEPT], id, buf, size, err);
  return rc == MG_ENOTFOUND ? 0 : rc;
}

int faq_published_count(sqlite3 *db, long long *n, char *err) {
  char buf[32];
  int rc = faq_db_text(db, sql[S_PUB_COUNT], NULL, buf, sizeof buf, err);
  *n = rc == 0 ? atoll(buf) : -1;
  return rc;
}

int faq_department_put(sqlite3 *db, const mg_department *d, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  if (!faq_valid_id(d->id)) return mg_errf(err, MG_EINVAL, "bad department id '%s'", d->id ? d->id : "");
  if (!d->name || !*d->name) return mg_errf(err, MG_EINVAL, "department %s: the name is empty", d->id);
  if ((rc = prep(db, S_DEPT_PUT, &st, err))) return rc;
  const char *v[6] = { d->id, d->name, d->phone, d->email, d->hours, d->location };
  for (int i = 0; i < 6; i++) sqlite3_bind_text(st, i + 1, v[i] ? v[i] : "", -1, SQLITE_STATIC);
  rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(db, d->id, err);
  faq_db_stmt_done(st);
  return rc;
}

int faq_department_list(sqlite3 *db, int (*fn)(void *ctx, const mg_department *d), void *ctx, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  if ((rc = prep(db, S_DEPT_LIST, &st, err))) return rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    mg_department d;
    row_to_department(st, 0, &d);
    rc = d.location ? fn(ctx, &d) : mg_errf(err, MG_ENOMEM, "out of memory");
    faq_department_clear(&d);
    if (rc) goto out;
  }
  rc = rc == SQLITE_DONE ? 0 : db_fail(db, "listing departments", err);
out:
  faq_db_stmt_done(st);
  return rc;
}
