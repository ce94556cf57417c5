/*
 * inquiry.h — residents' inquiries from the city's contact form and its
 * mailbox: triaged, masked, acknowledged, and made tickets.
 *
 * An inquiry is longer than a chat question: a greeting, several sentences,
 * a signature. Triage (bot_triage_run) drops what says nothing about the matter
 * (greetings, closings, signature and contact lines: dict/inquiry.json),
 * then asks the one answer pipeline (bot_answer) about the subject, the
 * whole text and each sentence, and adds up where each answer routes
 * (bot_answer_department: the rules' department or the entry's) and which
 * entries it found. What staff taught by re-routing inquiries
 * (triage_example) votes too. The best entries become the suggested reply
 * staff edit and send.
 *
 * bot_inquiry_submit stores an inquiry as a ticket (routed_by "inquiry") in
 * one transaction with its own rows and, when an SMTP relay is configured
 * and the resident gave an address, the acknowledgement notice (ticket
 * number and the answer date on the office calendar). Mail is idempotent
 * by Message-ID; a mail whose In-Reply-To or References names a message of
 * a ticket joins that ticket's thread instead.
 *
 * All functions run on a worker's thread (bot_worker) and return 0 or a
 * negative MG_E* code with err set.
 */
#ifndef MG_INQUIRY_H
#define MG_INQUIRY_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <time.h>

#include "bot/answer.h"
#include "bot/ticket.h"

#define BOT_TRIAGE_TOP 3

/* Where an inquiry goes. */
typedef struct bot_triage {
  char department[64];                  /* "" when nothing pointed anywhere */
  double share;                         /* the department's share of all votes, 0..1 */
  char faq[BOT_TRIAGE_TOP][64];         /* best entries, best first */
  int n_faq;
  int sentences;                        /* sentences asked about */
  int learned;                          /* 1 when a taught example voted */
} bot_triage;

/* Triage subject (may be NULL) and body. */
int bot_triage_run(bot_worker *w, const char *subject, const char *body, bot_triage *out, char *err);

/* The text triage reads: body without greetings, closings, signature and
 * contact lines, sentences joined by "\n" (cfg->dict_dir/inquiry.json says
 * which). New string (caller frees), or NULL when out of memory. */
char *bot_inquiry_clean(const mg_config *cfg, const char *body);

/* One inquiry. Strings are borrowed for the call; NULL = absent. */
typedef struct bot_inquiry {
  const char *source;       /* "form" or "mail" */
  const char *form_id;      /* the form's id, or the API key's name */
  const char *name, *email, *phone, *subject, *body;
  const char *message_id;   /* mail: its Message-ID without <> */
  const char *const *refs;  /* mail: In-Reply-To and References ids, without <> */
  int n_refs;
  time_t now;               /* 0 = the current time */
} bot_inquiry;

typedef struct bot_inquiry_result {
  char ticket_no[TICKET_NOLEN];
  bot_triage triage;
  char department_name[128];/* the triage's department's name */
  char answer_by[64];       /* "12月9日(水) 17:15", JST; "" for a joined reply */
  int duplicate;            /* 1: this Message-ID was stored before, nothing done */
  int joined;               /* 1: added to ticket_no's thread as the resident's line */
  int acknowledged;         /* 1: an acknowledgement was queued */
} bot_inquiry_result;

/* Triage and store one inquiry (see above). MG_EMISSING for no body,
 * MG_EINQUIRYLONG for a body over cfg->inquiry_max_chars, MG_EINVAL for
 * another field too long (subject 200, name 100, email 254, phone 40
 * characters), MG_EBADUTF8. */
int bot_inquiry_submit(bot_worker *w, const bot_inquiry *in, bot_inquiry_result *out, char *err);

/* What the console shows with an inquiry's ticket: new JSON {source,
 * form_id, subject, answer_by, suggestion: [{faq_id, question, answer}],
 * triage}, or *out NULL when the ticket is not an inquiry. */
int bot_inquiry_of_ticket(sqlite3 *db, const char *ticket_no, json_t **out, char *err);

/* The acknowledgement of ticket_no for the delivery thread: its
 * Message-ID (without <>; a reply naming it joins the ticket), the answer
 * date and the department's name. MG_ENOTFOUND. */
typedef struct bot_inquiry_ack_info {
  char message_id[200];
  char answer_by[64];
  char department[128];
} bot_inquiry_ack_info;
int bot_inquiry_ack(sqlite3 *db, const char *ticket_no, bot_inquiry_ack_info *a, char *err);

/* Staff moved ticket_no to department: when it is an inquiry, keep its
 * terms with that department, so similar inquiries go there next time. */
int bot_triage_learn(bot_worker *w, const char *ticket_no, const char *department, char *err);

/* API keys of the contact form. bot_inquiry_key_new: a new random key
 * (43 characters) and its hash (hex) into key[64] and hash[MG_KEY_HASHLEN].
 * bot_inquiry_key_check: the name of the configured key that matches, or
 * NULL (every hash compared, in constant time). */
int bot_inquiry_key_new(char *key, char *hash, char *err);
const char *bot_inquiry_key_check(const mg_config *cfg, const char *key);

#endif
