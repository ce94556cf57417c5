/*
 * admin_ops.c — ticket inbox, statistics, accounts and the audit view.
 *
 * Tickets are worked through bot/ticket.h, the same API as `madoguchi
 * tickets`. Department scoping is decided here, before any ticket function
 * runs: staff may only name their own department, and a ticket of another
 * department answers 403 without being read (ticket_get records every read
 * of a transcript in the audit log, so reading first and refusing after
 * would leave a false trail). Changes add an audit_log row with the status
 * or department before and after.
 *
 * Statistics are bot/stats.h's, per Asia/Tokyo day; this file checks the
 * dates and shapes the answer (JSON, or CSV in Excel's taste). The SQL is
 * with the modules that own the tables (docs/architecture.md).
 */
#define _GNU_SOURCE
#include "adapters/admin_int.h"
#include "util/mg_time.h"
#include "bot/audit.h"
#include "faq/io.h"
#include "util/mg_err.h"
#include "faq/store.h"
#include "bot/ticket.h"
#include "bot/inquiry.h"
#include "bot/line_store.h"
#include "bot/outbox.h"
#include "bot/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOP_N 10
/* ---- tickets ------------------------------------------------------------------ */

/* The department and status of ticket args[0]; 404/403 answered (returns 1). */
static int ticket_access(admin_ctx *c, char *dept, char *status, int *rc) {
  *rc = bot_ticket_route(c->db, c->args[0], dept, 64, status, 16, c->err);
  if (*rc == MG_ENOTFOUND) { *rc = admin_reply_error(c, 404, MG_ENOTFOUND, "その問い合わせは見つかりません"); return 1; }
  if (*rc) return 1;
  if (!bot_auth_can_department(&c->sess, dept)) {
    *rc = admin_reply_error(c, 403, MG_EFORBIDDEN, "この問い合わせは他の部署の担当です");
    return 1;
  }
  return 0;
}

static json_t *seconds_or_null(long long s) { return s >= 0 ? json_integer(s) : json_null(); }

int admin_h_tickets(admin_ctx *c) {
  char status[16], dept[64], from[16], to[16];
  ticket_filter f = { 0 };
  json_t *out = NULL, *t;
  size_t i;
  int rc, total = 0, offset, limit;
  if (admin_query(c, "status", status, sizeof status)) f.status = status;
  if (admin_query(c, "from", from, sizeof from)) f.from = from;
  if (admin_query(c, "to", to, sizeof to)) f.to = to;
  admin_paging(c, &offset, &limit, 200, 1000);
  if (c->sess.user.role == AUTH_STAFF) {
    if (admin_query(c, "department", dept, sizeof dept) && strcmp(dept, c->sess.user.department_id) != 0)
      return admin_reply_error(c, 403, MG_EFORBIDDEN, "職員は自分の部署の問い合わせだけを見られます");
    f.department = c->sess.user.department_id;
  } else if (admin_query(c, "department", dept, sizeof dept)) f.department = dept;
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
  const char *dept = c->sess.user.role == AUTH_STAFF ? c->sess.user.department_id : NULL;
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
  char no[TICKET_NOLEN], email[256], phone[64], by[48] = "";
  ticket_person who = { 0 };
  json_t *out = NULL;
  int rc;
  if (admin_query(c, "ticket", no, sizeof no) && *no) who.ticket_no = no, strcat(by, "ticket ");
  if (admin_query(c, "email", email, sizeof email) && *email) who.email = email, strcat(by, "email ");
  if (admin_query(c, "phone", phone, sizeof phone) && *phone) who.phone = phone, strcat(by, "phone");
  rc = bot_ticket_person_find(c->db, &who, c->sess.user.login, &out, c->err);
  if (rc == MG_EINVAL || rc == MG_EMISSING) return admin_reply_error(c, 400, rc, c->err);
  if (rc) return rc;
  if ((rc = bot_audit_write(c->db, c->sess.user.login, "privacy.find", "", NULL, NULL, by, c->err))) {
    json_decref(out);
    return rc;
  }
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
  char dept[64], status[16];
  ticket_viewer v = { .actor = c->sess.user.login };
  json_t *t = NULL;
  int rc;
  if (ticket_access(c, dept, status, &rc)) return rc;
  /* NOTES: the contact a resident gives is shown only to the ticket's own
   * department — a supervisor or admin sees it only for their own department
   * ("" matches none). ticket_get audits every read. */
  v.department = c->sess.user.department_id;
  if ((rc = bot_ticket_get(c->db, c->args[0], &v, &t, c->err))) return rc == MG_ENOTFOUND ? admin_reply_error(c, 404, rc, c->err) : rc;
  {
    /* an inquiry's own part: where it came from and the suggested reply */
    json_t *inq = NULL;
    if ((rc = bot_inquiry_of_ticket(c->db, c->args[0], &inq, c->err)) != 0) {
      json_decref(t);
      return rc;
    }
    if (inq) json_object_set_new(t, "inquiry", inq);
  }
  return admin_reply_json(c, 200, json_pack("{so}", "ticket", t));
}

/* Audit a ticket change with the state before and after. */
static int audit_ticket(admin_ctx *c, const char *action, json_t *before, json_t *after, const char *detail) {
  int rc = bot_audit_write(c->db, c->sess.user.login, action, c->args[0], before, after, detail, c->err);
  json_decref(before);
  json_decref(after);
  return rc;
}

/* Turn a ticket function's result into a response; on success, the ticket's summary. */
static int ticket_result(admin_ctx *c, int rc) {
  if (rc == MG_EINVAL || rc == MG_ENOTFOUND || rc == MG_ECONFLICT) return admin_reply_error(c, 0, rc, c->err);
  return rc;
}

int admin_h_ticket_reply(admin_ctx *c) {
  char dept[64], status[16];
  const char *text = admin_body_str(c, "text");
  int rc;
  if (ticket_access(c, dept, status, &rc)) return rc;
  if (!text || !*text) return admin_reply_error(c, 400, MG_EEMPTY, "本文を入力してください");
  rc = bot_ticket_reply(c->db, c->args[0], c->sess.user.login, text, c->err);
  if (rc) return ticket_result(c, rc);
  if ((rc = audit_ticket(c, "ticket.reply", json_pack("{ss}", "status", status),
                         json_pack("{ss ss}", "status", "answered", "text", text), NULL)))
    return rc;
  return admin_reply_json(c, 200, json_pack("{sb ss}", "ok", 1, "status", "answered"));
}

/* An internal note: for colleagues, never in the resident's thread. */
int admin_h_ticket_note(admin_ctx *c) {
  char dept[64], status[16];
  const char *text = admin_body_str(c, "text");
  int rc;
  if (ticket_access(c, dept, status, &rc)) return rc;
  if (!text || !*text) return admin_reply_error(c, 400, MG_EEMPTY, "本文を入力してください");
  if ((rc = bot_ticket_note(c->db, c->args[0], c->sess.user.login, text, c->err))) return ticket_result(c, rc);
  if ((rc = audit_ticket(c, "ticket.note", NULL, json_pack("{ss}", "text", text), NULL))) return rc;
  return admin_reply_json(c, 200, json_pack("{sb}", "ok", 1));
}

/* Who has the ticket: staff take it or let it go; a supervisor gives it to
 * any active account of the ticket's department. */
int admin_h_ticket_assign(admin_ctx *c) {
  char dept[64], status[16];
  const char *who = admin_body_str(c, "assignee");
  auth_user u;
  int rc;
  if (ticket_access(c, dept, status, &rc)) return rc;
  if (!who) return admin_reply_error(c, 400, MG_EMISSING, "担当者（assignee）を指定してください（担当を外すときは空文字）");
  if (*who && strcmp(who, c->sess.user.login) != 0) {
    if (c->sess.user.role == AUTH_STAFF)
      return admin_reply_error(c, 403, MG_EFORBIDDEN, "職員は自分を担当者にできます。他の人への割り当ては監督者が行います");
    if ((rc = bot_auth_user_get(c->db, who, &u, c->err)) == MG_ENOTFOUND || (rc == 0 && (u.disabled || strcmp(u.department_id, dept) != 0)))
      return admin_reply_error(c, 400, MG_EINVAL, "この問い合わせの部署の有効なアカウントではありません");
    if (rc) return rc;
  }
  if ((rc = bot_ticket_assign(c->db, c->args[0], who, c->err))) return ticket_result(c, rc);
  if ((rc = audit_ticket(c, "ticket.assign", NULL, json_pack("{ss}", "assignee", who), NULL))) return rc;
  return admin_reply_json(c, 200, json_pack("{sb ss}", "ok", 1, "assignee", who));
}

/* Canned replies of a department: staff their own, supervisors any (?department=). */
static const char *canned_department(admin_ctx *c, char *buf, size_t size) {
  const char *d = admin_body_str(c, "department");
  if (c->sess.user.role == AUTH_STAFF) return c->sess.user.department_id;
  if (d && *d) return d;
  if (admin_query(c, "department", buf, size) && *buf) return buf;
  return NULL;
}

int admin_h_canned_list(admin_ctx *c) {
  char buf[64];
  const char *dept = canned_department(c, buf, sizeof buf);
  json_t *out = NULL;
  int rc;
  if (!dept) return admin_reply_error(c, 400, MG_EMISSING, "部署を指定してください");
  if ((rc = bot_canned_list(c->db, dept, &out, c->err))) return rc;
  return admin_reply_json(c, 200, json_pack("{so}", "canned", out));
}

int admin_h_canned_put(admin_ctx *c) {
  char buf[64];
  const char *dept = canned_department(c, buf, sizeof buf);
  long long id = atoll(c->args[0]), out_id = 0;   /* "" for POST /canned: 0, a new one */
  int rc;
  if (!dept) return admin_reply_error(c, 400, MG_EMISSING, "部署を指定してください");
  rc = bot_canned_put(c->db, id, dept, admin_body_str(c, "title"), admin_body_str(c, "text"), c->sess.user.login, &out_id,
                  c->err);
  if (rc == MG_EEMPTY || rc == MG_ENOTFOUND) return admin_reply_error(c, rc == MG_EEMPTY ? 400 : 404, rc, c->err);
  if (rc) return rc;
  if ((rc = bot_audit_write(c->db, c->sess.user.login, "canned.put", dept, NULL,
                        json_pack("{sI ss}", "id", (json_int_t)out_id, "title", admin_body_str(c, "title")), NULL, c->err)))
    return rc;
  return admin_reply_json(c, 200, json_pack("{sI}", "id", (json_int_t)out_id));
}

int admin_h_canned_delete(admin_ctx *c) {
  char buf[64];
  const char *dept = canned_department(c, buf, sizeof buf);
  int rc;
  if (!dept) return admin_reply_error(c, 400, MG_EMISSING, "部署を指定してください");
  rc = bot_canned_delete(c->db, atoll(c->args[0]), dept, c->err);
  if (rc == MG_ENOTFOUND) return admin_reply_error(c, 404, rc, c->err);
  if (rc) return rc;
  if ((rc = bot_audit_write(c->db, c->sess.user.login, "canned.delete", dept, NULL, NULL, c->args[0], c->err))) return rc;
  return admin_reply_json(c, 200, json_pack("{sb}", "ok", 1));
}

int admin_h_ticket_close(admin_ctx *c) {
  char dept[64], status[16];
  const char *reason = admin_body_str(c, "reason");
  int rc;
  if (ticket_access(c, dept, status, &rc)) return rc;
  rc = bot_ticket_close(c->db, c->args[0], c->sess.user.login, reason, c->err);
  if (rc) return ticket_result(c, rc);
  if ((rc = audit_ticket(c, "ticket.close", json_pack("{ss}", "status", status), json_pack("{ss}", "status", "closed"),
                         reason)))
    return rc;
  return admin_reply_json(c, 200, json_pack("{sb ss}", "ok", 1, "status", "closed"));
}

int admin_h_ticket_reassign(admin_ctx *c) {
  char dept[64], status[16];
  const char *to = admin_body_str(c, "department"), *reason = admin_body_str(c, "reason");
  int rc;
  if (ticket_access(c, dept, status, &rc)) return rc;
  if (!to || !*to) return admin_reply_error(c, 400, MG_EMISSING, "部署を指定してください");
  if (!reason || !*reason) return admin_reply_error(c, 400, MG_EMISSING, "理由を入力してください");
  rc = bot_ticket_reassign(c->db, c->args[0], c->sess.user.login, to, reason, c->err);
  if (rc) return ticket_result(c, rc);
  /* staff moved an inquiry: the triage learns where such text belongs */
  if ((rc = bot_triage_learn(c->w, c->args[0], to, c->err)) != 0) return rc;
  if ((rc = audit_ticket(c, "ticket.reassign", json_pack("{ss}", "department", dept),
                         json_pack("{ss}", "department", to), reason)))
    return rc;
  return admin_reply_json(c, 200, json_pack("{sb ss}", "ok", 1, "department", to));
}

/* ---- statistics ------------------------------------------------------------------ */

/* CSV in Excel's taste: UTF-8 with a BOM, CRLF, every field quoted. */
/* One cell through the FAQ export's formula guard (faq/io.h), so a
 * resident's "=HYPERLINK(…)" in top_unanswered stays text in a spreadsheet. */
static void csv_field(FILE *f, const char *s, int first, int last) {
  faq_io_csv_cell(f, s, first);
  if (last) fputs("\r\n", f);
}

static void csv_row(FILE *f, json_t *row, const char *const *keys, int n) {
  char num[32];
  for (int i = 0; i < n; i++) {
    json_t *v = json_object_get(row, keys[i]);
    const char *s = json_string_value(v);
    if (!s) {
      if (json_is_integer(v)) snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
      else if (json_is_real(v)) snprintf(num, sizeof num, "%.4f", json_real_value(v));
      else num[0] = '\0';
      s = num;
    }
    csv_field(f, s, i == 0, i == n - 1);
  }
}

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
    FILE *f;
    if (!admin_query(c, "table", table, sizeof table)) snprintf(table, sizeof table, "days");
    if (strcmp(table, "top_questions") == 0) keys = k_topq, heads = h_topq, rows = st.top_questions, n = 3;
    else if (strcmp(table, "top_unanswered") == 0) keys = k_topu, heads = h_topu, rows = st.top_unanswered, n = 2;
    else if (strcmp(table, "departments") == 0) keys = k_dept, heads = h_dept, rows = st.departments, n = 7;
    else if (strcmp(table, "days") != 0) {
      rc = admin_reply_error(c, 400, MG_EINVAL, "table には days、top_questions、top_unanswered、departments のいずれかを指定してください");
      goto out;
    }
    if (!(f = open_memstream(&buf, &len))) { rc = mg_errf(c->err, MG_ENOMEM, "out of memory"); goto out; }
    fputs("\xef\xbb\xbf", f);
    for (int i = 0; i < n; i++) csv_field(f, heads[i], i == 0, i == n - 1);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) csv_row(f, row, keys, n);
    fclose(f);
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
  const char *role = admin_body_str(c, "role");
  /* the last way back in must not be given up by accident */
  if (strcmp(c->args[0], c->sess.user.login) == 0 && role && strcmp(role, "admin") != 0)
    return admin_reply_error(c, 409, MG_ECONFLICT, "自分の役割はシステム管理者から変えられません（別のシステム管理者に頼んでください）");
  return user_result(c, bot_auth_user_update(c->db, c->args[0], admin_body_str(c, "display_name"), role,
                                         admin_body_str(c, "department"), c->sess.user.login, c->err),
                     c->args[0]);
}

int admin_h_user_disable(admin_ctx *c) {
  if (strcmp(c->args[0], c->sess.user.login) == 0)
    return admin_reply_error(c, 409, MG_ECONFLICT, "自分のアカウントは無効にできません（別のシステム管理者に頼んでください）");
  return user_result(c, bot_auth_user_disable(c->db, c->args[0], 1, c->sess.user.login, c->err), c->args[0]);
}

int admin_h_user_enable(admin_ctx *c) {
  return user_result(c, bot_auth_user_disable(c->db, c->args[0], 0, c->sess.user.login, c->err), c->args[0]);
}

/* ---- audit view ------------------------------------------------------------------- */

/* The audit log, newest first, filtered by action prefix, target, actor and
 * Asia/Tokyo days; ?format=csv or json downloads every matching row (at most
 * AUDIT_EXPORT_MAX; CSV through the formula guard), and the export is itself
 * audited (audit.export). */
#define AUDIT_EXPORT_MAX 100000
int admin_h_audit(admin_ctx *c) {
  char action[64], target[128], actor[64], from[16], to[16], fmt[8];
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
  if ((rc = bot_audit_find(c->db, &f, offset, n, &rows, &total, c->err))) return rc;
  if (!fmt[0]) return admin_reply_json(c, 200, json_pack("{so si si si}", "entries", rows, "total", total, "offset", offset, "limit", n));
  if ((rc = bot_audit_write(c->db, c->sess.user.login, "audit.export", "", NULL, NULL, fmt, c->err))) {
    json_decref(rows);
    return rc;
  }
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
    FILE *out = open_memstream(&buf, &len);
    if (!out) { json_decref(rows); return mg_errf(c->err, MG_ENOMEM, "out of memory"); }
    fputs("\xef\xbb\xbf", out);
    for (int k = 0; k < 7; k++) csv_field(out, heads[k], k == 0, k == 6);
    json_array_foreach(rows, i, row) {
      for (int k = 0; k < 2; k++) {
        json_t *v = json_object_get(row, k ? "after" : "before");
        char *text = json_is_null(v) || !v ? NULL : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        json_object_set_new(row, k ? "after_text" : "before_text", json_string(text ? text : ""));
        free(text);
      }
      csv_row(out, row, keys, 7);
    }
    fclose(out);
    json_decref(rows);
    return admin_reply_bytes(c, buf, len, "text/csv; charset=utf-8", "madoguchi-audit.csv");
  }
}
