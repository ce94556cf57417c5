/*
 * lang.c — language choice and fallback (see lang.h).
 */
#include "bot/lang.h"

#include <string.h>

#include "faq/store.h"

static const char *const names[BOT_LANG_COUNT] = { "ja", "en", "easy" };

int bot_lang_parse(const char *s) {
  if (!s || !*s) return BOT_LANG_JA;
  for (int i = 0; i < BOT_LANG_COUNT; i++)
    if (strcmp(s, names[i]) == 0) return i;
  return -1;
}

const char *bot_lang_name(int lang) { return lang > 0 && lang < BOT_LANG_COUNT ? names[lang] : names[0]; }

int bot_lang_wanted(int chosen, int question_english) {
  if (question_english) return BOT_LANG_EN;
  return chosen > 0 && chosen < BOT_LANG_COUNT ? chosen : BOT_LANG_JA;
}

int bot_lang_pick(const mg_faq_entry *e, int want, const char **q, const char **a) {
  int t = want == BOT_LANG_EN ? MG_FAQ_TR_QUESTION_EN : want == BOT_LANG_EASY ? MG_FAQ_TR_QUESTION_EASY : -1;
  *q = e->question, *a = e->answer;
  /* a version is both texts: a translated question over a Japanese answer would mislead */
  if (t < 0 || !e->tr[t] || !*e->tr[t] || !e->tr[t + 1] || !*e->tr[t + 1]) return BOT_LANG_JA;
  *q = e->tr[t], *a = e->tr[t + 1];
  return want;
}
