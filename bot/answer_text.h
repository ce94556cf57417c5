/*
 * answer_text.h — the answer object rendered for a terminal (ask, chat).
 */
#ifndef MG_ANSWER_TEXT_H
#define MG_ANSWER_TEXT_H

#include <jansson.h>
#include <stdio.h>

struct msg_set;
/* Print a human-readable rendering of an answer object to out, in m's words
 * (dict/messages.json, the term_* keys). Clarify choices are numbered from 1
 * in candidate order. */
void bot_print_answer(FILE *out, const struct msg_set *m, const json_t *answer);

#endif
