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

#include <stddef.h>

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
  X(MSG_ENGLISH_CONTACT, "english_contact") \
  X(MSG_TERM_DEPARTMENT, "term_department") \
  X(MSG_TERM_PHONE, "term_phone") \
  X(MSG_TERM_HOURS, "term_hours") \
  X(MSG_TERM_LOCATION, "term_location") \
  X(MSG_TERM_MORE, "term_more") \
  X(MSG_TERM_CHECKLIST, "term_checklist") \
  X(MSG_TERM_PAGE, "term_page") \
  X(MSG_TERM_CLARIFY, "term_clarify") \
  X(MSG_TERM_NO_ANSWER, "term_no_answer") \
  X(MSG_TERM_DECISION, "term_decision") \
  X(MSG_TERM_RULE, "term_rule") \
  X(MSG_TERM_CHAT_BANNER, "term_chat_banner") \
  X(MSG_NOTIFY_EMAIL_OFF, "notify_email_off") \
  X(MSG_NOTIFY_EMAIL_BAD, "notify_email_bad") \
  X(MSG_DATE_TIME, "date_time") \
  X(MSG_WEEKDAYS, "weekdays") \
  X(MSG_NEXT_OPEN_UNKNOWN, "next_open_unknown")

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
  X(MSG_OFFICE_OPEN_NOW) X(MSG_OFFICE_NEXT_OPEN) X(MSG_NOTIFY_EMAIL_OFF) X(MSG_NOTIFY_EMAIL_BAD) \
  X(MSG_DATE_TIME) X(MSG_WEEKDAYS)

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

/* The name of weekday wday (0 Sunday … 6 Saturday) in lang, from "weekdays",
 * into out (n bytes). 0, or MG_ECONFIG when the text has fewer words. */
int bot_msg_weekday(const msg_set *m, int lang, int wday, char *out, size_t n);

/* A new string (caller frees) with each {names[i]} in tmpl replaced by
 * values[i]; unknown {…} stay as written. NULL only when out of memory. */
char *bot_msg_fill(const char *tmpl, int n, const char *const *names, const char *const *values);

/* ---- the public pages' words: dict/pages.json ------------------------------
 *
 * The chrome of the public FAQ pages and the life-event checklists (headings,
 * labels, buttons, 「もしかして」, the error pages). Same file shape as
 * messages.json: every key at the top level (Japanese) is required, and the
 * keys of PAGE_WORDS_LANG (an entry's page, shown in the resident's
 * language) in "en" and "easy" too. Plain text: the pages escape every word,
 * so a city may write < or & without breaking the markup. */
#define PAGE_WORDS(X) \
  X(PW_CRUMBS, "crumbs") \
  X(PW_FAQ, "faq") \
  X(PW_ITEMS, "items") \
  X(PW_SEARCH_LABEL, "search_label") \
  X(PW_SEARCH_BUTTON, "search_button") \
  X(PW_DEPT_HEADING, "dept_heading") \
  X(PW_DEPT_CONTACT, "dept_contact") \
  X(PW_DEPT_NAME, "dept_name") \
  X(PW_PHONE, "phone") \
  X(PW_HOURS, "hours") \
  X(PW_PLACE, "place") \
  X(PW_MAIL, "mail") \
  X(PW_DATE, "date") \
  X(PW_HOME_LEAD, "home_lead") \
  X(PW_HOME_DESCRIPTION, "home_description") \
  X(PW_HOME_CHECKLISTS_NOTE, "home_checklists_note") \
  X(PW_BY_CATEGORY, "by_category") \
  X(PW_BY_DEPARTMENT, "by_department") \
  X(PW_ACCESSIBILITY, "accessibility") \
  X(PW_CATEGORY_TITLE, "category_title") \
  X(PW_ANSWER, "answer") \
  X(PW_MORE, "more") \
  X(PW_UPDATED, "updated") \
  X(PW_SIMILAR, "similar") \
  X(PW_SIMILAR_NOTE, "similar_note") \
  X(PW_HELPFUL, "helpful") \
  X(PW_YES, "yes") \
  X(PW_NO, "no") \
  X(PW_LANGS, "langs") \
  X(PW_NOT_YET, "not_yet") \
  X(PW_LANG_JA, "lang_ja") \
  X(PW_LANG_EN, "lang_en") \
  X(PW_LANG_EASY, "lang_easy") \
  X(PW_ONLINE_HEADING, "online_heading") \
  X(PW_ONLINE_TEXT, "online_text") \
  X(PW_ONLINE_BUTTON, "online_button") \
  X(PW_ASK_PERSON, "ask_person") \
  X(PW_ASK_PERSON_TEXT, "ask_person_text") \
  X(PW_ASK_PHONE, "ask_phone") \
  X(PW_SEARCH_TITLE, "search_title") \
  X(PW_SEARCH_PAGE, "search_page") \
  X(PW_SEARCH_CRUMB, "search_crumb") \
  X(PW_SEARCH_HELP, "search_help") \
  X(PW_EMERGENCY, "emergency") \
  X(PW_BEST, "best") \
  X(PW_BEST_MORE, "best_more") \
  X(PW_OTHER_CANDIDATES, "other_candidates") \
  X(PW_GUIDANCE, "guidance") \
  X(PW_DID_YOU_MEAN, "did_you_mean") \
  X(PW_DID_YOU_MEAN_TEXT, "did_you_mean_text") \
  X(PW_NOT_FOUND, "not_found") \
  X(PW_NOT_FOUND_TEXT, "not_found_text") \
  X(PW_THANKS, "thanks") \
  X(PW_THANKS_TEXT, "thanks_text") \
  X(PW_THANKS_SORRY, "thanks_sorry") \
  X(PW_BACK_TO, "back_to") \
  X(PW_TO_TOP, "to_top") \
  X(PW_ERROR_404, "error_404") \
  X(PW_ERROR_404_TEXT, "error_404_text") \
  X(PW_ERROR_429, "error_429") \
  X(PW_ERROR_5XX, "error_5xx") \
  X(PW_ERROR_OTHER, "error_other") \
  X(PW_CHECKLISTS, "checklists") \
  X(PW_CHECKLISTS_LEAD, "checklists_lead") \
  X(PW_CHECKLISTS_DESCRIPTION, "checklists_description") \
  X(PW_CL_SITUATION, "cl_situation") \
  X(PW_CL_SITUATION_NOTE, "cl_situation_note") \
  X(PW_CL_FOR, "cl_for") \
  X(PW_CL_ONLINE, "cl_online") \
  X(PW_CL_COUNTER, "cl_counter") \
  X(PW_CL_BRING, "cl_bring") \
  X(PW_CL_DEADLINE, "cl_deadline") \
  X(PW_CL_FEE, "cl_fee") \
  X(PW_CL_NEEDED, "cl_needed") \
  X(PW_CL_ALL, "cl_all") \
  X(PW_CL_PRINT, "cl_print") \
  X(PW_CL_SHARE, "cl_share")

enum page_word {
#define PW_X_ENUM(id, key) id,
  PAGE_WORDS(PW_X_ENUM)
#undef PW_X_ENUM
  PW_COUNT
};

/* Keys every language must have: an entry's page in English or やさしい日本語. */
#define PAGE_WORDS_LANG(X) \
  X(PW_ANSWER) X(PW_MORE) X(PW_UPDATED) X(PW_SIMILAR) X(PW_SIMILAR_NOTE) X(PW_HELPFUL) X(PW_YES) X(PW_NO) \
  X(PW_LANGS) X(PW_NOT_YET)

typedef struct bot_words bot_words;

/* Load path (dict/pages.json). Returns 0, or MG_ECONFIG with err naming the
 * file and the missing key. Free with bot_words_free. Immutable afterwards. */
int bot_words_load(bot_words **out, const char *path, char *err);
void bot_words_free(bot_words *w);
/* The Japanese text of id; valid while w lives. */
const char *bot_word(const bot_words *w, enum page_word id);
/* The text of id in lang (enum bot_lang), the Japanese one when there is none. */
const char *bot_word_lang(const bot_words *w, enum page_word id, int lang);

#endif
