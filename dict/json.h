/*
 * json.h — the one reader of dict/'s JSON files: rules.json, intents.json,
 * safety.json, life_events.json, inquiry.json.
 *
 * This module reads and parses the file, so every file a city edits is
 * refused the same way, at FILE:LINE:COLUMN; what the keys mean (and the
 * compiling of patterns) is the caller's, naming the file in its messages.
 */
#ifndef DICT_JSON_H
#define DICT_JSON_H

#include <jansson.h>

/* Read and parse path; a key given twice in one object refuses the file. On
 * success *out is the document, which the caller releases with json_decref.
 * Errors, *out NULL:
 *   MG_EIO       "FILE: reason" when the file cannot be opened or read
 *   MG_EBADJSON  "FILE:LINE:COLUMN: reason" (Jansson's words) */
int dict_json_load(json_t **out, const char *path, char *err);

#endif
