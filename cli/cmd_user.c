/*
 * cmd_user.c — `madoguchi user`: console accounts from the command line.
 *
 *   user add LOGIN --name NAME --role staff|supervisor|admin [--department ID]
 *   user list [--json]
 *   user passwd LOGIN
 *   user disable LOGIN | user enable LOGIN
 *
 * A password never appears in argv (where `ps` and shell history would show
 * it): it is read from the terminal without echo, twice, or as the first line
 * of stdin when stdin is not a terminal (for scripts and tests). Every change
 * goes to the audit log with the actor "cli:<unix user>", the same log the
 * web console writes, so both ways in leave the same trail.
 */
#include "bot/auth.h"
#include "cli/cmd.h"
#include "bot/tables.h"
#include "faq/db.h"
#include "util/mg_err.h"

#include <jansson.h>
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define PW_MAX 1024

/* Read one line into buf without its newline; echo off when fd is a terminal. */
static int read_line(const char *prompt, char *buf, size_t size) {
  struct termios old, quiet;
  int tty = isatty(STDIN_FILENO), ok;
  size_t n;
  if (tty) {
    fprintf(stderr, "%s", prompt);
    fflush(stderr);
    tcgetattr(STDIN_FILENO, &old);
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  ok = fgets(buf, (int)size, stdin) != NULL;
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fprintf(stderr, "\n");
  }
  if (!ok) return -1;
  n = strlen(buf);
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
  return 0;
}

/* The new password: asked twice on a terminal, once from a pipe. */
static int read_password(char *pw, size_t size) {
  char again[PW_MAX];
  if (read_line("新しいパスワード: ", pw, size) != 0) {
    fprintf(stderr, "madoguchi user: no password given on stdin\n");
    return -1;
  }
  if (!isatty(STDIN_FILENO)) return 0;
  if (read_line("もう一度入力してください: ", again, sizeof again) != 0 || strcmp(pw, again) != 0) {
    sodium_memzero(again, sizeof again);
    fprintf(stderr, "madoguchi user: the two passwords differ\n");
    return -1;
  }
  sodium_memzero(again, sizeof again);
  return 0;
}

static void actor_name(char *out, size_t size) {
  struct passwd *pw = getpwuid(geteuid());
  snprintf(out, size, "cli:%s", pw && pw->pw_name ? pw->pw_name : "unknown");
}

static int print_user(void *ctx, const auth_user *u) {
  json_t *arr = ctx;
  if (arr) {
    json_array_append_new(arr, json_pack("{ss ss ss ss sb ss}", "login", u->login, "display_name", u->display_name,
                                         "role", bot_auth_role_name(u->role), "department", u->department_id,
                                         "disabled", u->disabled, "created_at", u->created_at));
    return 0;
  }
  printf("%-20s %-11s %-14s %-8s %s\n", u->login, bot_auth_role_name(u->role),
         u->department_id[0] ? u->department_id : "-", u->disabled ? "disabled" : "active", u->display_name);
  return 0;
}

static int usage_error(const char *msg) {
  fprintf(stderr, "madoguchi user: %s\n", msg);
  mg_cmd_usage("user");
  return 2;
}

int cmd_user(int argc, char **argv, mg_config *cfg) {
  const char *verb = argc > 1 ? argv[1] : NULL, *login = NULL, *name = NULL, *role = NULL, *dept = NULL;
  char err[MG_ERRLEN] = "", actor[96], pw[PW_MAX] = "";
  sqlite3 *db = NULL;
  int json = 0, rc = 0, status = 1;

  if (mg_cmd_wants_help(argc, argv) || (verb && strcmp(verb, "help") == 0)) {
    printf("usage:\n"
           "  madoguchi user add LOGIN --name NAME --role staff|supervisor|admin [--department ID]\n"
           "  madoguchi user list [--json]\n"
           "  madoguchi user passwd LOGIN\n"
           "  madoguchi user disable LOGIN\n"
           "  madoguchi user enable LOGIN\n"
           "The password is read from the terminal without echo (twice), or from standard input;\n"
           "never from the command line. Every change is written to the audit log.\n"
           "common options: --db PATH, --config PATH\n");
    return 0;
  }
  if (!verb) return usage_error("which action? add, list, passwd, disable or enable");
  for (int i = 2; i < argc; i++) {
    const char **slot = strcmp(argv[i], "--name") == 0 ? &name : strcmp(argv[i], "--role") == 0 ? &role
                      : strcmp(argv[i], "--department") == 0 ? &dept : NULL;
    if (slot) {
      if (i + 1 >= argc) return usage_error("an option needs a value");
      *slot = argv[++i];
    } else if (strcmp(argv[i], "--json") == 0) json = 1;
    else if (argv[i][0] == '-') return usage_error("unknown option");
    else if (!login) login = argv[i];
    else return usage_error("too many arguments");
  }
  if (strcmp(verb, "list") != 0 && !login) return usage_error("LOGIN is required");
  if (bot_auth_init(err) || bot_db_open(&db, cfg, NULL, err)) {
    fprintf(stderr, "madoguchi user: %s\n", err);
    return 1;
  }
  actor_name(actor, sizeof actor);

  if (strcmp(verb, "add") == 0) {
    if (!name || !role) { faq_db_close(db); return usage_error("add needs --name and --role"); }
    if (read_password(pw, sizeof pw) != 0) goto out;
    rc = bot_auth_user_add(db, login, name, role, dept, pw, actor, err);
    if (!rc) printf("added %s (%s)\n", login, role);
  } else if (strcmp(verb, "passwd") == 0) {
    auth_user u;
    if ((rc = bot_auth_user_get(db, login, &u, err)) == 0) {
      if (read_password(pw, sizeof pw) != 0) goto out;
      rc = bot_auth_user_passwd(db, login, pw, actor, err);
      if (!rc) printf("password of %s changed; its sessions were ended\n", login);
    }
  } else if (strcmp(verb, "disable") == 0 || strcmp(verb, "enable") == 0) {
    int off = strcmp(verb, "disable") == 0;
    rc = bot_auth_user_disable(db, login, off, actor, err);
    if (!rc) printf("%s %s\n", off ? "disabled" : "enabled", login);
  } else if (strcmp(verb, "list") == 0) {
    json_t *arr = json ? json_array() : NULL;
    rc = bot_auth_user_list(db, print_user, arr, err);
    if (!rc && arr) {
      json_dumpf(arr, stdout, JSON_INDENT(2));
      printf("\n");
    }
    json_decref(arr);
  } else {
    faq_db_close(db);
    return usage_error("unknown action");
  }
  if (rc) fprintf(stderr, "madoguchi user: %s\n", err);
  else status = 0;
out:
  sodium_memzero(pw, sizeof pw);
  faq_db_close(db);
  return status;
}
