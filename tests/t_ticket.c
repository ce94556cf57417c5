/* Tickets: numbering per Asia/Tokyo day (the clock is pinned across the JST
 * midnight), masking of the question but not the contact, status
 * transitions and the changes they refuse, reassignment events, list
 * filters, contact visibility with its audit trail, exactly-once delivery
 * of staff replies, the thread both ways with its two proofs (session,
 * lookup secret) and its expiry, the overdue view and the counts monitoring
 * reads, and synchronous restored after a FULL commit. Runs on a
 * temporary database opened like the server does (sample FAQ, migrations). */
#include "bot/calendar.h"
#include "util/mg_time.h"
#include "bot/tables.h"
#include "faq/db.h"
#include "util/mg_config.h"
#include "util/mg_err.h"
#include "bot/session.h"
#include "bot/ticket.h"
#include "tests/tap.h"
#include "tests/testenv.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

/* First column of the first row as text into buf ("" when none). */
static const char *text_query(sqlite3 *db, const char *q, const char *arg, char *buf, size_t size) {
  sqlite3_stmt *st = NULL;
  buf[0] = '\0';
  if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
    snprintf(buf, size, "(prepare: %s)", sqlite3_errmsg(db));
    return buf;
  }
  if (arg) sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return buf;
}

static int int_query(sqlite3 *db, const char *q, const char *arg) {
  char buf[64];
  text_query(db, q, arg, buf, sizeof buf);
  return *buf ? atoi(buf) : -1;
}

static const char *jstr(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "(absent)";
}

/* The fixture: a database opened like the server does, and the shipped
 * calendar for the overdue and counts tests (counts reads overdue's
 * tickets). */
static sqlite3 *db;
static cal *c;

/* 2026-11-25 14:59:59 UTC is 23:59:59 in Tokyo; one second later it is the 26th there. */
#define T_BEFORE_MIDNIGHT_JST ((time_t)1795618799)

static void database_has_the_ticket_migration(void) {
  ok(bot_db_version(db) >= 1, "bot's first step applied");
}

static void tickets_are_numbered_per_tokyo_day(void) {
  char err[MG_ERRLEN] = "", no[TICKET_NOLEN], prefix[12], buf[128];
  ticket_new tn = { .question = "住民票の写しを郵送で請求したい", .department_id = "shimin", .routed_by = "engine",
                    .actor = "resident", .now = T_BEFORE_MIDNIGHT_JST };

  bot_ticket_day_prefix(T_BEFORE_MIDNIGHT_JST, prefix);
  is_str(prefix, "T-20261125-", "23:59:59 JST is still the 25th");
  bot_ticket_day_prefix(T_BEFORE_MIDNIGHT_JST + 1, prefix);
  is_str(prefix, "T-20261126-", "14:00 UTC + 1 s past 15:00 UTC is the 26th in Tokyo");

  is_int(bot_ticket_create(db, &tn, no, err), 0, "first ticket created (%s)", err);
  is_str(no, "T-20261125-0001", "first number of the Tokyo day");
  is_str(text_query(db, "SELECT created_at FROM ticket WHERE ticket_no = ?1", no, buf, sizeof buf),
         "2026-11-25T14:59:59Z", "created_at is stored in UTC");
  is_int(bot_ticket_create(db, &tn, no, err), 0, "second ticket created");
  is_str(no, "T-20261125-0002", "the sequence goes on within the day");
  tn.now = T_BEFORE_MIDNIGHT_JST + 1;
  is_int(bot_ticket_create(db, &tn, no, err), 0, "ticket after JST midnight");
  is_str(no, "T-20261126-0001", "a new Tokyo day starts at 0001 although the UTC date is still the 25th");
  tn.now = T_BEFORE_MIDNIGHT_JST;
  is_int(bot_ticket_create(db, &tn, no, err), 0, "a late ticket for the 25th");
  is_str(no, "T-20261125-0003", "each day keeps its own sequence");
  is_int(int_query(db, "PRAGMA synchronous", NULL), 1, "synchronous is back to NORMAL after the FULL commit");

  tn.routed_by = "guess";
  is_int(bot_ticket_create(db, &tn, no, err), MG_EINVAL, "routed_by must be engine, rule or default");
  is_str(no, "", "no number on failure");
  tn.routed_by = "default";
  tn.question = "  ";
  is_int(bot_ticket_create(db, &tn, no, err), MG_EINVAL, "an empty question is refused");
  tn.question = "税金のこと";
  tn.department_id = "no-such-department";
  is_int(bot_ticket_create(db, &tn, no, err), MG_EINVAL, "an unknown department is refused by the foreign key");
  is_int(int_query(db, "SELECT count(*) FROM ticket", NULL), 4, "failed creations stored nothing");
}

static void question_is_masked_and_only_its_department_sees_the_contact(void) {
  char err[MG_ERRLEN] = "", no[TICKET_NOLEN], q[512], c[128];
  ticket_new tn = { .question = "折り返しは090-1234-5678へ。マイナンバーは123456789012です", .department_id = "zeimu",
                    .routed_by = "rule", .contact = "090-1234-5678 西条太郎", .actor = "resident" };
  json_t *t = NULL;
  ticket_viewer other = { .actor = "staff-shimin", .department = "shimin" };
  ticket_viewer own = { .actor = "staff-zeimu", .department = "zeimu" };

  is_int(bot_ticket_create(db, &tn, no, err), 0, "ticket with contact created (%s)", err);
  text_query(db, "SELECT question FROM ticket WHERE ticket_no = ?1", no, q, sizeof q);
  ok(!strstr(q, "090-1234-5678") && !strstr(q, "1234-5678"), "phone number masked in the stored question: %s", q);
  ok(!strstr(q, "123456789012"), "My Number masked in the stored question");
  ok(strstr(q, "折り返し") != NULL, "the rest of the question is kept");
  is_str(text_query(db, "SELECT contact FROM ticket WHERE ticket_no = ?1", no, c, sizeof c), "090-1234-5678 西条太郎",
         "the contact is stored as the resident gave it");

  is_int(bot_ticket_get(db, no, &other, &t, err), 0, "another department reads the ticket");
  ok(t && !json_object_get(t, "contact"), "another department does not see the contact");
  ok(json_is_true(json_object_get(t, "has_contact")), "but sees that there is one");
  json_decref(t);
  is_int(int_query(db, "SELECT count(*) FROM audit_log WHERE target = ?1 AND action = 'ticket.read' AND detail = 'transcript'"
                       " AND actor = 'staff-shimin'", no), 1, "that read is audited without contact");

  is_int(bot_ticket_get(db, no, &own, &t, err), 0, "the ticket's department reads it");
  is_str(jstr(t, "contact"), "090-1234-5678 西条太郎", "the ticket's department sees the contact");
  json_decref(t);
  is_int(int_query(db, "SELECT count(*) FROM audit_log WHERE target = ?1 AND detail = 'transcript,contact'"
                       " AND actor = 'staff-zeimu'", no), 1, "the contact read is audited with its reader");

  is_int(bot_ticket_get(db, no, NULL, &t, err), 0, "an unrestricted reader (the CLI operator)");
  is_str(jstr(t, "contact"), "090-1234-5678 西条太郎", "sees the contact");
  json_decref(t);
  is_int(int_query(db, "SELECT count(*) FROM audit_log WHERE target = ?1", no), 3, "every read left one audit row");
  is_int(bot_ticket_list(db, NULL, "zeimu", 0, &t, err), 0, "list by department");
  ok(json_array_size(t) == 1 && !json_object_get(json_array_get(t, 0), "contact"), "a list never carries the contact");
  json_decref(t);
}

static void status_transitions_and_the_changes_they_refuse(void) {
  char err[MG_ERRLEN] = "", no[TICKET_NOLEN], first[32], buf[160];
  ticket_new tn = { .question = "ごみの収集日を知りたい", .department_id = "shimin", .routed_by = "default", .actor = "resident" };
  json_t *t = NULL, *ev;

  is_int(bot_ticket_create(db, &tn, no, err), 0, "ticket created");
  is_str(text_query(db, "SELECT status FROM ticket WHERE ticket_no = ?1", no, buf, sizeof buf), "open", "a new ticket is open");
  is_int(bot_ticket_reassign(db, no, "supervisor", "kankyo", "ごみは環境衛生課", err), 0, "reassigned (%s)", err);
  is_int(bot_ticket_reassign(db, no, "supervisor", "kankyo", NULL, err), MG_ECONFLICT, "reassigning to the same department is refused");
  is_int(bot_ticket_reassign(db, no, "supervisor", "nowhere", NULL, err), MG_ENOTFOUND, "an unknown department is refused");
  is_int(bot_ticket_reassign(db, "T-19990101-0001", "supervisor", "kankyo", NULL, err), MG_ENOTFOUND, "an unknown ticket is refused");
  is_str(text_query(db, "SELECT department_id FROM ticket WHERE ticket_no = ?1", no, buf, sizeof buf), "kankyo", "department moved");

  is_int(bot_ticket_reply(db, no, "環境衛生課 山田", "収集日は地区ごとに異なります。", err), 0, "first reply (%s)", err);
  is_str(text_query(db, "SELECT status FROM ticket WHERE ticket_no = ?1", no, buf, sizeof buf), "answered", "a reply answers it");
  text_query(db, "SELECT first_reply_at FROM ticket WHERE ticket_no = ?1", no, first, sizeof first);
  ok(strlen(first) == 20 && first[19] == 'Z', "first_reply_at is a UTC time: %s", first);
  snprintf(buf, sizeof buf, "UPDATE ticket SET first_reply_at = '2000-01-01T00:00:00Z' WHERE ticket_no = '%s'", no);
  is_int(sqlite3_exec(db, buf, NULL, NULL, NULL), SQLITE_OK, "first reply backdated to tell it from the next");
  is_int(bot_ticket_reply(db, no, "環境衛生課 山田", "補足です。", err), 0, "second reply");
  is_str(text_query(db, "SELECT first_reply_at FROM ticket WHERE ticket_no = ?1", no, buf, sizeof buf), "2000-01-01T00:00:00Z",
         "a second reply keeps first_reply_at");
  is_int(bot_ticket_reply(db, no, "", "誰が？", err), MG_EINVAL, "a reply needs an author");
  is_int(bot_ticket_reply(db, no, "山田", " ", err), MG_EINVAL, "an empty reply is refused");

  is_int(bot_ticket_close(db, no, "環境衛生課 山田", "回答済み", err), 0, "closed");
  is_str(text_query(db, "SELECT status FROM ticket WHERE ticket_no = ?1", no, buf, sizeof buf), "closed", "status closed");
  ok(*text_query(db, "SELECT closed_at FROM ticket WHERE ticket_no = ?1", no, buf, sizeof buf), "closed_at set");
  is_int(bot_ticket_close(db, no, "山田", NULL, err), MG_ECONFLICT, "closing twice is refused");
  is_int(bot_ticket_reply(db, no, "山田", "まだ？", err), MG_ECONFLICT, "a closed ticket takes no reply");
  is_int(bot_ticket_reassign(db, no, "supervisor", "shimin", NULL, err), MG_ECONFLICT, "a closed ticket is not reassigned");
  is_int(bot_ticket_close(db, "T-19990101-0001", "山田", NULL, err), MG_ENOTFOUND, "closing an unknown ticket");

  is_int(bot_ticket_get(db, no, NULL, &t, err), 0, "read back");
  ev = json_object_get(t, "events");
  is_int(json_array_size(ev), 5, "events: create, reassign, reply, reply, close");
  is_str(jstr(json_array_get(ev, 0), "action"), "create", "event 1 create");
  is_str(jstr(json_array_get(ev, 0), "to_department"), "shimin", "created for shimin");
  is_str(jstr(json_array_get(ev, 1), "action"), "reassign", "event 2 reassign");
  is_str(jstr(json_array_get(ev, 1), "from_department"), "shimin", "reassign from");
  is_str(jstr(json_array_get(ev, 1), "to_department"), "kankyo", "reassign to");
  is_str(jstr(json_array_get(ev, 1), "reason"), "ごみは環境衛生課", "reassign reason");
  is_str(jstr(json_array_get(ev, 4), "action"), "close", "event 5 close");
  is_int(json_array_size(json_object_get(t, "replies")), 2, "two replies");
  is_str(jstr(json_object_get(t, "department"), "name"), "環境衛生課", "department name joined");
  json_decref(t);

  is_int(bot_ticket_list(db, "closed", NULL, 0, &t, err), 0, "list closed");
  is_int(json_array_size(t), 1, "one closed ticket");
  is_str(jstr(json_array_get(t, 0), "ticket_no"), no, "it is ours");
  json_decref(t);
  is_int(bot_ticket_list(db, "open", "kankyo", 0, &t, err), 0, "list open kankyo");
  is_int(json_array_size(t), 0, "none open there");
  json_decref(t);
  is_int(bot_ticket_get(db, "T-19990101-0001", NULL, &t, err), MG_ENOTFOUND, "get of an unknown ticket");
}

static void staff_replies_are_delivered_exactly_once(void) {
  char err[MG_ERRLEN] = "", no[TICKET_NOLEN], sid[SESSION_IDLEN];
  ticket_new tn = { .question = "保育所の空き状況", .department_id = "hoiku", .routed_by = "engine", .actor = "resident" };
  json_t *got = NULL, *sessions = NULL;

  is_int(bot_session_create(db, 24, sid, err), 0, "session created (%s)", err);
  tn.session_id = sid;
  is_int(bot_ticket_create(db, &tn, no, err), 0, "ticket in the session");
  is_int(bot_ticket_take_pending(db, sid, &got, err), 0, "nothing pending yet");
  is_int(json_array_size(got), 0, "empty");
  json_decref(got);
  is_int(bot_ticket_reply(db, no, "保育課", "空きがあります。", err), 0, "staff reply");
  is_int(bot_ticket_reply(db, no, "保育課", "お電話ください。", err), 0, "second staff reply");
  is_int(bot_ticket_pending_sessions(db, &sessions, err), 0, "sessions with pending replies");
  ok(json_array_size(sessions) == 1 && strcmp(json_string_value(json_array_get(sessions, 0)), sid) == 0, "our session is listed");
  json_decref(sessions);
  is_int(bot_ticket_take_pending(db, sid, &got, err), 0, "take pending");
  is_int(json_array_size(got), 2, "both replies, once");
  is_str(jstr(json_array_get(got, 0), "text"), "空きがあります。", "oldest first");
  is_str(jstr(json_array_get(got, 0), "ticket_no"), no, "with the ticket number");
  json_decref(got);
  is_int(bot_ticket_take_pending(db, sid, &got, err), 0, "take again");
  is_int(json_array_size(got), 0, "nothing is delivered twice");
  json_decref(got);
  is_int(int_query(db, "SELECT count(*) FROM ticket_reply r JOIN ticket t ON t.id = r.ticket_id"
                       " WHERE t.session_id = ?1 AND r.delivered_at IS NULL", sid), 0, "all marked delivered");
  is_int(int_query(db, "SELECT count(*) FROM message WHERE session_id = ?1 AND role = 'staff'", sid), 2,
         "delivered replies joined the transcript");
  is_int(bot_ticket_pending_sessions(db, &sessions, err), 0, "sessions again");
  is_int(json_array_size(sessions), 0, "no session has pending replies");
  json_decref(sessions);
}

/* The resident's side of a thread: who may write and read, what it does to
 * the status, masking, and the lookup's expiry after closing. */
/* the thread the next four tests follow: its ticket (no) opened from a chat
 * (sid) with a lookup secret, and another ticket (other) without one */
static char no[TICKET_NOLEN], other[TICKET_NOLEN], sid[SESSION_IDLEN], secret[TICKET_SECRETLEN];

static void ticket_from_a_chat_gets_a_lookup_secret_stored_as_a_hash(void) {
  char err[MG_ERRLEN] = "";
  ticket_new tn = { .question = "粗大ごみの出し方を職員に聞きたい", .department_id = "kankyo", .routed_by = "engine",
                    .actor = "resident", .lookup_out = secret };

  is_int(bot_session_create(db, 24, sid, err), 0, "a chat session (%s)", err);
  tn.session_id = sid;
  is_int(bot_ticket_create(db, &tn, no, err), 0, "ticket with a lookup secret (%s)", err);
  ok(bot_session_token_ok(secret) && strlen(secret) == 24, "the secret is 24 base64url characters (144 bits): %s", secret);
  is_int(int_query(db, "SELECT count(*) FROM ticket WHERE lookup_hash = ?1", secret), 0, "the secret itself is not stored");
  is_int(int_query(db, "SELECT length(lookup_hash) FROM ticket WHERE ticket_no = ?1", no), 64, "its hash is (BLAKE2b-256 hex)");
  tn.session_id = NULL;
  tn.lookup_out = NULL;
  is_int(bot_ticket_create(db, &tn, other, err), 0, "a ticket without a secret");
}

static void thread_is_read_only_with_its_number_and_secret(void) {
  char err[MG_ERRLEN] = "", wrong[TICKET_SECRETLEN];
  json_t *t = NULL, *msgs;
  is_int(bot_ticket_thread(db, no, secret, 30, &t, err), 0, "read by number and secret (%s)", err);
  msgs = json_object_get(t, "messages");
  is_int((int)json_array_size(msgs), 1, "the thread starts with the question");
  is_str(jstr(json_array_get(msgs, 0), "side"), "resident", "the question is the resident's");
  is_str(jstr(json_object_get(t, "department"), "name"), "環境衛生課", "the department card comes along");
  ok(!json_object_get(t, "contact") && !json_object_get(t, "session"), "no contact, no session id in the resident's view");
  json_decref(t);
  t = NULL;
  snprintf(wrong, sizeof wrong, "%s", secret);
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  is_int(bot_ticket_thread(db, no, wrong, 30, &t, err), MG_ENOTICKET, "a wrong secret is refused");
  is_int(bot_ticket_thread(db, "T-19990101-0001", secret, 30, &t, err), MG_ENOTICKET, "an unknown number fails the same way");
  is_int(bot_ticket_thread(db, other, secret, 30, &t, err), MG_ENOTICKET, "another ticket's number with this secret fails");
  is_int(bot_ticket_thread(db, no, "short", 30, &t, err), MG_ENOTICKET, "a malformed secret fails");
  is_int(bot_ticket_thread(db, no, NULL, 30, &t, err), MG_ENOTICKET, "no secret fails");
  ok(t == NULL, "nothing returned on failure");
}

static void resident_answers_by_session_or_secret_masked_and_reopening(void) {
  char err[MG_ERRLEN] = "", at[MG_TIMELEN], buf[256];
  json_t *t = NULL, *msgs;
  is_int(bot_ticket_reply(db, no, "環境衛生課 山田", "申込みは電話で受け付けます。", err), 0, "staff reply");
  is_str(text_query(db, "SELECT status FROM ticket WHERE ticket_no = ?1", no, buf, sizeof buf), "answered", "answered");
  is_int(bot_ticket_resident_reply(db, no, sid, NULL, "電話は090-1234-5678です。平日の夜なら出られます", at, err), 0,
         "the resident answers from the chat that opened it (%s)", err);
  ok(strlen(at) == 20, "the line's time comes back: %s", at);
  is_str(text_query(db, "SELECT status FROM ticket WHERE ticket_no = ?1", no, buf, sizeof buf), "open",
         "staff owe the next reply: open again");
  text_query(db, "SELECT text FROM ticket_reply WHERE side = 'resident' ORDER BY id DESC LIMIT 1", NULL, buf, sizeof buf);
  ok(strstr(buf, "1234-5678") == NULL && strstr(buf, "平日の夜") != NULL, "the resident's line is masked: %s", buf);
  is_int(int_query(db, "SELECT count(*) FROM ticket_reply WHERE side = 'resident' AND delivered_at IS NULL", NULL), 0,
         "a resident's line is never pending for their own chat");
  is_int(bot_ticket_resident_reply(db, no, NULL, secret, "もう一つ質問です", at, err), 0, "and with the secret (%s)", err);
  is_int(bot_ticket_resident_reply(db, no, "AAAAAAAAAAAAAAAAAAAAAAAA", NULL, "なりすまし", at, err), MG_ENOTICKET,
         "another session may not write");
  is_int(bot_ticket_resident_reply(db, other, sid, secret, "別のチケット", at, err), MG_ENOTICKET,
         "neither proof opens another ticket");
  is_int(bot_ticket_resident_reply(db, no, sid, NULL, "  ", at, err), MG_EEMPTY, "an empty line is refused");
  is_int(bot_ticket_thread(db, no, secret, 30, &t, err), 0, "read again");
  msgs = json_object_get(t, "messages");
  is_int((int)json_array_size(msgs), 4, "question, staff, resident, resident");
  is_str(jstr(json_array_get(msgs, 1), "side"), "staff", "the staff line");
  ok(json_object_get(json_array_get(msgs, 1), "author") == NULL, "staff names stay inside the city");
  is_str(jstr(json_array_get(msgs, 3), "text"), "もう一つ質問です", "the last line");
  json_decref(t);
  t = NULL;
  is_int(bot_ticket_get(db, no, NULL, &t, err), 0, "staff view");
  is_str(jstr(json_array_get(json_object_get(t, "replies"), 1), "side"), "resident", "staff see the side of each line");
  json_decref(t);
}

static void closed_thread_takes_no_line_and_expires_after_30_days(void) {
  char err[MG_ERRLEN] = "", at[MG_TIMELEN];
  json_t *t = NULL;
  is_int(bot_ticket_close(db, no, "環境衛生課 山田", NULL, err), 0, "closed");
  is_int(bot_ticket_resident_reply(db, no, sid, NULL, "まだあります", at, err), MG_ECLOSED, "a closed thread takes no line");
  is_int(bot_ticket_thread(db, no, secret, 30, &t, err), 0, "a closed thread can still be read");
  is_str(jstr(t, "status"), "closed", "and says so");
  json_decref(t);
  t = NULL;
  sqlite3_exec(db, "UPDATE ticket SET closed_at = '2020-01-01T00:00:00Z' WHERE lookup_hash IS NOT NULL", NULL, NULL, NULL);
  is_int(bot_ticket_thread(db, no, secret, 30, &t, err), MG_EEXPIRED, "30 days after closing the link has expired");
}

/* Overdue: open tickets past answer_days working days since staff began to
 * owe the answer, most overdue first; a department's own target counts. */
static void overdue_counts_working_days_most_overdue_first(void) {
  char err[MG_ERRLEN] = "", a[TICKET_NOLEN], b[TICKET_NOLEN], fresh[TICKET_NOLEN], at[MG_TIMELEN];
  ticket_new tn = { .question = "期限の確認", .department_id = "shimin", .routed_by = "engine", .actor = "resident" };
  json_t *out = NULL;
  /* Wednesday 2026-11-25 10:00 JST */
  time_t wed = (time_t)1795568400, now;

  sqlite3_exec(db, "UPDATE ticket SET status = 'closed'", NULL, NULL, NULL);   /* earlier tests' tickets */
  tn.now = wed;
  is_int(bot_ticket_create(db, &tn, a, err), 0, "ticket A on Wednesday");
  tn.now = wed + 86400;
  tn.department_id = "kankyo";
  is_int(bot_ticket_create(db, &tn, b, err), 0, "ticket B on Thursday, another department");
  tn.now = 0;
  is_int(bot_ticket_create(db, &tn, fresh, err), 0, "a ticket made now");
  /* Wed + 3 working days is Mon 11/30 17:15 JST; Thu + 3 is Tue 12/1 17:15 */
  now = wed + 5 * 86400 + 8 * 3600;   /* Mon 11/30 18:00 JST */
  is_int(bot_ticket_overdue(db, c, NULL, 3, now, &out, err), 0, "overdue list (%s)", err);
  is_int((int)json_array_size(out), 1, "Monday evening: only A is past Wed + 3 working days");
  is_str(jstr(json_array_get(out, 0), "ticket_no"), a, "it is A");
  is_str(jstr(json_array_get(out, 0), "due_at"), "2026-11-30T08:15:00Z", "due Monday 17:15 JST");
  json_decref(out);
  now += 86400;
  is_int(bot_ticket_overdue(db, c, NULL, 3, now, &out, err), 0, "a day later");
  is_int((int)json_array_size(out), 2, "Tuesday evening: A and B");
  is_str(jstr(json_array_get(out, 0), "ticket_no"), a, "the most overdue first");
  json_decref(out);
  is_int(bot_ticket_overdue(db, c, "kankyo", 3, now, &out, err), 0, "one department");
  is_int((int)json_array_size(out), 1, "only its own");
  json_decref(out);
  sqlite3_exec(db, "UPDATE department SET answer_days = 10 WHERE id = 'kankyo'", NULL, NULL, NULL);
  is_int(bot_ticket_overdue(db, c, NULL, 3, now, &out, err), 0, "with a department target");
  is_int((int)json_array_size(out), 1, "B's department allows 10 working days");
  json_decref(out);
  is_int(bot_ticket_reply(db, a, "市民課 田中", "確認しています。", err), 0, "staff answer A");
  is_int(bot_ticket_overdue(db, c, NULL, 3, now, &out, err), 0, "after the answer");
  is_int((int)json_array_size(out), 0, "answered tickets are not owed");
  json_decref(out);
  is_int(bot_ticket_resident_reply(db, a, NULL, NULL, "x", at, err), MG_ENOTICKET, "(a reply needs a proof)");
}

/* The row of department dept in bot_ticket_counts' array (NULL when absent). */
static json_t *count_row(json_t *arr, const char *dept) {
  json_t *row;
  size_t i;
  json_array_foreach(arr, i, row)
    if (strcmp(jstr(row, "department"), dept) == 0) return row;
  return NULL;
}

static int count_of(json_t *arr, const char *dept, const char *state) {
  json_t *row = count_row(arr, dept);
  return row ? (int)json_integer_value(json_object_get(row, state)) : -1;
}

/* Counts for monitoring, on test_overdue's tickets: A answered (shimin), B
 * and a fresh one open (kankyo, whose 10-day target B has not passed yet). */
static void counts_for_monitoring_per_department_and_state(void) {
  char err[MG_ERRLEN] = "", none[TICKET_NOLEN];
  ticket_new tn = { .question = "部署なし", .routed_by = "default", .actor = "resident" };
  time_t now = (time_t)1795568400 + 6 * 86400 + 8 * 3600;   /* Tue 12/1 18:00 JST, as test_overdue ends */
  json_t *out = NULL;

  is_int(bot_ticket_counts(db, c, 3, now, &out, err), 0, "counts (%s)", err);
  is_int(count_of(out, "shimin", "answered"), 1, "shimin: A is answered");
  is_int(count_of(out, "shimin", "open"), 0, "shimin: nothing open");
  is_int(count_of(out, "kankyo", "open"), 2, "kankyo: B and the fresh one are open");
  is_int(count_of(out, "kankyo", "overdue"), 0, "kankyo: none past its own 10-day target");
  ok(count_row(out, "fukushi") && count_of(out, "fukushi", "open") == 0 && count_of(out, "fukushi", "overdue") == 0,
     "a department without tickets is listed with zeros");
  ok(!count_row(out, ""), "no row for tickets routed to none while there are none");
  json_decref(out);

  sqlite3_exec(db, "UPDATE department SET answer_days = NULL WHERE id = 'kankyo'", NULL, NULL, NULL);
  is_int(bot_ticket_create(db, &tn, none, err), 0, "a ticket routed to no department (%s)", err);
  is_int(bot_ticket_counts(db, c, 3, now, &out, err), 0, "counts again (%s)", err);
  is_int(count_of(out, "kankyo", "overdue"), 1, "kankyo: B is overdue at the default target, the fresh one is not");
  is_int(count_of(out, "kankyo", "open"), 2, "overdue tickets are counted in open too");
  is_int(count_of(out, "", "open"), 1, "department \"\" holds the ticket routed to none");
  json_decref(out);
  ok(sqlite3_get_autocommit(db), "no transaction is left open");
}

/* A chat turn (the resident's line and the reply) and the writer's group
 * commit: masked and copied when set, several sessions' turns in one
 * transaction, each turn's last message id reported, and all or nothing. */
static void chat_turns_commit_in_groups_all_or_nothing(void) {
  char err[MG_ERRLEN] = "", a[SESSION_IDLEN], b[SESSION_IDLEN], buf[256], q[160];
  char said[] = "電話は090-1234-5678です。住民票は？";
  bot_turn ta = { .n = 0 }, tb = { .n = 0 }, tc = { .n = 0 }, bad = { .n = 0 };
  bot_turn *batch[] = { &ta, &tb, &tc }, *with_bad[] = { &ta, &bad };
  int before;

  is_int(bot_session_create(db, 24, a, err), 0, "session a (%s)", err);
  is_int(bot_session_create(db, 24, b, err), 0, "session b (%s)", err);
  {
    session_line lines[] = { { .role = "resident", .kind = "ask", .text = said },
                             { .role = "bot", .kind = "answer", .text = "市民課へ", .faq_id = "saijo-0001",
                               .decision = "answer", .confidence = 0.9 } };
    is_int(bot_turn_set(&ta, a, 24, lines, 2, err), 0, "turn a set (%s)", err);
    memcpy(said, "XXXXXX", 6);   /* the caller's buffer may go away: the turn has its own copy */
    is_int(bot_turn_set(&tb, b, 24, lines, 1, err), 0, "turn b set (%s)", err);
    is_int(bot_turn_set(&tc, a, 24, lines + 1, 1, err), 0, "turn c set (%s)", err);
  }
  ok(ta.n == 2 && strstr(ta.line[0].text, "住民票") && !strstr(ta.line[0].text, "1234-5678"),
     "the resident's line is masked when set: %s", ta.line[0].text);
  is_str(ta.line[1].faq_id, "saijo-0001", "the reply's fields are copied");

  before = int_query(db, "SELECT count(*) FROM message", NULL);
  is_int(bot_session_write_turns(db, batch, 3, err), 0, "three turns of two sessions in one transaction (%s)", err);
  is_int(int_query(db, "SELECT count(*) FROM message", NULL), before + 4, "four lines stored");
  snprintf(q, sizeof q, "SELECT max(id) FROM message WHERE session_id = ?1 AND id <= %lld", (long long)ta.last_id);
  ok(ta.rc == 0 && ta.last_id > 0 && int_query(db, q, a) == ta.last_id, "turn a knows its last line's id");
  ok(tb.last_id > ta.last_id && tc.last_id > tb.last_id, "ids follow the batch order");
  snprintf(q, sizeof q, "SELECT kind FROM message WHERE id = %lld", (long long)ta.last_id);
  is_str(text_query(db, q, NULL, buf, sizeof buf), "answer", "turn a's last line is the reply");
  snprintf(q, sizeof q, "SELECT text FROM message WHERE id = %lld", (long long)ta.last_id - 1);
  ok(!strstr(text_query(db, q, NULL, buf, sizeof buf), "1234-5678"), "what is stored is masked");

  /* a turn of a session that does not exist fails the whole batch */
  {
    session_line one = { .role = "resident", .kind = "ask", .text = "こんにちは" };
    is_int(bot_turn_set(&bad, "AAAAAAAAAAAAAAAAAAAAAAAA", 24, &one, 1, err), 0, "bad turn set (%s)", err);
  }
  before = int_query(db, "SELECT count(*) FROM message", NULL);
  ok(bot_session_write_turns(db, with_bad, 2, err) != 0, "a batch with a turn of no session fails: %s", err);
  ok(ta.rc != 0 && bad.rc != 0 && ta.last_id == 0, "every turn of it is told");
  is_int(int_query(db, "SELECT count(*) FROM message", NULL), before, "and nothing of it is stored");
  is_int(bot_session_write_turns(db, batch, 1, err), 0, "the good turn alone goes through (%s)", err);
  ok(sqlite3_get_autocommit(db), "no transaction is left open");

  bot_turn_clear(&ta);
  bot_turn_clear(&tb);
  bot_turn_clear(&tc);
  bot_turn_clear(&bad);
  ok(ta.n == 0 && ta.store == NULL, "a cleared turn owns nothing");
}

int main(void) {
  mg_config cfg;
  char err[MG_ERRLEN] = "";

  if (!test_tmpdir(dir, sizeof dir, "t_ticket")) return 1;
  test_config(&cfg, dir);
  is_int(bot_db_open(&db, &cfg, NULL, err), 0, "database opened (%s)", err);
  if (!db) return done_testing();
  RUN(database_has_the_ticket_migration);
  RUN(tickets_are_numbered_per_tokyo_day);
  RUN(question_is_masked_and_only_its_department_sees_the_contact);
  RUN(status_transitions_and_the_changes_they_refuse);
  RUN(staff_replies_are_delivered_exactly_once);
  RUN(ticket_from_a_chat_gets_a_lookup_secret_stored_as_a_hash);
  RUN(thread_is_read_only_with_its_number_and_secret);
  RUN(resident_answers_by_session_or_secret_masked_and_reopening);
  RUN(closed_thread_takes_no_line_and_expires_after_30_days);
  RUN(chat_turns_commit_in_groups_all_or_nothing);
  {
    char cerr[MG_ERRLEN] = "", path[1024];
    snprintf(path, sizeof path, "%s/calendar.tsv", getenv("MG_DICT_DIR") ? getenv("MG_DICT_DIR") : "dict");
    if (ok(bot_cal_load(&c, path, "08:30", "17:15", cerr) == 0, "calendar (%s)", cerr)) {
      RUN(overdue_counts_working_days_most_overdue_first);
      RUN(counts_for_monitoring_per_department_and_state);
    }
    bot_cal_free(c);
  }
  faq_db_stmt_release(db);
  faq_db_close(db);

  test_rmdir(dir);
  return done_testing();
}
