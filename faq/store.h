/*
 * store.h — FAQ entries with revisions, and departments.
 *
 * An entry (table faq) is a stable id ("saijo-0001") that points at the one
 * revision that answers residents (published_rev). Every change adds a new,
 * immutable revision (table faq_revision); publishing moves the pointer. So
 * editing a published entry never takes it offline and never puts unreviewed
 * text live: the new text is a draft until faq_publish. Triggers in
 * faq/schema.c keep the FTS5 index equal to the published texts, so a
 * publish is searchable at once.
 *
 * Every function takes a connection from faq_db_open and writes a reason into
 * a caller-owned err[MG_ERRLEN]. Functions that write run in one transaction
 * of their own, or join the caller's when one is open.
 */
#ifndef MG_STORE_H
#define MG_STORE_H

#include <sqlite3.h>
#include <stddef.h>

#include "faq/db.h"

typedef struct mg_department {
  char *id;       /* "shimin" */
  char *name;     /* "市民課" */
  char *phone;    /* "" when unknown */
  char *email;
  char *hours;    /* opening hours as text */
  char *location;
} mg_department;

typedef struct mg_faq_entry {
  char *id;              /* ext_id, e.g. "saijo-0001" */
  int version;           /* of this revision */
  int published_version; /* 0 when never published */
  char *question, *answer;
  char **alternates; int n_alternates; /* other phrasings of the question */
  char **keywords; int n_keywords;
  char **related; int n_related;       /* ids of related entries, in the order staff chose; an
                                        * id may name an entry that is not (or no longer)
                                        * published: readers show published ones only */
  char *category, *department_id, *url;
  char *online_url;      /* the online application (行かない窓口), "" when none; writing
                          * NULL keeps the newest revision's (formats without it) */
  /* The checklist fields (docs/public-pages.md "Checklists"); like online_url,
   * "" when none and NULL on writing keeps the newest revision's. */
  char *life_events;     /* one line per life event, "転入" or "転入 if car and !nhi" */
  char *bring;           /* 持ち物 */
  char *deadline;        /* 期限 */
  char *fee;             /* 手数料 */
  char *tr[4];           /* translations, indexed by MG_FAQ_TR_*: "" when none;
                          * writing NULL keeps the newest revision's (formats
                          * without them), like online_url */
  char *updated_at;      /* UTC "YYYY-MM-DDTHH:MM:SSZ" */
  char *updated_by;
  const char *status;    /* "published", "draft" (never published) or "published+draft" */
  mg_department dept;    /* filled from department (empty strings when none) */
} mg_faq_entry;

/* The translations an entry may carry (mg_faq_entry.tr), and their column,
 * CSV and JSON names (faq_tr_name). */
enum { MG_FAQ_TR_QUESTION_EN, MG_FAQ_TR_ANSWER_EN, MG_FAQ_TR_QUESTION_EASY, MG_FAQ_TR_ANSWER_EASY, MG_FAQ_NTR };
/* "question_en", "answer_en", "question_easy", "answer_easy". */
const char *faq_tr_name(int i);

/* Which revision faq_get reads: a version number > 0, or one of these. */
#define MG_FAQ_LATEST 0     /* newest revision (may be a draft) */
#define MG_FAQ_PUBLISHED -1 /* the revision that answers */

/* faq_list filter: NULL (or "") fields do not filter. */
typedef struct mg_faq_filter {
  const char *department; /* department id */
  const char *category;
  const char *status;     /* "published", "draft", "published+draft" */
  const char *search;     /* words separated by spaces, all must occur in the
                           * published text (FTS5 with the mecab analysis);
                           * each word's parts must be consecutive */
  int published_text;     /* 1: the published revision of each published
                           * entry instead of the newest (what residents
                           * read: drafts never show); status is ignored */
  const char *life_events_with; /* entries whose life_events text contains this
                                 * (a cheap first cut for a checklist: the caller
                                 * still reads each line, bot/checklist.h) */
} mg_faq_filter;

/* The fields a writer may leave NULL to keep the newest revision's, in
 * column order: online_url, life_events, bring, deadline, fee. */
#define FAQ_N_KEPT 5
/* Their names in JSON (import, export, the console API). */
extern const char *const faq_kept_key[FAQ_N_KEPT];
/* The address of e's kept field i (0 <= i < FAQ_N_KEPT). */
char **faq_kept_field(mg_faq_entry *e, int i);

/* Is id a valid entry or department id (1-64 of A-Z a-z 0-9 - _ .)? */
int faq_valid_id(const char *id);

/* Free the strings of e (an entry the caller holds, e.g. an import's row). */
void faq_entry_clear(mg_faq_entry *e);
/* Free an entry returned by faq_get (and its strings). NULL is fine. */
void faq_entry_free(mg_faq_entry *e);
/* Free the strings of an entry the caller holds (not e itself): an import's rows. */
void faq_entry_clear(mg_faq_entry *e);

/* Read entry id at revision `which`. *out is new, caller frees with
 * faq_entry_free. MG_ENOTFOUND when the entry or revision does not exist
 * (PUBLISHED: never published). */
int faq_get(sqlite3 *db, const char *id, int which, mg_faq_entry **out, char *err);
/* The published question of entry id into *out (caller frees): what a
 * list of candidates shows, without reading the whole entry. MG_ENOTFOUND
 * when id has no published revision. */
int faq_question(sqlite3 *db, const char *id, char **out, char *err);

/* Add a revision of e (fields id, question, answer, alternates, keywords,
 * related, category, department_id, url, online_url and the checklist fields;
 * updated_at when set, else
 * now) by `by`. Creates the entry when id is new. When the content equals the newest
 * revision no revision is added. publish: make the newest revision the
 * published one. MG_EINVAL for an empty id/question/answer, a related id
 * that is not an id or is e's own (a repeated related id is kept once),
 * MG_ENOTFOUND for an unknown department. Related ids are not required to
 * exist here (an import writes entries that name each other one by one);
 * callers that take ids from people check them with faq_related_check. */
int faq_put(sqlite3 *db, const mg_faq_entry *e, const char *by, int publish, char *err);
/* The same; *changed (may be NULL) is set to 1 when a revision was added or
 * the published pointer moved, else 0. */
int faq_put_ex(sqlite3 *db, const mg_faq_entry *e, const char *by, int publish, int *changed, char *err);

/* Check e's related ids as a person gave them: each must be an id, not e's
 * own, and name an entry that exists (published or not). Returns 0, or
 * MG_EINVAL with a Japanese reason naming the first bad id in err. */
int faq_related_check(sqlite3 *db, const mg_faq_entry *e, char *err);


/* A free id for a new entry into buf: the newest id's prefix with the next
 * number ("saijo-0173" → "saijo-0174"), or "faq-0001". */
int faq_next_id(sqlite3 *db, char *buf, size_t size, char *err);

/* Publish revision `version` (0 = newest) of id. MG_ENOTFOUND when absent. */
int faq_publish(sqlite3 *db, const char *id, int version, const char *by, char *err);

/* Delete the entry and all its revisions (it stops answering at once). `by`
 * is for the audit log of a later migration. MG_ENOTFOUND when absent. */
int faq_remove(sqlite3 *db, const char *id, const char *by, char *err);

/* Call fn for the newest revision (or, with f->published_text, the
 * published one) of each entry matching f (NULL = all), in id order. The entry is valid during the call only. A non-zero return from
 * fn stops the walk and is returned. */
int faq_list(sqlite3 *db, const mg_faq_filter *f, int (*fn)(void *ctx, const mg_faq_entry *e), void *ctx,
                char *err);
/* As faq_list, but fn owns each entry it is handed (and frees it with
 * faq_entry_free, whatever it returns). */
int faq_list_take(sqlite3 *db, const mg_faq_filter *f, int (*fn)(void *ctx, mg_faq_entry *e), void *ctx, char *err);

/* The published entries whose English version matches `match`, an FTS5
 * query (the English index of migration 20), best first: up to max hits in
 * out, their number in *n. score is FTS5's bm25 negated (higher is better),
 * the question weighing twice the answer; scores compare within one query. */
typedef struct {
  char id[64];
  double score;
  char *question, *answer; /* the entry's English version, as indexed ("" when absent) */
} faq_en_hit;
int faq_search_en(sqlite3 *db, const char *match, faq_en_hit *out, int max, int *n, char *err);
/* Free the strings of n hits of faq_search_en. */
void faq_en_hits_clear(faq_en_hit *h, int n);

/* Read department id into *out (strings new, free with faq_department_clear).
 * MG_ENOTFOUND when absent. */
int faq_department_get(sqlite3 *db, const char *id, mg_department *out, char *err);
void faq_department_clear(mg_department *d);
/* Insert or replace department d (id and name required; NULL fields are ""). */
int faq_department_put(sqlite3 *db, const mg_department *d, char *err);
/* Call fn for each department in id order; d is valid during the call. */
int faq_department_list(sqlite3 *db, int (*fn)(void *ctx, const mg_department *d), void *ctx, char *err);

/* 0 when department id exists, MG_ENOTFOUND when not (err names it). */
int faq_department_exists(sqlite3 *db, const char *id, char *err);
/* The name of department id into buf (size bytes); MG_ENOTFOUND and buf ""
 * when there is no such department. */
int faq_department_name(sqlite3 *db, const char *id, char *buf, size_t size, char *err);
/* Department id's answer target in working days (migration 12) into
 * *days; *days is left alone when the department sets none or does not
 * exist, so the caller's default stays. */
int faq_department_answer_days(sqlite3 *db, const char *id, int *days, char *err);
/* Where a question goes that nothing routed: meta default_department when
 * it names a department, else the first department made; "" when there is
 * none. */
int faq_department_default(sqlite3 *db, char *buf, size_t size, char *err);
/* The department of entry id's published revision into buf; "" when the
 * entry is not published or names none. */
int faq_published_department(sqlite3 *db, const char *id, char *buf, size_t size, char *err);
/* The number of published entries into *n (-1 on error). */
int faq_published_count(sqlite3 *db, long long *n, char *err);
/* meta key/value: faq_meta_get, faq_meta_put and faq_meta_add in faq/db.h. */

/* Split text at newlines into a new array of new strings (empty lines
 * dropped); free with faq_strv_free. Returns the count or MG_ENOMEM. */
int faq_strv_split(const char *text, char ***out);
void faq_strv_free(char **v, int n);

#endif
