/*
 * lang.h — the three languages a resident can be answered in.
 *
 * Japanese is the FAQ's language and always there. An entry may carry an
 * English and a やさしい日本語 (easy Japanese) version of its question and
 * answer (faq/store.h, mg_faq_entry.tr); the bot's own words have all three
 * (dict/messages.json, bot/messages.h), and so has the emergency card
 * (dict/safety.json). The rules, in one place so every channel and the
 * pages agree (docs/languages.md):
 *
 *  - the language wanted is the resident's choice (widget switch, page
 *    ?lang=), except that a question written in English wants English;
 *  - an entry answers in the language wanted when it has that version
 *    (question and answer both non-empty), else in Japanese — the caller
 *    then says so (bot/answer.c adds an English line with the department
 *    and its number when English was wanted).
 */
#ifndef BOT_LANG_H
#define BOT_LANG_H

struct mg_faq_entry;

enum bot_lang { BOT_LANG_JA = 0, BOT_LANG_EN = 1, BOT_LANG_EASY = 2, BOT_LANG_COUNT };

/* "ja", "en", "easy" → the language; NULL or "" → BOT_LANG_JA; anything
 * else → -1 (callers refuse it, so a typo is seen rather than ignored). */
int bot_lang_parse(const char *s);
/* "ja", "en" or "easy"; "ja" for a value out of range. */
const char *bot_lang_name(int lang);
/* The language a reply should be written in: chosen by the resident, or
 * English when the question itself is written in English. */
int bot_lang_wanted(int chosen, int question_english);
/* The version of e to show for want: sets *q and *a (valid while e lives)
 * and returns the language they are written in (BOT_LANG_JA when e has no
 * complete version in want). */
int bot_lang_pick(const struct mg_faq_entry *e, int want, const char **q, const char **a);

#endif
