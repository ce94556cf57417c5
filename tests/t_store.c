/* The store: migrations, revisions and publishing, the FTS5 index kept in
 * sync by triggers (an edit is found at once, a draft never is), immutable
 * revisions, departments, the sample FAQ on first open, and the index
 * rebuilt when the analysis fingerprint changes. Uses the real MeCab
 * analysis configured by the build (MG_DICT_DIR, MG_MECAB_DICDIR). */
#include "faq/analyze.h"
#include "faq/db.h"
#include "util/mg_config.h"
#include "util/mg_err.h"
#include "faq/store.h"
#include "tests/tap.h"
#include "tests/testenv.h"

#include <stdlib.h>
#include <unistd.h>

static char dir[64];

/* How many published entries the index finds for an FTS5 string. */
static int matches(sqlite3 *db, const char *text) {
  char q[256];
  snprintf(q, sizeof q, "\"%s\"", text);
  return test_int(db, "SELECT count(*) FROM faq_fts WHERE faq_fts MATCH ?1", q);
}

static int integrity(sqlite3 *db) {
  return sqlite3_exec(db, "INSERT INTO faq_fts(faq_fts, rank) VALUES('integrity-check', 1)", NULL, NULL, NULL);
}

static int count_cb(void *ctx, const mg_faq_entry *e) {
  (*(int *)ctx)++;
  return 0;
}

static int count(sqlite3 *db, const char *dept, const char *cat, const char *status, const char *search) {
  mg_faq_filter f = { .department = dept, .category = cat, .status = status, .search = search };
  char err[MG_ERRLEN];
  int n = 0;
  if (faq_list(db, &f, count_cb, &n, err)) return -1;
  return n;
}

/* The fixture: the language and an in-memory database; the revision,
 * remove and related tests edit it in order (t-1 is made, edited, published,
 * rolled back, then removed). */
static mg_lang *lang;
static sqlite3 *db;

static void in_memory_database_starts_migrated_and_empty(void) {
  ok(faq_db_version(db) >= 1, "migrations applied (version %d)", faq_db_version(db));
  is_int(test_int(db, "SELECT count(*) FROM faq", NULL), 0, "an in-memory database starts empty");
}

static void edits_wait_as_drafts_while_the_published_text_answers(void) {
  char err[MG_ERRLEN] = "";
  mg_department d = { "kankyo", "環境衛生課", "0897-00-0000", "k@example.jp", "平日", "本庁" };
  char *alts[] = { "大きなごみを捨てたい" }, *kws[] = { "粗大ごみ" };
  mg_faq_entry e = { .id = "t-1", .question = "粗大ごみの出し方を教えてください", .answer = "申し込みが必要です。",
                     .alternates = alts, .n_alternates = 1, .keywords = kws, .n_keywords = 1,
                     .category = "ごみ", .department_id = "kankyo" };
  mg_faq_entry *got = NULL;
  int changed = -1;

  is_int(faq_department_put(db, &d, err), 0, "department stored (%s)", err);
  is_int(faq_put_ex(db, &e, "tester", 1, &changed, err), 0, "new entry stored and published (%s)", err);
  is_int(changed, 1, "a new entry counts as a change");
  ok(matches(db, "粗大ごみ") == 1, "published text is indexed at once");
  is_int(count(db, NULL, NULL, NULL, "粗大ごみ 出し方"), 1, "list --search finds it by two words");

  is_int(faq_put_ex(db, &e, "tester", 1, &changed, err), 0, "same content again");
  is_int(changed, 0, "identical content adds no revision");

  e.question = "犬の登録をしたい";
  e.answer = "保健所ではなく市で登録します。";
  e.n_alternates = 0, e.n_keywords = 0;
  is_int(faq_put(db, &e, "editor", 0, err), 0, "edit saved as a draft (%s)", err);
  ok(matches(db, "犬") == 0, "draft text does not answer");
  ok(matches(db, "粗大ごみ") == 1, "published text still answers while a draft waits");
  is_int(faq_get(db, "t-1", MG_FAQ_LATEST, &got, err), 0, "latest revision read");
  if (got) {
    is_int(got->version, 2, "latest is version 2");
    is_int(got->published_version, 1, "version 1 is published");
    is_str(got->status, "published+draft", "status shows the waiting draft");
    is_str(got->updated_by, "editor", "updated_by recorded");
    is_str(got->dept.phone, "0897-00-0000", "department details filled");
  }
  faq_entry_free(got);
  is_int(faq_get(db, "t-1", MG_FAQ_PUBLISHED, &got, err), 0, "published revision read");
  if (got) is_str(got->question, "粗大ごみの出し方を教えてください", "published text is the old one");
  if (got) is_int(got->n_alternates, 1, "alternates come back as a list");
  faq_entry_free(got);
  is_int(count(db, NULL, NULL, "published+draft", NULL), 1, "list filters by status");
}

static void publish_and_rollback_swap_the_indexed_text(void) {
  char err[MG_ERRLEN] = "";
  is_int(faq_publish(db, "t-1", 0, "chief", err), 0, "publish newest (%s)", err);
  ok(matches(db, "犬") == 1, "new text matches at once after publish");
  ok(matches(db, "粗大ごみ") == 0, "old text no longer matches");
  is_int(integrity(db), SQLITE_OK, "FTS5 integrity-check passes after edits");

  is_int(faq_publish(db, "t-1", 1, "chief", err), 0, "roll back to version 1");
  ok(matches(db, "粗大ごみ") == 1 && matches(db, "犬") == 0, "rollback swaps the indexed text");
  is_int(faq_publish(db, "t-1", 9, "chief", err), MG_ENOTFOUND, "publishing a missing version fails");
  ok(sqlite3_exec(db, "UPDATE faq_revision SET answer = 'x'", NULL, NULL, NULL) != SQLITE_OK,
     "revisions are immutable");
}

static void invalid_entries_are_refused_and_drafts_never_indexed(void) {
  char err[MG_ERRLEN] = "";
  mg_faq_entry e = { .id = "t-2", .question = "q", .answer = "a", .department_id = "nosuch" };
  mg_faq_entry *got = NULL;
  is_int(faq_put(db, &e, "x", 1, err), MG_ENOTFOUND, "unknown department is refused");
  ok(strstr(err, "nosuch") != NULL, "the error names the department (%s)", err);
  e.department_id = NULL, e.id = "bad id";
  is_int(faq_put(db, &e, "x", 1, err), MG_EINVAL, "an id with a space is refused");
  e.id = "t-2", e.question = "";
  is_int(faq_put(db, &e, "x", 1, err), MG_EINVAL, "an empty question is refused");
  e.question = "公民館の予約方法", e.answer = "窓口で予約できます。";
  is_int(faq_put(db, &e, "x", 0, err), 0, "draft-only entry stored");
  is_int(faq_get(db, "t-2", MG_FAQ_PUBLISHED, &got, err), MG_ENOTFOUND, "never-published entry has no published text");
  is_int(count(db, NULL, NULL, "draft", NULL), 1, "status filter: draft");
  is_int(count(db, "kankyo", NULL, NULL, NULL), 1, "department filter");
  is_int(count(db, NULL, "ごみ", NULL, NULL), 1, "category filter");
  ok(matches(db, "公民館") == 0, "a draft is never indexed");
}

static void removed_entry_leaves_the_index(void) {
  char err[MG_ERRLEN] = "";
  mg_faq_entry *got = NULL;
  is_int(faq_remove(db, "t-1", "x", err), 0, "remove (%s)", err);
  is_int(faq_get(db, "t-1", MG_FAQ_LATEST, &got, err), MG_ENOTFOUND, "removed entry is gone");
  ok(matches(db, "粗大ごみ") == 0, "removed entry no longer matches");
  is_int(integrity(db), SQLITE_OK, "integrity-check passes after remove");
  is_int(faq_remove(db, "t-1", "x", err), MG_ENOTFOUND, "removing twice reports not found");
}

/* Related entries: kept in order with each revision (a change of the list
 * alone is a new revision, a repeat is kept once), never the entry's own,
 * checked against the entries that exist, and shown only when published. */
static void related_entries_keep_their_order_and_show_once_published(void) {
  char err[MG_ERRLEN] = "";
  char *rel[] = { "rel-b", "rel-c", "rel-gone", "rel-b" }, *self[] = { "rel-a" }, *bad[] = { "no id" };
  mg_faq_entry a = { .id = "rel-a", .question = "転入届はどこで出せますか", .answer = "市民課です。",
                     .related = rel, .n_related = 4 };
  mg_faq_entry b = { .id = "rel-b", .question = "転出届はどこで出せますか", .answer = "市民課です。" };
  mg_faq_entry c = { .id = "rel-c", .question = "住民票の写しはどこで取れますか", .answer = "市民課です。" };
  mg_faq_entry *got = NULL;
  int changed = -1;

  is_int(faq_put(db, &b, "x", 1, err), 0, "rel-b published (%s)", err);
  is_int(faq_put(db, &c, "x", 0, err), 0, "rel-c stored as a draft only (%s)", err);
  is_int(faq_put(db, &a, "x", 1, err), 0, "an entry naming an entry that does not exist is stored (%s)", err);
  is_int(faq_get(db, "rel-a", MG_FAQ_PUBLISHED, &got, err), 0, "read back");
  if (got) {
    is_int(got->n_related, 3, "related ids come back, a repeated one once");
    if (got->n_related == 3) ok(!strcmp(got->related[0], "rel-b") && !strcmp(got->related[2], "rel-gone"), "in order");
  }
  faq_entry_free(got);
  got = NULL;

  is_int(faq_publish(db, "rel-c", 0, "x", err), 0, "rel-c published later");
  is_int(faq_get(db, "rel-a", MG_FAQ_PUBLISHED, &got, err), 0, "read again");
  if (got) {
    is_int(faq_related_check(db, got, err), MG_EINVAL, "a person's list naming a missing entry is refused");
    ok(strstr(err, "関連するFAQ「rel-gone」はありません") != NULL, "... in Japanese, naming it (%s)", err);
  }
  faq_entry_free(got);
  got = NULL;

  a.n_related = 2;
  is_int(faq_related_check(db, &a, err), 0, "existing ids pass the check, drafts too (%s)", err);
  is_int(faq_put_ex(db, &a, "x", 0, &changed, err), 0, "a change of the related list alone");
  is_int(changed, 1, "... is a new revision");
  is_int(faq_get(db, "rel-a", MG_FAQ_LATEST, &got, err), 0, "the draft read");
  if (got) is_int(got->n_related, 2, "the draft has the new list");
  if (got) is_str(got->status, "published+draft", "and waits for publishing");
  faq_entry_free(got);
  got = NULL;
  is_int(faq_get(db, "rel-a", MG_FAQ_PUBLISHED, &got, err), 0, "the published revision read");
  if (got) is_int(got->n_related, 3, "still answers with its own list");
  faq_entry_free(got);

  a.related = self, a.n_related = 1;
  is_int(faq_put(db, &a, "x", 0, err), MG_EINVAL, "an entry cannot list itself");
  ok(strstr(err, "自分自身") != NULL, "... says why (%s)", err);
  is_int(faq_related_check(db, &a, err), MG_EINVAL, "the check refuses it too");
  a.related = bad;
  is_int(faq_put(db, &a, "x", 0, err), MG_EINVAL, "a related id that is no id is refused");
}

static int count_events(sqlite3 *db, const char *event) {
  mg_faq_filter f = { .published_text = 1, .life_events_with = event };
  char err[MG_ERRLEN];
  int n = 0;
  if (faq_list(db, &f, count_cb, &n, err)) return -1;
  return n;
}

static void a_checklist_lists_only_the_published_entries_naming_its_event(void) {
  char err[MG_ERRLEN] = "";
  mg_faq_entry in = { .id = "ev-in", .question = "転入届の出し方", .answer = "市民課です。", .life_events = "転入\n出生" };
  mg_faq_entry none = { .id = "ev-none", .question = "犬の登録の仕方", .answer = "環境衛生課です。" };
  mg_faq_entry draft = { .id = "ev-draft", .question = "転入したら国保", .answer = "保険年金課です。", .life_events = "転入" };
  int all = count_events(db, NULL);
  is_int(faq_put(db, &in, "x", 1, err), 0, "an entry of two life events published (%s)", err);
  is_int(faq_put(db, &none, "x", 1, err), 0, "an entry of none published (%s)", err);
  is_int(faq_put(db, &draft, "x", 0, err), 0, "a draft naming 転入 (%s)", err);
  is_int(count_events(db, NULL), all + 2, "without the filter every published entry is listed");
  is_int(count_events(db, "転入"), 1, "転入: the published entry naming it, not the draft");
  is_int(count_events(db, "出生"), 1, "出生: its second line counts");
  is_int(count_events(db, "死亡"), 0, "an event no entry names lists nothing");
}

static void new_file_database_gets_the_sample_once(void) {
  mg_config cfg;
  sqlite3 *db = NULL;
  char err[MG_ERRLEN] = "";
  int n;
  test_config(&cfg, dir);
  unlink(cfg.db_path);
  is_int(faq_db_open(&db, &cfg, lang, err), 0, "file database created (%s)", err);
  n = test_int(db, "SELECT count(*) FROM faq", NULL);
  ok(n >= 150, "the sample FAQ is loaded into a new database (%d entries)", n);
  is_int(test_int(db, "SELECT count(*) FROM faq WHERE published_rev IS NULL", NULL), 0, "sample entries are published");
  ok(matches(db, "住民票") > 0, "sample is searchable");
  is_int(test_int(db, "PRAGMA foreign_keys", NULL), 1, "foreign keys are on");
  faq_db_close(db);

  is_int(faq_db_open(&db, &cfg, lang, err), 0, "reopened");
  is_int(test_int(db, "SELECT count(*) FROM faq", NULL), n, "the sample is not loaded twice");
  sqlite3_exec(db, "UPDATE faq SET published_rev = NULL; DELETE FROM faq_revision; DELETE FROM faq", NULL, NULL, NULL);
  faq_db_close(db);
  is_int(faq_db_open(&db, &cfg, NULL, err), 0, "opened without a language (%s)", err);
  is_int(test_int(db, "SELECT count(*) FROM faq", NULL), 0, "a city that emptied its FAQ does not get the sample back");
  faq_db_close(db);

  unlink(cfg.db_path);
  is_int(faq_db_open(&db, &cfg, NULL, err), 0, "a new file opened without a language is set up (%s)", err);
  is_int(test_int(db, "SELECT count(*) FROM faq", NULL), n, "... with the sample");
  faq_db_close(db);
}

/* A different dict/ gives a different fingerprint: the index is rebuilt. */
static void changed_analysis_rebuilds_the_index(void) {
  mg_config cfg;
  mg_lang *other = NULL;
  sqlite3 *db = NULL;
  char err[MG_ERRLEN] = "", cmd[2 * MG_PATHLEN + 256];
  test_config(&cfg, dir);
  snprintf(cmd, sizeof cmd, "cp -r '%s' '%s/dict' && echo 出し方 >> '%s/dict/stopwords.txt'", cfg.dict_dir, dir, dir);
  if (system(cmd) != 0) { ok(0, "copy dict/"); return; }
  snprintf(cfg.dict_dir, sizeof cfg.dict_dir, "%s/dict", dir);
  is_int(faq_lang_new(&other, &cfg, err), 0, "second language (%s)", err);
  if (!other) return;
  ok(strcmp(faq_lang_fingerprint(lang), faq_lang_fingerprint(other)) != 0, "changed stopwords change the fingerprint");
  is_int(faq_db_open(&db, &cfg, other, err), 0, "open with the changed analysis (%s)", err);
  is_int(test_int(db, "SELECT value = ?1 FROM meta WHERE key = 'fingerprint'", faq_lang_fingerprint(other)), 1,
         "the new fingerprint is stored");
  is_int(integrity(db), SQLITE_OK, "the rebuilt index passes integrity-check");
  /* An edit after the change must delete exactly what the rebuild indexed. */
  is_int(sqlite3_exec(db, "UPDATE faq SET published_rev = NULL WHERE ext_id = (SELECT min(ext_id) FROM faq)", NULL,
                      NULL, NULL), SQLITE_OK, "unpublish one entry");
  is_int(integrity(db), SQLITE_OK, "integrity-check still passes");
  faq_db_close(db);
  faq_lang_free(other);
}

int main(void) {
  mg_config cfg;
  char err[MG_ERRLEN] = "";

  if (!test_tmpdir(dir, sizeof dir, "mg_t_store")) return 1;
  test_config(&cfg, dir);
  is_int(faq_lang_new(&lang, &cfg, err), 0, "language loads (%s)", err);
  if (!lang) return done_testing();
  is_int(faq_db_open_memory(&db, lang, err), 0, "in-memory database (%s)", err);
  if (!db) return done_testing();
  RUN(in_memory_database_starts_migrated_and_empty);
  RUN(edits_wait_as_drafts_while_the_published_text_answers);
  RUN(publish_and_rollback_swap_the_indexed_text);
  RUN(invalid_entries_are_refused_and_drafts_never_indexed);
  RUN(removed_entry_leaves_the_index);
  RUN(related_entries_keep_their_order_and_show_once_published);
  RUN(a_checklist_lists_only_the_published_entries_naming_its_event);
  faq_db_close(db);
  db = NULL;
  RUN(new_file_database_gets_the_sample_once);
  RUN(changed_analysis_rebuilds_the_index);
  faq_lang_free(lang);
  snprintf(err, sizeof err, "rm -rf '%s'", dir);
  if (system(err) != 0) diag("could not remove %s", dir);
  return done_testing();
}
