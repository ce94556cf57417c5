/*
 * answer_text.c — terminal rendering of the answer object, shared by
 * `madoguchi ask` and `madoguchi chat` so both read the same.
 */
#include "bot/answer_text.h"
#include "bot/messages.h"

#include <stdlib.h>

#include <string.h>

static const char *str(const json_t *obj, const char *key) {
  const char *s = json_string_value(json_object_get(obj, key));
  return s ? s : "";
}

/* The text of id with {name} filled by value, to out. */
static void put(FILE *out, const msg_set *m, enum msg_id id, const char *name, const char *value) {
  char *t = bot_msg_fill(bot_msg_get(m, id), name ? 1 : 0, &name, &value);
  fputs(t ? t : bot_msg_get(m, id), out);
  free(t);
}

static void print_department(FILE *out, const msg_set *m, const json_t *d) {
  if (!d || !*str(d, "name")) return;
  fputs("\n", out);
  put(out, m, MSG_TERM_DEPARTMENT, "name", str(d, "name"));
  if (*str(d, "phone")) {
    fputs("　", out);
    put(out, m, MSG_TERM_PHONE, "phone", str(d, "phone"));
  }
  if (*str(d, "email")) fprintf(out, "　%s", str(d, "email"));
  fprintf(out, "\n");
  if (*str(d, "hours")) { put(out, m, MSG_TERM_HOURS, "hours", str(d, "hours")); fputs("\n", out); }
  if (*str(d, "location")) { put(out, m, MSG_TERM_LOCATION, "location", str(d, "location")); fputs("\n", out); }
}

void bot_print_answer(FILE *out, const msg_set *m, const json_t *a) {
  const char *decision = str(a, "decision");
  const json_t *cands = json_object_get(a, "candidates"), *c;
  char conf[16];
  size_t i;

  if (strcmp(decision, "answer") == 0) {
    if (*str(a, "question")) fprintf(out, "【%s】\n", str(a, "question"));
    fprintf(out, "%s\n", str(a, "answer"));
    print_department(out, m, json_object_get(a, "department"));
    if (*str(a, "url")) { put(out, m, MSG_TERM_MORE, "url", str(a, "url")); fputs("\n", out); }
  } else if (strcmp(decision, "checklist") == 0) {
    const json_t *cl = json_object_get(a, "checklist");
    put(out, m, MSG_TERM_CHECKLIST, "title", str(cl, "title"));
    fprintf(out, "\n%s\n", str(cl, "intro"));
    json_array_foreach(json_object_get(cl, "items"), i, c)
      fprintf(out, "  □ %s%s%s%s\n", str(c, "title"), *str(c, "who") ? "（" : "", str(c, "who"), *str(c, "who") ? "）" : "");
    if (*str(cl, "url")) { put(out, m, MSG_TERM_PAGE, "url", str(cl, "url")); fputs("\n", out); }
  } else if (strcmp(decision, "clarify") == 0) {
    put(out, m, MSG_TERM_CLARIFY, NULL, NULL);
    fputs("\n", out);
    json_array_foreach(cands, i, c) fprintf(out, "  %zu. %s\n", i + 1, str(c, "question"));
  } else {
    put(out, m, MSG_TERM_NO_ANSWER, NULL, NULL);
    fputs("\n", out);
  }
  snprintf(conf, sizeof conf, "%.2f", json_number_value(json_object_get(a, "confidence")));
  {
    const char *names[] = { "decision", "confidence" }, *values[] = { decision, conf };
    char *t = bot_msg_fill(bot_msg_get(m, MSG_TERM_DECISION), 2, names, values);
    fprintf(out, "（%s", t ? t : decision);
    free(t);
  }
  if (json_object_get(a, "rule")) {
    fputs("　", out);
    put(out, m, MSG_TERM_RULE, "name", str(json_object_get(a, "rule"), "name"));
  } else if (*str(a, "faq_id"))
    fprintf(out, "　FAQ %s", str(a, "faq_id"));
  fprintf(out, "）\n");
}
