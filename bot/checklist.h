/*
 * checklist.h — life-event checklists (手続チェックリスト, issue 16).
 *
 * A checklist is not a document of its own: each procedure is an FAQ entry
 * whose life_events field names the events it belongs to, one per line,
 * with an optional condition on the resident's answers:
 *
 *   転入                  always, for 転入
 *   転入 if car           when the answer to "car" is yes
 *   死亡 if d_ins=late    when the answer to "d_ins" is late
 *   婚姻 if car and !move both must hold (!x is x=no, !x=v is "x is not v")
 *
 * Two lines for one event mean "either". So drafts, publish, the console's
 * editor and the department card come with the entry. The events — name,
 * slug, title, the questions asked and the concepts that start the
 * checklist in the chat — live in dict/life_events.json, loaded here.
 *
 * Answers travel as text "car:yes,ins:nhi" (the page's URL fragment
 * #a=car:yes,ins:nhi, nothing stored on the server). A condition evaluates
 * to YES, NO, or UNKNOWN when it needs a question not answered yet: the
 * page then shows the procedure with its condition in words.
 *
 * bot_cl_* (checklist_cond.c) are pure functions with no state; the set
 * of events is immutable after load and shared by all threads.
 */
#ifndef BOT_CHECKLIST_H
#define BOT_CHECKLIST_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

#include "bot/understand.h"
#include "faq/store.h"

struct bot_pub;

/* ---- conditions (checklist_cond.c, pure) --------------------------------- */

#define BOT_CL_KEY 32        /* longest question id or option value + 1 */
#define BOT_CL_MAX_TERMS 4   /* terms joined by "and" in one condition */
#define BOT_CL_NAME 64       /* longest event name + 1 */

enum { BOT_CL_NO = 0, BOT_CL_YES = 1, BOT_CL_UNKNOWN = 2 };

typedef struct bot_cl_term {
  char key[BOT_CL_KEY];      /* question id ("car") */
  char value[BOT_CL_KEY];    /* option value ("yes" when the condition names the key alone) */
  int neg;                   /* "!key" (value "no" for a yes/no question) or "!key=value" */
} bot_cl_term;

/* Parse condition text ("car and !ins=nhi"; "" or NULL: always) into t[0..max).
 * Returns the number of terms (0 = always) or MG_EINVAL with a Japanese
 * reason in err (a caller-owned MG_ERRLEN buffer). */
int bot_cl_cond_parse(const char *cond, bot_cl_term *t, int max, char *err);
/* Evaluate terms t[0..n) against answers ("car:yes,ins:nhi", NULL = none):
 * BOT_CL_NO when a term is false, else BOT_CL_UNKNOWN when a term's question
 * is unanswered, else BOT_CL_YES. */
int bot_cl_cond_eval(const bot_cl_term *t, int n, const char *answers);
/* Split one life_events line ("転入 if car") into the event's name (copied
 * into name[size], trimmed) and *cond (points into line after "if", or
 * NULL). Returns 0, or MG_EINVAL when the name is empty or too long. */
int bot_cl_line(const char *line, char *name, size_t size, const char **cond);
/* How entry text (its life_events field) applies to event `name` under
 * answers: the best of its lines for that event (YES > UNKNOWN > NO), or -1
 * when no line names the event. Lines that do not parse are skipped. */
int bot_cl_applies(const char *life_events, const char *name, const char *answers);

/* ---- the events (checklist.c, dict/life_events.json) ---------------------- */

#define BOT_CL_MAX_OPTS 4
#define BOT_CL_MAX_QS 8

typedef struct bot_cl_option {
  char *value;   /* "yes", "nhi" — [a-z0-9_] */
  char *label;   /* the button: 「持っている」 */
  char *who;     /* the condition in words: 「車・バイクをお持ちの方」 */
} bot_cl_option;

typedef struct bot_cl_question {
  char *id;      /* "car" — [a-z0-9_] */
  char *text;    /* 「車やバイク（原付を含む）をお持ちですか？」 */
  bot_cl_option opt[BOT_CL_MAX_OPTS];
  int nopt;
} bot_cl_question;

typedef struct bot_cl_event {
  char *name;    /* as life_events lines write it: 「転入」 */
  char *slug;    /* the page: /faq/checklists/<slug> — [a-z0-9_-] */
  char *title, *intro;
  const bot_cl_question *q[BOT_CL_MAX_QS];
  int nq;
  int sets[4][4], setn[4], nsets;   /* concept ids: any set met in one sentence starts it */
  const char *w_and, *w_not;        /* the file's "words": 「、かつ」 and 「「{label}」以外の方」 */
} bot_cl_event;

typedef struct bot_checklists bot_checklists;

/* Load path (dict/life_events.json) against the compiled concepts c (NULL:
 * skip the concept sets, e.g. for a test). Errors: MG_EIO, MG_EBADJSON,
 * MG_ECONFIG naming the file and what is wrong. Free with
 * bot_checklists_free. */
int bot_checklists_load(bot_checklists **out, const char *path, const bot_concepts *c, char *err);
void bot_checklists_free(bot_checklists *cl);

int bot_checklists_count(const bot_checklists *cl);
const bot_cl_event *bot_checklists_event(const bot_checklists *cl, int i);
/* The event with this slug, or NULL. */
const bot_cl_event *bot_checklists_find(const bot_checklists *cl, const char *slug);
/* The question id of ev, or NULL. */
const bot_cl_question *bot_cl_event_question(const bot_cl_event *ev, const char *id);
/* The first event whose concepts meet in msg, or NULL. */
const bot_cl_event *bot_checklists_match(const bot_checklists *cl, const bot_msg *msg, const bot_hits *h);

/* The condition t[0..n) in words for ev, into out[size]: each term as its
 * option's 'who' (a negated yes/no term as the other option's), joined by
 * 「、かつ」. */
void bot_cl_words(const bot_cl_event *ev, const bot_cl_term *t, int n, char *out, size_t size);
/* Check a life_events text as staff wrote it: each line names a known
 * event and its condition parses and asks only that event's questions
 * and options. 0, or MG_EINVAL with a Japanese reason in err. */
int bot_cl_check(const bot_checklists *cl, const char *life_events, char *err);

/* One procedure of an event, as bot_cl_procedures hands it out. */
typedef struct bot_cl_item {
  const mg_faq_entry *e;   /* the published entry (valid during the call) */
  const char *cond;        /* its condition for the event ("" = always; the
                            * first of its lines that applies best) */
  int applies;             /* BOT_CL_YES / BOT_CL_UNKNOWN under the answers given */
} bot_cl_item;

/* Call fn for every published entry that belongs to ev and does not
 * evaluate to NO under answers (NULL: none given — every procedure of the
 * event, conditional ones as UNKNOWN), in id order. Returns 0, fn's
 * non-zero, or MG_E* with err set. */
int bot_cl_procedures(sqlite3 *db, const bot_cl_event *ev, const char *answers,
                      int (*fn)(void *ctx, const bot_cl_item *it), void *ctx, char *err);

/* The chat's reply for ev, its items from pub (the published FAQ in memory,
 * bot/published.h): {"type":"checklist","event","title","intro",
 * "questions":[{"id","text","options":[{"value","label"}]}],"items":[{"faq_id",
 * "title","if":"car=yes ins!=nhi","who":"…の方"}],"url"} (who: the condition in words) with url = base + the page's path
 * when base is non-empty. New reference; NULL when out of memory (err set). */
json_t *bot_cl_reply(const struct bot_pub *pub, const bot_cl_event *ev, const char *base, char *err);
/* The terms in the form the page's script and the widget test:
 * "car=yes ins!=nhi" (space-separated, all must hold). */
void bot_cl_terms_attr(const bot_cl_term *t, int n, char *out, size_t size);

#endif
