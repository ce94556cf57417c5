/* Life-event checklists (bot/checklist.h): the condition grammar on a
 * table of its own, then every event of dict/life_events.json under every
 * combination of answers against the sample FAQ — the procedures listed
 * must be exactly those the table below expects (written independently of
 * the grammar: one row per way a procedure applies, "k=v&k=v"). Partial
 * answers (each question also left unanswered) are checked the same way,
 * with UNKNOWN where a needed question is open. */
#include "bot/answer.h"
#include "bot/checklist.h"
#include "bot/published.h"
#include "util/mg_err.h"
#include "tests/tap.h"
#include "tests/testenv.h"

#include <stdlib.h>
#include <string.h>

/* ---- the grammar ---------------------------------------------------------- */

static const struct { const char *cond, *answers; int want; } EVAL[] = {
  { "", "", BOT_CL_YES },
  { NULL, NULL, BOT_CL_YES },
  { "car", "car:yes", BOT_CL_YES },
  { "car", "car:no", BOT_CL_NO },
  { "car", "", BOT_CL_UNKNOWN },
  { "car", "cart:yes,ca:yes", BOT_CL_UNKNOWN },
  { "!car", "car:no", BOT_CL_YES },
  { "!car", "car:yes", BOT_CL_NO },
  { "! car", "car:no", BOT_CL_YES },
  { "ins=nhi", "car:yes,ins:nhi", BOT_CL_YES },
  { "ins=nhi", "ins:employer", BOT_CL_NO },
  { "!ins=nhi", "ins:employer", BOT_CL_YES },
  { "car and ins=nhi", "ins:nhi,car:yes", BOT_CL_YES },
  { "car and ins=nhi", "ins:nhi,car:no", BOT_CL_NO },
  { "car and ins=nhi", "ins:nhi", BOT_CL_UNKNOWN },
  { "car and ins=nhi", "car:no", BOT_CL_NO },   /* one false term decides, open or not */
  { "  car   and  !dog ", "car:yes,dog:no", BOT_CL_YES },
  { "d_ins = late", "d_ins:late", BOT_CL_YES },
};

static const char *const BAD[] = { "Car", "car or dog", "car and", "=yes", "car=", "a and b and c and d and e",
                                   "car=ja\xe3\x81\x82", "car;dog", "and car" };

static void conditions_evaluate_and_bad_ones_are_refused(void) {
  char err[MG_ERRLEN];
  bot_cl_term t[BOT_CL_MAX_TERMS];
  for (size_t i = 0; i < sizeof EVAL / sizeof EVAL[0]; i++) {
    int n = bot_cl_cond_parse(EVAL[i].cond, t, BOT_CL_MAX_TERMS, err);
    ok(n >= 0 && bot_cl_cond_eval(t, n, EVAL[i].answers) == EVAL[i].want, "「%s」 under 「%s」 → %d",
       EVAL[i].cond ? EVAL[i].cond : "(null)", EVAL[i].answers ? EVAL[i].answers : "(null)", EVAL[i].want);
  }
  for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++)
    ok(bot_cl_cond_parse(BAD[i], t, BOT_CL_MAX_TERMS, err) == MG_EINVAL && strstr(err, "条件"),
       "「%s」 is refused: %s", BAD[i], err);
}

static void lines_split_at_if_and_any_matching_line_applies(void) {
  char err[MG_ERRLEN], name[BOT_CL_NAME], attr[128];
  const char *cond;
  bot_cl_term t[BOT_CL_MAX_TERMS];
  {
    int rc = bot_cl_line("転入 if car and !dog", name, sizeof name, &cond);
    ok(rc == 0 && strcmp(name, "転入") == 0 && strcmp(cond, " car and !dog") == 0, "a line splits at if: 「%s」「%s」",
       name, cond);
    rc = bot_cl_line("  65歳  ", name, sizeof name, &cond);
    ok(rc == 0 && strcmp(name, "65歳") == 0 && !cond, "a line without a condition: 「%s」", name);
  }
  ok(bot_cl_line("   ", name, sizeof name, &cond) == MG_EINVAL, "an empty line is refused");
  ok(bot_cl_line("verify if car", name, sizeof name, &cond) == 0 && strcmp(name, "verify") == 0, "if only as a word");
  is_int(bot_cl_applies("転入 if car\n転入 if dog\n転出", "転入", "car:no,dog:yes"), BOT_CL_YES, "two lines: either");
  is_int(bot_cl_applies("転入 if car\n転入 if dog", "転入", "car:no"), BOT_CL_UNKNOWN, "either, one still open");
  is_int(bot_cl_applies("転入 if car\n転入 if dog", "転入", "car:no,dog:no"), BOT_CL_NO, "neither");
  is_int(bot_cl_applies("転出", "転入", ""), -1, "another event's line does not count");
  is_int(bot_cl_applies("転入 if car or dog", "転入", "car:yes"), -1, "a line that does not parse is skipped");
  {
    int n = bot_cl_cond_parse("car and !ins=nhi", t, BOT_CL_MAX_TERMS, err);
    bot_cl_terms_attr(t, n, attr, sizeof attr);
    is_str(attr, "car=yes ins!=nhi", "the terms as the page's script reads them");
  }
}

/* ---- every event, every combination ---------------------------------------- */

static const struct { const char *slug, *id, *need; } WANT[] = {
  { "tennyu", "saijo-0015", "" }, { "tennyu", "saijo-0121", "" }, { "tennyu", "saijo-0056", "" },
  { "tennyu", "saijo-0042", "ins=nhi" }, { "tennyu", "saijo-0075", "children=yes" },
  { "tennyu", "saijo-0077", "children=yes" }, { "tennyu", "saijo-0170", "children=yes" },
  { "tennyu", "saijo-0184", "car=yes" }, { "tennyu", "saijo-0067", "dog=yes" },
  { "tenshutsu", "saijo-0016", "" }, { "tenshutsu", "saijo-0122", "" }, { "tenshutsu", "saijo-0060", "" },
  { "tenshutsu", "saijo-0185", "ins=nhi" }, { "tenshutsu", "saijo-0170", "children=yes" },
  { "tenshutsu", "saijo-0067", "dog=yes" },
  { "tenkyo", "saijo-0017", "" }, { "tenkyo", "saijo-0121", "" }, { "tenkyo", "saijo-0122", "" },
  { "tenkyo", "saijo-0060", "" }, { "tenkyo", "saijo-0170", "children=yes" }, { "tenkyo", "saijo-0184", "car=yes" },
  { "tenkyo", "saijo-0067", "dog=yes" },
  { "shussei", "saijo-0021", "" }, { "shussei", "saijo-0075", "" }, { "shussei", "saijo-0077", "" },
  { "shussei", "saijo-0091", "" }, { "shussei", "saijo-0092", "" }, { "shussei", "saijo-0053", "ins=nhi" },
  { "shussei", "saijo-0186", "ins=nhi" },
  { "okuyami", "saijo-0022", "" }, { "okuyami", "saijo-0180", "" }, { "okuyami", "saijo-0023", "" },
  { "okuyami", "saijo-0054", "d_ins=nhi" }, { "okuyami", "saijo-0187", "d_ins=late" },
  { "okuyami", "saijo-0188", "d_pension=yes" }, { "okuyami", "saijo-0189", "d_care=yes" },
  { "okuyami", "saijo-0031", "car=yes" }, { "okuyami", "saijo-0067", "dog=yes" },
  { "konin", "saijo-0019", "" }, { "konin", "saijo-0017", "move=yes" }, { "konin", "saijo-0190", "rename=yes" },
  { "konin", "saijo-0190", "move=yes" }, { "konin", "saijo-0191", "ins=nhi" }, { "konin", "saijo-0006", "rename=yes" },
  { "konin", "saijo-0184", "car=yes&move=yes" },
  { "rikon", "saijo-0020", "" }, { "rikon", "saijo-0075", "children=yes" }, { "rikon", "saijo-0077", "children=yes" },
  { "rikon", "saijo-0079", "children=yes" }, { "rikon", "saijo-0190", "rename=yes" },
  { "rikon", "saijo-0191", "ins=nhi" }, { "rikon", "saijo-0006", "rename=yes" },
  { "shugaku", "saijo-0169", "" }, { "shugaku", "saijo-0192", "" }, { "shugaku", "saijo-0171", "" },
  { "shugaku", "saijo-0080", "after_school=yes" }, { "shugaku", "saijo-0170", "moving=yes" },
  { "65sai", "saijo-0101", "" }, { "65sai", "saijo-0100", "" }, { "65sai", "saijo-0093", "" },
  { "65sai", "saijo-0102", "" }, { "65sai", "saijo-0051", "pension=no" }, { "65sai", "saijo-0193", "ins=nhi" },
  { "65sai", "saijo-0182", "car=yes" },
};
#define N_WANT (sizeof WANT / sizeof WANT[0])

/* The expectation for row i under answers: YES, NO or UNKNOWN, by plain
 * string comparison ("k=v" must appear as "k:v" among the answers). */
static int row_state(const char *need, const char *answers) {
  char buf[128], *save = NULL;
  int unknown = 0;
  snprintf(buf, sizeof buf, "%s", need);
  for (char *t = strtok_r(buf, "&", &save); t; t = strtok_r(NULL, "&", &save)) {
    char *eq = strchr(t, '='), key[40], pair[80];
    *eq = '\0';
    snprintf(key, sizeof key, ",%s:", t);
    snprintf(pair, sizeof pair, ",%s:%s,", t, eq + 1);
    char wrapped[256];
    snprintf(wrapped, sizeof wrapped, ",%s,", answers);
    if (!strstr(wrapped, key)) unknown = 1;
    else if (!strstr(wrapped, pair)) return BOT_CL_NO;
  }
  return unknown ? BOT_CL_UNKNOWN : BOT_CL_YES;
}

/* The expected list "id:state id:state …" for slug under answers. */
static void expected(const char *slug, const char *answers, char *out, size_t size) {
  size_t w = 0;
  out[0] = '\0';
  /* WANT is not sorted by id: collect states per id, then write in id order */
  const char *ids[32];
  int st[32], n = 0;
  for (size_t i = 0; i < N_WANT; i++) {
    if (strcmp(WANT[i].slug, slug)) continue;
    int s = row_state(WANT[i].need, answers), k;
    for (k = 0; k < n && strcmp(ids[k], WANT[i].id); k++) {}
    if (k == n) ids[n] = WANT[i].id, st[n++] = s;
    else if (s == BOT_CL_YES || (s == BOT_CL_UNKNOWN && st[k] == BOT_CL_NO)) st[k] = s;
  }
  for (int pass = 0; pass < n; pass++) { /* selection by id */
    int m = -1;
    for (int k = 0; k < n; k++)
      if (ids[k] && (m < 0 || strcmp(ids[k], ids[m]) < 0)) m = k;
    if (st[m] != BOT_CL_NO) w += (size_t)snprintf(out + w, size - w, "%s:%d ", ids[m], st[m]);
    ids[m] = NULL;
  }
}

struct got { char s[1024]; size_t w; };
static int collect(void *ctx, const bot_cl_item *it) {
  struct got *g = ctx;
  g->w += (size_t)snprintf(g->s + g->w, sizeof g->s - g->w, "%s:%d ", it->e->id, it->applies);
  return 0;
}

/* Every combination of ev's answers; with partial, each question may also
 * be unanswered. Full combinations get one test each; partial ones are
 * counted and reported in one. */
/* The fixture: the shipped life events and a bot on the sample FAQ. */
static bot_checklists *cl;
static sqlite3 *db;

static void check_combinations(const bot_cl_event *ev, int partial) {
  int digit[BOT_CL_MAX_QS] = { 0 }, combos = 0, bad = 0;
  char err[MG_ERRLEN], answers[256], want[1024], first_bad[1400] = "";
  for (;;) {
    size_t w = 0;
    struct got g = { .w = 0 };
    answers[0] = '\0';
    for (int q = 0; q < ev->nq; q++)
      if (digit[q] < ev->q[q]->nopt)
        w += (size_t)snprintf(answers + w, sizeof answers - w, "%s%s:%s", w ? "," : "", ev->q[q]->id,
                              ev->q[q]->opt[digit[q]].value);
    g.s[0] = '\0';
    int rc = bot_cl_procedures(db, ev, answers, collect, &g, err);
    expected(ev->slug, answers, want, sizeof want);
    combos++;
    if (!partial) ok(rc == 0 && strcmp(g.s, want) == 0, "%s 「%s」: %s", ev->slug, answers, g.s);
    else if (rc || strcmp(g.s, want)) {
      if (!bad++) snprintf(first_bad, sizeof first_bad, "「%s」 got %s want %s", answers, g.s, want);
    }
    int q = 0; /* next combination (mixed radix; nopt+1 includes "unanswered") */
    for (; q < ev->nq; q++) {
      if (++digit[q] < ev->q[q]->nopt + partial) break;
      digit[q] = 0;
    }
    if (q == ev->nq) break;
  }
  if (partial) ok(bad == 0, "%s: %d combinations with open questions, %d wrong %s", ev->slug, combos, bad, first_bad);
}

/* What the sample promises: every event has 4–10 procedures, each entry's
 * life_events passes the console's check, every WANT row's entry exists. */
static int count_one(void *ctx, const bot_cl_item *it) { (void)it; ++*(int *)ctx; return 0; }
static int check_one(void *ctx, const mg_faq_entry *e) {
  char err[MG_ERRLEN];
  if (e->life_events && *e->life_events && bot_cl_check(ctx, e->life_events, err) != 0) {
    diag("%s: %s", e->id, err);
    return 1;
  }
  return 0;
}

static void sample_entries_life_events_pass_the_check(void) {
  char err[MG_ERRLEN] = "";
  mg_faq_filter all = { .published_text = 1 };
  is_int(bot_checklists_count(cl), 9, "nine life events");
  is_int(faq_list(db, &all, check_one, cl, err), 0, "every sample entry's life_events passes the check");
}

static void check_refuses_unknown_questions_answers_and_events(void) {
  char err[MG_ERRLEN] = "";
  ok(bot_cl_check(cl, "転入 if horse", err) == MG_EINVAL && strstr(err, "horse"), "an unknown question: %s", err);
  ok(bot_cl_check(cl, "転入 if ins=private", err) == MG_EINVAL && strstr(err, "private"), "an unknown answer: %s", err);
  ok(bot_cl_check(cl, "引越し", err) == MG_EINVAL && strstr(err, "引越し"), "an unknown event: %s", err);
  ok(bot_cl_check(cl, "転入\n\n死亡 if d_ins=late and car", err) == 0, "blank lines and two events (%s)", err);
}

static void every_answer_combination_gives_the_promised_procedures(void) {
  char err[MG_ERRLEN] = "";
  for (int i = 0; i < bot_checklists_count(cl); i++) {
    const bot_cl_event *ev = bot_checklists_event(cl, i);
    int n = 0;
    bot_cl_procedures(db, ev, NULL, count_one, &n, err);
    ok(n >= 4 && n <= 10, "%s (%s): %d procedures without answers", ev->slug, ev->name, n);
    check_combinations(ev, 0);
    check_combinations(ev, 1);
  }
}

static void conditions_read_in_words(void) {
  char err[MG_ERRLEN] = "";
  {
    const bot_cl_event *ev = bot_checklists_find(cl, "tennyu");
    bot_cl_term t[BOT_CL_MAX_TERMS];
    char words[256];
    int n = bot_cl_cond_parse("car and !ins=nhi", t, BOT_CL_MAX_TERMS, err);
    bot_cl_words(ev, t, n, words, sizeof words);
    is_str(words, "車・バイクをお持ちの方、かつ勤務先の健康保険の方", "a condition in words");
    n = bot_cl_cond_parse("!children", t, BOT_CL_MAX_TERMS, err);
    bot_cl_words(ev, t, n, words, sizeof words);
    is_str(words, "中学生までのお子さんがいない方", "a negated yes/no reads as its other option");
    ok(!bot_checklists_find(cl, "nothing") && bot_checklists_find(cl, "okuyami"), "events by slug");
  }
}

static void chat_reply_carries_url_questions_and_conditioned_items(void) {
  char err[MG_ERRLEN] = "";
  {
    const bot_cl_event *ev = bot_checklists_find(cl, "tennyu");
    bot_pub *pub = NULL;
    json_t *r = bot_pub_load(db, 0, &pub, err) == 0 ? bot_cl_reply(pub, ev, "https://faq.example/sub/", err) : NULL;
    bot_pub_free(pub);
    ok(r && strcmp(json_string_value(json_object_get(r, "url")), "https://faq.example/sub/faq/checklists/tennyu") == 0 &&
       json_array_size(json_object_get(r, "questions")) == 4 && json_array_size(json_object_get(r, "items")) == 9,
       "the chat's reply: url, 4 questions, 9 items");
    {
      size_t i;
      json_t *it;
      int found = 0;
      json_array_foreach(json_object_get(r, "items"), i, it)
        if (strcmp(json_string_value(json_object_get(it, "faq_id")), "saijo-0184") == 0)
          found = strcmp(json_string_value(json_object_get(it, "if")), "car=yes") == 0 &&
                  strcmp(json_string_value(json_object_get(it, "who")), "車・バイクをお持ちの方") == 0;
      ok(found, "an item carries its condition as terms and in words");
    }
    json_decref(r);
  }
}

int main(void) {
  char tmpl[] = "/tmp/mg-checklist-XXXXXX", err[MG_ERRLEN] = "", path[MG_PATHLEN + 32];
  mg_config cfg;
  bot *b = NULL;
  bot_worker *w = NULL;

  RUN(conditions_evaluate_and_bad_ones_are_refused);
  RUN(lines_split_at_if_and_any_matching_line_applies);
  if (!mkdtemp(tmpl)) return 1;
  test_config(&cfg, tmpl);
  snprintf(path, sizeof path, "%s/life_events.json", cfg.dict_dir);
  if (!ok(bot_checklists_load(&cl, path, NULL, err) == 0, "dict/life_events.json loads (%s)", err) ||
      !ok(bot_new(&b, &cfg, err) == 0 && bot_worker_new(&w, b, err) == 0, "bot on the sample FAQ (%s)", err))
    return done_testing();
  db = bot_worker_db(w);
  RUN(sample_entries_life_events_pass_the_check);
  RUN(check_refuses_unknown_questions_answers_and_events);
  RUN(every_answer_combination_gives_the_promised_procedures);
  RUN(conditions_read_in_words);
  RUN(chat_reply_carries_url_questions_and_conditioned_items);
  bot_checklists_free(cl);
  bot_worker_free(w);
  bot_free(b);
  {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpl);
    if (system(cmd) != 0) diag("could not remove %s", tmpl);
  }
  return done_testing();
}
