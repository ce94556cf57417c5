/*
 * cmd_eval.c — `madoguchi eval`: measure answer accuracy and cost.
 *
 * Two modes, both on a private in-memory database so nothing touches the
 * city's file:
 *
 *   Retrieval (BEIR-style JSON, e.g. shared/bench/localgovfaq):
 *     eval --corpus C --queries Q --qrels R [--k 10]
 *   The corpus entries ("Question: … Answer: …") become published FAQ
 *   entries (question and answer split, answer text as given: cutting the
 *   trailing "【関連するＦＡＱ】" lists, --clean-answers, measured worse —
 *   the related questions are useful vocabulary; the same lists also
 *   become each entry's related entries, see related_from_answer), every query is
 *   answered by the engine, and hit@1/3/10, recall@10 and MRR@10 are
 *   computed over relevance grades ≥ 1. A table goes to stdout; the LAST
 *   line is one JSON object with exactly the keys queries, hit@1, hit@3,
 *   hit@10, recall@10, mrr@10, p50_ms, p99_ms. The mean cost per question
 *   (µs) is in the table. City staff can run it on their own logged
 *   questions in the same format.
 *
 *   Conversations (cli/cmd_eval_dialogue.c; the whole pipeline, as /ws):
 *     eval --dialogue FILE [--dialogue FILE …] [--misses | --every] [--require NAME=MIN …]
 *
 *   Decisions (the sample FAQ and the question sets under tests/data):
 *     eval --inscope FILE --outscope FILE [--split tune|report|all]
 *   Loads cfg->sample_path, answers each question and reports how often an
 *   in-scope paraphrase gets answer/clarify with its entry offered, and how
 *   often an out-of-scope question gets no_answer — the figures the
 *   thresholds in mg_config are set from (tune half) and reported on
 *   (report half). --sweep prints those rates over a grid of thresholds.
 *
 * --param NAME=VALUE (repeatable) overrides a ranking parameter, for
 * experiments recorded in docs/accuracy.md; --misses prints the queries
 * whose relevant entries were not in the top k.
 */
#include "cli/cmd.h"
#include "faq/analyze.h"
#include "bot/tables.h"
#include "faq/db.h"
#include "faq/engine.h"
#include "faq/io.h"
#include "faq/learn.h"
#include "bot/mask.h"
#include "util/mg_err.h"
#include "bot/rules.h"
#include "faq/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PARAMS 32

struct opts {
  const char *corpus, *queries, *qrels, *inscope, *outscope, *split;
  const char *learn_queries, *learn_qrels; /* the learning log: fed through the candidate → accepted path */
  int k, misses, sweep, clean_answers, dump, no_rules;
  const char *param_name[MAX_PARAMS];
  double param_value[MAX_PARAMS];
  int nparams;
  const char *inquiries;       /* eval --inquiries FILE */
  const char *dialogue[32];
  int ndialogue;
  const char *require[16];
  int nrequire;
};

double cli_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

double cli_cpu_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int cli_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Cut a scraped answer's boilerplate: the related-FAQ list and <改> marks. */
static void clean_answer(char *a) {
  static const char *const cut[] = { "【関連するＦＡＱ】", "【関連するFAQ】" };
  static const char *const drop[] = { "＜改＞", "<改>" };
  for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
    char *p = strstr(a, cut[i]);
    if (p) *p = '\0';
  }
  for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++) {
    size_t n = strlen(drop[i]);
    for (char *p; (p = strstr(a, drop[i]));) memmove(p, p + n, strlen(p + n) + 1);
  }
}

/* ---- related entries from the scraped answers ------------------------------- */

/* The benchmark's answers end with the city site's own related-FAQ list,
 * "【関連するＦＡＱ】。title。title。＜改＞。【お問い合わせ】…", whose titles
 * are other entries' questions. Converting that list into each entry's
 * related ids (faq_revision.related) is a conversion of the benchmark's
 * format into ours — what a city's staff would enter in 関連FAQ — not a
 * rule for any query: a title is matched to the corpus questions exactly,
 * after normalisation (faq_normalize, trailing 。．？！ dropped); a title
 * with a 。 of its own is tried as up to three joined segments. Titles
 * that match no question are dropped (counted on stderr). */
struct corpus_entry { const char *id; char *q, *a, *norm; int nlen; };

/* Normalised question for matching, into a new string (*n its length). */
static char *title_key(const char *s, size_t len, int *n) {
  char *k = faq_normalize(s, (int)len, n);
  if (!k) return NULL;
  for (;;) {
    while (*n > 0 && strchr(" \t\r\n.?!", k[*n - 1])) (*n)--;
    if (*n >= 3 && (!memcmp(k + *n - 3, "。", 3) || !memcmp(k + *n - 3, "．", 3) || !memcmp(k + *n - 3, "？", 3) ||
                    !memcmp(k + *n - 3, "！", 3)))
      *n -= 3;
    else break;
  }
  size_t lead = strspn(k, " \t\r\n");
  memmove(k, k + lead, (size_t)*n - lead);
  *n -= (int)lead;
  k[*n] = '\0';
  return k;
}

/* Related ids of entry self from its raw answer a into e->related (new
 * strings); *titles and *matched count the list's titles. */
static int related_from_answer(const struct corpus_entry *all, int n, int self, mg_faq_entry *e, int *titles,
                               int *matched) {
  static const char *const marks[] = { "【関連するＦＡＱ】", "【関連するFAQ】" };
  static const char *const stops[] = { "＜改＞", "<改>", "【" };
  const char *a = all[self].a, *p = NULL, *end;
  const char *seg[64];
  int segl[64], ns = 0;
  for (size_t i = 0; !p && i < sizeof marks / sizeof marks[0]; i++)
    if ((p = strstr(a, marks[i]))) p += strlen(marks[i]);
  if (!p) return 0;
  end = p + strlen(p);
  for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
    const char *x = strstr(p, stops[i]);
    if (x && x < end) end = x;
  }
  while (p < end && ns < 64) { /* segments between 。 */
    const char *dot = strstr(p, "。");
    const char *stop = dot && dot < end ? dot : end;
    const char *b = p;
    while (b < stop && (*b == ' ' || *b == '\n')) b++;
    if (stop > b) seg[ns] = b, segl[ns++] = (int)(stop - b);
    p = stop == end ? end : stop + 3;
  }
  for (int i = 0; i < ns;) {
    int used = 0;
    (*titles)++;
    for (int L = 1; L <= 3 && i + L <= ns && !used; L++) {
      int kl;
      char *k = title_key(seg[i], (size_t)(seg[i + L - 1] + segl[i + L - 1] - seg[i]), &kl);
      if (!k) return MG_ENOMEM;
      for (int j = 0; j < n; j++) {
        if (all[j].nlen != kl || memcmp(all[j].norm, k, (size_t)kl) != 0) continue;
        used = L;
        if (j == self) continue;
        int dup = 0;
        for (int r = 0; r < e->n_related && !dup; r++) dup = !strcmp(e->related[r], all[j].id);
        if (dup) continue;
        char **nr = realloc(e->related, (size_t)(e->n_related + 1) * sizeof *nr);
        if (!nr) { free(k); return MG_ENOMEM; }
        e->related = nr;
        if (!(e->related[e->n_related] = strdup(all[j].id))) { free(k); return MG_ENOMEM; }
        e->n_related++;
      }
      free(k);
    }
    if (used) (*matched)++;
    i += used ? used : 1;
  }
  return 0;
}

/* Load BEIR corpus JSON into db as published entries (ext_id = corpus id),
 * with related entries from each answer's related-FAQ list (above). */
static int load_corpus(sqlite3 *db, const char *path, int clean, char *err) {
  json_error_t je;
  json_t *root = json_load_file(path, 0, &je), *v;
  struct corpus_entry *all = NULL;
  const char *id;
  int rc = 0, n = 0, titles = 0, matched = 0, linked = 0;
  if (!root) return mg_errf(err, MG_EIO, "%s:%d: %s", path, je.line, je.text);
  if (!json_is_object(root)) { rc = mg_errf(err, MG_EINVAL, "%s: expected a JSON object", path); goto out; }
  if (!(all = calloc(json_object_size(root) + 1, sizeof *all))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  json_object_foreach(root, id, v) {
    const char *text = json_string_value(v), *qa, *an;
    struct corpus_entry *c = &all[n];
    if (!text) { rc = mg_errf(err, MG_EINVAL, "%s: entry %s is not a string", path, id); goto out; }
    qa = strstr(text, "Question:");
    an = strstr(text, "Answer:");
    c->id = id;
    if (qa && an && an > qa) {
      qa += strlen("Question:");
      c->q = strndup(qa, (size_t)(an - qa));
      c->a = strdup(an + strlen("Answer:"));
    } else {
      c->q = strdup(text);
      c->a = strdup(text);
    }
    n++;
    if (!c->q || !c->a || !(c->norm = title_key(c->q, strlen(c->q), &c->nlen))) {
      rc = mg_errf(err, MG_ENOMEM, "out of memory");
      goto out;
    }
  }
  if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) { rc = mg_errf(err, MG_EDB, "%s", sqlite3_errmsg(db)); goto out; }
  for (int i = 0; i < n && rc == 0; i++) {
    mg_faq_entry e;
    memset(&e, 0, sizeof e);
    if ((rc = related_from_answer(all, n, i, &e, &titles, &matched))) {
      mg_errf(err, rc, "out of memory");
    } else {
      if (clean) clean_answer(all[i].a);
      e.id = (char *)all[i].id;
      e.question = all[i].q;
      e.answer = all[i].a[strspn(all[i].a, " \n")] ? all[i].a : all[i].q;
      linked += e.n_related > 0;
      rc = faq_put(db, &e, "eval", 1, err);
    }
    faq_strv_free(e.related, e.n_related);
  }
  if (sqlite3_exec(db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL) != SQLITE_OK && !rc)
    rc = mg_errf(err, MG_EDB, "%s", sqlite3_errmsg(db));
  if (rc == 0)
    fprintf(stderr, "related entries: %d of %d listed titles matched a question; %d entries have related ones\n",
            matched, titles, linked);
out:
  for (int i = 0; i < n; i++) free(all[i].q), free(all[i].a), free(all[i].norm);
  free(all);
  json_decref(root);
  return rc;
}

static int setup(const mg_config *cfg, const struct opts *o, mg_lang **lang, mg_analyzer **an, sqlite3 **db,
                 int retrieval, double *load_ms, char *err) {
  int rc;
  double t0;
  if ((rc = faq_lang_new(lang, cfg, err))) return rc;
  if ((rc = faq_analyzer_new(an, *lang, err))) return rc;
  if ((rc = bot_db_open_memory(db, *lang, err))) return rc;
  t0 = cli_now_us();
  if (retrieval) rc = load_corpus(*db, o->corpus, o->clean_answers, err);
  else {
    mg_io_report rep;
    memset(&rep, 0, sizeof rep);
    rc = faq_io_import(*db, cfg->sample_path, NULL, &rep, err);
    if (rc && rep.n_errors) mg_errf(err, rc, "%s", rep.errors[0]);
  }
  *load_ms = (cli_now_us() - t0) / 1000;
  return rc;
}

static double build_cpu_ms;

static int new_engine(mg_engine **eng, mg_lang *lang, sqlite3 *db, const mg_config *cfg, const struct opts *o,
                      double *build_ms, char *err) {
  double t0 = cli_now_us(), c0 = cli_cpu_us();
  int rc = faq_engine_new(eng, lang, db, cfg, err);
  *build_ms = (cli_now_us() - t0) / 1000;
  build_cpu_ms = (cli_cpu_us() - c0) / 1000;
  for (int i = 0; !rc && i < o->nparams; i++) rc = faq_engine_set_param(*eng, o->param_name[i], o->param_value[i], err);
  return rc;
}

/* ---- the learning log --------------------------------------------------------- */

/* Feed the log the way the product learns (faq/learn.h): each logged
 * question, masked, becomes a candidate phrasing of every entry it ended on
 * (relevance >= 1), from a session of its own, and is accepted as staff
 * would accept it. Returns 0 with the counts, or MG_E*. */
static int learn_log(sqlite3 *db, const char *qpath, const char *rpath, int *noted, int *accepted, char *err) {
  json_error_t je;
  json_t *q = json_load_file(qpath, 0, &je), *r = NULL, *qv, *rel, *g;
  const char *qid, *did;
  int rc = 0;
  *noted = *accepted = 0;
  if (!q || !json_is_object(q)) { rc = mg_errf(err, MG_EIO, "%s:%d: %s", qpath, je.line, q ? "expected an object" : je.text); goto out; }
  if (!(r = json_load_file(rpath, 0, &je)) || !json_is_object(r)) {
    rc = mg_errf(err, MG_EIO, "%s:%d: %s", rpath, je.line, r ? "expected an object" : je.text);
    goto out;
  }
  json_object_foreach(q, qid, qv) {
    const char *text = json_string_value(qv);
    char ref[64], *masked;
    if (!text || !(rel = json_object_get(r, qid)) || !json_is_object(rel)) continue;
    if (!(masked = bot_mask_text(text, strlen(text)))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
    snprintf(ref, sizeof ref, "eval-%s", qid);
    json_object_foreach(rel, did, g) {
      sqlite3_int64 cid = 0;
      int n = 0;
      if (json_integer_value(g) < 1) continue;
      rc = faq_learn_note(db, did, masked, ref, ref, "eval", &cid, &n, err);
      if (rc == MG_ENOTFOUND) { rc = 0; continue; } /* an entry the corpus lacks */
      if (rc) break;
      *noted += n;
      if (n && (rc = faq_learn_accept(db, cid, "eval", err)) == MG_ECONFLICT) rc = 0; /* the same text twice */
      else if (n && rc == 0) (*accepted)++;
      if (rc) break;
    }
    free(masked);
    if (rc) goto out;
  }
out:
  json_decref(q);
  json_decref(r);
  return rc;
}

/* ---- retrieval benchmark ---------------------------------------------------- */

static int run_retrieval(const mg_config *cfg, const struct opts *o) {
  char err[MG_ERRLEN] = "";
  mg_lang *lang = NULL;
  mg_analyzer *an = NULL;
  sqlite3 *db = NULL;
  mg_engine *eng = NULL;
  json_t *queries = NULL, *qrels = NULL, *qv;
  json_error_t je;
  double *ms = NULL, load_ms = 0, build_ms = 0, total_us = 0, total_cpu = 0;
  double hit1 = 0, hit3 = 0, hit10 = 0, recall = 0, mrr = 0;
  int n = 0, nq, rc = 1, k = o->k;
  const char *qid;

  if (setup(cfg, o, &lang, &an, &db, 1, &load_ms, err)) {
    fprintf(stderr, "madoguchi eval: %s\n", err);
    goto out;
  }
  if (o->learn_queries) {
    int noted, accepted;
    if (learn_log(db, o->learn_queries, o->learn_qrels, &noted, &accepted, err)) {
      fprintf(stderr, "madoguchi eval: learning log: %s\n", err);
      goto out;
    }
    fprintf(stderr, "learning log: %d phrasings noted, %d accepted\n", noted, accepted);
  }
  if (new_engine(&eng, lang, db, cfg, o, &build_ms, err)) {
    fprintf(stderr, "madoguchi eval: %s\n", err);
    goto out;
  }
  if (!(queries = json_load_file(o->queries, 0, &je)) || !json_is_object(queries)) {
    fprintf(stderr, "madoguchi eval: %s:%d: %s\n", o->queries, je.line, queries ? "expected an object" : je.text);
    goto out;
  }
  if (!(qrels = json_load_file(o->qrels, 0, &je)) || !json_is_object(qrels)) {
    fprintf(stderr, "madoguchi eval: %s:%d: %s\n", o->qrels, je.line, qrels ? "expected an object" : je.text);
    goto out;
  }
  nq = (int)json_object_size(queries);
  if (!(ms = calloc((size_t)nq + 1, sizeof *ms))) goto out;
  json_object_foreach(queries, qid, qv) {
    json_t *rel = json_object_get(qrels, qid), *g;
    const char *text = json_string_value(qv), *did;
    mg_result res;
    double t0, dt, c0;
    int nrel = 0, found = 0, first = 0;
    if (!text || !rel || !json_is_object(rel)) continue; /* no labels: not scored */
    json_object_foreach(rel, did, g) if (json_integer_value(g) >= 1) nrel++;
    if (nrel == 0) continue;
    c0 = cli_cpu_us();
    t0 = cli_now_us();
    if (faq_engine_search(eng, an, text, -1, k, &res, NULL, err) != 0) {
      fprintf(stderr, "madoguchi eval: query %s: %s\n", qid, err);
      goto out;
    }
    dt = cli_now_us() - t0;
    total_cpu += cli_cpu_us() - c0;
    total_us += dt;
    ms[n++] = dt / 1000;
    for (int i = 0; i < res.n && i < 10; i++) {
      json_t *gr = json_object_get(rel, res.c[i].faq_id);
      if (gr && json_integer_value(gr) >= 1) {
        found++;
        if (!first) first = i + 1;
      }
    }
    if (first == 1) hit1++;
    if (first && first <= 3) hit3++;
    if (first && first <= 10) hit10++;
    if (first && first <= 10) mrr += 1.0 / first;
    recall += (double)found / nrel;
    if (o->misses && first != 1) {
      printf("miss %s (first relevant at %d): %s\n  top:", qid, first, text);
      for (int i = 0; i < res.n && i < 3; i++) printf(" %s(%.2f)", res.c[i].faq_id, res.c[i].score);
      printf("\n  relevant:");
      json_object_foreach(rel, did, g) printf(" %s", did);
      printf("\n");
    }
  }
  if (n == 0) {
    fprintf(stderr, "madoguchi eval: no query has relevance labels\n");
    goto out;
  }
  qsort(ms, (size_t)n, sizeof *ms, cli_cmp_double);
  {
    double p50 = ms[(n - 1) / 2], p99 = ms[(int)((n - 1) * 0.99 + 0.5)];
    printf("corpus        %d entries (loaded in %.0f ms, engine index built in %.1f ms, CPU %.1f ms)\n",
           faq_engine_size(eng), load_ms, build_ms, build_cpu_ms);
    printf("dictionary    %s (%s), user dictionary %s, word lists %s\n", cfg->mecab_dicdir,
           faq_lang_is_unidic(lang) ? "UniDic" : "IPADIC", cfg->userdic[0] ? cfg->userdic : "(none)", cfg->dict_dir);
    printf("queries       %d\n", n);
    printf("hit@1         %.3f\nhit@3         %.3f\nhit@10        %.3f\n", hit1 / n, hit3 / n, hit10 / n);
    printf("recall@10     %.3f\nmrr@10        %.3f\n", recall / n, mrr / n);
    printf("per question  mean %.1f us (CPU %.1f us), p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", total_us / n,
           total_cpu / n, p50, p99, ms[n - 1]);
    printf("{\"queries\": %d, \"hit@1\": %.4f, \"hit@3\": %.4f, \"hit@10\": %.4f, \"recall@10\": %.4f, "
           "\"mrr@10\": %.4f, \"p50_ms\": %.4f, \"p99_ms\": %.4f}\n",
           n, hit1 / n, hit3 / n, hit10 / n, recall / n, mrr / n, p50, p99);
  }
  rc = 0;
out:
  free(ms);
  json_decref(queries);
  json_decref(qrels);
  faq_engine_free(eng);
  faq_db_close(db);
  faq_analyzer_free(an);
  faq_lang_free(lang);
  return rc;
}

/* ---- decisions on the sample FAQ --------------------------------------------- */

struct item {
  char split[16], key[64];
  char *text;
  /* results */
  mg_result r;
  const char *rule_kind;   /* an intent rule answered first (NULL: the engine did) */
  const char *rule_faq;    /* the entry a "faq" rule routes to */
};

/* Read "split<TAB>key<TAB>question" lines (# comments). */
static int read_items(const char *path, struct item **out, int *n, char *err) {
  FILE *f = fopen(path, "r");
  char line[4096];
  int cap = 0, lineno = 0;
  *out = NULL;
  *n = 0;
  if (!f) return mg_errf(err, MG_EIO, "%s: cannot open", path);
  while (fgets(line, sizeof line, f)) {
    char *t1, *t2;
    lineno++;
    line[strcspn(line, "\r\n")] = '\0';
    if (!line[0] || line[0] == '#') continue;
    if (!(t1 = strchr(line, '\t')) || !(t2 = strchr(t1 + 1, '\t'))) {
      fclose(f);
      return mg_errf(err, MG_EINVAL, "%s:%d: expected split<TAB>key<TAB>question", path, lineno);
    }
    *t1 = *t2 = '\0';
    if (*n == cap) {
      cap = cap ? cap * 2 : 256;
      struct item *a = realloc(*out, (size_t)cap * sizeof *a);
      if (!a) { fclose(f); return mg_errf(err, MG_ENOMEM, "out of memory"); }
      *out = a;
    }
    struct item *it = &(*out)[(*n)++];
    memset(it, 0, sizeof *it);
    snprintf(it->split, sizeof it->split, "%.15s", line);
    snprintf(it->key, sizeof it->key, "%.63s", t1 + 1);
    it->text = strdup(t2 + 1);
  }
  fclose(f);
  return 0;
}

static void free_items(struct item *it, int n) {
  for (int i = 0; i < n; i++) free(it[i].text);
  free(it);
}

static int want(const struct opts *o, const struct item *it) {
  return !o->split || strcmp(o->split, "all") == 0 || strcmp(o->split, it->split) == 0;
}

/* Decide as the engine does, for other thresholds (sweep). */
static enum mg_decision decide(const mg_result *r, double amin, double cmin, double margin) {
  if (r->n == 0) return MG_DECISION_NO_ANSWER;
  int close = r->n > 1 && r->c[1].score >= margin * r->c[0].score && r->c[1].confidence >= cmin;
  if (r->c[0].confidence >= amin && !close) return MG_DECISION_ANSWER;
  if (r->c[0].confidence >= cmin) return MG_DECISION_CLARIFY;
  return MG_DECISION_NO_ANSWER;
}

static int offered(const mg_result *r, enum mg_decision d, const char *id) {
  if (d == MG_DECISION_ANSWER) return r->n > 0 && strcmp(r->c[0].faq_id, id) == 0;
  if (d == MG_DECISION_CLARIFY)
    for (int i = 0; i < r->n && i < 3; i++)
      if (strcmp(r->c[i].faq_id, id) == 0) return 1;
  return 0;
}

/* An in-scope question is served when a "faq" rule routes it to its entry,
 * or (no rule) the engine answers it or offers it among 3 choices. An
 * out-of-scope question is handled when a rule replies or the engine says
 * no_answer (the service then offers escalation). */
static void rates(const struct opts *o, struct item *in, int nin, struct item *outs, int nout, double amin, double cmin,
                  double margin, double *in_ok, double *out_ok, double *in_answer, int *cin, int *cout) {
  int a = 0, b = 0, c = 0, ni = 0, no = 0;
  for (int i = 0; i < nin; i++) {
    if (!want(o, &in[i])) continue;
    ni++;
    if (in[i].rule_kind) {
      int right = in[i].rule_faq && strcmp(in[i].rule_faq, in[i].key) == 0;
      a += right;
      c += right;
      continue;
    }
    enum mg_decision d = decide(&in[i].r, amin, cmin, margin);
    if (offered(&in[i].r, d, in[i].key)) a++;
    if (d == MG_DECISION_ANSWER && offered(&in[i].r, d, in[i].key)) c++;
  }
  for (int i = 0; i < nout; i++) {
    if (!want(o, &outs[i])) continue;
    no++;
    if ((outs[i].rule_kind && strcmp(outs[i].rule_kind, "faq") != 0) ||
        (!outs[i].rule_kind && decide(&outs[i].r, amin, cmin, margin) == MG_DECISION_NO_ANSWER))
      b++;
  }
  *in_ok = ni ? (double)a / ni : 0;
  *out_ok = no ? (double)b / no : 0;
  *in_answer = ni ? (double)c / ni : 0;
  *cin = ni;
  *cout = no;
}

static int run_decisions(const mg_config *cfg, const struct opts *o) {
  char err[MG_ERRLEN] = "";
  mg_lang *lang = NULL;
  mg_analyzer *an = NULL;
  sqlite3 *db = NULL;
  mg_engine *eng = NULL;
  struct item *in = NULL, *outs = NULL;
  rules_set *rules = NULL;
  int nin = 0, nout = 0, rc = 1, cin, cout, nrules_in = 0, nrules_out = 0;
  double load_ms, build_ms, in_ok, out_ok, in_ans;

  if (setup(cfg, o, &lang, &an, &db, 0, &load_ms, err) || new_engine(&eng, lang, db, cfg, o, &build_ms, err) ||
      read_items(o->inscope, &in, &nin, err) || read_items(o->outscope, &outs, &nout, err)) {
    fprintf(stderr, "madoguchi eval: %s\n", err);
    goto out;
  }
  if (!o->no_rules && bot_rules_load(&rules, cfg->rules_path, err) != 0) {
    fprintf(stderr, "madoguchi eval: %s (--no-rules to measure the engine alone)\n", err);
    goto out;
  }
  for (int pass = 0; pass < 2; pass++) {
    struct item *it = pass ? outs : in;
    int n = pass ? nout : nin;
    for (int i = 0; i < n; i++) {
      if (rules) {
        rules_hit hit;
        int nl = 0;
        char *norm = faq_normalize(it[i].text, (int)strlen(it[i].text), &nl);
        if (norm && bot_rules_match(rules, norm, (size_t)nl, &hit) == 1) {
          it[i].rule_kind = hit.kind;
          it[i].rule_faq = hit.faq_id;
          if (want(o, &it[i])) *(pass ? &nrules_out : &nrules_in) += 1;
        }
        free(norm);
      }
      if (o->dump) {
        json_t *ex = json_object();
        faq_engine_search(eng, an, it[i].text, -1, MG_ENGINE_MAX_K, &it[i].r, ex, err);
        json_object_set_new(ex, "set", json_string(pass ? "out" : "in"));
        json_object_set_new(ex, "split", json_string(it[i].split));
        json_object_set_new(ex, "key", json_string(it[i].key));
        char *js = json_dumps(ex, JSON_COMPACT);
        printf("dump %s\n", js);
        free(js);
        json_decref(ex);
      }
      if (faq_engine_search(eng, an, it[i].text, -1, MG_ENGINE_MAX_K, &it[i].r, NULL, err) != 0) {
        fprintf(stderr, "madoguchi eval: %s\n", err);
        goto out;
      }
    }
  }
  if (o->misses) {
    for (int i = 0; i < nin; i++)
      if (want(o, &in[i]) && !in[i].rule_kind && !offered(&in[i].r, in[i].r.decision, in[i].key))
        printf("in-scope miss [%s] %s → %s %s (%.2f)\n", in[i].key, in[i].text, faq_decision_name(in[i].r.decision),
               in[i].r.n ? in[i].r.c[0].faq_id : "-", in[i].r.confidence);
    for (int i = 0; i < nout; i++)
      if (want(o, &outs[i]) && !outs[i].rule_kind && outs[i].r.decision != MG_DECISION_NO_ANSWER)
        printf("out-of-scope miss [%s] %s → %s %s (%.2f)\n", outs[i].key, outs[i].text,
               faq_decision_name(outs[i].r.decision), outs[i].r.n ? outs[i].r.c[0].faq_id : "-", outs[i].r.confidence);
  }
  if (o->sweep) {
    printf("answer_min clarify_min margin  in-scope-offered in-scope-answered out-of-scope-no_answer\n");
    for (double cmin = 0.05; cmin <= 0.801; cmin += 0.025)
      for (double amin = cmin; amin <= 0.951; amin += 0.025)
        for (double m = 0.5; m <= 1.001; m += 0.1) {
          rates(o, in, nin, outs, nout, amin, cmin, m, &in_ok, &out_ok, &in_ans, &cin, &cout);
          printf("%.2f %.2f %.2f  %.3f %.3f %.3f\n", amin, cmin, m, in_ok, in_ans, out_ok);
        }
  }
  {
    int t1 = 0, t3 = 0, m = 0;
    for (int i = 0; i < nin; i++) {
      if (!want(o, &in[i])) continue;
      m++;
      for (int j = 0; j < in[i].r.n && j < 3; j++)
        if (!strcmp(in[i].r.c[j].faq_id, in[i].key)) { t1 += j == 0; t3++; break; }
    }
    printf("ranking       in-scope right entry first %.1f %%, in the top 3 %.1f %%\n", m ? 100.0 * t1 / m : 0,
           m ? 100.0 * t3 / m : 0);
  }
  rates(o, in, nin, outs, nout, cfg->answer_min, cfg->clarify_min, cfg->clarify_margin, &in_ok, &out_ok, &in_ans,
        &cin, &cout);
  printf("sample FAQ    %d entries; split %s; thresholds answer_min %.2f clarify_min %.2f clarify_margin %.2f\n",
         faq_engine_size(eng), o->split ? o->split : "all", cfg->answer_min, cfg->clarify_min, cfg->clarify_margin);
  printf("in-scope      %d questions: %.1f %% answer or clarify with the right entry offered (%.1f %% answered right)\n",
         cin, 100 * in_ok, 100 * in_ans);
  printf("out-of-scope  %d questions: %.1f %% no_answer or a rule's reply\n", cout, 100 * out_ok);
  {
    /* out-of-scope by category (the key column) */
    const char *seen[32];
    int ns = 0;
    for (int i = 0; i < nout; i++) {
      int dup = 0;
      if (!want(o, &outs[i])) continue;
      for (int j = 0; j < ns; j++) dup |= !strcmp(seen[j], outs[i].key);
      if (dup || ns == 32) continue;
      seen[ns++] = outs[i].key;
      int n = 0, h = 0;
      for (int j = 0; j < nout; j++) {
        if (!want(o, &outs[j]) || strcmp(outs[j].key, outs[i].key)) continue;
        n++;
        h += (outs[j].rule_kind && strcmp(outs[j].rule_kind, "faq") != 0) ||
             (!outs[j].rule_kind && decide(&outs[j].r, cfg->answer_min, cfg->clarify_min, cfg->clarify_margin) ==
                                        MG_DECISION_NO_ANSWER);
      }
      printf("  %-12s %3d questions: %5.1f %% no_answer or a rule's reply\n", outs[i].key, n, 100.0 * h / n);
    }
  }
  printf("rules         %s: answered %d in-scope and %d out-of-scope questions first\n",
         rules ? cfg->rules_path : "off", nrules_in, nrules_out);
  printf("{\"inscope\": %d, \"inscope_ok\": %.4f, \"inscope_answered\": %.4f, \"outscope\": %d, \"outscope_no_answer\": %.4f}\n",
         cin, in_ok, in_ans, cout, out_ok);
  rc = 0;
out:
  free_items(in, nin);
  free_items(outs, nout);
  bot_rules_free(rules);
  faq_engine_free(eng);
  faq_db_close(db);
  faq_analyzer_free(an);
  faq_lang_free(lang);
  return rc;
}

int cmd_eval(int argc, char **argv, mg_config *cfg) {
  struct opts o;
  memset(&o, 0, sizeof o);
  o.k = 10;
  if (mg_cmd_wants_help(argc, argv)) {
    mg_cmd_usage("eval");
    printf("\n  --corpus C --queries Q --qrels R [--k 10]   BEIR-style JSON benchmark\n"
           "  --learn-queries LQ --learn-qrels LR         first learn from a log (same formats) through the\n"
           "                                              candidate -> accepted path (faq/learn.h)\n"
           "  --dialogue FILE [FILE ...] [--require NAME=MIN ...]\n"
           "                                              the whole conversation pipeline on resident\n"
           "                                              messages (docs/understanding.md)\n"
           "  --inquiries FILE     triage of residents' inquiries: department accuracy and a useful\n"
           "                       entry among the suggested three (docs/channels.md)\n"
           "  --inscope FILE --outscope FILE [--split tune|report|all] [--sweep]\n"
           "                                              decision rates on the sample FAQ\n"
           "  --param NAME=VALUE   override a ranking parameter (experiments)\n"
           "  --dicdir DIR --userdic FILE --dict-dir DIR   analysis data other than the configured\n"
           "  --misses             list the questions answered wrongly\n"
           "  --every              with --dialogue: list every message and its reply, passes as \"ok\"\n"
           "  --clean-answers      cut scraped answers' related-FAQ lists and <改> marks\n");
    return 0;
  }
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    const char **slot = !strcmp(a, "--corpus") ? &o.corpus : !strcmp(a, "--queries") ? &o.queries
                      : !strcmp(a, "--qrels") ? &o.qrels : !strcmp(a, "--inscope") ? &o.inscope
                      : !strcmp(a, "--outscope") ? &o.outscope : !strcmp(a, "--split") ? &o.split
                      : !strcmp(a, "--inquiries") ? &o.inquiries
                      : !strcmp(a, "--learn-queries") ? &o.learn_queries : !strcmp(a, "--learn-qrels") ? &o.learn_qrels
                      : NULL;
    if (slot || !strcmp(a, "--k") || !strcmp(a, "--param") || !strcmp(a, "--dicdir") || !strcmp(a, "--userdic") ||
        !strcmp(a, "--dict-dir")) {
      if (!v) { fprintf(stderr, "madoguchi eval: %s needs a value\n", a); return 2; }
      i++;
      if (slot) *slot = v;
      else if (!strcmp(a, "--k")) {
        o.k = atoi(v);
        if (o.k < 1 || o.k > MG_ENGINE_MAX_K) { fprintf(stderr, "madoguchi eval: --k must be 1..%d\n", MG_ENGINE_MAX_K); return 2; }
      } else if (!strcmp(a, "--dicdir")) snprintf(cfg->mecab_dicdir, sizeof cfg->mecab_dicdir, "%s", v);
      else if (!strcmp(a, "--userdic")) snprintf(cfg->userdic, sizeof cfg->userdic, "%s", v);
      else if (!strcmp(a, "--dict-dir")) snprintf(cfg->dict_dir, sizeof cfg->dict_dir, "%s", v);
      else {
        const char *eq = strchr(v, '=');
        if (!eq || o.nparams == MAX_PARAMS) { fprintf(stderr, "madoguchi eval: --param NAME=VALUE\n"); return 2; }
        o.param_name[o.nparams] = strndup(v, (size_t)(eq - v));
        o.param_value[o.nparams++] = atof(eq + 1);
      }
    } else if (!strcmp(a, "--dialogue") || !strcmp(a, "--require")) {
      int req = !strcmp(a, "--require");
      if (!v) { fprintf(stderr, "madoguchi eval: %s needs a value\n", a); return 2; }
      i++;
      if (req) {
        const char *eq = strchr(v, '=');
        char name[32];
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - v) : 0, v);
        if (!eq || !eval_dialogue_known(name) || o.nrequire == 16) {
          fprintf(stderr, "madoguchi eval: --require NAME=MIN with NAME a measure of --dialogue (e.g. in_scope=0.9)\n");
          return 2;
        }
        o.require[o.nrequire++] = v;
      } else {
        if (o.ndialogue == 32) { fprintf(stderr, "madoguchi eval: at most 32 --dialogue files\n"); return 2; }
        o.dialogue[o.ndialogue++] = v;
      }
    } else if (a[0] != '-' && o.ndialogue > 0 && o.ndialogue < 32) {
      o.dialogue[o.ndialogue++] = a; /* --dialogue DIR/NAME.json …: more files */
    } else if (!strcmp(a, "--misses")) o.misses = o.misses > 1 ? o.misses : 1;
    else if (!strcmp(a, "--every")) o.misses = 2;
    else if (!strcmp(a, "--sweep")) o.sweep = 1;
    else if (!strcmp(a, "--dump")) o.dump = 1;
    else if (!strcmp(a, "--no-rules")) o.no_rules = 1;
    else if (!strcmp(a, "--clean-answers")) o.clean_answers = 1;
    else {
      fprintf(stderr, "madoguchi eval: unknown option %s\n", a);
      return 2;
    }
  }
  if (!o.learn_queries != !o.learn_qrels) {
    fprintf(stderr, "madoguchi eval: --learn-queries and --learn-qrels go together\n");
    return 2;
  }
  if (o.corpus || o.queries || o.qrels) {
    if (!o.corpus || !o.queries || !o.qrels) {
      fprintf(stderr, "madoguchi eval: --corpus, --queries and --qrels go together\n");
      return 2;
    }
    return run_retrieval(cfg, &o) ? 1 : 0;
  }
  if (o.inquiries) return eval_inquiries(o.inquiries, o.misses, 0, 0, cfg);
  if (o.ndialogue) return eval_dialogue(o.dialogue, o.ndialogue, o.misses, o.require, o.nrequire, cfg);
  if (o.inscope && o.outscope) return run_decisions(cfg, &o) ? 1 : 0;
  fprintf(stderr, "madoguchi eval: give --corpus/--queries/--qrels, --dialogue or --inscope/--outscope (see --help)\n");
  return 2;
}
