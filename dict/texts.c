/*
 * texts.c — read dict/messages.json (format in texts.h).
 */
#include "dict/texts.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/mg_err.h"

int dict_texts_load(dict_texts **out, const char *path, const char *const *keys, int nkeys,
                    const char *const *langs, int nlangs, const int *required, int nrequired, char *err) {
  json_error_t je;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
  dict_texts *t = NULL;
  int rc = 0;

  *out = NULL;
  if (!root) return mg_errf(err, MG_ECONFIG, "%s:%d:%d: %s", path, je.line, je.column, je.text);
  if (!(t = calloc(1, sizeof *t)) || !(t->text = calloc((size_t)nlangs * (size_t)nkeys, sizeof *t->text))) {
    rc = mg_errf(err, MG_ENOMEM, "out of memory");
    goto out;
  }
  t->nlangs = nlangs, t->nkeys = nkeys;
  for (int i = 0; i < nkeys; i++) {
    const char *s = json_string_value(json_object_get(root, keys[i]));
    if (!s || !*s) { rc = mg_errf(err, MG_ECONFIG, "%s: \"%s\" must be a non-empty string", path, keys[i]); goto out; }
    if (!(t->text[i] = strdup(s))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  }
  for (int l = 1; l < nlangs; l++) {
    json_t *lo = json_object_get(root, langs[l]);
    if (!json_is_object(lo)) { rc = mg_errf(err, MG_ECONFIG, "%s: \"%s\" must be an object of texts", path, langs[l]); goto out; }
    for (int i = 0; i < nkeys; i++) {
      json_t *v = json_object_get(lo, keys[i]);
      if (!v) continue;
      if (!json_is_string(v) || !*json_string_value(v)) {
        rc = mg_errf(err, MG_ECONFIG, "%s: \"%s\".\"%s\" must be a non-empty string", path, langs[l], keys[i]);
        goto out;
      }
      if (!(t->text[l * nkeys + i] = strdup(json_string_value(v)))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
    }
    for (int r = 0; r < nrequired; r++)
      if (!t->text[l * nkeys + required[r]]) {
        rc = mg_errf(err, MG_ECONFIG, "%s: \"%s\" lacks \"%s\"", path, langs[l], keys[required[r]]);
        goto out;
      }
  }
  *out = t;
  t = NULL;
out:
  dict_texts_free(t);
  json_decref(root);
  return rc;
}

void dict_texts_free(dict_texts *t) {
  if (!t) return;
  if (t->text)
    for (int i = 0; i < t->nlangs * t->nkeys; i++) free(t->text[i]);
  free(t->text);
  free(t);
}
