/*
 * concepts.c — read the concept files of dict/concepts (format in concepts.h).
 *
 * Files are read whole and checked line by line before anything is kept, so
 * a set is either complete or refused with the first bad line. Names are
 * sorted so the concept order (and every index the matcher builds from it)
 * does not depend on the directory's order.
 */
#define _GNU_SOURCE /* asprintf */
#include "dict/concepts.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mg_err.h"
#include "util/mg_utf8.h"

#define FILE_MAX (1 << 20)

static int valid_name(const char *file, char *name) {
  size_t n = strlen(file);
  if (n <= 4 || strcmp(file + n - 4, ".txt") != 0 || n - 4 >= DICT_CONCEPT_NAME) return 0;
  for (size_t i = 0; i < n - 4; i++) {
    char c = file[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return 0;
    name[i] = c;
  }
  name[n - 4] = '\0';
  return 1;
}

static char *read_file(const char *path, size_t *len, char *err, int *rc) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  *rc = 0;
  if (!f) { *rc = mg_errf(err, MG_EIO, "%s: cannot open", path); return NULL; }
  buf = malloc(FILE_MAX + 1);
  if (!buf) { fclose(f); *rc = mg_errf(err, MG_ENOMEM, "out of memory"); return NULL; }
  *len = fread(buf, 1, FILE_MAX + 1, f);
  if (ferror(f) || *len > FILE_MAX) {
    *rc = mg_errf(err, ferror(f) ? MG_EIO : MG_ECONFIG, "%s: %s", path, ferror(f) ? "read error" : "larger than 1 MiB");
    free(buf);
    buf = NULL;
  } else {
    buf[*len] = '\0';
  }
  fclose(f);
  return buf;
}

/* Trim spaces (ASCII and U+3000) at both ends of s[0..*n). */
static const char *trim(const char *s, size_t *n) {
  for (;;) {
    if (*n && (*s == ' ' || *s == '\t' || *s == '\r')) { s++; (*n)--; continue; }
    if (*n >= 3 && memcmp(s, "\xE3\x80\x80", 3) == 0) { s += 3; *n -= 3; continue; }
    break;
  }
  for (;;) {
    if (*n && (s[*n - 1] == ' ' || s[*n - 1] == '\t' || s[*n - 1] == '\r')) { (*n)--; continue; }
    if (*n >= 3 && memcmp(s + *n - 3, "\xE3\x80\x80", 3) == 0) { *n -= 3; continue; }
    break;
  }
  return s;
}

/* Parse one file into c (terms appended). */
static int parse_file(dict_concept *c, char *buf, size_t len, char *err) {
  int lineno = 0, cap = 0;
  char *p = buf, *end = buf + len;

  if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) p += 3; /* a BOM from a Windows editor */
  while (p < end) {
    char *nl = memchr(p, '\n', (size_t)(end - p)), *hash;
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    const char *t;
    int exclude = 0;

    lineno++;
    if (mg_utf8_count(p, n) < 0) return mg_errf(err, MG_ECONFIG, "%s:%d: not valid UTF-8", c->path, lineno);
    for (size_t i = 0; i < n; i++)
      if ((unsigned char)p[i] < 0x20 && p[i] != '\t' && p[i] != '\r')
        return mg_errf(err, MG_ECONFIG, "%s:%d: control character", c->path, lineno);
    if ((hash = memchr(p, '#', n)) != NULL) n = (size_t)(hash - p);
    t = trim(p, &n);
    p = nl ? nl + 1 : end;
    if (n == 0) continue;
    if (*t == '@') {
      if (n == 7 && memcmp(t, "@inside", 7) == 0) { c->inside = 1; continue; }
      return mg_errf(err, MG_ECONFIG, "%s:%d: unknown directive \"%.*s\" (only @inside)", c->path, lineno, (int)(n > 40 ? 40 : n), t);
    }
    if (*t == '-') {
      exclude = 1;
      t++, n--;
      t = trim(t, &n);
      if (n == 0) return mg_errf(err, MG_ECONFIG, "%s:%d: '-' without a term", c->path, lineno);
    }
    if (n > DICT_TERM_MAX)
      return mg_errf(err, MG_ECONFIG, "%s:%d: term longer than %d bytes", c->path, lineno, DICT_TERM_MAX);
    for (int i = 0; i < c->nterms; i++)
      if (strlen(c->terms[i].text) == n && memcmp(c->terms[i].text, t, n) == 0 && c->terms[i].exclude == exclude)
        return mg_errf(err, MG_ECONFIG, "%s:%d: \"%.*s\" is already on line %d", c->path, lineno, (int)n, t,
                       c->terms[i].line);
    if (c->nterms == cap) {
      int ncap = cap ? cap * 2 : 32;
      dict_term *nt = realloc(c->terms, (size_t)ncap * sizeof *nt);
      if (!nt) return mg_errf(err, MG_ENOMEM, "out of memory");
      c->terms = nt, cap = ncap;
    }
    if (!(c->terms[c->nterms].text = strndup(t, n))) return mg_errf(err, MG_ENOMEM, "out of memory");
    c->terms[c->nterms].exclude = exclude;
    c->terms[c->nterms].line = lineno;
    c->nterms++;
  }
  for (int i = 0; i < c->nterms; i++)
    if (!c->terms[i].exclude) return 0;
  return mg_errf(err, MG_ECONFIG, "%s: no term (one term a line)", c->path);
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const dict_concept *)a)->name, ((const dict_concept *)b)->name);
}

int dict_concepts_load(dict_concepts **out, const char *dir, char *err) {
  dict_concepts *set = calloc(1, sizeof *set);
  DIR *d = NULL;
  struct dirent *de;
  char *buf = NULL;
  int rc = 0, cap = 0;

  *out = NULL;
  if (!set) return mg_errf(err, MG_ENOMEM, "out of memory");
  if (!(d = opendir(dir))) { rc = mg_errf(err, MG_EIO, "%s: cannot open the concepts directory", dir); goto out; }
  while ((de = readdir(d)) != NULL) {
    dict_concept *c;
    size_t len = 0;
    char name[DICT_CONCEPT_NAME];
    if (de->d_name[0] == '.') continue;
    if (strlen(de->d_name) < 4 || strcmp(de->d_name + strlen(de->d_name) - 4, ".txt") != 0) continue;
    if (!valid_name(de->d_name, name)) {
      rc = mg_errf(err, MG_ECONFIG, "%s/%s: a concept file is named [a-z0-9_]+.txt", dir, de->d_name);
      goto out;
    }
    if (set->n == cap) {
      int ncap = cap ? cap * 2 : 64;
      dict_concept *nc = realloc(set->c, (size_t)ncap * sizeof *nc);
      if (!nc) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
      set->c = nc, cap = ncap;
    }
    c = &set->c[set->n++];
    memset(c, 0, sizeof *c);
    memcpy(c->name, name, sizeof name);
    if (asprintf(&c->path, "%s/%s", dir, de->d_name) < 0) { c->path = NULL; rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
    if (!(buf = read_file(c->path, &len, err, &rc))) goto out;
    if ((rc = parse_file(c, buf, len, err)) != 0) goto out;
    free(buf);
    buf = NULL;
  }
  if (set->n == 0) { rc = mg_errf(err, MG_ECONFIG, "%s: no concept files (*.txt)", dir); goto out; }
  qsort(set->c, (size_t)set->n, sizeof *set->c, by_name);
  *out = set;
  set = NULL;
out:
  if (d) closedir(d);
  free(buf);
  dict_concepts_free(set);
  return rc;
}

void dict_concepts_free(dict_concepts *set) {
  if (!set) return;
  for (int i = 0; i < set->n; i++) {
    for (int j = 0; j < set->c[i].nterms; j++) free(set->c[i].terms[j].text);
    free(set->c[i].terms);
    free(set->c[i].path);
  }
  free(set->c);
  free(set);
}

int dict_concepts_find(const dict_concepts *set, const char *name) {
  int lo = 0, hi = set->n - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2, c = strcmp(set->c[mid].name, name);
    if (c == 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
