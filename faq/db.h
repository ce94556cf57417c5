/*
 * db.h — opening the one SQLite database and keeping its schema current.
 *
 * Every process (the server, each CLI command) opens the same file through
 * faq_db_open: WAL journal, foreign keys on, a busy timeout, the `mecab` FTS5
 * tokenizer registered, faq's schema steps applied (schema_version), and the
 * FTS index rebuilt when the analysis fingerprint (dict/ files, user
 * dictionary, MeCab dictionary) differs from the one it was built with.
 * A new database is filled with the sample FAQ (cfg->sample_path).
 *
 * Each module creates and migrates its own tables: faq's steps are an ordered
 * array in faq/schema.c, bot's in bot/tables.c (bot_db_open opens with
 * both), each counted in its row of schema_version(module, version); a later
 * feature appends a step, never edits a shipped one.
 */
#ifndef MG_DB_H
#define MG_DB_H

#include <sqlite3.h>
#include <stddef.h>

#include "util/mg_config.h"

struct mg_lang;

#define MG_DB_BUSY_MS 5000

/* Open (creating when needed) cfg->db_path. lang may be NULL only for
 * commands that never touch the FTS index. Caller closes with faq_db_close. */
int faq_db_open(sqlite3 **out, const mg_config *cfg, struct mg_lang *lang, char *err);
/* Open a private in-memory database with the same schema (eval, tests). */
int faq_db_open_memory(sqlite3 **out, struct mg_lang *lang, char *err);
void faq_db_close(sqlite3 *db);

/* user_version of a database whose schema is counted in schema_version:
 * above the 20 steps once counted there, so programs from before refuse it. */
#define FAQ_DB_USER_VERSION 1000

/* Bring module's tables up to date: steps[0..n-1] are its ordered steps
 * (SQL texts, static storage). Creates schema_version(module, version) when
 * missing — a database from before it (PRAGMA user_version 1..20) is
 * adopted once, in one transaction, each module's version taken from the
 * old steps it had (faq/schema.c) — then applies each pending step in its
 * own BEGIN IMMEDIATE transaction that re-reads the version inside it, so
 * two processes opening the file at once never both apply one. An existing
 * file is first copied to PATH.MODULE-vN.bak (PATH.vN.bak before adoption).
 * 0; MG_EDB (a step failed, or the database knows more of module's steps
 * than n: err names the module and both versions); MG_EIO (no copy). */
int faq_db_migrate_module(sqlite3 *db, const char *module, const char *const *steps, int n, char *err);
/* faq's steps (faq_db_migrate_module for module "faq"). */
int faq_db_migrate(sqlite3 *db, char *err);
/* How many of module's steps db has: its schema_version row (0 when none),
 * or for a database from before schema_version what its user_version
 * implies; -1 when that cannot be read or is unknown. */
int faq_db_module_version(sqlite3 *db, const char *module);
/* faq's schema version (faq_db_module_version(db, "faq")). */
int faq_db_version(sqlite3 *db);

/* A module's schema as this program knows it (check, restore). */
typedef struct faq_db_schema {
  const char *module; /* its name in schema_version: "faq", "bot" */
  int max;            /* the number of its steps this program has */
} faq_db_schema;
/* 0 when db's version of each of the n known modules is one this program
 * knows (0 to max; 1 to max for "faq") and schema_version names no other
 * module; else MG_EINVAL with the first that is not in err. */
int faq_db_schema_known(sqlite3 *db, const faq_db_schema *known, int n, char *err);
/* Call line with "schema version MODULE", "V of MAX" for each known module,
 * then once for each module db has that is not known; the number of them
 * not at their max or not known. */
int faq_db_schema_lines(sqlite3 *db, const faq_db_schema *known, int n,
                        void (*line)(void *ctx, const char *what, const char *result), void *ctx);

/* Run fn inside BEGIN IMMEDIATE … COMMIT; ROLLBACK when fn returns non-zero. */
int faq_db_tx(sqlite3 *db, int (*fn)(sqlite3 *db, void *ctx, char *err), void *ctx, char *err);

/* A read transaction around several reads (one lock, one snapshot), when
 * db is in none: returns 1 when it began one, which faq_db_read_end then
 * commits; 0 (nothing to end) when db was in a transaction already or
 * BEGIN failed — the reads then run as they are. Both statements are
 * cached (faq_db_stmt): close db with faq_db_close on this thread. */
int faq_db_read_begin(sqlite3 *db);
void faq_db_read_end(sqlite3 *db, int begun);

/* Prepared statements, cached per thread for the connection the thread
 * used last (db.c explains why that is safe). sql must have static
 * storage — an entry of a module's SQL array — because its address is the
 * key. *st comes reset and unbound; give it back with faq_db_stmt_done,
 * which resets it at once (a statement left on a row holds a snapshot). */
int faq_db_stmt(sqlite3 *db, const char *sql, sqlite3_stmt **st, char *err);
void faq_db_stmt_done(sqlite3_stmt *st);
/* Finalize this thread's cached statements when they belong to db (NULL:
 * whichever connection), e.g. before closing it from this thread. */
void faq_db_stmt_release(sqlite3 *db);
/* The first column of the first row of sql (static storage, as for
 * faq_db_stmt; ?1 bound to arg unless arg is NULL) into buf, "" for NULL.
 * 0; MG_ENOTFOUND when there is no row (buf "", err untouched); or the
 * code of faq_db_err with SQLite's message. */
int faq_db_text(sqlite3 *db, const char *sql, const char *arg, char *buf, size_t size, char *err);

/* The process's write lock (db.c explains it): hold it around a write
 * transaction. Not reentrant (bot/session.c counts nesting per thread). A
 * writer of many transactions calls faq_db_write_yield, unlocked, between
 * them: threads already waiting go first (at most 50 ms). */
void faq_db_write_lock(void);
void faq_db_write_unlock(void);
void faq_db_write_yield(void);

/* The number of faq's steps this program knows (faq's newest version). */
int faq_db_schema_max(void);

/* Backup, restore and check (faq/backup.c). faq_db_backup copies db_path to
 * `to` (which must not exist) while others keep using it: one consistent
 * moment, a self-contained file, synced and renamed into place.
 * faq_db_restore checks the copy (quick_check, each module's schema
 * version known: faq_db_schema_known with the n modules of known) and
 * copies it over db_path; stop the server first. faq_db_check calls line
 * for each finding (each module's schema version, integrity and foreign
 * keys of the whole file, FTS index, row counts of faq's tables;
 * bot_db_counts adds bot's) and returns the number of problems; db must
 * have the mecab tokenizer registered (faq_db_open with a language). */
int faq_db_backup(const char *db_path, const char *to, char *err);
int faq_db_restore(const char *from, const char *db_path, const faq_db_schema *known, int n, char *err);
int faq_db_check(sqlite3 *db, const faq_db_schema *known, int n,
                 void (*line)(void *ctx, const char *what, const char *result), void *ctx);

/* meta key/value (analysis fingerprint, municipality code and name, notice,
 * ...). get: *out new (free()), MG_ENOTFOUND when absent. */
int faq_meta_get(sqlite3 *db, const char *key, char **out, char *err);
int faq_meta_put(sqlite3 *db, const char *key, const char *value, char *err);
/* Set key to value unless key is set already: of two connections making
 * the same key at once, the first one's value stays. */
int faq_meta_add(sqlite3 *db, const char *key, const char *value, char *err);
/* Read the schema once. A connection opened with plain sqlite3_open_v2
 * (the server's checkpointer) finds the WAL on its first read; until then
 * a checkpoint silently does nothing (SQLite 3.40). 0, or MG_EDB with
 * SQLite's message in err. */
int faq_db_touch(sqlite3 *db, char *err);

/* Test hook (docs/config.md `test_db_full_file`): when path is set and that
 * file exists, faq_db_full_hook caps db at its current page count (PRAGMA
 * max_page_count), so the next write that needs a page fails with
 * SQLITE_FULL, as on a full disk; when the file is gone the cap is lifted.
 * Set once at start-up (NULL/"" = off, the default: no cost). Writers call
 * the hook after taking the write lock. */
void faq_db_set_full_file(const char *path);
/* The first column of the first row of q (a PRAGMA or a constant query with
 * no parameters) as an integer, or -1 when it gives no row. */
sqlite3_int64 faq_db_int(sqlite3 *db, const char *q);
void faq_db_full_hook(sqlite3 *db);
/* MG_EFULL for SQLITE_FULL (disk or page limit), MG_EBUSY for busy/locked, else MG_EDB. */
int faq_db_err(int sqlite_rc);

#endif
