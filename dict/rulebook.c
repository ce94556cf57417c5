/*
 * rulebook.c — read and check dict/rules.json (format in rulebook.h).
 */
#include "dict/rulebook.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "dict/json.h"
#include "util/mg_err.h"

const char *const dict_rule_kinds[] = {
  "emergency", "handoff", "greeting", "thanks", "hours", "faq", "smalltalk", "referral", NULL,
};

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

static int check_rule(const char *path, int index, json_t *jr, dict_rule *r, const dict_rules *rs, char *err) {
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
  for (int i = 0; i < rs->n; i++)
    if (strcmp(rs->r[i].name, r->name) == 0)
      return mg_errf(err, MG_ECONFIG, "%s: rule %s: duplicate name (also rule #%d)", path, label, i + 1);

  /* Unknown keys are usually typos ("pattern", "replay"); "comment" and keys
   * starting with "_" are free for the city's notes. */
  json_object_foreach(jr, key, v) {
    if (strcmp(key, "name") && strcmp(key, "kind") && strcmp(key, "patterns") &&
        strcmp(key, "reply") && strcmp(key, "faq_id") && strcmp(key, "firm") && strcmp(key, "comment") && key[0] != '_')
      return mg_errf(err, MG_ECONFIG, "%s: rule %s: unknown key \"%s\"", path, label, key);
  }

  v = json_object_get(jr, "kind");
  if (!json_is_string(v))
    return mg_errf(err, MG_ECONFIG, "%s: rule %s: missing \"kind\"", path, label);
  for (int k = 0; dict_rule_kinds[k]; k++)
    if (strcmp(json_string_value(v), dict_rule_kinds[k]) == 0)
      r->kind = dict_rule_kinds[k];
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
    if (r->faq_id && strcmp(r->kind, "hours") != 0)
      return mg_errf(err, MG_ECONFIG, "%s: rule %s: \"faq_id\" is for kinds faq and hours only", path, label);
  }

  v = json_object_get(jr, "firm");
  if (v && !json_is_boolean(v))
    return mg_errf(err, MG_ECONFIG, "%s: rule %s: \"firm\" is true or false", path, label);
  r->firm = json_is_true(v);
  if (r->firm && strcmp(r->kind, "referral") != 0 && strcmp(r->kind, "smalltalk") != 0)
    return mg_errf(err, MG_ECONFIG, "%s: rule %s: \"firm\" is for kinds referral and smalltalk", path, label);

  pats = json_object_get(jr, "patterns");
  if (!json_is_array(pats) || json_array_size(pats) == 0)
    return mg_errf(err, MG_ECONFIG, "%s: rule %s: \"patterns\" must be a non-empty array", path, label);
  if (!(r->patterns = calloc(json_array_size(pats), sizeof *r->patterns)) ||
      !(r->pattern_len = calloc(json_array_size(pats), sizeof *r->pattern_len)))
    return mg_errf(err, MG_ENOMEM, "%s: out of memory", path);
  for (size_t j = 0; j < json_array_size(pats); j++) {
    json_t *p = json_array_get(pats, j);
    if (!json_is_string(p) || json_string_length(p) == 0)
      return mg_errf(err, MG_ECONFIG, "%s: rule %s, pattern %zu: not a non-empty string", path, label, j + 1);
    if (!nfkc_stable(json_string_value(p)))
      return mg_errf(err, MG_ECONFIG, "%s: rule %s, pattern %zu: not NFKC-normalised (write half-width "
                     "digits and ASCII, full-width katakana): it could never match", path, label, j + 1);
    r->patterns[j] = json_string_value(p);
    r->pattern_len[j] = json_string_length(p);
    r->npatterns++;
  }
  return 0;
}

int dict_rules_load(dict_rules **out, const char *path, char *err) {
  dict_rules *rs = NULL;
  json_t *root = NULL, *v, *rules;
  int rc = 0;

  *out = NULL;
  if (!(rs = calloc(1, sizeof *rs)))
    return mg_errf(err, MG_ENOMEM, "%s: out of memory", path);
  if ((rc = dict_json_load(&root, path, err)) != 0)
    goto out;
  rs->doc = root;
  if (!json_is_object(root)) {
    rc = mg_errf(err, MG_ECONFIG, "%s: the top level must be an object {\"version\":1,\"rules\":[…]}", path);
    goto out;
  }
  v = json_object_get(root, "version");
  if (!json_is_integer(v) || json_integer_value(v) != 1) {
    rc = mg_errf(err, MG_ECONFIG, "%s: \"version\" must be 1", path);
    goto out;
  }
  rules = json_object_get(root, "rules");
  if (!json_is_array(rules)) {
    rc = mg_errf(err, MG_ECONFIG, "%s: \"rules\" must be an array", path);
    goto out;
  }
  if (!(rs->r = calloc(json_array_size(rules) + 1, sizeof *rs->r))) {
    rc = mg_errf(err, MG_ENOMEM, "%s: out of memory", path);
    goto out;
  }
  for (size_t i = 0; i < json_array_size(rules); i++) {
    /* Counted before the check so dict_rules_free releases a half-read rule
     * too; check_rule sees only the rules before it when looking for
     * duplicates. */
    rc = check_rule(path, (int)i, json_array_get(rules, i), &rs->r[rs->n], rs, err);
    rs->n++;
    if (rc < 0)
      goto out;
  }
  *out = rs;
  rs = NULL;
out:
  dict_rules_free(rs);
  return rc;
}

void dict_rules_free(dict_rules *rs) {
  if (!rs)
    return;
  for (int i = 0; i < rs->n; i++) {
    free(rs->r[i].patterns);
    free(rs->r[i].pattern_len);
  }
  free(rs->r);
  json_decref(rs->doc);
  free(rs);
}
