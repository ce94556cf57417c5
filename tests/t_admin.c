/* The admin API, called the way the server calls it (admin_handle on a
 * worker's connection), against a real database with the sample FAQ:
 * every endpoint, 401 without a session, 403 for the wrong role, the wrong
 * department and a missing or wrong CSRF token, FAQ edit → publish → the bot
 * answers with the new text at once, history/diff/rollback, unanswered
 * grouping, CSV round trip, the ticket inbox and its department scoping,
 * statistics (JSON and CSV), accounts, and the audit rows each change and
 * each read of personal data leaves. */
#include "adapters/admin.h"
#include "bot/answer.h"
#include "bot/auth.h"
#include "util/mg_config.h"
#include "util/mg_err.h"
#include "bot/session.h"
#include "bot/ticket.h"
#include "tests/tap.h"
#include "tests/testenv.h"

#include <stdlib.h>
#include <unistd.h>

static char dir[64];
static bot_worker *w;

static int int_query(const char *q, const char *arg) { return test_int(bot_worker_db(w), q, arg); }

static int audits(const char *action, const char *target) { return test_audits(bot_worker_db(w), action, target); }

/* A logged-in browser: its cookie header and CSRF token. */
typedef struct client {
  char cookie[128];
  char csrf[64];
} client;

static admin_resp last;  /* the last response, kept for header checks */

/* One request; returns the status and the parsed JSON body in *out (NULL for non-JSON). */
static int call(const client *cl, const char *method, const char *target, const char *body, json_t **out) {
  char path[512], err[MG_ERRLEN];
  const char *q = strchr(target, '?');
  admin_req req = { .method = method, .path = path, .client_ip = "192.0.2.7" };
  json_t *j;
  snprintf(path, sizeof path, "%.*s", q ? (int)(q - target) : (int)strlen(target), target);
  req.query = q ? q + 1 : NULL;
  req.body = body;
  req.body_len = body ? strlen(body) : 0;
  if (cl) {
    req.cookie = cl->cookie[0] ? cl->cookie : NULL;
    req.csrf = cl->csrf[0] ? cl->csrf : NULL;
  }
  admin_resp_clear(&last);
  admin_handle(w, &req, &last, err);
  j = strncmp(last.content_type, "application/json", 16) == 0 ? json_loadb(last.body, last.body_len, 0, NULL) : NULL;
  if (out) *out = j;
  else json_decref(j);
  return last.status;
}

/* GET/POST returning only the status. */
static int status_of(const client *cl, const char *method, const char *target, const char *body) {
  return call(cl, method, target, body, NULL);
}

static int login(client *cl, const char *user, const char *pw) {
  char body[256];
  json_t *j = NULL;
  int st;
  memset(cl, 0, sizeof *cl);
  snprintf(body, sizeof body, "{\"login\":\"%s\",\"password\":\"%s\"}", user, pw);
  st = call(NULL, "POST", "/api/v1/admin/login", body, &j);
  if (st == 200) {
    const char *v = strchr(last.set_cookie, '='), *end = strchr(last.set_cookie, ';');
    snprintf(cl->cookie, sizeof cl->cookie, "other=1; %s=%.*s", ADMIN_COOKIE, (int)(end - v - 1), v + 1);
    snprintf(cl->csrf, sizeof cl->csrf, "%s", json_string_value(json_object_get(j, "csrf")));
  }
  json_decref(j);
  return st;
}

static const char *jpath(json_t *j, const char *a, const char *b) {
  json_t *v = json_object_get(j, a);
  if (b) v = json_object_get(v, b);
  return json_string_value(v) ? json_string_value(v) : "(absent)";
}

/* ---- the tests ---------------------------------------------------------- */

static client staff, staff2, sup, adm, anon;

/* The fixture: a bot on a fresh database with four accounts; the clients
 * log in in logins_set_a_strict_cookie_and_are_audited and the later tests
 * act as them. The FAQ, ticket and account tests change that database in
 * order (an edit, then its publish, then the rollback to it...). */
static void requests_without_a_session_are_refused(void) {
  is_int(status_of(&anon, "GET", "/api/v1/admin/me", NULL), 401, "no session: 401");
  is_int(status_of(&anon, "GET", "/api/v1/admin/faq", NULL), 401, "no session: the FAQ is 401");
  is_int(status_of(&anon, "GET", "/api/v1/admin/tickets", NULL), 401, "no session: tickets are 401");
  is_int(status_of(&anon, "POST", "/api/v1/admin/try", "{\"text\":\"x\"}"), 401, "no session: try is 401");
  {
    client forged = { .cookie = "mg_admin=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", .csrf = "x" };
    is_int(status_of(&forged, "GET", "/api/v1/admin/me", NULL), 401, "a made-up session id: 401");
  }
  is_int(status_of(&anon, "GET", "/api/v1/admin/nothing", NULL), 404, "unknown endpoints: 404");
  is_int(status_of(&anon, "DELETE", "/api/v1/admin/me", NULL), 405, "wrong method: 405");
  is_int(status_of(&anon, "POST", "/api/v1/admin/login", "{\"login\":\"tanaka\"}"), 400, "login without a password: 400");
  is_int(status_of(&anon, "POST", "/api/v1/admin/login", "not json"), 400, "login with a broken body: 400");
  is_int(login(&staff, "tanaka", "wrong password!"), 401, "a wrong password: 401");
  ok(last.retry_after > 0, "with a delay for the server to apply (%d s)", last.retry_after);
  ok(last.set_cookie[0] == '\0', "and no cookie");
}

static void logins_set_a_strict_cookie_and_are_audited(void) {
  is_int(login(&staff, "tanaka", "tanaka password"), 200, "staff log in");
  ok(strstr(last.set_cookie, "HttpOnly") && strstr(last.set_cookie, "SameSite=Strict") &&
     strstr(last.set_cookie, "Path=/") && strstr(last.set_cookie, "Max-Age="),
     "the cookie is HttpOnly, SameSite=Strict, with an expiry (%s)", last.set_cookie);
  ok(!strstr(last.set_cookie, "Secure"), "no Secure attribute over plain http");
  is_int(login(&staff2, "suzuki", "suzuki password"), 200, "staff of another department log in");
  is_int(login(&sup, "sato", "sato password 1"), 200, "a supervisor logs in");
  is_int(login(&adm, "admin", "admin password"), 200, "an admin logs in");
  is_int(audits("auth.login", NULL), 4, "each login is audited");
}

static void me_names_the_user_and_gives_the_csrf_token_back(void) {
  json_t *j = NULL;
  is_int(call(&staff, "GET", "/api/v1/admin/me", NULL, &j), 200, "me: 200");
  is_str(jpath(j, "user", "login"), "tanaka", "me names the user");
  is_str(jpath(j, "user", "role"), "staff", "and the role");
  is_str(jpath(j, "csrf", NULL), staff.csrf, "and gives the CSRF token back after a reload");
  json_decref(j);
}

/* CSRF on every change */
static void changes_without_the_sessions_csrf_token_are_refused(void) {
  char body[256];
  snprintf(body, sizeof body, "{\"answer\":\"x\"}");
  {
    client no_csrf = staff, bad_csrf = staff;
    no_csrf.csrf[0] = '\0';
    bad_csrf.csrf[0] = bad_csrf.csrf[0] == 'A' ? 'B' : 'A';
    is_int(status_of(&no_csrf, "PUT", "/api/v1/admin/faq/saijo-0001", body), 403, "an edit without the CSRF token: 403");
    is_int(status_of(&bad_csrf, "PUT", "/api/v1/admin/faq/saijo-0001", body), 403, "an edit with a wrong token: 403");
    is_int(status_of(&no_csrf, "POST", "/api/v1/admin/faq/saijo-0001/publish", "{}"), 403, "publish without it: 403");
    is_int(status_of(&no_csrf, "POST", "/api/v1/admin/tickets/T-1/reply", "{\"text\":\"x\"}"), 403, "a reply without it: 403");
    is_int(status_of(&no_csrf, "POST", "/api/v1/admin/logout", NULL), 403, "logout without it: 403");
    client other = staff;
    snprintf(other.csrf, sizeof other.csrf, "%s", staff2.csrf);
    is_int(status_of(&other, "PUT", "/api/v1/admin/faq/saijo-0001", body), 403, "another session's token: 403");
  }
  is_int(int_query("SELECT count(*) FROM faq_revision r JOIN faq f ON f.id = r.faq_id WHERE f.ext_id = 'saijo-0001'", NULL),
         1, "nothing was changed by the refused requests");
}

static void roles_limit_statistics_users_and_audit(void) {
  is_int(status_of(&staff, "GET", "/api/v1/admin/stats", NULL), 403, "staff: statistics 403");
  is_int(status_of(&staff, "GET", "/api/v1/admin/users", NULL), 403, "staff: users 403");
  is_int(status_of(&staff, "GET", "/api/v1/admin/audit", NULL), 403, "staff: audit log 403");
  is_int(status_of(&sup, "GET", "/api/v1/admin/users", NULL), 403, "supervisor: users 403");
  is_int(status_of(&sup, "POST", "/api/v1/admin/users", "{}"), 403, "supervisor: adding users 403");
  is_int(status_of(&sup, "GET", "/api/v1/admin/stats", NULL), 200, "supervisor: statistics 200");
  is_int(status_of(&adm, "GET", "/api/v1/admin/users", NULL), 200, "admin: users 200");
}

/* The answer text the bot gives for a question right now. */
static char *bot_says(const char *q) {
  char body[512];
  json_t *j = NULL;
  char *s = NULL;
  snprintf(body, sizeof body, "{\"text\":\"%s\"}", q);
  if (call(&staff, "POST", "/api/v1/admin/try", body, &j) == 200) s = strdup(jpath(j, "answer", NULL));
  json_decref(j);
  return s ? s : strdup("(error)");
}

/* the question whose entry the edit, publish and rollback tests change */
static const char *const q = "住民票の写しはどこで取得できますか";

static void faq_list_filters_by_department_and_searches(void) {
  json_t *j = NULL, *v;

  is_int(call(&staff, "GET", "/api/v1/admin/faq", NULL, &j), 200, "faq list: 200");
  ok(json_array_size(json_object_get(j, "entries")) > 100, "lists the sample FAQ (%zu)",
     json_array_size(json_object_get(j, "entries")));
  json_decref(j);
  is_int(call(&staff, "GET", "/api/v1/admin/faq?department=shimin", NULL, &j), 200, "filter by department: 200");
  v = json_object_get(j, "entries");
  ok(json_array_size(v) > 0, "finds the department's entries");
  {
    size_t i;
    json_t *e;
    int others = 0;
    json_array_foreach(v, i, e) others += strcmp(jpath(e, "department", NULL), "shimin") != 0;
    is_int(others, 0, "and only those");
  }
  json_decref(j);
  is_int(call(&staff, "GET", "/api/v1/admin/faq?q=%E4%BD%8F%E6%B0%91%E7%A5%A8", NULL, &j), 200,
         "search with the bot's analysis: 200");
  ok(json_array_size(json_object_get(j, "entries")) > 0, "住民票 finds entries");
  is_str(jpath(json_array_get(json_object_get(j, "entries"), 0), "id", NULL), "saijo-0001", "saijo-0001 among them");
  json_decref(j);
  is_int(status_of(&staff, "GET", "/api/v1/admin/faq/nope-9999", NULL), 404, "an unknown entry: 404");
  is_int(status_of(&staff, "GET", "/api/v1/admin/departments", NULL), 200, "departments: 200");
}

static void try_answers_like_the_bot_with_explain(void) {
  json_t *j = NULL;
  is_int(call(&staff, "POST", "/api/v1/admin/try", "{\"text\":\"住民票の写しはどこで取得できますか\"}", &j), 200, "try: 200");
  is_str(jpath(j, "faq_id", NULL), "saijo-0001", "try answers like the bot");
  ok(json_object_get(j, "explain") != NULL, "with the explain view");
  json_decref(j);
  is_int(status_of(&staff, "POST", "/api/v1/admin/try", "{\"text\":\"\"}"), 400, "try with no text: 400");
}

/* edit → draft; the published text keeps answering */
static void edit_is_a_draft_while_the_published_text_answers(void) {
  json_t *j = NULL;
  char *said;
  is_int(call(&staff, "PUT", "/api/v1/admin/faq/saijo-0001", "{\"answer\":\"新しい回答：市民課へどうぞ。\"}", &j), 200,
         "an edit: 200");
  is_str(jpath(j, "entry", "status"), "published+draft", "the edit is a draft");
  is_int(json_integer_value(json_object_get(json_object_get(j, "entry"), "version")), 2, "version 2");
  json_decref(j);
  said = bot_says(q);
  ok(!strstr(said, "新しい回答"), "a draft does not answer");
  free(said);
  is_int(audits("faq.edit", "saijo-0001"), 1, "the edit is audited");
  is_int(int_query("SELECT count(*) FROM audit_log WHERE action = 'faq.edit' AND before_json LIKE '%市民課窓口%'"
                   " AND after_json LIKE '%新しい回答%'", NULL), 1, "with the text before and after");
}

/* publish → the bot answers with the new text at once */
static void publish_makes_the_bot_answer_with_the_new_text_at_once(void) {
  json_t *j = NULL;
  char *said;
  is_int(call(&staff, "POST", "/api/v1/admin/faq/saijo-0001/publish", "{}", &j), 200, "publish: 200");
  is_str(jpath(j, "entry", "status"), "published", "the entry is published");
  json_decref(j);
  said = bot_says(q);
  ok(strstr(said, "新しい回答") != NULL, "the bot answers with the new text at once (%s)", said);
  free(said);
  is_int(audits("faq.publish", "saijo-0001"), 1, "publishing is audited");
}

/* history, diff, one version */
static void history_versions_and_diff_show_the_change(void) {
  json_t *j = NULL;
  is_int(call(&staff, "GET", "/api/v1/admin/faq/saijo-0001", NULL, &j), 200, "get with history: 200");
  is_int(json_array_size(json_object_get(j, "versions")), 2, "two versions");
  ok(json_is_true(json_object_get(json_array_get(json_object_get(j, "versions"), 0), "published")),
     "the newest is the published one");
  json_decref(j);
  is_int(call(&staff, "GET", "/api/v1/admin/faq/saijo-0001/versions/1", NULL, &j), 200, "version 1: 200");
  ok(strstr(jpath(j, "entry", "answer"), "市民課窓口") != NULL, "holds the old text");
  json_decref(j);
  is_int(status_of(&staff, "GET", "/api/v1/admin/faq/saijo-0001/versions/9", NULL), 404, "a missing version: 404");
  is_int(call(&staff, "GET", "/api/v1/admin/faq/saijo-0001/diff?from=1&to=2", NULL, &j), 200, "diff: 200");
  {
    size_t i;
    json_t *f, *answer = NULL, *question = NULL, *op;
    json_array_foreach(json_object_get(j, "fields"), i, f) {
      if (strcmp(jpath(f, "field", NULL), "answer") == 0) answer = f;
      if (strcmp(jpath(f, "field", NULL), "question") == 0) question = f;
    }
    ok(answer && json_is_true(json_object_get(answer, "changed")), "the answer changed");
    ok(question && json_is_false(json_object_get(question, "changed")), "the question did not");
    int plus = 0, minus = 0;
    json_array_foreach(json_object_get(answer, "ops"), i, op) {
      if (strcmp(jpath(op, "op", NULL), "+") == 0 && strstr(jpath(op, "text", NULL), "新しい回答")) plus = 1;
      if (strcmp(jpath(op, "op", NULL), "-") == 0 && strstr(jpath(op, "text", NULL), "コンビニ")) minus = 1;
    }
    ok(plus && minus, "the diff shows the added and removed text");
  }
  json_decref(j);
}

/* rollback */
static void rollback_adds_a_version_and_answers_with_the_old_text(void) {
  json_t *j = NULL;
  char *said;
  is_int(call(&staff, "POST", "/api/v1/admin/faq/saijo-0001/rollback", "{\"version\":1}", &j), 200, "rollback: 200");
  is_int(json_integer_value(json_object_get(json_object_get(j, "entry"), "version")), 3,
         "a rollback adds version 3 (history only grows)");
  is_str(jpath(j, "entry", "status"), "published", "and publishes it");
  json_decref(j);
  said = bot_says(q);
  ok(strstr(said, "市民課窓口") && !strstr(said, "新しい回答"), "the bot answers with the old text again");
  free(said);
  is_int(audits("faq.rollback", "saijo-0001"), 1, "the rollback is audited");
  is_int(status_of(&staff, "POST", "/api/v1/admin/faq/saijo-0001/rollback", "{}"), 400, "rollback without a version: 400");
}

/* create, alternate phrasing */
static void create_and_alternate_phrasing_are_checked_and_audited(void) {
  json_t *j = NULL;
  is_int(call(&staff, "POST", "/api/v1/admin/faq",
              "{\"id\":\"saijo-9001\",\"question\":\"ドローンの飛行許可は？\",\"answer\":\"国土交通省へ申請してください。\","
              "\"department\":\"shimin\",\"alternates\":[\"ドローン 許可\"],\"keywords\":[\"ドローン\"]}", &j),
         200, "create: 200");
  is_str(jpath(j, "entry", "status"), "draft", "a new entry starts as a draft");
  json_decref(j);
  is_int(status_of(&staff, "POST", "/api/v1/admin/faq", "{\"id\":\"saijo-9001\",\"question\":\"q\",\"answer\":\"a\"}"),
         409, "creating an existing id: 409");
  is_int(status_of(&sup, "POST", "/api/v1/admin/faq", "{\"id\":\"saijo-9002\",\"question\":\"q\",\"answer\":\"a\","
                                                     "\"department\":\"nowhere\"}"), 404, "an unknown department: 404");
  is_int(status_of(&staff, "POST", "/api/v1/admin/faq", "{\"id\":\"saijo-9003\",\"question\":\"q\",\"answer\":\"a\","
                                                       "\"department\":\"zeimu\"}"), 403,
         "staff create in their own department only: 403 (F7)");
  is_int(status_of(&staff, "POST", "/api/v1/admin/faq", "{\"id\":\"bad id!\",\"question\":\"q\",\"answer\":\"a\",\"department\":\"shimin\"}"),
         400, "a bad id: 400");
  is_int(call(&staff, "POST", "/api/v1/admin/faq/saijo-9001/alternates", "{\"text\":\"無人機を飛ばしたい\",\"publish\":true}", &j),
         200, "add an alternate phrasing: 200");
  is_int(json_array_size(json_object_get(json_object_get(j, "entry"), "alternates")), 2, "the entry has two phrasings");
  is_str(jpath(j, "entry", "status"), "published", "published on request");
  json_decref(j);
  is_int(audits("faq.create", "saijo-9001") + audits("faq.alternate", "saijo-9001"), 2, "both are audited");
}

/* a draft entry rolled back stays a draft (issue 14) */
static void draft_entry_rolled_back_stays_a_draft(void) {
  json_t *j = NULL;
  is_int(call(&staff, "POST", "/api/v1/admin/faq",
              "{\"id\":\"saijo-9004\",\"question\":\"下書きの質問\",\"answer\":\"最初の下書き\",\"department\":\"shimin\"}", &j),
         200, "a draft entry: 200");
  json_decref(j);
  is_int(call(&staff, "PUT", "/api/v1/admin/faq/saijo-9004",
              "{\"question\":\"下書きの質問\",\"answer\":\"二つ目の下書き\",\"department\":\"shimin\"}", &j),
         200, "edited once more: 200");
  json_decref(j);
  is_int(call(&staff, "POST", "/api/v1/admin/faq/saijo-9004/rollback", "{\"version\":1}", &j), 200, "rolled back: 200");
  is_str(jpath(j, "entry", "status"), "draft", "a draft rolled back stays a draft");
  is_int(json_integer_value(json_object_get(json_object_get(j, "entry"), "published_version")), 0, "nothing published");
  json_decref(j);
}

static void export_reimports_unchanged_and_a_bad_file_writes_nothing(void) {
  json_t *j = NULL;
  char *csv;
  int revs = int_query("SELECT count(*) FROM faq_revision", NULL);
  is_int(call(&staff, "GET", "/api/v1/admin/export", NULL, NULL), 200, "export: 200");
  ok(strncmp(last.content_type, "text/csv", 8) == 0, "as CSV");
  ok(last.body_len > 3 && memcmp(last.body, "\xef\xbb\xbf", 3) == 0, "with a BOM for Excel");
  ok(strstr(last.content_disposition, "attachment") != NULL, "as a download");
  ok(strstr(last.content_disposition, "-faq.csv") || strstr(last.content_disposition, "\"faq.csv"),
     "named by the municipality's code from the FAQ, never a city in C (%s)", last.content_disposition);
  csv = strndup(last.body, last.body_len);
  {
    /* the export holds every department: a supervisor's import (staff are
     * confined to their own department, tests/attack/csv_department.mjs) */
    admin_req req = { .method = "POST", .path = "/api/v1/admin/import", .body = csv, .body_len = strlen(csv),
                      .cookie = sup.cookie, .csrf = sup.csrf };
    char err[MG_ERRLEN];
    admin_resp_clear(&last);
    admin_handle(w, &req, &last, err);
    is_int(last.status, 200, "re-importing the export: 200");
    j = json_loadb(last.body, last.body_len, 0, NULL);
    is_int(json_integer_value(json_object_get(json_object_get(j, "report"), "added")), 0, "adds nothing");
    json_decref(j);
    is_int(int_query("SELECT count(*) FROM faq_revision", NULL), revs, "and changes nothing");
  }
  free(csv);
  is_int(call(&staff, "POST", "/api/v1/admin/import", "\xef\xbb\xbfnot,a,faq\r\n1,2\r\n", &j), 422,
         "a bad file: 422");
  ok(json_array_size(json_object_get(json_object_get(j, "report"), "errors")) > 0, "with the reasons");
  json_decref(j);
  is_int(int_query("SELECT count(*) FROM faq_revision", NULL), revs, "nothing was written");
  is_int(audits("faq.import", NULL), 1, "the successful import is audited");
}

static char t_shimin[TICKET_NOLEN], t_zeimu[TICKET_NOLEN];

static void make_conversations(void) {
  sqlite3 *db = bot_worker_db(w);
  char err[MG_ERRLEN], sid[SESSION_IDLEN];
  session_line ask = { .role = "resident", .kind = "ask" }, no = { .role = "bot", .kind = "no_answer",
                                                                    .decision = "no_answer", .text = "すみません" };
  const char *unanswered[] = { "粗大ごみの予約を取り消したい", "粗大ごみの予約を取り消したいです", "犬の散歩コースを教えて" };
  sqlite3_int64 mid;
  bot_session_create(db, 24, sid, err);
  for (int i = 0; i < 3; i++) {
    ask.text = unanswered[i];
    bot_session_append(db, sid, &ask, NULL, err);
    bot_session_append(db, sid, &no, NULL, err);
  }
  ask.text = "住民票が欲しい";
  bot_session_append(db, sid, &ask, NULL, err);
  session_line ans = { .role = "bot", .kind = "answer", .decision = "answer", .text = "市民課で", .faq_id = "saijo-0001",
                       .department_id = "shimin", .online = SESSION_COUNTER };
  bot_session_append(db, sid, &ans, &mid, err);
  {
    /* an answer that showed an online application (行かない窓口) */
    session_line on = { .role = "bot", .kind = "answer", .decision = "answer", .text = "電子申請で", .faq_id = "saijo-0075",
                        .department_id = "kosodate", .online = SESSION_ONLINE };
    bot_session_append(db, sid, &on, NULL, err);
  }
  bot_session_feedback(db, sid, mid, "saijo-0001", 0, "", "粗大ごみの予約を取り消したいのですが", err);
  {
    ticket_new t = { .session_id = sid, .question = "住民票を郵送で取りたい", .department_id = "shimin",
                     .routed_by = "engine", .contact = "090-1234-5678", .actor = "resident" };
    if (bot_ticket_create(db, &t, t_shimin, err)) diag("ticket_create: %s", err);
    ticket_new t2 = { .question = "固定資産税の減免について", .department_id = "zeimu", .routed_by = "engine",
                      .contact = "zeimu-resident@example.jp", .actor = "resident" };
    if (bot_ticket_create(db, &t2, t_zeimu, err)) diag("ticket_create: %s", err);
  }
}

static void unanswered_questions_are_grouped_biggest_first(void) {
  json_t *j = NULL, *g;
  is_int(call(&staff, "GET", "/api/v1/admin/unanswered", NULL, &j), 200, "unanswered: 200");
  g = json_array_get(json_object_get(j, "groups"), 0);
  is_int(json_integer_value(json_object_get(g, "count")), 3, "similar questions are grouped (no_answer and not helpful)");
  is_int(json_integer_value(json_object_get(g, "not_helpful")), 1, "counting the not-helpful one");
  ok(strstr(jpath(g, "text", NULL), "粗大ごみ") != NULL, "the biggest group comes first");
  is_int(json_array_size(json_object_get(j, "groups")), 2, "a different question is its own group");
  json_decref(j);
}

static void staff_see_and_act_on_their_own_departments_tickets_only(void) {
  json_t *j = NULL;
  char path[128];
  int reads;

  is_int(call(&staff, "GET", "/api/v1/admin/tickets", NULL, &j), 200, "the inbox: 200");
  is_int(json_array_size(json_object_get(j, "tickets")), 1, "staff see only their department's tickets");
  is_str(jpath(json_array_get(json_object_get(j, "tickets"), 0), "ticket_no", NULL), t_shimin, "their own one");
  ok(!strstr(last.body, "090-1234"), "the list never shows a contact");
  json_decref(j);
  is_int(status_of(&staff, "GET", "/api/v1/admin/tickets?department=zeimu", NULL), 403,
         "staff asking for another department's list: 403");

  reads = audits("ticket.read", t_zeimu);
  snprintf(path, sizeof path, "/api/v1/admin/tickets/%s", t_zeimu);
  is_int(status_of(&staff, "GET", path, NULL), 403, "staff opening another department's ticket: 403");
  ok(!strstr(last.body, "zeimu-resident"), "without its contact");
  is_int(audits("ticket.read", t_zeimu), reads, "and it was never read (no audit row)");
  snprintf(path, sizeof path, "/api/v1/admin/tickets/%s/reply", t_zeimu);
  is_int(status_of(&staff, "POST", path, "{\"text\":\"x\"}"), 403, "nor reply to it: 403");
  snprintf(path, sizeof path, "/api/v1/admin/tickets/%s/close", t_zeimu);
  is_int(status_of(&staff, "POST", path, "{}"), 403, "nor close it: 403");
  is_int(status_of(&staff, "GET", "/api/v1/admin/tickets/T-20000101-0001", NULL), 404, "an unknown ticket: 404");
}

static void staff_read_reply_and_reassign_their_ticket_audited(void) {
  json_t *j = NULL, *t;
  char path[128], body[256];
  snprintf(path, sizeof path, "/api/v1/admin/tickets/%s", t_shimin);
  is_int(call(&staff, "GET", path, NULL, &j), 200, "staff open their own ticket: 200");
  t = json_object_get(j, "ticket");
  is_str(jpath(t, "contact", NULL), "090-1234-5678", "with the contact the resident gave");
  ok(json_array_size(json_object_get(t, "transcript")) >= 8, "and the transcript");
  json_decref(j);
  ok(audits("ticket.read", t_shimin) >= 1, "reading the transcript and contact is audited");

  snprintf(path, sizeof path, "/api/v1/admin/tickets/%s/reply", t_shimin);
  is_int(status_of(&staff, "POST", path, "{\"text\":\"\"}"), 400, "an empty reply: 400");
  is_int(status_of(&staff, "POST", path, "{\"text\":\"郵送請求の様式をご案内します。\"}"), 200, "a reply: 200");
  is_int(int_query("SELECT count(*) FROM ticket_reply WHERE text LIKE '%郵送請求%' AND delivered_at IS NULL", NULL), 1,
         "is stored for delivery to the resident");
  is_int(audits("ticket.reply", t_shimin), 1, "and audited");

  snprintf(path, sizeof path, "/api/v1/admin/tickets/%s/reassign", t_shimin);
  is_int(status_of(&staff, "POST", path, "{\"department\":\"zeimu\"}"), 400, "a reassignment without a reason: 400");
  is_int(status_of(&staff, "POST", path, "{\"department\":\"nowhere\",\"reason\":\"x\"}"), 404,
         "to an unknown department: 404");
  snprintf(body, sizeof body, "{\"department\":\"zeimu\",\"reason\":\"税の証明の件のため\"}");
  is_int(status_of(&staff, "POST", path, body), 200, "a reassignment: 200");
  is_int(int_query("SELECT count(*) FROM audit_log WHERE action = 'ticket.reassign' AND before_json LIKE '%shimin%'"
                   " AND after_json LIKE '%zeimu%' AND detail LIKE '%税の証明%'", NULL), 1,
         "audited with the departments before and after and the reason");
  snprintf(path, sizeof path, "/api/v1/admin/tickets/%s", t_shimin);
  is_int(status_of(&staff, "GET", path, NULL), 403, "once reassigned, the old department cannot open it: 403");
  is_int(status_of(&staff2, "GET", path, NULL), 200, "the new department can");
}

/* supervisors */
static void supervisors_see_every_ticket_but_not_other_departments_contacts(void) {
  json_t *j = NULL, *t;
  char path[128];
  is_int(call(&sup, "GET", "/api/v1/admin/tickets", NULL, &j), 200, "supervisor: all tickets");
  is_int(json_array_size(json_object_get(j, "tickets")), 2, "both tickets");
  t = json_array_get(json_object_get(j, "tickets"), 0);
  is_str(jpath(t, "ticket_no", NULL), t_shimin, "oldest first");
  ok(json_is_integer(json_object_get(t, "first_reply_seconds")), "with the time to the first reply");
  is_int(json_array_size(json_object_get(t, "reassignments")), 2, "and the reassignment chain");
  is_str(json_string_value(json_array_get(json_object_get(t, "reassignments"), 1)), "zeimu", "ending at zeimu");
  json_decref(j);
  snprintf(path, sizeof path, "/api/v1/admin/tickets/%s", t_zeimu);
  is_int(call(&sup, "GET", path, NULL, &j), 200, "supervisor: opens any department's ticket");
  is_str(jpath(json_object_get(j, "ticket"), "ticket_no", NULL), t_zeimu, "the ticket asked for");
  ok(!json_object_get(json_object_get(j, "ticket"), "contact"),
     "but not the resident's contact, which is for the ticket's own department only");
  json_decref(j);
  is_int(call(&sup, "GET", "/api/v1/admin/tickets?status=answered", NULL, &j), 200, "filter by status");
  is_int(json_array_size(json_object_get(j, "tickets")), 1, "finds the answered one");
  json_decref(j);
  is_int(call(&sup, "GET", "/api/v1/admin/tickets?from=2000-01-01&to=2000-01-02", NULL, &j), 200, "filter by dates");
  is_int(json_array_size(json_object_get(j, "tickets")), 0, "finds nothing in 2000");
  json_decref(j);
  snprintf(path, sizeof path, "/api/v1/admin/tickets/%s/close", t_zeimu);
  is_int(status_of(&sup, "POST", path, "{\"reason\":\"解決済み\"}"), 200, "a supervisor closes any ticket");
  is_int(status_of(&sup, "POST", path, "{}"), 409, "closing twice: 409");
  is_int(audits("ticket.close", t_zeimu), 1, "the close is audited");
}

static void statistics_count_questions_and_export_csv(void) {
  json_t *j = NULL;
  is_int(call(&sup, "GET", "/api/v1/admin/stats", NULL, &j), 200, "stats: 200");
  is_int(json_integer_value(json_object_get(json_object_get(j, "totals"), "questions")), 4, "counts the questions");
  is_int(json_integer_value(json_object_get(json_object_get(j, "totals"), "no_answer")), 3, "and the unanswered ones");
  is_int(json_integer_value(json_object_get(json_object_get(j, "totals"), "escalated")), 2, "and the escalations");
  ok(json_is_real(json_object_get(json_object_get(j, "totals"), "no_answer_rate")), "with rates");
  is_int(json_array_size(json_object_get(j, "days")), 1, "all on one Tokyo day");
  is_str(jpath(json_array_get(json_object_get(j, "top_questions"), 0), "faq_id", NULL), "saijo-0001", "top questions");
  ok(json_array_size(json_object_get(j, "top_unanswered")) == 3, "top unanswered");
  ok(json_array_size(json_object_get(j, "departments")) >= 2, "per department");
  {
    json_t *o = json_object_get(j, "online");
    is_int(json_integer_value(json_object_get(o, "online")), 1, "answers that sent residents online");
    is_int(json_integer_value(json_object_get(o, "counter")), 1, "versus to a counter (no_answer lines are neither)");
    ok(json_real_value(json_object_get(o, "online_rate")) == 0.5, "online rate 0.5");
  }
  json_decref(j);
  is_int(status_of(&sup, "GET", "/api/v1/admin/stats?format=csv", NULL), 200, "stats as CSV: 200");
  ok(strncmp(last.content_type, "text/csv", 8) == 0 && memcmp(last.body, "\xef\xbb\xbf", 3) == 0, "CSV with a BOM");
  ok(strstr(last.body, "日付") != NULL, "with Japanese headers");
  is_int(status_of(&sup, "GET", "/api/v1/admin/stats?format=csv&table=departments", NULL), 200, "departments CSV");
  is_int(status_of(&sup, "GET", "/api/v1/admin/stats?from=yesterday", NULL), 400, "a bad date: 400");
  is_int(status_of(&sup, "GET", "/api/v1/admin/stats?format=csv&table=secrets", NULL), 400, "an unknown table: 400");
  is_int(status_of(&sup, "GET", "/api/v1/admin/audit?target=saijo-0001", NULL), 200, "the audit view: 200");
  ok(strstr(last.body, "faq.rollback") != NULL, "shows the FAQ's history of changes");
}

static void admin_manages_accounts_and_every_change_is_audited(void) {
  json_t *j = NULL;
  client nu;
  is_int(call(&adm, "GET", "/api/v1/admin/users", NULL, &j), 200, "users: 200");
  is_int(json_array_size(json_object_get(j, "users")), 4, "four accounts");
  ok(!strstr(last.body, "argon2"), "never with a hash");
  json_decref(j);
  is_int(status_of(&adm, "POST", "/api/v1/admin/users",
                   "{\"login\":\"yamada\",\"display_name\":\"山田\",\"role\":\"staff\",\"department\":\"kankyo\","
                   "\"password\":\"yamada password\"}"), 200, "admin adds an account");
  is_int(status_of(&adm, "POST", "/api/v1/admin/users",
                   "{\"login\":\"yamada\",\"display_name\":\"山田\",\"role\":\"staff\",\"department\":\"kankyo\","
                   "\"password\":\"yamada password\"}"), 409, "twice: 409");
  is_int(status_of(&adm, "POST", "/api/v1/admin/users", "{\"login\":\"x\",\"display_name\":\"x\",\"role\":\"god\","
                                                       "\"password\":\"long enough pw\"}"), 400, "a bad role: 400");
  is_int(login(&nu, "yamada", "yamada password"), 200, "the new account logs in");
  is_int(status_of(&adm, "POST", "/api/v1/admin/users/yamada/disable", "{}"), 200, "admin disables it");
  is_int(status_of(&nu, "GET", "/api/v1/admin/me", NULL), 401, "its session ends at once");
  is_int(login(&nu, "yamada", "yamada password"), 401, "and it cannot log in");
  is_int(status_of(&adm, "POST", "/api/v1/admin/users/yamada/enable", "{}"), 200, "enable again");
  is_int(status_of(&adm, "POST", "/api/v1/admin/users/yamada/passwd", "{\"password\":\"short\"}"), 400,
         "a short new password: 400");
  is_int(status_of(&adm, "POST", "/api/v1/admin/users/yamada/passwd", "{\"password\":\"another yamada pw\"}"), 200,
         "a new password");
  is_int(login(&nu, "yamada", "another yamada pw"), 200, "works");
  is_int(status_of(&adm, "POST", "/api/v1/admin/users/admin/disable", "{}"), 409, "admins cannot lock themselves out");
  is_int(status_of(&adm, "POST", "/api/v1/admin/users/ghost/disable", "{}"), 404, "an unknown account: 404");
  /* editing an account (issue 14): name, role, department; a change of rights ends its sessions */
  is_int(status_of(&adm, "PUT", "/api/v1/admin/users/yamada",
                   "{\"display_name\":\"山田 太郎\",\"role\":\"staff\",\"department\":\"shimin\"}"), 200, "edit: 200");
  is_int(status_of(&nu, "GET", "/api/v1/admin/me", NULL), 401, "a new department ends the session");
  is_int(status_of(&adm, "PUT", "/api/v1/admin/users/yamada", "{\"display_name\":\"山田\",\"role\":\"staff\"}"), 400,
         "staff without a department: 400");
  ok(strstr(last.body, "部署が必要") != NULL, "said in Japanese: %s", last.body);
  is_int(status_of(&adm, "PUT", "/api/v1/admin/users/admin", "{\"display_name\":\"a\",\"role\":\"staff\","
                                                           "\"department\":\"shimin\"}"), 409,
         "an admin cannot demote themselves");
  is_int(audits("user.update", "yamada"), 1, "the edit is audited");
  is_int(audits("user.add", "yamada") + audits("user.disable", "yamada") + audits("user.enable", "yamada") +
         audits("user.passwd", "yamada"), 4, "every account change is audited");
}

static void logout_clears_the_cookie_and_ends_the_session(void) {
  is_int(status_of(&staff, "POST", "/api/v1/admin/logout", NULL), 200, "logout: 200");
  ok(strstr(last.set_cookie, "Max-Age=0") != NULL, "clears the cookie");
  is_int(status_of(&staff, "GET", "/api/v1/admin/me", NULL), 401, "the session is gone");
  is_int(audits("auth.logout", "tanaka"), 1, "logout is audited");
}

static void console_responses_carry_csp_and_nosniff(void) {
  int csp = 0, nosniff = 0;
  for (int i = 0; admin_security_headers[i]; i += 2) {
    if (strcmp(admin_security_headers[i], "Content-Security-Policy") == 0)
      csp = strstr(admin_security_headers[i + 1], "default-src 'self'") &&
            strstr(admin_security_headers[i + 1], "frame-ancestors 'none'");
    if (strcmp(admin_security_headers[i], "X-Content-Type-Options") == 0)
      nosniff = strcmp(admin_security_headers[i + 1], "nosniff") == 0;
  }
  ok(csp, "console responses carry CSP default-src 'self' and frame-ancestors 'none'");
  ok(nosniff, "and X-Content-Type-Options: nosniff");
}

int main(void) {
  char err[MG_ERRLEN];
  mg_config cfg;
  bot *b = NULL;
  sqlite3 *db;

  if (!test_tmpdir(dir, sizeof dir, "t_admin")) { printf("Bail out! mkdtemp\n"); return 1; }
  test_config(&cfg, dir);
  if (bot_auth_init(err) || bot_new(&b, &cfg, err) || bot_worker_new(&w, b, err)) {
    printf("Bail out! %s\n", err);
    return 1;
  }
  db = bot_worker_db(w);
  if (bot_auth_user_add(db, "tanaka", "田中", "staff", "shimin", "tanaka password", "test", err) ||
      bot_auth_user_add(db, "suzuki", "鈴木", "staff", "zeimu", "suzuki password", "test", err) ||
      bot_auth_user_add(db, "sato", "佐藤", "supervisor", NULL, "sato password 1", "test", err) ||
      bot_auth_user_add(db, "admin", "管理者", "admin", NULL, "admin password", "test", err)) {
    printf("Bail out! %s\n", err);
    return 1;
  }
  RUN(console_responses_carry_csp_and_nosniff);
  RUN(requests_without_a_session_are_refused);
  RUN(logins_set_a_strict_cookie_and_are_audited);
  RUN(me_names_the_user_and_gives_the_csrf_token_back);
  RUN(changes_without_the_sessions_csrf_token_are_refused);
  RUN(roles_limit_statistics_users_and_audit);
  RUN(faq_list_filters_by_department_and_searches);
  RUN(try_answers_like_the_bot_with_explain);
  RUN(edit_is_a_draft_while_the_published_text_answers);
  RUN(publish_makes_the_bot_answer_with_the_new_text_at_once);
  RUN(history_versions_and_diff_show_the_change);
  RUN(rollback_adds_a_version_and_answers_with_the_old_text);
  RUN(create_and_alternate_phrasing_are_checked_and_audited);
  RUN(draft_entry_rolled_back_stays_a_draft);
  RUN(export_reimports_unchanged_and_a_bad_file_writes_nothing);
  make_conversations();
  RUN(unanswered_questions_are_grouped_biggest_first);
  RUN(staff_see_and_act_on_their_own_departments_tickets_only);
  RUN(staff_read_reply_and_reassign_their_ticket_audited);
  RUN(supervisors_see_every_ticket_but_not_other_departments_contacts);
  RUN(statistics_count_questions_and_export_csv);
  RUN(admin_manages_accounts_and_every_change_is_audited);
  RUN(logout_clears_the_cookie_and_ends_the_session);

  admin_resp_clear(&last);
  bot_worker_free(w);
  bot_free(b);
  test_rmdir(dir);
  return done_testing();
}
