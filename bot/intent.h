/*
 * intent.h — intents and the scope decision over concepts.
 *
 * The intents that PCRE2 surface patterns caught badly — a resident asking
 * for a person in dialect or kana (たんとうのひとにつないで, 人出して) — are
 * written over concepts instead: an intent fires when all its concepts are
 * met in one sentence. The scope decision runs after the engine: when the
 * engine is unsure (it would offer choices, or answer below a confidence)
 * and the message is about something that is not a city matter (shopping,
 * cooking, romance, weather, homework, a broken phone, …) with no word of a
 * city procedure, the resident is told so instead of being offered FAQ
 * entries that only share a word. Both live in dict/intents.json.
 *
 * Immutable after load; shared by all threads.
 */
#ifndef BOT_INTENT_H
#define BOT_INTENT_H

#include "bot/understand.h"

typedef struct bot_intents bot_intents;

typedef struct bot_intent_hit {
  const char *name;   /* e.g. "handoff_person" */
  const char *kind;   /* rule kinds of bot/rules.h: "handoff", … */
  const char *reply;  /* Japanese reply */
  int sentence;       /* the last sentence (bot_msg_sentence) its concepts met in */
} bot_intent_hit;

/* Load path against the compiled concepts. Errors: MG_EIO, MG_EBADJSON
 * "FILE:LINE:COL: …", MG_ECONFIG "FILE: …" (an unknown concept, a missing
 * field). Free with bot_intents_free. */
int bot_intents_load(bot_intents **out, const char *path, const bot_concepts *c, char *err);
void bot_intents_free(bot_intents *in);

/* The first intent whose concepts all meet in one sentence: 1 and *hit, or 0. */
int bot_intents_match(const bot_intents *in, const bot_msg *msg, const bot_hits *h, bot_intent_hit *hit);

/* 1 when the message names the city itself as the one that does or gives
 * something: a bare 市 (not part of 西条市 or 市役所) before で, が, に,
 * から, or の (not 隣の市の). */
int bot_msg_asks_city(const bot_msg *msg);

/* 1 when the engine's unsure result (decision clarify, or answer below the
 * file's confidence) should give way to "not a city matter"; *reply is the
 * text to say. */
int bot_intents_outside(const bot_intents *in, const bot_msg *msg, const bot_hits *h, int clarify, double confidence,
                        const char **reply);

#endif
