/*
 * tsv.c — read a dict/ line file into rows of columns (format in tsv.h).
 *
 * The file is read whole; one copy is kept as read (fingerprints hash the
 * bytes), a second is cut into lines (the rows' text, t->block), and each
 * kept line is copied once more to be cut into columns, so a row offers both
 * its whole text and its columns.
 */
#include "dict/tsv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mg_err.h"
#include "util/mg_utf8.h"

/* Read all of f into *buf (NUL-terminated) and *len. */
static int slurp(FILE *f, const char *path, char **buf, size_t *len, char *err) {
  size_t cap = 8192, n = 0, got;
  char *b = malloc(cap), *nb;
  int rc = 0;
  if (!b) return mg_errf(err, MG_ENOMEM, "out of memory");
  while ((got = fread(b + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (n + 1 == cap) {
      if (!(nb = realloc(b, cap *= 2))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
      b = nb;
    }
  }
  if (ferror(f)) { rc = mg_errf(err, MG_EIO, "%s: read error", path); goto out; }
  b[n] = '\0';
  *buf = b, *len = n;
  b = NULL;
out:
  free(b);
  return rc;
}

/* Split the NUL-terminated line into t's next row. */
static int add_row(dict_table *t, int *cap, char *line, int lineno, char *err) {
  dict_row *r;
  char *cols;
  int nf = 1;
  if (t->n == *cap) {
    int ncap = *cap ? *cap * 2 : 64;
    dict_row *nr = realloc(t->rows, (size_t)ncap * sizeof *nr);
    if (!nr) return mg_errf(err, MG_ENOMEM, "out of memory");
    t->rows = nr, *cap = ncap;
  }
  r = &t->rows[t->n];
  for (const char *p = line; *p; p++) nf += *p == '\t';
  if (!(cols = strdup(line)) || !(r->f = malloc((size_t)nf * sizeof *r->f))) {
    free(cols);
    return mg_errf(err, MG_ENOMEM, "out of memory");
  }
  r->text = line, r->nf = 0, r->line = lineno;
  for (char *p = cols, *tab;; p = tab + 1) {
    r->f[r->nf++] = p;
    if (!(tab = strchr(p, '\t'))) break;
    *tab = '\0';
  }
  t->n++;
  return 0;
}

int dict_table_load(dict_table **out, const char *path, int flags, char *err) {
  dict_table *t = calloc(1, sizeof *t);
  FILE *f = NULL;
  char *lines = NULL, *p, *end;
  int rc = 0, cap = 0, lineno = 0;

  *out = NULL;
  if (!t || !(t->path = strdup(path))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  if (!(f = fopen(path, "r"))) {
    if (errno == ENOENT && (flags & DICT_OPTIONAL)) {
      t->missing = 1;
      *out = t;
      t = NULL;
      goto out;
    }
    rc = mg_errf(err, MG_EIO, "%s: %s", path, strerror(errno));
    goto out;
  }
  if ((rc = slurp(f, path, &t->bytes, &t->size, err)) != 0) goto out;
  if (!(lines = malloc(t->size + 1))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  memcpy(lines, t->bytes, t->size + 1);
  for (p = lines, end = lines + t->size; p < end;) {
    char *nl = memchr(p, '\n', (size_t)(end - p)), *s = p;
    size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
    lineno++;
    p = nl ? nl + 1 : end;
    if (l >= DICT_LINE_MAX) { rc = mg_errf(err, MG_ECONFIG, "%s:%d: line too long", path, lineno); goto out; }
    while (l > 0 && s[l - 1] == '\r') l--;
    s[l] = '\0';
    if (lineno == 1 && l >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3, l -= 3; /* from Excel or Notepad */
    if (l == 0 || s[0] == '#') continue;
    if ((flags & DICT_UTF8) && mg_utf8_count(s, l) < 0) {
      rc = mg_errf(err, MG_ECONFIG, "%s:%d: not valid UTF-8", path, lineno);
      goto out;
    }
    if ((rc = add_row(t, &cap, s, lineno, err)) != 0) goto out;
  }
  *out = t;
  t = NULL;
out:
  if (f) fclose(f);
  if (*out) (*out)->block = lines;
  else free(lines);
  dict_table_free(t);
  return rc;
}

void dict_table_free(dict_table *t) {
  if (!t) return;
  for (int i = 0; i < t->n; i++) {
    free(t->rows[i].f[0]); /* the row's copy, cut into columns */
    free(t->rows[i].f);
  }
  free(t->rows);
  free(t->block);
  free(t->bytes);
  free(t->path);
  free(t);
}
