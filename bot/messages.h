/*
 * messages.h — the bot's own words, from dict/messages.json.
 *
 * Greetings, the privacy notice, prompts and ticket confirmations are text a
 * city edits (another municipality's name, its retention period), so they
 * live in data, not in C. Every key is required: a missing or mistyped one
 * stops start-up with the file and key named, instead of a resident seeing
 * an empty bubble. Placeholders are {name}, filled by msg_fill — never a
 * printf format, so an edited text can not crash the service.
 *
 * Languages (bot/lang.h): the keys above are the Japanese texts; the objects
 * "en" and "easy" hold the English and やさしい日本語 texts of the same keys.
 * Every key a resident reads (MSG_RESIDENT below) is required in both, so a
 * resident who chose English never meets a Japanese prompt; staff-only keys
 * (mail to staff, "unassigned") may be left out and fall back to Japanese.
 */
#ifndef MG_MESSAGES_H
#define MG_MESSAGES_H

#define MSG_LIST(X) \
  X(MSG_GREETING, "greeting") \
  X(MSG_PRIVACY, "privacy") \
  X(MSG_CLARIFY_PROMPT, "clarify_prompt") \
  X(MSG_NO_ANSWER, "no_answer") \
  X(MSG_NO_QUESTION, "no_question") \
  X(MSG_NO_CHOICE, "no_choice") \
  X(MSG_NO_ANSWER_ID, "no_answer_id") \
  X(MSG_NEXT_READ_OPEN, "next_read_open") \
  X(MSG_NEXT_READ_CLOSED, "next_read_closed") \
  X(MSG_TICKET_RECEIVED, "ticket_received") \
  X(MSG_MAIL_RECEIVED_SUBJECT, "mail_received_subject") \
  X(MSG_MAIL_RECEIVED_BODY, "mail_received_body") \
  X(MSG_MAIL_REPLY_SUBJECT, "mail_reply_subject") \
  X(MSG_MAIL_REPLY_BODY, "mail_reply_body") \
  X(MSG_MAIL_INQUIRY_SUBJECT, "mail_inquiry_subject") \
  X(MSG_MAIL_INQUIRY_BODY, "mail_inquiry_body") \
  X(MSG_UNASSIGNED, "unassigned") \
  X(MSG_OFFICE_OPEN_NOW, "office_open_now") \
  X(MSG_OFFICE_NEXT_OPEN, "office_next_open") \
  X(MSG_ENGLISH_ANSWER, "english_answer") \
  X(MSG_ENGLISH_UNKNOWN, "english_unknown") \
  X(MSG_ENGLISH_CLARIFY, "english_clarify") \
  X(MSG_CITY_PHONE, "city_phone") \
  X(MSG_LINE_ESCALATE, "line_escalate") \
  X(MSG_LINE_CALL, "line_call") \
  X(MSG_LINE_DEPARTMENT, "line_department") \
  X(MSG_LINE_STAFF_REPLY, "line_staff_reply") \
  X(MSG_ENGLISH_CONTACT, "english_contact")

enum msg_id {
#define MSG_X_ENUM(id, key) id,
  MSG_LIST(MSG_X_ENUM)
#undef MSG_X_ENUM
  MSG_COUNT
};

/* Keys every language must have: what residents read in the chat. */
#define MSG_RESIDENT(X) \
  X(MSG_GREETING) X(MSG_PRIVACY) X(MSG_CLARIFY_PROMPT) X(MSG_NO_ANSWER) X(MSG_NO_QUESTION) X(MSG_NO_CHOICE) \
  X(MSG_NO_ANSWER_ID) X(MSG_NEXT_READ_OPEN) X(MSG_NEXT_READ_CLOSED) X(MSG_TICKET_RECEIVED) \
  X(MSG_OFFICE_OPEN_NOW) X(MSG_OFFICE_NEXT_OPEN)

typedef struct msg_set msg_set;

/* Load path (dict/messages.json). Returns 0, or MG_EIO/MG_ECONFIG with err
 * naming the file and the key. Caller frees with msg_free. */
int bot_msg_load(msg_set **out, const char *path, char *err);
void bot_msg_free(msg_set *m);
/* The text for id; valid while m lives. */
const char *bot_msg_get(const msg_set *m, enum msg_id id);
/* The text for id in lang (enum bot_lang); the Japanese text when the file
 * has none in lang (only staff-only keys may lack one). */
const char *bot_msg_lang(const msg_set *m, enum msg_id id, int lang);

/* A new string (caller frees) with each {names[i]} in tmpl replaced by
 * values[i]; unknown {…} stay as written. NULL only when out of memory. */
char *bot_msg_fill(const char *tmpl, int n, const char *const *names, const char *const *values);

#endif
