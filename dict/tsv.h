/*
 * tsv.h — the one reader of dict/'s line files: stopwords.txt, variants.tsv,
 * synonyms.tsv, english.tsv, english-edict.tsv, calendar.tsv.
 *
 * The format a city edits in a spreadsheet or a text editor:
 *
 *     # a comment: a line starting with '#' (and a blank line) is skipped
 *     ｺﾝﾋﾞﾆ<TAB>コンビニ
 *
 * one entry a line, columns separated by TAB, "\n" or "\r\n" line ends, a
 * UTF-8 byte order mark on the first line ignored. This module only reads
 * and checks the file; what a column means (a word, a date, a translation)
 * is the caller's to check and to build from, naming FILE:LINE from the row.
 */
#ifndef DICT_TSV_H
#define DICT_TSV_H

#include <stddef.h>

#define DICT_LINE_MAX 4095   /* a line, without its line end, is shorter than this */

/* flags for dict_table_load */
#define DICT_OPTIONAL 1      /* a missing file is an empty table with missing set */
#define DICT_UTF8     2      /* a line that is not well-formed UTF-8 refuses the file */

typedef struct dict_row {
  const char *text;  /* the whole line, TABs kept, line end removed */
  char **f;          /* its columns split at every TAB (nf >= 1, f[0] may be "") */
  int nf;
  int line;          /* line number in the file, for messages */
} dict_row;

typedef struct dict_table {
  char *path;        /* the file, for messages */
  dict_row *rows;    /* the entries in file order, comments and blank lines left out */
  int n;
  int missing;       /* 1 when DICT_OPTIONAL and the file does not exist */
  char *bytes;       /* the file as read (NUL-terminated), for fingerprints */
  size_t size;       /* its length in bytes */
  char *block;       /* private: the storage of the rows' text */
} dict_table;

/* Read path. On success *out is a new table the caller frees with
 * dict_table_free; every string in it is owned by the table. Errors, with err
 * naming the file and, for a bad line, FILE:LINE:
 *   MG_EIO      the file cannot be opened ("FILE: strerror", also a missing
 *               file without DICT_OPTIONAL) or read ("FILE: read error")
 *   MG_ECONFIG  "FILE:LINE: line too long" (DICT_LINE_MAX bytes or more),
 *               "FILE:LINE: not valid UTF-8" (with DICT_UTF8)
 *   MG_ENOMEM */
int dict_table_load(dict_table **out, const char *path, int flags, char *err);
void dict_table_free(dict_table *t);

#endif
