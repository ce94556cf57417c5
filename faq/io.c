/*
 * io.c — import/export dispatch and what both formats share: the parsed set,
 * writing it through the store, error reports, and dates.
 *
 * Dates in files are dates in Asia/Tokyo (the city's calendar, as in the
 * open data sets); the database stores UTC timestamps, so an imported date
 * becomes the UTC instant of its midnight in Tokyo and exports back to the
 * same date.
 */
#define _GNU_SOURCE /* timegm */
#include "faq/io_int.h"
#include "util/mg_time.h"
#include "faq/db.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


void faq_io_report_error(mg_io_report *rep, const char *file, int line, const char *fmt, ...) {
  char msg[MG_ERRLEN], *out;
  va_list ap;
  int n;
  if (rep->n_errors >= MG_IO_MAX_ERRORS) { rep->truncated = 1; return; }
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  out = rep->errors[rep->n_errors++];
  n = line > 0 ? snprintf(out, MG_ERRLEN, "%s %d行目: %s", file, line, msg) : snprintf(out, MG_ERRLEN, "%s: %s", file, msg);
  if (n >= MG_ERRLEN) memcpy(out + MG_ERRLEN - 4, "...", 4); /* a very long path or message */
}

static int line_of(const char *e) {
  const char *p = strstr(e, "行目: ");
  const char *q = p;
  if (!p) return 0;
  while (q > e && q[-1] >= '0' && q[-1] <= '9') q--;
  return q < p ? atoi(q) : 0;
}

struct numbered { int line, index; };

static int by_line(const void *a, const void *b) {
  const struct numbered *x = a, *y = b;
  return x->line != y->line ? (x->line > y->line) - (x->line < y->line) : x->index - y->index;
}

void faq_io_report_sort(mg_io_report *rep) {
  struct numbered order[MG_IO_MAX_ERRORS];
  char (*tmp)[MG_ERRLEN] = malloc(sizeof(char[MG_IO_MAX_ERRORS][MG_ERRLEN]));   /* too big for the stack */
  if (!tmp) return;
  for (int i = 0; i < rep->n_errors; i++) order[i] = (struct numbered){ line_of(rep->errors[i]), i };
  qsort(order, (size_t)rep->n_errors, sizeof order[0], by_line);
  for (int i = 0; i < rep->n_errors; i++) memcpy(tmp[i], rep->errors[order[i].index], MG_ERRLEN);
  memcpy(rep->errors, tmp, (size_t)rep->n_errors * MG_ERRLEN);
  free(tmp);
}

/* ---- the parsed set ----------------------------------------------------- */

static void row_clear(mg_io_row *r) {
  faq_entry_clear(&r->e);
}

void faq_io_set_free(mg_io_set *s) {
  for (int i = 0; i < s->n_rows; i++) row_clear(&s->rows[i]);
  for (int i = 0; i < s->n_depts; i++) faq_department_clear(&s->depts[i]);
  free(s->rows); free(s->depts); free(s->dept_lines);
  free(s->code); free(s->name); free(s->notice);
  memset(s, 0, sizeof *s);
}

mg_io_row *faq_io_set_add_row(mg_io_set *s) {
  if (s->n_rows == s->cap_rows) {
    int cap = s->cap_rows ? s->cap_rows * 2 : 64;
    mg_io_row *nr = realloc(s->rows, sizeof *nr * cap);
    if (!nr) return NULL;
    s->rows = nr, s->cap_rows = cap;
  }
  memset(&s->rows[s->n_rows], 0, sizeof s->rows[0]);
  return &s->rows[s->n_rows++];
}

mg_department *faq_io_set_add_dept(mg_io_set *s, int line) {
  if (s->n_depts == s->cap_depts) {
    int cap = s->cap_depts ? s->cap_depts * 2 : 16;
    mg_department *nd = realloc(s->depts, sizeof *nd * cap);
    int *nl = realloc(s->dept_lines, sizeof *nl * cap);
    if (nd) s->depts = nd;
    if (nl) s->dept_lines = nl;
    if (!nd || !nl) return NULL;
    s->cap_depts = cap;
  }
  memset(&s->depts[s->n_depts], 0, sizeof s->depts[0]);
  s->dept_lines[s->n_depts] = line;
  return &s->depts[s->n_depts++];
}

mg_department *faq_io_set_find_dept(mg_io_set *s, const char *id, int *line) {
  for (int i = 0; i < s->n_depts; i++)
    if (strcmp(s->depts[i].id, id) == 0) {
      if (line) *line = s->dept_lines[i];
      return &s->depts[i];
    }
  return NULL;
}

int faq_io_set_has_id(const mg_io_set *s, const char *id, int before, int *line) {
  for (int i = 0; i < before && i < s->n_rows; i++)
    if (s->rows[i].e.id && strcmp(s->rows[i].e.id, id) == 0) {
      if (line) *line = s->rows[i].line;
      return 1;
    }
  return 0;
}

/* ---- writing a set ------------------------------------------------------ */

static const char *nz(const char *s) { return s ? s : ""; }

/* Create or update department d; fields empty in the file keep their value.
 * *changed is set when the database row changed. */
int faq_io_apply_dept(sqlite3 *db, const mg_department *d, int *changed, char *err) {
  mg_department old, m;
  int rc = faq_department_get(db, d->id, &old, err);
  *changed = 0;
  if (rc == MG_ENOTFOUND) {
    *changed = 1;
    return faq_department_put(db, d, err);
  }
  if (rc) return rc;
  m.id = d->id;
  m.name = d->name && *d->name ? d->name : old.name;
  m.phone = d->phone && *d->phone ? d->phone : old.phone;
  m.email = d->email && *d->email ? d->email : old.email;
  m.hours = d->hours && *d->hours ? d->hours : old.hours;
  m.location = d->location && *d->location ? d->location : old.location;
  if (strcmp(m.name, old.name) || strcmp(m.phone, old.phone) || strcmp(m.email, old.email) ||
      strcmp(m.hours, old.hours) || strcmp(m.location, old.location)) {
    *changed = 1;
    rc = faq_department_put(db, &m, err);
  }
  faq_department_clear(&old);
  return rc;
}

int faq_io_apply_meta(sqlite3 *db, const mg_io_set *s, char *err) {
  int rc = 0;
  if (s->code && *s->code && (rc = faq_meta_put(db, "municipality_code", s->code, err))) return rc;
  if (s->name && *s->name && (rc = faq_meta_put(db, "municipality_name", s->name, err))) return rc;
  if (s->notice && *s->notice) rc = faq_meta_put(db, "notice", s->notice, err);
  return rc;
}

int faq_io_apply(sqlite3 *db, const mg_io_set *s, const mg_io_opts *o, const char *file, mg_io_report *rep,
                char *err) {
  const char *by = o && o->by ? o->by : "import";
  int rc;
  /* not inside a caller's transaction: short transactions with an undo
   * journal (io_chunked.c), so residents' writes are not held up */
  if (sqlite3_get_autocommit(db)) return faq_io_apply_chunked(db, s, o, file, rep, err);
  /* the checks the chunked path makes first; related ids need the whole set */
  if ((rc = faq_io_check(db, s, o, file, rep, err))) return rc;
  if (rep->n_errors) return mg_errf(err, MG_ECSV, "%s: 誤りが%d件あるため、何も取り込んでいません", file, rep->n_errors);
  rc = faq_io_apply_meta(db, s, err);
  for (int i = 0; rc == 0 && i < s->n_depts; i++) {
    int changed;
    rc = faq_io_apply_dept(db, &s->depts[i], &changed, err);
    if (rc == MG_EINVAL) {
      faq_io_report_error(rep, file, s->dept_lines[i], "%s", err);
      rc = 0;
    }
    rep->departments += changed;
  }
  for (int i = 0; rc == 0 && i < s->n_rows; i++) {
    const mg_io_row *r = &s->rows[i];
    mg_faq_entry *old = NULL;
    int changed, exists;
    rc = faq_get(db, r->e.id, MG_FAQ_LATEST, &old, err);
    exists = rc == 0;
    faq_entry_free(old);
    if (rc && rc != MG_ENOTFOUND) break;
    rc = faq_put_ex(db, &r->e, by, r->publish && !(o && o->draft), &changed, err);
    if (rc == MG_EINVAL || rc == MG_ENOTFOUND) {
      if (r->line > 0) faq_io_report_error(rep, file, r->line, "%s", err);
      else faq_io_report_error(rep, file, 0, "ID「%s」: %s", r->e.id, err); /* JSON: no line numbers */
      rc = 0;
      continue;
    }
    rep->entries++;
    if (!changed) rep->unchanged++;
    else if (exists) rep->revised++;
    else rep->added++;
  }
  if (rc == 0 && rep->n_errors) rc = mg_errf(err, MG_ECSV, "%s: 誤りが%d件あるため、何も取り込んでいません", file, rep->n_errors);
  return rc;
}

/* ---- dispatch ----------------------------------------------------------- */

static int is_json(const char *path, const mg_io_opts *o) {
  const char *dot;
  if (o && o->format) return strcmp(o->format, "json") == 0;
  dot = strrchr(path, '.');
  return dot && strcasecmp(dot, ".json") == 0;
}

static int check_format(const mg_io_opts *o, char *err) {
  if (o && o->format && strcmp(o->format, "csv") && strcmp(o->format, "json"))
    return mg_errf(err, MG_EINVAL, "unknown format '%s' (csv or json)", o->format);
  return 0;
}

int faq_io_import_in_tx(sqlite3 *db, const char *path, const mg_io_opts *o, mg_io_report *rep, char *err) {
  int rc;
  memset(rep, 0, sizeof *rep);
  if ((rc = check_format(o, err))) return rc;
  return is_json(path, o) ? faq_io_import_json(db, path, o, rep, err) : faq_io_import_csv(db, path, o, rep, err);
}

int faq_io_import(sqlite3 *db, const char *path, const mg_io_opts *o, mg_io_report *rep, char *err) {
  /* outside a transaction faq_io_apply writes in chunks (io_chunked.c) */
  return faq_io_import_in_tx(db, path, o, rep, err);
}

int faq_io_export(sqlite3 *db, FILE *out, const mg_io_opts *o, char *err) {
  int rc = check_format(o, err);
  if (rc) return rc;
  rc = o && o->format && strcmp(o->format, "json") == 0 ? faq_io_export_json(db, out, o, err)
                                                       : faq_io_export_csv(db, out, o, err);
  if (rc == 0 && (fflush(out) != 0 || ferror(out))) rc = mg_errf(err, MG_EIO, "writing the export failed");
  return rc;
}

/* ---- dates -------------------------------------------------------------- */

int faq_io_date_in(const char *date, char *buf) {
  int y, m, d, n = 0;
  char sep;
  struct tm tm = { 0 };
  time_t t;
  if (sscanf(date, "%4d%c%2d%*[-/]%2d%n", &y, &sep, &m, &d, &n) != 4 || date[n] != '\0' ||
      (sep != '-' && sep != '/') || strchr(date + 5, sep == '-' ? '/' : '-'))
    return MG_EINVAL;
  tm.tm_year = y - 1900, tm.tm_mon = m - 1, tm.tm_mday = d;
  t = timegm(&tm);
  if (y < 1900 || tm.tm_year != y - 1900 || tm.tm_mon != m - 1 || tm.tm_mday != d) return MG_EINVAL;
  mg_time_utc(t - MG_JST_OFFSET, buf);
  return 0;
}

void faq_io_date_out(const char *utc, char *buf) {
  time_t t;
  if (mg_time_parse(nz(utc), &t)) {
    snprintf(buf, 11, "%s", nz(utc));
    return;
  }
  mg_time_jst(t, "%Y-%m-%d", buf, 11);
}

/* ---- export walk -------------------------------------------------------- */

struct walk { sqlite3 *db; int (*fn)(void *, const mg_faq_entry *, int); void *ctx; char *err; };

static int walk_published(void *ctx, const mg_faq_entry *e) {
  struct walk *w = ctx;
  mg_faq_entry *p = NULL;
  int rc;
  if (e->published_version == 0) return 0; /* never published: nothing answers */
  if ((rc = faq_get(w->db, e->id, MG_FAQ_PUBLISHED, &p, w->err))) return rc;
  rc = w->fn(w->ctx, p, 1);
  faq_entry_free(p);
  return rc;
}

static int walk_latest(void *ctx, const mg_faq_entry *e) {
  struct walk *w = ctx;
  return w->fn(w->ctx, e, e->version == e->published_version);
}

int faq_io_walk(sqlite3 *db, const mg_io_opts *o, int (*fn)(void *ctx, const mg_faq_entry *e, int published),
               void *ctx, char *err) {
  struct walk w = { db, fn, ctx, err };
  return faq_list(db, NULL, o && o->published ? walk_published : walk_latest, &w, err);
}
