/*
 * messages.c — loading dict/messages.json and filling its placeholders.
 */
#include "bot/messages.h"
#include "bot/lang.h"
#include "util/mg_err.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct msg_set {
  char *text[BOT_LANG_COUNT][MSG_COUNT]; /* [lang][id]; NULL: not given (the Japanese text is used) */
};

static const char *const keys[MSG_COUNT] = {
#define MSG_X_KEY(id, key) key,
  MSG_LIST(MSG_X_KEY)
#undef MSG_X_KEY
};

/* Read path: every one of the n keys at the top level (the Japanese texts,
 * into text[0 .. n-1]), and the objects "en" and "easy" (into text[l * n + i]);
 * the keys in need[0 .. nneed-1] are required in every language. A missing
 * key is an error naming the file and the key: the service does not start. */
static int load_texts(const char *path, const char *const *keys, int n, const int *need, int nneed, char **text,
                      char *err) {
  json_error_t je;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
  int rc = 0;

  if (!root) return mg_errf(err, MG_ECONFIG, "%s:%d:%d: %s", path, je.line, je.column, je.text);
  for (int i = 0; i < n; i++) {
    const char *s = json_string_value(json_object_get(root, keys[i]));
    if (!s || !*s) { rc = mg_errf(err, MG_ECONFIG, "%s: \"%s\" must be a non-empty string", path, keys[i]); goto out; }
    if (!(text[i] = strdup(s))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  }
  for (int l = 1; l < BOT_LANG_COUNT; l++) {
    json_t *lo = json_object_get(root, bot_lang_name(l));
    if (!json_is_object(lo)) { rc = mg_errf(err, MG_ECONFIG, "%s: \"%s\" must be an object of texts", path, bot_lang_name(l)); goto out; }
    for (int i = 0; i < n; i++) {
      json_t *v = json_object_get(lo, keys[i]);
      if (!v) continue;
      if (!json_is_string(v) || !*json_string_value(v)) {
        rc = mg_errf(err, MG_ECONFIG, "%s: \"%s\".\"%s\" must be a non-empty string", path, bot_lang_name(l), keys[i]);
        goto out;
      }
      if (!(text[l * n + i] = strdup(json_string_value(v)))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
    }
    for (int k = 0; k < nneed; k++)
      if (!text[l * n + need[k]]) {
        rc = mg_errf(err, MG_ECONFIG, "%s: \"%s\" lacks \"%s\"", path, bot_lang_name(l), keys[need[k]]);
        goto out;
      }
  }
out:
  json_decref(root);
  return rc;
}

int bot_msg_load(msg_set **out, const char *path, char *err) {
  static const int need[] = {
#define MSG_X_NEED(id) id,
    MSG_RESIDENT(MSG_X_NEED)
#undef MSG_X_NEED
  };
  msg_set *m = NULL;
  int rc = 0;

  *out = NULL;
  if (!(m = calloc(1, sizeof *m))) return mg_errf(err, MG_ENOMEM, "out of memory");
  if ((rc = load_texts(path, keys, MSG_COUNT, need, (int)(sizeof need / sizeof need[0]), &m->text[0][0], err)) != 0)
    goto out;
  for (int l = 0; l < BOT_LANG_COUNT; l++) {
    char day[32];
    if (m->text[l][MSG_WEEKDAYS] && bot_msg_weekday(m, l, 6, day, sizeof day) != 0) {
      rc = mg_errf(err, MG_ECONFIG, "%s: \"weekdays\" (%s) must be seven words, Sunday first", path, bot_lang_name(l));
      goto out;
    }
  }
  *out = m;
  m = NULL;
out:
  bot_msg_free(m);
  return rc;
}

void bot_msg_free(msg_set *m) {
  if (!m) return;
  for (int l = 0; l < BOT_LANG_COUNT; l++)
    for (int i = 0; i < MSG_COUNT; i++) free(m->text[l][i]);
  free(m);
}

/* ---- the public pages' words (dict/pages.json) ---------------------------- */

struct bot_words {
  char *text[BOT_LANG_COUNT][PW_COUNT];
};

static const char *const page_keys[PW_COUNT] = {
#define PW_X_KEY(id, key) key,
  PAGE_WORDS(PW_X_KEY)
#undef PW_X_KEY
};

int bot_words_load(bot_words **out, const char *path, char *err) {
  static const int need[] = {
#define PW_X_NEED(id) id,
    PAGE_WORDS_LANG(PW_X_NEED)
#undef PW_X_NEED
  };
  bot_words *w = NULL;
  int rc = 0;

  *out = NULL;
  if (!(w = calloc(1, sizeof *w))) return mg_errf(err, MG_ENOMEM, "out of memory");
  if ((rc = load_texts(path, page_keys, PW_COUNT, need, (int)(sizeof need / sizeof need[0]), &w->text[0][0], err)) != 0)
    goto out;
  *out = w;
  w = NULL;
out:
  bot_words_free(w);
  return rc;
}

void bot_words_free(bot_words *w) {
  if (!w) return;
  for (int l = 0; l < BOT_LANG_COUNT; l++)
    for (int i = 0; i < PW_COUNT; i++) free(w->text[l][i]);
  free(w);
}

const char *bot_word(const bot_words *w, enum page_word id) { return w->text[BOT_LANG_JA][id]; }

const char *bot_word_lang(const bot_words *w, enum page_word id, int lang) {
  if (lang > 0 && lang < BOT_LANG_COUNT && w->text[lang][id]) return w->text[lang][id];
  return w->text[BOT_LANG_JA][id];
}

int bot_msg_weekday(const msg_set *m, int lang, int wday, char *out, size_t n) {
  const char *p = bot_msg_lang(m, MSG_WEEKDAYS, lang);
  size_t k;
  for (int i = 0; i <= wday; i++) {
    while (*p == ' ') p++;
    k = strcspn(p, " ");
    if (!k) break;
    if (i == wday) {
      if (k >= n) break;
      memcpy(out, p, k);
      out[k] = '\0';
      return 0;
    }
    p += k;
  }
  if (n) out[0] = '\0';
  return MG_ECONFIG;
}

const char *bot_msg_get(const msg_set *m, enum msg_id id) { return m->text[BOT_LANG_JA][id]; }

const char *bot_msg_lang(const msg_set *m, enum msg_id id, int lang) {
  if (lang > 0 && lang < BOT_LANG_COUNT && m->text[lang][id]) return m->text[lang][id];
  return m->text[BOT_LANG_JA][id];
}

char *bot_msg_fill(const char *tmpl, int n, const char *const *names, const char *const *values) {
  size_t cap = strlen(tmpl) + 1, len = 0;
  const char *p = tmpl;
  char *out;

  for (int i = 0; i < n; i++) cap += strlen(values[i]) * 4; /* each name may appear a few times */
  if (!(out = malloc(cap))) return NULL;
  while (*p) {
    int hit = -1;
    if (*p == '{')
      for (int i = 0; i < n && hit < 0; i++) {
        size_t k = strlen(names[i]);
        if (strncmp(p + 1, names[i], k) == 0 && p[1 + k] == '}') hit = i;
      }
    if (hit < 0) { out[len++] = *p++; continue; }
    size_t vl = strlen(values[hit]);
    if (len + vl + strlen(p) + 1 > cap) {
      char *bigger = realloc(out, cap = len + vl + strlen(p) + 1 + cap);
      if (!bigger) { free(out); return NULL; }
      out = bigger;
    }
    memcpy(out + len, values[hit], vl);
    len += vl;
    p += strlen(names[hit]) + 2;
  }
  out[len] = '\0';
  return out;
}
