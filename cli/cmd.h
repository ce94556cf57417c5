/*
 * cmd.h — the subcommand table's contract.
 *
 * Each subcommand is one function in its own file (cli/cmd_NAME.c) and one
 * row in the table in cli/main.c. main() has already filled cfg from the
 * defaults, --config FILE and --db PATH, and removed those flags; argv[0] is
 * the subcommand name. A subcommand prints results on stdout, errors on
 * stderr ("madoguchi NAME: reason"), and returns the process exit status.
 */
#ifndef MG_CMD_H
#define MG_CMD_H

#include "util/mg_config.h"

typedef int (*mg_cmd_fn)(int argc, char **argv, mg_config *cfg);

struct mg_cmd {
  const char *name;    /* "ask" */
  mg_cmd_fn fn;        /* runs it */
  const char *usage;   /* "ask [--json] [--explain] QUESTION" */
  const char *summary; /* one line for `madoguchi --help` */
  int own_help;        /* 1: the command prints its own --help (it has sub-commands) */
};

/* Print the usage line for cmd (and the common flags) to stdout. */
void mg_cmd_usage(const char *name);
/* True when argv holds --help or -h (subcommands call this first). */
int mg_cmd_wants_help(int argc, char **argv);

int cmd_ask(int argc, char **argv, mg_config *cfg);
int cmd_chat(int argc, char **argv, mg_config *cfg);
int cmd_faq(int argc, char **argv, mg_config *cfg);
int cmd_eval(int argc, char **argv, mg_config *cfg);
int cmd_serve(int argc, char **argv, mg_config *cfg);
int cmd_tickets(int argc, char **argv, mg_config *cfg);
int cmd_inquiries(int argc, char **argv, mg_config *cfg);
int cmd_user(int argc, char **argv, mg_config *cfg);
int cmd_backup(int argc, char **argv, mg_config *cfg);
int cmd_restore(int argc, char **argv, mg_config *cfg);
int cmd_check(int argc, char **argv, mg_config *cfg);

/* For measurements (cli/cmd_eval.c): a monotonic clock in microseconds,
 * and a qsort comparison of doubles. */
double cli_now_us(void);
/* CPU time of the calling thread, in microseconds: the figure a busy machine
 * does not blur. */
double cli_cpu_us(void);
int cli_cmp_double(const void *a, const void *b);

/* eval --dialogue (cli/cmd_eval_dialogue.c): score the conversation
 * pipeline on test-set files; require[] holds "NAME=MIN" floors. Returns
 * the exit status (0, 1 below a floor or on failure, 2 bad input). */
int eval_dialogue(const char *const *paths, int nfiles, int misses, const char *const *require, int nrequire,
                  mg_config *cfg);
/* A bot for eval on a fresh database (made from the sample FAQ) in the
 * temporary directory dir (a mkdtemp template, filled in); *made says
 * whether dir exists. Prints the reason and returns 1 on failure.
 * cli_eval_bot_end frees both and removes the directory. */
struct bot;
struct bot_worker;
int cli_eval_bot(char *dir, mg_config *cfg, struct bot **b, struct bot_worker **w, int *made);
void cli_eval_bot_end(const char *dir, int made, struct bot *b, struct bot_worker *w);
/* eval --inquiries (cli/cmd_eval_inquiries.c): the triage of inquiries on
 * one labelled file; exit status 1 below min_dept or min_top3. */
int eval_inquiries(const char *path, int misses, double min_dept, double min_top3, mg_config *cfg);
/* 1 when name is a measure eval --dialogue reports. */
int eval_dialogue_known(const char *name);

#endif
