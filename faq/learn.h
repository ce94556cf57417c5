/*
 * learn.h — the learning loop: residents' own questions become phrasings of
 * the entries that answered them, once staff agree.
 *
 * Evidence that a question belongs to an entry — the resident chose the
 * entry in a clarify, pressed 👍 on its answer, or staff linked an
 * unanswered question to it — is noted as a *candidate phrasing* of that
 * entry: the masked text, once per entry (deduplicated on its normalised
 * form), with one evidence row per session. A candidate is shown to staff
 * only when enough distinct sessions *and* client addresses stand behind it
 * (a single resident, or one address, cannot make a phrasing); staff accept
 * or reject it. Accepting adds the text to the alternates of the entry's
 * published revision as a new published revision (history kept, like any
 * edit), so the engine indexes it at its next refresh. Nothing is ever
 * accepted automatically. The caller (bot/dialogue.c, the console) masks
 * the text first and never notes a question the safety layer flagged.
 *
 * Tables (migration 8, faq/schema.c): phrasing_candidate, phrasing_evidence.
 */
#ifndef FAQ_LEARN_H
#define FAQ_LEARN_H

#include <sqlite3.h>

#define FAQ_LEARN_MAX_TEXT 200   /* longer questions are stories, not phrasings: not noted */

typedef struct faq_learn_candidate {
  sqlite3_int64 id;
  const char *faq_id;       /* ext_id of the entry */
  const char *question;     /* the entry's published question */
  const char *department_id;
  const char *text;         /* the phrasing (masked) */
  const char *state;        /* "new", "accepted", "rejected" */
  int sessions, addresses;  /* distinct evidence */
  const char *first_at, *last_at;
} faq_learn_candidate;

/* The key a candidate is deduplicated on (phrasing_candidate.norm): text
 * normalised (NFKC, case folded) without spaces and final punctuation, so
 * 「住民票ほしい！」 and 「住民票 ほしい」 are one. NULL when out of memory;
 * caller frees. The engine uses it to tell learned alternates from staff's. */
char *faq_learn_key(const char *text);

/* Note that text (masked, as the resident wrote it) led to entry faq_id,
 * from session_ref and addr_ref (keyed hashes, never raw ids or addresses);
 * kind: "choose", "helpful", "staff" or "eval". Texts already the entry's
 * question or alternate, empty or longer than FAQ_LEARN_MAX_TEXT characters
 * are skipped (*noted = 0). *cand_id (may be NULL) gets the candidate's id.
 * MG_ENOTFOUND when the entry is not published. */
int faq_learn_note(sqlite3 *db, const char *faq_id, const char *text, const char *session_ref, const char *addr_ref,
                   const char *kind, sqlite3_int64 *cand_id, int *noted, char *err);

/* Candidates in state "new" with at least min_sessions distinct sessions and
 * min_addresses distinct addresses, of department dept (NULL: all), most
 * sessions first; offset/limit page them, *total counts them all. */
int faq_learn_list(sqlite3 *db, const char *dept, int min_sessions, int min_addresses, int offset, int limit,
                   int (*fn)(void *ctx, const faq_learn_candidate *c), void *ctx, int *total, char *err);

/* The candidate's entry and department (for the caller's permission check
 * and audit row); caller frees *faq_id and *dept. */
int faq_learn_get(sqlite3 *db, sqlite3_int64 id, char **faq_id, char **dept, char **text, char *err);

/* Accept: the text becomes an alternate of the entry's published revision
 * (a new revision, published, updated_by = by). Reject: never shown again.
 * MG_ENOTFOUND for an unknown id, MG_ECONFLICT when already decided. */
int faq_learn_accept(sqlite3 *db, sqlite3_int64 id, const char *by, char *err);
int faq_learn_reject(sqlite3 *db, sqlite3_int64 id, const char *by, char *err);

#endif
