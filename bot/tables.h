/*
 * tables.h — bot's tables (the conversation: sessions, the transcript,
 * feedback, tickets, notices, staff accounts, the audit log, LINE,
 * inquiries) and opening the database with them.
 *
 * bot creates and migrates its own tables: its steps are an ordered array
 * in bot/tables.c, counted in schema_version's row "bot" and applied by
 * faq_db_migrate_module (faq/db.h). Every process that serves or runs a
 * command opens the database through bot_db_open (or bot_db_migrate after
 * faq_db_open), so both modules' tables are current.
 */
#ifndef MG_BOT_TABLES_H
#define MG_BOT_TABLES_H

#include <sqlite3.h>

#include "util/mg_config.h"

struct mg_lang;

/* Apply bot's pending steps (faq_db_migrate_module for module "bot").
 * 0, or the error of faq_db_migrate_module. */
int bot_db_migrate(sqlite3 *db, char *err);
/* bot's schema version in db (faq_db_module_version), -1 when unreadable. */
int bot_db_version(sqlite3 *db);
/* The number of bot's steps this program knows (bot's newest version). */
int bot_db_schema_max(void);

/* faq_db_open, then bot_db_migrate: the database with every module's
 * tables current. lang as for faq_db_open. Caller closes with
 * faq_db_close; *out is NULL on error. 0 or the error of either. */
int bot_db_open(sqlite3 **out, const mg_config *cfg, struct mg_lang *lang, char *err);
/* The same for a private in-memory database (eval, drafts, tests). */
int bot_db_open_memory(sqlite3 **out, struct mg_lang *lang, char *err);

/* For the server's own threads, which run no dialogue (the transcript
 * writer, the checkpointer), so adapters/ needs no faq/: open one with
 * bot_db_open(…, NULL, …) (no MeCab tokenizer: no search), close it with
 * bot_db_close after bot_db_thread_done(db) on the thread that used it (its
 * cached statements). bot_db_touch reads the schema once, so that a
 * connection opened with plain sqlite3_open_v2 finds the WAL (a checkpoint
 * does nothing until then): 0, or MG_E* with err set. */
void bot_db_thread_done(sqlite3 *db);
void bot_db_close(sqlite3 *db);
int bot_db_touch(sqlite3 *db, char *err);

#endif
