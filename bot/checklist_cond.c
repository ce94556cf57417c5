/*
 * checklist_cond.c — a checklist procedure's condition, parsed and
 * evaluated against the resident's answers (checklist.h).
 *
 * Pure functions over text: no store, no state, no allocation. They are the
 * whole of "does this procedure apply", so tests/t_checklist.c checks them
 * for every event and every combination of answers. The grammar is kept
 * small on purpose — terms joined by "and", a term "key", "!key",
 * "key=value" or "!key=value" — because staff write it in the console;
 * "or" is a second line for the same event.
 */
#include "bot/checklist.h"

#include <stdio.h>
#include <string.h>

#include "util/mg_err.h"

static int ident_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

static const char *skip_space(const char *s) {
  while (*s == ' ' || *s == '\t') s++;
  return s;
}

/* Copy an identifier at *s into out[BOT_CL_KEY]; advance *s. 0 or -1. */
static int ident(const char **s, char *out) {
  size_t n = 0;
  while (ident_char((*s)[n])) n++;
  if (n == 0 || n >= BOT_CL_KEY) return -1;
  memcpy(out, *s, n);
  out[n] = '\0';
  *s += n;
  return 0;
}

int bot_cl_cond_parse(const char *cond, bot_cl_term *t, int max, char *err) {
  const char *s = cond ? skip_space(cond) : "";
  int n = 0;
  if (!*s) return 0;
  for (;;) {
    bot_cl_term *x;
    if (n == max) return mg_errf(err, MG_EINVAL, "条件「%s」: and でつなげるのは%d個までです", cond, max);
    x = &t[n++];
    memset(x, 0, sizeof *x);
    if (*s == '!') x->neg = 1, s = skip_space(s + 1);
    if (ident(&s, x->key))
      return mg_errf(err, MG_EINVAL, "条件「%s」: 質問のID（半角英小文字・数字・_）がありません", cond);
    s = skip_space(s);
    if (*s == '=') {
      s = skip_space(s + 1);
      if (ident(&s, x->value))
        return mg_errf(err, MG_EINVAL, "条件「%s」: = の後に答えの値（半角英小文字・数字・_）を書いてください", cond);
      s = skip_space(s);
    } else strcpy(x->value, "yes");
    if (!*s) return n;
    if (strncmp(s, "and", 3) != 0 || (s[3] != ' ' && s[3] != '\t'))
      return mg_errf(err, MG_EINVAL, "条件「%s」: 「%s」が読めません（条件は and でつなげます）", cond, s);
    s = skip_space(s + 3);
  }
}

/* The answer to key in answers ("k:v,k:v") into out[BOT_CL_KEY]: 1 found, 0 not. */
static int answer_of(const char *answers, const char *key, char *out) {
  size_t kl = strlen(key);
  const char *p = answers;
  while (p && *p) {
    const char *end = strchr(p, ','), *colon = strchr(p, ':');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (colon && colon < p + len && (size_t)(colon - p) == kl && memcmp(p, key, kl) == 0) {
      size_t vl = len - kl - 1;
      if (vl >= BOT_CL_KEY) return 0;
      memcpy(out, colon + 1, vl);
      out[vl] = '\0';
      return 1;
    }
    p = end ? end + 1 : NULL;
  }
  return 0;
}

int bot_cl_cond_eval(const bot_cl_term *t, int n, const char *answers) {
  int unknown = 0;
  for (int i = 0; i < n; i++) {
    char v[BOT_CL_KEY];
    if (!answer_of(answers, t[i].key, v)) { unknown = 1; continue; }
    if ((strcmp(v, t[i].value) == 0) == t[i].neg) return BOT_CL_NO;
  }
  return unknown ? BOT_CL_UNKNOWN : BOT_CL_YES;
}

int bot_cl_line(const char *line, char *name, size_t size, const char **cond) {
  const char *s = skip_space(line), *end, *cut = NULL;
  for (const char *p = s; *p; p++)
    if ((p[0] == ' ' || p[0] == '\t') && strncmp(skip_space(p), "if", 2) == 0) {
      const char *after = skip_space(p) + 2;
      if (*after == ' ' || *after == '\t' || *after == '\0') { cut = p; *cond = after; break; }
    }
  if (!cut) *cond = NULL, cut = s + strlen(s);
  end = cut;
  while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) end--;
  if (end == s || (size_t)(end - s) >= size) return MG_EINVAL;
  memcpy(name, s, (size_t)(end - s));
  name[end - s] = '\0';
  return 0;
}

/* Rank of a result, best last: NO < UNKNOWN < YES. */
static int rank(int r) { return r == BOT_CL_YES ? 2 : r == BOT_CL_UNKNOWN ? 1 : 0; }

int bot_cl_applies(const char *life_events, const char *name, const char *answers) {
  const char *p = life_events;
  int best = -1;
  while (p && *p) {
    const char *nl = strchr(p, '\n'), *cond;
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    char line[256], ev[BOT_CL_NAME], err[MG_ERRLEN];
    bot_cl_term t[BOT_CL_MAX_TERMS];
    int n;
    if (len < sizeof line) {
      memcpy(line, p, len);
      line[len] = '\0';
      if (bot_cl_line(line, ev, sizeof ev, &cond) == 0 && strcmp(ev, name) == 0 &&
          (n = bot_cl_cond_parse(cond, t, BOT_CL_MAX_TERMS, err)) >= 0) {
        int r = bot_cl_cond_eval(t, n, answers);
        if (best < 0 || rank(r) > rank(best)) best = r;
      }
    }
    p = nl ? nl + 1 : NULL;
  }
  return best;
}

void bot_cl_terms_attr(const bot_cl_term *t, int n, char *out, size_t size) {
  size_t w = 0;
  if (size) out[0] = '\0';
  for (int i = 0; i < n && w < size; i++) {
    int k = snprintf(out + w, size - w, "%s%s%s%s", i ? " " : "", t[i].key, t[i].neg ? "!=" : "=", t[i].value);
    if (k < 0) break;
    w += (size_t)k;
  }
}
