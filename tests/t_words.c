/* Every word a resident reads on the public pages comes from dict/pages.json:
 * the shipped file has them all, and a copy lacking any one of the ids the
 * code uses is refused at load with the file and the id named — never an
 * empty heading at render time. */
#include "bot/checklist.h"
#include "bot/english.h"
#include "bot/lang.h"
#include "bot/messages.h"
#include "util/mg_err.h"
#include "tests/tap.h"
#include "tests/testenv.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const keys[PW_COUNT] = {
#define PW_X_KEY(id, key) key,
  PAGE_WORDS(PW_X_KEY)
#undef PW_X_KEY
};

static const char *const msg_keys[MSG_COUNT] = {
#define MSG_X_KEY(id, key) key,
  MSG_LIST(MSG_X_KEY)
#undef MSG_X_KEY
};

static void shipped_file(char *path, size_t n, const char *file) {
  const char *dict = getenv("MG_DICT_DIR");
  snprintf(path, n, "%s/%s", dict ? dict : "dict", file);
}

static void shipped_path(char *path, size_t n) { shipped_file(path, n, "pages.json"); }

/* The shipped file less key (in the language object lang, or at the top level when NULL), into tmp. */
static int write_file_without(char *tmp, const char *file, const char *lang, const char *key) {
  char path[1024];
  json_t *root;
  int fd, rc = -1;
  shipped_file(path, sizeof path, file);
  if (!(root = json_load_file(path, 0, NULL))) return -1;
  json_object_del(lang ? json_object_get(root, lang) : root, key);
  if ((fd = mkstemp(tmp)) >= 0) {
    close(fd);
    rc = json_dump_file(root, tmp, JSON_INDENT(2));
  }
  json_decref(root);
  return rc;
}

static int write_without(char *tmp, const char *lang, const char *key) { return write_file_without(tmp, "pages.json", lang, key); }

static void shipped_file_has_every_word(void) {
  char err[MG_ERRLEN] = "", path[1024];
  bot_words *w = NULL;
  int empty = 0;
  shipped_path(path, sizeof path);
  is_int(bot_words_load(&w, path, err), 0, "dict/pages.json loads (%s)", err);
  if (!w) return;
  for (int i = 0; i < PW_COUNT; i++)
    if (!bot_word(w, i) || !*bot_word(w, i)) empty++;
  is_int(empty, 0, "every one of the %d ids has a Japanese text", PW_COUNT);
  is_str(bot_word(w, PW_FAQ), "よくある質問", "the pages' name is the shipped one");
  is_str(bot_word_lang(w, PW_YES, BOT_LANG_EN), "Yes", "an entry page's word in English");
  is_str(bot_word_lang(w, PW_FAQ, BOT_LANG_EN), "よくある質問", "a word with no English text falls back to Japanese");
  bot_words_free(w);
}

static void a_missing_id_is_refused_naming_the_id_and_the_file(void) {
  int refused = 0, named = 0;
  for (int i = 0; i < PW_COUNT; i++) {
    char err[MG_ERRLEN] = "", tmp[] = "/tmp/mg-words-XXXXXX", want[80];
    bot_words *w = NULL;
    if (write_without(tmp, NULL, keys[i]) != 0) {
      ok(0, "write a copy without \"%s\"", keys[i]);
      return;
    }
    snprintf(want, sizeof want, "\"%s\"", keys[i]);
    if (bot_words_load(&w, tmp, err) == MG_ECONFIG && !w) refused++;
    else diag("a copy without \"%s\" loaded", keys[i]);
    if (strstr(err, want) && strstr(err, tmp)) named++;
    else diag("without \"%s\": %s", keys[i], err);
    bot_words_free(w);
    unlink(tmp);
  }
  is_int(refused, PW_COUNT, "a copy lacking any one of the %d ids is refused", PW_COUNT);
  is_int(named, PW_COUNT, "and the error names the id and the file");
}

static void a_missing_message_id_is_refused_naming_the_id_and_the_file(void) {
  int refused = 0, named = 0;
  for (int i = 0; i < MSG_COUNT; i++) {
    char err[MG_ERRLEN] = "", tmp[] = "/tmp/mg-words-XXXXXX", want[80];
    msg_set *m = NULL;
    if (write_file_without(tmp, "messages.json", NULL, msg_keys[i]) != 0) {
      ok(0, "write a copy of messages.json without \"%s\"", msg_keys[i]);
      return;
    }
    snprintf(want, sizeof want, "\"%s\"", msg_keys[i]);
    if (bot_msg_load(&m, tmp, err) == MG_ECONFIG && !m) refused++;
    else diag("a copy without \"%s\" loaded", msg_keys[i]);
    if (strstr(err, want) && strstr(err, tmp)) named++;
    else diag("without \"%s\": %s", msg_keys[i], err);
    bot_msg_free(m);
    unlink(tmp);
  }
  is_int(refused, MSG_COUNT, "a messages.json lacking any one of the %d ids is refused", MSG_COUNT);
  is_int(named, MSG_COUNT, "and the error names the id and the file");
}

static void weekdays_must_be_seven_words(void) {
  char err[MG_ERRLEN] = "", path[1024], tmp[] = "/tmp/mg-words-XXXXXX";
  msg_set *m = NULL;
  json_t *root;
  int fd;
  shipped_file(path, sizeof path, "messages.json");
  root = json_load_file(path, 0, NULL);
  json_object_set_new(json_object_get(root, "en"), "weekdays", json_string("Sun Mon Tue Wed Thu Fri"));
  ok((fd = mkstemp(tmp)) >= 0 && json_dump_file(root, tmp, 0) == 0, "write a copy with six English weekdays");
  if (fd >= 0) close(fd);
  json_decref(root);
  is_int(bot_msg_load(&m, tmp, err), MG_ECONFIG, "it is refused at load, not when a date is shown");
  ok(strstr(err, "weekdays") && strstr(err, "en") && strstr(err, tmp), "naming the key, the language and the file (%s)", err);
  bot_msg_free(m);
  unlink(tmp);
}

static void an_entry_word_missing_in_a_language_is_refused(void) {
  char err[MG_ERRLEN] = "", tmp[] = "/tmp/mg-words-XXXXXX";
  bot_words *w = NULL;
  ok(write_without(tmp, "easy", "helpful") == 0, "write a copy whose easy texts lack \"helpful\"");
  is_int(bot_words_load(&w, tmp, err), MG_ECONFIG, "it is refused");
  ok(strstr(err, "\"easy\" lacks \"helpful\"") && strstr(err, tmp), "naming the language, the id and the file (%s)", err);
  bot_words_free(w);
  unlink(tmp);
}

static void a_missing_file_is_refused_naming_it(void) {
  char err[MG_ERRLEN] = "";
  bot_words *w = NULL;
  is_int(bot_words_load(&w, "/nonexistent/pages.json", err), MG_ECONFIG, "a missing file is refused");
  ok(strstr(err, "/nonexistent/pages.json"), "naming the file (%s)", err);
}

static void the_citys_name_is_a_stopword_from_the_data_not_from_c(void) {
  char err[MG_ERRLEN] = "", q[256];
  const char *dict = getenv("MG_DICT_DIR");
  bot_english *e = NULL;
  if (!ok(bot_english_load(&e, dict ? dict : "dict", err) == 0, "dict/english.tsv loads (%s)", err)) return;
  is_int(bot_english_fts_query(NULL, "saijo sofa", 10, q, sizeof q), 2, "without the data, saijo is a topic word");
  is_int(bot_english_fts_query(e, "saijo sofa", 10, q, sizeof q), 1, "english.tsv's \"saijo\t-\" leaves it out (%s)", q);
  bot_english_free(e);
}

static void checklist_conditions_are_worded_by_life_events_json(void) {
  char err[MG_ERRLEN] = "", path[1024], tmp[] = "/tmp/mg-words-XXXXXX";
  const char *dict = getenv("MG_DICT_DIR");
  bot_checklists *cl = NULL;
  json_t *root;
  int fd;
  snprintf(path, sizeof path, "%s/life_events.json", dict ? dict : "dict");
  if (!ok(bot_checklists_load(&cl, path, NULL, err) == 0, "dict/life_events.json loads (%s)", err)) return;
  is_str(bot_checklists_event(cl, 0)->w_and, "、かつ", "its words join conditions");
  bot_checklists_free(cl);
  cl = NULL;
  root = json_load_file(path, 0, NULL);
  json_object_del(json_object_get(root, "words"), "other_than");
  ok((fd = mkstemp(tmp)) >= 0 && json_dump_file(root, tmp, 0) == 0, "write a copy without words.other_than");
  if (fd >= 0) close(fd);
  json_decref(root);
  is_int(bot_checklists_load(&cl, tmp, NULL, err), MG_ECONFIG, "it is refused at load");
  ok(strstr(err, "other_than") && strstr(err, tmp), "naming the word and the file (%s)", err);
  bot_checklists_free(cl);
  unlink(tmp);
}

int main(void) {
  RUN(shipped_file_has_every_word);
  RUN(a_missing_id_is_refused_naming_the_id_and_the_file);
  RUN(an_entry_word_missing_in_a_language_is_refused);
  RUN(a_missing_message_id_is_refused_naming_the_id_and_the_file);
  RUN(weekdays_must_be_seven_words);
  RUN(a_missing_file_is_refused_naming_it);
  RUN(the_citys_name_is_a_stopword_from_the_data_not_from_c);
  RUN(checklist_conditions_are_worded_by_life_events_json);
  return done_testing();
}
