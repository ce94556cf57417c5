/*
 * t_inquiry.c — inquiries: MIME parsing of every fixture in tests/data/mail,
 * cleaning, triage, storage as a ticket, idempotence by Message-ID, replies
 * joining their ticket, the acknowledgement, the API keys and learning from
 * a re-route.
 */
#include "bot/inquiry.h"
#include "bot/mime.h"
#include "faq/db.h"
#include "util/mg_err.h"
#include "util/mg_utf8.h"
#include "tests/tap.h"
#include "tests/testenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *fixture(const char *name, size_t *len) {
  char path[2048];
  const char *top = getenv("top_srcdir");
  FILE *f;
  char *buf;
  long n;
  snprintf(path, sizeof path, "%s/tests/data/mail/%s", top ? top : "..", name);
  if (!(f = fopen(path, "rb"))) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
  if (buf) buf[n] = '\0', *len = (size_t)n;
  fclose(f);
  return buf;
}

static int parse(const char *name, bot_mail *m, char *err) {
  size_t len = 0;
  char *raw = fixture(name, &len);
  int rc;
  if (!raw) return snprintf(err, MG_ERRLEN, "no fixture %s", name), -1;
  rc = bot_mime_parse(raw, len, m, err);
  free(raw);
  return rc;
}

static int has(const char *s, const char *what) { return s && strstr(s, what) != NULL; }

static void iso2022jp_mail_is_decoded(void) {
  char err[MG_ERRLEN] = "";
  bot_mail m;

  is_int(parse("iso2022jp.eml", &m, err), 0, "ISO-2022-JP mail parsed (%s)", err);
  is_str(m.message_id, "first-0001@example.jp", "its Message-ID without <>");
  is_str(m.subject, "ごみの収集日について", "RFC 2047 (B, ISO-2022-JP) subject decoded");
  is_str(m.from_name, "山本 花子", "RFC 2047 sender name decoded");
  is_str(m.from_addr, "hanako@example.jp", "sender address");
  ok(has(m.body, "ごみの収集日がわかりません"), "ISO-2022-JP body read as UTF-8");
  is_int(m.n_refs, 0, "no references");
  bot_mail_clear(&m);
}

static void sjis_quoted_printable_mail_is_decoded(void) {
  char err[MG_ERRLEN] = "";
  bot_mail m;

  is_int(parse("sjis_qp.eml", &m, err), 0, "Shift_JIS quoted-printable mail parsed (%s)", err);
  is_str(m.subject, "住民票について", "RFC 2047 (Q, Shift_JIS) subject decoded");
  ok(has(m.body, "土日に取れる方法はありますか"), "Shift_JIS QP body read as UTF-8");
  bot_mail_clear(&m);
}

static void utf8_base64_mail_is_decoded(void) {
  char err[MG_ERRLEN] = "";
  bot_mail m;

  is_int(parse("utf8_base64.eml", &m, err), 0, "UTF-8 base64 mail parsed (%s)", err);
  ok(has(m.body, "スズメバチの巣"), "base64 body decoded");
  is_str(m.from_name, "村上 誠", "UTF-8 RFC 2047 name");
  bot_mail_clear(&m);
}

static void multipart_alternative_takes_the_plain_text(void) {
  char err[MG_ERRLEN] = "";
  bot_mail m;

  is_int(parse("alternative.eml", &m, err), 0, "multipart/alternative parsed (%s)", err);
  ok(has(m.body, "児童手当の振込日を教えてください") && !has(m.body, "<b>"), "the text/plain alternative is taken");
  is_int(m.from_html, 0, "not from HTML");
  bot_mail_clear(&m);
}

static void html_only_mail_becomes_text_without_script_or_tags(void) {
  char err[MG_ERRLEN] = "";
  bot_mail m;

  is_int(parse("html_only.eml", &m, err), 0, "HTML-only mail parsed (%s)", err);
  is_int(m.from_html, 1, "its text came from HTML");
  ok(has(m.body, "水道料金が急に高くなりました。\n漏水でしょうか。"), "text kept, <br> ends a line: %s", m.body);
  ok(!has(m.body, "alert") && !has(m.body, "color") && !has(m.body, "無題") && !has(m.body, "<"),
     "no script, style, title or tags in the text");
  bot_mail_clear(&m);
}

static void reply_names_what_it_answers(void) {
  char err[MG_ERRLEN] = "";
  bot_mail m;

  is_int(parse("reply.eml", &m, err), 0, "reply parsed (%s)", err);
  ok(m.n_refs >= 1 && strcmp(m.refs[0], "first-0001@example.jp") == 0, "In-Reply-To read without <>");
  is_int(m.automatic, 0, "a resident's reply is not automatic");
  bot_mail_clear(&m);
}

static void autoresponder_mail_is_marked_automatic(void) {
  char err[MG_ERRLEN] = "";
  bot_mail m;

  is_int(parse("autoreply.eml", &m, err), 0, "an autoresponder's mail parsed (%s)", err);
  is_int(m.automatic, 1, "Auto-Submitted: auto-replied marks it automatic");
  bot_mail_clear(&m);
}

/* found by fuzz_mime: an HTML part whose text came out with invalid UTF-8 */
static void broken_html_mail_gives_valid_utf8(void) {
  char err[MG_ERRLEN] = "";
  bot_mail m;

  is_int(parse("fuzz_html_bad_utf8.eml", &m, err), 0, "a broken HTML mail is still read (%s)", err);
  ok(m.body && mg_utf8_count(m.body, strlen(m.body)) >= 0, "and its text is valid UTF-8");
  bot_mail_clear(&m);
}

static void mail_without_text_or_garbage_is_refused(void) {
  char err[MG_ERRLEN] = "";
  bot_mail m;

  is_int(parse("attachment.eml", &m, err), MG_EINVAL, "a mail with only a PDF has no text: refused (%s)", err);
  is_int(bot_mime_parse("", 0, &m, err), MG_EINVAL, "an empty message is refused");
  is_int(bot_mime_parse("\xff\xfe\x00garbage", 10, &m, err) == 0 ? 0 : 1, 1, "garbage is refused");
}

/* The fixture: a bot with a (never reached) mail relay on a fresh database.
 * The mail tests after the form ones run in order: the reply joins the
 * ticket the first mail made (first), the erase blanks what the re-route
 * taught (rerouted). */
static mg_config cfg;
static bot *b;
static bot_worker *w;
static sqlite3 *db;
static char first[TICKET_NOLEN], rerouted[TICKET_NOLEN];

static void cleaning_drops_greetings_and_signature_keeps_sentences(void) {
  {
    char *c = bot_inquiry_clean(&cfg, "西条市役所 ご担当者様\nお世話になっております。\n犬を飼い始めました。登録はどこでしますか。\n"
                                      "よろしくお願いいたします。\n--\n山本 花子\n電話：090-0000-1234\n");
    is_str(c, "犬を飼い始めました。\n登録はどこでしますか。\n", "greetings, closing and signature dropped, sentences kept");
    free(c);
    /* more sentences than lines: the output is longer than the input (an
     * overflow ASan found in the first version) */
    c = bot_inquiry_clean(&cfg, "犬。猫。鳥。魚。");
    is_str(c, "犬。\n猫。\n鳥。\n魚。\n", "one sentence per line, however many on one line");
    free(c);
  }
}

static void form_inquiry_becomes_a_triaged_acknowledged_ticket(void) {
  char err[MG_ERRLEN] = "";
  bot_inquiry_result r;
  {
    bot_inquiry in = { .source = "form", .form_id = "contact-form", .name = "山本 花子", .email = "hanako@example.jp",
                       .phone = "090-0000-1234", .subject = "ごみの収集日",
                       .body = "お世話になります。先月引っ越してきました。燃やすごみの収集日を教えてください。電話は090-0000-1234です。" };
    is_int(bot_inquiry_submit(w, &in, &r, err), 0, "a form inquiry is stored (%s)", err);
    ok(strncmp(r.ticket_no, "T-", 2) == 0, "it has a ticket number: %s", r.ticket_no);
    is_str(r.triage.department, "kankyo", "triaged to the waste department");
    ok(r.triage.n_faq >= 1 && strcmp(r.triage.faq[0], "saijo-0056") == 0, "the collection-day entry is suggested first");
    ok(r.answer_by[0] != '\0', "an answer date: %s", r.answer_by);
    is_int(r.acknowledged, 1, "acknowledged (a relay is configured and an address given)");
    is_int(test_int(db, "SELECT count(*) FROM ticket WHERE ticket_no = ?1 AND routed_by = 'inquiry' AND department_id = 'kankyo'", r.ticket_no),
           1, "a ticket routed_by inquiry in that department");
    is_int(test_int(db, "SELECT count(*) FROM ticket WHERE ticket_no = ?1 AND question LIKE '%090-0000-1234%'", r.ticket_no), 0,
           "the phone number is masked in the stored text");
    is_int(test_int(db, "SELECT count(*) FROM ticket WHERE ticket_no = ?1 AND contact LIKE '%hanako@example.jp%090-0000-1234%'",
                    r.ticket_no), 1, "the contact is kept apart, as tickets keep it");
    is_int(test_int(db, "SELECT count(*) FROM outbox o JOIN ticket t ON t.id = o.ticket_id WHERE t.ticket_no = ?1 AND o.kind = 'inquiry'",
                    r.ticket_no), 1, "the acknowledgement is queued");
    {
      bot_inquiry_ack_info a;
      is_int(bot_inquiry_ack(db, r.ticket_no, &a, err), 0, "the acknowledgement's details (%s)", err);
      ok(strstr(a.message_id, "@city.example") != NULL, "its Message-ID is at the sender's domain");
      is_str(a.answer_by, r.answer_by, "with the answer date");
      is_str(a.department, "環境衛生課", "and the department's name");
    }
    {
      json_t *j = NULL;
      is_int(bot_inquiry_of_ticket(db, r.ticket_no, &j, err), 0, "the console's view (%s)", err);
      ok(json_array_size(json_object_get(j, "suggestion")) >= 1 &&
         json_string_value(json_object_get(json_array_get(json_object_get(j, "suggestion"), 0), "answer")),
         "the suggested reply carries the entries' answers");
      json_decref(j);
    }
  }
}

static void blank_or_invalid_body_is_refused(void) {
  char err[MG_ERRLEN] = "";
  bot_inquiry_result r2;
  {
    bot_inquiry in = { .source = "form", .body = "   " };
    is_int(bot_inquiry_submit(w, &in, &r2, err), MG_EMISSING, "a blank body is refused");
    in.body = "\xe3\x81";
    is_int(bot_inquiry_submit(w, &in, &r2, err), MG_EBADUTF8, "invalid UTF-8 is refused");
  }
}

static void without_a_relay_nothing_is_queued(void) {
  char err[MG_ERRLEN] = "";
  bot_inquiry_result r2;
  {
    /* no relay: nothing queued */
    mg_config c2 = cfg;
    bot *b2 = NULL;
    bot_worker *w2 = NULL;
    c2.smtp_url[0] = '\0';
    is_int(bot_new(&b2, &c2, err) || bot_worker_new(&w2, b2, err), 0, "a bot without a relay (%s)", err);
    {
      bot_inquiry in = { .source = "form", .email = "x@example.jp", .body = "図書館の休館日を教えてください。" };
      int before = test_int(db, "SELECT count(*) FROM outbox", NULL);
      is_int(bot_inquiry_submit(w2, &in, &r2, err), 0, "stored (%s)", err);
      is_int(r2.acknowledged, 0, "not acknowledged without a relay");
      is_int(test_int(db, "SELECT count(*) FROM outbox", NULL), before, "no e-mail queued");
    }
    bot_worker_free(w2);
    bot_free(b2);
  }
}

/* mail: idempotent, and a reply joins */
static void same_mail_twice_makes_one_ticket(void) {
  char err[MG_ERRLEN] = "";
  bot_inquiry_result r, r2;
  bot_mail m;
  is_int(parse("iso2022jp.eml", &m, err), 0, "fixture");
  {
    bot_inquiry in = { .source = "mail", .form_id = "mail", .message_id = m.message_id, .subject = m.subject,
                       .name = m.from_name, .email = m.from_addr, .body = m.body };
    int tickets = test_int(db, "SELECT count(*) FROM ticket", NULL);
    is_int(bot_inquiry_submit(w, &in, &r, err), 0, "a mail inquiry is stored (%s)", err);
    is_int(r.duplicate, 0, "the first time");
    snprintf(first, sizeof first, "%s", r.ticket_no);
    is_int(bot_inquiry_submit(w, &in, &r2, err), 0, "the same mail again (%s)", err);
    is_int(r2.duplicate, 1, "is a duplicate");
    is_str(r2.ticket_no, first, "naming the ticket it made");
    is_int(test_int(db, "SELECT count(*) FROM ticket", NULL), tickets + 1, "one ticket for two imports");
  }
  bot_mail_clear(&m);
}

static void reply_mail_joins_the_ticket_it_answers(void) {
  char err[MG_ERRLEN] = "";
  bot_inquiry_result r, r2;
  bot_mail m;
  is_int(parse("reply.eml", &m, err), 0, "reply fixture");
  {
    bot_inquiry in = { .source = "mail", .message_id = m.message_id, .refs = (const char *const *)m.refs,
                       .n_refs = m.n_refs, .subject = m.subject, .email = m.from_addr, .body = m.body };
    int tickets = test_int(db, "SELECT count(*) FROM ticket", NULL);
    is_int(bot_inquiry_submit(w, &in, &r, err), 0, "the reply is stored (%s)", err);
    is_int(r.joined, 1, "it joins a ticket");
    is_str(r.ticket_no, first, "the ticket of the mail it answers");
    is_int(test_int(db, "SELECT count(*) FROM ticket", NULL), tickets, "no new ticket");
    is_int(test_int(db, "SELECT count(*) FROM ticket_reply r JOIN ticket t ON t.id = r.ticket_id WHERE t.ticket_no = ?1"
                        " AND r.side = 'resident' AND r.text LIKE '%朔日市%'", first), 1,
           "as the resident's line in the thread");
    is_int(bot_inquiry_submit(w, &in, &r2, err), 0, "the reply again");
    is_int(r2.duplicate, 1, "is a duplicate too");
  }
  bot_mail_clear(&m);
}

/* a reply to our acknowledgement joins too */
static void reply_to_the_acknowledgement_joins_too(void) {
  char err[MG_ERRLEN] = "";
  bot_inquiry_result r;
  {
    bot_inquiry_ack_info a;
    char *ref;
    bot_inquiry in = { .source = "mail", .message_id = "ack-reply-1@example.jp", .email = "hanako@example.jp",
                       .body = "追加で質問です。資源ごみの日も知りたいです。" };
    const char *refs[1];
    is_int(bot_inquiry_ack(db, first, &a, err) == 0 || 1, 1, "(the mail ticket's acknowledgement)");
    if (bot_inquiry_ack(db, first, &a, err) == 0) {
      ref = a.message_id;
      refs[0] = ref;
      in.refs = refs;
      in.n_refs = 1;
      is_int(bot_inquiry_submit(w, &in, &r, err), 0, "a reply to the acknowledgement (%s)", err);
      ok(r.joined && strcmp(r.ticket_no, first) == 0, "joins the same ticket");
    } else {
      ok(0, "the mail inquiry has an acknowledgement (%s)", err);
    }
  }
}

/* learning from a re-route */
static void triage_learns_from_a_staff_reroute(void) {
  char err[MG_ERRLEN] = "";
  bot_inquiry_result r;
  {
    bot_inquiry in = { .source = "form", .body = "町内の公園のベンチが壊れて座れません。直してもらえますか。" };
    bot_triage t;
    is_int(bot_inquiry_submit(w, &in, &r, err), 0, "an inquiry (%s)", err);
    if (strcmp(r.triage.department, "toshikeikaku") == 0) diag("already routed to toshikeikaku");
    is_int(bot_ticket_reassign(db, r.ticket_no, "staff", strcmp(r.triage.department, "toshikeikaku") ? "toshikeikaku" : "doboku",
                           "公園の担当", err), 0, "staff re-route it (%s)", err);
    is_int(bot_triage_learn(w, r.ticket_no, strcmp(r.triage.department, "toshikeikaku") ? "toshikeikaku" : "doboku", err), 0,
           "the triage learns (%s)", err);
    is_int(test_int(db, "SELECT count(*) FROM triage_example", NULL), 1, "one example stored");
    is_int(bot_triage_run(w, NULL, "町内の公園のベンチが壊れています。修理してください。", &t, err), 0, "a similar inquiry");
    is_str(t.department, strcmp(r.triage.department, "toshikeikaku") ? "toshikeikaku" : "doboku",
           "goes where staff sent the first");
    is_int(t.learned, 1, "because of the example");
    snprintf(rerouted, sizeof rerouted, "%s", r.ticket_no);
  }
}

/* a personal-information erase blanks the inquiry's subject and its taught example */
static void erase_blanks_the_subject_and_the_taught_example(void) {
  char err[MG_ERRLEN] = "";
  is_int(bot_ticket_erase(db, rerouted, "kansa", err), 0, "erase the re-routed inquiry (%s)", err);
  is_int(test_int(db, "SELECT count(*) FROM triage_example", NULL), 0, "its example is gone");
  is_int(bot_ticket_erase(db, first, "kansa", err), 0, "erase the mail inquiry (%s)", err);
  is_int(test_int(db, "SELECT count(*) FROM inquiry i JOIN ticket t ON t.id = i.ticket_id WHERE t.ticket_no = ?1 AND i.subject = ''",
                  first), 1, "its subject is blank");
}

static void api_key_is_recognised_by_its_hash(void) {
  char err[MG_ERRLEN] = "";
  char key[64], hash[MG_KEY_HASHLEN];
  mg_config c = cfg;
  is_int(bot_inquiry_key_new(key, hash, err), 0, "a new key");
  ok(strlen(key) >= 40 && strlen(hash) == MG_KEY_HASHLEN - 1, "43 characters and a 64-hex hash");
  snprintf(c.inquiry_api_keys[0].name, sizeof c.inquiry_api_keys[0].name, "contact-form");
  snprintf(c.inquiry_api_keys[0].key_hash, sizeof c.inquiry_api_keys[0].key_hash, "%s", hash);
  c.n_inquiry_api_keys = 1;
  is_str(bot_inquiry_key_check(&c, key), "contact-form", "the key is recognised by its hash");
  key[3] ^= 1;
  ok(bot_inquiry_key_check(&c, key) == NULL, "a changed key is not");
  ok(bot_inquiry_key_check(&c, "") == NULL, "nor an empty one");
}

int main(void) {
  char dir[64], err[MG_ERRLEN] = "";

  RUN(iso2022jp_mail_is_decoded);
  RUN(sjis_quoted_printable_mail_is_decoded);
  RUN(utf8_base64_mail_is_decoded);
  RUN(multipart_alternative_takes_the_plain_text);
  RUN(html_only_mail_becomes_text_without_script_or_tags);
  RUN(reply_names_what_it_answers);
  RUN(autoresponder_mail_is_marked_automatic);
  RUN(broken_html_mail_gives_valid_utf8);
  RUN(mail_without_text_or_garbage_is_refused);

  if (!test_tmpdir(dir, sizeof dir, "t_inquiry")) return 1;
  test_config(&cfg, dir);
  snprintf(cfg.smtp_url, sizeof cfg.smtp_url, "smtp://127.0.0.1:1");
  snprintf(cfg.smtp_from, sizeof cfg.smtp_from, "noreply@city.example");
  is_int(bot_new(&b, &cfg, err), 0, "bot started (%s)", err);
  is_int(bot_worker_new(&w, b, err), 0, "worker (%s)", err);
  db = bot_worker_db(w);

  RUN(cleaning_drops_greetings_and_signature_keeps_sentences);
  RUN(form_inquiry_becomes_a_triaged_acknowledged_ticket);
  RUN(blank_or_invalid_body_is_refused);
  RUN(without_a_relay_nothing_is_queued);
  RUN(same_mail_twice_makes_one_ticket);
  RUN(reply_mail_joins_the_ticket_it_answers);
  RUN(reply_to_the_acknowledgement_joins_too);
  RUN(triage_learns_from_a_staff_reroute);
  RUN(erase_blanks_the_subject_and_the_taught_example);
  RUN(api_key_is_recognised_by_its_hash);

  bot_worker_free(w);
  bot_free(b);
  test_rmdir(dir);
  return done_testing();
}
