/*
 * io.h — importing and exporting the FAQ (CSV and JSON).
 *
 * Two formats, one behaviour (docs/faq-format.md describes both):
 *  - CSV in the conventions of the national standard open data sets
 *    (自治体標準オープンデータセット): leading columns 全国地方公共団体コード,
 *    ID, 地方公共団体名, then the FAQ's fields with Japanese names. Input
 *    UTF-8 with or without BOM, or CP932 (detected, or forced); output UTF-8
 *    with a BOM and CRLF so Excel opens it. A column map lets a city use its
 *    own header names without editing its file.
 *  - JSON "madoguchi-faq/1", the format of faq/sample/saijo-faq.json.
 *
 * An import is all or nothing: the file is read and checked completely, each
 * bad row gives "FILE N行目: reason" (N: the row in the sheet, header = 1) (up to MG_IO_MAX_ERRORS), and only a
 * clean file is written, in one transaction. Re-importing the same file
 * changes nothing: a revision is added only when an entry's content differs.
 */
#ifndef MG_IO_H
#define MG_IO_H

#include <sqlite3.h>
#include <stdio.h>

#include "util/mg_err.h"

#define MG_IO_MAX_ERRORS 20

typedef struct mg_io_opts {
  const char *format;   /* "csv" or "json"; NULL = from the file name (.json → json, else csv) */
  const char *encoding; /* import: "utf-8" or "cp932"; NULL = detect */
  const char *map;      /* import CSV: column map, "Theirs=ours,..." or a JSON file name; NULL = none */
  int draft;            /* import: add revisions as drafts even when the file says 公開 */
  const char *by;       /* import: recorded as updated_by ("import" when NULL) */
  int no_bom;           /* export CSV: no UTF-8 BOM */
  int published;        /* export: the published text of each entry (default: the newest revision) */
  int chunk_rows;       /* import: rows per write transaction (0 = 200) */
  const char *department; /* import: confined to this department (a staff member's): no row may
                           * create, change or move an entry of another, nor change another's
                           * contact details; each such row is an error (NULL = any) */
  int test_stop_after_chunks; /* tests only: stop after N chunks as a killed process would */
} mg_io_opts;

typedef struct mg_io_report {
  int entries;      /* entries read from the file */
  int added;        /* new entries */
  int revised;      /* existing entries given a new revision or published */
  int unchanged;    /* entries whose content was already current */
  int departments;  /* departments created or changed */
  int n_errors;     /* problems found (the import wrote nothing when > 0) */
  int truncated;    /* more errors than MG_IO_MAX_ERRORS were found */
  char errors[MG_IO_MAX_ERRORS][MG_ERRLEN]; /* "FILE N行目: reason", in Japanese for staff */
} mg_io_report;

/* Import path into db, all or nothing. Outside a transaction the rows are
 * written in short transactions with an undo journal, so other writers (the
 * chat's transcripts and tickets) get the lock between them; inside the
 * caller's transaction, in that one. rep (required) is filled. Returns 0,
 * MG_ECSV/MG_EBADJSON/MG_EBADUTF8 when the file has errors (listed in rep,
 * nothing written), MG_EBUSY when another import is running, or
 * MG_EIO/MG_EDB/MG_EFULL/MG_ENOMEM with err set (what was written undone). */
int faq_io_import(sqlite3 *db, const char *path, const mg_io_opts *o, mg_io_report *rep, char *err);
/* Undo every import whose process died mid-way (state 'writing', heartbeat
 * older than stale_secs; -1 = 60 s). *undone (may be NULL) counts them. */
int faq_io_recover(sqlite3 *db, int stale_secs, int *undone, char *err);
/* 1 while an import is being written (the engine waits to rebuild). */
int faq_io_importing(sqlite3 *db);
/* The same inside the caller's open transaction (db.c loads the sample FAQ
 * this way); on failure the caller rolls back. */
int faq_io_import_in_tx(sqlite3 *db, const char *path, const mg_io_opts *o, mg_io_report *rep, char *err);

/* Export every entry to out (a stdio stream the caller owns). */
int faq_io_export(sqlite3 *db, FILE *out, const mg_io_opts *o, char *err);

/* Format-specific halves, used by the two above. */
int faq_io_import_csv(sqlite3 *db, const char *path, const mg_io_opts *o, mg_io_report *rep, char *err);
int faq_io_import_json(sqlite3 *db, const char *path, const mg_io_opts *o, mg_io_report *rep, char *err);
int faq_io_export_csv(sqlite3 *db, FILE *out, const mg_io_opts *o, char *err);
/* Write one CSV cell (a comma before it unless first; NULL = empty), quoted
 * when needed, with the formula guard: text starting with = + - @ TAB CR
 * (or ' followed by one) goes out behind an apostrophe so a spreadsheet
 * shows it instead of running it. Every CSV export uses this one function. */
void faq_io_csv_cell(FILE *out, const char *s, int first);
int faq_io_export_json(sqlite3 *db, FILE *out, const mg_io_opts *o, char *err);

/* UTC timestamp "YYYY-MM-DDTHH:MM:SSZ" → its date in Asia/Tokyo
 * "YYYY-MM-DD" (buf >= 11), as files and staff screens show it. */
void faq_io_date_out(const char *utc, char *buf);

/* Append "FILE N行目: reason" to rep (line 0 leaves the line out).
 * faq_io_report_sort puts the errors in row order (stable), so problems found
 * in different passes read top to bottom like the sheet. */
void faq_io_report_sort(mg_io_report *rep);
void faq_io_report_error(mg_io_report *rep, const char *file, int line, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));

#endif
