/*
 * cmd_chat.c — `madoguchi chat`: a conversation in the terminal.
 *
 * Each line is answered by the same pipeline as the web chat. After a
 * clarify, typing the number of a choice answers with that entry. Input is
 * read with plain stdio so it also works from a pipe (tests, scripts).
 */
#include "cli/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot/answer.h"
#include "bot/answer_text.h"
#include "bot/messages.h"
#include "util/mg_err.h"

/* When line is a number naming one of the last clarify's choices, answer it. */
static json_t *choose(bot_worker *w, const json_t *last, const char *line, char *err) {
  char *end;
  long n = strtol(line, &end, 10);
  const json_t *cands = json_object_get(last, "candidates");
  json_t *a = NULL;

  if (!last || end == line || *end || n < 1 || (size_t)n > json_array_size(cands)) return NULL;
  if (strcmp(json_string_value(json_object_get(last, "decision")), "clarify") != 0) return NULL;
  bot_answer_faq(w, json_string_value(json_object_get(json_array_get(cands, n - 1), "faq_id")), &a, err);
  return a;
}

int cmd_chat(int argc, char **argv, mg_config *cfg) {
  char err[MG_ERRLEN] = "", line[4096];
  int tty = isatty(0), rc = 1;
  bot *b = NULL;
  bot_worker *w = NULL;
  json_t *last = NULL;

  if (bot_new(&b, cfg, err) != 0 || bot_worker_new(&w, b, err) != 0) {
    fprintf(stderr, "madoguchi chat: %s\n", err);
    goto out;
  }
  if (tty) printf("%s\n", bot_msg_get(bot_messages(b), MSG_TERM_CHAT_BANNER));
  for (;;) {
    json_t *a;
    size_t n;
    if (tty) { printf("> "); fflush(stdout); }
    if (!fgets(line, sizeof line, stdin)) break;
    n = strcspn(line, "\r\n");
    line[n] = '\0';
    if (!n) continue;
    if (!(a = choose(w, last, line, err)) && bot_answer(w, line, (int)n, 0, &a, err) != 0) {
      fprintf(stderr, "madoguchi chat: %s\n", err);
      continue;
    }
    bot_print_answer(stdout, bot_messages(b), a);
    printf("\n");
    fflush(stdout);
    json_decref(last);
    last = a;
  }
  rc = 0;
out:
  json_decref(last);
  bot_worker_free(w);
  bot_free(b);
  return rc;
}
