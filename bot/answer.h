/*
 * answer.h — the one answer pipeline every channel uses.
 *
 * `madoguchi ask`, `madoguchi chat`, `POST /api/v1/ask` and the WebSocket
 * chat all call bot_answer: intent rules first (emergencies win over every
 * FAQ answer), then the engine. The result is the versioned answer object of
 * docs/protocol.md ("Answer object"), so every channel shares one shape.
 *
 * bot holds what is shared and read-only after start (language model, intent
 * rules, calendar, engine index); bot_worker is per thread (MeCab tagger,
 * SQLite connection). The service thread of the WebSocket server never calls
 * these: worker threads do.
 */
#ifndef MG_ANSWER_H
#define MG_ANSWER_H

#include <jansson.h>
#include <sqlite3.h>

#include "util/mg_config.h"

typedef struct bot bot;
typedef struct bot_worker bot_worker;

/* Load language data, rules, calendar and the engine index for cfg; opens
 * (and creates, with the sample FAQ) cfg->db_path. Caller frees with bot_free. */
int bot_new(bot **out, const mg_config *cfg, char *err);
void bot_free(bot *b);
const mg_config *bot_config(const bot *b);

/* Per-thread state; its SQLite connection is usable by the caller for its own
 * writes (sessions, tickets) through bot_worker_db. Free with bot_worker_free. */
int bot_worker_new(bot_worker **out, bot *b, char *err);
void bot_worker_free(bot_worker *w);
/* Call at the end of a thread that used a worker: finalizes the statements
 * the thread cached, so bot_worker_free (on any thread) really closes. */
void bot_worker_thread_done(void);
sqlite3 *bot_worker_db(bot_worker *w);

/* The bot a worker serves (its config: bot_config) and the office calendar
 * bot_new loaded (immutable, shared by all threads; bot/calendar.h). The
 * dialogue reads session lifetimes and "when will staff read this" here. */
bot *bot_worker_bot(bot_worker *w);
const struct cal *bot_calendar(const bot *b);
/* The bot's own words (dict/messages.json); valid while b lives. */
const struct msg_set *bot_messages(const bot *b);
/* The life events of dict/life_events.json (bot/checklist.h); like
 * bot_messages, valid between bot_read_begin and bot_read_end. */
struct bot_checklists;
const struct bot_checklists *bot_checklists_of(const bot *b);

/* Re-read dict/ (concepts, safety, intents, the English table, messages),
 * the intent rules and the calendar while the bot serves. Each file is read
 * and compiled before anything changes: on an error the running set stays
 * and err names the file and line. The swap waits until no job holds the
 * read side. The language model (MeCab, the user dictionary), the engine
 * index and the configuration are not re-read. Never call while holding
 * bot_read_begin. */
int bot_reload(bot *b, char *err);
/* A job that uses the bot's language data (any bot_answer, the dialogue,
 * and the pointers bot_messages and bot_calendar return) runs between
 * these; a one-thread program (the CLI) may skip them. */
void bot_read_begin(bot *b);
void bot_read_end(bot *b);
/* Notice FAQ changes made by other processes (PRAGMA data_version) and
 * refresh the engine index. Cheap when nothing changed; call it from a timer. */
int bot_refresh(bot_worker *w, char *err);
/* The same from the refresh timer: when another worker is rebuilding the
 * index already, return at once instead of waiting for it (a worker that
 * waits is a worker that answers nobody). */
int bot_refresh_background(bot_worker *w, char *err);

/* The generation of the engine's index of the published FAQ: it moves
 * whenever a refresh (bot_refresh, bot_refresh_background) rebuilt the
 * index, i.e. an entry was published, re-published or removed by this
 * process or another. Caches of published text (the public pages) keep the
 * generation they were made at and are stale once it moved. Any thread. */
unsigned long bot_faq_generation(bot *b);

/* Where the public page of entry faq_id lives: public_base_url +
 * BOT_PAGE_ENTRY + faq_id, into out (size bytes). -1 (out "") when pages
 * are off, the base is not set, the id is not valid or out is too small.
 * The answer object carries it as "page_url" (docs/protocol.md). */
#define BOT_PAGE_ENTRY "/faq/entry/"
int bot_page_url(const mg_config *cfg, const char *faq_id, char *out, size_t size);

/* The published entries nearest to entry faq_id (its question and keywords
 * asked of the engine), best first, itself left out: at most k ids into
 * ids[0..*n). MG_ENOTFOUND when faq_id is not published. */
int bot_similar(bot_worker *w, const char *faq_id, int k, char (*ids)[64], int *n, char *err);

/* Answer text (UTF-8, len bytes, already checked for length). Fills *out with
 * a new answer object (caller json_decref's it). explain adds the engine's
 * explain view under "explain". Returns 0 or MG_E* with err set. */
int bot_answer(bot_worker *w, const char *text, int len, int explain, json_t **out, char *err);
/* As bot_answer for a resident who chose lang (enum bot_lang, bot/lang.h):
 * entries answer in their version in that language where they have one, the
 * emergency card is in it, and a question written in English wants English
 * whatever was chosen. The object's "lang" names the language of its
 * question and answer text. bot_answer is this with Japanese chosen. */
int bot_answer_lang(bot_worker *w, const char *text, int len, int lang, int explain, json_t **out, char *err);

/* As bot_answer with explain, but as residents would be answered once every
 * draft is published: the newest revision of each entry is copied into a
 * throwaway in-memory database with its own index (for staff trying a draft
 * before publishing it; it costs an index build, not a lookup). */
int bot_answer_drafts(bot_worker *w, const char *text, int len, json_t **out, char *err);
/* The published entry nearest to text whatever the engine decides (staff:
 * "write a new entry starting from this one"); faq_id is "" when no entry
 * shares a word with it. */
int bot_nearest(bot_worker *w, const char *text, int len, char *faq_id, size_t size, char *err);
/* The answer object for one FAQ entry chosen by the resident (clarify → choose).
 * MG_ENOTFOUND when id is not a published entry. */
int bot_answer_faq(bot_worker *w, const char *faq_id, json_t **out, char *err);
/* The same in lang (enum bot_lang), as bot_answer_lang picks the version. */
int bot_answer_faq_lang(bot_worker *w, const char *faq_id, int lang, json_t **out, char *err);

/* The department an answer routes to (the dialogue's escalation and the
 * inquiries' triage): the answer's own (a rule's, or the entry's), else the
 * best candidate's (clarify, no_answer). Into buf; "" when none. */
int bot_answer_department(sqlite3 *db, const json_t *ans, char *buf, size_t size, char *err);
/* The worker's own analyzer (MeCab tagger), for the analysis of text the
 * engine would do (faq/analyze.h faq_analyze); valid while w lives. */
struct mg_analyzer;
struct mg_analyzer *bot_worker_analyzer(bot_worker *w);

#endif
