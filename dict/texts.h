/*
 * texts.h — read dict/messages.json: texts by key, in several languages.
 *
 * The file is one JSON object: the base language's texts under their keys,
 * and one object per further language holding the same keys:
 *
 *     { "greeting": "こんにちは…", …, "en": { "greeting": "Hello…", … }, "easy": { … } }
 *
 * This module only reads and checks the file against the keys and languages
 * its caller names; which keys exist and what fills their placeholders is the
 * bot's (bot/messages.h).
 */
#ifndef DICT_TEXTS_H
#define DICT_TEXTS_H

typedef struct dict_texts {
  char **text;  /* [lang * nkeys + key]; NULL where a further language gives no text */
  int nlangs, nkeys;
} dict_texts;

/* Read path. keys[0..nkeys) are the keys, every one required as a non-empty
 * string at the top level (language 0); langs[1..nlangs) name the further
 * languages' objects (langs[0] is not used), each required, whose keys are
 * optional except required[0..nrequired) (indexes into keys). On success
 * *out is new and the caller frees it with dict_texts_free; every string is
 * owned by it. Errors, with err naming the file:
 *   MG_ECONFIG  "FILE:LINE:COLUMN: reason" when the file cannot be read or is
 *               not JSON (a duplicate key included); "FILE: \"key\" must be a
 *               non-empty string", "FILE: \"lang\" must be an object of
 *               texts", "FILE: \"lang\".\"key\" must be a non-empty string",
 *               "FILE: \"lang\" lacks \"key\""
 *   MG_ENOMEM */
int dict_texts_load(dict_texts **out, const char *path, const char *const *keys, int nkeys,
                    const char *const *langs, int nlangs, const int *required, int nrequired, char *err);
void dict_texts_free(dict_texts *t);

#endif
