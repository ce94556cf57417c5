/*
 * engine.h — ranking FAQ entries for a question, with a decision.
 *
 * The engine keeps an in-memory inverted index of the *published* FAQ
 * (per-field postings, field lengths, document frequencies) read from the
 * FTS5 index itself, so it shares the one analysis of analyze.h, and scores
 * a question with BM25F over question, alternates, keywords and answer plus
 * a query-coverage term, in a few microseconds per question. It returns
 * the top k entries, a confidence in [0, 1] and a decision (answer, clarify,
 * no_answer) from the thresholds in mg_config.
 *
 * Threads: faq_engine_search may run on many threads at once (each with its
 * own mg_analyzer); faq_engine_refresh swaps in a new index under a lock and
 * frees the old one when its last search is done.
 */
#ifndef MG_ENGINE_H
#define MG_ENGINE_H

#include <jansson.h>
#include <sqlite3.h>

#include "faq/analyze.h"
#include "util/mg_config.h"

typedef struct mg_engine mg_engine;

enum mg_decision { MG_DECISION_ANSWER, MG_DECISION_CLARIFY, MG_DECISION_NO_ANSWER };

#define MG_ENGINE_MAX_K 20

typedef struct mg_candidate {
  char faq_id[64];   /* the entry's ext_id ("saijo-0001") */
  double score;      /* ranking score (unbounded, comparable within one result) */
  double confidence; /* in [0, 1] */
} mg_candidate;

typedef struct mg_result {
  enum mg_decision decision;
  double confidence; /* of the best candidate; 0 when none */
  int n;             /* candidates filled, best first */
  mg_candidate c[MG_ENGINE_MAX_K];
  int qterms;        /* the question's own terms (known to the FAQ or not) */
  int matched;       /* how many of them the best candidate contains */
} mg_result;

/* Build the in-memory index from db's published entries (db must have the
 * mecab tokenizer registered, e.g. from faq_db_open). db is used only during
 * new/refresh, from the calling thread; lang must outlive the engine; cfg is
 * copied. Caller frees with faq_engine_free. */
int faq_engine_new(mg_engine **out, mg_lang *lang, sqlite3 *db, const mg_config *cfg, char *err);
void faq_engine_free(mg_engine *e);

/* What one connection saw at its last refresh. PRAGMA data_version and
 * sqlite3_total_changes are per connection: their values mean something only
 * next to the values the same connection read before, so each connection
 * (each worker) keeps its own. Zero-initialise; the first refresh looks. */
typedef struct mg_engine_seen {
  int valid;
  int data_version;
  int total_changes;
  int background;   /* set by the caller: do not wait while another thread rebuilds */
} mg_engine_seen;

/* Rebuild when the published FAQ in db changed (by this connection or any
 * other). With seen (db's own record, may be NULL) it is cheap when nothing
 * was committed since that connection last looked. Safe while other threads
 * search and while other threads refresh: one refresher builds at a time,
 * the others then find the index current. *rebuilt (may be NULL) is set to
 * 1 when this call rebuilt the index. */
int faq_engine_refresh(mg_engine *e, sqlite3 *db, char *err);
int faq_engine_refresh_ex(mg_engine *e, sqlite3 *db, mg_engine_seen *seen, int *rebuilt, char *err);

/* Rank the entries for text (len bytes; -1 = NUL-terminated) and return at
 * most k (1..MG_ENGINE_MAX_K) candidates in out. Thread-safe given a
 * per-thread analyzer. explain may be NULL; else a JSON object that is
 * filled with: normalized, tokens, expanded (synonyms added), candidates
 * (with per-field scores). Returns 0 or MG_E*. A text with no index terms
 * gives n = 0 and no_answer. */
int faq_engine_search(mg_engine *e, mg_analyzer *an, const char *text, int len, int k,
                     mg_result *out, json_t *explain, char *err);

/* faq_engine_search, with terms (space-separated, may be NULL) added to the
 * question's own as they are, not analysed: katakana readings from
 * faq_engine_spell_kana, which MeCab would cut apart (ケンコウ → ケン + コウ). */
int faq_engine_search_terms(mg_engine *e, mg_analyzer *an, const char *text, int len, const char *terms, int k,
                            mg_result *out, json_t *explain, char *err);

/* Set a ranking parameter by name ("k1", "w_question", "b_answer", "syn_w",
 * "cov_w", …; see engine.c) — for experiments (`madoguchi eval --param`).
 * Call before searches start. MG_EINVAL for an unknown name. */
int faq_engine_set_param(mg_engine *e, const char *name, double value, char *err);
/* New decision thresholds (answer_min, clarify_min, clarify_margin) from cfg.
 * Not synchronised with searches: the caller makes sure none runs (the
 * bot's reload holds its write lock). */
void faq_engine_set_thresholds(mg_engine *e, const mg_config *cfg);

/* A word in kana (hiragana or katakana, len bytes: romaji turned back
 * into kana) cut into the katakana readings the index holds, longest piece
 * first; a piece spelled without its long vowels (ショメイ, ザイリュ) also
 * meets the reading with them (ショウメイ, ザイリュウ; the most frequent
 * such), and both are given when both exist. Writes the readings,
 * space-separated, into out (cap bytes) and returns how many; 0 (out
 * empty) when some piece of the word is no reading, or when an (may be
 * NULL) reads the word as it is as one word the FAQ knows (ほいくえん is
 * 保育園 by the variants: better asked as written). Thread-safe given a
 * per-thread analyzer. */
int faq_engine_spell_kana(mg_engine *e, mg_analyzer *an, const char *kana, int len, char *out, size_t cap);

/* Number of published entries in the current index. */
int faq_engine_size(mg_engine *e);

/* "answer" | "clarify" | "no_answer" */
const char *faq_decision_name(enum mg_decision d);

#endif
