/*
 * t_rules.c — intent rules: the shipped dict/rules.json against every case in
 * tests/data/rules_cases.tsv (one test point per line), the loader's behaviour
 * on a small file written here (order, kinds, caseless, threads), and each
 * kind of broken rules file with its error message.
 *
 * Case texts go through NFKC + case folding first, as faq_normalize does for
 * the answer pipeline, so the cases may be written the way residents type.
 */
#include "bot/rules.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>

#include "util/mg_err.h"
#include "tests/tap.h"
#include "tests/testenv.h"

static char tmp_path[] = "/tmp/t_rules_XXXXXX";

static const char *write_tmp(const char *text) { return test_write_tmp(tmp_path, text); }

static char *normalize(const char *s) {
  return (char *)utf8proc_NFKC_Casefold((const utf8proc_uint8_t *)s);
}

/* The rule name text matches, or "-" for none. */
static const char *match_name(const rules_set *s, const char *text) {
  static char name[128];
  rules_hit hit;
  char *n = normalize(text);
  int rc;
  if (!n)
    return "(normalisation failed)";
  rc = bot_rules_match(s, n, strlen(n), &hit);
  free(n);
  if (rc < 0)
    return "(error)";
  snprintf(name, sizeof name, "%s", rc == 1 ? hit.name : "-");
  return name;
}

static void shipped_rules_give_each_listed_case_its_rule(void) {
  char path[1024], line[2048], err[MG_ERRLEN] = "";
  const char *dict = getenv("MG_DICT_DIR"), *top = getenv("top_srcdir");
  rules_set *s = NULL;
  FILE *f;
  int lineno = 0, cases = 0;

  snprintf(path, sizeof path, "%s/rules.json", dict ? dict : "dict");
  if (!ok(bot_rules_load(&s, path, err) == 0, "shipped rules load: %s", err[0] ? err : path))
    return;
  ok(bot_rules_count(s) >= 8, "shipped rules: %d rules", bot_rules_count(s));

  snprintf(path, sizeof path, "%s/tests/data/rules_cases.tsv", top ? top : ".");
  if (!ok((f = fopen(path, "r")) != NULL, "open %s", path)) {
    bot_rules_free(s);
    return;
  }
  while (fgets(line, sizeof line, f)) {
    char *tab, *text;
    lineno++;
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '#' || line[0] == '\0')
      continue;
    if (!(tab = strchr(line, '\t'))) {
      ok(0, "rules_cases.tsv:%d has a TAB", lineno);
      continue;
    }
    *tab = '\0';
    text = tab + 1;
    is_str(match_name(s, text), line, "rules_cases.tsv:%d 「%s」 → %s", lineno, text, line);
    cases++;
  }
  fclose(f);
  ok(cases >= 20, "rules_cases.tsv has %d cases", cases);
  bot_rules_free(s);
}

static const char *small_rules =
  "{\"version\":1,\"rules\":[\n"
  " {\"name\":\"emergency_fire\",\"kind\":\"emergency\",\"patterns\":[\"火事\",\"燃えて(い)?る\"],\n"
  "  \"reply\":\"119番へ\",\"comment\":\"first: beats every other rule\"},\n"
  " {\"name\":\"hours\",\"kind\":\"hours\",\"patterns\":[\"(何時|なんじ)まで\",\"open\"],\"reply\":\"{next_open}\"},\n"
  " {\"name\":\"juminhyo\",\"kind\":\"faq\",\"patterns\":[\"住民票\"],\"faq_id\":\"saijo-0001\"},\n"
  " {\"name\":\"greeting\",\"kind\":\"greeting\",\"patterns\":[\"^こんにちは\"],\"reply\":\"こんにちは。\"}\n"
  "]}\n";

struct thread_arg {
  const rules_set *s;
  int wrong;
};

static void *match_many(void *p) {
  struct thread_arg *a = p;
  static const char *const texts[] = { "家が火事です", "住民票がほしい", "こんにちは", "ありがとう" };
  static const char *const want[] = { "emergency_fire", "juminhyo", "greeting", NULL };
  for (int i = 0; i < 20000; i++) {
    rules_hit hit;
    const char *t = texts[i % 4];
    int rc = bot_rules_match(a->s, t, strlen(t), &hit);
    if (want[i % 4] ? rc != 1 || strcmp(hit.name, want[i % 4]) : rc != 0)
      a->wrong++;
  }
  return NULL;
}

/* the small rules file, loaded by small_rules_load */
static rules_set *small;

static void small_rules_load(void) {
  char err[MG_ERRLEN] = "";
  if (!ok(bot_rules_load(&small, write_tmp(small_rules), err) == 0, "small rules load: %s", err))
    return;
  is_int(bot_rules_count(small), 4, "four rules");
}

static void first_matching_rule_in_file_order_wins(void) {
  rules_set *s = small;
  is_str(match_name(s, "住民票の窓口は火事で燃えている"), "emergency_fire", "the first rule in file order wins");
  is_str(match_name(s, "住民票は何時まで取れますか"), "hours", "an earlier rule beats a later faq rule");
  is_str(match_name(s, "OPEN"), "hours", "patterns are caseless");
  is_str(match_name(s, "よろしく、こんにちは"), "-", "anchors work: ^ needs the start");
  is_str(match_name(s, "ごみの出し方"), "-", "no rule: no match");
}

static void hit_carries_kind_faq_id_and_reply(void) {
  rules_set *s = small;
  rules_hit hit;
  const char *t;
  t = "住民票がほしい";
  if (ok(bot_rules_match(s, t, strlen(t), &hit) == 1, "faq rule matches")) {
    is_str(hit.kind, "faq", "faq rule kind");
    is_str(hit.faq_id, "saijo-0001", "faq rule carries its faq_id");
    ok(hit.reply == NULL, "faq rule without reply has reply NULL");
  }
  t = "家が燃えてる";
  if (ok(bot_rules_match(s, t, strlen(t), &hit) == 1, "second pattern of a rule matches")) {
    is_str(hit.reply, "119番へ", "reply text returned");
    ok(hit.faq_id == NULL, "non-faq rule has faq_id NULL");
  }
}

/* "firm": true reaches the hit (a referral that stands over an FAQ answer); absent, it is 0 */
static void firm_referral_is_carried(void) {
  char err[MG_ERRLEN] = "";
  rules_set *s = NULL;
  rules_hit hit;
  const char *t;
  if (!ok(bot_rules_load(&s, write_tmp("{\"version\":1,\"rules\":["
                                        "{\"name\":\"tax\",\"kind\":\"referral\",\"firm\":true,\"patterns\":[\"控除\"],\"reply\":\"税務署へ\"},"
                                        "{\"name\":\"post\",\"kind\":\"referral\",\"patterns\":[\"郵便局\"],\"reply\":\"郵便局へ\"}]}"),
                         err) == 0, "firm rules load: %s", err))
    return;
  t = "医療費控除の書き方";
  if (ok(bot_rules_match(s, t, strlen(t), &hit) == 1, "firm rule matches")) ok(hit.firm == 1, "firm rule: hit.firm is 1");
  t = "郵便局の場所";
  if (ok(bot_rules_match(s, t, strlen(t), &hit) == 1, "plain referral matches")) ok(hit.firm == 0, "plain referral: hit.firm is 0");
  bot_rules_free(s);
}

static void invalid_utf8_is_refused_and_len_honoured(void) {
  rules_set *s = small;
  rules_hit hit;
  is_int(bot_rules_match(s, "\xe7\x81\xab\xff", 4, &hit), MG_EBADUTF8, "invalid UTF-8 is refused, not matched");
  is_int(bot_rules_match(s, "火事です", 6, &hit), 1, "6 bytes = 火事: matches");
  is_int(bot_rules_match(s, "火事です", 3, &hit), 0, "len is honoured: 3 bytes = 火 alone does not match 火事");
}

static void threads_matching_one_set_agree(void) {
  rules_set *s = small;
  pthread_t th[4];
  struct thread_arg args[4];
  int wrong = 0;
  for (int i = 0; i < 4; i++) {
    args[i] = (struct thread_arg){ s, 0 };
    pthread_create(&th[i], NULL, match_many, &args[i]);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(th[i], NULL);
    wrong += args[i].wrong;
  }
  is_int(wrong, 0, "4 threads × 20000 matches on one set agree with the single-thread result");
}

/* A broken file fails with code and a message containing each of want[]. */
static void bad_file(const char *what, const char *text, int code, const char *const *want) {
  char err[MG_ERRLEN] = "";
  rules_set *s = (rules_set *)1;
  int rc = bot_rules_load(&s, write_tmp(text), err);
  is_int(rc, code, "%s: fails with %s", what, mg_err_code(code));
  ok(s == NULL, "%s: *out is NULL", what);
  for (; *want; want++)
    if (!ok(strstr(err, *want) != NULL, "%s: message has \"%s\"", what, *want))
      diag("message: %s", err);
}

#define RULE(extra) "{\"version\":1,\"rules\":[{\"name\":\"ok_rule\",\"kind\":\"thanks\",\"patterns\":[\"ありがと\"]," \
  "\"reply\":\"どういたしまして\"}," extra "]}"

static void broken_file_fails_naming_the_rule_and_the_place(void) {
  char err[MG_ERRLEN] = "";
  rules_set *s = NULL;

  bad_file("bad pattern", RULE("{\"name\":\"broken\",\"kind\":\"greeting\",\"patterns\":[\"ok\",\"(abc\"],\"reply\":\"x\"}"),
           MG_ECONFIG, (const char *[]){ tmp_path, "rule broken, pattern 2: offset 4:", "missing closing parenthesis", NULL });
  bad_file("bad pattern mid-way", RULE("{\"name\":\"star\",\"kind\":\"greeting\",\"patterns\":[\"火事|*x\"],\"reply\":\"x\"}"),
           MG_ECONFIG, (const char *[]){ "rule star, pattern 1: offset 7:", "quantifier does not follow", NULL });
  bad_file("not JSON", "{\"version\":1,\"rules\":[\n{\"name\":\"a\",}\n]}", MG_EBADJSON,
           (const char *[]){ tmp_path, ":2:", NULL });
  bad_file("unknown kind", RULE("{\"name\":\"weird\",\"kind\":\"emergancy\",\"patterns\":[\"x\"],\"reply\":\"x\"}"),
           MG_ECONFIG, (const char *[]){ "rule weird: unknown kind \"emergancy\"", NULL });
  bad_file("missing reply", RULE("{\"name\":\"mute\",\"kind\":\"greeting\",\"patterns\":[\"x\"]}"),
           MG_ECONFIG, (const char *[]){ "rule mute: missing \"reply\"", NULL });
  bad_file("duplicate name", RULE("{\"name\":\"ok_rule\",\"kind\":\"greeting\",\"patterns\":[\"x\"],\"reply\":\"x\"}"),
           MG_ECONFIG, (const char *[]){ "rule ok_rule: duplicate name (also rule #1)", NULL });
  bad_file("faq without faq_id", RULE("{\"name\":\"f\",\"kind\":\"faq\",\"patterns\":[\"x\"],\"reply\":\"x\"}"),
           MG_ECONFIG, (const char *[]){ "rule f: kind faq needs \"faq_id\"", NULL });
  bad_file("typo in a key", RULE("{\"name\":\"t\",\"kind\":\"greeting\",\"pattern\":[\"x\"],\"reply\":\"x\"}"),
           MG_ECONFIG, (const char *[]){ "rule t: unknown key \"pattern\"", NULL });
  bad_file("firm greeting", RULE("{\"name\":\"g\",\"kind\":\"greeting\",\"firm\":true,\"patterns\":[\"x\"],\"reply\":\"x\"}"),
           MG_ECONFIG, (const char *[]){ "rule g: \"firm\" is for kinds referral and smalltalk", NULL });
  bad_file("firm not a boolean", RULE("{\"name\":\"f\",\"kind\":\"referral\",\"firm\":1,\"patterns\":[\"x\"],\"reply\":\"x\"}"),
           MG_ECONFIG, (const char *[]){ "rule f: \"firm\" is true or false", NULL });
  bad_file("empty patterns", RULE("{\"name\":\"e\",\"kind\":\"greeting\",\"patterns\":[],\"reply\":\"x\"}"),
           MG_ECONFIG, (const char *[]){ "rule e: \"patterns\" must be a non-empty array", NULL });
  bad_file("full-width digits", RULE("{\"name\":\"fw\",\"kind\":\"emergency\",\"patterns\":[\"１１９\"],\"reply\":\"x\"}"),
           MG_ECONFIG, (const char *[]){ "rule fw, pattern 1: not NFKC-normalised", NULL });
  bad_file("wrong version", "{\"version\":2,\"rules\":[]}", MG_ECONFIG, (const char *[]){ "\"version\" must be 1", NULL });
  bad_file("duplicate key", "{\"version\":1,\"version\":1,\"rules\":[]}", MG_EBADJSON,
           (const char *[]){ "duplicate object key", NULL });

  is_int(bot_rules_load(&s, "/nonexistent/rules.json", err), MG_EIO, "missing file: MG_EIO");
  ok(strstr(err, "/nonexistent/rules.json") != NULL, "missing file: message names it (%s)", err);
}

int main(void) {
  RUN(small_rules_load);
  if (small) {
    RUN(first_matching_rule_in_file_order_wins);
    RUN(hit_carries_kind_faq_id_and_reply);
    RUN(firm_referral_is_carried);
    RUN(invalid_utf8_is_refused_and_len_honoured);
    RUN(threads_matching_one_set_agree);
    bot_rules_free(small);
  }
  RUN(broken_file_fails_naming_the_rule_and_the_place);
  RUN(shipped_rules_give_each_listed_case_its_rule);
  unlink(tmp_path);
  return done_testing();
}
