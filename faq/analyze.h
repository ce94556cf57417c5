/*
 * analyze.h — Japanese text analysis shared by indexing and querying.
 *
 * One pipeline turns text into index terms: NFKC normalisation with case
 * folding (utf8proc), MeCab morphological analysis with the configured system
 * dictionary and user dictionary, the base form (lemma) of each morpheme, a
 * part-of-speech filter, stopwords, and orthographic variants folded to one
 * spelling (dict/variants.tsv). Because the FTS5 tokenizer `mecab` and the
 * engine's query analysis both call faq_analyze, the index and the questions
 * can never disagree.
 *
 * mg_lang is the immutable, shareable part (MeCab model, word lists); it is
 * safe to use from many threads. mg_analyzer is per thread (a MeCab tagger
 * and lattice): never share one between threads.
 */
#ifndef MG_ANALYZE_H
#define MG_ANALYZE_H

#include <sqlite3.h>

#include "util/mg_config.h"

typedef struct mg_lang mg_lang;
typedef struct mg_analyzer mg_analyzer;

/* Token flags passed to the callback. */
#define MG_TOK_SYNONYM 0x01  /* an extra term at the same position (query expansion) */
#define MG_TOK_NOUN    0x02  /* the morpheme is a noun (content-bearing) */
#define MG_TOK_VERB    0x04  /* verb or adjective */
#define MG_TOK_PLACE   0x10  /* a place name (proper noun, region) */
#define MG_TOK_PART    0x20  /* a part of the previous compound noun, at the same
                              * position (with MG_TOK_SYNONYM): 住民票 → 住民, 票 */
#define MG_TOK_READING 0x08  /* the katakana reading of the previous noun, at
                              * the same position (with MG_TOK_SYNONYM): it
                              * lets 鳩 meet ハト and 子供 meet コドモ */

/* Called once per term: term bytes (NUL-terminated, valid during the call),
 * its length, byte offsets [start, end) of the source morpheme in the
 * *input* text (mapped back through normalisation; a term from a rewritten
 * variant spans the whole variant), and
 * flags. Return 0 to go on, non-zero to stop (that value is returned). */
typedef int (*mg_token_fn)(void *ctx, const char *term, int len, int start, int end, int flags);

/* Load the MeCab model and dict/ word lists named by cfg. Caller frees with
 * faq_lang_free. Fails with MG_EIO/MG_ECONFIG and a message naming the file. */
int faq_lang_new(mg_lang **out, const mg_config *cfg, char *err);
void faq_lang_free(mg_lang *lang);
/* Hex fingerprint of everything that changes analysis output; valid while lang lives. */
const char *faq_lang_fingerprint(const mg_lang *lang);

/* Synonyms (dict/synonyms.tsv, expanded at query time, never indexed):
 * call fn for every other member of each group that term (an index term as
 * faq_analyze emits it) belongs to. Members that analyse into more than one
 * term are ignored. Returns 0 or fn's non-zero value. */
typedef int (*mg_synonym_fn)(void *ctx, const char *term, int len);
int faq_lang_synonyms(const mg_lang *lang, const char *term, int len, mg_synonym_fn fn, void *ctx);
/* True when term is in dict/stopwords.txt. */
int faq_lang_is_stopword(const mg_lang *lang, const char *term, int len);
/* True when the system dictionary has UniDic's feature layout (else IPADIC). */
int faq_lang_is_unidic(const mg_lang *lang);

/* Per-thread analyzer. Caller frees with faq_analyzer_free. */
int faq_analyzer_new(mg_analyzer **out, mg_lang *lang, char *err);
void faq_analyzer_free(mg_analyzer *an);

/* Analyze text (len bytes, any UTF-8; invalid sequences are skipped) and
 * call fn for each term. Returns 0, the callback's non-zero value, or a
 * negative MG_E* code. */
int faq_analyze(mg_analyzer *an, const char *text, int len, mg_token_fn fn, void *ctx);

/* NFKC + case fold into a new string (caller frees with free()), or NULL. */
char *faq_normalize(const char *text, int len, int *outlen);

/* Register the FTS5 tokenizer named "mecab" on db; it uses lang (which must
 * outlive db). Returns 0 or MG_EDB. */
int faq_fts5_register(sqlite3 *db, mg_lang *lang, char *err);

/* ---- morphemes: what the understanding layer (bot/understand.h) reads ---- */

/* Coarse part of speech of a morpheme (IPADIC and UniDic alike). */
enum mg_pos {
  MG_POS_OTHER = 0, MG_POS_NOUN, MG_POS_VERB, MG_POS_ADJ, MG_POS_ADV,
  MG_POS_PARTICLE, MG_POS_AUX, MG_POS_SYMBOL
};

/* One morpheme of the analysed text. Pointers are valid during the callback
 * only. surface points into the analysed text (faq_analyzer_text): the input
 * after NFKC, case folding and variant rewriting, exactly what MeCab saw. */
typedef struct mg_morph {
  const char *surface; int surface_len;
  int off;                               /* byte offset of surface in the analysed text */
  const char *lemma; int lemma_len;      /* dictionary base form (surface for unknown words) */
  const char *reading; int reading_len;  /* katakana reading of the surface; 0 bytes when unknown */
  enum mg_pos pos;
  const char *cform; int cform_len;      /* conjugation form (仮定形, 連用形, …), 0 bytes when none */
  int pronoun;                           /* 誰, 何, 私: a pronoun */
  int prefix;                            /* 今 in 今ストーカーに…: a prefix */
  int suffix;                            /* a suffix (呼び方's 方, 救急車's 車 when split, ガス臭い's 臭い) */
  int content;                           /* faq_analyze's class: MG_TOK_NOUN / MG_TOK_VERB, or 0 */
  int unknown;                           /* not in the dictionary */
} mg_morph;

typedef int (*mg_morph_fn)(void *ctx, const mg_morph *m);

/* Analyse text like faq_analyze, but report every morpheme (function words
 * too) with its lemma, reading and part of speech. Returns 0, fn's non-zero
 * value, or a negative MG_E* code. */
int faq_analyze_morphs(mg_analyzer *an, const char *text, int len, mg_morph_fn fn, void *ctx);
/* The text the last faq_analyze / faq_analyze_morphs call handed to MeCab
 * (NUL-terminated); valid until the analyzer's next call. */
const char *faq_analyzer_text(const mg_analyzer *an, int *len);

#endif
