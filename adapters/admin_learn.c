/*
 * admin_learn.c — the console's side of the learning loop (faq/learn.h,
 * through bot/curation.h): the phrasings residents used for an entry, once
 * enough distinct sessions and addresses stand behind them, for staff to
 * accept or reject.
 *
 *   GET  /phrasings?offset=&limit=      staff: their department's; supervisors
 *                                       and admins: all (?department= filters)
 *   POST /phrasings/{id}/accept         the text becomes an alternate of the
 *   POST /phrasings/{id}/reject         entry (a new published revision)
 *
 * Staff act only on their own department's entries (403 otherwise). Each
 * decision is an audit row (faq.phrasing_accept / faq.phrasing_reject) with
 * the entry and the text; the engine sees an accepted phrasing at once.
 * The rules are bot_curation_phrasings and bot_curation_phrasing_decide's.
 */
#include "adapters/admin_int.h"
#include "bot/curation.h"
#include "util/mg_err.h"

#include <stdlib.h>
#include <string.h>

#define PAGE_MAX 200

int admin_h_phrasings(admin_ctx *c) {
  bot_actor a = bot_actor_of(&c->sess);
  char off_s[16], lim_s[16], dept_q[64];
  int offset = admin_query(c, "offset", off_s, sizeof off_s) ? atoi(off_s) : 0;
  int limit = admin_query(c, "limit", lim_s, sizeof lim_s) ? atoi(lim_s) : 50, total = 0, rc;
  json_t *arr = NULL;
  if (limit < 1 || limit > PAGE_MAX) limit = limit < 1 ? 50 : PAGE_MAX;
  if (offset < 0) offset = 0;
  rc = bot_curation_phrasings(c->w, &a, admin_query(c, "department", dept_q, sizeof dept_q) ? dept_q : NULL, offset,
                              limit, &arr, &total, c->err);
  if (rc) return rc;
  return admin_reply_json(c, 200, json_pack("{so si si si}", "phrasings", arr, "total", total, "offset", offset,
                                            "limit", limit));
}

/* Accept or reject candidate args[0]. */
static int decide(admin_ctx *c, int accept) {
  bot_actor a = bot_actor_of(&c->sess);
  char *faq_id = NULL;
  long long id = 0;
  int rc = bot_curation_phrasing_decide(c->w, &a, c->args[0], accept, &id, &faq_id, c->err);
  if (rc == MG_ENOTFOUND || rc == MG_EFORBIDDEN || rc == MG_ECONFLICT) return admin_reply_error(c, 0, rc, c->err);
  if (rc) return rc;
  rc = admin_reply_json(c, 200, json_pack("{sI ss ss}", "id", (json_int_t)id, "faq_id", faq_id, "state",
                                         accept ? "accepted" : "rejected"));
  free(faq_id);
  return rc;
}

int admin_h_phrasing_accept(admin_ctx *c) { return decide(c, 1); }
int admin_h_phrasing_reject(admin_ctx *c) { return decide(c, 0); }
