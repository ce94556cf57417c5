/*
 * messages.c — loading dict/messages.json and filling its placeholders.
 */
#include "bot/messages.h"
#include "util/mg_err.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct msg_set {
  char *text[MSG_COUNT];
};

static const char *const keys[MSG_COUNT] = {
#define MSG_X_KEY(id, key) key,
  MSG_LIST(MSG_X_KEY)
#undef MSG_X_KEY
};

int msg_load(msg_set **out, const char *path, char *err) {
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
    if (!(m->text[i] = strdup(s))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  }
  *out = m;
  m = NULL;
out:
  msg_free(m);
  json_decref(root);
  return rc;
}

void msg_free(msg_set *m) {
  if (!m) return;
  for (int i = 0; i < MSG_COUNT; i++) free(m->text[i]);
  free(m);
}

const char *msg_get(const msg_set *m, enum msg_id id) { return m->text[id]; }

char *msg_fill(const char *tmpl, int n, const char *const *names, const char *const *values) {
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
