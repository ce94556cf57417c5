/*
 * admin_learn.c — the console's side of the learning loop (faq/learn.h):
 * the phrasings residents used for an entry, once enough distinct sessions
 * and addresses stand behind them, for staff to accept or reject.
 *
 *   GET  /phrasings?offset=&limit=      staff: their department's; supervisors
 *                                       and admins: all (?department= filters)
 *   POST /phrasings/{id}/accept         the text becomes an alternate of the
 *   POST /phrasings/{id}/reject         entry (a new published revision)
 *
 * Staff act only on their own department's entries (403 otherwise). Each
 * decision is an audit row (faq.phrasing_accept / faq.phrasing_reject) with
 * the entry and the text; the engine sees an accepted phrasing at once.
 */
#include "adapters/admin_int.h"
#include "bot/answer.h"
#include "bot/audit.h"
#include "faq/learn.h"
#include "util/mg_err.h"

#include <stdlib.h>
#include <string.h>

#define PAGE_MAX 200

static int add_candidate(void *ctx, const faq_learn_candidate *k) {
  json_t *arr = ctx;
  return json_array_append_new(arr, json_pack("{sI ss ss ss ss si si ss ss}", "id", (json_int_t)k->id, "faq_id",
                                              k->faq_id, "question", k->question, "department",
                                              k->department_id ? k->department_id : "", "text", k->text, "sessions",
                                              k->sessions, "addresses", k->addresses, "first_at", k->first_at,
                                              "last_at", k->last_at)) == 0
           ? 0
           : MG_ENOMEM;
}

int admin_h_phrasings(admin_ctx *c) {
  const mg_config *cfg = bot_config(bot_worker_bot(c->w));
  char off_s[16], lim_s[16], dept_q[64];
  const char *dept = NULL;
  int offset = admin_query(c, "offset", off_s, sizeof off_s) ? atoi(off_s) : 0;
  int limit = admin_query(c, "limit", lim_s, sizeof lim_s) ? atoi(lim_s) : 50, total = 0, rc;
  json_t *arr = json_array();
  if (!arr) return mg_errf(c->err, MG_ENOMEM, "out of memory");
  if (limit < 1 || limit > PAGE_MAX) limit = limit < 1 ? 50 : PAGE_MAX;
  if (offset < 0) offset = 0;
  if (c->sess.user.role == AUTH_STAFF) dept = c->sess.user.department_id;
  else if (admin_query(c, "department", dept_q, sizeof dept_q)) dept = dept_q;
  rc = faq_learn_list(c->db, dept, cfg->learn_min_sessions, cfg->learn_min_addresses, offset, limit, add_candidate,
                      arr, &total, c->err);
  if (rc) {
    json_decref(arr);
    return rc;
  }
  return admin_reply_json(c, 200, json_pack("{so si si si}", "phrasings", arr, "total", total, "offset", offset,
                                            "limit", limit));
}

/* Accept or reject candidate args[0], for staff only within their department. */
static int decide(admin_ctx *c, int accept) {
  char *faq_id = NULL, *dept = NULL, *text = NULL, *end;
  long long id = strtoll(c->args[0], &end, 10);
  json_t *detail = NULL;
  int rc;
  if (*end || id <= 0) return admin_reply_error(c, 404, MG_ENOTFOUND, "その言い回しは見つかりません");
  rc = faq_learn_get(c->db, id, &faq_id, &dept, &text, c->err);
  if (rc == MG_ENOTFOUND) { rc = admin_reply_error(c, 404, MG_ENOTFOUND, "その言い回しは見つかりません"); goto out; }
  if (rc) goto out;
  if (c->sess.user.role == AUTH_STAFF && strcmp(dept, c->sess.user.department_id) != 0) {
    rc = admin_reply_error(c, 403, MG_EFORBIDDEN, "このFAQは他の部署の担当です");
    goto out;
  }
  rc = accept ? faq_learn_accept(c->db, id, c->sess.user.login, c->err) : faq_learn_reject(c->db, id, c->sess.user.login, c->err);
  if (rc == MG_ECONFLICT) { rc = admin_reply_error(c, 409, MG_ECONFLICT, c->err); goto out; }
  if (rc) goto out;
  detail = json_pack("{sI ss}", "phrasing", (json_int_t)id, "text", text);
  if ((rc = bot_audit_write(c->db, c->sess.user.login, accept ? "faq.phrasing_accept" : "faq.phrasing_reject", faq_id,
                        NULL, detail, NULL, c->err)))
    goto out;
  if (accept && (rc = bot_refresh(c->w, c->err))) goto out;
  rc = admin_reply_json(c, 200, json_pack("{sI ss ss}", "id", (json_int_t)id, "faq_id", faq_id, "state",
                                         accept ? "accepted" : "rejected"));
out:
  json_decref(detail);
  free(faq_id);
  free(dept);
  free(text);
  return rc;
}

int admin_h_phrasing_accept(admin_ctx *c) { return decide(c, 1); }
int admin_h_phrasing_reject(admin_ctx *c) { return decide(c, 0); }
