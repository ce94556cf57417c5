/*
 * messages.c — the bot's texts (read by dict/messages.c) and filling their placeholders.
 */
#include "bot/messages.h"
#include "bot/lang.h"
#include "dict/texts.h"
#include "util/mg_err.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct msg_set {
  dict_texts *t; /* [lang][id]; NULL: not given (the Japanese text is used) */
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

int bot_msg_load(msg_set **out, const char *path, char *err) {
  const char *langs[BOT_LANG_COUNT];
  msg_set *m = NULL;
  int rc = 0;

  *out = NULL;
  for (int l = 0; l < BOT_LANG_COUNT; l++) langs[l] = bot_lang_name(l);
  if (!(m = calloc(1, sizeof *m))) return mg_errf(err, MG_ENOMEM, "out of memory");
  rc = dict_texts_load(&m->t, path, keys, MSG_COUNT, langs, BOT_LANG_COUNT, resident,
                       (int)(sizeof resident / sizeof *resident), err);
  if (rc == 0) *out = m, m = NULL;
  bot_msg_free(m);
  return rc;
}

void bot_msg_free(msg_set *m) {
  if (!m) return;
  dict_texts_free(m->t);
  free(m);
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
