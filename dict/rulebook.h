/*
 * rulebook.h — read dict/rules.json, the intent rules a city edits:
 *
 *     {"version": 1, "rules": [
 *       {"name": "fire", "kind": "emergency", "patterns": ["火事", "燃えて"], "reply": "…"},
 *       {"name": "tax", "kind": "faq", "patterns": ["住民税"], "faq_id": "t-3"}]}
 *
 * This module reads the file and checks its shape (every message names the
 * file and the rule); compiling the patterns (PCRE2) and matching are the
 * bot's (bot/rules.h), which names the file and rule for a pattern PCRE2
 * refuses.
 */
#ifndef DICT_RULEBOOK_H
#define DICT_RULEBOOK_H

#include <stddef.h>

typedef struct dict_rule {
  const char *name;       /* non-empty, unique in the file */
  const char *kind;       /* one of dict_rule_kinds (a static string) */
  const char *reply;      /* or NULL: only kind "faq" has none */
  const char *faq_id;     /* kind "faq" only, else NULL */
  int firm;               /* "firm": true — a referral or small talk that stands even when the
                             engine answers the message outright (確定申告の医療費控除 is the
                             tax office's, whatever FAQ shares 控除) */
  const char **patterns;  /* npatterns (>= 1) non-empty, NFKC-stable strings */
  size_t *pattern_len;    /* their lengths in bytes */
  int npatterns;
} dict_rule;

typedef struct dict_rules {
  dict_rule *r;           /* the rules in file order */
  int n;
  void *doc;              /* private: the parsed file, which owns every string above */
} dict_rules;

/* The kinds a rule may have, NULL-terminated. */
extern const char *const dict_rule_kinds[];

/* Read and check path. On success *out is new; the caller frees it with
 * dict_rules_free, and every string in it lives as long as it. Errors, with
 * err naming the file (and the rule, "rule #N" or by name):
 *   MG_EIO, MG_EBADJSON  as dict_json_load (dict/json.h)
 *   MG_ECONFIG  not {"version":1,"rules":[…]}, a rule that is not an object,
 *               has no "name" or one already used, an unknown key ("comment"
 *               and keys starting with "_" are free), a missing or unknown
 *               "kind", "reply"/"faq_id" missing, empty or for the wrong kind,
 *               "patterns" not a non-empty array of non-empty strings, a
 *               pattern that NFKC changes (it could never match)
 *   MG_ENOMEM */
int dict_rules_load(dict_rules **out, const char *path, char *err);
void dict_rules_free(dict_rules *rs);

#endif
