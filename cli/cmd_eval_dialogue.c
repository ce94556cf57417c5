/*
 * cmd_eval_dialogue.c — `madoguchi eval --dialogue FILE…`: the whole
 * conversation pipeline scored the way a resident meets it.
 *
 * Each message gets a fresh session (hello, then ask) through
 * dialogue_handle, the function the WebSocket adapter calls, on a bot built
 * from the configured FAQ in a private temporary database — so rules, the
 * safety layer, intents, the engine and the scope decision all take part,
 * and the reply is the server→client message of docs/protocol.md.
 *
 * Files (JSON; lists optional, several files merged):
 *   {"in_scope": [{"id", "text", "accept": [..]}], "out_of_scope": [{"id", "text"}],
 *    "emergency": [{"id", "text", "expect": "119"|"110"|"189"|"556"|"none"}],
 *    "ask_person": [{"id", "text"}],
 *    "english": [{"id", "text", "department", "faq_id"}]}
 * (keys starting with "_" are comments).
 * Scoring:
 *   in_scope      an `answer` whose entry's question or answer contains one of
 *                 accept, or a `clarify` offering such an entry;
 *   out_of_scope  no FAQ entry offered (no answer with faq_id, no clarify);
 *   emergency N   "card": an `answer` with rule.kind emergency naming N;
 *                 "any": that, or a `safety` object naming N;
 *                 "none": neither a card nor a `safety` object;
 *   ask_person    rule.kind handoff, or offer_escalation true;
 *   english       an `answer` in English with the right department: its text
 *                 from the entry's English version (lang "en"), or the
 *                 Japanese answer with the English line naming the department
 *                 and its number; department.id must be the item's
 *                 (docs/languages.md). Counted apart: the English version
 *                 itself shown (lang "en", the item's faq_id).
 * "Names N": N as a whole number, not after '#' (#7119 does not name 119),
 * and the crisis line 0570-064-556 by its last digits (556).
 * The last line of the output is one JSON object; --require NAME=MIN makes
 * the command exit 1 when a measure is below its floor. The time of each
 * `ask` (the pipeline and its transcript write) is measured.
 */
#include "cli/cmd.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bot/answer.h"
#include "bot/dialogue.h"
#include "util/mg_err.h"
#include "util/mg_json.h"
#include "util/mg_utf8.h"
#include "faq/store.h"

enum cat { C_IN, C_OUT, C_EMERGENCY, C_PERSON, C_ENGLISH, C_NCAT };
static const char *const cat_key[C_NCAT] = { "in_scope", "out_of_scope", "emergency", "ask_person", "english" };

/* The measures, in the order of the table and the JSON line. */
enum measure { M_IN, M_HIRA, M_EN, M_OUT, M_ANY, M_CARD, M_119, M_110, M_189, M_556, M_NONE, M_PERSON,
               M_EN_REPLY, M_EN_VERSION, M_COUNT };
static const char *const m_key[M_COUNT] = { "in_scope", "hiragana", "english", "out_of_scope", "emergency_any",
                                            "emergency_card", "e119", "e110", "e189", "e556", "mention_ok",
                                            "ask_person", "english_reply", "english_version" };
static const char *const m_label[M_COUNT] = {
  "in-scope question offered the right topic", "  of which hiragana-only", "  of which English",
  "out-of-scope question refused", "real emergency: right number in card or note",
  "real emergency: right number in the card itself", "  119", "  110", "  189", "  crisis line (556)",
  "danger mention not alarmed", "request for a person offered a person",
  "English question: English reply, right department", "  of which the entry's English version" };

struct tally { int pass[M_COUNT], total[M_COUNT]; };

/* 1 when s names the number n (see the file comment). */
static int names(const char *s, const char *n) {
  size_t nl = strlen(n);
  for (const char *p = s; s && (p = strstr(p, n)) != NULL; p++) {
    char before = p > s ? p[-1] : ' ', after = p[nl];
    if (after >= '0' && after <= '9') continue;
    if (before == '#' || (before >= '0' && before <= '9')) continue;
    if (before == '-' && strcmp(n, "556") != 0) continue;
    return 1;
  }
  return 0;
}

/* No kanji, katakana (but ー) or Latin letters: hiragana with punctuation,
 * spaces and digits. */
static int hiragana_only(const char *t) {
  size_t n = strlen(t);
  int hira = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)t[i];
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return 0;
  }
  if (mg_utf8_has_kanji(t, n)) return 0;
  for (size_t i = 0; i + 2 < n; i++) {
    const unsigned char *u = (const unsigned char *)t + i;
    if (mg_utf8_is_kata(t, n, i) && !(u[1] == 0x83 && u[2] == 0xBC)) return 0;
    if (u[0] == 0xE3 && ((u[1] == 0x81 && u[2] >= 0x81) || (u[1] == 0x82 && u[2] <= 0x96))) hira++;
  }
  return hira > 0;
}

/* Letters mostly Latin, no kana or kanji. */
static int english(const char *t) {
  int latin = 0, other = 0;
  for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
    if (*p >= 0x80) other++;
    else if ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') latin++;
  }
  return latin >= 4 && other <= 8;
}

/* The faq_ids the reply offers: the answer's, the clarify's choices, or
 * the procedures a checklist lists. */
static int offered(const json_t *r, const char **ids, int max) {
  const char *type = json_string_value(json_object_get(r, "type"));
  int n = 0;
  if (!type) return 0;
  if (!strcmp(type, "answer") && json_is_string(json_object_get(r, "faq_id")))
    ids[n++] = json_string_value(json_object_get(r, "faq_id"));
  if (!strcmp(type, "clarify") || !strcmp(type, "checklist")) {
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(r, !strcmp(type, "clarify") ? "choices" : "items"), i, c) {
      if (n < max && json_is_string(json_object_get(c, "faq_id"))) ids[n++] = json_string_value(json_object_get(c, "faq_id"));
    }
  }
  return n;
}

static int accepted(sqlite3 *db, const char *faq_id, const json_t *accept) {
  mg_faq_entry *e = NULL;
  char err[MG_ERRLEN];
  size_t i;
  json_t *a;
  int ok = 0;
  if (faq_get(db, faq_id, MG_FAQ_PUBLISHED, &e, err) != 0) return 0;
  json_array_foreach(accept, i, a) {
    const char *s = json_string_value(a);
    if (s && *s && ((e->question && strstr(e->question, s)) || (e->answer && strstr(e->answer, s)))) ok = 1;
  }
  faq_entry_free(e);
  return ok;
}

static const char *rule_kind(const json_t *r) {
  return json_string_value(json_object_get(json_object_get(r, "rule"), "kind"));
}

/* What the reply was, for --misses. */
static void describe(const json_t *r, char *buf, size_t cap) {
  const char *ids[16], *type = json_string_value(json_object_get(r, "type"));
  int n = offered(r, ids, 16);
  size_t o = (size_t)snprintf(buf, cap, "%s", type ? type : "?");
  if (json_object_get(r, "rule") && o < cap)
    o += (size_t)snprintf(buf + o, cap - o, " rule=%s/%s",
                          json_string_value(json_object_get(json_object_get(r, "rule"), "name")), rule_kind(r));
  for (int i = 0; i < n && o < cap; i++) o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? "," : " faq=", ids[i]);
  if (json_object_get(r, "safety") && o < cap) {
    char *s = json_dumps(json_object_get(json_object_get(r, "safety"), "numbers"), JSON_COMPACT);
    snprintf(buf + o, cap - o, " safety=%s", s ? s : "?");
    free(s);
  }
}

/* Check every item of every file before anything runs. */
static int check_files(json_t *const *files, const char *const *paths, int nfiles, char *err) {
  for (int f = 0; f < nfiles; f++) {
    const char *key;
    json_t *list;
    if (!json_is_object(files[f])) return mg_errf(err, MG_EINVAL, "%s: expected a JSON object", paths[f]);
    json_object_foreach(files[f], key, list) {
      size_t i;
      json_t *it;
      int c = -1;
      if (key[0] == '_') continue; /* a comment */
      for (int k = 0; k < C_NCAT; k++)
        if (!strcmp(key, cat_key[k])) c = k;
      if (c < 0)
        return mg_errf(err, MG_EINVAL,
                       "%s: unknown list \"%.40s\" (in_scope, out_of_scope, emergency, ask_person, english)", paths[f], key);
      if (!json_is_array(list)) return mg_errf(err, MG_EINVAL, "%s: %s is not a list", paths[f], key);
      json_array_foreach(list, i, it) {
        const char *id = json_string_value(json_object_get(it, "id")), *text = json_string_value(json_object_get(it, "text"));
        json_t *acc = json_object_get(it, "accept");
        const char *exp = json_string_value(json_object_get(it, "expect"));
        if (!id || !*id || !text || !*text)
          return mg_errf(err, MG_EINVAL, "%s: %s[%zu]: needs a non-empty \"id\" and \"text\"", paths[f], key, i);
        if (c == C_ENGLISH && !json_is_string(json_object_get(it, "department")))
          return mg_errf(err, MG_EINVAL, "%s: %s: \"department\" must name the department", paths[f], id);
        if (c == C_IN && (!json_is_array(acc) || json_array_size(acc) == 0))
          return mg_errf(err, MG_EINVAL, "%s: %s: \"accept\" must list at least one string", paths[f], id);
        if (c == C_EMERGENCY && (!exp || (strcmp(exp, "119") && strcmp(exp, "110") && strcmp(exp, "189") &&
                                          strcmp(exp, "556") && strcmp(exp, "none"))))
          return mg_errf(err, MG_EINVAL, "%s: %s: \"expect\" must be 119, 110, 189, 556 or none", paths[f], id);
      }
    }
  }
  return 0;
}

/* hello + ask on a fresh connection; the reply to ask into *reply (owned by
 * *out, which the caller frees). *pipe_us is the time of the answer
 * pipeline alone (bot_answer: analysis, safety, intents, rules, engine,
 * scope) and *pipe_cpu its CPU time, *us that of the whole ask (the pipeline again, the transcript
 * written, the reply built); a one-character question between the two
 * keeps the second from reusing the first's MeCab parse. */
static int ask_fresh(bot_worker *w, const char *id, const char *text, json_t **out, const json_t **reply, double *us,
                     double *pipe_us, double *pipe_cpu, char *err) {
  dlg_conn conn = { "", "127.0.0.1", 0 };
  json_t *hello = json_pack("{s:s}", "type", "hello");
  json_t *ask = json_pack("{s:s, s:s, s:s}", "type", "ask", "id", id, "text", text);
  json_t *hout = NULL;
  double t0, c0;
  int rc;
  *out = NULL;
  *reply = NULL;
  if (!hello || !ask) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  if ((rc = bot_dialogue_handle(w, &conn, hello, &hout, err)) != 0) goto out;
  {
    json_t *a = NULL;
    t0 = cli_now_us();
    c0 = cli_cpu_us();
    rc = bot_answer(w, text, (int)strlen(text), 0, &a, err);
    *pipe_cpu = cli_cpu_us() - c0;
    *pipe_us = cli_now_us() - t0;
    json_decref(a);
    a = NULL;
    if (rc == 0) rc = bot_answer(w, "?", 1, 0, &a, err);
    json_decref(a);
    if (rc != 0) goto out;
  }
  t0 = cli_now_us();
  rc = bot_dialogue_handle(w, &conn, ask, out, err);
  *us = cli_now_us() - t0;
  if (rc == 0) *reply = json_array_get(*out, 0);
out:
  json_decref(hello);
  json_decref(ask);
  json_decref(hout);
  return rc;
}

static void count(struct tally *t, enum measure m, int pass) {
  t->total[m]++;
  t->pass[m] += pass != 0;
}

/* Score one reply r to item it of category c; 1 when it passes. */
static int score(struct tally *t, bot_worker *w, enum cat c, const json_t *it, const json_t *r, int misses) {
  const char *text = json_string_value(json_object_get(it, "text")), *exp = json_string_value(json_object_get(it, "expect"));
  const char *kind = rule_kind(r), *ids[16];
  const json_t *safety = json_object_get(r, "safety");
  int card = kind && !strcmp(kind, "emergency"), pass = 0, n;

  switch (c) {
  case C_IN:
    n = offered(r, ids, 16);
    for (int k = 0; k < n && !pass; k++) pass = accepted(bot_worker_db(w), ids[k], json_object_get(it, "accept"));
    count(t, M_IN, pass);
    if (hiragana_only(text)) count(t, M_HIRA, pass);
    if (english(text)) count(t, M_EN, pass);
    return pass;
  case C_OUT:
    pass = offered(r, ids, 16) == 0;
    count(t, M_OUT, pass);
    return pass;
  case C_PERSON:
    pass = (kind && !strcmp(kind, "handoff")) || json_is_true(json_object_get(r, "offer_escalation"));
    count(t, M_PERSON, pass);
    return pass;
  case C_ENGLISH: {
    const char *type = json_string_value(json_object_get(r, "type")), *lang = json_string_value(json_object_get(r, "lang"));
    const char *dept = json_string_value(json_object_get(json_object_get(r, "department"), "id"));
    const char *want = json_string_value(json_object_get(it, "department")), *faq = json_string_value(json_object_get(it, "faq_id"));
    int is_answer = type && !strcmp(type, "answer"), in_en = lang && !strcmp(lang, "en");
    pass = is_answer && (in_en || json_is_string(json_object_get(r, "english"))) && dept && !strcmp(dept, want);
    count(t, M_EN_REPLY, pass);
    if (faq) count(t, M_EN_VERSION, pass && in_en && !strcmp(faq, json_string_value(json_object_get(r, "faq_id")) ?
                                                                    json_string_value(json_object_get(r, "faq_id")) : ""));
    return pass;
  }
  case C_EMERGENCY:
  case C_NCAT:
    break;
  }
  if (!strcmp(exp, "none")) {
    pass = !card && !safety;
    count(t, M_NONE, pass);
    return pass;
  }
  {
    int in_card = card && names(json_string_value(json_object_get(r, "answer")), exp), in_note = 0;
    size_t k;
    json_t *num;
    json_array_foreach(json_object_get(safety, "numbers"), k, num) in_note |= names(json_string_value(num), exp);
    in_note |= safety && names(json_string_value(json_object_get(safety, "text")), exp);
    pass = in_card || in_note;
    count(t, M_ANY, pass);
    count(t, M_CARD, in_card);
    count(t, !strcmp(exp, "119") ? M_119 : !strcmp(exp, "110") ? M_110 : !strcmp(exp, "189") ? M_189 : M_556, pass);
    if (misses && pass && !in_card) {
      char what[512];
      describe(r, what, sizeof what);
      printf("note-only\t%s\t%s\t%s\t%s\n", json_string_value(json_object_get(it, "id")), exp, text, what);
    }
  }
  return pass;
}

/* Print the table and the JSON line; check the floors. Returns 1 when a
 * floor is not met. */
static int report(const struct tally *t, double *times, double *pipe, int ntimes, double sum, double pipe_sum, double cpu_sum,
                  const char *const *require, int nrequire) {
  json_t *line = json_object();
  double p99, mean, pp99, pmean;
  char *s;
  int failed = 0;

  for (int m = 0; m < M_COUNT; m++) {
    if (t->total[m]) printf("%-50s %.3f (%d/%d)\n", m_label[m], (double)t->pass[m] / t->total[m], t->pass[m], t->total[m]);
    json_object_set_new(line, m_key[m], t->total[m] ? json_real((double)t->pass[m] / t->total[m]) : json_null());
  }
  qsort(times, (size_t)ntimes, sizeof *times, cli_cmp_double);
  qsort(pipe, (size_t)ntimes, sizeof *pipe, cli_cmp_double);
  p99 = ntimes ? times[(int)(0.99 * (ntimes - 1))] : 0;
  mean = ntimes ? sum / ntimes : 0;
  pp99 = ntimes ? pipe[(int)(0.99 * (ntimes - 1))] : 0;
  pmean = ntimes ? pipe_sum / ntimes : 0;
  printf("pipeline: mean %.0f us (CPU %.0f us), p99 %.0f us per message (%d messages)\n", pmean,
         ntimes ? cpu_sum / ntimes : 0, pp99, ntimes);
  printf("with the transcript write and the reply: mean %.0f us, p99 %.0f us\n", mean, p99);
  json_object_set_new(line, "messages", json_integer(ntimes));
  json_object_set_new(line, "mean_us", json_real(pmean));
  json_object_set_new(line, "cpu_us", json_real(ntimes ? cpu_sum / ntimes : 0));
  json_object_set_new(line, "p99_us", json_real(pp99));
  json_object_set_new(line, "ask_mean_us", json_real(mean));
  json_object_set_new(line, "ask_p99_us", json_real(p99));
  s = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(4) | JSON_PRESERVE_ORDER);
  printf("%s\n", s ? s : "{}");
  for (int i = 0; i < nrequire; i++) {
    const char *eq = strchr(require[i], '=');
    char name[32];
    json_t *v;
    snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - require[i]) : 0, require[i]);
    v = json_object_get(line, name);
    if (eq && json_is_number(v) && json_number_value(v) < atof(eq + 1)) {
      fprintf(stderr, "eval: %s %.3f below required %s\n", name, json_number_value(v), eq + 1);
      failed = 1;
    }
  }
  free(s);
  json_decref(line);
  return failed;
}

int eval_dialogue_known(const char *name) {
  for (int m = 0; m < M_COUNT; m++)
    if (!strcmp(m_key[m], name)) return 1;
  return 0;
}

int cli_eval_bot(char *dir, mg_config *cfg, struct bot **b, struct bot_worker **w, int *made) {
  char err[MG_ERRLEN] = "";
  *made = 0;
  if (!mkdtemp(dir)) { fprintf(stderr, "madoguchi eval: cannot make a temporary directory\n"); return 1; }
  *made = 1;
  snprintf(cfg->db_path, sizeof cfg->db_path, "%s/eval.db", dir);
  if (bot_new(b, cfg, err) != 0 || bot_worker_new(w, *b, err) != 0) {
    fprintf(stderr, "madoguchi eval: %s\n", err);
    return 1;
  }
  return 0;
}

void cli_eval_bot_end(const char *dir, int made, struct bot *b, struct bot_worker *w) {
  static const char *const db_files[] = { "/eval.db", "/eval.db-wal", "/eval.db-shm" };
  bot_worker_free(w);
  bot_free(b);
  if (made) {
    char p[MG_PATHLEN];
    for (size_t i = 0; i < sizeof db_files / sizeof db_files[0]; i++) {
      snprintf(p, sizeof p, "%s%s", dir, db_files[i]);
      unlink(p);
    }
    rmdir(dir);
  }
}

int eval_dialogue(const char *const *paths, int nfiles, int misses, const char *const *require, int nrequire,
                  mg_config *cfg) {
  char dir[] = "/tmp/madoguchi-eval-XXXXXX", err[MG_ERRLEN] = "";
  json_t *files[32] = { 0 };
  bot *b = NULL;
  bot_worker *w = NULL;
  struct tally t;
  double *times = NULL, *pipe = NULL, sum = 0, pipe_sum = 0, cpu_sum = 0;
  int ntimes = 0, cap = 0, rc = 2, made = 0;

  memset(&t, 0, sizeof t);
  for (int f = 0; f < nfiles && f < 32; f++)
    if (mg_json_load(paths[f], &files[f], err) != 0) {
      fprintf(stderr, "madoguchi eval: %s\n", err);
      goto out;
    }
  if (check_files(files, paths, nfiles, err) != 0) {
    fprintf(stderr, "madoguchi eval: %s\n", err);
    goto out;
  }
  rc = 1;
  if (cli_eval_bot(dir, cfg, &b, &w, &made) != 0) goto out;
  for (int f = 0; f < nfiles; f++) {
    for (int c = 0; c < C_NCAT; c++) {
      size_t i;
      json_t *it;
      json_array_foreach(json_object_get(files[f], cat_key[c]), i, it) {
        const char *id = json_string_value(json_object_get(it, "id"));
        const json_t *r;
        json_t *out = NULL;
        double us = 0, pus = 0, pcpu = 0;
        if (ask_fresh(w, id, json_string_value(json_object_get(it, "text")), &out, &r, &us, &pus, &pcpu, err) != 0 || !r) {
          fprintf(stderr, "madoguchi eval: %s: %s\n", id, err[0] ? err : "no reply");
          json_decref(out);
          goto out;
        }
        if (ntimes == cap) {
          int ncap = cap ? cap * 2 : 1024;
          double *nt = realloc(times, (size_t)ncap * sizeof *nt), *np = nt ? realloc(pipe, (size_t)ncap * sizeof *np) : NULL;
          if (nt) times = nt;
          if (!nt || !np) { json_decref(out); fprintf(stderr, "madoguchi eval: out of memory\n"); goto out; }
          pipe = np, cap = ncap;
        }
        pipe[ntimes] = pus;
        times[ntimes++] = us;
        sum += us;
        pipe_sum += pus;
        cpu_sum += pcpu;
        int pass = score(&t, w, (enum cat)c, it, r, misses);
        if ((!pass && misses) || misses > 1) {
          char what[512];
          describe(r, what, sizeof what);
          printf("%s\t%s\t%s\t%s\t%s\t%s\n", pass ? "ok" : "miss", id, cat_key[c], c == C_EMERGENCY ? json_string_value(json_object_get(it, "expect")) : "",
                 json_string_value(json_object_get(it, "text")), what);
        }
        json_decref(out);
      }
    }
  }
  rc = report(&t, times, pipe, ntimes, sum, pipe_sum, cpu_sum, require, nrequire);
out:
  cli_eval_bot_end(dir, made, b, w);
  for (int f = 0; f < nfiles && f < 32; f++) json_decref(files[f]);
  free(times);
  free(pipe);
  return rc;
}
