/*
 * mg_json.h — reading a JSON data file with one error convention.
 *
 * Every data file a city edits (dict/safety.json, dict/intents.json, …) is
 * read the same way: duplicate keys refused, a file that cannot be read is
 * MG_EIO "PATH: reason", a syntax error is MG_EBADJSON "PATH:LINE:COL: reason".
 */
#ifndef MG_JSON_H
#define MG_JSON_H

#include <jansson.h>

/* Load path into *out (caller json_decref's it). Returns 0 or MG_EIO /
 * MG_EBADJSON with err (MG_ERRLEN bytes) set. */
int mg_json_load(const char *path, json_t **out, char *err);

#endif
