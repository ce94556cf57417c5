/*
 * cmd_tickets.c — `madoguchi tickets`: work escalated questions from the shell.
 *
 *   tickets list [--status open|answered|closed] [--department ID] [--json]
 *   tickets show T-YYYYMMDD-NNNN [--json]
 *   tickets reply T-YYYYMMDD-NNNN TEXT [--by NAME]
 *   tickets close T-YYYYMMDD-NNNN [--reason TEXT] [--by NAME]
 *   tickets reassign T-YYYYMMDD-NNNN DEPARTMENT [--reason TEXT] [--by NAME]
 *
 * A thin shell over bot/ticket.h, the API the staff console calls too. The
 * command writes the shared database and exits; a running `madoguchi serve`
 * notices the change (PRAGMA data_version) and pushes a reply to the
 * resident's open chat, or delivers it when the resident comes back.
 * Times are stored in UTC and shown here in Asia/Tokyo (JSON output keeps UTC).
 * The operator at the command line may read every department's tickets, so
 * `show` prints the contact — and the read goes to the audit log as
 * "cli:<unix user>", the same trail the console leaves.
 */
#include "cli/cmd.h"
#include "util/mg_time.h"
#include "bot/tables.h"
#include "faq/db.h"
#include "util/mg_err.h"
#include "bot/session.h"
#include "bot/ticket.h"
#include "bot/inquiry.h"

#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char help[] =
  "usage: madoguchi tickets COMMAND ...\n"
  "  list [--status open|answered|closed] [--department ID] [--json]\n"
  "                               tickets, newest first (never the contact)\n"
  "  show T-YYYYMMDD-NNNN [--json] the ticket, its transcript and contact (the read is audited)\n"
  "  reply T-YYYYMMDD-NNNN TEXT [--by NAME]\n"
  "                               answer the resident (pushed to an open chat, or kept until they return)\n"
  "  close T-YYYYMMDD-NNNN [--reason TEXT] [--by NAME]\n"
  "  reassign T-YYYYMMDD-NNNN DEPARTMENT [--reason TEXT] [--by NAME]\n"
  "\n"
  "common options:\n"
  "  --db PATH       SQLite database (default ./madoguchi.db)\n"
  "  --config PATH   JSON configuration file (see docs/config.md)\n";

static void actor_name(char *out, size_t size) {
  struct passwd *pw = getpwuid(geteuid());
  snprintf(out, size, "cli:%s", pw && pw->pw_name ? pw->pw_name : "unknown");
}

/* Options shared by the subcommands; positional arguments in pos. */
struct opts {
  const char *status, *department, *by, *reason;
  int json;
  const char *pos[3];
  int npos;
};

static int parse(int argc, char **argv, struct opts *o) {
  memset(o, 0, sizeof *o);
  for (int i = 2; i < argc; i++) {
    const char **slot = strcmp(argv[i], "--status") == 0       ? &o->status
                        : strcmp(argv[i], "--department") == 0 ? &o->department
                        : strcmp(argv[i], "--by") == 0         ? &o->by
                        : strcmp(argv[i], "--reason") == 0     ? &o->reason
                                                               : NULL;
    if (slot) {
      if (i + 1 >= argc) {
        fprintf(stderr, "madoguchi tickets: %s needs a value\n", argv[i]);
        return -1;
      }
      *slot = argv[++i];
    } else if (strcmp(argv[i], "--json") == 0) {
      o->json = 1;
    } else if (strncmp(argv[i], "--", 2) == 0 || o->npos == 3) {
      fprintf(stderr, "madoguchi tickets: unexpected argument '%s'\n", argv[i]);
      return -1;
    } else {
      o->pos[o->npos++] = argv[i];
    }
  }
  return 0;
}

static const char *str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

/* A stored UTC time ("2026-11-25T13:22:51Z") shown in Asia/Tokyo
 * ("2026-11-25 22:22 JST"); the text itself when it does not parse. Returns
 * one of four rotating static buffers, so a printf may hold several. */
static const char *jst(const char *utc) {
  static char bufs[4][32];
  static int next;
  char *buf = bufs[next++ % 4];
  time_t t;
  if (!utc || !*utc) return "";
  if (mg_time_parse(utc, &t)) return utc;
  mg_time_jst(t, "%Y-%m-%d %H:%M JST", buf, sizeof bufs[0]);
  return buf;
}

static const char *when(const json_t *o, const char *key) {
  return jst(json_string_value(json_object_get(o, key)));
}

static const char *dept_name(const json_t *t) {
  const json_t *d = json_object_get(t, "department");
  return *str(d, "name") ? str(d, "name") : *str(d, "id") ? str(d, "id") : "(未割り当て)";
}

static void print_list(const json_t *arr) {
  size_t i;
  json_t *t;
  if (json_array_size(arr) == 0) {
    printf("チケットはありません。\n");
    return;
  }
  json_array_foreach(arr, i, t) {
    printf("%s  %-8s  %s  %s\n    %s\n", str(t, "ticket_no"), str(t, "status"), when(t, "created_at"),
           dept_name(t), str(t, "question"));
  }
}

static void print_ticket(const json_t *t) {
  size_t i;
  json_t *x;
  printf("受付番号: %s\n状態: %s\n担当課: %s（%s）\n受付日時: %s\n", str(t, "ticket_no"), str(t, "status"),
         dept_name(t), str(t, "routed_by"), when(t, "created_at"));
  if (*str(t, "first_reply_at")) printf("初回回答: %s\n", when(t, "first_reply_at"));
  if (*str(t, "closed_at")) printf("完了: %s\n", when(t, "closed_at"));
  if (json_object_get(t, "contact")) printf("連絡先: %s\n", str(t, "contact"));
  printf("\n質問:\n  %s\n", str(t, "question"));
  printf("\n会話の記録:\n");
  json_array_foreach(json_object_get(t, "transcript"), i, x)
    printf("  [%s] %-8s %s\n", when(x, "at"), str(x, "role"), str(x, "text"));
  printf("\n職員の回答:\n");
  json_array_foreach(json_object_get(t, "replies"), i, x)
    printf("  [%s] %s: %s%s\n", when(x, "at"), str(x, "author"), str(x, "text"),
           *str(x, "delivered_at") ? "" : "（未配信）");
  if (json_array_size(json_object_get(t, "notices"))) {
    printf("\nメール通知:\n");
    json_array_foreach(json_object_get(t, "notices"), i, x)
      printf("  [%s] %s %s（%d回）%s%s\n", when(x, "created_at"), str(x, "kind"), str(x, "state"),
             (int)json_integer_value(json_object_get(x, "attempts")), *str(x, "last_error") ? " " : "", str(x, "last_error"));
  }
  printf("\n履歴:\n");
  json_array_foreach(json_object_get(t, "events"), i, x) {
    printf("  [%s] %s %s", when(x, "at"), str(x, "actor"), str(x, "action"));
    if (*str(x, "from_department") || *str(x, "to_department"))
      printf(" %s → %s", *str(x, "from_department") ? str(x, "from_department") : "-", str(x, "to_department"));
    if (*str(x, "reason")) printf(" (%s)", str(x, "reason"));
    printf("\n");
  }
}

static int dump(const json_t *v) {
  char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  if (!s) return -1;
  printf("%s\n", s);
  free(s);
  return 0;
}

static int need(const struct opts *o, int n, const char *usage) {
  if (o->npos == n) return 0;
  fprintf(stderr, "usage: madoguchi tickets %s\n", usage);
  return -1;
}

int cmd_tickets(int argc, char **argv, mg_config *cfg) {
  char err[MG_ERRLEN] = "", actor[96];
  sqlite3 *db = NULL;
  json_t *v = NULL;
  struct opts o;
  const char *sub = argc > 1 ? argv[1] : "";
  int rc = 0, status = 2;

  if (argc < 2 || mg_cmd_wants_help(argc, argv)) {
    fputs(help, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (parse(argc, argv, &o) != 0) return 2;
  actor_name(actor, sizeof actor);
  if (strcmp(sub, "list") == 0) {
    if (need(&o, 0, "list [--status S] [--department ID] [--json]")) return 2;
    if (o.status && strcmp(o.status, "open") && strcmp(o.status, "answered") && strcmp(o.status, "closed")) {
      fprintf(stderr, "madoguchi tickets: --status must be open, answered or closed\n");
      return 2;
    }
  } else if (strcmp(sub, "show") == 0) {
    if (need(&o, 1, "show T-YYYYMMDD-NNNN [--json]")) return 2;
  } else if (strcmp(sub, "reply") == 0) {
    if (need(&o, 2, "reply T-YYYYMMDD-NNNN TEXT [--by NAME]")) return 2;
  } else if (strcmp(sub, "close") == 0) {
    if (need(&o, 1, "close T-YYYYMMDD-NNNN [--reason TEXT] [--by NAME]")) return 2;
  } else if (strcmp(sub, "reassign") == 0) {
    if (need(&o, 2, "reassign T-YYYYMMDD-NNNN DEPARTMENT [--reason TEXT] [--by NAME]")) return 2;
  } else {
    fprintf(stderr, "madoguchi tickets: unknown subcommand '%s' (list, show, reply, close, reassign)\n", sub);
    return 2;
  }

  if ((rc = bot_db_open(&db, cfg, NULL, err)) != 0) goto out;
  if (strcmp(sub, "list") == 0) {
    if ((rc = bot_ticket_list(db, o.status, o.department, 0, &v, err)) != 0) goto out;
    if (o.json) dump(v);
    else print_list(v);
  } else if (strcmp(sub, "show") == 0) {
    ticket_viewer viewer = { .actor = actor, .department = NULL };
    if ((rc = bot_ticket_get(db, o.pos[0], &viewer, &v, err)) != 0) goto out;
    if (o.json) dump(v);
    else print_ticket(v);
  } else if (strcmp(sub, "reply") == 0) {
    if ((rc = bot_ticket_reply(db, o.pos[0], o.by ? o.by : actor, o.pos[1], err)) != 0) goto out;
    printf("%s に回答を保存しました。住民の画面に届けます。\n", o.pos[0]);
  } else if (strcmp(sub, "close") == 0) {
    if ((rc = bot_ticket_close(db, o.pos[0], o.by ? o.by : actor, o.reason, err)) != 0) goto out;
    printf("%s を完了にしました。\n", o.pos[0]);
  } else {
    json_t *inq = NULL;
    if ((rc = bot_ticket_reassign(db, o.pos[0], o.by ? o.by : actor, o.pos[1], o.reason, err)) != 0) goto out;
    printf("%s を %s に回しました。\n", o.pos[0], o.pos[1]);
    /* an inquiry moved by staff teaches the triage, as in the console */
    if ((rc = bot_inquiry_of_ticket(db, o.pos[0], &inq, err)) != 0) goto out;
    if (inq) {
      bot *b = NULL;
      bot_worker *w = NULL;
      json_decref(inq);
      if ((rc = bot_new(&b, cfg, err)) == 0 && (rc = bot_worker_new(&w, b, err)) == 0)
        rc = bot_triage_learn(w, o.pos[0], o.pos[1], err);
      bot_worker_free(w);
      bot_free(b);
      if (rc != 0) goto out;
    }
  }
  status = 0;
out:
  if (rc != 0) {
    fprintf(stderr, "madoguchi tickets: %s\n", err);
    status = rc == MG_ENOTFOUND || rc == MG_ECONFLICT || rc == MG_EINVAL ? 1 : 3;
  }
  json_decref(v);
  faq_db_stmt_release(db); /* so the close below is a real one (WAL checkpointed) */
  faq_db_close(db);
  return status;
}
