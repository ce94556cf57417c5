/*
 * json.c — read and parse a dict/ JSON file (see json.h).
 */
#include "dict/json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/mg_err.h"

int dict_json_load(json_t **out, const char *path, char *err) {
  json_error_t je;
  FILE *f;
  int rc = 0;

  *out = NULL;
  if (!(f = fopen(path, "rb"))) return mg_errf(err, MG_EIO, "%s: %s", path, strerror(errno));
  if (!(*out = json_loadf(f, JSON_REJECT_DUPLICATES, &je))) {
    if (ferror(f)) rc = mg_errf(err, MG_EIO, "%s: read error", path);
    else rc = mg_errf(err, MG_EBADJSON, "%s:%d:%d: %s", path, je.line, je.column, je.text);
  }
  fclose(f);
  return rc;
}
