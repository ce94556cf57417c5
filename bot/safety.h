/*
 * safety.h — the safety layer: is a resident in danger, and which number?
 *
 * It runs before everything else on every message. Danger concepts (fire,
 * gas, a collapse, not breathing, violence, a child being hurt, thoughts of
 * suicide, …) are found by the concept matcher (bot/understand.h); cues that
 * raise (now, 助けて, a person as subject, "!", an ongoing form) and lower
 * (past, news or fiction, a hypothetical, asking how a procedure works, a
 * negation right after the danger word) move a score per danger:
 *
 *   score = base (strong term 1.0, hint term 0.6; a weak kana/edit match
 *           counts as a hint) + raise (once) − lower (per cue, at most two)
 *
 * At or above the card threshold the resident gets the emergency card (the
 * number(s) first, nothing else); between the note and card thresholds the
 * normal answer carries a safety note with the numbers — an unsure emergency
 * is never met with silence, but a note is an alarm too and is counted on
 * harmless messages. Weights, thresholds, numbers, card and note texts are
 * per-city data in dict/safety.json (a prefecture's lines differ); the terms
 * are in dict/concepts/.
 *
 * Every decision records the concepts and cues that fired, for --explain,
 * the transcript and the supervisor's review.
 */
#ifndef BOT_SAFETY_H
#define BOT_SAFETY_H

#include <jansson.h>

#include "bot/understand.h"

enum bot_safety_level { BOT_SAFE = 0, BOT_SAFETY_NOTE = 1, BOT_SAFETY_CARD = 2 };

#define BOT_SAFETY_MAX_NUMBERS 6
#define BOT_SAFETY_MAX_CUES 16

typedef struct bot_safety bot_safety;

typedef struct bot_safety_result {
  enum bot_safety_level level;
  const char *danger;                       /* the highest-scoring danger's name, or NULL */
  double score;                             /* its score */
  const char *numbers[BOT_SAFETY_MAX_NUMBERS]; /* numbers to call, as dialled ("119", "0570-064-556") */
  int nnumbers;
  char text[2048];                          /* card or note text ("" when safe), in Japanese
                                             * until bot_safety_localize */
  const void *shown[3];                     /* the dangers whose texts make up text, in order */
  int nshown;
  const char *cues[BOT_SAFETY_MAX_CUES];    /* what fired: danger and cue concept names */
  char cue_sign[BOT_SAFETY_MAX_CUES];       /* '+' danger or raising cue, '-' lowering cue, '~' weak match */
  int ncues;
} bot_safety_result;

/* Load path (dict/safety.json) against the compiled concepts c (every concept
 * it names must exist). Errors: MG_EIO, MG_EBADJSON "FILE:LINE:COL: …",
 * MG_ECONFIG "FILE: danger NAME: …". Free with bot_safety_free. */
int bot_safety_load(bot_safety **out, const char *path, const bot_concepts *c, char *err);
void bot_safety_free(bot_safety *s);

/* Assess one analysed message whose concepts are in hits. */
void bot_safety_assess(const bot_safety *s, const bot_msg *msg, const bot_hits *hits, bot_safety_result *r);

/* The fail-safe: the dangers marked "fallback" in dict/safety.json (a person
 * in trouble told in the present: ぐったりして起きん, 無理やり車に押し込もうと
 * しよる), met with a raising cue in their sentence, give at most a note with
 * every number. The caller attaches it only where the ordinary assessment
 * found nothing and no FAQ entry answers: a resident telling something the
 * bot cannot place is told where to call if it is an emergency. */
void bot_safety_fallback(const bot_safety *s, const bot_msg *msg, const bot_hits *hits, bot_safety_result *r);

/* 1 when hits name a danger at all, whatever its score: a danger's own word
 * (strong or hint) or every concept of one of its "with" groups, met by its
 * lemma or its own kana. Small talk never takes such a message (ママの彼氏が…
 * is no chat about a boyfriend). */
int bot_safety_mentions(const bot_safety *s, const bot_hits *hits);

/* Rewrite r->text in lang (enum bot_lang, bot/lang.h) from the same dangers:
 * their "card_en"/"note_en" or "card_easy"/"note_easy" texts (dict/safety.json),
 * each danger's Japanese text where the file gives none in lang. The load
 * checks that every card text in every language names the danger's numbers. */
void bot_safety_localize(const bot_safety *s, bot_safety_result *r, int lang);

/* {"level": "card"|"note", "numbers": [...], "text", "danger", "cues": [...]}
 * for the protocol's `safety` object; NULL when r is safe. */
json_t *bot_safety_json(const bot_safety_result *r);
/* ["+fire", "+cue_help", "-cue_past", "~smoke", …]: what fired, for explain views. */
json_t *bot_safety_cues_json(const bot_safety_result *r);

#endif
