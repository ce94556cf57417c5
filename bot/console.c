/*
 * console.c — the console's rules for tickets, canned replies, personal
 * data, accounts and the audit log (console.h).
 *
 * Each use-case checks who may act first, then does the work through the
 * module that owns it (bot/ticket.h, bot/auth.h), then writes its audit row
 * with the state before and after. The order matters for reads of personal
 * data: a ticket of another department is refused before bot_ticket_get
 * runs, because that read is itself audited.
 */
#define _GNU_SOURCE /* open_memstream */
#include "bot/console.h"
#include "bot/inquiry.h"
#include "bot/unanswered.h"
#include "faq/io.h"
#include "util/mg_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tickets ------------------------------------------------------------------ */

int bot_console_ticket_scope(const bot_actor *a, const char *asked, const char **dept, char *err) {
  *dept = asked && *asked ? asked : NULL;
  if (a->role != AUTH_STAFF) return 0;
  if (*dept && strcmp(*dept, a->department) != 0)
    return mg_errf(err, MG_EFORBIDDEN, "職員は自分の部署の問い合わせだけを見られます");
  *dept = a->department;
  return 0;
}

int bot_console_ticket_access(sqlite3 *db, const bot_actor *a, const char *no, char *dept, size_t dsize, char *status,
                              size_t ssize, char *err) {
  int rc = bot_ticket_route(db, no, dept, dsize, status, ssize, err);
  if (rc == MG_ENOTFOUND) return mg_errf(err, MG_ENOTFOUND, "その問い合わせは見つかりません");
  if (rc) return rc;
  if (!bot_actor_can_department(a, dept)) return mg_errf(err, MG_EFORBIDDEN, "この問い合わせは他の部署の担当です");
  return 0;
}

int bot_console_ticket_get(sqlite3 *db, const bot_actor *a, const char *no, json_t **out, char *err) {
  char dept[64], status[16];
  /* NOTES: the contact a resident gives is shown only to the ticket's own
   * department — a supervisor or admin sees it only for their own department
   * ("" matches none). bot_ticket_get audits every read. */
  ticket_viewer v = { .actor = a->login, .department = a->department };
  json_t *inq = NULL;
  int rc;
  *out = NULL;
  if ((rc = bot_console_ticket_access(db, a, no, dept, sizeof dept, status, sizeof status, err))) return rc;
  if ((rc = bot_ticket_get(db, no, &v, out, err))) return rc;
  /* an inquiry's own part: where it came from and the suggested reply */
  if ((rc = bot_inquiry_of_ticket(db, no, &inq, err)) != 0) {
    json_decref(*out);
    *out = NULL;
    return rc;
  }
  if (inq) json_object_set_new(*out, "inquiry", inq);
  return 0;
}

/* Audit a ticket change with the state before and after (both released). */
static int audit_ticket(sqlite3 *db, const bot_actor *a, const char *action, const char *no, json_t *before,
                        json_t *after, const char *detail, char *err) {
  int rc = bot_audit_write(db, a->login, action, no, before, after, detail, err);
  json_decref(before);
  json_decref(after);
  return rc;
}

int bot_console_ticket_reply(sqlite3 *db, const bot_actor *a, const char *no, const char *text, char *err) {
  char dept[64], status[16];
  int rc;
  if ((rc = bot_console_ticket_access(db, a, no, dept, sizeof dept, status, sizeof status, err))) return rc;
  if (!text || !*text) return mg_errf(err, MG_EEMPTY, "本文を入力してください");
  if ((rc = bot_ticket_reply(db, no, a->login, text, err))) return rc;
  return audit_ticket(db, a, "ticket.reply", no, json_pack("{ss}", "status", status),
                      json_pack("{ss ss}", "status", "answered", "text", text), NULL, err);
}

int bot_console_ticket_note(sqlite3 *db, const bot_actor *a, const char *no, const char *text, char *err) {
  char dept[64], status[16];
  int rc;
  if ((rc = bot_console_ticket_access(db, a, no, dept, sizeof dept, status, sizeof status, err))) return rc;
  if (!text || !*text) return mg_errf(err, MG_EEMPTY, "本文を入力してください");
  if ((rc = bot_ticket_note(db, no, a->login, text, err))) return rc;
  return audit_ticket(db, a, "ticket.note", no, NULL, json_pack("{ss}", "text", text), NULL, err);
}

/* Staff take the ticket or let it go; a supervisor gives it to any active
 * account of the ticket's department. */
int bot_console_ticket_assign(sqlite3 *db, const bot_actor *a, const char *no, const char *who, char *err) {
  char dept[64], status[16];
  auth_user u;
  int rc;
  if ((rc = bot_console_ticket_access(db, a, no, dept, sizeof dept, status, sizeof status, err))) return rc;
  if (!who) return mg_errf(err, MG_EMISSING, "担当者（assignee）を指定してください（担当を外すときは空文字）");
  if (*who && strcmp(who, a->login) != 0) {
    if (a->role == AUTH_STAFF)
      return mg_errf(err, MG_EFORBIDDEN, "職員は自分を担当者にできます。他の人への割り当ては監督者が行います");
    if ((rc = bot_auth_user_get(db, who, &u, err)) == MG_ENOTFOUND ||
        (rc == 0 && (u.disabled || strcmp(u.department_id, dept) != 0)))
      return mg_errf(err, MG_EINVAL, "この問い合わせの部署の有効なアカウントではありません");
    if (rc) return rc;
  }
  if ((rc = bot_ticket_assign(db, no, who, err))) return rc;
  return audit_ticket(db, a, "ticket.assign", no, NULL, json_pack("{ss}", "assignee", who), NULL, err);
}

int bot_console_ticket_close(sqlite3 *db, const bot_actor *a, const char *no, const char *reason, char *err) {
  char dept[64], status[16];
  int rc;
  if ((rc = bot_console_ticket_access(db, a, no, dept, sizeof dept, status, sizeof status, err))) return rc;
  if ((rc = bot_ticket_close(db, no, a->login, reason, err))) return rc;
  return audit_ticket(db, a, "ticket.close", no, json_pack("{ss}", "status", status),
                      json_pack("{ss}", "status", "closed"), reason, err);
}

int bot_console_ticket_reassign(bot_worker *w, const bot_actor *a, const char *no, const char *to, const char *reason,
                                char *err) {
  sqlite3 *db = bot_worker_db(w);
  char dept[64], status[16];
  int rc;
  if ((rc = bot_console_ticket_access(db, a, no, dept, sizeof dept, status, sizeof status, err))) return rc;
  if (!to || !*to) return mg_errf(err, MG_EMISSING, "部署を指定してください");
  if (!reason || !*reason) return mg_errf(err, MG_EMISSING, "理由を入力してください");
  if ((rc = bot_ticket_reassign(db, no, a->login, to, reason, err))) return rc;
  /* staff moved an inquiry: the triage learns where such text belongs */
  if ((rc = bot_triage_learn(w, no, to, err)) != 0) return rc;
  return audit_ticket(db, a, "ticket.reassign", no, json_pack("{ss}", "department", dept),
                      json_pack("{ss}", "department", to), reason, err);
}

/* ---- canned replies ------------------------------------------------------------ */

int bot_console_canned_department(const bot_actor *a, const char *body_dept, const char *query_dept, const char **dept,
                                  char *err) {
  if (a->role == AUTH_STAFF) *dept = a->department;
  else if (body_dept && *body_dept) *dept = body_dept;
  else if (query_dept && *query_dept) *dept = query_dept;
  else {
    *dept = NULL;
    return mg_errf(err, MG_EMISSING, "部署を指定してください");
  }
  return 0;
}

int bot_console_canned_put(sqlite3 *db, const bot_actor *a, long long id, const char *dept, const char *title,
                           const char *text, long long *out_id, char *err) {
  int rc = bot_canned_put(db, id, dept, title, text, a->login, out_id, err);
  if (rc) return rc;
  return audit_ticket(db, a, "canned.put", dept, NULL, json_pack("{sI ss}", "id", (json_int_t)*out_id, "title", title),
                      NULL, err);
}

int bot_console_canned_delete(sqlite3 *db, const bot_actor *a, const char *id, const char *dept, char *err) {
  int rc = bot_canned_delete(db, atoll(id), dept, err);
  if (rc) return rc;
  return bot_audit_write(db, a->login, "canned.delete", dept, NULL, NULL, id, err);
}

/* ---- personal data, unanswered questions ----------------------------------------- */

int bot_console_privacy_find(sqlite3 *db, const bot_actor *a, const ticket_person *who, json_t **out, char *err) {
  char by[48] = "";
  int rc;
  /* how the resident was looked up, never the value */
  if (who->ticket_no) strcat(by, "ticket ");
  if (who->email) strcat(by, "email ");
  if (who->phone) strcat(by, "phone");
  *out = NULL;
  if ((rc = bot_ticket_person_find(db, who, a->login, out, err))) return rc;
  if ((rc = bot_audit_write(db, a->login, "privacy.find", "", NULL, NULL, by, err))) {
    json_decref(*out);
    *out = NULL;
  }
  return rc;
}

int bot_console_unanswered(sqlite3 *db, const bot_actor *a, int days, json_t **groups, int *n, int *truncated,
                           char *err) {
  char detail[64];
  int rc;
  *groups = NULL;
  if ((rc = bot_unanswered_groups(db, days, groups, n, truncated, err))) return rc;
  /* Residents' own words, shown to every staff member: each read is audited. */
  snprintf(detail, sizeof detail, "days=%d questions=%d", days, *n);
  if ((rc = bot_audit_write(db, a->login, "unanswered.read", "", NULL, NULL, detail, err))) {
    json_decref(*groups);
    *groups = NULL;
  }
  return rc;
}

/* ---- accounts, the audit log -------------------------------------------------------- */

int bot_console_user_update(sqlite3 *db, const bot_actor *a, const char *login, const char *display_name,
                            const char *role, const char *dept, char *err) {
  /* the last way back in must not be given up by accident */
  if (strcmp(login, a->login) == 0 && role && strcmp(role, "admin") != 0)
    return mg_errf(err, MG_ECONFLICT, "自分の役割はシステム管理者から変えられません（別のシステム管理者に頼んでください）");
  return bot_auth_user_update(db, login, display_name, role, dept, a->login, err);
}

int bot_console_user_disable(sqlite3 *db, const bot_actor *a, const char *login, int disabled, char *err) {
  if (disabled && strcmp(login, a->login) == 0)
    return mg_errf(err, MG_ECONFLICT, "自分のアカウントは無効にできません（別のシステム管理者に頼んでください）");
  return bot_auth_user_disable(db, login, disabled, a->login, err);
}

int bot_console_audit_find(sqlite3 *db, const bot_actor *a, const audit_filter *f, int offset, int limit,
                           const char *export, json_t **rows, int *total, char *err) {
  int rc;
  *rows = NULL;
  if ((rc = bot_audit_find(db, f, offset, limit, rows, total, err))) return rc;
  if (export && (rc = bot_audit_write(db, a->login, "audit.export", "", NULL, NULL, export, err))) {
    json_decref(*rows);
    *rows = NULL;
  }
  return rc;
}

/* One row's cells: strings as they are, numbers as text, anything else "". */
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
    faq_io_csv_cell(f, s, i == 0);
  }
  fputs("\r\n", f);
}

int bot_console_csv(const char *const *heads, const char *const *keys, int n, json_t *rows, char **buf, size_t *len,
                    char *err) {
  FILE *f;
  size_t i;
  json_t *row;
  *buf = NULL;
  *len = 0;
  if (!(f = open_memstream(buf, len))) return mg_errf(err, MG_ENOMEM, "out of memory");
  fputs("\xef\xbb\xbf", f);
  for (int k = 0; k < n; k++) faq_io_csv_cell(f, heads[k], k == 0);
  fputs("\r\n", f);
  json_array_foreach(rows, i, row) csv_row(f, row, keys, n);
  if (fclose(f) != 0) {
    free(*buf);
    *buf = NULL;
    *len = 0;
    return mg_errf(err, MG_ENOMEM, "out of memory");
  }
  return 0;
}
