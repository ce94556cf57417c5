/* The numbers behind /metrics (adapters/metrics.h) without a server: what
 * is counted under which labels, where an answer time falls among the
 * histogram's buckets, the escaping of label values, a page whose every
 * sample has its HELP and TYPE, and the database's families read from a
 * real database — with a department id that needs escaping. */
#include "adapters/metrics.h"
#include "bot/calendar.h"
#include "bot/ticket.h"
#include "config.h"
#include "bot/tables.h"
#include "faq/db.h"
#include "util/mg_err.h"
#include "tests/tap.h"
#include "tests/testenv.h"

#include <ctype.h>

/* 1 when page has a line exactly equal to line. */
static int has_line(const char *page, const char *line) {
  size_t n = strlen(line);
  for (const char *p = page; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
    if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0')) return 1;
  return 0;
}

/* Every sample line is NAME[{LABELS}] VALUE, and its family (NAME without
 * _bucket, _sum or _count for a histogram) had # HELP and # TYPE before it.
 * Returns the number of bad lines (diagnosed). */
static int bad_lines(const char *page) {
  char helped[64][64], typed[64][64], line[1024];
  int n_help = 0, n_type = 0, bad = 0;
  for (const char *p = page; *p;) {
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    char name[64], fam[64];
    size_t k = 0;
    snprintf(line, sizeof line, "%.*s", (int)len, p);
    p += len + (e ? 1 : 0);
    if (strncmp(line, "# HELP ", 7) == 0 && n_help < 64) { sscanf(line + 7, "%63s", helped[n_help++]); continue; }
    if (strncmp(line, "# TYPE ", 7) == 0 && n_type < 64) { sscanf(line + 7, "%63s", typed[n_type++]); continue; }
    while (k < sizeof name - 1 && (isalnum((unsigned char)line[k]) || line[k] == '_' || line[k] == ':')) name[k] = line[k], k++;
    name[k] = '\0';
    const char *v = line + k;
    if (*v == '{') {
      /* label="value", ...: quotes balanced with \-escapes */
      v++;
      while (*v && *v != '}') {
        while (isalnum((unsigned char)*v) || *v == '_') v++;
        if (*v++ != '=' || *v++ != '"') { v = ""; break; }
        while (*v && *v != '"') v += *v == '\\' && v[1] ? 2 : 1;
        if (*v++ != '"') { v = ""; break; }
        if (*v == ',') v++;
      }
      if (*v == '}') v++;
      else v = "";
    }
    char *end;
    if (!k || *v != ' ' || (strtod(v + 1, &end), *end && strcmp(v + 1, "+Inf") != 0)) {
      diag("malformed: %s", line);
      bad++;
      continue;
    }
    snprintf(fam, sizeof fam, "%s", name);
    for (const char *suf = "_bucket\0_sum\0_count\0"; *suf; suf += strlen(suf) + 1) {
      size_t fl = strlen(fam), sl = strlen(suf);
      if (fl > sl && strcmp(fam + fl - sl, suf) == 0) {
        int hist = 0;
        fam[fl - sl] = '\0';
        for (int i = 0; i < n_type; i++) hist |= strcmp(typed[i], fam) == 0;
        if (!hist) snprintf(fam, sizeof fam, "%s", name);
        break;
      }
    }
    int h = 0, t = 0;
    for (int i = 0; i < n_help; i++) h |= strcmp(helped[i], fam) == 0;
    for (int i = 0; i < n_type; i++) t |= strcmp(typed[i], fam) == 0;
    if (!h || !t) {
      diag("no HELP or TYPE before: %s", line);
      bad++;
    }
  }
  return bad;
}

/* The checker itself, on lines it must refuse. */
static void checker_refuses_malformed_lines(void) {
  is_int(bad_lines("# HELP x h\n# TYPE x gauge\nx 1\nx{a=\"b\\\"c\"} 2\n"), 0, "the checker passes a good page");
  is_int(bad_lines("# HELP x h\n# TYPE x gauge\nx{a=\"b} 1\nx{a=\"b\"} one\ny 2\nx\n"), 4,
         "and refuses an open quote, a value that is no number, a family without HELP/TYPE, a sample without value");
}

static void page_counts_questions_times_and_db_errors(void) {
  char err[MG_ERRLEN] = "";
  srv_metrics *m = NULL;
  srv_metrics_buf b = { 0 };
  srv_metrics_gauges g = { .chat_conns = 3, .http_conns = 4, .queue_depth = 5 };

  is_int(srv_metrics_new(&m, err), 0, "srv_metrics_new (%s)", err);
  is_int(srv_metrics_question(m, "answer", NULL), 1, "an answer without a rule counts");
  is_int(srv_metrics_question(m, "answer", "faq"), 1, "an answer by a faq rule counts");
  is_int(srv_metrics_question(m, "answer", "emergency"), 1, "an emergency counts");
  is_int(srv_metrics_question(m, "answer", "a kind nobody knows"), 1, "an unknown kind counts as other");
  is_int(srv_metrics_question(m, "no_answer", NULL), 1, "no_answer counts");
  is_int(srv_metrics_question(m, "welcome", NULL), 0, "a reply that is no answer object is not counted");
  is_int(srv_metrics_question(m, NULL, NULL), 0, "nor is a message without a type");
  srv_metrics_answer_time(m, 400);
  srv_metrics_answer_time(m, 500);        /* on the bound: le="0.0005" */
  srv_metrics_answer_time(m, 501);
  srv_metrics_answer_time(m, 7000000);    /* past every bound: +Inf only */
  srv_metrics_answer_time(m, -5);         /* a clock step: counted as 0 */
  srv_metrics_db_error(m);
  srv_metrics_db_error(m);
  ok(srv_metrics_db_failed(MG_EDB) && srv_metrics_db_failed(MG_EFULL) && srv_metrics_db_failed(MG_EBUSY) &&
     !srv_metrics_db_failed(MG_ENOTFOUND) && !srv_metrics_db_failed(0),
     "database failures are database, storage_full, busy");

  srv_metrics_write(m, &g, &b);
  ok(!b.oom && b.text, "page written");
  if (!b.text) goto out;
  ok(has_line(b.text, "madoguchi_build_info{version=\"" PACKAGE_VERSION "\"} 1"), "build info carries the version");
  ok(has_line(b.text, "madoguchi_questions_total{decision=\"answer\",kind=\"faq\"} 2"), "no rule and a faq rule are both faq");
  ok(has_line(b.text, "madoguchi_questions_total{decision=\"answer\",kind=\"emergency\"} 1"), "emergency");
  ok(has_line(b.text, "madoguchi_questions_total{decision=\"answer\",kind=\"other\"} 1"), "other");
  ok(has_line(b.text, "madoguchi_questions_total{decision=\"no_answer\",kind=\"faq\"} 1"), "no_answer");
  ok(has_line(b.text, "madoguchi_questions_total{decision=\"clarify\",kind=\"faq\"} 0"), "clarify is there at 0");
  ok(has_line(b.text, "madoguchi_questions_total{decision=\"answer\",kind=\"hours\"} 0"), "every rule kind of answer is there at 0");
  ok(!strstr(b.text, "decision=\"clarify\",kind=\"emergency\""), "combinations no rule makes are left out until seen");
  ok(has_line(b.text, "madoguchi_answer_seconds_bucket{le=\"0.0005\"} 3"), "0, 400 and 500 us are within 0.0005 s");
  ok(has_line(b.text, "madoguchi_answer_seconds_bucket{le=\"0.001\"} 4"), "buckets are cumulative");
  ok(has_line(b.text, "madoguchi_answer_seconds_bucket{le=\"5\"} 4"), "7 s is past the last bound");
  ok(has_line(b.text, "madoguchi_answer_seconds_bucket{le=\"+Inf\"} 5"), "+Inf holds them all");
  ok(has_line(b.text, "madoguchi_answer_seconds_count 5"), "_count equals +Inf");
  ok(has_line(b.text, "madoguchi_answer_seconds_sum 7.001401"), "_sum in seconds");
  ok(has_line(b.text, "madoguchi_open_connections{kind=\"chat\"} 3") &&
     has_line(b.text, "madoguchi_open_connections{kind=\"http\"} 4"), "connections by kind");
  ok(has_line(b.text, "madoguchi_worker_queue_depth 5"), "queue depth");
  ok(has_line(b.text, "madoguchi_db_errors_total 2"), "database failures");
  ok(strstr(b.text, "madoguchi_start_time_seconds ") != NULL, "start time");
  is_int(bad_lines(b.text), 0, "every line well-formed, every family with HELP and TYPE");
out:
  srv_metrics_buf_free(&b);
  srv_metrics_free(m);
}

static void label_values_are_escaped(void) {
  srv_metrics_buf b = { 0 };
  srv_metrics_label(&b, "a\"b\\c\nd");
  is_str(b.text, "a\\\"b\\\\c\\nd", "quote, backslash and line feed are escaped");
  srv_metrics_buf_free(&b);
  srv_metrics_label(&b, "市民課");
  is_str(b.text, "市民課", "UTF-8 passes as it is");
  srv_metrics_buf_free(&b);
}

static char dir[64];

static void database_families_survive_ids_that_need_escaping(void) {
  char err[MG_ERRLEN] = "", no[TICKET_NOLEN], path[1024];
  mg_config cfg;
  sqlite3 *db = NULL;
  cal *c = NULL;
  srv_metrics_buf b = { 0 };
  ticket_new tn = { .question = "変な部署へ", .department_id = "we\"ird\\dept\nx", .routed_by = "default",
                    .actor = "resident" };

  test_config(&cfg, dir);
  snprintf(path, sizeof path, "%s/calendar.tsv", getenv("MG_DICT_DIR") ? getenv("MG_DICT_DIR") : "dict");
  if (!ok(bot_cal_load(&c, path, "08:30", "17:15", err) == 0, "calendar (%s)", err)) return;
  is_int(bot_db_open(&db, &cfg, NULL, err), 0, "database opened (%s)", err);
  if (!db) goto out;
  /* ids from CSV are plain, but the column is TEXT: the page must survive any */
  is_int(sqlite3_exec(db, "INSERT INTO department(id, name) VALUES ('we\"ird\\dept' || char(10) || 'x', '変な課');"
                          "INSERT INTO feedback(helpful, created_at) VALUES (1, '2026-12-01T00:00:00Z'),"
                          " (0, '2026-12-01T00:00:00Z'), (0, '2026-12-01T00:00:00Z')", NULL, NULL, NULL),
         SQLITE_OK, "a department whose id needs escaping, three feedback rows");
  is_int(bot_ticket_create(db, &tn, no, err), 0, "a ticket for it (%s)", err);
  is_int(srv_metrics_write_db(db, c, 3, time(NULL), &b, err), 0, "database families (%s)", err);
  if (!b.text) goto out;
  ok(has_line(b.text, "madoguchi_tickets{department=\"we\\\"ird\\\\dept\\nx\",state=\"open\"} 1"),
     "its open ticket, under the escaped id");
  ok(has_line(b.text, "madoguchi_tickets{department=\"shimin\",state=\"overdue\"} 0"), "other departments at 0");
  ok(has_line(b.text, "madoguchi_feedback_total{helpful=\"true\"} 1") &&
     has_line(b.text, "madoguchi_feedback_total{helpful=\"false\"} 2"), "feedback by helpful");
  is_int(bad_lines(b.text), 0, "every line well-formed, every family with HELP and TYPE");
out:
  srv_metrics_buf_free(&b);
  if (db) {
    faq_db_stmt_release(db);
    faq_db_close(db);
  }
  bot_cal_free(c);
}

int main(void) {
  char cmd[128];
  if (!test_tmpdir(dir, sizeof dir, "t_metrics")) return 1;
  RUN(checker_refuses_malformed_lines);
  RUN(page_counts_questions_times_and_db_errors);
  RUN(label_values_are_escaped);
  RUN(database_families_survive_ids_that_need_escaping);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) diag("could not remove %s", dir);
  return done_testing();
}
