/*
 * rules.h — intent rules: PCRE2 patterns that answer before the engine does.
 *
 * dict/rules.json is an ordered list of rules; the first rule with a pattern
 * that matches wins, so emergencies are listed first and beat every FAQ
 * answer. Every pattern is compiled once at load time (UTF + UCP, caseless,
 * JIT-compiled when the platform has a JIT); a bad file stops start-up with
 * the file, the rule and the offset of the error. After rules_load the set
 * is immutable, so one set is shared by all worker threads.
 *
 * File format (docs: dict/rules.json itself is the example):
 *   {"version": 1, "rules": [
 *     {"name": "emergency_fire", "kind": "emergency",
 *      "patterns": ["火事", "燃えて(いる|る)"],
 *      "reply": "すぐに119番に電話してください。…",
 *      "faq_id": "saijo-0001"            (kind "faq" only)
 *      "comment": "free text, ignored"}  (optional)
 *   ]}
 * kind is one of emergency, handoff, greeting, thanks, hours, faq, smalltalk.
 * reply is required except for kind "faq", which needs faq_id instead (it may
 * still carry a reply). A reply may contain "{next_open}", which the answer
 * pipeline replaces with the next opening time (bot/calendar.h); this module
 * does not touch reply texts.
 *
 * Patterns see the text after faq_normalize (NFKC + case folding), so a
 * pattern must itself be NFKC-stable: a full-width "１１９" or a half-width
 * "ｶｼﾞ" could never match, and rules_load rejects it. Case does not matter
 * (patterns are compiled caseless).
 */
#ifndef MG_RULES_H
#define MG_RULES_H

#include <stddef.h>

typedef struct rules_set rules_set;

/* What a match returns. Pointers point into the set and stay valid while
 * the set lives; reply is NULL for a "faq" rule without its own text, and
 * faq_id is NULL for every other kind. */
typedef struct rules_hit {
  const char *name;   /* the rule's unique name, e.g. "emergency_fire" */
  const char *kind;   /* "emergency", "handoff", "greeting", "thanks", "hours", "faq", "smalltalk" */
  const char *reply;  /* Japanese reply text, may contain "{next_open}" */
  const char *faq_id; /* FAQ entry to answer with (kind "faq") */
  int firm;           /* stands even when the engine answers outright (dict/rulebook.h) */
} rules_hit;

/* Load and compile the rules in path. On success *out is a new set that the
 * caller frees with rules_free. Errors (with err naming the file):
 *   MG_EIO     file missing or unreadable
 *   MG_EBADJSON "FILE:LINE:COL: jansson message"
 *   MG_ECONFIG  "FILE: rule NAME, pattern N: offset K: pcre2 message" (N from 1,
 *               K a byte offset into the pattern), unknown kind, missing or
 *               empty field, duplicate name, pattern not NFKC-normalised
 *   MG_ENOMEM */
int bot_rules_load(rules_set **out, const char *path, char *err);
void bot_rules_free(rules_set *s);
int bot_rules_count(const rules_set *s);

/* Match text (len bytes of NFKC-normalised UTF-8; the caller normalises)
 * against the rules in order. Returns 1 and fills *hit for the first rule
 * that matches, 0 when none does, MG_EBADUTF8 for invalid UTF-8, or
 * MG_ENOMEM when no match data could be allocated (so test with == 1).
 * Thread-safe: any number of threads may match against one set at once. */
int bot_rules_match(const rules_set *s, const char *text, size_t len, rules_hit *hit);

#endif
