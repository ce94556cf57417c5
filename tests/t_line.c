/* The LINE channel's pure parts and its tables: the webhook signature
 * (a vector computed independently with `openssl dgst -sha256 -hmac`), the
 * webhook parse, the LINE message objects made from dialogue replies, and
 * line_store.c's hash, event memory, push count per Asia/Tokyo month and
 * erasure. */
#include "adapters/line.h"
#include "bot/line_store.h"
#include "bot/messages.h"
#include "bot/tables.h"
#include "faq/db.h"
#include "util/mg_err.h"
#include "util/mg_utf8.h"
#include "tests/tap.h"
#include "tests/testenv.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "a3f1c2d4e5b60718293a4b5c6d7e8f90"
#define BODY "{\"destination\":\"U0\",\"events\":[]}"
/* printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64 */
#define SIG "eygJiKXEoKDSQRm9MRcrdDKWKZkBRH4lwUarjEOlHYY="

static void webhook_signature_verifies_only_the_exact_hmac(void) {
  char bad[] = SIG;
  ok(line_signature_ok(SECRET, BODY, strlen(BODY), SIG), "the vector openssl computed verifies");
  ok(!line_signature_ok(SECRET, BODY, strlen(BODY) - 1, SIG), "one byte less of the body: refused");
  ok(!line_signature_ok("a3f1c2d4e5b60718293a4b5c6d7e8f91", BODY, strlen(BODY), SIG), "another secret: refused");
  bad[3] = bad[3] == 'A' ? 'B' : 'A';
  ok(!line_signature_ok(SECRET, BODY, strlen(BODY), bad), "one character of the signature changed: refused");
  ok(!line_signature_ok(SECRET, BODY, strlen(BODY), "eygJiKXEoKDSQRm9MRcrdDKWKZkBRH4l"), "a truncated signature: refused");
  ok(!line_signature_ok(SECRET, BODY, strlen(BODY), SIG "AAAA"), "a longer one: refused");
  ok(!line_signature_ok(SECRET, BODY, strlen(BODY), ""), "empty: refused");
  ok(!line_signature_ok(SECRET, BODY, strlen(BODY), NULL), "missing: refused");
  ok(!line_signature_ok("", BODY, strlen(BODY), SIG), "no secret configured: nothing verifies");
}

static void webhook_parse_keeps_users_text_postback_and_follow_events(void) {
  char err[MG_ERRLEN] = "";
  const char *body =
    "{\"destination\":\"Uxx\",\"events\":["
    "{\"type\":\"message\",\"webhookEventId\":\"E1\",\"deliveryContext\":{\"isRedelivery\":true},"
    " \"replyToken\":\"r1\",\"source\":{\"type\":\"user\",\"userId\":\"U1\"},\"message\":{\"type\":\"text\",\"id\":\"1\",\"text\":\"ごみ\"}},"
    "{\"type\":\"message\",\"webhookEventId\":\"E2\",\"replyToken\":\"r2\",\"source\":{\"type\":\"user\",\"userId\":\"U1\"},"
    " \"message\":{\"type\":\"sticker\",\"packageId\":\"1\",\"stickerId\":\"1\"}},"
    "{\"type\":\"message\",\"webhookEventId\":\"E3\",\"replyToken\":\"r3\",\"source\":{\"type\":\"group\",\"groupId\":\"C1\",\"userId\":\"U1\"},"
    " \"message\":{\"type\":\"text\",\"text\":\"hi\"}},"
    "{\"type\":\"postback\",\"webhookEventId\":\"E4\",\"replyToken\":\"r4\",\"source\":{\"type\":\"user\",\"userId\":\"U2\"},"
    " \"postback\":{\"data\":\"choose=saijo-0001\"}},"
    "{\"type\":\"follow\",\"webhookEventId\":\"E5\",\"replyToken\":\"r5\",\"source\":{\"type\":\"user\",\"userId\":\"U3\"}},"
    "{\"type\":\"unfollow\",\"webhookEventId\":\"E6\",\"source\":{\"type\":\"user\",\"userId\":\"U3\"}},"
    "{\"type\":\"beacon\",\"webhookEventId\":\"E7\",\"source\":{\"type\":\"user\",\"userId\":\"U3\"}},"
    "{\"type\":\"message\",\"source\":{\"type\":\"user\"},\"message\":{\"type\":\"text\",\"text\":\"no user\"}},"
    "42]}";
  json_t *ev = NULL, *e;
  is_int(line_parse(body, strlen(body), &ev, err), 0, "a webhook parses (%s)", err);
  is_int(json_array_size(ev), 4, "text, postback, follow and unfollow of users are kept; sticker, group, beacon, no user, 42 are not");
  e = json_array_get(ev, 0);
  is_str(json_string_value(json_object_get(e, "text")), "ごみ", "the text");
  is_str(json_string_value(json_object_get(e, "event_id")), "E1", "the webhookEventId");
  is_str(json_string_value(json_object_get(e, "reply_token")), "r1", "the reply token");
  ok(json_is_true(json_object_get(e, "redelivery")), "the redelivery flag");
  is_str(json_string_value(json_object_get(json_array_get(ev, 1), "data")), "choose=saijo-0001", "the postback data");
  is_str(json_string_value(json_object_get(json_array_get(ev, 2), "type")), "follow", "follow");
  ok(!json_object_get(json_array_get(ev, 3), "reply_token"), "unfollow has no reply token");
  json_decref(ev);
}

static void malformed_webhook_is_bad_json(void) {
  char err[MG_ERRLEN] = "";
  json_t *ev = NULL;
  is_int(line_parse("{\"events\": [", 12, &ev, err), MG_EBADJSON, "truncated JSON: MG_EBADJSON");
  ok(!ev, "and nothing returned");
  is_int(line_parse("{\"events\": {}}", 14, &ev, err), MG_EBADJSON, "events not an array: MG_EBADJSON");
  is_int(line_parse("[]", 2, &ev, err), MG_EBADJSON, "not an object: MG_EBADJSON");
  is_int(line_parse("{\"events\":[\"\xff\"]}", 15, &ev, err), MG_EBADJSON, "not UTF-8: MG_EBADJSON");
}

/* the bot's words, loaded by messages_load for the message tests */
static msg_set *m;

static void messages_load(void) {
  char err[MG_ERRLEN] = "", path[1024];
  const char *dict = getenv("MG_DICT_DIR");
  snprintf(path, sizeof path, "%s/messages.json", dict ? dict : "dict");
  is_int(bot_msg_load(&m, path, err), 0, "messages load (%s)", err);
}

static void clarify_becomes_quick_reply_postbacks(void) {
  json_t *out, *lm, *items, *act;
  out = json_loads("[{\"type\":\"welcome\"},{\"type\":\"clarify\",\"text\":\"選んでください\",\"choices\":["
                   "{\"faq_id\":\"saijo-0001\",\"question\":\"住民票の写しはどこで取れますか？窓口以外でも取れますか？\"},"
                   "{\"faq_id\":\"saijo-0002\",\"question\":\"戸籍謄本\"}]}]", 0, NULL);
  lm = line_messages(out, m);
  is_int(json_array_size(lm), 1, "clarify: one text message (welcome makes none)");
  items = json_object_get(json_object_get(json_array_get(lm, 0), "quickReply"), "items");
  is_int(json_array_size(items), 3, "two choices and 「職員に相談する」 as quick replies");
  act = json_object_get(json_array_get(items, 0), "action");
  is_str(json_string_value(json_object_get(act, "type")), "postback", "a postback action");
  is_str(json_string_value(json_object_get(act, "data")), "choose=saijo-0001", "naming the entry");
  is_int(mg_utf8_count(json_string_value(json_object_get(act, "label")), strlen(json_string_value(json_object_get(act, "label")))),
         20, "the label cut to LINE's 20 characters");
  is_str(json_string_value(json_object_get(json_object_get(json_array_get(items, 2), "action"), "data")), "escalate",
         "the last button asks for a person");
  json_decref(out);
  json_decref(lm);
}

static void emergency_card_has_a_tel_button_per_number(void) {
  json_t *out, *lm, *act;
  out = json_loads("[{\"type\":\"answer\",\"answer\":\"すぐに119番に電話してください。\",\"rule\":{\"name\":\"safety_fire\",\"kind\":\"emergency\"},"
                   "\"offer_escalation\":true,\"safety\":{\"level\":\"card\",\"numbers\":[\"119\",\"110\",\"x;1\"]}}]", 0, NULL);
  lm = line_messages(out, m);
  is_int(json_array_size(lm), 2, "emergency: the text and the card");
  act = json_object_get(json_object_get(json_array_get(lm, 1), "template"), "actions");
  is_int(json_array_size(act), 2, "one tel: button per number (not for one that is not a number)");
  is_str(json_string_value(json_object_get(json_array_get(act, 0), "uri")), "tel:119", "tel:119");
  is_str(json_string_value(json_object_get(json_array_get(act, 1), "uri")), "tel:110", "tel:110");
  ok(!json_object_get(json_array_get(lm, 0), "quickReply"), "no hand-off button on an emergency");
  json_decref(out);
  json_decref(lm);
}

static void only_our_own_postback_data_is_understood(void) {
  {
    json_t *p = line_postback("choose=saijo-0003", "x");
    is_str(json_string_value(json_object_get(p, "type")), "choose", "a choice's postback → choose");
    json_decref(p);
    p = line_postback("escalate", "x");
    is_str(json_string_value(json_object_get(p, "type")), "escalate", "escalate");
    json_decref(p);
    ok(!line_postback("richmenu=1", "x"), "data this channel did not write: nothing");
    ok(!line_postback("choose=", "x"), "an empty choice: nothing");
  }
}

/* line_store.c on one database; the user made in users_are_found_by_hash
 * (h1, id) is the one the later steps count, map and erase */
static sqlite3 *db;
static char h1[BOT_LINE_HASHLEN];
static sqlite3_int64 id;

static void database_opens(const char *dir) {
  char err[MG_ERRLEN] = "";
  mg_config cfg;
  test_config(&cfg, dir);
  is_int(bot_db_open(&db, &cfg, NULL, err), 0, "database (%s)", err);
}

static void user_hash_is_stable_and_hides_the_id(void) {
  char err[MG_ERRLEN] = "", h2[BOT_LINE_HASHLEN];
  is_int(bot_line_hash(db, "Uabc", h1, err), 0, "hash (%s)", err);
  is_int(bot_line_hash(db, "Uabc", h2, err), 0, "again");
  is_str(h1, h2, "the same user hashes the same");
  is_int((int)strlen(h1), 32, "128 bits in hex");
  ok(!strstr(h1, "abc"), "and does not show the id");
  bot_line_hash(db, "Uabd", h2, err);
  ok(strcmp(h1, h2) != 0, "another user, another hash");
}

static void event_is_fresh_only_the_first_time(void) {
  char err[MG_ERRLEN] = "";
  int fresh = -1;
  is_int(bot_line_event(db, "E1", 1000, &fresh, err), 0, "event stored");
  is_int(fresh, 1, "the first time it is fresh");
  bot_line_event(db, "E1", 1001, &fresh, err);
  is_int(fresh, 0, "the second time it is not");
}

static void users_are_found_by_hash_until_unfollow(void) {
  char err[MG_ERRLEN] = "", session[64], raw[BOT_LINE_IDLEN];
  sqlite3_int64 id2 = 0;
  int followed = -1;
  is_int(bot_line_user(db, "Uabc", h1, 1000, &id, session, sizeof session, err), 0, "user made (%s)", err);
  ok(id > 0 && !session[0], "with no session yet");
  bot_line_user(db, "Uabc", h1, 1001, &id2, session, sizeof session, err);
  is_int(id2, id, "the same user is found by hash");
  is_int(bot_line_raw(db, id, raw, &followed, err), 0, "raw id for delivery");
  is_str(raw, "Uabc", "is the id");
  is_int(bot_line_unfollow(db, h1, err), 0, "unfollow");
  bot_line_raw(db, id, raw, &followed, err);
  is_int(followed, 0, "no longer followed");
}

static void pushes_are_counted_per_tokyo_month(void) {
  char err[MG_ERRLEN] = "";
  long long n = -1;
  const time_t nov30_jst_2359 = 1796050740;   /* 2026-11-30T14:59:00Z = 23:59 in Tokyo */
  is_int(bot_line_pushes(db, nov30_jst_2359, &n, err), 0, "pushes read");
  is_int(n, 0, "none yet");
  bot_line_push_counted(db, nov30_jst_2359, err);
  bot_line_push_counted(db, nov30_jst_2359, err);
  bot_line_pushes(db, nov30_jst_2359, &n, err);
  is_int(n, 2, "two in November (Tokyo)");
  bot_line_pushes(db, nov30_jst_2359 + 60, &n, err);
  is_int(n, 0, "a minute later it is December in Tokyo (still November in UTC): a new month");
}

static void erasing_a_session_erases_its_line_user(void) {
  char err[MG_ERRLEN] = "", raw[BOT_LINE_IDLEN];
  sqlite3_int64 id2 = 0;
  int followed = -1;
  sqlite3_exec(db, "INSERT INTO session(id, created_at, last_seen_at, expires_at) VALUES ('s1', 'x', 'x', 'x')", 0, 0, 0);
  is_int(bot_line_set_session(db, id, "s1", err), 0, "session mapped (%s)", err);
  bot_line_of_session(db, "s1", &id2, err);
  is_int(id2, id, "the session leads to the user");
  is_int(bot_line_erase_session(db, "s1", err), 0, "erase by session");
  is_int(bot_line_raw(db, id, raw, &followed, err), MG_ENOTFOUND, "the raw id is gone");
}

static void retention_purges_unseen_users_and_old_event_ids(void) {
  char err[MG_ERRLEN] = "", session[64], raw[BOT_LINE_IDLEN];
  int fresh = -1, followed = -1;
  {
    /* retention: 2026-01-01 is day 0; a user last seen then is purged 30
     * days later with retention_days 30, one seen on day 10 stays */
    const time_t day0 = 1767225600;   /* 2026-01-01T00:00:00Z */
    int deleted = -1;
    sqlite3_int64 old_id, new_id;
    bot_line_user(db, "Uold", "h-old", day0, &old_id, session, sizeof session, err);
    bot_line_user(db, "Unew", "h-new", day0 + 10 * 86400, &new_id, session, sizeof session, err);
    bot_line_event(db, "E-old", day0, &fresh, err);
    bot_line_event(db, "E-new", day0 + 30 * 86400, &fresh, err);
    is_int(bot_line_purge(db, 30, day0 + 30 * 86400 + 1, &deleted, err), 0, "purge (%s)", err);
    is_int(deleted, 1, "one user unseen for 30 days deleted");
    is_int(bot_line_raw(db, old_id, raw, &followed, err), MG_ENOTFOUND, "with the raw id");
    is_int(bot_line_raw(db, new_id, raw, &followed, err), 0, "the recent one stays");
    bot_line_event(db, "E-old", day0 + 30 * 86400 + 2, &fresh, err);
    is_int(fresh, 1, "an event id older than a week is forgotten");
    bot_line_event(db, "E-new", day0 + 30 * 86400 + 2, &fresh, err);
    is_int(fresh, 0, "a recent one is remembered");
  }
}

int main(void) {
  char dir[64];

  RUN(webhook_signature_verifies_only_the_exact_hmac);
  RUN(webhook_parse_keeps_users_text_postback_and_follow_events);
  RUN(malformed_webhook_is_bad_json);
  RUN(messages_load);
  if (m) {
    RUN(clarify_becomes_quick_reply_postbacks);
    RUN(emergency_card_has_a_tel_button_per_number);
    RUN(only_our_own_postback_data_is_understood);
  }
  bot_msg_free(m);

  if (!test_tmpdir(dir, sizeof dir, "t_line")) return done_testing();
  database_opens(dir);
  if (db) {
    /* in order: the user made here is the one counted, mapped and erased */
    RUN(user_hash_is_stable_and_hides_the_id);
    RUN(event_is_fresh_only_the_first_time);
    RUN(users_are_found_by_hash_until_unfollow);
    RUN(pushes_are_counted_per_tokyo_month);
    RUN(erasing_a_session_erases_its_line_user);
    RUN(retention_purges_unseen_users_and_old_event_ids);
    faq_db_close(db);
  }
  test_rmdir(dir);
  return done_testing();
}
