/* The console's rules behind bot/'s API (bot/curation.h, bot/console.h,
 * bot/public.h), called directly the way the admin API calls them, against
 * a real database with the sample FAQ: the department rule for staff and
 * supervisors, each change with its audit row in the change's transaction
 * (and none when the change is refused), publish and rollback, alternates,
 * related ids, the diff, the translations list, learned phrasings, the
 * ticket and account rules, and that residents read published text only.
 * One function per behaviour, named for it. */
#include "bot/answer.h"
#include "bot/auth.h"
#include "bot/console.h"
#include "bot/curation.h"
#include "bot/public.h"
#include "util/mg_config.h"
#include "util/mg_err.h"
#include "tests/tap.h"
#include "tests/testenv.h"

#include <stdlib.h>
#include <unistd.h>

static char dir[64];
static bot_worker *w;
static char err[MG_ERRLEN];

static const bot_actor tanaka = { "tanaka", AUTH_STAFF, "shimin" };  /* staff of 市民課 */
static const bot_actor suzuki = { "suzuki", AUTH_STAFF, "zeimu" };   /* staff of 税務課 */
static const bot_actor sato = { "sato", AUTH_SUPERVISOR, "" };       /* a supervisor */
static const bot_actor admin = { "admin", AUTH_ADMIN, "" };

static int audits(const char *action, const char *target) { return test_audits(bot_worker_db(w), action, target); }

static int revisions(const char *id) {
  return test_int(bot_worker_db(w), "SELECT count(*) FROM faq_revision r JOIN faq f ON f.id = r.faq_id WHERE f.ext_id = ?1",
                  id);
}

static const char *str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static long long num(const json_t *o, const char *key) { return json_integer_value(json_object_get(o, key)); }

/* ---- the department rule ------------------------------------------------------ */

static void staff_may_change_their_own_departments_entry(void) {
  mg_faq_entry old = { .id = "saijo-0001", .department_id = "shimin" };
  is_int(bot_curation_may_change(&tanaka, &old, "shimin", err), 0, "staff change their own department's entry");
}

static void staff_cannot_change_another_departments_entry(void) {
  mg_faq_entry old = { .id = "saijo-0027", .department_id = "zeimu" };
  is_int(bot_curation_may_change(&tanaka, &old, NULL, err), MG_EFORBIDDEN, "staff cannot change another department's entry");
  ok(strstr(err, "zeimu") != NULL, "the reason names the entry's department (%s)", err);
}

static void staff_cannot_move_entry_to_other_department(void) {
  mg_faq_entry old = { .id = "saijo-0001", .department_id = "shimin" };
  is_int(bot_curation_may_change(&tanaka, &old, "zeimu", err), MG_EFORBIDDEN, "staff cannot move their entry to another department");
}

static void staff_cannot_create_entry_in_other_department(void) {
  is_int(bot_curation_may_change(&tanaka, NULL, "zeimu", err), MG_EFORBIDDEN, "staff cannot create an entry in another department");
  is_int(bot_curation_may_change(&tanaka, NULL, "", err), MG_EFORBIDDEN, "nor one without a department");
}

static void supervisors_and_admins_change_any_department(void) {
  mg_faq_entry old = { .id = "saijo-0027", .department_id = "zeimu" };
  is_int(bot_curation_may_change(&sato, &old, "shimin", err), 0, "a supervisor moves an entry between departments");
  is_int(bot_curation_may_change(&admin, &old, "shimin", err), 0, "so does an admin");
}

/* ---- changes and their audit rows ------------------------------------------------ */

static void edit_adds_a_draft_and_its_audit_row(void) {
  json_t *fields = json_pack("{ss}", "answer", "新しい回答です。"), *e = NULL;
  int changed = 0, before = revisions("saijo-0002");
  is_int(bot_curation_put(w, &tanaka, "saijo-0002", fields, &e, &changed, err), 0, "staff edit their entry");
  ok(changed, "a revision was added");
  is_str(str(e, "status"), "published+draft", "the published text still answers; the edit is a draft");
  is_int(revisions("saijo-0002"), before + 1, "one revision more");
  is_int(audits("faq.edit", "saijo-0002"), 1, "one faq.edit audit row");
  json_decref(e);
  e = NULL;
  changed = 1;
  is_int(bot_curation_put(w, &tanaka, "saijo-0002", fields, &e, &changed, err), 0, "the same edit again");
  ok(!changed, "changes nothing");
  is_int(audits("faq.edit", "saijo-0002"), 1, "and leaves no audit row");
  json_decref(e);
  json_decref(fields);
}

static void refused_change_leaves_no_revision_and_no_audit_row(void) {
  json_t *fields = json_pack("{ss}", "department", "zeimu"), *e = NULL;
  int before = revisions("saijo-0003");
  is_int(bot_curation_put(w, &tanaka, "saijo-0003", fields, &e, NULL, err), MG_EFORBIDDEN, "staff move an entry out: 403");
  ok(e == NULL, "no entry is returned");
  is_int(revisions("saijo-0003"), before, "no revision was written");
  is_int(audits("faq.edit", "saijo-0003"), 0, "no audit row");
  json_decref(fields);
}

static void supervisor_moves_entry_to_other_department(void) {
  json_t *fields = json_pack("{s{ss}}", "department", "id", "zeimu"), *e = NULL;
  is_int(bot_curation_put(w, &sato, "saijo-0004", fields, &e, NULL, err), 0, "a supervisor moves an entry");
  is_str(str(json_object_get(e, "department"), "id"), "zeimu", "it is 税務課's now");
  is_int(audits("faq.edit", "saijo-0004"), 1, "audited");
  json_decref(e);
  json_decref(fields);
}

static void create_refuses_an_existing_id(void) {
  json_t *fields = json_pack("{ss ss ss}", "question", "Q", "answer", "A", "department", "shimin");
  is_int(bot_curation_create(w, &tanaka, "saijo-0001", fields, NULL, NULL, err), MG_ECONFLICT, "an existing id: conflict");
  json_decref(fields);
}

static void create_without_id_takes_the_next_free_one(void) {
  json_t *fields = json_pack("{ss ss ss}", "question", "新しい質問", "answer", "新しい回答", "department", "shimin"), *e = NULL;
  is_int(bot_curation_create(w, &tanaka, NULL, fields, &e, NULL, err), 0, "create without an id");
  ok(strncmp(str(e, "id"), "saijo-", 6) == 0, "the next id of the same prefix (%s)", str(e, "id"));
  is_str(str(e, "status"), "draft", "a new entry is a draft");
  is_int(audits("faq.create", str(e, "id")), 1, "audited as faq.create");
  json_decref(e);
  json_decref(fields);
}

static void malformed_lists_are_invalid(void) {
  json_t *fields = json_pack("{ss ss ss si}", "question", "Q", "answer", "A", "department", "shimin", "keywords", 3);
  is_int(bot_curation_create(w, &tanaka, "t-bad-1", fields, NULL, NULL, err), MG_EINVAL, "keywords as a number: invalid");
  json_decref(fields);
}

static void new_related_ids_must_name_entries(void) {
  json_t *fields = json_pack("{s[s]}", "related", "nope-9999 "), *ok_fields = json_pack("{s[s]}", "related", " saijo-0005 ");
  json_t *e = NULL;
  is_int(bot_curation_put(w, &tanaka, "saijo-0006", fields, NULL, NULL, err), MG_EINVAL, "a related id that names nothing");
  is_int(bot_curation_put(w, &tanaka, "saijo-0006", ok_fields, &e, NULL, err), 0, "a related id as typed, with spaces");
  is_str(json_string_value(json_array_get(json_object_get(e, "related"), 0)), "saijo-0005", "is kept trimmed");
  json_decref(e);
  json_decref(fields);
  json_decref(ok_fields);
}

static void alternate_must_be_one_line(void) {
  is_int(bot_curation_alternate(w, &tanaka, "saijo-0007", "二行\nです", 0, NULL, NULL, err), MG_EMISSING, "two lines: refused");
  is_int(bot_curation_alternate(w, &tanaka, "saijo-0007", "", 0, NULL, NULL, err), MG_EMISSING, "empty: refused");
}

static void known_alternate_changes_nothing(void) {
  json_t *e = NULL;
  int changed = 0;
  is_int(bot_curation_alternate(w, &tanaka, "saijo-0007", "住民票の言い換え", 1, &e, &changed, err), 0, "add a phrasing, published");
  ok(changed, "the entry changed");
  is_str(str(e, "status"), "published", "and is published at once");
  json_decref(e);
  e = NULL;
  is_int(bot_curation_alternate(w, &tanaka, "saijo-0007", "住民票の言い換え", 1, &e, &changed, err), 0, "the same phrasing again");
  ok(!changed && e, "changes nothing and returns the entry");
  is_int(audits("faq.alternate", "saijo-0007"), 1, "one audit row for both");
  json_decref(e);
}

static void staff_cannot_add_alternate_to_other_department(void) {
  is_int(bot_curation_alternate(w, &tanaka, "saijo-0027", "税の言い換え", 0, NULL, NULL, err), MG_EFORBIDDEN,
         "staff add no phrasing to another department's entry");
  is_int(audits("faq.alternate", "saijo-0027"), 0, "no audit row");
}

static void publish_is_audited_with_the_versions(void) {
  json_t *e = NULL;
  int changed = 0;
  is_int(bot_curation_publish(w, &tanaka, "saijo-0002", 0, &e, &changed, err), 0, "publish the draft");
  ok(changed, "the published version moved");
  is_int(num(e, "published_version"), num(e, "version"), "the newest version answers");
  is_int(audits("faq.publish", "saijo-0002"), 1, "one faq.publish row");
  json_decref(e);
  e = NULL;
  is_int(bot_curation_publish(w, &tanaka, "saijo-0002", 0, &e, &changed, err), 0, "publish again");
  ok(!changed, "changes nothing");
  is_int(audits("faq.publish", "saijo-0002"), 1, "and leaves no second row");
  json_decref(e);
}

static void staff_cannot_publish_other_departments_entry(void) {
  is_int(bot_curation_publish(w, &tanaka, "saijo-0027", 0, NULL, NULL, err), MG_EFORBIDDEN, "staff publish no other department's entry");
}

static void rollback_copies_an_old_version_and_publishes_a_live_entry(void) {
  json_t *e = NULL;
  int before = revisions("saijo-0002");
  is_int(bot_curation_rollback(w, &tanaka, "saijo-0002", 1, &e, NULL, err), 0, "roll back to version 1");
  is_int(revisions("saijo-0002"), before + 1, "history grows by one revision");
  is_str(str(e, "status"), "published", "a live entry is published at once");
  is_int(audits("faq.rollback", "saijo-0002"), 1, "audited as faq.rollback");
  is_int(bot_curation_rollback(w, &tanaka, "saijo-0002", 0, NULL, NULL, err), MG_EMISSING, "no version: missing");
  is_int(bot_curation_rollback(w, &tanaka, "saijo-0002", 99, NULL, NULL, err), MG_ENOTFOUND, "an unknown version: not found");
  json_decref(e);
}

/* ---- reading ------------------------------------------------------------------ */

static void history_lists_versions_newest_first(void) {
  json_t *h = NULL;
  is_int(bot_curation_history(bot_worker_db(w), "saijo-0002", &h, err), 0, "history of an edited entry");
  ok(num(json_array_get(json_object_get(h, "versions"), 0), "version") > 1, "newest version first");
  ok(json_is_object(json_object_get(h, "published")), "with its published revision");
  json_decref(h);
  is_int(bot_curation_history(bot_worker_db(w), "nope-9999", &h, err), MG_ENOTFOUND, "an unknown entry: not found");
  is_int(bot_curation_version(bot_worker_db(w), "saijo-0002", 0, &h, err), MG_EINVAL, "version 0: invalid");
}

static void diff_compares_published_with_newest_by_default(void) {
  json_t *d = NULL, *f;
  size_t i;
  int answer_changed = 0;
  json_t *fields = json_pack("{ss}", "answer", "書き直した回答です。");
  bot_curation_put(w, &tanaka, "saijo-0008", fields, NULL, NULL, err);
  is_int(bot_curation_diff(bot_worker_db(w), "saijo-0008", NULL, NULL, &d, err), 0, "diff without versions");
  is_int(num(d, "from"), 1, "from the published version");
  is_int(num(d, "to"), 2, "to the newest");
  json_array_foreach(json_object_get(d, "fields"), i, f)
    if (strcmp(str(f, "field"), "answer") == 0) answer_changed = json_is_true(json_object_get(f, "changed"));
  ok(answer_changed, "the answer is marked changed");
  json_decref(d);
  is_int(bot_curation_diff(bot_worker_db(w), "saijo-0008", "0", NULL, &d, err), MG_EINVAL, "version 0: invalid");
  json_decref(fields);
}

static void textdiff_folds_short_equal_runs_into_the_change(void) {
  json_t *ops = bot_curation_textdiff("あいうのえお", "かきくのけこ");
  is_int(json_array_size(ops), 2, "one deletion and one insertion, not confetti around の");
  is_str(str(json_array_get(ops, 0), "op"), "-", "the deletion first");
  json_decref(ops);
  ops = bot_curation_textdiff("同じ文です。", "同じ文です。");
  is_int(json_array_size(ops), 1, "equal texts: one equal op");
  json_decref(ops);
}

static void translations_count_missing_versions_per_department(void) {
  json_t *depts = NULL, *entries = NULL, *d;
  size_t i;
  int shimin = 0;
  is_int(bot_curation_translations(bot_worker_db(w), "shimin", &depts, &entries, err), 0, "translations of 市民課");
  json_array_foreach(depts, i, d) if (strcmp(str(d, "department"), "shimin") == 0) shimin = (int)num(d, "published");
  ok(shimin > 0, "市民課's published entries are counted (%d)", shimin);
  ok(json_array_size(depts) > 1, "every department is counted");
  json_array_foreach(entries, i, d) if (strcmp(str(d, "department"), "shimin") != 0) shimin = -1;
  ok(shimin >= 0, "only 市民課's entries are listed");
  json_decref(depts);
  json_decref(entries);
}

static void staff_import_only_into_their_department(void) {
  const char *csv = "ID,質問,回答,担当部署ID\nt-imp-1,税の質問,税の回答,zeimu\n";
  json_t *report = NULL;
  int rc = bot_curation_import(w, &tanaka, csv, strlen(csv), 0, NULL, &report, err);
  ok(rc != 0, "staff importing into another department is refused (%s)", mg_err_code(rc));
  ok(report && num(report, "n_errors") > 0, "the report says why");
  {
    const char *why = json_string_value(json_array_get(json_object_get(report, "errors"), 0));
    ok(why && strstr(why, "zeimu") && strstr(why, "shimin"), "naming both departments (%s)", why ? why : "");
  }
  is_int(audits("faq.import", NULL), 0, "nothing imported, nothing audited");
  json_decref(report);
  is_int(bot_curation_import(w, &tanaka, "", 0, 0, NULL, &report, err), MG_EMISSING, "an empty file: missing");
}

static void phrasing_decisions_need_a_candidate(void) {
  long long id = 0;
  char *faq_id = NULL;
  is_int(bot_curation_phrasing_decide(w, &tanaka, "x", 1, &id, &faq_id, err), MG_ENOTFOUND, "not a number: not found");
  is_int(bot_curation_phrasing_decide(w, &tanaka, "999999", 0, &id, &faq_id, err), MG_ENOTFOUND, "no such candidate");
  ok(faq_id == NULL, "and no entry is named");
}

/* ---- the console's other rules --------------------------------------------------- */

static void staff_see_only_their_departments_tickets(void) {
  const char *dept = NULL;
  is_int(bot_console_ticket_scope(&tanaka, "zeimu", &dept, err), MG_EFORBIDDEN, "staff ask for another department: 403");
  is_int(bot_console_ticket_scope(&tanaka, NULL, &dept, err), 0, "staff ask for none");
  is_str(dept, "shimin", "and see their own");
  is_int(bot_console_ticket_scope(&sato, NULL, &dept, err), 0, "a supervisor asks for none");
  ok(dept == NULL, "and sees all");
  is_int(bot_console_ticket_scope(&sato, "zeimu", &dept, err), 0, "or the one asked");
  is_str(dept, "zeimu", "税務課");
}

static void unknown_ticket_is_not_found(void) {
  char dept[64], status[16];
  is_int(bot_console_ticket_access(bot_worker_db(w), &sato, "T-00000000-0000", dept, sizeof dept, status, sizeof status, err),
         MG_ENOTFOUND, "an unknown ticket: not found");
}

static void staff_canned_replies_are_their_departments(void) {
  const char *dept = NULL;
  is_int(bot_console_canned_department(&suzuki, "shimin", "shimin", &dept, err), 0, "staff name a department");
  is_str(dept, "zeimu", "and get their own");
  is_int(bot_console_canned_department(&sato, NULL, "kankyo", &dept, err), 0, "a supervisor names one in the query");
  is_str(dept, "kankyo", "and gets it");
  is_int(bot_console_canned_department(&sato, NULL, NULL, &dept, err), MG_EMISSING, "a supervisor names none: missing");
}

static void nobody_gives_up_their_own_admin_access(void) {
  is_int(bot_console_user_update(bot_worker_db(w), &admin, "admin", NULL, "staff", "shimin", err), MG_ECONFLICT,
         "an admin cannot make themselves staff");
  is_int(bot_console_user_disable(bot_worker_db(w), &admin, "admin", 1, err), MG_ECONFLICT, "nor disable themselves");
}

/* ---- what residents read --------------------------------------------------------- */

static void residents_read_published_text_only(void) {
  mg_faq_entry *e = NULL;
  json_t *fields = json_pack("{ss ss ss}", "question", "下書きだけの質問", "answer", "下書き", "department", "shimin");
  is_int(bot_curation_create(w, &tanaka, "t-draft-1", fields, NULL, NULL, err), 0, "a draft-only entry");
  is_int(bot_public_get(bot_worker_db(w), "t-draft-1", &e, err), MG_ENOTFOUND, "is not found by residents");
  is_int(bot_public_get(bot_worker_db(w), "../etc", &e, err), MG_ENOTFOUND, "a malformed id is not found");
  is_int(bot_public_get(bot_worker_db(w), "saijo-0008", &e, err), 0, "an entry with a draft is");
  ok(e && strstr(e->answer, "書き直した") == NULL, "with its published text, not the draft");
  bot_public_entry_free(e);
  json_decref(fields);
}

int main(void) {
  mg_config cfg;
  bot *b = NULL;

  if (!test_tmpdir(dir, sizeof dir, "t_curation")) { printf("Bail out! mkdtemp\n"); return 1; }
  test_config(&cfg, dir);
  if (bot_auth_init(err) || bot_new(&b, &cfg, err) || bot_worker_new(&w, b, err)) {
    printf("Bail out! %s\n", err);
    return 1;
  }
  if (bot_auth_user_add(bot_worker_db(w), "admin", "管理者", "admin", NULL, "admin password", "test", err)) {
    printf("Bail out! %s\n", err);
    return 1;
  }
  RUN(staff_may_change_their_own_departments_entry);
  RUN(staff_cannot_change_another_departments_entry);
  RUN(staff_cannot_move_entry_to_other_department);
  RUN(staff_cannot_create_entry_in_other_department);
  RUN(supervisors_and_admins_change_any_department);
  RUN(edit_adds_a_draft_and_its_audit_row);
  RUN(refused_change_leaves_no_revision_and_no_audit_row);
  RUN(supervisor_moves_entry_to_other_department);
  RUN(create_refuses_an_existing_id);
  RUN(create_without_id_takes_the_next_free_one);
  RUN(malformed_lists_are_invalid);
  RUN(new_related_ids_must_name_entries);
  RUN(alternate_must_be_one_line);
  RUN(known_alternate_changes_nothing);
  RUN(staff_cannot_add_alternate_to_other_department);
  RUN(publish_is_audited_with_the_versions);
  RUN(staff_cannot_publish_other_departments_entry);
  RUN(rollback_copies_an_old_version_and_publishes_a_live_entry);
  RUN(history_lists_versions_newest_first);
  RUN(diff_compares_published_with_newest_by_default);
  RUN(textdiff_folds_short_equal_runs_into_the_change);
  RUN(translations_count_missing_versions_per_department);
  RUN(staff_import_only_into_their_department);
  RUN(phrasing_decisions_need_a_candidate);
  RUN(staff_see_only_their_departments_tickets);
  RUN(unknown_ticket_is_not_found);
  RUN(staff_canned_replies_are_their_departments);
  RUN(nobody_gives_up_their_own_admin_access);
  RUN(residents_read_published_text_only);

  bot_worker_free(w);
  bot_free(b);
  test_rmdir(dir);
  return done_testing();
}
