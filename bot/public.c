/*
 * public.c — the published FAQ as residents read it (public.h): the store's
 * reads with the published filter fixed and ids checked before any query.
 */
#include "bot/public.h"
#include "util/mg_err.h"

int bot_public_id_ok(const char *id) { return faq_valid_id(id); }

int bot_public_list(sqlite3 *db, const char *category, const char *department,
                    int (*fn)(void *ctx, const mg_faq_entry *e), void *ctx, char *err) {
  mg_faq_filter f = { .published_text = 1, .category = category, .department = department };
  return faq_list(db, &f, fn, ctx, err);
}

int bot_public_get(sqlite3 *db, const char *id, mg_faq_entry **out, char *err) {
  *out = NULL;
  if (!faq_valid_id(id)) return mg_errf(err, MG_ENOTFOUND, "no entry %.64s", id ? id : "");
  return faq_get(db, id, MG_FAQ_PUBLISHED, out, err);
}

void bot_public_entry_free(mg_faq_entry *e) { faq_entry_free(e); }

int bot_public_question(sqlite3 *db, const char *id, char **out, char *err) { return faq_question(db, id, out, err); }

int bot_public_departments(sqlite3 *db, int (*fn)(void *ctx, const mg_department *d), void *ctx, char *err) {
  return faq_department_list(db, fn, ctx, err);
}

int bot_public_department(sqlite3 *db, const char *id, mg_department *out, char *err) {
  if (!faq_valid_id(id)) return mg_errf(err, MG_ENOTFOUND, "no department %.64s", id ? id : "");
  return faq_department_get(db, id, out, err);
}

void bot_public_department_clear(mg_department *d) { faq_department_clear(d); }
