/*
 * concepts.h — concept sets: named lists of words and phrases a city edits.
 *
 * A concept is one plain-text file in dict/concepts/, named for the concept
 * (fire.txt is the concept "fire"), one term a line, so a reviewer who does
 * not program can read and change it:
 *
 *     # fire — 火事・火災 (comments run from '#' to the end of the line)
 *     火事
 *     燃えている
 *     煙が出る
 *     -燃えるごみ          (a leading '-': a look-alike that is NOT this concept)
 *
 * One directive may stand on a line of its own: "@inside" lets the file's
 * terms be found inside longer words too (証明 in 罹災証明書) — right for
 * cues such as "asking about a procedure", wrong for danger words (煙 is
 * inside 禁煙).
 *
 * This module only reads the files: it checks every line and keeps the terms
 * as written. Turning a term into lemmas and readings needs MeCab, which the
 * understanding layer (bot/understand.h) does once at load time. A bad line
 * refuses the whole set with FILE:LINE, so a reload keeps the old set.
 */
#ifndef DICT_CONCEPTS_H
#define DICT_CONCEPTS_H

#define DICT_CONCEPT_NAME 48   /* longest concept name + 1 */
#define DICT_TERM_MAX 120      /* longest term, bytes */

typedef struct dict_term {
  char *text;    /* the term as written, trimmed (owned by the set) */
  int exclude;   /* 1 for a "-" line: a look-alike that masks this concept */
  int line;      /* line number in the file, for messages */
} dict_term;

typedef struct dict_concept {
  char name[DICT_CONCEPT_NAME]; /* file name without ".txt": [a-z0-9_]+ */
  char *path;                   /* the file, for messages */
  dict_term *terms;
  int nterms;
  int inside;                   /* "@inside": terms also match inside longer words */
} dict_concept;

typedef struct dict_concepts {
  dict_concept *c;  /* sorted by name */
  int n;
} dict_concepts;

/* Read every *.txt file of dir. On success *out is a new set the caller frees
 * with dict_concepts_free. Errors, with err naming FILE:LINE where there is one:
 *   MG_EIO      dir or a file unreadable
 *   MG_ECONFIG  a bad file name, an unknown "@" directive, invalid UTF-8, a control character, a term
 *               longer than DICT_TERM_MAX bytes, an empty "-" line, a term
 *               listed twice in one file, a file without any term
 *   MG_ENOMEM */
int dict_concepts_load(dict_concepts **out, const char *dir, char *err);
void dict_concepts_free(dict_concepts *set);
/* Index of the concept called name, or -1. */
int dict_concepts_find(const dict_concepts *set, const char *name);

#endif
