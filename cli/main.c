/*
 * main.c — one binary, table-driven subcommands.
 *
 * main only reads the common flags (--config, --db, --help), fills the one
 * mg_config, and hands over to the subcommand; everything else lives in the
 * library so tests call the same code. A new subcommand is one row below and
 * one file cli/cmd_NAME.c.
 */
#include "config.h"
#include "cli/cmd.h"
#include "util/mg_err.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

static const struct mg_cmd commands[] = {
  { "ask", cmd_ask, "ask [--json] [--explain] [--k N] QUESTION", "answer one question and exit", 0 },
  { "chat", cmd_chat, "chat", "talk to the bot in the terminal", 0 },
  { "faq", cmd_faq, "faq import|export|list|show|add|edit|publish|rm ...", "manage FAQ entries", 1 },
  { "eval", cmd_eval, "eval --corpus C --queries Q --qrels R [--k 10]", "measure answer accuracy", 1 },
  { "serve", cmd_serve, "serve [--listen ADDR] [--port N] [--metrics-port N|off] [--web DIR] [--rules FILE] [--dict DIR] [--evlib auto|ev|uv|poll]", "run the chat service", 0 },
  { "inquiries", cmd_inquiries, "inquiries key NAME | import MAILDIR", "the contact form's keys; import the inquiry mailbox", 1 },
  { "tickets", cmd_tickets, "tickets list|show|reply|close ...", "work escalated questions", 1 },
  { "user", cmd_user, "user add|list|passwd|disable ...", "manage staff accounts", 1 },
  { "backup", cmd_backup, "backup FILE", "copy the database to FILE while the service runs", 0 },
  { "restore", cmd_restore, "restore FILE", "put a backup back in place of the database (stop the service first)", 0 },
  { "check", cmd_check, "check", "check the database: integrity, foreign keys, FTS index, row counts", 0 },
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const char common_flags[] =
  "common options:\n"
  "  --db PATH       SQLite database (default ./madoguchi.db, created with the sample FAQ)\n"
  "  --config PATH   JSON configuration file (see docs/config.md)\n"
  "  --help          show help\n";

void mg_cmd_usage(const char *name) {
  for (size_t i = 0; i < N_COMMANDS; i++)
    if (strcmp(commands[i].name, name) == 0)
      printf("usage: madoguchi %s\n  %s\n\n%s", commands[i].usage, commands[i].summary, common_flags);
}

int mg_cmd_wants_help(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return 1;
  return 0;
}

static void usage_all(FILE *out) {
  fprintf(out, "usage: madoguchi COMMAND [options]\n\ncommands:\n");
  for (size_t i = 0; i < N_COMMANDS; i++) fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\n%s\nRun 'madoguchi COMMAND --help' for a command's options.\n", common_flags);
}

/* Take --config and --db out of argv (in place); returns the new argc or -1. */
static int take_common(int argc, char **argv, mg_config *cfg) {
  const char *config = NULL, *db = NULL;
  char err[MG_ERRLEN];
  int n = 0;
  for (int i = 0; i < argc; i++) {
    const char **slot = strcmp(argv[i], "--config") == 0 ? &config : strcmp(argv[i], "--db") == 0 ? &db : NULL;
    if (!slot) { argv[n++] = argv[i]; continue; }
    if (i + 1 >= argc) { fprintf(stderr, "madoguchi: %s needs a value\n", argv[i]); return -1; }
    *slot = argv[++i];
  }
  argv[n] = NULL;
  if (config && mg_config_load(cfg, config, err) != 0) { fprintf(stderr, "madoguchi: %s\n", err); return -1; }
  if (db) snprintf(cfg->db_path, sizeof cfg->db_path, "%s", db);
  return n;
}

int main(int argc, char **argv) {
  mg_config cfg;
  setlocale(LC_CTYPE, "C.UTF-8");
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
    usage_all(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (strcmp(argv[1], "--version") == 0) { printf("madoguchi " PACKAGE_VERSION "\n"); return 0; }
  for (size_t i = 0; i < N_COMMANDS; i++) {
    if (strcmp(commands[i].name, argv[1]) != 0) continue;
    mg_config_defaults(&cfg);
    argc = take_common(argc - 1, argv + 1, &cfg);
    if (argc < 0) return 2;
    if (!commands[i].own_help && mg_cmd_wants_help(argc, argv + 1)) { mg_cmd_usage(commands[i].name); return 0; }
    return commands[i].fn(argc, argv + 1, &cfg);
  }
  fprintf(stderr, "madoguchi: unknown command '%s'\n", argv[1]);
  usage_all(stderr);
  return 2;
}
