/*
 * io_int.h — what the CSV and JSON halves of faq/io share (internal).
 *
 * Both readers turn a file into an mg_io_set (departments and entries, each
 * entry with its source line) and report every problem they find; io.c then
 * writes a clean set through the store (faq/store.h). Reading first and
 * writing only a clean set is what makes an import all or nothing.
 */
#ifndef MG_IO_INT_H
#define MG_IO_INT_H

#include "faq/io.h"
#include "faq/store.h"

typedef struct mg_io_row {
  mg_faq_entry e; /* strings owned by the row */
  int publish;    /* 公開 / "published" */
  int line;       /* where it starts in the file (CSV line, JSON line or 0) */
} mg_io_row;

typedef struct mg_io_set {
  char *code, *name, *notice;  /* municipality; NULL when the file has none */
  mg_department *depts; int n_depts, cap_depts;
  int *dept_lines;             /* line that first named each department */
  mg_io_row *rows; int n_rows, cap_rows;
  const struct mg_io_set *ids; /* the whole file's rows, for related ids (NULL: this set) —
                                * a check of some rows still resolves ids against all */
} mg_io_set;

void faq_io_set_free(mg_io_set *s);
/* Append a zeroed row / department; NULL when out of memory. */
mg_io_row *faq_io_set_add_row(mg_io_set *s);
mg_department *faq_io_set_add_dept(mg_io_set *s, int line);
mg_department *faq_io_set_find_dept(mg_io_set *s, const char *id, int *line);
/* Is id already used by an earlier row? */
int faq_io_set_has_id(const mg_io_set *s, const char *id, int before, int *line);

/* Write a clean set: inside the caller's transaction when it holds one,
 * else in chunks. Problems found only now (an unknown department) go to rep
 * and give MG_ECSV; nothing is written then. */
int faq_io_apply(sqlite3 *db, const mg_io_set *s, const mg_io_opts *o, const char *file, mg_io_report *rep,
                char *err);

/* Create or update one department (fields empty in the file keep their
 * value; *changed when the row changed), and the municipality's meta data. */
int faq_io_apply_dept(sqlite3 *db, const mg_department *d, int *changed, char *err);
int faq_io_apply_meta(sqlite3 *db, const mg_io_set *s, char *err);
/* Every problem of a clean-parsed set that the store would find (ids, empty
 * fields, unknown departments, related ids that are neither in the file nor
 * in the database, or the entry's own) and, with o->department, every row
 * outside that department: to rep, without writing. */
int faq_io_check(sqlite3 *db, const mg_io_set *s, const mg_io_opts *o, const char *file, mg_io_report *rep, char *err);
/* faq_io_apply outside a transaction: checked first, then written CHUNK rows
 * per transaction with an undo journal (io_chunked.c). */
int faq_io_apply_chunked(sqlite3 *db, const mg_io_set *s, const mg_io_opts *o, const char *file, mg_io_report *rep,
                        char *err);
/* Call fn for each entry to export, in id order: the newest revision, or
 * with o->published the published one (never-published entries skipped).
 * published: the revision passed is the one that answers. */
int faq_io_walk(sqlite3 *db, const mg_io_opts *o, int (*fn)(void *ctx, const mg_faq_entry *e, int published),
               void *ctx, char *err);

/* "YYYY-MM-DD" or "YYYY/M/D" (a date in Asia/Tokyo) → UTC timestamp of its
 * start, "YYYY-MM-DDTHH:MM:SSZ" (buf >= 21). Returns 0 or MG_EINVAL. */
int faq_io_date_in(const char *date, char *buf);

#endif
