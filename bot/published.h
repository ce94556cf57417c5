/*
 * published.h — the published FAQ in memory, one copy per index generation.
 *
 * Every answer reads entries back: the card's text and department, the
 * questions of its related entries, the choices of a clarify, a checklist's
 * procedures. Read from SQLite, that cost a fifth of a worker's time under
 * load (docs/benchmarks.md): the transcript writer's commits make the
 * workers' page caches stale, so each read went back to the file. The
 * published FAQ only changes when the engine's index does (its signature
 * covers every published revision and department, faq/engine.c), so one
 * read-only copy per generation (bot_faq_generation) answers the same as
 * the database did at the moment the generation began, or later.
 */
#ifndef MG_BOT_PUBLISHED_H
#define MG_BOT_PUBLISHED_H

#include <sqlite3.h>

#include "faq/store.h"

typedef struct bot_pub bot_pub;   /* one generation's published entries, read-only */
typedef struct bot_pubs bot_pubs; /* the newest of them, shared by the workers */

int bot_pubs_new(bot_pubs **out, char *err);
void bot_pubs_free(bot_pubs *ps);

/* The published FAQ of generation gen (or a newer one) into *out, read from
 * db when the copy held is older; give it back with bot_pub_release. */
int bot_pubs_get(bot_pubs *ps, sqlite3 *db, unsigned long gen, const bot_pub **out, char *err);
void bot_pub_release(bot_pubs *ps, const bot_pub *p);

/* A copy of db's published FAQ of its own, tagged gen (free with bot_pub_free). */
int bot_pub_load(sqlite3 *db, unsigned long gen, bot_pub **out, char *err);
void bot_pub_free(bot_pub *p);

unsigned long bot_pub_generation(const bot_pub *p);
/* The published revision of entry id, NULL when it has none. */
const mg_faq_entry *bot_pub_entry(const bot_pub *p, const char *id);
/* The entries in id order: 0 <= i < bot_pub_count(p). */
int bot_pub_count(const bot_pub *p);
const mg_faq_entry *bot_pub_at(const bot_pub *p, int i);

#endif
