/*
 * admin_faq.c — FAQ curation endpoints of the admin API.
 *
 * Each handler reads the query and body, calls bot/curation.h, where the
 * rules live (revisions, the department rule, the audit row in the change's
 * transaction), and answers: the caller's mistakes as 4xx with the reason,
 * internal failures to the router (500).
 *
 * "Unanswered" shows the groups of bot/unanswered.h (questions the bot could
 * not answer, grouped by similarity) and lets staff close or merge them.
 */
#include "adapters/admin_int.h"
#include "bot/console.h"
#include "bot/curation.h"
#include "bot/public.h"
#include "bot/unanswered.h"
#include "util/mg_err.h"
#include "util/mg_utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNANSWERED_GROUPS 100    /* groups returned by default */
#define UNANSWERED_GROUPS_MAX 500 /* groups one page may ask for */

/* ---- reading ---------------------------------------------------------------- */

/* A list as one page of it: {key: rows, total, offset, limit}. */
static int reply_page(admin_ctx *c, const char *key, json_t *arr, int def, int max) {
  int offset, limit, total = (int)json_array_size(arr);
  admin_paging(c, &offset, &limit, def, max);
  return admin_reply_json(c, 200, json_pack("{so si si si}", key, admin_slice(arr, offset, limit), "total", total,
                                            "offset", offset, "limit", limit));
}

int admin_h_faq_list(admin_ctx *c) {
  char dept[64], cat[128], status[32], q[512];
  mg_faq_filter f = { 0 };
  json_t *arr = NULL;
  int rc;
  if (admin_query(c, "department", dept, sizeof dept)) f.department = dept;
  if (admin_query(c, "category", cat, sizeof cat)) f.category = cat;
  if (admin_query(c, "status", status, sizeof status)) f.status = status;
  if (admin_query(c, "q", q, sizeof q)) f.search = q;
  if ((rc = bot_curation_list(c->db, &f, &arr, c->err))) return rc == MG_EDB ? rc : admin_reply_error(c, 0, rc, c->err);
  return reply_page(c, "entries", arr, 500, 2000);
}

int admin_h_departments(admin_ctx *c) {
  json_t *arr = NULL;
  int rc = bot_curation_departments(c->db, &arr, c->err);
  if (rc) return rc;
  return admin_reply_json(c, 200, json_pack("{so}", "departments", arr));
}

/* GET /translations: what each department has left to translate (docs/admin-api.md). */
int admin_h_translations(admin_ctx *c) {
  char dept[64];
  json_t *per = NULL, *entries = NULL;
  int rc, offset, limit, total;
  rc = bot_curation_translations(c->db, admin_query(c, "department", dept, sizeof dept) ? dept : NULL, &per, &entries,
                                 c->err);
  if (rc) return rc == MG_EDB ? rc : admin_reply_error(c, 0, rc, c->err);
  admin_paging(c, &offset, &limit, 500, 2000);
  total = (int)json_array_size(entries);
  return admin_reply_json(c, 200, json_pack("{so so si si si}", "departments", per, "entries",
                                            admin_slice(entries, offset, limit), "total", total, "offset", offset,
                                            "limit", limit));
}

int admin_h_faq_get(admin_ctx *c) {
  json_t *out = NULL;
  int rc = bot_curation_history(c->db, c->args[0], &out, c->err);
  if (admin_failed(c, &rc)) return rc;
  return admin_reply_json(c, 200, out);
}

int admin_h_faq_version(admin_ctx *c) {
  json_t *e = NULL;
  int rc = bot_curation_version(c->db, c->args[0], atoi(c->args[1]), &e, c->err);
  if (admin_failed(c, &rc)) return rc;
  return admin_reply_json(c, 200, json_pack("{so}", "entry", e));
}

int admin_h_faq_diff(admin_ctx *c) {
  char from[16], to[16];
  json_t *out = NULL;
  int rc = bot_curation_diff(c->db, c->args[0], admin_query(c, "from", from, sizeof from) ? from : NULL,
                             admin_query(c, "to", to, sizeof to) ? to : NULL, &out, c->err);
  if (admin_failed(c, &rc)) return rc;
  return admin_reply_json(c, 200, out);
}

/* ---- changes ---------------------------------------------------------------- */

/* Answer a change: the entry as it is now and whether anything changed. */
static int change_reply(admin_ctx *c, int rc, json_t *entry, int changed) {
  if (admin_failed(c, &rc)) { json_decref(entry); return rc; }
  return admin_reply_json(c, 200, json_pack("{so sb}", "entry", entry, "changed", changed));
}

int admin_h_faq_create(admin_ctx *c) {
  bot_actor a = bot_actor_of(&c->sess);
  json_t *e = NULL;
  int changed = 0, rc = bot_curation_create(c->w, &a, admin_body_str(c, "id"), c->body, &e, &changed, c->err);
  return change_reply(c, rc, e, changed);
}

int admin_h_faq_put(admin_ctx *c) {
  bot_actor a = bot_actor_of(&c->sess);
  json_t *e = NULL;
  int changed = 0, rc;
  if (!c->body) return admin_reply_error(c, 400, MG_EMISSING, "JSON形式の本文が必要です");
  rc = bot_curation_put(c->w, &a, c->args[0], c->body, &e, &changed, c->err);
  return change_reply(c, rc, e, changed);
}

int admin_h_faq_alternate(admin_ctx *c) {
  bot_actor a = bot_actor_of(&c->sess);
  json_t *e = NULL;
  int publish = admin_body_int(c, "publish", 0) != 0 || json_is_true(json_object_get(c->body, "publish"));
  int changed = 0, rc = bot_curation_alternate(c->w, &a, c->args[0], admin_body_str(c, "text"), publish, &e, &changed,
                                               c->err);
  return change_reply(c, rc, e, changed);
}

int admin_h_faq_publish(admin_ctx *c) {
  bot_actor a = bot_actor_of(&c->sess);
  json_t *e = NULL;
  int changed = 0, rc = bot_curation_publish(c->w, &a, c->args[0], (int)admin_body_int(c, "version", 0), &e, &changed,
                                             c->err);
  return change_reply(c, rc, e, changed);
}

int admin_h_faq_rollback(admin_ctx *c) {
  bot_actor a = bot_actor_of(&c->sess);
  json_t *e = NULL;
  int changed = 0, rc = bot_curation_rollback(c->w, &a, c->args[0], (int)admin_body_int(c, "version", 0), &e, &changed,
                                              c->err);
  return change_reply(c, rc, e, changed);
}

/* ---- try it ----------------------------------------------------------------- */

int admin_h_try(admin_ctx *c) {
  const char *text = admin_body_str(c, "text");
  json_t *out = NULL;
  int rc, drafts = c->body && json_is_true(json_object_get(c->body, "drafts"));
  if (!text || !*text) return admin_reply_error(c, 400, MG_EEMPTY, "質問を入力してください");
  if (mg_utf8_count(text, strlen(text)) > MG_TEXT_MAX) return admin_reply_error(c, 400, MG_ETOOLONG, "1,000文字以内で入力してください");
  if ((rc = bot_refresh(c->w, c->err))) return rc;
  /* drafts: as residents would be answered once every draft is published */
  if (drafts) rc = bot_answer_drafts(c->w, text, (int)strlen(text), &out, c->err);
  else rc = bot_answer(c->w, text, (int)strlen(text), 1, &out, c->err);
  if (rc == MG_EBADUTF8 || rc == MG_ETOOLONG || rc == MG_EEMPTY || rc == MG_EINVAL)
    return admin_reply_error(c, 400, rc, c->err);
  if (rc) return rc;
  json_object_set_new(out, "drafts", json_boolean(drafts));
  return admin_reply_json(c, 200, out);
}

/* ---- unanswered --------------------------------------------------------------- */

/* Groups of bot/unanswered.h, each with the published entry nearest to its
 * text ("create entry" starts from that entry's department and answer). */
int admin_h_unanswered(admin_ctx *c) {
  char days_s[16];
  int days = admin_query(c, "days", days_s, sizeof days_s) ? atoi(days_s) : 90, n = 0, truncated = 0, rc, offset, limit;
  json_t *groups = NULL, *page, *g;
  size_t i;

  bot_actor a = bot_actor_of(&c->sess);

  if (days <= 0) days = 90;
  /* residents' own words: the read is audited */
  if ((rc = bot_console_unanswered(c->db, &a, days, &groups, &n, &truncated, c->err))) return rc;
  {
    size_t total = json_array_size(groups);
    admin_paging(c, &offset, &limit, UNANSWERED_GROUPS, UNANSWERED_GROUPS_MAX);
    page = admin_slice(groups, offset, limit);
    json_array_foreach(page, i, g) {
      const char *text = json_string_value(json_object_get(g, "text"));
      char id[64];
      char *q = NULL;
      if ((rc = bot_nearest(c->w, text, (int)strlen(text), id, sizeof id, c->err))) { json_decref(page); return rc; }
      if (id[0] && bot_public_question(c->db, id, &q, c->err) == 0)
        json_object_set_new(g, "nearest", json_pack("{ss ss}", "faq_id", id, "question", q));
      free(q);
    }
    /* total: the groups among the newest UNANSWERED_ROWS questions; "truncated"
     * says that older questions were not read */
    return admin_reply_json(c, 200, json_pack("{si si so si si si sb}", "days", days, "questions", n, "groups", page,
                                              "total", (int)total, "offset", offset, "limit", limit, "truncated",
                                              truncated));
  }
}

static int unanswered_mark_reply(admin_ctx *c, int rc, int n, const char *what) {
  if (rc == MG_EINVAL || rc == MG_EMISSING || rc == MG_ETOOLONG || rc == MG_ENOTFOUND)
    return admin_reply_error(c, rc == MG_ENOTFOUND ? 404 : 400, rc, c->err);
  if (rc) return rc;
  return admin_reply_json(c, 200, json_pack("{ss si}", "done", what, "questions", n));
}

int admin_h_unanswered_close(admin_ctx *c) {
  int n = 0, rc = bot_unanswered_close(c->db, c->body ? json_object_get(c->body, "keys") : NULL, c->sess.user.login, &n, c->err);
  return unanswered_mark_reply(c, rc, n, "closed");
}

int admin_h_unanswered_merge(admin_ctx *c) {
  int n = 0, rc = bot_unanswered_merge(c->db, c->body ? json_object_get(c->body, "keys") : NULL, admin_body_str(c, "into"),
                                   c->sess.user.login, &n, c->err);
  return unanswered_mark_reply(c, rc, n, "merged");
}

/* ---- import / export ----------------------------------------------------------- */

int admin_h_import(admin_ctx *c) {
  char draft[8], enc[16];
  bot_actor a = bot_actor_of(&c->sess);
  json_t *report = NULL;
  int rc = bot_curation_import(c->w, &a, c->req->body, c->req->body_len,
                               admin_query(c, "draft", draft, sizeof draft) && strcmp(draft, "0") != 0,
                               admin_query(c, "encoding", enc, sizeof enc) ? enc : NULL, &report, c->err);
  if (rc == MG_ECSV || rc == MG_EBADUTF8 || rc == MG_EBADJSON || rc == MG_EINVAL)
    return admin_reply_json(c, 422, json_pack("{s{ss ss ss} so}", "error", "code", mg_err_code(rc), "message",
                                              mg_err_message(rc), "detail", "何も取り込んでいません", "report", report));
  json_decref(rc ? report : NULL);
  if (rc == MG_EMISSING) return admin_reply_error(c, 400, rc, c->err);
  if (rc) return rc;
  return admin_reply_json(c, 200, json_pack("{so}", "report", report));
}

int admin_h_export(admin_ctx *c) {
  char pub[8], name[48], *buf = NULL;
  size_t len = 0;
  int rc = bot_curation_export(c->db, admin_query(c, "published", pub, sizeof pub) && strcmp(pub, "0") != 0, &buf, &len,
                               c->err);
  if (rc) return rc;
  bot_curation_export_name(c->db, name, sizeof name);
  return admin_reply_bytes(c, buf, len, "text/csv; charset=utf-8", name);
}
