/*
 * t_lang.c — answers in English and やさしい日本語 (bot/lang.h,
 * docs/languages.md): the choice and its fallback as functions, the
 * translations as part of a revision (drafted, published, kept when a file
 * has no column for them), the bot's own words in every language, and the
 * whole pipeline (bot_answer_lang) on the sample FAQ — an English question
 * answered from an entry's English version, the fallback line with the
 * department's number where there is none, easy Japanese chosen, and the
 * emergency card naming its number in every language.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot/answer.h"
#include "bot/english.h"
#include "bot/lang.h"
#include "bot/messages.h"
#include "faq/io.h"
#include "faq/store.h"
#include "util/mg_err.h"
#include "tests/tap.h"
#include "tests/testenv.h"

static const char *jstr(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static void language_is_parsed_and_wanted_as_the_resident_chose(void) {
  is_int(bot_lang_parse("en"), BOT_LANG_EN, "\"en\" is English");
  is_int(bot_lang_parse("easy"), BOT_LANG_EASY, "\"easy\" is やさしい日本語");
  is_int(bot_lang_parse(NULL), BOT_LANG_JA, "no lang is Japanese (older clients)");
  is_int(bot_lang_parse("fr"), -1, "an unknown language is refused, not taken for Japanese");
  is_int(bot_lang_wanted(BOT_LANG_EASY, 1), BOT_LANG_EN, "a question written in English wants English whatever was chosen");
  is_int(bot_lang_wanted(BOT_LANG_EASY, 0), BOT_LANG_EASY, "else the resident's choice");
  is_int(bot_lang_wanted(9, 0), BOT_LANG_JA, "an out-of-range choice is Japanese");
}

static void pick_gives_the_version_there_else_japanese(void) {
  mg_faq_entry e = { .question = "粗大ごみの出し方", .answer = "申し込んでください。" };
  char *tr[MG_FAQ_NTR] = { "Large items?", "Apply first.", "おおきい ごみ？", "" };
  const char *q, *a;

  is_int(bot_lang_pick(&e, BOT_LANG_EN, &q, &a), BOT_LANG_JA, "an entry without translations answers in Japanese");
  memcpy(e.tr, tr, sizeof tr);
  is_int(bot_lang_pick(&e, BOT_LANG_EN, &q, &a), BOT_LANG_EN, "English wanted and there: English");
  is_str(a, "Apply first.", "... the English answer");
  is_int(bot_lang_pick(&e, BOT_LANG_EASY, &q, &a), BOT_LANG_JA, "an easy question without its easy answer is no version");
  is_str(q, "粗大ごみの出し方", "... the Japanese question is shown with the Japanese answer");
  is_int(bot_lang_pick(&e, BOT_LANG_JA, &q, &a), BOT_LANG_JA, "Japanese wanted: Japanese");
}

/* The fixture: a bot with the sample FAQ (two of its entries without their
 * English version, see drop_english) and one worker. */
static mg_config cfg;
static bot_worker *w;

static void messages_exist_per_language_and_a_missing_key_is_refused(void) {
  const char *dict = cfg.dict_dir;
  char path[1100], err[MG_ERRLEN], tmp[] = "/tmp/t_lang_msg.XXXXXX";
  msg_set *m = NULL;
  snprintf(path, sizeof path, "%s/messages.json", dict);
  if (!ok(bot_msg_load(&m, path, err) == 0, "dict/messages.json loads with its languages (%s)", err)) return;
  ok(strcmp(bot_msg_lang(m, MSG_GREETING, BOT_LANG_EN), bot_msg_get(m, MSG_GREETING)) != 0 &&
         strstr(bot_msg_lang(m, MSG_GREETING, BOT_LANG_EN), "119"),
     "the English greeting is its own and names 119");
  ok(strstr(bot_msg_lang(m, MSG_GREETING, BOT_LANG_EASY), "119") != NULL, "so does the やさしい日本語 one");
  ok(strcmp(bot_msg_lang(m, MSG_NO_ANSWER, BOT_LANG_EASY), bot_msg_get(m, MSG_NO_ANSWER)) != 0, "no_answer has an easy version");
  is_str(bot_msg_lang(m, MSG_MAIL_RECEIVED_SUBJECT, BOT_LANG_EN), bot_msg_get(m, MSG_MAIL_RECEIVED_SUBJECT),
         "a key without an English text falls back to Japanese");
  bot_msg_free(m);
  /* every resident-facing key is required in each language */
  {
    json_t *root = json_load_file(path, 0, NULL);
    json_object_del(json_object_get(root, "easy"), "no_choice");
    json_dump_file(root, test_write_tmp(tmp, "") ? tmp : "/dev/null", 0);
    json_decref(root);
    is_int(bot_msg_load(&m, tmp, err), MG_ECONFIG, "a file whose easy texts lack a resident's key is refused");
    ok(strstr(err, "\"easy\"") && strstr(err, "no_choice"), "naming the language and the key (%s)", err);
    unlink(tmp);
  }
}

static int en_hits_have(const faq_en_hit *h, int n, const char *id) {
  for (int i = 0; i < n; i++)
    if (strcmp(h[i].id, id) == 0) return 1;
  return 0;
}

static void translations_are_kept_with_revisions_and_exported(void) {
  sqlite3 *db = bot_worker_db(w);
  char err[MG_ERRLEN];
  mg_faq_entry e = { .id = "lang-1", .question = "図書館カード", .answer = "窓口で作れます。" }, *got = NULL;
  char *tr[MG_FAQ_NTR] = { "Library card?", "At the counter.", "", "" };
  int changed = 0;

  memcpy(e.tr, tr, sizeof tr);
  is_int(faq_put(db, &e, "test", 1, err), 0, "an entry with an English version is stored (%s)", err);
  if (faq_get(db, "lang-1", MG_FAQ_PUBLISHED, &got, err) == 0) {
    is_str(got->tr[MG_FAQ_TR_ANSWER_EN], "At the counter.", "the English answer is published with the entry");
    is_str(got->tr[MG_FAQ_TR_QUESTION_EASY], "", "no easy version: \"\"");
    faq_entry_free(got);
  }
  for (int i = 0; i < MG_FAQ_NTR; i++) e.tr[i] = NULL;
  is_int(faq_put_ex(db, &e, "test", 1, &changed, err), 0, "the same entry from a format without translations (%s)", err);
  is_int(changed, 0, "... keeps its translations: no new revision");
  e.tr[MG_FAQ_TR_ANSWER_EN] = "At the library counter.";
  is_int(faq_put(db, &e, "test", 0, err), 0, "an English edit saved as a draft (%s)", err);
  if (faq_get(db, "lang-1", MG_FAQ_PUBLISHED, &got, err) == 0) {
    is_str(got->tr[MG_FAQ_TR_ANSWER_EN], "At the counter.", "the published English stays until publish");
    is_str(got->tr[MG_FAQ_TR_QUESTION_EN], "Library card?", "... and an untouched field is carried into the draft");
    faq_entry_free(got);
  }
  if (faq_get(db, "lang-1", MG_FAQ_LATEST, &got, err) == 0) {
    is_str(got->tr[MG_FAQ_TR_ANSWER_EN], "At the library counter.", "the draft holds the new English");
    is_str(got->tr[MG_FAQ_TR_QUESTION_EN], "Library card?", "... with the question it kept");
    faq_entry_free(got);
  }
  {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    mg_io_opts csv = { .format = "csv" };
    is_int(faq_io_export_csv(db, f, &csv, err), 0, "CSV export (%s)", err);
    fclose(f);
    ok(buf && strstr(buf, "質問（英語）,回答（英語）,質問（やさしい日本語）,回答（やさしい日本語）"),
       "CSV has the four translation columns after the standard's");
    ok(buf && strstr(buf, "At the library counter."), "... with the text");
    free(buf);
  }
}

/* the English index follows what is published: insert, publish, delete
 * (every sample entry has an English version too: look for lang-1 among
 * the hits) */
static void english_index_follows_what_is_published(void) {
  sqlite3 *db = bot_worker_db(w);
  char err[MG_ERRLEN];
  {
    faq_en_hit h[200];
    int n = -1;
    is_int(faq_search_en(db, "\"libraries\"", h, 200, &n, err), 0, "the English index answers (%s)", err);
    ok(en_hits_have(h, n, "lang-1") && h[0].score > 0, "a published English question is found by its (stemmed) word");
    ok(n > 0 && h[0].question && strstr(h[0].question, "ibrar") != NULL, "a hit carries its English question (%s)",
       n > 0 && h[0].question ? h[0].question : "");
    faq_en_hits_clear(h, n);
    faq_search_en(db, "answer : \"library\"", h, 200, &n, err);
    ok(!en_hits_have(h, n, "lang-1"), "the English draft is not searched before it is published");
    faq_en_hits_clear(h, n);
    is_int(faq_publish(db, "lang-1", 0, "test", err), 0, "publish the draft (%s)", err);
    faq_search_en(db, "answer : \"library\"", h, 200, &n, err);
    ok(en_hits_have(h, n, "lang-1"), "... and is once published");
    faq_en_hits_clear(h, n);
    faq_remove(db, "lang-1", "test", err);
    faq_search_en(db, "\"library\"", h, 200, &n, err);
    ok(n > 0 && !en_hits_have(h, n, "lang-1"), "a deleted entry leaves the English index");
    faq_en_hits_clear(h, n);
    is_int(faq_search_en(db, "\"unclosed", h, 200, &n, err), MG_EDB, "a malformed FTS5 query is an error, not a crash");
    is_int(n, 0, "... with no hit left to free");
  }
}

static void english_fts_query_keeps_topic_words_only(void) {
  char q[256];
  is_int(bot_english_fts_query(NULL, "How can I throw away my old Sofa sofa?", 39, q, sizeof q), 4, "four topic words");
  is_str(q, "\"throw\" OR \"away\" OR \"old\" OR \"sofa\"", "stopwords out, lower-cased, each word once");
  bot_english_fts_query(NULL, "sofa\" OR NEAR(a b) * ^x", 23, q, sizeof q);
  ok(strchr(q, '(') == NULL && strchr(q, '*') == NULL && strchr(q, '^') == NULL, "FTS5 syntax in the question stays out (%s)", q);
  is_int(bot_english_fts_query(NULL, "? ! a I", 7, q, sizeof q), 0, "no topic word: no query");
}

/* A speller that knows two words, as the engine's readings would. */
static int fake_spell(void *ctx, const char *kana, int len, char *out, size_t cap) {
  static const char *const known[][2] = { { "じこしょめいしょ", "ジコ ショウメイ ショ" }, { "ざいりゅ", "ザイリュウ" } };
  (*(int *)ctx)++;
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if ((size_t)len == strlen(known[i][0]) && memcmp(kana, known[i][0], (size_t)len) == 0) {
      snprintf(out, cap, "%s", known[i][1]);
      return 1;
    }
  return 0;
}

static void english_query_spells_romaji_as_the_index_reads_it(void) {
  bot_english *e = NULL;
  char err[MG_ERRLEN] = "", out[512], read[256];
  const char *dict = getenv("MG_DICT_DIR");
  int calls = 0;
  if (!ok(bot_english_load(&e, dict ? dict : "dict", err) == 0, "dict/english.tsv loads (%s)", err)) return;
  ok(bot_english_query(e, "nursery needs jiko shomeisho", 28, fake_spell, &calls, out, sizeof out, read, sizeof read) >= 2,
     "the table's word and the romaji compound are found");
  is_str(read, "ジコ ショウメイ ショ", "two romaji words spelled whole as one compound, jiko included");
  ok(strstr(out, "保育所") && !strstr(out, "しょ"), "the table's term in the text, no hiragana beside it (%s)", out);
  bot_english_query(e, "nursery for zairyu card", 23, fake_spell, &calls, out, sizeof out, read, sizeof read);
  is_str(read, "ザイリュウ", "a romaji word beside English is spelled alone");
  bot_english_query(e, "nursery in hoikuen", 18, fake_spell, &calls, out, sizeof out, read, sizeof read);
  ok(strstr(out, "ほいくえん") != NULL && !*read, "a word the speller does not spell goes as hiragana (%s)", out);
  bot_english_query(e, "nursery in hoikuen", 18, NULL, NULL, out, sizeof out, read, sizeof read);
  ok(strstr(out, "ほいくえん") != NULL && !*read, "so does every romaji word without a speller");
  calls = 0;
  bot_english_query(e, "nursery open time", 17, fake_spell, &calls, out, sizeof out, read, sizeof read);
  is_int(calls, 0, "English words the table knows or that are stopwords are not spelled");
  /* leaving a job is not finding one: the phrase wins over its word */
  bot_english_query(e, "i quit my job and want to join health insurance", 47, NULL, NULL, out, sizeof out, read, sizeof read);
  ok(strstr(out, "退職") && strstr(out, "加入") && !strstr(out, "就職"), "quit my job is 退職, join is 加入 (%s)", out);
  bot_english_free(e);
}

static void english_cover_weighs_the_words_that_tell_entries_apart(void) {
  const char *docs[] = { "What should I do if I lose my My Number Card?", "How do I apply for a My Number Card?",
                         "How do I renew my My Number Card?", NULL };
  double cover[4];
  is_int(bot_english_cover(NULL, "i lost my my number card", docs, 4, cover), 3, "three words weighed (lose, number, card)");
  ok(cover[0] > 0.99 && cover[0] < 1.01, "the question holding all three covers it whole (%.3f)", cover[0]);
  ok(cover[1] > 0 && cover[1] < 0.6, "one holding only the words every entry has covers little (%.3f)", cover[1]);
  ok(cover[1] == cover[2], "two such questions cover it alike");
  is_int(cover[3] == 0, 1, "no text, no cover");
  is_int(bot_english_cover(NULL, "a i the", docs, 4, cover), 0, "stopwords only: nothing weighed");
}

/* Every sample entry has an English version now (all 193 since the other 163
 * were written), so the fallback for an entry without one is tested on entries
 * whose English version is taken out here, as a city's FAQ without
 * translations would be: saijo-0135 (library hours) and saijo-0010 (receiving
 * the My Number Card), the two entries these tests asked about when they had none. */
static void drop_english(sqlite3 *db, const char *id) {
  char err[MG_ERRLEN] = "";
  mg_faq_entry *e = NULL;
  if (!ok(faq_get(db, id, MG_FAQ_PUBLISHED, &e, err) == 0, "%s is in the sample (%s)", id, err)) return;
  for (int i = MG_FAQ_TR_QUESTION_EN; i <= MG_FAQ_TR_ANSWER_EN; i++) {
    free(e->tr[i]);
    e->tr[i] = strdup("");
  }
  ok(faq_put(db, e, "test", 1, err) == 0, "%s published without its English version (%s)", id, err);
  faq_entry_free(e);
}

static void two_sample_entries_lose_their_english(void) {
  drop_english(bot_worker_db(w), "saijo-0135");
  drop_english(bot_worker_db(w), "saijo-0010");
}

/* Ask as a resident who chose lang; the answer object (caller decrefs). */
static json_t *ask(const char *text, int lang) {
  char err[MG_ERRLEN];
  json_t *a = NULL;
  if (bot_answer_lang(w, text, (int)strlen(text), lang, 0, &a, err) != 0) diag("ask %s: %s", text, err);
  return a;
}

static void english_question_is_answered_in_english_or_with_an_english_line(void) {
  json_t *a;

  a = ask("how do i put out big garbage like sofa", BOT_LANG_JA);
  is_str(jstr(a, "lang"), "en", "English question, entry with an English version (saijo-0057): answered in English");
  ok(strstr(jstr(a, "answer"), "Large items") != NULL, "... its English answer (%s)", jstr(a, "faq_id"));
  ok(strstr(jstr(a, "english"), "0897-00-0131") != NULL, "... and an English line with the department's number");
  json_decref(a);

  a = ask("library opening hours", BOT_LANG_JA);
  is_str(jstr(a, "faq_id"), "saijo-0135", "English question, entry without an English version (library hours)");
  is_str(jstr(a, "lang"), "ja", "... answered in Japanese");
  ok(strstr(jstr(a, "english"), "in Japanese") && strstr(jstr(a, "english"), "0897-00-0215"),
     "... with an English line saying so and the library's number (%s)", jstr(a, "english"));
  json_decref(a);

  a = ask("my number card", BOT_LANG_JA);
  {
    json_t *c;
    size_t i;
    int en = 0, ja = 0;
    json_array_foreach(json_object_get(a, "candidates"), i, c) {
      const char *q = jstr(c, "question");
      if (!strcmp(jstr(c, "faq_id"), "saijo-0009")) en += strncmp(q, "How do I apply", 14) == 0;
      if (!strcmp(jstr(c, "faq_id"), "saijo-0010")) ja += strstr(q, "受け取り") != NULL;
    }
    is_str(jstr(a, "decision"), "clarify", "a short English question: choices");
    ok(en == 1 && ja == 1, "... each choice in English where the entry has that version, else in Japanese");
  }
  json_decref(a);
}

/* The engine unsure between its own candidates, the English index's best
 * its first: both readings agree, and that one answers. */
static void english_answers_where_both_readings_agree(void) {
  char err[MG_ERRLEN];
  json_t *a = NULL, *pick;
  const char *q = "my number card application how";
  if (!ok(bot_answer_lang(w, q, (int)strlen(q), BOT_LANG_JA, 1, &a, err) == 0, "ask (%s)", err)) return;
  pick = json_object_get(json_object_get(a, "explain"), "english_pick");
  is_str(jstr(a, "decision"), "answer", "the applying entry is answered, not offered among the other My Number entries");
  is_str(jstr(a, "faq_id"), "saijo-0009", "... the one both readings put first");
  ok(json_is_true(json_object_get(pick, "agreed")), "... as agreed (explain.english_pick.agreed)");
  json_decref(a);
}

/* Romaji the table does not know meets the entry through the readings of
 * the index, long vowels left out (shomeisho is 証明書's ショウメイショ). */
static void romaji_without_long_vowels_meets_the_readings(void) {
  json_t *a = ask("where can i get kazei shomeisho", BOT_LANG_JA);
  is_str(jstr(a, "faq_id"), "saijo-0034", "kazei shomeisho is the tax certificate (%s)", jstr(a, "decision"));
  is_str(jstr(a, "lang"), "en", "... answered in English");
  json_decref(a);
}

/* English words inside a Japanese question are read through the table
 * too: the engine meets 避難所 and 水道料金, and the reply stays Japanese. */
static void english_words_in_a_japanese_question_meet_their_terms(void) {
  json_t *a = ask("evacuation shelter はどこ？", BOT_LANG_JA);
  const char *first = jstr(json_array_get(json_object_get(a, "candidates"), 0), "faq_id");
  is_str(first, "saijo-0112", "evacuation shelter: the shelters' entry first (%s)", jstr(a, "decision"));
  ok(strcmp(jstr(a, "decision"), "no_answer") != 0, "... offered, not left unanswered");
  json_decref(a);
  a = ask("water bill の支払い方法", BOT_LANG_JA);
  first = jstr(json_array_get(json_object_get(a, "candidates"), 0), "faq_id");
  is_str(first, "saijo-0123", "water bill: paying the water charge first (%s)", jstr(a, "decision"));
  ok(strcmp(jstr(a, "decision"), "no_answer") != 0, "... offered, not left unanswered");
  json_decref(a);
}

static void easy_japanese_is_answered_where_the_entry_has_it(void) {
  json_t *a;

  a = ask("粗大ごみはどうやって出せばいいですか", BOT_LANG_EASY);
  is_str(jstr(a, "lang"), "easy", "やさしい日本語 chosen, entry with an easy version: easy answer");
  ok(strstr(jstr(a, "answer"), "そだいごみ") != NULL, "... its text");
  ok(!json_object_get(a, "english"), "... and no English line");
  json_decref(a);

  a = ask("図書館の利用カードを作りたい", BOT_LANG_EASY);
  is_str(jstr(a, "lang"), "ja", "やさしい日本語 chosen, entry without: the normal answer");
  json_decref(a);

  a = ask("粗大ごみはどうやって出せばいいですか", BOT_LANG_JA);
  is_str(jstr(a, "lang"), "ja", "Japanese chosen: Japanese, translations or not");
  json_decref(a);
}

static void emergency_card_speaks_the_residents_language(void) {
  json_t *a;

  a = ask("help my house is on fire", BOT_LANG_JA);
  ok(strcmp(jstr(json_object_get(a, "rule"), "kind"), "emergency") == 0 && strstr(jstr(a, "answer"), "call 119"),
     "an English emergency gets the card in English naming 119 (%s)", jstr(a, "answer"));
  json_decref(a);

  a = ask("家が火事です助けて", BOT_LANG_EASY);
  ok(strstr(jstr(a, "answer"), "119") && strstr(jstr(a, "answer"), "でんわ"), "the card in やさしい日本語 names 119 (%s)",
     jstr(a, "answer"));
  json_decref(a);

  a = ask("子どもが親に殴られていて危ない", BOT_LANG_EN);
  ok(strstr(jstr(a, "answer"), "189") && strstr(jstr(a, "answer"), "child guidance"),
     "English chosen, a Japanese message about a child in danger: the English card names 189 (%s)", jstr(a, "answer"));
  json_decref(a);
}

int main(void) {
  bot *b = NULL;
  char dir[64], err[MG_ERRLEN] = "";

  RUN(language_is_parsed_and_wanted_as_the_resident_chose);
  RUN(pick_gives_the_version_there_else_japanese);
  RUN(english_fts_query_keeps_topic_words_only);
  RUN(english_cover_weighs_the_words_that_tell_entries_apart);
  RUN(english_query_spells_romaji_as_the_index_reads_it);
  if (!test_tmpdir(dir, sizeof dir, "t_lang")) return 1;
  test_config(&cfg, dir);
  RUN(messages_exist_per_language_and_a_missing_key_is_refused);
  if (!ok(bot_new(&b, &cfg, err) == 0, "bot with the sample FAQ (%s)", err) || !ok(bot_worker_new(&w, b, err) == 0, "worker (%s)", err))
    return done_testing();
  RUN(two_sample_entries_lose_their_english);
  RUN(english_question_is_answered_in_english_or_with_an_english_line);
  RUN(english_answers_where_both_readings_agree);
  RUN(romaji_without_long_vowels_meets_the_readings);
  RUN(english_words_in_a_japanese_question_meet_their_terms);
  RUN(easy_japanese_is_answered_where_the_entry_has_it);
  RUN(emergency_card_speaks_the_residents_language);
  RUN(translations_are_kept_with_revisions_and_exported);
  RUN(english_index_follows_what_is_published);
  bot_worker_free(w);
  bot_free(b);
  {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) diag("could not remove %s", dir);
  }
  return done_testing();
}
