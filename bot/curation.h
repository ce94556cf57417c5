/*
 * curation.h — the staff console's FAQ curation, as use-cases with their rules.
 *
 * The console edits the FAQ only through these functions, so the rules of
 * revisions and of departments hold wherever a change comes from: an edit
 * adds a draft revision and leaves the published text answering; publish
 * moves the pointer (and the FTS5 triggers index the new text at once);
 * rollback copies an old revision into a new one and publishes it when the
 * entry is live, so history only ever grows and a rollback can itself be
 * rolled back. Staff change their own department's entries only and cannot
 * move an entry into or out of it (attack review F7); supervisors and admins
 * change any. Each change and its audit row (bot/audit.h) commit in one
 * transaction; a change that publishes refreshes the worker's engine before
 * it returns, so the next question sees the new text.
 *
 * The admin API (adapters/admin_faq.c, admin_learn.c) only translates HTTP
 * to these calls. Entries come back as JSON objects in the admin API's shape
 * (docs/admin-api.md) — the same shape the audit rows record, which is why
 * it is built here. Every function returns 0 or a negative MG_E* code with a
 * reason in the caller's err[MG_ERRLEN]: MG_EINVAL, MG_EMISSING (a bad or
 * missing field), MG_ENOTFOUND (no such entry or version), MG_ECONFLICT,
 * MG_EFORBIDDEN (the department rule) are the caller's mistakes; others are
 * internal failures. Returned JSON is new: the caller owns it.
 */
#ifndef MG_BOT_CURATION_H
#define MG_BOT_CURATION_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

#include "bot/answer.h"
#include "bot/auth.h"
#include "faq/store.h"

/* The department rule: may a change an entry that is old (NULL: a new
 * entry) so that it belongs to new_dept (NULL: the department stays)?
 * Returns 0, or MG_EFORBIDDEN with the reason in err. */
int bot_curation_may_change(const bot_actor *a, const mg_faq_entry *old, const char *new_dept, char *err);

/* ---- reading ---- */

/* An entry in full, as the console shows it and the audit log records it:
 * {id, version, published_version, status, question, answer, alternates,
 * keywords, related, category, department{id, name}, url, online_url, the
 * checklist fields, the translations, updated_at, updated_by}. New; NULL
 * when out of memory. */
json_t *bot_curation_entry_json(const mg_faq_entry *e);

/* The newest revision of each entry matching f (NULL: all), as short
 * objects {id, version, published_version, status, question, category,
 * department, updated_at, updated_by}, into *out (new array). */
int bot_curation_list(sqlite3 *db, const mg_faq_filter *f, json_t **out, char *err);

/* Entry id with its history into *out (new): {entry (newest revision),
 * published (the published revision or null), versions [{version,
 * updated_at, updated_by, published}] newest first}. MG_ENOTFOUND. */
int bot_curation_history(sqlite3 *db, const char *id, json_t **out, char *err);

/* Revision n of entry id into *entry (new). MG_EINVAL when n <= 0,
 * MG_ENOTFOUND when there is no such entry or revision. */
int bot_curation_version(sqlite3 *db, const char *id, int n, json_t **entry, char *err);

/* Field by field difference of two revisions of entry id into *out (new):
 * {id, from, to, fields [{field, changed, ops}]} with ops as
 * bot_curation_textdiff. from and to are the versions as given (NULL when
 * absent): to defaults to the newest; from to the published version when it
 * is not to, else to - 1. MG_ENOTFOUND, MG_EINVAL for a version <= 0. */
int bot_curation_diff(sqlite3 *db, const char *id, const char *from, const char *to, json_t **out, char *err);

/* Line/character diff of two texts (NULL is "") as a new JSON array of
 * {op: "=", "-", "+", text}; short equal runs between two changes are
 * folded into the change; texts too large for a character diff are diffed
 * line by line. */
json_t *bot_curation_textdiff(const char *a, const char *b);

/* Every department as {id, name, phone, email, hours, location} into *out (new array). */
int bot_curation_departments(sqlite3 *db, json_t **out, char *err);

/* Published entries without their English or やさしい日本語 version
 * (question and answer both): *entries [{id, question, department,
 * missing_en, missing_easy}] of department only (NULL: all), and
 * *departments [{department, name, published, missing_en, missing_easy}]
 * counted over all. Both new. */
int bot_curation_translations(sqlite3 *db, const char *only, json_t **departments, json_t **entries, char *err);

/* ---- changes (each with its audit row in one transaction) ---- */

/* fields: an object in the admin API's names (question, answer, category,
 * department as an id or {id}, url, online_url, the checklist fields, the
 * translations; alternates, keywords and related as an array of strings or
 * one string of lines). An absent field keeps the entry's own. On success
 * *entry (may be NULL) is the entry as it is now (new) and *changed (may be
 * NULL) says whether a revision was added or the published one moved. */

/* Create entry id (NULL or "": the next free id) from fields, as a draft
 * (audit faq.create). MG_ECONFLICT when id exists, MG_EINVAL for malformed
 * fields or related ids that name no entry, MG_EFORBIDDEN. */
int bot_curation_create(bot_worker *w, const bot_actor *a, const char *id, const json_t *fields, json_t **entry,
                        int *changed, char *err);

/* Add a draft revision of entry id with fields over the newest revision
 * (audit faq.edit). MG_ENOTFOUND, MG_EINVAL, MG_EFORBIDDEN. */
int bot_curation_put(bot_worker *w, const bot_actor *a, const char *id, const json_t *fields, json_t **entry,
                     int *changed, char *err);

/* Add text (one line) as an alternate phrasing of entry id, published at
 * once when publish (audit faq.alternate); a phrasing the entry has already
 * changes nothing. MG_EMISSING for an empty or multi-line text. */
int bot_curation_alternate(bot_worker *w, const bot_actor *a, const char *id, const char *text, int publish,
                           json_t **entry, int *changed, char *err);

/* Publish revision version (0: the newest) of entry id (audit
 * faq.publish with the published version before and after). */
int bot_curation_publish(bot_worker *w, const bot_actor *a, const char *id, int version, json_t **entry, int *changed,
                         char *err);

/* A new revision of entry id with revision version's content, published
 * when the entry is live (audit faq.rollback, "to version N"). MG_EMISSING
 * when version <= 0, MG_ENOTFOUND. */
int bot_curation_rollback(bot_worker *w, const bot_actor *a, const char *id, int version, json_t **entry, int *changed,
                          char *err);

/* Import a CSV file's bytes (faq/io.h; staff into their own department
 * only), as drafts when draft, in encoding (NULL: detect). *report (new)
 * is {entries, added, revised, unchanged, departments, n_errors, truncated,
 * errors}, set also when the file is refused (MG_ECSV, MG_EBADUTF8,
 * MG_EBADJSON, MG_EINVAL: nothing was imported). On success the import is
 * audited (faq.import) and the engine refreshed. MG_EMISSING for no bytes. */
int bot_curation_import(bot_worker *w, const bot_actor *a, const char *body, size_t len, int draft,
                        const char *encoding, json_t **report, char *err);

/* The FAQ as CSV (the published text when published) into *buf (malloc'd,
 * caller frees) of *len bytes. */
int bot_curation_export(sqlite3 *db, int published, char **buf, size_t *len, char *err);
/* The export's file name: "<municipality code>-faq.csv" from the FAQ's meta
 * (the code of the imported file, e.g. "382060-faq.csv"), "faq.csv" when
 * there is none or it is not a plain [A-Za-z0-9_-] id. */
void bot_curation_export_name(sqlite3 *db, char *name, size_t n);

/* ---- learned phrasings (faq/learn.h, docs/learning.md) ---- */

/* Candidate phrasings with enough sessions and addresses behind them (the
 * configuration's learn_min_*): staff see their own department's, others
 * department's (NULL: all). *out (new array) holds page [offset, offset +
 * limit) of {id, faq_id, question, department, text, sessions, addresses,
 * first_at, last_at}; *total counts all. */
int bot_curation_phrasings(bot_worker *w, const bot_actor *a, const char *department, int offset, int limit,
                           json_t **out, int *total, char *err);

/* Accept (the text becomes an alternate, published) or reject candidate
 * id (its decimal text), audited as faq.phrasing_accept/_reject; staff
 * within their department only. *id_out and *faq_id (new string, caller
 * frees) name what was decided. MG_ENOTFOUND, MG_EFORBIDDEN, MG_ECONFLICT
 * (already decided). */
int bot_curation_phrasing_decide(bot_worker *w, const bot_actor *a, const char *id, int accept, long long *id_out,
                                 char **faq_id, char *err);

#endif
