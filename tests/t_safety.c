/*
 * t_safety.c — the safety layer as a table, through the whole answer
 * pipeline (bot_answer), so what is tested is what a resident gets.
 *
 * tests/data/safety_cases.tsv holds one message a line with what it must
 * get: a number the emergency card must name (119, 110, 189, 556 for the
 * crisis line), "note" (a safety note at least), or "none" (neither card nor
 * note). Each line is one test point named for its message; the summary
 * counts misses (a danger without its number) and false alarms (a harmless
 * message with a card or a note) apart, because a miss weighs more.
 *
 * A few English messages check how English terms meet a message.
 *
 * Then the loader of dict/concepts/: every kind of bad line is refused with
 * FILE:LINE, and a bad file refuses the whole set.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bot/answer.h"
#include "dict/concepts.h"
#include "util/mg_err.h"
#include "tests/tap.h"
#include "tests/testenv.h"

/* 1 when s names number n as a whole number (not "#7119" for 119). */
static int names_number(const char *s, const char *n) {
  size_t nl = strlen(n);
  for (const char *p = s; s && (p = strstr(p, n)) != NULL; p++) {
    char before = p > s ? p[-1] : ' ', after = p[nl];
    if ((before >= '0' && before <= '9') || before == '#' || before == '-' ) {
      /* 0570-064-556: the crisis line is matched by its last digits */
      if (!(before == '-' && strcmp(n, "556") == 0)) continue;
    }
    if (after >= '0' && after <= '9') continue;
    return 1;
  }
  return 0;
}

/* the worker answering with the shipped concepts and safety.json */
static bot_worker *w;

static void every_listed_message_gets_its_card_note_or_no_alarm(void) {
  char path[1024], line[4096], err[MG_ERRLEN];
  const char *top = getenv("top_srcdir");
  int lineno = 0, misses = 0, alarms = 0, dangers = 0, harmless = 0;
  FILE *f;

  snprintf(path, sizeof path, "%s/tests/data/safety_cases.tsv", top ? top : ".");
  if (!ok((f = fopen(path, "r")) != NULL, "open %s", path)) return;
  while (fgets(line, sizeof line, f)) {
    char *tab, *text;
    json_t *ans = NULL, *safety;
    const char *kind, *answer;
    int card, note, pass;

    lineno++;
    line[strcspn(line, "\n")] = '\0';
    if (line[0] == '#' || !line[0]) continue;
    if (!(tab = strchr(line, '\t'))) { ok(0, "safety_cases.tsv:%d has a TAB", lineno); continue; }
    *tab = '\0';
    text = tab + 1;
    if (bot_answer(w, text, (int)strlen(text), 0, &ans, err) != 0) { ok(0, "answer 「%s」: %s", text, err); continue; }
    kind = json_string_value(json_object_get(json_object_get(ans, "rule"), "kind"));
    answer = json_string_value(json_object_get(ans, "answer"));
    safety = json_object_get(ans, "safety");
    card = kind && strcmp(kind, "emergency") == 0;
    note = safety != NULL;
    if (strcmp(line, "none") == 0) {
      harmless++;
      pass = !card && !note;
      alarms += !pass;
      ok(pass, "harmless: 「%s」 gets no alarm", text);
      if (!pass) diag("got %s: %s", card ? "a card" : "a note", json_string_value(json_object_get(safety, "text")));
    } else if (strcmp(line, "note") == 0) {
      dangers++;
      pass = card || note;
      misses += !pass;
      ok(pass, "unsure: 「%s」 gets at least a note", text);
    } else {
      dangers++;
      pass = card && names_number(answer, line);
      misses += !pass;
      ok(pass, "danger: 「%s」 gets the card naming %s", text, line);
      if (!pass) diag("got %s%s", card ? "a card: " : note ? "a note: " : "no alarm",
                      card ? answer : note ? json_string_value(json_object_get(safety, "text")) : "");
    }
    json_decref(ans);
  }
  fclose(f);
  diag("safety table: %d dangers, %d misses; %d harmless, %d false alarms", dangers, misses, harmless, alarms);
  ok(dangers >= 120 && harmless >= 100, "the table has %d dangers and %d harmless messages", dangers, harmless);
}

/* 1 when the reply to text names 110: in its card or among its note's numbers. */
static int names_police(const char *text) {
  json_t *ans = NULL, *nums, *v;
  char err[MG_ERRLEN];
  const char *kind, *answer;
  size_t i;
  int named = 0;
  if (bot_answer(w, text, (int)strlen(text), 0, &ans, err) != 0) return -1;
  kind = json_string_value(json_object_get(json_object_get(ans, "rule"), "kind"));
  answer = json_string_value(json_object_get(ans, "answer"));
  if (kind && strcmp(kind, "emergency") == 0 && names_number(answer, "110")) named = 1;
  nums = json_object_get(json_object_get(ans, "safety"), "numbers");
  json_array_foreach(nums, i, v) named |= json_is_string(v) && strcmp(json_string_value(v), "110") == 0;
  json_decref(ans);
  return named;
}

/* A "with" group (dict/safety.json): a vehicle or a fight together with a
 * hurt person is a matter for the police as well; a partner that is itself
 * a danger word does not count when it is negated. */
static void a_crash_or_fight_with_someone_hurt_calls_the_police_too(void) {
  is_int(names_police("軽トラがひっくり返って運転手が血だらけ"), 1, "a vehicle and bleeding: 110");
  is_int(names_police("駅でけんかして一人倒れとる"), 1, "a fight and someone down: 110");
  is_int(names_police("倒木で市道がふさがってる、車は巻き込まれてない"), 0, "the hurt word negated: no 110");
  is_int(names_police("車いすの祖母が急に倒れて意識がない"), 0, "a wheelchair is not a vehicle: no 110");
}

/* The fail-safe note (danger "unsure"): a person in trouble told now, in
 * words no danger lists, gets a note — never the card — naming every line;
 * told in the past, or with a consultation asked for, it gets nothing. */
static void trouble_told_now_gets_a_note_with_every_line(void) {
  static const char *const every[] = { "119", "110", "189", "0570-064-556" };
  json_t *ans = NULL, *safety, *nums;
  char err[MG_ERRLEN];
  const char *kind;
  if (!ok(bot_answer(w, "祖母の顔色が悪くて震えよる", (int)strlen("祖母の顔色が悪くて震えよる"), 0, &ans, err) == 0, "answer (%s)", err))
    return;
  safety = json_object_get(ans, "safety");
  kind = json_string_value(json_object_get(json_object_get(ans, "rule"), "kind"));
  ok(!(kind && strcmp(kind, "emergency") == 0), "no card");
  is_str(json_string_value(json_object_get(safety, "level")), "note", "a note");
  is_str(json_string_value(json_object_get(safety, "danger")), "unsure", "the fail-safe's");
  nums = json_object_get(safety, "numbers");
  is_int((int)json_array_size(nums), 4, "four numbers");
  for (size_t i = 0; i < 4; i++) {
    int have = 0;
    for (size_t k = 0; k < json_array_size(nums); k++)
      have |= strcmp(json_string_value(json_array_get(nums, k)), every[i]) == 0;
    ok(have, "names %s", every[i]);
  }
  json_decref(ans);
  static const char *const quiet[] = {
    "祖母の顔色が悪くて震えよった けど今は元気",          /* over */
    "祖母の様子がずっと変 相談したい",                    /* a consultation asked for (without it: the note) */
  };
  for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++) {
    if (bot_answer(w, quiet[i], (int)strlen(quiet[i]), 0, &ans, err) != 0) { ok(0, "answer (%s)", err); continue; }
    ok(json_object_get(ans, "safety") == NULL, "「%s」: no note", quiet[i]);
    json_decref(ans);
  }
}

/* English terms: their words keep their order, an apostrophe (' or ’) is a
 * word of its own, and a term of an "@inside" file is not found inside other
 * words. Each message gets the card naming want, or no alarm ("none"). */
static void english_terms_match_whole_words_in_order(void) {
  static const char *const cases[][2] = {
    { "i can't breathe", "119" },
    { "i can\xE2\x80\x99t breathe", "119" },                 /* a phone's apostrophe */
    { "i cant breathe", "119" },
    { "i don\xE2\x80\x99t want to live anymore", "556" },
    { "i came home to see my grandpa dying, he collapsed", "119" }, /* not "dying to see" */
    { "he refused to be quiet and is hitting me", "110" },         /* not "used to be" */
    { "how do i dispose of an old fire extinguisher", "none" },
    { "i do not want to live in this apartment anymore", "none" },
  };
  char err[MG_ERRLEN];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *text = cases[i][0], *want = cases[i][1];
    json_t *ans = NULL;
    if (bot_answer(w, text, (int)strlen(text), 0, &ans, err) != 0) { ok(0, "answer \"%s\": %s", text, err); continue; }
    const char *kind = json_string_value(json_object_get(json_object_get(ans, "rule"), "kind"));
    const char *answer = json_string_value(json_object_get(ans, "answer"));
    int card = kind && strcmp(kind, "emergency") == 0, note = json_object_get(ans, "safety") != NULL;
    if (strcmp(want, "none") == 0) ok(!card && !note, "English: \"%s\" gets no alarm", text);
    else ok(card && names_number(answer, want), "English: \"%s\" gets the card naming %s", text, want);
    json_decref(ans);
  }
}

/* ---- the concept loader ---------------------------------------------------- */

static char dir[] = "/tmp/t_safety_XXXXXX";

static void put(const char *name, const char *text) {
  char path[256];
  FILE *f;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if ((f = fopen(path, "w"))) {
    fputs(text, f);
    fclose(f);
  }
}

static void clear_dir(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -f %s/*.txt %s/*.TXT", dir, dir);
  if (system(cmd) != 0) diag("could not clear %s", dir);
}

static void refused(const char *what, const char *file, const char *text, const char *want) {
  dict_concepts *set = NULL;
  char err[MG_ERRLEN] = "";
  int rc;
  clear_dir();
  put("good.txt", "火事\n");
  put(file, text);
  rc = dict_concepts_load(&set, dir, err);
  ok(rc == MG_ECONFIG && set == NULL && strstr(err, want), "concepts: %s is refused (%s)", what, err);
  dict_concepts_free(set);
}

static void good_concept_set_loads_sorted_with_line_numbers(void) {
  dict_concepts *set = NULL;
  char err[MG_ERRLEN] = "";
  int i;

  clear_dir();
  put("fire.txt", "\xEF\xBB\xBF# a comment line\n火事   # trailing comment\n\n\xE3\x80\x80燃えている\xE3\x80\x80\n-燃えるごみ\n");
  put("b_side.txt", "煙\n");
  ok(dict_concepts_load(&set, dir, err) == 0, "concepts: a good set loads (%s)", err);
  if (set) {
    is_int(set->n, 2, "concepts: two files, two concepts");
    is_str(set->c[0].name, "b_side", "concepts: sorted by name");
    i = dict_concepts_find(set, "fire");
    ok(i == 1 && set->c[i].nterms == 3, "concepts: BOM, comments, blank lines and full-width spaces are skipped");
    ok(i == 1 && strcmp(set->c[i].terms[1].text, "燃えている") == 0 && set->c[i].terms[1].line == 4,
       "concepts: a term keeps its line number");
    ok(i == 1 && set->c[i].terms[2].exclude && strcmp(set->c[i].terms[2].text, "燃えるごみ") == 0,
       "concepts: '-' marks a look-alike");
    is_int(dict_concepts_find(set, "water"), -1, "concepts: an unknown name is -1");
  }
  dict_concepts_free(set);
}

static void malformed_concept_file_is_refused_naming_file_and_line(void) {
  refused("invalid UTF-8", "bad.txt", "ok\n\xff\xfe\n", "bad.txt:2: not valid UTF-8");
  refused("a control character", "bad.txt", "ok\nx\x01y\n", "bad.txt:2: control character");
  refused("a '-' without a term", "bad.txt", "ok\n-  \n", "bad.txt:2: '-' without a term");
  refused("a duplicate term", "bad.txt", "火事\n火災\n火事\n", "bad.txt:3: \"火事\" is already on line 1");
  refused("a file with only look-alikes", "bad.txt", "# nothing\n-燃えるごみ\n", "bad.txt: no term");
  refused("a bad file name", "Bad-Name.txt", "x\n", "Bad-Name.txt: a concept file is named");
  refused("a term that is too long", "bad.txt",
          "ok\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
          "bad.txt:2: term longer than");
}

static void empty_or_missing_concept_directory_is_refused(void) {
  dict_concepts *set = NULL;
  char err[MG_ERRLEN] = "";
  clear_dir();
  ok(dict_concepts_load(&set, dir, err) == MG_ECONFIG && strstr(err, "no concept files"), "concepts: an empty directory is refused (%s)", err);
  ok(dict_concepts_load(&set, "/nonexistent/concepts", err) == MG_EIO, "concepts: a missing directory is MG_EIO (%s)", err);
}

int main(void) {
  char tmp[] = "/tmp/t_safety_db_XXXXXX", err[MG_ERRLEN] = "";
  mg_config cfg;
  bot *b = NULL;

  if (ok(mkdtemp(dir) != NULL, "temp dir")) {
    RUN(good_concept_set_loads_sorted_with_line_numbers);
    RUN(malformed_concept_file_is_refused_naming_file_and_line);
    RUN(empty_or_missing_concept_directory_is_refused);
    rmdir(dir);
  }
  if (!ok(mkdtemp(tmp) != NULL, "temp dir")) return done_testing();
  test_config(&cfg, tmp);
  if (ok(bot_new(&b, &cfg, err) == 0, "bot loads with the shipped concepts and dict/safety.json (%s)", err) &&
      ok(bot_worker_new(&w, b, err) == 0, "worker (%s)", err)) {
    RUN(every_listed_message_gets_its_card_note_or_no_alarm);
    RUN(english_terms_match_whole_words_in_order);
    RUN(a_crash_or_fight_with_someone_hurt_calls_the_police_too);
    RUN(trouble_told_now_gets_a_note_with_every_line);
  }
  bot_worker_free(w);
  bot_free(b);
  {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    if (system(cmd) != 0) diag("could not remove %s", tmp);
  }
  return done_testing();
}
