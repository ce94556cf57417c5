/*
 * rules.c — load dict/rules.json, compile its patterns, match questions.
 *
 * Loading does all the work that can fail: the JSON is parsed with Jansson
 * (duplicate keys rejected), every field is checked, and every pattern is
 * compiled and JIT-compiled once. The parsed JSON tree is kept for the life
 * of the set and the rule strings point into it, so there is nothing to copy
 * or free per rule. Errors name the file, the rule and, for PCRE2, the byte
 * offset in the pattern, because a city edits this file by hand.
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
#include <errno.h>
#include <jansson.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "dict/json.h"
#include "util/mg_err.h"

/* Backtracking budget per pattern and question (PCRE2's default is 10M). */
#define RULES_MATCH_LIMIT 100000
#define RULES_DEPTH_LIMIT 10000

static const char *const rule_kinds[] = {
  "emergency", "handoff", "greeting", "thanks", "hours", "faq", "smalltalk", "referral",
};

struct rule {
  const char *name;   /* points into rules_set.root */
  const char *kind;   /* points into rule_kinds */
  const char *reply;  /* into root, or NULL (kind faq only) */
  const char *faq_id; /* into root, or NULL */
  pcre2_code **pats;  /* npats compiled patterns */
  int npats;
};

struct rules_set {
  json_t *root;               /* the parsed file; owns every string above */
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
  json_decref(s->root);
  free(s);
}

int bot_rules_count(const rules_set *s) {
  return s ? s->n : 0;
}

/* Optional string member: NULL when absent; MG_ECONFIG when present but not a
 * non-empty string. */
static int opt_string(const char *path, const char *rname, json_t *obj, const char *key,
                      const char **out, char *err) {
  json_t *v = json_object_get(obj, key);
  *out = NULL;
  if (!v)
    return 0;
  if (!json_is_string(v) || json_string_length(v) == 0)
    return mg_errf(err, MG_ECONFIG, "%s: rule %s: \"%s\" must be a non-empty string", path, rname, key);
  *out = json_string_value(v);
  return 0;
}

/* True when s is unchanged by NFKC, i.e. it can match normalised text. */
static int nfkc_stable(const char *s) {
  utf8proc_uint8_t *n = utf8proc_NFKC((const utf8proc_uint8_t *)s);
  int same = n && strcmp((const char *)n, s) == 0;
  free(n);
  return same;
}

static int compile_rule(const char *path, int index, json_t *jr, struct rule *r,
                        const rules_set *s, char *err) {
  const char *key;
  json_t *v, *pats;
  char label[96];
  int rc;

  if (!json_is_object(jr))
    return mg_errf(err, MG_ECONFIG, "%s: rule #%d is not an object", path, index + 1);
  v = json_object_get(jr, "name");
  if (!json_is_string(v) || json_string_length(v) == 0)
    return mg_errf(err, MG_ECONFIG, "%s: rule #%d has no \"name\"", path, index + 1);
  r->name = json_string_value(v);
  snprintf(label, sizeof label, "%s", r->name);
  for (int i = 0; i < s->n; i++)
    if (strcmp(s->rules[i].name, r->name) == 0)
      return mg_errf(err, MG_ECONFIG, "%s: rule %s: duplicate name (also rule #%d)", path, label, i + 1);

  /* Unknown keys are usually typos ("pattern", "replay"); "comment" and keys
   * starting with "_" are free for the city's notes. */
  json_object_foreach(jr, key, v) {
    if (strcmp(key, "name") && strcmp(key, "kind") && strcmp(key, "patterns") &&
        strcmp(key, "reply") && strcmp(key, "faq_id") && strcmp(key, "comment") && key[0] != '_')
      return mg_errf(err, MG_ECONFIG, "%s: rule %s: unknown key \"%s\"", path, label, key);
  }

  v = json_object_get(jr, "kind");
  if (!json_is_string(v))
    return mg_errf(err, MG_ECONFIG, "%s: rule %s: missing \"kind\"", path, label);
  for (size_t k = 0; k < sizeof rule_kinds / sizeof rule_kinds[0]; k++)
    if (strcmp(json_string_value(v), rule_kinds[k]) == 0)
      r->kind = rule_kinds[k];
  if (!r->kind)
    return mg_errf(err, MG_ECONFIG, "%s: rule %s: unknown kind \"%.40s\" (emergency, handoff, greeting, "
                   "thanks, hours, faq, smalltalk, referral)", path, label, json_string_value(v));

  if ((rc = opt_string(path, label, jr, "reply", &r->reply, err)) < 0 ||
      (rc = opt_string(path, label, jr, "faq_id", &r->faq_id, err)) < 0)
    return rc;
  if (strcmp(r->kind, "faq") == 0) {
    if (!r->faq_id)
      return mg_errf(err, MG_ECONFIG, "%s: rule %s: kind faq needs \"faq_id\"", path, label);
  } else {
    if (!r->reply)
      return mg_errf(err, MG_ECONFIG, "%s: rule %s: missing \"reply\"", path, label);
    if (r->faq_id)
      return mg_errf(err, MG_ECONFIG, "%s: rule %s: \"faq_id\" is for kind faq only", path, label);
  }

  pats = json_object_get(jr, "patterns");
  if (!json_is_array(pats) || json_array_size(pats) == 0)
    return mg_errf(err, MG_ECONFIG, "%s: rule %s: \"patterns\" must be a non-empty array", path, label);
  r->pats = calloc(json_array_size(pats), sizeof *r->pats);
  if (!r->pats)
    return mg_errf(err, MG_ENOMEM, "%s: out of memory", path);
  for (size_t j = 0; j < json_array_size(pats); j++) {
    json_t *p = json_array_get(pats, j);
    int ecode;
    PCRE2_SIZE eoff;
    PCRE2_UCHAR msg[160];
    if (!json_is_string(p) || json_string_length(p) == 0)
      return mg_errf(err, MG_ECONFIG, "%s: rule %s, pattern %zu: not a non-empty string", path, label, j + 1);
    if (!nfkc_stable(json_string_value(p)))
      return mg_errf(err, MG_ECONFIG, "%s: rule %s, pattern %zu: not NFKC-normalised (write half-width "
                     "digits and ASCII, full-width katakana): it could never match", path, label, j + 1);
    r->pats[j] = pcre2_compile((PCRE2_SPTR)json_string_value(p), json_string_length(p),
                               PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &ecode, &eoff, NULL);
    if (!r->pats[j]) {
      pcre2_get_error_message(ecode, msg, sizeof msg);
      return mg_errf(err, MG_ECONFIG, "%s: rule %s, pattern %zu: offset %zu: %s", path, label, j + 1,
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
  json_t *v, *rules;
  int rc = 0;

  *out = NULL;
  if (!(s = calloc(1, sizeof *s)))
    return mg_errf(err, MG_ENOMEM, "%s: out of memory", path);
  if ((rc = dict_json_load(&s->root, path, err)) != 0)
    goto out;
  if (!json_is_object(s->root)) {
    rc = mg_errf(err, MG_ECONFIG, "%s: the top level must be an object {\"version\":1,\"rules\":[…]}", path);
    goto out;
  }
  v = json_object_get(s->root, "version");
  if (!json_is_integer(v) || json_integer_value(v) != 1) {
    rc = mg_errf(err, MG_ECONFIG, "%s: \"version\" must be 1", path);
    goto out;
  }
  rules = json_object_get(s->root, "rules");
  if (!json_is_array(rules)) {
    rc = mg_errf(err, MG_ECONFIG, "%s: \"rules\" must be an array", path);
    goto out;
  }
  if (!(s->rules = calloc(json_array_size(rules) + 1, sizeof *s->rules)) ||
      !(s->mctx = pcre2_match_context_create(NULL))) {
    rc = mg_errf(err, MG_ENOMEM, "%s: out of memory", path);
    goto out;
  }
  pcre2_set_match_limit(s->mctx, RULES_MATCH_LIMIT);
  pcre2_set_depth_limit(s->mctx, RULES_DEPTH_LIMIT);
  for (size_t i = 0; i < json_array_size(rules); i++) {
    /* Counted before the check so rules_free releases a half-built rule too;
     * compile_rule sees only the rules before it when looking for duplicates. */
    rc = compile_rule(path, (int)i, json_array_get(rules, i), &s->rules[s->n], s, err);
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
        hit->name = r->name;
        hit->kind = r->kind;
        hit->reply = r->reply;
        hit->faq_id = r->faq_id;
        found = 1;
        break;
      }
    }
  }
out:
  pcre2_match_data_free(md);
  return found;
}
