/*
 * cmd_ask.c — `madoguchi ask QUESTION`: one question, one answer, exit.
 * Runs the same pipeline as the chat service (bot_answer), so what staff see
 * here is what residents get.
 */
#include "cli/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/answer.h"
#include "bot/answer_text.h"
#include "bot/messages.h"
#include "util/mg_err.h"

int cmd_ask(int argc, char **argv, mg_config *cfg) {
  int as_json = 0, explain = 0, rc = 1;
  char err[MG_ERRLEN] = "", question[4096] = "";
  bot *b = NULL;
  bot_worker *w = NULL;
  json_t *a = NULL;

  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) as_json = 1;
    else if (strcmp(argv[i], "--explain") == 0) explain = 1;
    else if (strcmp(argv[i], "--k") == 0 && i + 1 < argc) cfg->top_k = atoi(argv[++i]);
    else if (argv[i][0] == '-' && argv[i][1] == '-') { fprintf(stderr, "madoguchi ask: unknown option %s\n", argv[i]); return 2; }
    else {
      size_t used = strlen(question);
      snprintf(question + used, sizeof question - used, "%s%s", used ? " " : "", argv[i]);
    }
  }
  if (!*question) { fprintf(stderr, "madoguchi ask: give a question, e.g. madoguchi ask \"住民票はどこで取れますか\"\n"); return 2; }
  if (cfg->top_k < 1 || cfg->top_k > 20) { fprintf(stderr, "madoguchi ask: --k must be 1..20\n"); return 2; }
  if (bot_new(&b, cfg, err) != 0 || bot_worker_new(&w, b, err) != 0) goto out;
  if (bot_answer(w, question, (int)strlen(question), explain, &a, err) != 0) goto out;
  if (as_json) {
    json_dumpf(a, stdout, JSON_INDENT(2));
    printf("\n");
  } else {
    bot_print_answer(stdout, bot_messages(b), a);
    if (explain) {
      printf("\n--- explain ---\n");
      json_dumpf(json_object_get(a, "explain"), stdout, JSON_INDENT(2));
      printf("\n");
    }
  }
  rc = 0;
out:
  if (rc) fprintf(stderr, "madoguchi ask: %s\n", err);
  json_decref(a);
  bot_worker_free(w);
  bot_free(b);
  return rc;
}
