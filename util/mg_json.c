/*
 * mg_json.c — see mg_json.h.
 */
#include "util/mg_json.h"

#include "util/mg_err.h"

int mg_json_load(const char *path, json_t **out, char *err) {
  json_error_t je;
  if ((*out = json_load_file(path, JSON_REJECT_DUPLICATES, &je)) != NULL) return 0;
  /* jansson reports an unreadable file with line -1 */
  if (je.line < 0) return mg_errf(err, MG_EIO, "%s: %s", path, je.text);
  return mg_errf(err, MG_EBADJSON, "%s:%d:%d: %s", path, je.line, je.column, je.text);
}
