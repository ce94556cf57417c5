/*
 * dialogue.c — the chat protocol's semantics (docs/protocol.md), for any channel.
 *
 * One table maps each client message type to its handler. A handler checks
 * every field it reads (type, presence, length) before it acts, so a bad
 * message becomes an `error` reply and stores nothing. What a conversation
 * must remember between messages — the session, the last question, the
 * choices last offered, the department of the last answer — is read back
 * from the session's transcript in SQLite (session.h), never from memory:
 * any worker thread in any process can take the next message.
 *
 * Order of writes. An answer is written to the transcript (one transaction
 * at synchronous=NORMAL) before it is returned, because its message id is
 * the answer_id that feedback refers to. A ticket is committed at
 * synchronous=FULL (ticket.c) before the resident is shown its number.
 *
 * Everything stored passes through mask_text first (session.c, ticket.c);
 * the contact a resident offers on escalation is the one thing kept as typed,
 * in the ticket's own column, and it never enters the transcript.
 */
#include "bot/dialogue.h"
#include "util/mg_time.h"

#include "bot/calendar.h"
#include "bot/lang.h"
#include "faq/learn.h"
#include "faq/store.h"
#include "bot/messages.h"
#include "util/mg_err.h"
#include "util/mg_log.h"
#include "util/mg_utf8.h"
#include "bot/outbox.h"
#include "bot/session.h"
#include "bot/ticket.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


/* The bot's own words come from dict/messages.json (bot/messages.h). */
#define TEXT(c, id) bot_msg_lang(bot_messages(bot_worker_bot((c)->w)), (id), (c)->conn->lang)
static const char hello_first[] = "hello first"; /* a protocol error, not a resident-facing text */

/* --- small helpers ------------------------------------------------------ */

typedef struct ctx {
  bot_worker *w;
  sqlite3 *db;
  const mg_config *cfg;
  dlg_conn *conn;
  json_t *msg;   /* the client message */
  json_t *out;   /* replies */
  char *err;
  int failed;    /* MG_ENOMEM when an error reply could not be appended */
  bot_turn *turn;  /* non-NULL: the handler leaves its transcript lines here (bot_dialogue_turn) */
} ctx;

/* A check appended an `error` reply: the handler stops and returns this. */
#define STOPPED(c) ((c)->failed)

/* Append a message (stolen); only allocation can fail. */
static int emit(ctx *c, json_t *m) {
  if (!m || json_array_append_new(c->out, m) != 0) return mg_errf(c->err, MG_ENOMEM, "dialogue: out of memory");
  return 0;
}

/* Append an `error` reply. A protocol error is not a failure: returns 0,
 * or MG_ENOMEM (also kept in c->failed) when the reply cannot be built. */
static int proto_error(ctx *c, int code, const char *message, const char *reply_to) {
  json_t *m = json_pack("{s:s, s:s, s:s}", "type", "error", "code", mg_err_code(code), "message",
                        message ? message : mg_err_message(code));
  if (m && reply_to && json_object_set_new(m, "reply_to", json_string(reply_to)) != 0) {
    json_decref(m);
    m = NULL;
  }
  return c->failed = emit(c, m);
}

/* Read a string field, required or optional. Returns 1 and sets *s when
 * present; 0 when absent (or null) and optional; -1 after appending an
 * error reply (absent and required, or not a string): stop with STOPPED(c). */
static int field_str(ctx *c, const char *key, int required, const char **s, const char *reply_to) {
  json_t *v = json_object_get(c->msg, key);
  char why[96];
  *s = NULL;
  if ((!v || json_is_null(v)) && !required) return 0;
  if (json_is_string(v)) {
    *s = json_string_value(v);
    return 1;
  }
  snprintf(why, sizeof why, "%s: %s", key, v ? "文字列で指定してください。" : "この項目は必須です。");
  proto_error(c, MG_EMISSING, why, reply_to);
  return -1;
}

/* The optional "lang" field ("ja", "en", "easy"; docs/protocol.md): when
 * present it becomes the connection's language. 0, or -1 after appending an
 * error reply for any other value: stop with STOPPED(c). */
static int field_lang(ctx *c, const char *reply_to) {
  const char *s;
  int r = field_str(c, "lang", 0, &s, reply_to), lang;
  if (r <= 0) return r;
  if ((lang = bot_lang_parse(s)) < 0) {
    proto_error(c, MG_EINVAL, "lang: \"ja\"、\"en\"、\"easy\" のいずれかを指定してください。", reply_to);
    return -1;
  }
  c->conn->lang = lang;
  return 0;
}

/* Nothing but ASCII white space and U+3000 (full-width space). */
static int blank(const char *s, size_t len) {
  for (size_t i = 0; i < len;) {
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') i++;
    else if (len - i >= 3 && memcmp(s + i, "\xE3\x80\x80", 3) == 0) i += 3;
    else return 0;
  }
  return 1;
}

/* Check a free-text string field (present): 0 when acceptable; -1 after
 * appending text_too_long or empty_text: stop with STOPPED(c). */
static int check_text(ctx *c, const char *key, int allow_empty, const char *reply_to) {
  json_t *v = json_object_get(c->msg, key);
  const char *s = json_string_value(v);
  size_t len = json_string_length(v);
  if (mg_utf8_count(s, len) > MG_TEXT_MAX) {
    proto_error(c, MG_ETOOLONG, NULL, reply_to);
    return -1;
  }
  if (!allow_empty && blank(s, len)) {
    proto_error(c, MG_EEMPTY, NULL, reply_to);
    return -1;
  }
  return 0;
}

static const char *obj_str(const json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

/* 1 when an intent rule of this kind wrote the answer object. */
static int rule_kind_is(const json_t *ans, const char *kind) {
  const char *k = obj_str(json_object_get(ans, "rule"), "kind");
  return k && strcmp(k, kind) == 0;
}

/* The department a bot line routes to (bot_answer_department). */
static int route_of(ctx *c, const json_t *ans, char *buf, size_t size) {
  return bot_answer_department(c->db, ans, buf, size, c->err);
}

/* {faq_id, question} of each candidate except skip. */
static json_t *brief_list(const json_t *cands, const char *skip) {
  json_t *arr = json_array(), *cand;
  size_t i;
  if (!arr) return NULL;
  json_array_foreach(cands, i, cand) {
    const char *id = obj_str(cand, "faq_id"), *q = obj_str(cand, "question");
    if (!id || !q || (skip && strcmp(id, skip) == 0)) continue;
    if (json_array_append_new(arr, json_pack("{s:s, s:s}", "faq_id", id, "question", q)) != 0) {
      json_decref(arr);
      return NULL;
    }
  }
  return arr;
}

/* The answer card's 「関連する質問」: the entry's own related entries first
 * (ans "related": staff chose them), then the other candidates (cands), the
 * answer itself and repeats left out, at most `limit` in all — as many as
 * the candidates alone could fill (top_k − 1), so the card keeps its size. */
static json_t *related_list(const json_t *ans, const json_t *cands, const char *skip, int limit) {
  json_t *own = brief_list(json_object_get(ans, "related"), skip), *more = brief_list(cands, skip), *out = json_array(), *x;
  size_t i;
  int bad = !own || !more || !out;
  for (int pass = 0; !bad && pass < 2; pass++)
    json_array_foreach(pass ? more : own, i, x) {
      const char *id = obj_str(x, "faq_id");
      size_t j;
      json_t *y;
      int dup = 0;
      if ((int)json_array_size(out) >= limit) break;
      json_array_foreach(out, j, y) dup |= strcmp(obj_str(y, "faq_id"), id) == 0;
      if (!dup && json_array_append(out, x) != 0) bad = 1;
    }
  json_decref(own);
  json_decref(more);
  if (bad) {
    json_decref(out);
    return NULL;
  }
  return out;
}

/* --- answer, clarify, no_answer ------------------------------------------ */

/* Store the resident's line and the bot's reply to it in one transaction,
 * then append the reply message for the answer object ans. related_from is
 * where `related` comes from after the entry's own related entries (the
 * candidates, or the clarify's choices). */
static int reply_with(ctx *c, const char *reply_to, const char *resident_kind, const char *resident_text,
                      json_t *ans, const json_t *related_from) {
  const char *decision = obj_str(ans, "decision");
  json_t *rule = json_object_get(ans, "rule"), *m = NULL, *choices = NULL, *v;
  session_line you = { .role = "resident", .kind = resident_kind, .text = resident_text };
  session_line bot = { .role = "bot" };
  char dept[64], *choices_text = NULL, *safety_text = NULL, idbuf[24];
  sqlite3_int64 answer_id = 0;
  int rc;

  if (!decision) return mg_errf(c->err, MG_EINVAL, "dialogue: the answer object has no decision");
  if ((rc = route_of(c, ans, dept, sizeof dept)) != 0) return rc;
  bot.decision = decision;
  bot.confidence = json_number_value(json_object_get(ans, "confidence"));
  bot.department_id = *dept ? dept : NULL;
  bot.faq_id = obj_str(ans, "faq_id");
  bot.rule_name = obj_str(rule, "name");
  bot.rule_kind = obj_str(rule, "kind");
  /* the safety decision without its text (which is ours, not the resident's) */
  if ((v = json_object_get(ans, "safety"))) {
    json_t *brief = json_pack("{s:O?, s:O?, s:O?, s:O?}", "level", json_object_get(v, "level"), "numbers",
                              json_object_get(v, "numbers"), "danger", json_object_get(v, "danger"), "cues",
                              json_object_get(v, "cues"));
    safety_text = brief ? json_dumps(brief, JSON_COMPACT) : NULL;
    json_decref(brief);
    bot.safety = safety_text;
  }
  if (strcmp(decision, "clarify") == 0) {
    if (!(choices = brief_list(json_object_get(ans, "candidates"), NULL)) ||
        !(choices_text = json_dumps(choices, JSON_COMPACT))) {
      rc = mg_errf(c->err, MG_ENOMEM, "dialogue: out of memory");
      goto out;
    }
    bot.kind = "clarify";
    bot.text = TEXT(c, MSG_CLARIFY_PROMPT);
    bot.choices = choices_text;
  } else if (strcmp(decision, "checklist") == 0) {
    bot.kind = "checklist";
    bot.text = obj_str(ans, "answer") ? obj_str(ans, "answer") : "";
  } else if (strcmp(decision, "answer") == 0) {
    bot.kind = "answer";
    bot.text = obj_str(ans, "answer") ? obj_str(ans, "answer") : "";
    /* an entry's answer sends the resident online (行かない窓口) or to its counter */
    if (bot.faq_id) bot.online = obj_str(ans, "online_url") ? SESSION_ONLINE : SESSION_COUNTER;
  } else {
    bot.kind = "no_answer";
    bot.text = TEXT(c, MSG_NO_ANSWER);
  }

  {
    const session_line lines[] = { you, bot };
    /* Deferred: the caller commits the lines (with other residents') before
     * the reply leaves, and fills in its answer_id then. */
    if (c->turn) rc = bot_turn_set(c->turn, c->conn->session, c->cfg->session_ttl_hours, lines, 2, c->err);
    else rc = bot_session_write(c->db, c->conn->session, c->cfg->session_ttl_hours, lines, 2, &answer_id, c->err);
    if (rc != 0) goto out;
  }

  if (strcmp(bot.kind, "clarify") == 0) {
    m = json_pack("{s:s, s:s, s:s, s:O}", "type", "clarify", "reply_to", reply_to, "text", TEXT(c, MSG_CLARIFY_PROMPT),
                  "choices", choices);
  } else if (strcmp(bot.kind, "checklist") == 0) {
    /* the checklist as bot_cl_reply made it, addressed like any reply */
    if ((m = json_deep_copy(json_object_get(ans, "checklist"))) &&
        (json_object_set_new(m, "reply_to", json_string(reply_to)) ||
         ((v = json_object_get(ans, "safety")) && json_object_set(m, "safety", v)))) {
      json_decref(m);
      m = NULL;
    }
  } else if (strcmp(bot.kind, "no_answer") == 0) {
    m = json_pack("{s:s, s:s, s:s, s:b}", "type", "no_answer", "reply_to", reply_to, "text", TEXT(c, MSG_NO_ANSWER),
                  "offer_escalation", 1);
  } else {
    static const char *const copy[] = { "faq_id", "question", "answer", "department", "confidence", "url", "online_url", "page_url", "rule", "safety", "english", "lang" };
    json_t *related = related_list(ans, related_from, bot.faq_id, c->cfg->top_k > 1 ? c->cfg->top_k - 1 : 1);
    snprintf(idbuf, sizeof idbuf, "%lld", (long long)answer_id);
    m = json_pack("{s:s, s:s}", "type", "answer", "reply_to", reply_to);
    /* deferred, the caller adds it once the line has its id */
    if (m && !c->turn && json_object_set_new(m, "answer_id", json_string(idbuf)) != 0) {
      json_decref(m);
      m = NULL;
    }
    int bad = !m || !related;
    for (size_t i = 0; !bad && i < sizeof copy / sizeof copy[0]; i++)
      if ((v = json_object_get(ans, copy[i]))) bad |= json_object_set(m, copy[i], v);
    /* A rule of kind handoff ("職員と話したい") offers a person at once. */
    if (!bad)
      bad |= json_object_set(m, "related", related) |
             json_object_set_new(m, "offer_escalation",
                                 json_boolean(json_is_true(json_object_get(ans, "offer_escalation")) ||
                                              rule_kind_is(ans, "handoff")));
    json_decref(related);
    if (bad) {
      json_decref(m);
      m = NULL;
    }
  }
  /* a safety note and the English line ride on whatever the reply is */
  if (m && (v = json_object_get(ans, "safety")) && !json_object_get(m, "safety")) json_object_set(m, "safety", v);
  if (m && (v = json_object_get(ans, "english")) && !json_object_get(m, "english")) json_object_set(m, "english", v);
  /* the language of the reply's text: the entry's version, or the prompts' */
  if (m && !json_object_get(m, "lang")) json_object_set_new(m, "lang", json_string(bot_lang_name(c->conn->lang)));
  if (m && c->turn) c->turn->reply = m;
  rc = emit(c, m);
out:
  json_decref(choices);
  free(choices_text);
  free(safety_text);
  return rc;
}

/* --- handlers ------------------------------------------------------------ */

static int on_hello(ctx *c) {
  const char *want = NULL;
  char days[16], *privacy;
  json_t *history = NULL, *pending = NULL, *m, *p;
  int resumed = 0, rc;
  size_t i;

  if (field_str(c, "session", 0, &want, NULL) < 0 || field_lang(c, NULL) < 0) return STOPPED(c);
  if ((rc = bot_session_resume(c->db, want ? want : "", c->cfg->session_ttl_hours, c->conn->session, &resumed, c->err)) != 0)
    return rc;
  /* History first: taking the pending replies appends them to the transcript. */
  if (resumed && (rc = bot_session_history(c->db, c->conn->session, SESSION_HISTORY_MAX, &history, c->err)) != 0)
    return rc;
  /* A new session has no tickets yet, so nothing can be pending. */
  if (resumed && (rc = bot_ticket_take_pending(c->db, c->conn->session, &pending, c->err)) != 0) goto out;
  snprintf(days, sizeof days, "%d", c->cfg->retention_days);
  {
    const char *names[] = { "retention_days" }, *values[] = { days };
    if (!(privacy = bot_msg_fill(TEXT(c, MSG_PRIVACY), 1, names, values))) {
      rc = mg_errf(c->err, MG_ENOMEM, "dialogue: out of memory");
      goto out;
    }
  }
  /* email_notice: a relay is configured, so escalate may carry notify_email */
  m = json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:b, s:s}", "type", "welcome", "session", c->conn->session, "greeting",
                TEXT(c, MSG_GREETING), "privacy", privacy, "resumed", resumed, "history",
                history ? history : json_array(), "email_notice", c->cfg->smtp_url[0] != '\0', "lang",
                bot_lang_name(c->conn->lang));
  free(privacy);
  history = NULL;
  if ((rc = emit(c, m)) != 0) goto out;
  json_array_foreach(pending, i, p) {
    json_object_set_new(p, "type", json_string("staff_reply"));
    if ((rc = emit(c, json_incref(p))) != 0) goto out;
  }
out:
  json_decref(history);
  json_decref(pending);
  return rc;
}

static int on_ask(ctx *c) {
  const char *id, *text;
  json_t *ans = NULL;
  int rc;

  if (field_str(c, "id", 1, &id, NULL) < 0) return STOPPED(c);
  if (field_str(c, "text", 1, &text, id) < 0) return STOPPED(c);
  if (check_text(c, "text", 0, id) < 0 || field_lang(c, id) < 0) return STOPPED(c);
  if ((rc = bot_answer_lang(c->w, text, (int)strlen(text), c->conn->lang, 0, &ans, c->err)) != 0) return rc;
  rc = reply_with(c, id, "ask", text, ans, json_object_get(ans, "candidates"));
  json_decref(ans);
  return rc;
}

/* The learning loop (faq/learn.h): question (a masked transcript line) ended
 * on entry faq_id — the resident chose it, or found its answer helpful. A
 * question the safety layer would flag is never learned; a failure here
 * costs the resident nothing, so it is logged, not returned. */
static void learn(ctx *c, const char *question, const char *faq_id, const char *kind) {
  char sref[SESSION_REFLEN], aref[SESSION_REFLEN], err[MG_ERRLEN];
  json_t *probe = NULL;
  const char *rk;
  int noted = 0, rc;
  if (!question || !*question || !faq_id || !*faq_id) return;
  if (bot_answer(c->w, question, (int)strlen(question), 0, &probe, err) != 0) return;
  rk = json_string_value(json_object_get(json_object_get(probe, "rule"), "kind"));
  if (json_object_get(probe, "safety") || (rk && strcmp(rk, "emergency") == 0)) {
    json_decref(probe);
    return;
  }
  json_decref(probe);
  bot_session_ref(c->conn->session, sref);
  bot_session_ref(c->conn->client_ip, aref);
  if ((rc = bot_session_begin(c->db, err)) != 0) goto fail;
  rc = faq_learn_note(c->db, faq_id, question, sref, aref, kind, NULL, &noted, err);
  if (rc != 0 ||
      (rc = bot_session_commit(c->db, err)) != 0) {
    bot_session_rollback(c->db);
    goto fail;
  }
  return;
fail:
  if (rc != MG_ENOTFOUND) mg_log_error("dialogue", "learning loop: %s", err);
}

static int on_choose(ctx *c) {
  const char *id, *faq_id, *q = NULL;
  session_msg last, asked;
  json_t *choices = NULL, *ans = NULL, *ch;
  size_t i;
  int rc;

  memset(&last, 0, sizeof last);
  memset(&asked, 0, sizeof asked);
  if (field_str(c, "id", 1, &id, NULL) < 0) return STOPPED(c);
  if (field_str(c, "faq_id", 1, &faq_id, id) < 0) return STOPPED(c);
  rc = bot_session_last(c->db, c->conn->session, "bot", "clarify", 0, &last, c->err);
  if (rc != 0 && rc != MG_ENOTFOUND) return rc;
  if (rc == 0 && last.choices) choices = json_loads(last.choices, 0, NULL);
  json_array_foreach(choices, i, ch)
    if (obj_str(ch, "faq_id") && strcmp(obj_str(ch, "faq_id"), faq_id) == 0) q = obj_str(ch, "question");
  if (!q) {
    rc = proto_error(c, MG_ENOTFOUND, TEXT(c, MSG_NO_CHOICE), id);
    goto out;
  }
  rc = bot_answer_faq_lang(c->w, faq_id, c->conn->lang, &ans, c->err);
  if (rc == MG_ENOTFOUND) { /* unpublished since it was offered */
    rc = proto_error(c, MG_ENOTFOUND, TEXT(c, MSG_NO_CHOICE), id);
    goto out;
  }
  if (rc == 0) rc = reply_with(c, id, "choose", q, ans, choices);
  if (rc == 0 && bot_session_last(c->db, c->conn->session, "resident", NULL, last.id, &asked, c->err) == 0)
    learn(c, asked.text, faq_id, "choose");
out:
  json_decref(ans);
  json_decref(choices);
  bot_session_msg_clear(&last);
  bot_session_msg_clear(&asked);
  return rc;
}

/* A decimal message id, or 0 when s is not one. */
static sqlite3_int64 parse_id(const char *s) {
  char *end;
  long long v;
  if (!s || *s < '1' || *s > '9' || strlen(s) > 18) return 0;
  v = strtoll(s, &end, 10);
  return *end ? 0 : v;
}

static int on_feedback(ctx *c) {
  const char *answer_id, *comment = NULL;
  json_t *helpful = json_object_get(c->msg, "helpful");
  session_msg ans, q;
  int rc, has_q;

  memset(&ans, 0, sizeof ans);
  memset(&q, 0, sizeof q);
  if (field_str(c, "answer_id", 1, &answer_id, NULL) < 0) return STOPPED(c);
  if (!json_is_boolean(helpful))
    return proto_error(c, MG_EMISSING, helpful ? "helpful: true か false で指定してください。" : "helpful: この項目は必須です。",
                       answer_id);
  if (field_str(c, "comment", 0, &comment, answer_id) < 0) return STOPPED(c);
  if (comment && check_text(c, "comment", 1, answer_id) < 0) return STOPPED(c);

  rc = bot_session_get(c->db, c->conn->session, parse_id(answer_id), &ans, c->err);
  if (rc == MG_ENOTFOUND || (rc == 0 && (strcmp(ans.role, "bot") != 0 || strcmp(ans.kind, "answer") != 0))) {
    rc = proto_error(c, MG_ENOTFOUND, TEXT(c, MSG_NO_ANSWER_ID), answer_id);
    goto out;
  }
  if (rc != 0) goto out;
  rc = bot_session_last(c->db, c->conn->session, "resident", NULL, ans.id, &q, c->err);
  if (rc != 0 && rc != MG_ENOTFOUND) goto out;
  has_q = rc == 0;
  if ((rc = bot_session_begin(c->db, c->err)) != 0) goto out;
  if ((rc = bot_session_touch(c->db, c->conn->session, c->cfg->session_ttl_hours, c->err)) != 0 ||
      (rc = bot_session_feedback(c->db, c->conn->session, ans.id, ans.faq_id, json_is_true(helpful), comment,
                             has_q ? q.text : NULL, c->err)) != 0 ||
      (rc = bot_session_commit(c->db, c->err)) != 0) {
    bot_session_rollback(c->db);
    goto out;
  }
  rc = emit(c, json_pack("{s:s, s:s, s:b}", "type", "feedback_ok", "reply_to", answer_id, "offer_escalation",
                         !json_is_true(helpful)));
  if (rc == 0 && has_q && json_is_true(helpful)) learn(c, q.text, ans.faq_id, "helpful");
out:
  bot_session_msg_clear(&ans);
  bot_session_msg_clear(&q);
  return rc;
}

/* When staff will next read a ticket, from the office calendar; a new
 * string (caller frees) or NULL when out of memory. */
static char *next_read(ctx *c, time_t now) {
  const cal *calendar = bot_calendar(bot_worker_bot(c->w));
  const char *names[] = { "next_open" }, *values[1];
  char when[64];
  if (bot_cal_is_open(calendar, now)) return strdup(TEXT(c, MSG_NEXT_READ_OPEN));
  bot_cal_format(bot_messages(bot_worker_bot(c->w)), c->conn->lang, bot_cal_next_open(calendar, now), when, sizeof when);
  values[0] = when;
  return bot_msg_fill(TEXT(c, MSG_NEXT_READ_CLOSED), 1, names, values);
}

/* Route a question given with `escalate`: run it through the pipeline
 * (rules, engine) for the department. The answer object into *ans (caller
 * json_decref's it): an emergency in it must still be answered. */
static int route_text(ctx *c, const char *text, char *dept, size_t size, const char **routed_by, json_t **ans) {
  int rc = bot_answer_lang(c->w, text, (int)strlen(text), c->conn->lang, 0, ans, c->err);
  if (rc != 0) return rc;
  rc = route_of(c, *ans, dept, size);
  *routed_by = json_object_get(*ans, "rule") ? "rule" : "engine";
  return rc;
}

/* Route the session's last question: the department of the newest answer
 * after it (a clarify may have been followed by choose), else of its first reply. */
static int route_last(ctx *c, const session_msg *q, char *dept, size_t size, const char **routed_by) {
  session_msg m;
  int rc = bot_session_last(c->db, c->conn->session, "bot", "answer", 0, &m, c->err);
  if (rc == 0 && m.id < q->id) bot_session_msg_clear(&m), rc = MG_ENOTFOUND;
  if (rc == MG_ENOTFOUND) rc = bot_session_reply_to(c->db, c->conn->session, q->id, &m, c->err);
  if (rc == MG_ENOTFOUND) return 0;
  if (rc != 0) return rc;
  if (m.department_id) snprintf(dept, size, "%s", m.department_id);
  *routed_by = m.rule_name ? "rule" : "engine";
  bot_session_msg_clear(&m);
  return 0;
}

/* ---- the ticket flood limit ---------------------------------------------------
 *
 * One address opened 1,000 tickets in 10 s and buried the real ones (attack
 * review F4). A session may open max_tickets_per_session tickets (counted in
 * the ticket table), and a client network — the masked /24 the adapter hands
 * over, never the full address — max_tickets_per_ip_hour an hour, counted
 * here in memory (a restart forgets the counts; the session limit stays).
 * The table holds the networks seen lately; when it is full the stalest
 * slot is reused. */
#define NET_SLOTS 1024
#define NET_PROBES 8

static struct net_count { char net[64]; time_t hour; int n; } nets[NET_SLOTS];
static pthread_mutex_t nets_mu = PTHREAD_MUTEX_INITIALIZER;

/* Count one ticket for net in this hour; 0 when it is over max. */
static int net_take(const char *net, int max, time_t now) {
  unsigned h = 2166136261u;
  time_t hour = now / 3600;
  struct net_count *slot = NULL, *stalest = NULL;
  int ok;
  for (const unsigned char *p = (const unsigned char *)net; *p; p++) h = (h ^ *p) * 16777619u;
  pthread_mutex_lock(&nets_mu);
  for (int i = 0; i < NET_PROBES && !slot; i++) {
    struct net_count *e = &nets[(h + (unsigned)i) % NET_SLOTS];
    if (strcmp(e->net, net) == 0) slot = e;
    else if (!stalest || e->hour < stalest->hour) stalest = e;
  }
  if (!slot) {
    slot = stalest;
    snprintf(slot->net, sizeof slot->net, "%s", net);
    slot->hour = hour;
    slot->n = 0;
  }
  if (slot->hour != hour) slot->hour = hour, slot->n = 0;
  ok = slot->n < max;
  if (ok) slot->n++;
  pthread_mutex_unlock(&nets_mu);
  return ok;
}

/* 1 after answering the resident with ticket_limit; 0 to go on; <0 on error. */
static int over_ticket_limit(ctx *c, const char *id) {
  int n = 0, rc;
  if (c->cfg->max_tickets_per_session > 0) {
    if ((rc = bot_ticket_count_session(c->db, c->conn->session, &n, c->err)) != 0) return rc;
    if (n >= c->cfg->max_tickets_per_session) return proto_error(c, MG_ETICKETS, NULL, id) ? -1 : 1;
  }
  if (c->cfg->max_tickets_per_ip_hour > 0 && !net_take(c->conn->client_ip, c->cfg->max_tickets_per_ip_hour, time(NULL)))
    return proto_error(c, MG_ETICKETS, NULL, id) ? -1 : 1;
  return 0;
}

static int on_escalate(ctx *c) {
  const char *id, *contact = NULL, *text = NULL, *routed_by = "default";
  session_msg q;
  char dept[64] = "", name[256] = "", ticket_no[TICKET_NOLEN], *when = NULL, *line = NULL;
  char lookup[TICKET_SECRETLEN];
  time_t now = time(NULL);
  ticket_new tn = { .session_id = c->conn->session, .routed_by = "default", .actor = "resident", .now = now,
                    .lookup_out = lookup };
  json_t *m, *ans = NULL;
  int rc, urgent = 0;

  memset(&q, 0, sizeof q);
  if (field_str(c, "id", 1, &id, NULL) < 0) return STOPPED(c);
  if (field_str(c, "contact", 0, &contact, id) < 0) return STOPPED(c);
  if (contact && check_text(c, "contact", 1, id) < 0) return STOPPED(c);
  if (field_str(c, "text", 0, &text, id) < 0) return STOPPED(c);
  if (text && check_text(c, "text", 0, id) < 0) return STOPPED(c);
  if (field_str(c, "notify_email", 0, &tn.notify_email, id) < 0) return STOPPED(c);
  if (tn.notify_email && !*tn.notify_email) tn.notify_email = NULL;
  if (tn.notify_email && (!c->cfg->smtp_url[0] || !bot_outbox_email_ok(tn.notify_email))) {
    /* the widget shows the message: the resident's words, in their language */
    char why[512];
    snprintf(why, sizeof why, "notify_email: %s", TEXT(c, c->cfg->smtp_url[0] ? MSG_NOTIFY_EMAIL_BAD : MSG_NOTIFY_EMAIL_OFF));
    return proto_error(c, MG_EINVAL, why, id);
  }

  if (text) {
    rc = route_text(c, text, dept, sizeof dept, &routed_by, &ans);
    /* "家が火事です" sent to staff is still answered with 119 first, at once:
     * the ticket alone would be read at the next opening time. */
    urgent = rc == 0 && rule_kind_is(ans, "emergency");
    if (urgent) rc = reply_with(c, id, "escalate", text, ans, NULL);
  } else {
    rc = bot_session_last(c->db, c->conn->session, "resident", "ask", 0, &q, c->err);
    if (rc == MG_ENOTFOUND) return proto_error(c, MG_EMISSING, TEXT(c, MSG_NO_QUESTION), id);
    if (rc == 0) rc = route_last(c, &q, dept, sizeof dept, &routed_by);
  }
  if (rc != 0) goto out;
  if (!*dept) {
    routed_by = "default";
    if ((rc = faq_department_default(c->db, dept, sizeof dept, c->err)) != 0) goto out;
  }
  if (*dept && (rc = faq_department_name(c->db, dept, name, sizeof name, c->err)) == MG_ENOTFOUND) rc = 0;
  if (rc != 0) goto out;

  if ((rc = over_ticket_limit(c, id)) != 0) {
    if (rc > 0) rc = 0;
    goto out;
  }
  /* The ticket is on disk (synchronous=FULL) before anybody sees its number. */
  tn.question = text ? text : q.text;
  tn.department_id = *dept ? dept : NULL;
  tn.routed_by = routed_by;
  tn.contact = contact;
  if ((rc = bot_ticket_create(c->db, &tn, ticket_no, c->err)) != 0) goto out;

  {
    const char *names[] = { "ticket_no", "next_read" }, *values[2] = { ticket_no, NULL };
    if ((values[1] = when = next_read(c, now)) == NULL ||
        (line = bot_msg_fill(TEXT(c, MSG_TICKET_RECEIVED), 2, names, values)) == NULL) {
      rc = mg_errf(c->err, MG_ENOMEM, "dialogue: out of memory");
      goto out;
    }
  }
  {
    session_line you = { .role = "resident", .kind = "escalate", .text = text };
    session_line bot = { .role = "bot", .kind = "ticket", .text = line, .department_id = *dept ? dept : NULL };
    const session_line both[] = { you, bot };
    int mine = text && !urgent;   /* an urgent question's line is already stored with its emergency reply */
    /* The ticket stands; a lost transcript line is not worth an error. Tell the resident anyway. */
    (void)bot_session_write(c->db, c->conn->session, c->cfg->session_ttl_hours, both + !mine, 2 - !mine, NULL, c->err);
  }
  /* The lookup secret is shown once, here, and kept nowhere but its hash. */
  m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "ticket", "reply_to", id, "ticket_no", ticket_no,
                "status", "open", "department", *name ? name : TEXT(c, MSG_UNASSIGNED), "next_read", when,
                "lookup", lookup);
  rc = emit(c, m);
out:
  sodium_memzero(lookup, sizeof lookup);
  free(when);
  free(line);
  json_decref(ans);
  bot_session_msg_clear(&q);
  return rc;
}

/* The resident answers staff in a ticket's thread, from the chat that
 * opened it. A message that is an emergency gets the emergency card at
 * once as well: staff read the thread only at their next opening time. */
static int on_ticket_reply(ctx *c) {
  const char *id, *ticket_no, *text;
  char at[MG_TIMELEN];
  json_t *ans = NULL, *m;
  int rc, urgent;

  if (field_str(c, "id", 1, &id, NULL) < 0) return STOPPED(c);
  if (field_str(c, "ticket_no", 1, &ticket_no, id) < 0) return STOPPED(c);
  if (field_str(c, "text", 1, &text, id) < 0) return STOPPED(c);
  if (check_text(c, "text", 0, id) < 0) return STOPPED(c);

  if ((rc = bot_answer_lang(c->w, text, (int)strlen(text), c->conn->lang, 0, &ans, c->err)) != 0) goto out;
  urgent = rule_kind_is(ans, "emergency");
  rc = bot_ticket_resident_reply(c->db, ticket_no, c->conn->session, NULL, text, at, c->err);
  if (rc == MG_ENOTICKET || rc == MG_ECLOSED) {
    rc = proto_error(c, rc, NULL, id);
    if (rc == 0 && urgent) rc = reply_with(c, id, "ticket_reply", text, ans, NULL);
    goto out;
  }
  if (rc != 0) goto out;
  if (urgent) {
    if ((rc = reply_with(c, id, "ticket_reply", text, ans, NULL)) != 0) goto out;
  } else {
    session_line you = { .role = "resident", .kind = "ticket_reply", .text = text };
    /* the thread line is committed; a lost transcript line is not worth an error */
    (void)bot_session_write(c->db, c->conn->session, c->cfg->session_ttl_hours, &you, 1, NULL, c->err);
  }
  m = json_pack("{s:s, s:s, s:s, s:s}", "type", "ticket_reply_ok", "reply_to", id, "ticket_no", ticket_no, "at", at);
  rc = emit(c, m);
out:
  json_decref(ans);
  return rc;
}

/* --- dispatch ------------------------------------------------------------ */

static const struct {
  const char *type;
  int needs_session;  /* only after hello */
  int defers;         /* its only write is the turn's transcript, last: it may be left to the caller */
  int (*fn)(ctx *c);
} handlers[] = {
  { "hello", 0, 0, on_hello },
  { "ask", 1, 1, on_ask },
  { "choose", 1, 0, on_choose },
  { "feedback", 1, 0, on_feedback },
  { "escalate", 1, 0, on_escalate },
  { "ticket_reply", 1, 0, on_ticket_reply },
};

int bot_dialogue_handle(bot_worker *w, dlg_conn *conn, json_t *msg, json_t **out, char *err) {
  return bot_dialogue_turn(w, conn, msg, out, NULL, err);
}

int bot_dialogue_turn(bot_worker *w, dlg_conn *conn, json_t *msg, json_t **out, bot_turn *turn, char *err) {
  ctx c = { .w = w, .db = bot_worker_db(w), .cfg = bot_config(bot_worker_bot(w)), .conn = conn, .msg = msg, .err = err };
  json_t *type = json_object_get(msg, "type"), *id = json_object_get(msg, "id");
  const char *reply_to = json_string_value(id);

  if (!*out && !(*out = json_array())) return mg_errf(err, MG_ENOMEM, "dialogue: out of memory");
  c.out = *out;
  if (!json_is_object(msg)) return proto_error(&c, MG_EBADJSON, NULL, NULL);
  if (!type) return proto_error(&c, MG_EMISSING, "type: この項目は必須です。", reply_to);
  if (!json_is_string(type)) return proto_error(&c, MG_EUNKNOWNTYPE, NULL, reply_to);
  for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++) {
    if (strcmp(handlers[i].type, json_string_value(type)) != 0) continue;
    if (handlers[i].needs_session && !conn->session[0]) return proto_error(&c, MG_EMISSING, hello_first, reply_to);
    if (turn && handlers[i].defers) c.turn = turn;
    int rc = handlers[i].fn(&c);
    if (rc != 0 && turn) bot_turn_clear(turn);   /* nothing half-said is written */
    return rc;
  }
  return proto_error(&c, MG_EUNKNOWNTYPE, NULL, reply_to);
}

int bot_dialogue_pending(bot_worker *w, const dlg_conn *conn, json_t **out, char *err) {
  json_t *pending = NULL, *p;
  size_t i;
  int rc;

  if (!*out && !(*out = json_array())) return mg_errf(err, MG_ENOMEM, "dialogue: out of memory");
  if (!conn->session[0]) return 0;
  if ((rc = bot_ticket_take_pending(bot_worker_db(w), conn->session, &pending, err)) != 0) return rc;
  json_array_foreach(pending, i, p) {
    json_object_set_new(p, "type", json_string("staff_reply"));
    if (json_array_append(*out, p) != 0) {
      rc = mg_errf(err, MG_ENOMEM, "dialogue: out of memory");
      break;
    }
  }
  json_decref(pending);
  return rc;
}
