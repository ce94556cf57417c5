/*
 * cmd_eval_inquiries.c — `madoguchi eval --inquiries FILE`: how well the
 * triage of bot/inquiry.c sorts residents' inquiries.
 *
 * FILE is {"inquiries": [{"id", "subject"?, "body", "department",
 * "useful": ["saijo-0056", …]}]}: a resident's form or e-mail text, the
 * department that should get it, and the entries a useful suggested reply
 * would start from. Reported: department accuracy (the triage's department
 * is the labelled one) and useful_top3 (one of the suggested entries — at
 * most BOT_TRIAGE_TOP — is among "useful"). The triage runs on a fresh
 * database made from the sample FAQ, as eval --dialogue does, so no
 * ticket, taught example or local edit of the operator's database counts.
 */
#include "cli/cmd.h"

#include "bot/inquiry.h"
#include "util/mg_err.h"
#include "util/mg_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int has_id(const json_t *arr, const char *id) {
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) if (json_is_string(v) && strcmp(json_string_value(v), id) == 0) return 1;
  return 0;
}

int eval_inquiries(const char *path, int misses, double min_dept, double min_top3, mg_config *cfg) {
  char dir[] = "/tmp/madoguchi-eval-XXXXXX", err[MG_ERRLEN] = "";
  json_t *file = NULL, *it;
  bot *b = NULL;
  bot_worker *w = NULL;
  size_t i;
  int n = 0, dept_ok = 0, top3_ok = 0, rc = 2, made = 0;
  double t0;

  if (mg_json_load(path, &file, err) != 0) {
    fprintf(stderr, "madoguchi eval: %s\n", err);
    goto out;
  }
  json_array_foreach(json_object_get(file, "inquiries"), i, it) {
    if (!json_is_string(json_object_get(it, "body")) || !json_is_string(json_object_get(it, "department")) ||
        !json_is_array(json_object_get(it, "useful"))) {
      fprintf(stderr, "madoguchi eval: %s: inquiries[%zu] needs body, department and useful\n", path, i);
      goto out;
    }
  }
  rc = 1;
  if (cli_eval_bot(dir, cfg, &b, &w, &made) != 0) goto out;
  t0 = cli_now_us();
  json_array_foreach(json_object_get(file, "inquiries"), i, it) {
    bot_triage t;
    const char *want = json_string_value(json_object_get(it, "department"));
    const json_t *useful = json_object_get(it, "useful");
    int d_ok, u_ok = 0;
    if (bot_triage_run(w, json_string_value(json_object_get(it, "subject")), json_string_value(json_object_get(it, "body")),
                       &t, err) != 0) {
      fprintf(stderr, "madoguchi eval: %s: %s\n", json_string_value(json_object_get(it, "id")), err);
      goto out;
    }
    d_ok = strcmp(t.department, want) == 0;
    for (int k = 0; k < t.n_faq; k++) u_ok |= has_id(useful, t.faq[k]);
    n++, dept_ok += d_ok, top3_ok += u_ok;
    if (misses && (!d_ok || !u_ok))
      printf("miss\t%s\twant %s got %s\tsuggested %s %s %s\n", json_string_value(json_object_get(it, "id")), want,
             t.department[0] ? t.department : "-", t.n_faq > 0 ? t.faq[0] : "-", t.n_faq > 1 ? t.faq[1] : "-",
             t.n_faq > 2 ? t.faq[2] : "-");
  }
  printf("inquiries\t%d\n", n);
  printf("department\t%.3f\t(%d/%d)\n", n ? (double)dept_ok / n : 0, dept_ok, n);
  printf("useful_top3\t%.3f\t(%d/%d)\n", n ? (double)top3_ok / n : 0, top3_ok, n);
  printf("ms_per_inquiry\t%.1f\n", n ? (cli_now_us() - t0) / 1000.0 / n : 0);
  rc = 0;
  if (n && (double)dept_ok / n < min_dept) {
    printf("below\tdepartment < %.2f\n", min_dept);
    rc = 1;
  }
  if (n && (double)top3_ok / n < min_top3) {
    printf("below\tuseful_top3 < %.2f\n", min_top3);
    rc = 1;
  }
out:
  cli_eval_bot_end(dir, made, b, w);
  json_decref(file);
  return rc;
}
