/*
 * messages.c — the bot's texts (dict/messages.json) and the public pages'
 * words (dict/pages.json), both read by dict/texts.c, and the filling of
 * their placeholders.
 */
#include "bot/messages.h"
#include "bot/lang.h"
#include "dict/texts.h"
#include "util/mg_err.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct msg_set {
  dict_texts *t; /* [lang * MSG_COUNT + id]; NULL: not given (the Japanese text is used) */
};

static const char *const keys[MSG_COUNT] = {
#define MSG_X_KEY(id, key) key,
  MSG_LIST(MSG_X_KEY)
#undef MSG_X_KEY
};

static const int resident[] = {
#define MSG_X_NEED(id) id,
  MSG_RESIDENT(MSG_X_NEED)
#undef MSG_X_NEED
};

/* The languages' names as the files spell them ("en", "easy"). */
static void lang_names(const char **langs) {
  for (int l = 0; l < BOT_LANG_COUNT; l++) langs[l] = bot_lang_name(l);
}

int bot_msg_load(msg_set **out, const char *path, char *err) {
  const char *langs[BOT_LANG_COUNT];
  msg_set *m = NULL;
  int rc = 0;

  *out = NULL;
  lang_names(langs);
  if (!(m = calloc(1, sizeof *m))) return mg_errf(err, MG_ENOMEM, "out of memory");
  if ((rc = dict_texts_load(&m->t, path, keys, MSG_COUNT, langs, BOT_LANG_COUNT, resident,
                            (int)(sizeof resident / sizeof *resident), err)) != 0)
    goto out;
  for (int l = 0; l < BOT_LANG_COUNT; l++) {
    char day[32];
    if (m->t->text[l * MSG_COUNT + MSG_WEEKDAYS] && bot_msg_weekday(m, l, 6, day, sizeof day) != 0) {
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
  dict_texts_free(m->t);
  free(m);
}

/* ---- the public pages' words (dict/pages.json) ---------------------------- */

struct bot_words {
  dict_texts *t; /* [lang * PW_COUNT + id] */
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
  const char *langs[BOT_LANG_COUNT];
  bot_words *w = NULL;
  int rc = 0;

  *out = NULL;
  lang_names(langs);
  if (!(w = calloc(1, sizeof *w))) return mg_errf(err, MG_ENOMEM, "out of memory");
  if ((rc = dict_texts_load(&w->t, path, page_keys, PW_COUNT, langs, BOT_LANG_COUNT, need,
                            (int)(sizeof need / sizeof need[0]), err)) != 0)
    goto out;
  *out = w;
  w = NULL;
out:
  bot_words_free(w);
  return rc;
}

void bot_words_free(bot_words *w) {
  if (!w) return;
  dict_texts_free(w->t);
  free(w);
}

const char *bot_word(const bot_words *w, enum page_word id) { return w->t->text[id]; }

const char *bot_word_lang(const bot_words *w, enum page_word id, int lang) {
  if (lang > 0 && lang < BOT_LANG_COUNT && w->t->text[lang * PW_COUNT + id]) return w->t->text[lang * PW_COUNT + id];
  return w->t->text[id];
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

const char *bot_msg_get(const msg_set *m, enum msg_id id) { return m->t->text[id]; }

const char *bot_msg_lang(const msg_set *m, enum msg_id id, int lang) {
  if (lang > 0 && lang < BOT_LANG_COUNT && m->t->text[lang * MSG_COUNT + id]) return m->t->text[lang * MSG_COUNT + id];
  return m->t->text[id];
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
