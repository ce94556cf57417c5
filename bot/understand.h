/*
 * understand.h — the analysed message and the concepts found in it.
 *
 * Everything that decides what a message is about — the safety layer, the
 * intents, the scope decision — reads one representation instead of the raw
 * surface: the normalised text (NFKC, case folded, variants rewritten), the
 * same text with hiragana turned into katakana (so a message written in kana
 * can meet a word by its reading), and MeCab's morphemes with their lemmas
 * and parts of speech.
 *
 * A concept term (dict/concepts.h) is compiled once, with the same analysis,
 * into up to three ways of meeting a message:
 *   lemma    its content lemmas in order (a negation counts as one lemma):
 *            燃えている meets 燃えてる and 燃えとる, 息をしていない meets 息してない;
 *   kana     its katakana key, found in the message's katakana text at a
 *            morpheme boundary: the term's own kana spelling (たすけて), or
 *            the reading of a term written in kanji (ガス臭い → ガスクサ, the
 *            inflected ending cut off) — a reading match is marked weak when
 *            it is short, since homophones share readings (家事 and 火事 are
 *            both カジ; a message in kanji never meets a reading at all);
 *   edit     one character away from a one-word term of three or more
 *            characters (救急者 → 救急車): always weak.
 * A "-" term masks its concept: a match that overlaps it does not count
 * (燃えるごみ masks 燃える). Callers decide what a weak match may do; the
 * safety layer never raises an alarm on a weak match alone.
 *
 * bot_concepts is immutable after bot_concepts_compile and shared by all
 * threads; bot_msg and bot_hits are per worker and reused.
 */
#ifndef BOT_UNDERSTAND_H
#define BOT_UNDERSTAND_H

#include <jansson.h>

#include "faq/analyze.h"
#include "dict/concepts.h"

/* How a concept met the message; smaller is stronger. */
enum bot_how { BOT_NONE = 0, BOT_BY_LEMMA = 1, BOT_BY_KANA = 2, BOT_BY_READING = 3, BOT_BY_EDIT = 4 };

typedef struct bot_morph {
  int off, len;        /* bytes in bot_msg.text */
  int lemma;           /* offset of the NUL-terminated lemma in bot_msg.pool */
  enum mg_pos pos;
  int stream;          /* 1 when it counts for lemma matching (content word or negation) */
  int unknown;         /* not in the dictionary (a typo or a new word) */
} bot_morph;

typedef struct bot_msg {
  char *text;          /* analysed text, NUL-terminated */
  char *kata;          /* text with hiragana → katakana (same byte offsets) */
  int len;
  bot_morph *m;
  int n, cap;
  char *pool;          /* lemmas */
  int pool_len, pool_cap;
  unsigned char *bound;/* bound[i]: a morpheme starts at byte i */
  int *sent;           /* sent[i]: sentence number of byte i (bot_msg_sentence), i in [0, len] */
  int text_cap;
  int kana_only;       /* written only in kana (bot_msg_is_kana) */
} bot_msg;

/* Analyse text into m (reusing its buffers). Returns 0 or MG_E*. */
int bot_msg_analyze(bot_msg *m, mg_analyzer *an, const char *text, int len);
void bot_msg_clear(bot_msg *m);  /* frees the buffers */
/* Lemma of morpheme i. */
static inline const char *bot_msg_lemma(const bot_msg *m, int i) { return m->pool + m->m[i].lemma; }
/* 1 when the resident wrote the message only in hiragana/katakana (with
 * spaces, punctuation and digits; judged before the variants rewrite
 * あかちゃん as 赤ちゃん): MeCab segments such text poorly. */
int bot_msg_is_kana(const bot_msg *m);
/* Sentence number (from 0) of byte off: sentences end at 。.!? and new
 * lines (NFKC has made the full-width marks ASCII already). */
int bot_msg_sentence(const bot_msg *m, int off);
/* No comma (、 or ,) between byte offsets a and b: one clause of a sentence. */
int bot_msg_same_clause(const bot_msg *m, int a, int b);
/* 1 when morpheme i is an auxiliary that changes what its verb says (たい,
 * the passive れる/られる, the causative せる/させる, にくい). */
int bot_msg_is_voice(const bot_msg *m, int i);
/* 1 when morpheme i is a negation (ない, ん, ず, …). */
int bot_msg_is_neg(const bot_msg *m, int i);
/* 1 when the i-th morpheme, a negation, is followed by a conditional と
 * (帰らんと: "unless"), not a quoting one (燃えてないと思う). */
int bot_msg_unless(const bot_msg *msg, int i);

typedef struct bot_concepts bot_concepts;

/* Compile src with an (used only during the call). *out is shared and
 * immutable; free with bot_concepts_free. MG_ENOMEM, or MG_ECONFIG with
 * FILE:LINE when a term analyses to nothing that can be matched. */
int bot_concepts_compile(bot_concepts **out, const dict_concepts *src, mg_analyzer *an, char *err);
void bot_concepts_free(bot_concepts *c);
int bot_concepts_count(const bot_concepts *c);
const char *bot_concepts_name(const bot_concepts *c, int id);
int bot_concepts_find(const bot_concepts *c, const char *name);  /* id or -1 */
/* The ids of a JSON list of concept names, appended to ids[*n] (at most max
 * in all), for the loaders of the dict/ JSON files; an error names path, where and
 * the unknown name. */
int bot_concepts_ids(const bot_concepts *c, const json_t *arr, int *ids, int *n, int max, const char *path,
                     const char *where, char *err);

/* The concepts found in one message: for each concept id, how it was met
 * (BOT_NONE when not), where (bytes in bot_msg.text) and the key's length in
 * characters for kana matches. */
typedef struct bot_match {
  short concept, start, end, chars;
  unsigned char how;
} bot_match;

#define BOT_MAX_MATCHES 256

typedef struct bot_hits {
  unsigned char *how;
  short *start, *end, *chars;
  int n;               /* concepts */
  bot_match *all;      /* every match that survived the look-alikes, in text order */
  int nall;
} bot_hits;

int bot_hits_init(bot_hits *h, const bot_concepts *c);
void bot_hits_clear(bot_hits *h);
/* Fill h for msg. Never fails (work is bounded by the message length). */
void bot_concepts_match(const bot_concepts *c, const bot_msg *msg, bot_hits *h);
/* 1 when concept id was met for sure: by lemma or its own kana spelling,
 * or by a reading of four characters or more (not by a short reading or
 * an edit, which may be a homophone or a typo). */
int bot_hits_sure(const bot_hits *h, int id);
/* 1 when every concept of ids[0..n) was met in one sentence of msg. */
int bot_hits_together(const bot_hits *h, const bot_msg *msg, const int *ids, int n);
/* The last sentence (bot_msg_sentence) in which every concept of ids[0..n)
 * was met, or -1. */
int bot_hits_together_last(const bot_hits *h, const bot_msg *msg, const int *ids, int n);
/* The sentence number of the message's last content word (0 for one sentence). */
int bot_msg_last_sentence(const bot_msg *m);
/* ["fire:lemma", "cue_help:kana", …] for explain views; caller json_decref's it. */
json_t *bot_hits_json(const bot_concepts *c, const bot_hits *h);

#endif
