/*
 * public.h — what residents may read of the FAQ: published revisions only.
 *
 * The public pages (adapters/pages*.c) and the console's hints read entries
 * through these functions, never the store, so a draft can never reach a
 * page: each reads the revision that answers, and an id that is not a valid
 * entry id is simply not found. They hold no rules beyond that, so most are
 * the store's own calls (faq/store.h) with the published filter fixed.
 * Every function returns 0 or a negative MG_E* code with a reason in the
 * caller's err[MG_ERRLEN].
 */
#ifndef MG_BOT_PUBLIC_H
#define MG_BOT_PUBLIC_H

#include <sqlite3.h>

#include "faq/store.h"

/* Is id a well-formed entry or department id (1-64 of A-Z a-z 0-9 - _ .)? */
int bot_public_id_ok(const char *id);

/* Call fn for the published revision of each published entry, in id order,
 * of category and department (NULL: any). e is valid during the call only;
 * a non-zero return from fn stops the walk and is returned. */
int bot_public_list(sqlite3 *db, const char *category, const char *department,
                    int (*fn)(void *ctx, const mg_faq_entry *e), void *ctx, char *err);

/* The published revision of entry id into *out (new, free with
 * bot_public_entry_free). MG_ENOTFOUND when id is not a valid id, or names
 * no published entry. */
int bot_public_get(sqlite3 *db, const char *id, mg_faq_entry **out, char *err);
void bot_public_entry_free(mg_faq_entry *e);

/* The published question of entry id into *out (new string, caller frees).
 * MG_ENOTFOUND when id has no published revision. */
int bot_public_question(sqlite3 *db, const char *id, char **out, char *err);

/* Call fn for each department in id order; d is valid during the call. */
int bot_public_departments(sqlite3 *db, int (*fn)(void *ctx, const mg_department *d), void *ctx, char *err);

/* Department id into *out (strings new, free with
 * bot_public_department_clear). MG_ENOTFOUND when id is not a valid id or
 * names no department. */
int bot_public_department(sqlite3 *db, const char *id, mg_department *out, char *err);
void bot_public_department_clear(mg_department *d);

#endif
