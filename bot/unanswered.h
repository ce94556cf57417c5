/*
 * unanswered.h — residents' questions the bot could not answer, grouped for
 * the staff who write the next FAQ entry.
 *
 * A question is "unanswered" when the bot replied no_answer to it or the
 * resident said an answer did not help. Each has a key: "m<id>" for the
 * bot's no_answer message, "f<id>" for the feedback row. Questions are
 * grouped by similarity when read (unanswered.c says how); staff may close a
 * group (it leaves the list; a new question of the same kind starts a new
 * group) or merge groups the similarity kept apart. Both are marks on the
 * questions' keys (table unanswered_mark, owned here), so nothing of the
 * transcript is changed, and both are audited.
 */
#ifndef MG_UNANSWERED_H
#define MG_UNANSWERED_H

#include <jansson.h>
#include <sqlite3.h>

#define UNANSWERED_ROWS 2000   /* newest questions considered */
#define UNANSWERED_KEYS 2000   /* keys one close or merge may name */

/* The groups among the newest UNANSWERED_ROWS questions of the last `days`
 * days (closed ones left out), most frequent first. Each group is
 * {key, keys[], text, count, no_answer, not_helpful, last_at, examples[],
 * faq_ids[]}: key is the group's first (newest) question, keys all of its
 * questions. Texts are masked again on the way out. *questions receives the
 * number of questions read, *truncated whether older ones were left. */
int bot_unanswered_groups(sqlite3 *db, int days, json_t **groups, int *questions, int *truncated, char *err);

/* Close the questions named by keys (a JSON array of "m<id>"/"f<id>").
 * *n receives how many were marked. One transaction with its audit row. */
int bot_unanswered_close(sqlite3 *db, const json_t *keys, const char *by, int *n, char *err);

/* Merge the questions named by keys into the group whose question `into`
 * is: they are shown in that group from now on. `into` must not be among
 * keys. One transaction with its audit row. */
int bot_unanswered_merge(sqlite3 *db, const json_t *keys, const char *into, const char *by, int *n, char *err);

/* 1 when key has the form of a question key ("m123", "f45"). */
int bot_unanswered_valid_key(const char *key);

#endif
