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

/* Answer text (UTF-8, len bytes, already checked for length). Fills *out with
 * a new answer object (caller json_decref's it). explain adds the engine's
 * explain view under "explain". Returns 0 or MG_E* with err set. */
int bot_answer(bot_worker *w, const char *text, int len, int explain, json_t **out, char *err);

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

#endif
