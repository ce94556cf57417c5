/*
 * answer_text.h — the answer object rendered for a terminal (ask, chat).
 */
#ifndef MG_ANSWER_TEXT_H
#define MG_ANSWER_TEXT_H

#include <jansson.h>
#include <stdio.h>

/* Print a human-readable Japanese rendering of an answer object to out.
 * Clarify choices are numbered from 1 in candidate order. */
void bot_print_answer(FILE *out, const json_t *answer);

#endif
