/*
 * admin_ops.c — ticket inbox, statistics, accounts and the audit view.
 *
 * Who may do what, and the audit row each change leaves, are bot/console.h's
 * (staff only their own department's tickets and canned replies, a ticket
 * of another department refused before it is read); tickets are worked
 * through bot/ticket.h, the same API as `madoguchi tickets`. This file
 * reads the query and body, calls bot/, and answers.
 *
 * Statistics are bot/stats.h's, per Asia/Tokyo day; this file checks the
 * dates and shapes the answer (JSON, or CSV through bot_console_csv). The
 * SQL is with the modules that own the tables (docs/architecture.md).
 */
#define _GNU_SOURCE
#include "adapters/admin_int.h"
#include "util/mg_time.h"
#include "bot/console.h"
#include "util/mg_err.h"
#include "bot/line_store.h"
#include "bot/outbox.h"
#include "bot/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOP_N 10
/* ---- tickets ------------------------------------------------------------------ */

static json_t *seconds_or_null(long long s) { return s >= 0 ? json_integer(s) : json_null(); }

int admin_h_tickets(admin_ctx *c) {
  char status[16], dept[64], from[16], to[16];
  bot_actor a = bot_actor_of(&c->sess);
  ticket_filter f = { 0 };
  json_t *out = NULL, *t;
  size_t i;
  int rc, total = 0, offset, limit;
  if (admin_query(c, "status", status, sizeof status)) f.status = status;
  if (admin_query(c, "from", from, sizeof from)) f.from = from;
  if (admin_query(c, "to", to, sizeof to)) f.to = to;
  admin_paging(c, &offset, &limit, 200, 1000);
  rc = bot_console_ticket_scope(&a, admin_query(c, "department", dept, sizeof dept) ? dept : NULL, &f.department, c->err);
  if (admin_failed(c, &rc)) return rc;
  if (admin_query(c, "overdue", from, sizeof from) && strcmp(from, "1") == 0) {
    /* past their answer target, most overdue first, across the departments the reader sees */
    if ((rc = bot_ticket_overdue(c->db, bot_calendar(bot_worker_bot(c->w)), f.department, bot_config(bot_worker_bot(c->w))->answer_days,
                             time(NULL), &out, c->err)))
      return rc;
    total = (int)json_array_size(out);
    return admin_reply_json(c, 200, json_pack("{so si si si}", "tickets", out, "total", total, "offset", 0, "limit", total));
  }
  /* oldest first: the inbox is worked in the order residents asked */
  if ((rc = bot_ticket_page(c->db, &f, offset, limit, &out, &total, c->err))) return rc;
  json_array_foreach(out, i, t) {
    const char *created = json_string_value(json_object_get(t, "created_at"));
    json_object_set_new(t, "first_reply_seconds",
                        seconds_or_null(admin_seconds_between(created, json_string_value(json_object_get(t, "first_reply_at")))));
    json_object_set_new(t, "close_seconds",
                        seconds_or_null(admin_seconds_between(created, json_string_value(json_object_get(t, "closed_at")))));
  }
  if ((rc = bot_ticket_add_reassignments(c->db, out, c->err))) { json_decref(out); return rc; }
  return admin_reply_json(c, 200, json_pack("{so si si si}", "tickets", out, "total", total, "offset", offset, "limit", limit));
}

/* The live inbox: {version, open, answered} for the reader's department
 * (all for supervisors). With ?since=V where V is still the version, the
 * answer is held until a ticket changes or ADMIN_INBOX_WAIT passes
 * (admin_http.c parks it), so an open console learns of a new ticket or a
 * resident's reply within about a second without asking again and again. */
int admin_h_inbox(admin_ctx *c) {
  char since[32];
  long long version;
  int rc, open, answered;
  bot_actor a = bot_actor_of(&c->sess);
  const char *dept = NULL;
  if ((rc = bot_console_ticket_scope(&a, NULL, &dept, c->err))) return rc;
  if ((rc = bot_ticket_inbox(c->db, dept, &version, &open, &answered, c->err))) return rc;
  if (!c->req->no_park && admin_query(c, "since", since, sizeof since) && atoll(since) == version) {
    c->resp->park = 1;
  }
  return admin_reply_json(c, 200, json_pack("{sI si si}", "version", (json_int_t)version, "open", open, "answered", answered));
}

/* Personal-information requests (個人情報保護法): what the city holds about one
 * resident, found by ticket number, e-mail or phone, and its erasure. Both
 * are audited (privacy.find names how the resident was looked up, never the
 * value; privacy.erase is written by ticket_erase in its transaction). */
int admin_h_privacy_find(admin_ctx *c) {
  char no[TICKET_NOLEN], email[256], phone[64];
  bot_actor a = bot_actor_of(&c->sess);
  ticket_person who = { 0 };
  json_t *out = NULL;
  int rc;
  if (admin_query(c, "ticket", no, sizeof no) && *no) who.ticket_no = no;
  if (admin_query(c, "email", email, sizeof email) && *email) who.email = email;
  if (admin_query(c, "phone", phone, sizeof phone) && *phone) who.phone = phone;
  rc = bot_console_privacy_find(c->db, &a, &who, &out, c->err);
  if (rc == MG_EINVAL || rc == MG_EMISSING) return admin_reply_error(c, 400, rc, c->err);
  if (rc) return rc;
  return admin_reply_json(c, 200, json_pack("{so si}", "tickets", out, "count", (int)json_array_size(out)));
}

int admin_h_privacy_erase(admin_ctx *c) {
  const char *no = admin_body_str(c, "ticket_no");
  int rc;
  if (!no || !*no) return admin_reply_error(c, 400, MG_EMISSING, "受付番号（ticket_no）を指定してください");
  rc = bot_ticket_erase(c->db, no, c->sess.user.login, c->err);
  if (rc == MG_ENOTFOUND) return admin_reply_error(c, 404, rc, c->err);
  if (rc) return rc;
  return admin_reply_json(c, 200, json_pack("{ss}", "erased", no));
}

int admin_h_ticket_get(admin_ctx *c) {
  bot_actor a = bot_actor_of(&c->sess);
  json_t *t = NULL;
  int rc = bot_console_ticket_get(c->db, &a, c->args[0], &t, c->err);
  if (admin_failed(c, &rc)) return rc;
  return admin_reply_json(c, 200, json_pack("{so}", "ticket", t));
}

int admin_h_ticket_reply(admin_ctx *c) {
  bot_actor a = bot_actor_of(&c->sess);
  int rc = bot_console_ticket_reply(c->db, &a, c->args[0], admin_body_str(c, "text"), c->err);
  if (admin_failed(c, &rc)) return rc;
  return admin_reply_json(c, 200, json_pack("{sb ss}", "ok", 1, "status", "answered"));
}

/* An internal note: for colleagues, never in the resident's thread. */
int admin_h_ticket_note(admin_ctx *c) {
  bot_actor a = bot_actor_of(&c->sess);
  int rc = bot_console_ticket_note(c->db, &a, c->args[0], admin_body_str(c, "text"), c->err);
  if (admin_failed(c, &rc)) return rc;
  return admin_reply_json(c, 200, json_pack("{sb}", "ok", 1));
}

/* Who has the ticket (staff themselves; a supervisor anyone of its department). */
int admin_h_ticket_assign(admin_ctx *c) {
  bot_actor a = bot_actor_of(&c->sess);
  const char *who = admin_body_str(c, "assignee");
  int rc = bot_console_ticket_assign(c->db, &a, c->args[0], who, c->err);
  if (admin_failed(c, &rc)) return rc;
  return admin_reply_json(c, 200, json_pack("{sb ss}", "ok", 1, "assignee", who));
}

/* The department of a canned-reply request (staff: their own), or 1 when answered. */
static int canned_department(admin_ctx *c, const bot_actor *a, char *buf, size_t size, const char **dept, int *rc) {
  *rc = bot_console_canned_department(a, admin_body_str(c, "department"),
                                      admin_query(c, "department", buf, size) ? buf : NULL, dept, c->err);
  return admin_failed(c, rc);
}

int admin_h_canned_list(admin_ctx *c) {
  bot_actor a = bot_actor_of(&c->sess);
  char buf[64];
  const char *dept;
  json_t *out = NULL;
  int rc;
  if (canned_department(c, &a, buf, sizeof buf, &dept, &rc)) return rc;
  if ((rc = bot_canned_list(c->db, dept, &out, c->err))) return rc;
  return admin_reply_json(c, 200, json_pack("{so}", "canned", out));
}

int admin_h_canned_put(admin_ctx *c) {
  bot_actor a = bot_actor_of(&c->sess);
  char buf[64];
  const char *dept;
  long long out_id = 0;
  int rc;
  if (canned_department(c, &a, buf, sizeof buf, &dept, &rc)) return rc;
  /* "" for POST /canned: 0, a new one */
  rc = bot_console_canned_put(c->db, &a, atoll(c->args[0]), dept, admin_body_str(c, "title"), admin_body_str(c, "text"),
                              &out_id, c->err);
  if (admin_failed(c, &rc)) return rc;
  return admin_reply_json(c, 200, json_pack("{sI}", "id", (json_int_t)out_id));
}

int admin_h_canned_delete(admin_ctx *c) {
  bot_actor a = bot_actor_of(&c->sess);
  char buf[64];
  const char *dept;
  int rc;
  if (canned_department(c, &a, buf, sizeof buf, &dept, &rc)) return rc;
  rc = bot_console_canned_delete(c->db, &a, c->args[0], dept, c->err);
  if (admin_failed(c, &rc)) return rc;
  return admin_reply_json(c, 200, json_pack("{sb}", "ok", 1));
}

int admin_h_ticket_close(admin_ctx *c) {
  bot_actor a = bot_actor_of(&c->sess);
  int rc = bot_console_ticket_close(c->db, &a, c->args[0], admin_body_str(c, "reason"), c->err);
  if (admin_failed(c, &rc)) return rc;
  return admin_reply_json(c, 200, json_pack("{sb ss}", "ok", 1, "status", "closed"));
}

int admin_h_ticket_reassign(admin_ctx *c) {
  bot_actor a = bot_actor_of(&c->sess);
  const char *to = admin_body_str(c, "department");
  int rc = bot_console_ticket_reassign(c->w, &a, c->args[0], to, admin_body_str(c, "reason"), c->err);
  if (admin_failed(c, &rc)) return rc;
  return admin_reply_json(c, 200, json_pack("{sb ss}", "ok", 1, "department", to));
}

/* ---- statistics ------------------------------------------------------------------ */

static json_t *rate(long long part, long long whole) {
  return whole > 0 ? json_real((double)part / (double)whole) : json_null();
}

static int valid_date(const char *s) {
  struct tm tm = { 0 };
  const char *end = strptime(s, "%Y-%m-%d", &tm);
  return end && !*end && strlen(s) == 10;
}

int admin_h_stats(admin_ctx *c) {
  char from[16], to[16], fmt[8], table[24];
  bot_stats st = { 0 };
  json_t *out = NULL;
  int rc = 0;
  time_t now = time(NULL);
  if (!admin_query(c, "to", to, sizeof to)) mg_time_jst(now, "%Y-%m-%d", to, sizeof to);
  if (!admin_query(c, "from", from, sizeof from)) mg_time_jst(now - 29 * 86400, "%Y-%m-%d", from, sizeof from);
  if (!valid_date(from) || !valid_date(to)) {
    rc = admin_reply_error(c, 400, MG_EINVAL, "from と to は日付（YYYY-MM-DD、日本時間）で指定してください");
    goto out;
  }
  if ((rc = bot_stats_read(c->db, from, to, TOP_N, &st, c->err))) goto out;

  if (admin_query(c, "format", fmt, sizeof fmt) && strcmp(fmt, "csv") == 0) {
    static const char *const k_days[] = { "day", "questions", "answered", "clarified", "no_answer", "escalated",
                                          "helpful", "not_helpful" };
    static const char *const h_days[] = { "日付", "質問数", "回答", "聞き返し", "回答なし", "職員へ引き継ぎ",
                                          "役に立った", "役に立たなかった" };
    static const char *const k_topq[] = { "faq_id", "question", "count" };
    static const char *const h_topq[] = { "FAQ ID", "質問", "回答数" };
    static const char *const k_topu[] = { "text", "count" };
    static const char *const h_topu[] = { "質問", "件数" };
    static const char *const k_dept[] = { "id", "name", "answered", "tickets", "open_tickets",
                                          "avg_first_reply_seconds", "reroutes" };
    static const char *const h_dept[] = { "部署ID", "部署名", "回答数", "問い合わせ数", "未完了", "初回返信までの平均秒数",
                                          "他部署へ回した数" };
    const char *const *keys = k_days, *const *heads = h_days;
    json_t *rows = st.days;
    int n = 8;
    char *buf = NULL, fname[128];
    size_t len = 0;
    if (!admin_query(c, "table", table, sizeof table)) snprintf(table, sizeof table, "days");
    if (strcmp(table, "top_questions") == 0) keys = k_topq, heads = h_topq, rows = st.top_questions, n = 3;
    else if (strcmp(table, "top_unanswered") == 0) keys = k_topu, heads = h_topu, rows = st.top_unanswered, n = 2;
    else if (strcmp(table, "departments") == 0) keys = k_dept, heads = h_dept, rows = st.departments, n = 7;
    else if (strcmp(table, "days") != 0) {
      rc = admin_reply_error(c, 400, MG_EINVAL, "table には days、top_questions、top_unanswered、departments のいずれかを指定してください");
      goto out;
    }
    if ((rc = bot_console_csv(heads, keys, n, rows, &buf, &len, c->err))) goto out;
    snprintf(fname, sizeof fname, "madoguchi-%s-%s-%s.csv", table, from, to);
    rc = admin_reply_bytes(c, buf, len, "text/csv; charset=utf-8", fname);
    goto out;
  }

  {
    const long long *tot = st.totals, decided = tot[1] + tot[2] + tot[3], fb = tot[5] + tot[6];
    out = json_pack("{ss ss s{sI sI sI sI sI sI sI so so so so so} sO sO sO sO s{sI sI so}}", "from", from, "to", to, "totals",
                    "questions", tot[0], "answered", tot[1], "clarified", tot[2], "no_answer", tot[3], "escalated",
                    tot[4], "helpful", tot[5], "not_helpful", tot[6], "answered_rate", rate(tot[1], decided),
                    "clarified_rate", rate(tot[2], decided), "no_answer_rate", rate(tot[3], decided),
                    "escalated_rate", rate(tot[4], tot[0]), "helpful_rate", rate(tot[5], fb), "days", st.days,
                    "top_questions", st.top_questions, "top_unanswered", st.top_unanswered, "departments",
                    st.departments, "online", "online", st.online, "counter", st.counter, "online_rate",
                    rate(st.online, st.online + st.counter));
    /* the LINE channel's push quota (docs/channels.md): what staff can still
     * push this month, and what is held because it is spent */
    {
      const mg_config *cfg = bot_config(bot_worker_bot(c->w));
      long long pushes = 0, held = 0;
      if (out && cfg->line_channel_secret[0] && cfg->line_channel_access_token[0] &&
          bot_line_pushes(c->db, now, &pushes, c->err) == 0 && bot_outbox_held(c->db, "line", &held, c->err) == 0)
        json_object_set_new(out, "line", json_pack("{sI si sI}", "pushes_month", (json_int_t)pushes, "push_quota",
                                                   cfg->line_push_quota, "pushes_held", (json_int_t)held));
    }
    rc = admin_reply_json(c, 200, out);
  }
out:
  bot_stats_clear(&st);
  return rc;
}

/* ---- accounts -------------------------------------------------------------------- */

static int user_one(void *ctx, const auth_user *u) {
  return json_array_append_new(ctx, json_pack("{ss ss ss ss sb si ss ss}", "login", u->login, "display_name",
                                              u->display_name, "role", bot_auth_role_name(u->role), "department",
                                              u->department_id, "disabled", u->disabled, "failed_count",
                                              u->failed_count, "locked_until", u->locked_until, "created_at",
                                              u->created_at))
           ? MG_ENOMEM : 0;
}

int admin_h_users(admin_ctx *c) {
  json_t *arr = json_array();
  int offset, limit, total, rc = bot_auth_user_list(c->db, user_one, arr, c->err);
  if (rc) { json_decref(arr); return rc; }
  admin_paging(c, &offset, &limit, 200, 1000);
  total = (int)json_array_size(arr);
  return admin_reply_json(c, 200, json_pack("{so si si si}", "users", admin_slice(arr, offset, limit), "total", total,
                                            "offset", offset, "limit", limit));
}

static int user_result(admin_ctx *c, int rc, const char *login) {
  auth_user u;
  json_t *arr;
  if (rc == MG_EINVAL || rc == MG_ENOTFOUND || rc == MG_ECONFLICT) return admin_reply_error(c, 0, rc, c->err);
  if (rc) return rc;
  if ((rc = bot_auth_user_get(c->db, login, &u, c->err))) return rc;
  arr = json_array();
  user_one(arr, &u);
  {
    json_t *one = json_incref(json_array_get(arr, 0));
    json_decref(arr);
    return admin_reply_json(c, 200, json_pack("{so}", "user", one));
  }
}

int admin_h_user_add(admin_ctx *c) {
  const char *login = admin_body_str(c, "login");
  int rc = bot_auth_user_add(c->db, login, admin_body_str(c, "display_name"), admin_body_str(c, "role"),
                         admin_body_str(c, "department"), admin_body_str(c, "password"), c->sess.user.login, c->err);
  return user_result(c, rc, login);
}

int admin_h_user_passwd(admin_ctx *c) {
  int rc = bot_auth_user_passwd(c->db, c->args[0], admin_body_str(c, "password"), c->sess.user.login, c->err);
  return user_result(c, rc, c->args[0]);
}

int admin_h_user_update(admin_ctx *c) {
  bot_actor a = bot_actor_of(&c->sess);
  return user_result(c, bot_console_user_update(c->db, &a, c->args[0], admin_body_str(c, "display_name"),
                                                admin_body_str(c, "role"), admin_body_str(c, "department"), c->err),
                     c->args[0]);
}

int admin_h_user_disable(admin_ctx *c) {
  bot_actor a = bot_actor_of(&c->sess);
  return user_result(c, bot_console_user_disable(c->db, &a, c->args[0], 1, c->err), c->args[0]);
}

int admin_h_user_enable(admin_ctx *c) {
  bot_actor a = bot_actor_of(&c->sess);
  return user_result(c, bot_console_user_disable(c->db, &a, c->args[0], 0, c->err), c->args[0]);
}

/* ---- audit view ------------------------------------------------------------------- */

/* The audit log, newest first, filtered by action prefix, target, actor and
 * Asia/Tokyo days; ?format=csv or json downloads every matching row (at most
 * AUDIT_EXPORT_MAX; CSV through the formula guard), and the export is itself
 * audited (audit.export). */
#define AUDIT_EXPORT_MAX 100000
int admin_h_audit(admin_ctx *c) {
  char action[64], target[128], actor[64], from[16], to[16], fmt[8];
  bot_actor a = bot_actor_of(&c->sess);
  audit_filter f = { 0 };
  json_t *rows = NULL;
  int offset, n, total = 0, rc;
  if (admin_query(c, "action", action, sizeof action) && *action) f.action_prefix = action;
  if (admin_query(c, "target", target, sizeof target) && *target) f.target = target;
  if (admin_query(c, "actor", actor, sizeof actor) && *actor) f.actor = actor;
  if (admin_query(c, "from", from, sizeof from) && *from) {
    if (!valid_date(from)) return admin_reply_error(c, 400, MG_EINVAL, "from は日付（YYYY-MM-DD）で指定してください");
    f.from = from;
  }
  if (admin_query(c, "to", to, sizeof to) && *to) {
    if (!valid_date(to)) return admin_reply_error(c, 400, MG_EINVAL, "to は日付（YYYY-MM-DD）で指定してください");
    f.to = to;
  }
  if (!admin_query(c, "format", fmt, sizeof fmt)) fmt[0] = '\0';
  if (fmt[0] && strcmp(fmt, "csv") != 0 && strcmp(fmt, "json") != 0)
    return admin_reply_error(c, 400, MG_EINVAL, "format には csv か json を指定してください");
  if (fmt[0]) offset = 0, n = AUDIT_EXPORT_MAX;
  else admin_paging(c, &offset, &n, 200, 1000);
  /* an export is itself audited */
  if ((rc = bot_console_audit_find(c->db, &a, &f, offset, n, fmt[0] ? fmt : NULL, &rows, &total, c->err))) return rc;
  if (!fmt[0]) return admin_reply_json(c, 200, json_pack("{so si si si}", "entries", rows, "total", total, "offset", offset, "limit", n));
  if (strcmp(fmt, "json") == 0) {
    char *body = json_dumps(rows, JSON_INDENT(1));
    json_decref(rows);
    if (!body) return mg_errf(c->err, MG_ENOMEM, "out of memory");
    return admin_reply_bytes(c, body, strlen(body), "application/json; charset=utf-8", "madoguchi-audit.json");
  }
  {
    static const char *const heads[] = { "日時（UTC）", "操作者", "操作", "対象", "詳細", "変更前", "変更後" };
    static const char *const keys[] = { "at", "actor", "action", "target", "detail", "before_text", "after_text" };
    char *buf = NULL;
    size_t len = 0, i;
    json_t *row;
    /* before and after as the JSON text a spreadsheet cell shows */
    json_array_foreach(rows, i, row) {
      for (int k = 0; k < 2; k++) {
        json_t *v = json_object_get(row, k ? "after" : "before");
        char *text = json_is_null(v) || !v ? NULL : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        json_object_set_new(row, k ? "after_text" : "before_text", json_string(text ? text : ""));
        free(text);
      }
    }
    rc = bot_console_csv(heads, keys, 7, rows, &buf, &len, c->err);
    json_decref(rows);
    if (rc) return rc;
    return admin_reply_bytes(c, buf, len, "text/csv; charset=utf-8", "madoguchi-audit.csv");
  }
}
