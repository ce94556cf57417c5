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

int bot_msg_load(msg_set **out, const char *path, char *err) {
  json_error_t je;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
  msg_set *m = NULL;
  int rc = 0;

  *out = NULL;
  if (!root) return mg_errf(err, MG_ECONFIG, "%s:%d:%d: %s", path, je.line, je.column, je.text);
  if (!(m = calloc(1, sizeof *m))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  for (int i = 0; i < MSG_COUNT; i++) {
    const char *s = json_string_value(json_object_get(root, keys[i]));
    if (!s || !*s) { rc = mg_errf(err, MG_ECONFIG, "%s: \"%s\" must be a non-empty string", path, keys[i]); goto out; }
    if (!(m->text[BOT_LANG_JA][i] = strdup(s))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  }
  for (int l = 1; l < BOT_LANG_COUNT; l++) {
    json_t *lo = json_object_get(root, bot_lang_name(l));
    if (!json_is_object(lo)) { rc = mg_errf(err, MG_ECONFIG, "%s: \"%s\" must be an object of texts", path, bot_lang_name(l)); goto out; }
    for (int i = 0; i < MSG_COUNT; i++) {
      json_t *v = json_object_get(lo, keys[i]);
      if (!v) continue;
      if (!json_is_string(v) || !*json_string_value(v)) {
        rc = mg_errf(err, MG_ECONFIG, "%s: \"%s\".\"%s\" must be a non-empty string", path, bot_lang_name(l), keys[i]);
        goto out;
      }
      if (!(m->text[l][i] = strdup(json_string_value(v)))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
    }
#define MSG_X_NEED(id) \
    if (!m->text[l][id]) { rc = mg_errf(err, MG_ECONFIG, "%s: \"%s\" lacks \"%s\"", path, bot_lang_name(l), keys[id]); goto out; }
    MSG_RESIDENT(MSG_X_NEED)
#undef MSG_X_NEED
  }
  *out = m;
  m = NULL;
out:
  bot_msg_free(m);
  json_decref(root);
  return rc;
}

void bot_msg_free(msg_set *m) {
  if (!m) return;
  for (int l = 0; l < BOT_LANG_COUNT; l++)
    for (int i = 0; i < MSG_COUNT; i++) free(m->text[l][i]);
  free(m);
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
