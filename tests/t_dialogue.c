/* The dialogue, driven through dialogue_handle as an adapter would, on a
 * temporary database with the real rules, calendar, engine and sample FAQ:
 * hello first, welcome and resume, each answer shape (answer, clarify →
 * choose, no_answer, emergency and handoff rules), every bad field, feedback,
 * escalation to a ticket numbered by the Tokyo date, a staff reply delivered
 * exactly once, masking of personal data in what is stored (read back with
 * SQL), expiry, and a restart that keeps everything. */
#include "bot/answer.h"
#include "bot/dialogue.h"
#include "util/mg_config.h"
#include "util/mg_err.h"
#include "bot/session.h"
#include "bot/ticket.h"
#include "faq/store.h"
#include "tests/tap.h"
#include "tests/testenv.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[64];

static bot_worker *W;

/* Send one message (JSON text) on conn; the replies (caller json_decref's). */
static json_t *say(dlg_conn *conn, const char *text) {
  json_error_t je;
  json_t *msg = json_loads(text, JSON_DECODE_ANY, &je), *out = NULL;
  char err[MG_ERRLEN] = "";
  int rc;
  if (!msg) {
    diag("bad test JSON %s: %s", text, je.text);
    return json_array();
  }
  rc = bot_dialogue_handle(W, conn, msg, &out, err);
  if (rc != 0) diag("dialogue_handle(%s) = %d: %s", text, rc, err);
  json_decref(msg);
  return out ? out : json_array();
}

static const char *jstr(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "(absent)";
}

/* The first reply, its type and, for errors, its code. */
static json_t *first(json_t *out) { return json_array_get(out, 0); }

/* Expect exactly one error reply with code and reply_to (NULL: absent). */
static void expect_error(dlg_conn *conn, const char *msg, const char *code, const char *reply_to, const char *what) {
  json_t *out = say(conn, msg), *e = first(out);
  ok(json_array_size(out) == 1 && strcmp(jstr(e, "type"), "error") == 0 && strcmp(jstr(e, "code"), code) == 0 &&
         (reply_to ? strcmp(jstr(e, "reply_to"), reply_to) == 0 : !json_object_get(e, "reply_to")) &&
         strlen(jstr(e, "message")) > 0,
     "%s → error %s", what, code);
  if (strcmp(jstr(e, "code"), code) != 0) diag("got %s (%s)", jstr(e, "code"), jstr(e, "message"));
  json_decref(out);
}

static sqlite3 *db(void) { return bot_worker_db(W); }

static int int_query(const char *q, const char *arg) { return test_int(db(), q, arg); }

/* All stored text of a session (transcript, feedback, tickets) joined. */
static char *stored_text(const char *session) {
  static const char q[] =
    "SELECT group_concat(x, '|') FROM (SELECT text AS x FROM message WHERE session_id = ?1"
    " UNION ALL SELECT comment || question FROM feedback WHERE session_id = ?1"
    " UNION ALL SELECT question FROM ticket WHERE session_id = ?1)";
  sqlite3_stmt *st = NULL;
  char *s = NULL;
  if (sqlite3_prepare_v2(db(), q, -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, session, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) s = strdup((const char *)sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  return s ? s : strdup("");
}

static int is_b64url(const char *s) {
  for (; *s; s++)
    if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *s)) return 0;
  return 1;
}

/* The fixture: the bot on a fresh database file, one worker, and the two
 * connections the story runs on (conn1 sends the bad input, conn2 is the
 * resident); the session, answer and ticket the later steps build on. */
static mg_config cfg;
static bot *B;
static dlg_conn conn1 = { "", "127.0.0.1", 0 }, conn2 = { "", "127.0.0.1", 0 };
static char session[48], answer_id[32], ticket_no[TICKET_NOLEN];

static void bad_messages_are_refused_with_their_error_code(void) {
  dlg_conn *conn = &conn1;
  char big[3 * 1001 + 64], *p;
  expect_error(conn, "{\"type\":\"ask\",\"id\":\"a0\",\"text\":\"住民票\"}", "missing_field", "a0", "ask before hello");
  {
    json_t *out = say(conn, "{\"type\":\"ask\",\"id\":\"a0\",\"text\":\"住民票\"}");
    is_str(jstr(first(out), "message"), "hello first", "the message says hello first");
    json_decref(out);
  }
  expect_error(conn, "[1,2]", "bad_json", NULL, "not an object");
  expect_error(conn, "{\"id\":\"x\"}", "missing_field", "x", "no type");
  expect_error(conn, "{\"type\":42}", "unknown_type", NULL, "type is not a string");
  expect_error(conn, "{\"type\":\"dance\",\"id\":\"d1\"}", "unknown_type", "d1", "unknown type");
  expect_error(conn, "{\"type\":\"hello\",\"session\":42}", "missing_field", NULL, "hello with a number as session");
  ok(conn->session[0] == '\0', "a bad hello starts no session");

  {
    json_t *out = say(conn, "{\"type\":\"hello\"}");
    json_decref(out);
  }
  expect_error(conn, "{\"type\":\"ask\",\"text\":\"住民票\"}", "missing_field", NULL, "ask without id");
  expect_error(conn, "{\"type\":\"ask\",\"id\":7,\"text\":\"住民票\"}", "missing_field", NULL, "ask with a numeric id");
  expect_error(conn, "{\"type\":\"ask\",\"id\":\"a1\"}", "missing_field", "a1", "ask without text");
  expect_error(conn, "{\"type\":\"ask\",\"id\":\"a1\",\"text\":null}", "missing_field", "a1", "ask with null text");
  expect_error(conn, "{\"type\":\"ask\",\"id\":\"a1\",\"text\":[\"住民票\"]}", "missing_field", "a1", "ask with an array as text");
  expect_error(conn, "{\"type\":\"ask\",\"id\":\"a2\",\"text\":\"\"}", "empty_text", "a2", "empty text");
  expect_error(conn, "{\"type\":\"ask\",\"id\":\"a3\",\"text\":\" \\u3000\\n\"}", "empty_text", "a3", "only spaces");
  p = big + sprintf(big, "{\"type\":\"ask\",\"id\":\"a4\",\"text\":\"");
  for (int i = 0; i < 1001; i++) p += sprintf(p, "あ");
  sprintf(p, "\"}");
  expect_error(conn, big, "text_too_long", "a4", "1,001 code points (3,003 bytes)");
  {
    /* 1,000 code points are allowed, however many bytes they take. */
    json_t *out;
    big[strlen(big) - 2 - 3] = '\0';
    strcat(big, "\"}");
    out = say(conn, big);
    ok(strcmp(jstr(first(out), "type"), "error") != 0, "1,000 code points are accepted (%s)", jstr(first(out), "type"));
    json_decref(out);
  }
  expect_error(conn, "{\"type\":\"choose\",\"id\":\"c1\"}", "missing_field", "c1", "choose without faq_id");
  expect_error(conn, "{\"type\":\"choose\",\"id\":\"c1\",\"faq_id\":1}", "missing_field", "c1", "choose with a numeric faq_id");
  expect_error(conn, "{\"type\":\"choose\",\"id\":\"c2\",\"faq_id\":\"saijo-0001\"}", "not_found", "c2",
               "choose with nothing offered");
  expect_error(conn, "{\"type\":\"feedback\",\"helpful\":true}", "missing_field", NULL, "feedback without answer_id");
  expect_error(conn, "{\"type\":\"feedback\",\"answer_id\":1,\"helpful\":true}", "missing_field", NULL,
               "feedback with a numeric answer_id");
  expect_error(conn, "{\"type\":\"feedback\",\"answer_id\":\"1\"}", "missing_field", "1", "feedback without helpful");
  expect_error(conn, "{\"type\":\"feedback\",\"answer_id\":\"1\",\"helpful\":\"yes\"}", "missing_field", "1",
               "feedback with a string as helpful");
  expect_error(conn, "{\"type\":\"feedback\",\"answer_id\":\"1\",\"helpful\":true,\"comment\":5}", "missing_field", "1",
               "feedback with a numeric comment");
  expect_error(conn, "{\"type\":\"feedback\",\"answer_id\":\"zz\",\"helpful\":true}", "not_found", "zz",
               "feedback on no answer");
  expect_error(conn, "{\"type\":\"escalate\"}", "missing_field", NULL, "escalate without id");
  expect_error(conn, "{\"type\":\"escalate\",\"id\":\"e1\",\"contact\":123}", "missing_field", "e1",
               "escalate with a numeric contact");
  expect_error(conn, "{\"type\":\"escalate\",\"id\":\"e1\",\"text\":\"\"}", "empty_text", "e1", "escalate with empty text");
  is_int(int_query("SELECT count(*) FROM ticket", NULL), 0, "no bad message created a ticket");
}

/* Several workers at once, as the server runs them: each thread has its own
 * bot_worker (connection, tagger) and its own resident. */
#define N_THREADS 4
#define N_ASKS 40
struct runner {
  bot *b;
  int failures;       /* dialogue_handle returned an error */
  int replies;        /* answer, clarify or no_answer received */
  char tickets[2][TICKET_NOLEN];
  char session[48];
};

static void *run_resident(void *arg) {
  struct runner *r = arg;
  static const char *const qs[] = { "住民票の写しはどこで取得できますか？", "ごみの出し方", "保育所に入りたい", "qwertyuiop" };
  bot_worker *w = NULL;
  dlg_conn conn = { "", "127.0.0.1", 0 };
  char err[MG_ERRLEN];
  if (bot_worker_new(&w, r->b, err) != 0) {
    r->failures++;
    return NULL;
  }
  for (int i = 0; i < N_ASKS + 3; i++) {
    json_t *msg = i == 0 ? json_pack("{s:s}", "type", "hello")
                  : i > N_ASKS ? json_pack("{s:s, s:s}", "type", "escalate", "id", "e")
                               : json_pack("{s:s, s:s, s:s}", "type", "ask", "id", "q", "text", qs[i % 4]);
    json_t *out = NULL, *m;
    if (bot_dialogue_handle(w, &conn, msg, &out, err) != 0) r->failures++;
    m = json_array_get(out, 0);
    if (m && strchr("acn", jstr(m, "type")[0]) && strcmp(jstr(m, "type"), "error") != 0) r->replies++;
    if (m && strcmp(jstr(m, "type"), "ticket") == 0) snprintf(r->tickets[i - N_ASKS - 1], TICKET_NOLEN, "%s", jstr(m, "ticket_no"));
    json_decref(msg);
    json_decref(out);
  }
  snprintf(r->session, sizeof r->session, "%s", conn.session);
  faq_db_stmt_release(bot_worker_db(w));
  bot_worker_free(w);
  return NULL;
}

static void threads_asking_at_once_get_distinct_tickets(void) {
  bot *b = B;
  pthread_t th[N_THREADS];
  struct runner r[N_THREADS];
  int failures = 0, replies = 0, unique = 1;
  memset(r, 0, sizeof r);
  for (int i = 0; i < N_THREADS; i++) {
    r[i].b = b;
    pthread_create(&th[i], NULL, run_resident, &r[i]);
  }
  for (int i = 0; i < N_THREADS; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < N_THREADS; i++) {
    failures += r[i].failures;
    replies += r[i].replies;
    for (int k = 0; k < 2; k++)
      for (int j = 0; j < N_THREADS; j++)
        for (int l = 0; l < 2; l++)
          if ((i != j || k != l) && strcmp(r[i].tickets[k], r[j].tickets[l]) == 0) unique = 0;
    is_int(int_query("SELECT count(*) FROM message WHERE session_id = ?1", r[i].session), 2 * N_ASKS + 2,
           "thread %d: every question and reply stored, and both tickets' lines", i);
  }
  is_int(failures, 0, "%d threads asking at once: no internal errors", N_THREADS);
  is_int(replies, N_THREADS * N_ASKS, "every question answered");
  ok(unique && r[0].tickets[0][0], "tickets created at once all have distinct numbers");
}

/* Ask q; the single reply (caller json_decref's the array in *out). */
static json_t *ask(dlg_conn *conn, const char *id, const char *q, json_t **out) {
  json_t *msg = json_pack("{s:s, s:s, s:s}", "type", "ask", "id", id, "text", q);
  char err[MG_ERRLEN] = "";
  *out = NULL;
  if (bot_dialogue_handle(W, conn, msg, out, err) != 0) diag("ask failed: %s", err);
  json_decref(msg);
  if (!*out) *out = json_array();
  return first(*out);
}

static int decision_of(const json_t *reply) { return reply ? jstr(reply, "type")[0] : '?'; }

static void fresh_connection_is_welcomed_with_a_new_session(void) {
  json_t *out = NULL, *r;
  /* A fresh connection: welcome. */
  out = say(&conn2, "{\"type\":\"hello\"}");
  r = first(out);
  is_str(jstr(r, "type"), "welcome", "hello → welcome");
  snprintf(session, sizeof session, "%s", jstr(r, "session"));
  ok(strlen(session) >= 22 && is_b64url(session), "session id is base64url with >= 128 bits: %s", session);
  is_str(conn2.session, session, "the connection carries the session");
  ok(strcmp(session, conn1.session) != 0, "two sessions differ");
  ok(json_is_false(json_object_get(r, "resumed")), "a new session is not resumed");
  ok(strlen(jstr(r, "greeting")) > 0 && strstr(jstr(r, "privacy"), "365日") != NULL, "greeting and privacy notice (retention days)");
  is_int(json_array_size(json_object_get(r, "history")), 0, "no history yet");
  json_decref(out);
}

static void faq_question_gets_an_answer_card(void) {
  char sql[256];
  json_t *out = NULL, *r;
  r = ask(&conn2, "q1", "住民票の写しはどこで取得できますか？", &out);
  is_str(jstr(r, "type"), "answer", "a FAQ question is answered");
  is_str(jstr(r, "reply_to"), "q1", "reply_to is the client's id");
  snprintf(answer_id, sizeof answer_id, "%s", jstr(r, "answer_id"));
  ok(atoll(answer_id) > 0, "answer_id is the bot line's message id: %s", answer_id);
  is_str(jstr(r, "faq_id"), "saijo-0001", "the right entry");
  ok(strlen(jstr(r, "answer")) > 0 && strlen(jstr(r, "question")) > 0, "question and answer text");
  ok(strlen(jstr(json_object_get(r, "department"), "name")) > 0, "department with a name");
  ok(json_is_number(json_object_get(r, "confidence")), "confidence");
  ok(json_is_array(json_object_get(r, "related")), "related entries");
  ok(json_is_false(json_object_get(r, "offer_escalation")), "no escalation offered for a plain answer");
  ok(!json_object_get(r, "candidates") && !json_object_get(r, "decision"), "no internal fields leak");
  snprintf(sql, sizeof sql, "SELECT count(*) FROM message WHERE id = %s AND role = 'bot' AND kind = 'answer'", answer_id);
  is_int(int_query(sql, NULL), 1, "answer_id names the stored bot line");
  json_decref(out);
}

/* the entry's own related entries come first on the card, published ones
 * only, then the other candidates, without repeats, at most top_k - 1 */
static void related_entries_come_first_published_only_without_repeats(void) {
  char err[MG_ERRLEN] = "";
  json_t *out = NULL, *r;
  {
    mg_faq_entry *e = NULL, draft = { .id = "rel-draft", .question = "下書きの関連FAQ", .answer = "まだ公開していません。" };
    char *rel[] = { "saijo-0005", "rel-draft", "saijo-0003" };
    json_t *list, *x;
    size_t i;
    int pos_5 = -1, pos_3 = -1, self = 0, drafts = 0, dups = 0;
    is_int(faq_put(db(), &draft, "test", 0, err), 0, "a draft-only entry (%s)", err);
    is_int(faq_get(db(), "saijo-0001", MG_FAQ_PUBLISHED, &e, err), 0, "saijo-0001 read (%s)", err);
    if (e) {
      mg_faq_entry copy = *e;
      copy.related = rel, copy.n_related = 3, copy.updated_at = NULL;
      is_int(faq_put(db(), &copy, "test", 1, err), 0, "saijo-0001 lists three related entries (%s)", err);
    }
    faq_entry_free(e);
    /* as the server's refresh tick would (or the console's save does): the
     * answers read the published FAQ of the index's generation */
    is_int(bot_refresh(W, err), 0, "refreshed (%s)", err);
    r = ask(&conn2, "q1r", "住民票の写しはどこで取得できますか？", &out);
    is_str(jstr(r, "faq_id"), "saijo-0001", "the same answer");
    list = json_object_get(r, "related");
    json_array_foreach(list, i, x) {
      const char *id = jstr(x, "faq_id");
      if (!strcmp(id, "saijo-0005")) pos_5 = (int)i;
      if (!strcmp(id, "saijo-0003")) pos_3 = (int)i;
      self += !strcmp(id, "saijo-0001");
      drafts += !strcmp(id, "rel-draft");
      for (size_t j = 0; j < i; j++) dups += !strcmp(jstr(json_array_get(list, j), "faq_id"), id);
    }
    is_int(pos_5, 0, "the entry's first related entry comes first");
    is_int(pos_3, 1, "its second published one next (the draft is skipped)");
    ok(strstr(jstr(json_array_get(list, 0), "question"), "郵送") != NULL, "with its question");
    is_int(drafts, 0, "a related entry that is not published is not shown");
    ok(self == 0 && dups == 0, "neither the answer itself nor a repeat");
    ok(json_array_size(list) > 2 && (int)json_array_size(list) <= cfg.top_k - 1,
       "candidates fill up to top_k - 1 (%zu)", json_array_size(list));
    json_decref(out);
  }
}

static void feedback_is_stored_and_unhelpful_offers_a_person(void) {
  char err[MG_ERRLEN] = "", sql[256];
  json_t *out = NULL, *r, *m;
  m = json_pack("{s:s, s:s, s:b}", "type", "feedback", "answer_id", answer_id, "helpful", 1);
  out = NULL;
  bot_dialogue_handle(W, &conn2, m, &out, err);
  json_decref(m);
  r = first(out);
  is_str(jstr(r, "type"), "feedback_ok", "helpful feedback acknowledged");
  is_str(jstr(r, "reply_to"), answer_id, "feedback_ok replies to the answer_id");
  ok(json_is_false(json_object_get(r, "offer_escalation")), "helpful: no escalation offered");
  json_decref(out);
  m = json_pack("{s:s, s:s, s:b, s:s}", "type", "feedback", "answer_id", answer_id, "helpful", 0, "comment",
                "分かりにくい。電話 0897-52-1234 で聞きたい");
  out = NULL;
  bot_dialogue_handle(W, &conn2, m, &out, err);
  json_decref(m);
  ok(json_is_true(json_object_get(first(out), "offer_escalation")), "not helpful: escalation offered");
  json_decref(out);
  is_int(int_query("SELECT count(*) FROM feedback WHERE session_id = ?1 AND faq_id = 'saijo-0001'", session), 2,
         "both feedbacks stored with the FAQ id");
  is_int(int_query("SELECT count(*) FROM feedback WHERE session_id = ?1 AND helpful = 0 AND question LIKE '%住民票%'", session), 1,
         "feedback keeps the question it was about");
  snprintf(sql, sizeof sql, "{\"type\":\"feedback\",\"answer_id\":\"%s\",\"helpful\":true}", answer_id);
  expect_error(&conn1, sql, "not_found", answer_id, "feedback on another session's answer");
}

static void no_answer_emergency_and_handoff_shape_the_reply(void) {
  json_t *out = NULL, *r;
  r = ask(&conn2, "q2", "火星への移住手続きの宇宙船の予約方法", &out);
  is_str(jstr(r, "type"), "no_answer", "an unrelated question gets no_answer");
  ok(json_is_true(json_object_get(r, "offer_escalation")) && strlen(jstr(r, "text")) > 0, "no_answer apologises and offers escalation");
  json_decref(out);
  r = ask(&conn2, "q3", "家が火事です", &out);
  is_str(jstr(r, "type"), "answer", "an emergency is answered");
  is_str(jstr(json_object_get(r, "rule"), "kind"), "emergency", "by the emergency rule");
  ok(strstr(jstr(r, "answer"), "119") != NULL, "telling the resident to call 119");
  ok(!json_object_get(r, "faq_id"), "and never with a FAQ entry");
  is_str(jstr(json_object_get(r, "safety"), "level"), "card", "the card carries the safety decision");
  json_decref(out);
  is_int(int_query("SELECT count(*) FROM message WHERE session_id = ?1 AND role = 'bot' AND rule_kind = 'emergency'"
                   " AND json_extract(safety, '$.level') = 'card' AND safety LIKE '%+fire%'", session), 1,
         "the transcript records the safety decision and the cues that fired");
  r = ask(&conn2, "q3b", "焦げ臭い", &out);
  is_str(jstr(json_object_get(r, "safety"), "level"), "note", "an unsure danger: a safety note rides on the reply");
  ok(json_array_size(json_object_get(json_object_get(r, "safety"), "numbers")) >= 1, "the note names its number");
  ok(strcmp(jstr(r, "type"), "answer") != 0 || !json_object_get(r, "rule") ||
     strcmp(jstr(json_object_get(r, "rule"), "kind"), "emergency") != 0, "a note is not the emergency card");
  json_decref(out);
  r = ask(&conn2, "q3c", "How do I throw away a large sofa?", &out);
  ok(strstr(jstr(r, "english"), "phone") != NULL, "an English question gets the English line with the department's phone");
  ok(json_is_true(json_object_get(r, "offer_escalation")), "and a person is offered");
  json_decref(out);
  r = ask(&conn2, "q3d", "壊れた洗濯機 どこで直してもらえる？", &out);
  is_str(jstr(json_object_get(r, "rule"), "name"), "scope_outside", "a broken appliance to mend is not a city matter");
  json_decref(out);
  r = ask(&conn2, "q3e", "壊れた洗濯機 市で持っていってもらえる？", &out);
  ok(json_object_get(r, "faq_id") && !json_object_get(r, "rule"),
     "the same appliance for the city to take away is a city question (the bare 市 asks the city)");
  json_decref(out);
  r = ask(&conn2, "q4", "職員と話したい", &out);
  is_str(jstr(json_object_get(r, "rule"), "kind"), "handoff", "a request for a person hits the handoff rule");
  ok(json_is_true(json_object_get(r, "offer_escalation")), "handoff offers escalation");
  json_decref(out);
  r = ask(&conn2, "q4b", "夕方に電話ください", &out);
  is_str(jstr(json_object_get(r, "rule"), "kind"), "handoff", "asking to be phoned back is asking for a person");
  json_decref(out);
  r = ask(&conn2, "q4d", "担当の人から折り返しもらえる？ 字を打つのがしんどい", &out);
  is_str(jstr(json_object_get(r, "rule"), "kind"), "handoff", "asking for a call back is asking for a person");
  json_decref(out);
  r = ask(&conn2, "q4c", "電話番号は090-1234-5678です", &out);
  ok(!json_object_get(r, "rule") || strcmp(jstr(json_object_get(r, "rule"), "kind"), "handoff") != 0,
     "giving a phone number is not (電話ください is a request, not the word 電話)");
  json_decref(out);
}

/* clarify → choose: look for a question the engine finds ambiguous. */
static void vague_question_is_clarified_then_chosen(void) {
  char sql[256];
  json_t *out = NULL, *r;
  {
    static const char *const vague[] = { "証明書", "住民票", "届出", "手続き", "申請", "保険", "ごみ", "税金", "印鑑", "子ども" };
    const json_t *choices = NULL;
    char cid[64] = "";
    for (size_t i = 0; i < sizeof vague / sizeof vague[0] && !choices; i++) {
      r = ask(&conn2, "q5", vague[i], &out);
      if (decision_of(r) == 'c') {
        choices = json_object_get(r, "choices");
        snprintf(cid, sizeof cid, "%s", jstr(json_array_get(choices, 1), "faq_id"));
        is_str(jstr(r, "reply_to"), "q5", "clarify replies to the question");
        ok(strlen(jstr(r, "text")) > 0, "clarify has a prompt");
        ok(json_array_size(choices) >= 2, "clarify offers at least two choices");
      }
      json_decref(out);
    }
    ok(cid[0] != '\0', "some vague question gets clarify");
    expect_error(&conn2, "{\"type\":\"choose\",\"id\":\"c3\",\"faq_id\":\"saijo-9999\"}", "not_found", "c3",
                 "choosing what was not offered");
    snprintf(sql, sizeof sql, "{\"type\":\"choose\",\"id\":\"c4\",\"faq_id\":\"%s\"}", cid);
    out = say(&conn2, sql);
    r = first(out);
    is_str(jstr(r, "type"), "answer", "choose → answer");
    is_str(jstr(r, "faq_id"), cid, "the chosen entry");
    is_str(jstr(r, "reply_to"), "c4", "replying to the choose");
    json_decref(out);
  }
}

/* escalate: the last question, routed, numbered by the Tokyo date. */
static void escalate_creates_a_ticket_numbered_by_the_tokyo_date(void) {
  json_t *out = NULL, *r;
  char today[16];
  {
    time_t now = time(NULL) + 9 * 3600;
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(today, sizeof today, "T-%Y%m%d-", &tm);
  }
  r = ask(&conn2, "q6", "印鑑登録をするにはどうすればよいですか？", &out);
  json_decref(out);
  out = say(&conn2, "{\"type\":\"escalate\",\"id\":\"e2\",\"contact\":\"090-1111-2222 西条花子\"}");
  r = first(out);
  is_str(jstr(r, "type"), "ticket", "escalate → ticket");
  snprintf(ticket_no, sizeof ticket_no, "%s", jstr(r, "ticket_no"));
  ok(strncmp(ticket_no, today, 11) == 0 && strlen(ticket_no) == 15, "ticket number T-YYYYMMDD-NNNN of today in Tokyo: %s", ticket_no);
  is_str(jstr(r, "status"), "open", "status open");
  is_str(jstr(r, "reply_to"), "e2", "reply_to");
  ok(strlen(jstr(r, "department")) > 0, "department named: %s", jstr(r, "department"));
  ok(strcmp(jstr(r, "next_read"), "開庁時間内ですので、本日中に担当者が確認します") == 0 ||
         (strncmp(jstr(r, "next_read"), "次の開庁日（", strlen("次の開庁日（")) == 0 && strstr(jstr(r, "next_read"), "以降に担当者が確認します")),
     "next_read from the calendar: %s", jstr(r, "next_read"));
  json_decref(out);
  is_int(int_query("SELECT count(*) FROM ticket WHERE ticket_no = ?1 AND department_id = 'shimin' AND routed_by = 'engine'"
                   " AND question LIKE '印鑑登録%' AND contact = '090-1111-2222 西条花子'", ticket_no), 1,
         "ticket routed to the answer's department, contact kept as given");
  out = say(&conn2, "{\"type\":\"escalate\",\"id\":\"e3\",\"text\":\"火星の土地を買いたい\"}");
  r = first(out);
  is_str(jstr(r, "type"), "ticket", "escalate with its own text");
  ok(strcmp(jstr(r, "ticket_no"), ticket_no) > 0, "the next number of the day: %s", jstr(r, "ticket_no"));
  json_decref(out);
}

/* The ticket shows staff the safety decision of each bot line (the
 * session asked about a fire earlier): card, numbers and cues. */
static void ticket_shows_staff_the_safety_decision_of_each_line(void) {
  char err[MG_ERRLEN] = "";
  {
    json_t *t = NULL;
    ticket_viewer sup = { "supervisor-test", NULL };
    size_t i;
    json_t *line;
    int seen = 0;
    is_int(bot_ticket_get(db(), ticket_no, &sup, &t, err), 0, "ticket read for review (%s)", err);
    json_array_foreach(json_object_get(t, "transcript"), i, line) {
      const char *sf = jstr(line, "safety");
      if (!strcmp(jstr(line, "rule_kind"), "emergency") && strstr(sf, "\"card\"") && strstr(sf, "119") && strstr(sf, "+fire"))
        seen = 1;
    }
    ok(seen, "the transcript a supervisor reads shows the emergency card's numbers and cues");
    json_decref(t);
  }
}

/* A staff reply reaches the open session exactly once. */
static void staff_reply_reaches_the_open_session_exactly_once(void) {
  char err[MG_ERRLEN] = "";
  json_t *out = NULL, *r;
  err[0] = '\0';
  is_int(bot_ticket_reply(db(), ticket_no, "市民課 田中", "本人確認書類をお持ちください。", err), 0, "staff reply stored (%s)", err);
  out = NULL;
  is_int(bot_dialogue_pending(W, &conn2, &out, err), 0, "pending checked");
  is_int(json_array_size(out), 1, "one staff reply pending");
  r = first(out);
  is_str(jstr(r, "type"), "staff_reply", "as staff_reply");
  is_str(jstr(r, "ticket_no"), ticket_no, "with the ticket number");
  is_str(jstr(r, "text"), "本人確認書類をお持ちください。", "and the text");
  ok(strlen(jstr(r, "at")) == 20, "and when");
  json_decref(out);
  out = NULL;
  bot_dialogue_pending(W, &conn2, &out, err);
  is_int(json_array_size(out), 0, "delivered once only");
  json_decref(out);
  out = NULL;
  bot_dialogue_pending(W, &conn1, &out, err);
  is_int(json_array_size(out), 0, "another session gets nothing");
  json_decref(out);
}

/* Masking: what is stored holds no phone number or My Number. */
static void stored_text_holds_no_personal_data(void) {
  json_t *out = NULL;
  char *stored;
  ask(&conn2, "q7", "私の電話番号は090-1234-5678で、マイナンバーは123456789012です。メールはtaro@example.jpです", &out);
  json_decref(out);
  stored = stored_text(session);
  ok(!strstr(stored, "090-1234-5678") && !strstr(stored, "1234-5678"), "no phone number stored");
  ok(!strstr(stored, "123456789012"), "no My Number stored");
  ok(!strstr(stored, "taro@example.jp"), "no e-mail address stored");
  ok(!strstr(stored, "0897-52-1234"), "feedback comment masked");
  ok(!strstr(stored, "090-1111-2222"), "the contact never enters the transcript");
  ok(strstr(stored, "私の電話番号は") != NULL, "the rest of the text is kept");
  free(stored);
}

/* Resume on a new connection: history and pending replies. */
static void session_resumes_with_history_and_pending_replies(void) {
  char err[MG_ERRLEN] = "", sql[256];
  json_t *out = NULL, *r, *m;
  err[0] = '\0';
  is_int(bot_ticket_reply(db(), ticket_no, "市民課 田中", "窓口は1階です。", err), 0, "another staff reply while away");
  {
    dlg_conn again = { "", "127.0.0.1", 0 };
    snprintf(sql, sizeof sql, "{\"type\":\"hello\",\"session\":\"%s\"}", session);
    out = say(&again, sql);
    r = first(out);
    ok(json_is_true(json_object_get(r, "resumed")), "the session resumes");
    is_str(jstr(r, "session"), session, "same session id");
    m = json_object_get(r, "history");
    ok(json_array_size(m) >= 10, "history of the conversation (%zu lines)", json_array_size(m));
    is_str(jstr(json_array_get(m, 0), "role"), "resident", "oldest first: the resident's first question");
    ok(strstr(jstr(json_array_get(m, 0), "text"), "住民票") != NULL, "history text");
    is_str(jstr(json_array_get(out, 1), "type"), "staff_reply", "the reply sent while away follows the welcome");
    is_str(jstr(json_array_get(out, 1), "text"), "窓口は1階です。", "its text");
    is_int(json_array_size(out), 2, "and nothing else");
    json_decref(out);
  }
}

static void unknown_or_expired_sessions_start_afresh(void) {
  char sql[256];
  json_t *out = NULL;
  expect_error(&conn2, "{\"type\":\"hello\",\"session\":[]}", "missing_field", NULL, "hello with an array session");
  out = say(&conn1, "{\"type\":\"hello\",\"session\":\"not-a-session\"}");
  ok(json_is_false(json_object_get(first(out), "resumed")) && strcmp(jstr(first(out), "session"), "not-a-session") != 0,
     "an unknown session starts a new one");
  json_decref(out);
  snprintf(sql, sizeof sql, "UPDATE session SET expires_at = '2000-01-01T00:00:00Z' WHERE id = '%s'", conn1.session);
  is_int(sqlite3_exec(db(), sql, NULL, NULL, NULL), SQLITE_OK, "expire a session");
  snprintf(sql, sizeof sql, "{\"type\":\"hello\",\"session\":\"%s\"}", conn1.session);
  {
    char old[48];
    snprintf(old, sizeof old, "%s", conn1.session);
    out = say(&conn1, sql);
    ok(json_is_false(json_object_get(first(out), "resumed")) && strcmp(conn1.session, old) != 0,
       "an expired session is not revived");
    json_decref(out);
  }
}

/* Restart: free everything, open again on the same file. */
static void restart_keeps_sessions_and_tickets(void) {
  char err[MG_ERRLEN] = "", sql[256];
  json_t *out = NULL, *r;
  bot_worker_free(W);
  bot_free(B);
  W = NULL;
  B = NULL;
  err[0] = '\0';
  is_int(bot_new(&B, &cfg, err), 0, "bot restarted (%s)", err);
  if (!B || bot_worker_new(&W, B, err) != 0) return;
  {
    dlg_conn back = { "", "127.0.0.1", 0 };
    json_t *t = NULL;
    snprintf(sql, sizeof sql, "{\"type\":\"hello\",\"session\":\"%s\"}", session);
    out = say(&back, sql);
    r = first(out);
    ok(json_is_true(json_object_get(r, "resumed")), "the session survives a restart");
    ok(json_array_size(json_object_get(r, "history")) >= 10, "with its history");
    json_decref(out);
    ticket_viewer op = { "test", NULL };
    is_int(bot_ticket_get(db(), ticket_no, &op, &t, err), 0, "the ticket survives a restart");
    is_str(jstr(t, "status"), "answered", "answered by the staff reply");
    ok(json_array_size(json_object_get(t, "transcript")) >= 10, "the ticket shows the session transcript");
    json_decref(t);
  }
}

/* Retention: a session that ended long ago goes, with its transcript; its ticket stays. */
static void retention_purges_old_sessions_but_keeps_their_tickets(void) {
  char err[MG_ERRLEN] = "", sql[256];
  {
    int gone = -1;
    snprintf(sql, sizeof sql, "UPDATE session SET expires_at = '2020-01-01T00:00:00Z' WHERE id = '%s'", session);
    is_int(sqlite3_exec(db(), sql, NULL, NULL, NULL), SQLITE_OK, "the session ended in 2020");
    is_int(bot_session_purge(db(), 365, &gone, err), 0, "purge (%s)", err);
    ok(gone >= 1, "old sessions purged (%d)", gone);
    is_int(int_query("SELECT count(*) FROM message WHERE session_id = ?1", session), 0, "its transcript is gone");
    is_int(int_query("SELECT count(*) FROM ticket WHERE ticket_no = ?1 AND session_id IS NULL", ticket_no), 1,
           "its ticket stays, detached");
    is_int(int_query("SELECT count(*) FROM session", NULL) > 0, 1, "recent sessions stay");
  }
}

/* An emergency sent straight to staff is still answered at once. */
static void escalated_emergency_is_still_answered_at_once(void) {
  json_t *out = NULL;
  {
    dlg_conn fire = { "", "127.0.0.1", 0 };
    json_decref(say(&fire, "{\"type\":\"hello\"}"));
    out = say(&fire, "{\"type\":\"escalate\",\"id\":\"e9\",\"text\":\"家が火事です\"}");
    is_str(jstr(json_array_get(out, 0), "type"), "answer", "escalating an emergency answers it first");
    ok(strstr(jstr(json_array_get(out, 0), "answer"), "119") != NULL, "with 119");
    is_str(jstr(json_array_get(out, 1), "type"), "ticket", "and still creates the ticket");
    json_decref(out);
  }
}

int main(void) {
  char err[MG_ERRLEN] = "", cmd[128];

  if (!test_tmpdir(dir, sizeof dir, "t_dialogue")) return 1;
  test_config(&cfg, dir);
  is_int(bot_new(&B, &cfg, err), 0, "bot started (%s)", err);
  if (!B) return done_testing();
  is_int(bot_worker_new(&W, B, err), 0, "worker (%s)", err);
  if (!W) return done_testing();

  /* in order: each step builds on the session, answer and ticket before it */
  RUN(bad_messages_are_refused_with_their_error_code);
  RUN(fresh_connection_is_welcomed_with_a_new_session);
  RUN(faq_question_gets_an_answer_card);
  RUN(related_entries_come_first_published_only_without_repeats);
  RUN(feedback_is_stored_and_unhelpful_offers_a_person);
  RUN(no_answer_emergency_and_handoff_shape_the_reply);
  RUN(vague_question_is_clarified_then_chosen);
  RUN(escalate_creates_a_ticket_numbered_by_the_tokyo_date);
  RUN(ticket_shows_staff_the_safety_decision_of_each_line);
  RUN(staff_reply_reaches_the_open_session_exactly_once);
  RUN(stored_text_holds_no_personal_data);
  RUN(session_resumes_with_history_and_pending_replies);
  RUN(unknown_or_expired_sessions_start_afresh);
  RUN(restart_keeps_sessions_and_tickets);
  if (!W) return done_testing();
  RUN(retention_purges_old_sessions_but_keeps_their_tickets);
  RUN(threads_asking_at_once_get_distinct_tickets);
  RUN(escalated_emergency_is_still_answered_at_once);

  bot_worker_free(W);
  bot_free(B);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) diag("could not remove %s", dir);
  return done_testing();
}
