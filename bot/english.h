/*
 * english.h — routing a question written in English to the FAQ.
 *
 * The FAQ is Japanese; a resident who writes "How do I throw away a large
 * sofa?" should still reach 粗大ごみ and its department. A bilingual table
 * (dict/english.tsv, written for city topics, and dict/english-edict.tsv,
 * EDICT's glosses of the FAQ's keywords, built by dict/tools/build-english.py)
 * turns the question's words and phrases (longest first, up to four words,
 * with plural and -ing/-ed endings folded) into Japanese terms; the engine
 * is then asked with those. The reply keeps the Japanese answer and adds one
 * English line naming the department and its number, and a person is
 * offered (bot/answer.c). Danger words are not routed here: the safety layer
 * has its own English terms in dict/concepts/.
 *
 * Immutable after load; shared by all threads.
 */
#ifndef BOT_ENGLISH_H
#define BOT_ENGLISH_H

#include <stddef.h>

typedef struct bot_english bot_english;

/* Load dict_dir/english.tsv (required) and dict_dir/english-edict.tsv
 * (optional). Errors: MG_EIO, MG_ECONFIG "FILE:LINE: …". */
int bot_english_load(bot_english **out, const char *dict_dir, char *err);
void bot_english_free(bot_english *e);

/* 1 when text is written in English: at least two words, letters nearly
 * all Latin, no kana or kanji. */
int bot_english_detect(const char *text, int len);

/* Turns a word in kana (romaji read back) into the FAQ's terms for it,
 * space-separated, into out (cap bytes); returns how many (0: none, the
 * word is not the FAQ's). faq_engine_spell_kana is one. */
typedef int (*bot_english_speller)(void *ctx, const char *kana, int len, char *out, size_t cap);

/* The Japanese terms for text, joined by spaces, into out (cap bytes).
 * A word the table does not know that reads as romaji goes as spell's
 * terms for its kana into read (rcap bytes; terms to be searched as they
 * are, faq_engine_search_terms), or, where spell finds none or spell or
 * read is NULL, as the hiragana itself into out. Returns how many terms
 * were found in all (0: nothing known). */
int bot_english_query(const bot_english *e, const char *text, int len, bot_english_speller spell, void *ctx, char *out,
                      size_t cap, char *read, size_t rcap);

/* How many distinct topic words of query (folded as above, stopwords left
 * out) occur among the words of doc: how near an entry's English version
 * is to an English question (bot/answer.c chooses among close candidates
 * with it). 0 when either is NULL or empty. e adds english.tsv's words
 * that name no topic (the city's name); NULL: English's stopwords only. */
int bot_english_overlap(const bot_english *e, const char *query, const char *doc);
/* For each of the ndocs English texts docs[j] (NULL or "" for none; at most
 * EN_COVER_DOCS are read), the share of the query's words it holds, each
 * word weighted by how few of the ndocs hold it, into cover[j] (0..1).
 * Returns the number of distinct query words weighed (0: none, every
 * cover 0). Words as for bot_english_overlap. */
#define EN_COVER_DOCS 16
int bot_english_cover(const bot_english *e, const char *query, const char *const *docs, int ndocs, double *cover);

/* The question's topic words (letters and digits, lower-cased, stopwords
 * and one-letter words left out, each once) as an FTS5 query for the
 * English index, "w1" OR "w2" …, into out (cap bytes); FTS5's porter
 * tokenizer stems them as it stemmed the entries. Returns how many words.
 * e as for bot_english_overlap. */
int bot_english_fts_query(const bot_english *e, const char *text, int len, char *out, size_t cap);

#endif
