/*
 * rules.c — compile the patterns of dict/rules.json (read by dict/rulebook.c), match questions.
 *
 * Loading does all the work that can fail: dict/rulebook.c reads the file
 * and checks every field, then every pattern is compiled and JIT-compiled
 * once. The checked rules are kept for the life of the set and the rule
 * strings point into them, so there is nothing to copy or free per rule.
 * Errors name the file, the rule and, for PCRE2, the byte offset in the
 * pattern, because a city edits this file by hand.
 *
 * Matching only reads the set. The one mutable thing PCRE2 needs, match data,
 * is allocated per call (a single ovector pair: we only ask "does it match"),
 * which keeps rules_match safe from any number of threads without per-thread
 * bookkeeping; its cost is one small malloc per question. A shared, read-only
 * match context caps backtracking so a careless pattern cannot stall a worker
 * on hostile input: a match that hits the limit counts as no match.
 */
#include "bot/rules.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict/rulebook.h"
#include "util/mg_err.h"

/* Backtracking budget per pattern and question (PCRE2's default is 10M). */
#define RULES_MATCH_LIMIT 100000
#define RULES_DEPTH_LIMIT 10000

struct rule {
  const dict_rule *src;  /* name, kind, reply, faq_id: in rules_set.src */
  pcre2_code **pats;     /* src->npatterns compiled patterns */
  int npats;
};

struct rules_set {
  dict_rules *src;            /* the file as read and checked by dict/rulebook.c */
  struct rule *rules;         /* n rules in file order */
  int n;
  pcre2_match_context *mctx;  /* match limits; read-only after load */
};

void bot_rules_free(rules_set *s) {
  if (!s)
    return;
  for (int i = 0; i < s->n; i++) {
    for (int j = 0; j < s->rules[i].npats; j++)
      pcre2_code_free(s->rules[i].pats[j]);
    free(s->rules[i].pats);
  }
  free(s->rules);
  pcre2_match_context_free(s->mctx);
  dict_rules_free(s->src);
  free(s);
}

int bot_rules_count(const rules_set *s) {
  return s ? s->n : 0;
}

static int compile_rule(const char *path, const dict_rule *src, struct rule *r, char *err) {
  r->src = src;
  if (!(r->pats = calloc((size_t)src->npatterns, sizeof *r->pats)))
    return mg_errf(err, MG_ENOMEM, "%s: out of memory", path);
  for (int j = 0; j < src->npatterns; j++) {
    int ecode;
    PCRE2_SIZE eoff;
    PCRE2_UCHAR msg[160];
    r->pats[j] = pcre2_compile((PCRE2_SPTR)src->patterns[j], src->pattern_len[j],
                               PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &ecode, &eoff, NULL);
    if (!r->pats[j]) {
      pcre2_get_error_message(ecode, msg, sizeof msg);
      return mg_errf(err, MG_ECONFIG, "%s: rule %.95s, pattern %d: offset %zu: %s", path, src->name, j + 1,
                     (size_t)eoff, (char *)msg);
    }
    r->npats++;
    /* No JIT on this platform is fine: pcre2_match falls back to the interpreter. */
    (void)pcre2_jit_compile(r->pats[j], PCRE2_JIT_COMPLETE);
  }
  return 0;
}

int bot_rules_load(rules_set **out, const char *path, char *err) {
  rules_set *s = NULL;
  int rc = 0;

  *out = NULL;
  if (!(s = calloc(1, sizeof *s)))
    return mg_errf(err, MG_ENOMEM, "%s: out of memory", path);
  if ((rc = dict_rules_load(&s->src, path, err)) != 0)
    goto out;
  if (!(s->rules = calloc((size_t)s->src->n + 1, sizeof *s->rules)) ||
      !(s->mctx = pcre2_match_context_create(NULL))) {
    rc = mg_errf(err, MG_ENOMEM, "%s: out of memory", path);
    goto out;
  }
  pcre2_set_match_limit(s->mctx, RULES_MATCH_LIMIT);
  pcre2_set_depth_limit(s->mctx, RULES_DEPTH_LIMIT);
  for (int i = 0; i < s->src->n; i++) {
    /* Counted before the compile so rules_free releases a half-built rule too. */
    rc = compile_rule(path, &s->src->r[i], &s->rules[s->n], err);
    s->n++;
    if (rc < 0)
      goto out;
  }
  *out = s;
  s = NULL;
out:
  bot_rules_free(s);
  return rc;
}

int bot_rules_match(const rules_set *s, const char *text, size_t len, rules_hit *hit) {
  pcre2_match_data *md;
  uint32_t opts = 0;
  int found = 0;

  if (!s || !text)
    return 0;
  if (!(md = pcre2_match_data_create(1, NULL)))
    return MG_ENOMEM;
  for (int i = 0; i < s->n && !found; i++) {
    const struct rule *r = &s->rules[i];
    for (int j = 0; j < r->npats; j++) {
      /* UTF-8 is checked by the first match only; other errors (the match
       * limit) count as no match for that pattern. */
      int rc = pcre2_match(r->pats[j], (PCRE2_SPTR)text, len, 0, opts, md, s->mctx);
      if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21) {
        found = MG_EBADUTF8;
        goto out;
      }
      opts = PCRE2_NO_UTF_CHECK;
      if (rc >= 0) {
        hit->name = r->src->name;
        hit->kind = r->src->kind;
        hit->reply = r->src->reply;
        hit->faq_id = r->src->faq_id;
        hit->firm = r->src->firm;
        found = 1;
        break;
      }
    }
  }
out:
  pcre2_match_data_free(md);
  return found;
}
