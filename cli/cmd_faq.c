/*
 * cmd_faq.c — `madoguchi faq ACTION ...`: the FAQ from the command line.
 *
 * One small function per action; all of them parse their options with one
 * table (each action lists the options it accepts), open the database with
 * the configured analysis (so edits are indexed exactly as the server
 * indexes them) and call faq/store.h or faq/io.h. Results go to stdout,
 * errors to stderr as "madoguchi faq: reason", and the exit status is 0 on
 * success, 1 on a failed operation, 2 on a usage error.
 *
 * Staff-facing output is Japanese; ids, versions and status keywords stay
 * as stored so scripts can read them.
 */
#include "cli/cmd.h"
#include "faq/analyze.h"
#include "bot/tables.h"
#include "faq/db.h"
#include "faq/io.h"
#include "util/mg_err.h"
#include "faq/store.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIST 64

struct faq_args {
  const char *pos[4]; int npos;
  const char *format, *encoding, *map, *out, *department, *category, *status, *search;
  const char *question, *answer, *url, *by, *version, *id;
  const char *alternates[MAX_LIST]; int n_alternates;
  const char *keywords[MAX_LIST]; int n_keywords;
  const char *related[MAX_LIST]; int n_related;
  int draft, no_bom, publish, published;
};

enum kind { FLAG, VALUE, LIST };
static const struct option {
  const char *name;
  enum kind kind;
  size_t off;   /* of the field in struct faq_args */
  size_t count; /* LIST: offset of its counter */
} options[] = {
  { "--format", VALUE, offsetof(struct faq_args, format), 0 },
  { "--encoding", VALUE, offsetof(struct faq_args, encoding), 0 },
  { "--map", VALUE, offsetof(struct faq_args, map), 0 },
  { "-o", VALUE, offsetof(struct faq_args, out), 0 },
  { "--department", VALUE, offsetof(struct faq_args, department), 0 },
  { "--category", VALUE, offsetof(struct faq_args, category), 0 },
  { "--status", VALUE, offsetof(struct faq_args, status), 0 },
  { "--search", VALUE, offsetof(struct faq_args, search), 0 },
  { "--question", VALUE, offsetof(struct faq_args, question), 0 },
  { "--answer", VALUE, offsetof(struct faq_args, answer), 0 },
  { "--url", VALUE, offsetof(struct faq_args, url), 0 },
  { "--by", VALUE, offsetof(struct faq_args, by), 0 },
  { "--version", VALUE, offsetof(struct faq_args, version), 0 },
  { "--id", VALUE, offsetof(struct faq_args, id), 0 },
  { "--alternate", LIST, offsetof(struct faq_args, alternates), offsetof(struct faq_args, n_alternates) },
  { "--keyword", LIST, offsetof(struct faq_args, keywords), offsetof(struct faq_args, n_keywords) },
  { "--related", LIST, offsetof(struct faq_args, related), offsetof(struct faq_args, n_related) },
  { "--draft", FLAG, offsetof(struct faq_args, draft), 0 },
  { "--no-bom", FLAG, offsetof(struct faq_args, no_bom), 0 },
  { "--publish", FLAG, offsetof(struct faq_args, publish), 0 },
  { "--published", FLAG, offsetof(struct faq_args, published), 0 },
};
#define N_OPTIONS (sizeof options / sizeof options[0])

static int fail(const char *fmt, const char *a) {
  fprintf(stderr, "madoguchi faq: ");
  fprintf(stderr, fmt, a);
  fputc('\n', stderr);
  return 1;
}

/* Parse argv (after the action) into a, accepting only the options named in
 * `allowed` (space-separated). Returns 0 or 2 (usage error, reported). */
static int parse_args(int argc, char **argv, const char *allowed, int npos, struct faq_args *a) {
  memset(a, 0, sizeof *a);
  for (int i = 0; i < argc; i++) {
    const struct option *o = NULL;
    char key[40];
    if (argv[i][0] != '-' || strcmp(argv[i], "-") == 0) {
      if (a->npos == npos) return fail("unexpected argument '%s'", argv[i]) + 1;
      a->pos[a->npos++] = argv[i];
      continue;
    }
    snprintf(key, sizeof key, " %s ", argv[i]);
    for (size_t k = 0; k < N_OPTIONS && strstr(allowed, key); k++)
      if (strcmp(options[k].name, argv[i]) == 0) o = &options[k];
    if (!o) return fail("unknown option '%s' (see 'madoguchi faq help')", argv[i]) + 1;
    char *base = (char *)a + o->off;
    if (o->kind == FLAG) { *(int *)base = 1; continue; }
    if (i + 1 >= argc) return fail("%s needs a value", argv[i]) + 1;
    if (o->kind == VALUE) { *(const char **)base = argv[++i]; continue; }
    int *n = (int *)((char *)a + o->count);
    if (*n == MAX_LIST) return fail("too many %s", argv[i]) + 1;
    ((const char **)base)[(*n)++] = argv[++i];
  }
  if (a->npos < npos) return fail("%s", "missing argument (see 'madoguchi faq help')") + 1;
  if (!a->by) a->by = getenv("USER") && *getenv("USER") ? getenv("USER") : "cli";
  return 0;
}

/* Open the database with the configured analysis. */
static int open_db(mg_config *cfg, mg_lang **lang, sqlite3 **db) {
  char err[MG_ERRLEN];
  *db = NULL;
  if (faq_lang_new(lang, cfg, err) || bot_db_open(db, cfg, *lang, err)) {
    faq_lang_free(*lang);
    *lang = NULL;
    return fail("%s", err);
  }
  return 0;
}

static void close_db(mg_lang *lang, sqlite3 *db) {
  faq_db_close(db);
  faq_lang_free(lang);
}

static int parse_version(const char *s, int *v) {
  char *end;
  long n = s ? strtol(s, &end, 10) : 0;
  if (s && (*end || n < 1 || n > 1000000)) return fail("bad --version '%s' (a number from 1)", s) + 1;
  *v = (int)n;
  return 0;
}

/* ---- actions ------------------------------------------------------------ */

static int sub_import(sqlite3 *db, struct faq_args *a) {
  mg_io_opts o = { .format = a->format, .encoding = a->encoding, .map = a->map, .draft = a->draft, .by = a->by };
  mg_io_report rep;
  char err[MG_ERRLEN];
  int rc = faq_io_import(db, a->pos[0], &o, &rep, err);
  for (int i = 0; i < rep.n_errors; i++) fprintf(stderr, "%s\n", rep.errors[i]);
  if (rep.truncated) fprintf(stderr, "(最初の%d件のみ表示しています)\n", MG_IO_MAX_ERRORS);
  if (rc) return fail("%s", err);
  printf("取り込みました: %d件 (新規 %d, 更新 %d, 変更なし %d), 部署の追加・変更 %d件\n", rep.entries, rep.added,
         rep.revised, rep.unchanged, rep.departments);
  return 0;
}

static int sub_export(sqlite3 *db, struct faq_args *a) {
  mg_io_opts o = { .format = a->format, .no_bom = a->no_bom, .published = a->published };
  char err[MG_ERRLEN];
  FILE *out = stdout;
  int rc;
  if (!o.format && a->out) {
    const char *dot = strrchr(a->out, '.');
    o.format = dot && strcmp(dot, ".json") == 0 ? "json" : "csv";
  }
  if (a->out && strcmp(a->out, "-") && !(out = fopen(a->out, "wb"))) return fail("cannot write %s", a->out);
  rc = faq_io_export(db, out, &o, err);
  if (out != stdout && fclose(out) != 0 && rc == 0) rc = mg_errf(err, MG_EIO, "writing %s failed", a->out);
  return rc ? fail("%s", err) : 0;
}

static int print_row(void *ctx, const mg_faq_entry *e) {
  printf("%s\t%s\tv%d\t%s\t%s\n", e->id, e->status, e->version, e->department_id, e->question);
  return 0;
}

static int sub_list(sqlite3 *db, struct faq_args *a) {
  mg_faq_filter f = { .department = a->department, .category = a->category, .status = a->status, .search = a->search };
  char err[MG_ERRLEN];
  if (a->status && strcmp(a->status, "published") && strcmp(a->status, "draft") && strcmp(a->status, "published+draft"))
    return fail("bad --status '%s' (published, draft or published+draft)", a->status) + 1;
  return faq_list(db, &f, print_row, NULL, err) ? fail("%s", err) : 0;
}

static void print_list(const char *label, char *const *v, int n) {
  printf("%s:\n", label);
  for (int i = 0; i < n; i++) printf("  - %s\n", v[i]);
}

static int sub_show(sqlite3 *db, struct faq_args *a) {
  mg_faq_entry *e = NULL;
  char err[MG_ERRLEN], date[16];
  int v = 0;
  if (parse_version(a->version, &v)) return 2;
  if (faq_get(db, a->pos[0], v, &e, err)) return fail("%s", err);
  faq_io_date_out(e->updated_at, date);
  printf("ID: %s\n状態: %s\n版: %d (公開中の版: %d)\n", e->id, e->status, e->version, e->published_version);
  printf("質問: %s\n回答: %s\n", e->question, e->answer);
  print_list("別の聞き方", e->alternates, e->n_alternates);
  print_list("キーワード", e->keywords, e->n_keywords);
  print_list("関連FAQ", e->related, e->n_related);
  printf("分類: %s\n担当部署: %s %s (電話 %s, %s, %s, %s)\nURL: %s\n更新日: %s (%s)\n", e->category, e->department_id,
         e->dept.name, e->dept.phone, e->dept.email, e->dept.hours, e->dept.location, e->url, date,
         e->updated_by);
  faq_entry_free(e);
  return 0;
}

/* Fields given on the command line replace those of e (lists as a whole). */
static void apply_fields(mg_faq_entry *e, struct faq_args *a) {
  if (a->question) e->question = (char *)a->question;
  if (a->answer) e->answer = (char *)a->answer;
  if (a->category) e->category = (char *)a->category;
  if (a->department) e->department_id = (char *)a->department;
  if (a->url) e->url = (char *)a->url;
  if (a->n_alternates) e->alternates = (char **)a->alternates, e->n_alternates = a->n_alternates;
  if (a->n_keywords) e->keywords = (char **)a->keywords, e->n_keywords = a->n_keywords;
  if (a->n_related) { /* ids: '' clears the list */
    int n = 0;
    for (int i = 0; i < a->n_related; i++)
      if (*a->related[i]) a->related[n++] = a->related[i];
    e->related = (char **)a->related, e->n_related = n;
  }
  e->updated_at = NULL; /* now */
}

static int report_put(sqlite3 *db, const char *id, const char *verb) {
  mg_faq_entry *e = NULL;
  char err[MG_ERRLEN];
  if (faq_get(db, id, MG_FAQ_LATEST, &e, err)) return fail("%s", err);
  printf("%s: %s (版 %d, %s)\n", verb, e->id, e->version, e->status);
  faq_entry_free(e);
  return 0;
}

static int sub_add(sqlite3 *db, struct faq_args *a) {
  mg_faq_entry e = { 0 }, *old = NULL;
  char id[80], err[MG_ERRLEN];
  if (!a->question || !a->answer || !a->department)
    return fail("%s", "add needs --question, --answer and --department") + 1;
  if (a->id) snprintf(id, sizeof id, "%s", a->id);
  else if (faq_next_id(db, id, sizeof id, err)) return fail("%s", err);
  if (faq_get(db, id, MG_FAQ_LATEST, &old, err) == 0) {
    faq_entry_free(old);
    return fail("%s already exists (use edit, or choose another --id)", id);
  }
  e.id = id;
  apply_fields(&e, a);
  if (faq_related_check(db, &e, err) || faq_put(db, &e, a->by, !a->draft, err)) return fail("%s", err);
  return report_put(db, id, "追加しました");
}

static int sub_edit(sqlite3 *db, struct faq_args *a) {
  mg_faq_entry *e = NULL, copy;
  char err[MG_ERRLEN];
  int rc;
  if (faq_get(db, a->pos[0], MG_FAQ_LATEST, &e, err)) return fail("%s", err);
  copy = *e;
  apply_fields(&copy, a);
  rc = a->n_related ? faq_related_check(db, &copy, err) : 0; /* ids typed now must name entries */
  if (rc == 0) rc = faq_put(db, &copy, a->by, a->publish, err);
  faq_entry_free(e);
  if (rc) return fail("%s", err);
  return report_put(db, a->pos[0], a->publish ? "更新して公開しました" : "下書きとして保存しました");
}

static int sub_publish(sqlite3 *db, struct faq_args *a) {
  char err[MG_ERRLEN];
  int v = 0;
  if (parse_version(a->version, &v)) return 2;
  if (faq_publish(db, a->pos[0], v, a->by, err)) return fail("%s", err);
  mg_faq_entry *e = NULL;
  if (faq_get(db, a->pos[0], MG_FAQ_PUBLISHED, &e, err)) return fail("%s", err);
  printf("公開しました: %s (版 %d)\n", e->id, e->version);
  faq_entry_free(e);
  return 0;
}

static int sub_rm(sqlite3 *db, struct faq_args *a) {
  char err[MG_ERRLEN];
  if (faq_remove(db, a->pos[0], a->by, err)) return fail("%s", err);
  printf("削除しました: %s\n", a->pos[0]);
  return 0;
}

static const struct action {
  const char *name;
  int (*fn)(sqlite3 *db, struct faq_args *a);
  int npos;
  const char *allowed;
  const char *usage;
} actions[] = {
  { "import", sub_import, 1, " --format --encoding --map --draft --by ",
    "import FILE [--format csv|json] [--encoding utf-8|cp932] [--map MAP] [--draft] [--by NAME]" },
  { "export", sub_export, 0, " --format -o --no-bom --published ",
    "export [--format csv|json] [-o FILE] [--no-bom] [--published]" },
  { "list", sub_list, 0, " --department --category --status --search ",
    "list [--department D] [--category C] [--status published|draft|published+draft] [--search TEXT]" },
  { "show", sub_show, 1, " --version ", "show ID [--version N]" },
  { "add", sub_add, 0, " --id --question --answer --department --alternate --keyword --related --category --url --draft --by ",
    "add --question Q --answer A --department D [--alternate TEXT]... [--keyword K]... [--related ID]... [--category C] "
    "[--url U] [--id ID] [--draft] [--by NAME]" },
  { "edit", sub_edit, 1, " --question --answer --department --alternate --keyword --related --category --url --publish --by ",
    "edit ID [--question Q] [--answer A] [--department D] [--alternate TEXT]... [--keyword K]... [--related ID]... "
    "[--category C] [--url U] [--publish] [--by NAME]" },
  { "publish", sub_publish, 1, " --version --by ", "publish ID [--version N] [--by NAME]" },
  { "rm", sub_rm, 1, " --by ", "rm ID [--by NAME]" },
};
#define N_ACTIONS (sizeof actions / sizeof actions[0])

static void usage(FILE *out) {
  fprintf(out, "usage:\n");
  for (size_t i = 0; i < N_ACTIONS; i++) fprintf(out, "  madoguchi faq %s\n", actions[i].usage);
  fprintf(out, "\nedit saves a draft unless --publish; drafts never answer until published.\n"
               "--alternate/--keyword/--related given to edit replace the whole list ('' clears it).\n"
               "File formats and the column map: docs/faq-format.md\n");
}

int cmd_faq(int argc, char **argv, mg_config *cfg) {
  struct faq_args a;
  mg_lang *lang = NULL;
  sqlite3 *db = NULL;
  int rc;
  if ((argc >= 2 && strcmp(argv[1], "help") == 0) || mg_cmd_wants_help(argc, argv)) {
    usage(stdout);
    return 0;
  }
  if (argc < 2) { usage(stderr); return 2; }
  for (size_t i = 0; i < N_ACTIONS; i++) {
    if (strcmp(actions[i].name, argv[1]) != 0) continue;
    if ((rc = parse_args(argc - 2, argv + 2, actions[i].allowed, actions[i].npos, &a))) return rc;
    if ((rc = open_db(cfg, &lang, &db))) return rc;
    rc = actions[i].fn(db, &a);
    close_db(lang, db);
    return rc;
  }
  fprintf(stderr, "madoguchi faq: unknown action '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
