/* Import and export: each fixture in tests/data/csv and tests/data/json pins
 * one behaviour — RFC 4180 quoting, BOM and CRLF, CP932, the column map,
 * every kind of bad row with its line number, all-or-nothing, idempotent
 * re-import, and export that Excel opens and that imports back unchanged. */
#include "faq/analyze.h"
#include "bot/tables.h"
#include "faq/db.h"
#include "faq/io_int.h"
#include "util/mg_config.h"
#include "faq/store.h"
#include "tests/tap.h"
#include "tests/testenv.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static char datadir[MG_PATHLEN];
static char path[MG_PATHLEN + 64];

static const char *fixture(const char *name) {
  snprintf(path, sizeof path, "%s/%s", datadir, name);
  return path;
}

static int int_query(sqlite3 *db, const char *q) { return test_int(db, q, NULL); }

/* Does any reported error end with "NAME:LINE: reason..." as given? */
static int has_error(const mg_io_report *rep, const char *want) {
  for (int i = 0; i < rep->n_errors; i++)
    if (strstr(rep->errors[i], want)) return 1;
  return 0;
}

static void dump_errors(const mg_io_report *rep) {
  for (int i = 0; i < rep->n_errors; i++) diag("%s", rep->errors[i]);
}

/* The fixture: the language, and the in-memory database the import and
 * export tests fill in order (the bad, related, export and formula tests
 * build on what good.csv put there). */
static mg_lang *lang;
static sqlite3 *db;

static int import(sqlite3 *db, const char *name, const mg_io_opts *o, mg_io_report *rep) {
  char err[MG_ERRLEN] = "";
  int rc = faq_io_import(db, fixture(name), o, rep, err);
  if (rc && !rep->n_errors) diag("%s: %s", name, err);
  return rc;
}

static char *export(sqlite3 *db, const mg_io_opts *o) {
  char *buf = NULL, err[MG_ERRLEN];
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (faq_io_export(db, f, o, err)) diag("export: %s", err);
  fclose(f);
  return buf;
}

static void good_csv_imports_entries_and_departments(void) {
  mg_io_report rep;
  mg_faq_entry *e = NULL;
  mg_department d;
  char err[MG_ERRLEN];
  is_int(import(db, "csv/good.csv", NULL, &rep), 0, "good.csv imports");
  dump_errors(&rep);
  is_int(rep.added, 3, "three entries added");
  is_int(rep.departments, 2, "two departments created from the rows");
  if (faq_get(db, "t-0001", MG_FAQ_PUBLISHED, &e, err) == 0) {
    is_str(e->answer, "市民課の窓口で取れます。手数料は1通300円です（\"サンプル\"）。", "doubled quotes and commas in a quoted cell");
    is_int(e->n_alternates, 2, "alternates: one per line in the cell");
    is_int(e->n_keywords, 3, "keywords separated by 、");
    if (e->n_keywords == 3) is_str(e->keywords[2], "手数料", "third keyword");
    is_str(e->updated_at, "2024-03-31T15:00:00Z", "更新日 is a date in Tokyo, stored as UTC");
    is_str(e->dept.hours, "平日 8:30〜17:15", "department hours from the row");
  } else ok(0, "t-0001 is published (%s)", err);
  faq_entry_free(e);
  if (faq_get(db, "t-0002", MG_FAQ_LATEST, &e, err) == 0) {
    is_str(e->answer, "事前に申し込みが必要です。\n収集日に玄関先へ出してください。", "newline inside a quoted cell");
    is_int(e->n_keywords, 2, "keywords one per line");
    is_str(e->updated_at, "2024-03-31T15:00:00Z", "YYYY/M/D as Excel rewrites dates is accepted");
  } else ok(0, "t-0002 read (%s)", err);
  faq_entry_free(e);
  if (faq_get(db, "t-0003", MG_FAQ_LATEST, &e, err) == 0) is_str(e->status, "draft", "下書き imports as a draft");
  else ok(0, "t-0003 read (%s)", err);
  faq_entry_free(e);
  if (faq_department_get(db, "kankyo", &d, err) == 0) is_str(d.phone, "0897-00-0001", "department phone");
  else ok(0, "kankyo stored (%s)", err);
  faq_department_clear(&d);

  is_int(import(db, "csv/good.csv", NULL, &rep), 0, "re-import");
  is_int(rep.unchanged, 3, "re-importing the same file changes nothing");
  is_int(int_query(db, "SELECT count(*) FROM faq_revision"), 3, "no new revisions");
  is_int(import(db, "csv/good-bom-crlf.csv", NULL, &rep), 0, "BOM and CRLF file imports");
  is_int(rep.unchanged, 3, "... with the same content as the LF file");
  is_int(import(db, "csv/good-cp932.csv", NULL, &rep), 0, "CP932 file is detected and imports");
  is_int(rep.unchanged, 3, "... with the same entry content");
  ok(rep.departments == 1, "CP932 has no 〜 (WAVE DASH): the hours come back as ～ (%d changed)", rep.departments);
}

static void encoding_flag_chooses_utf8_or_cp932(void) {
  mg_io_report rep;
  mg_io_opts utf8 = { .encoding = "utf-8" }, sjis = { .encoding = "cp932" };
  is_int(import(db, "csv/good-cp932.csv", &utf8, &rep), MG_EBADUTF8, "--encoding utf-8 refuses a CP932 file");
  ok(has_error(&rep, "good-cp932.csv 1行目: UTF-8 として読めません"), "... naming the first bad line");
  dump_errors(&rep);
  is_int(import(db, "csv/good-cp932.csv", &sjis, &rep), 0, "--encoding cp932 reads it");
  is_int(import(db, "csv/bad-encoding.csv", NULL, &rep), MG_EBADUTF8, "neither UTF-8 nor CP932 is refused");
  ok(has_error(&rep, "bad-encoding.csv 2行目: UTF-8 としても CP932"), "... with its line");
}

static void header_map_names_their_columns_ours(void) {
  mg_io_report rep;
  mg_io_opts inline_map = { .map = "No.=ID,Question=質問,Answer=回答,Section=担当部署ID" };
  mg_io_opts file_map = { .map = NULL };
  mg_io_opts bad_map = { .map = "Question=問い" };
  char err[MG_ERRLEN];
  is_int(import(db, "csv/mapped.csv", NULL, &rep), MG_ECSV, "own header names without a map fail");
  ok(has_error(&rep, "mapped.csv 1行目: 必須の列「ID」がありません"), "... saying which column is missing");
  is_int(import(db, "csv/mapped.csv", &inline_map, &rep), 0, "--map 'Theirs=ours,...' maps the header");
  is_int(rep.added, 2, "both rows added; the unknown column 備考/Remarks is ignored");
  file_map.map = strdup(fixture("csv/map.json"));
  is_int(import(db, "csv/mapped.csv", &file_map, &rep), 0, "--map FILE.json maps the header");
  is_int(rep.unchanged, 2, "... to the same content");
  free((char *)file_map.map);
  is_int(faq_io_import(db, fixture("csv/mapped.csv"), &bad_map, &rep, err), MG_EINVAL, "a map onto an unknown column fails");
  ok(strstr(err, "問い") != NULL, "... naming it (%s)", err);
}

static void bad_csv_rows_name_file_and_line_and_write_nothing(void) {
  mg_io_report rep;
  int before = int_query(db, "SELECT count(*) FROM faq_revision");
  is_int(import(db, "csv/bad-rows.csv", NULL, &rep), MG_ECSV, "bad-rows.csv is refused");
  is_int(rep.n_errors, 7, "every bad row is reported");
  dump_errors(&rep);
  ok(has_error(&rep, "bad-rows.csv 4行目: 「質問」が空です"), "empty question, line counted after a multi-line cell");
  ok(has_error(&rep, "bad-rows.csv 5行目: 「更新日」の「2024-02-30」は日付として読めません"), "impossible date");
  ok(has_error(&rep, "bad-rows.csv 6行目: 「公開状態」の「非公開」は使えません"), "unknown status");
  ok(has_error(&rep, "bad-rows.csv 7行目: 「ID」の「b-1」は2行目で使われています"), "duplicate id");
  ok(has_error(&rep, "bad-rows.csv 8行目: 「ID」の「b 6」は使えません"), "id with a space");
  ok(has_error(&rep, "bad-rows.csv 9行目: セルが3個ありますが、見出しは6列です"), "short row");
  ok(has_error(&rep, "bad-rows.csv 10行目: 引用符で囲まれていないセルの中に"), "stray quote");
  is_int(int_query(db, "SELECT count(*) FROM faq_revision"), before, "nothing was imported (not even row 2)");

  is_int(import(db, "csv/bad-quote.csv", NULL, &rep), MG_ECSV, "unterminated quote is refused");
  ok(has_error(&rep, "bad-quote.csv 3行目: 引用符（\"）が閉じていません"), "... at the line where the cell opens");
  is_int(import(db, "csv/bad-header.csv", NULL, &rep), MG_ECSV, "missing 回答 column is refused");
  ok(has_error(&rep, "bad-header.csv 1行目: 必須の列「回答」がありません"), "... naming the column");
  is_int(import(db, "csv/bad-department.csv", NULL, &rep), MG_ECSV, "unknown department is refused");
  ok(has_error(&rep, "bad-department.csv 3行目: 部署ID「nosuch」は登録されていません"), "... with its line");
  is_int(int_query(db, "SELECT count(*) FROM faq WHERE ext_id = 'd-1'"), 0, "all or nothing: the good row d-1 was rolled back");
  /* issue 14: every bad row at once, in row order, whatever pass found it */
  is_int(import(db, "csv/bad-mixed.csv", NULL, &rep), MG_ECSV, "a file with three bad rows is refused");
  is_int(rep.n_errors, 3, "all three are reported, not only the first kind");
  ok(strstr(rep.errors[0], "2行目: 部署ID「nosuch」") != NULL, "row 2 first: %s", rep.errors[0]);
  ok(strstr(rep.errors[1], "3行目: 「質問」が空です") != NULL, "then row 3: %s", rep.errors[1]);
  ok(strstr(rep.errors[2], "4行目: 部署ID「nowhere」") != NULL, "then row 4: %s", rep.errors[2]);
  is_int(import(db, "csv/bad-municipality.csv", NULL, &rep), MG_ECSV, "a wrong check digit is refused");
  ok(has_error(&rep, "bad-municipality.csv 2行目: 「全国地方公共団体コード」の「382061」"), "... naming the code");
  is_int(sqlite3_exec(db, "INSERT INTO faq_fts(faq_fts, rank) VALUES('integrity-check', 1)", NULL, NULL, NULL),
         SQLITE_OK, "index intact after rollbacks");
}

/* A cell a spreadsheet would run as a formula is exported behind an
 * apostrophe, and import gives back the text as it was. */
static void formula_cells_export_behind_an_apostrophe_and_import_back(void) {
  mg_io_opts csv = { .format = "csv" };
  mg_faq_entry *base = NULL, *back = NULL, e;
  char err[MG_ERRLEN], tmp[] = "/tmp/mg_t_io_formula.XXXXXX", *a = NULL;
  sqlite3 *fresh = NULL;
  mg_io_report rep;
  int fd;

  if (faq_get(db, "t-0001", MG_FAQ_LATEST, &base, err) != 0) { ok(0, "t-0001 exists (%s)", err); return; }
  e = *base;
  e.id = "t-0900";
  e.question = "=HYPERLINK(\"http://example.invalid\",\"ここをクリック\")";
  e.answer = "@SUM(1+1) と -1 と '=だけの行";
  is_int(faq_put(db, &e, "test", 1, err), 0, "an entry whose text starts like a formula (%s)", err);
  a = export(db, &csv);
  ok(a && strstr(a, ",\"'=HYPERLINK(") && strstr(a, ",'@SUM(1+1)"), "exported behind an apostrophe");
  if ((fd = mkstemp(tmp)) >= 0 && a && write(fd, a, strlen(a)) == (ssize_t)strlen(a)) {
    close(fd);
    faq_db_open_memory(&fresh, lang, err);
    is_int(faq_io_import(fresh, tmp, &csv, &rep, err), 0, "and imports again (%s)", err);
    if (faq_get(fresh, "t-0900", MG_FAQ_LATEST, &back, err) == 0) {
      is_str(back->question, e.question, "with the question as it was");
      is_str(back->answer, e.answer, "and the answer as it was");
    } else ok(0, "t-0900 came back (%s)", err);
    faq_entry_free(back);
    faq_db_close(fresh);
  }
  unlink(tmp);
  free(a);
  faq_entry_free(base);
}

/* online_url and the checklist fields survive an export and an import in
 * each format (CSV: their own columns; JSON: life_events as an array). */
static void online_url_and_checklist_fields_survive_export_and_import(void) {
  static const char *const fmt[] = { "csv", "json" };
  static const char *const want[FAQ_N_KEPT] = { "https://e.example/apply", "転入\n転出 if car and !nhi",
                                                 "本人確認書類\n印鑑", "14日以内", "無料" };
  mg_faq_entry *base = NULL, e;
  char err[MG_ERRLEN];
  if (faq_get(db, "t-0001", MG_FAQ_LATEST, &base, err) != 0) { ok(0, "t-0001 exists (%s)", err); return; }
  e = *base;
  e.id = "t-0901";
  for (int i = 0; i < FAQ_N_KEPT; i++) *faq_kept_field(&e, i) = (char *)want[i];
  is_int(faq_put(db, &e, "test", 1, err), 0, "an entry with the checklist fields (%s)", err);
  for (int f = 0; f < 2; f++) {
    mg_io_opts o = { .format = fmt[f] };
    char tmp[] = "/tmp/mg_t_io_check.XXXXXX", *a = export(db, &o);
    mg_faq_entry *back = NULL;
    sqlite3 *fresh = NULL;
    mg_io_report rep;
    int fd = mkstemp(tmp);
    if (fd >= 0 && a && write(fd, a, strlen(a)) == (ssize_t)strlen(a)) {
      close(fd);
      faq_db_open_memory(&fresh, lang, err);
      is_int(faq_io_import(fresh, tmp, &o, &rep, err), 0, "%s: imports again (%s)", fmt[f], err);
      if (faq_get(fresh, "t-0901", MG_FAQ_LATEST, &back, err) == 0)
        for (int i = 0; i < FAQ_N_KEPT; i++)
          is_str(*faq_kept_field(back, i), want[i], "%s: %s round-trips", fmt[f], faq_kept_key[i]);
      else ok(0, "%s: t-0901 came back (%s)", fmt[f], err);
      faq_entry_free(back);
      faq_db_close(fresh);
    } else ok(0, "%s: export written", fmt[f]);
    unlink(tmp);
    free(a);
  }
  faq_remove(db, "t-0901", "test", err);
  faq_entry_free(base);
}

static void export_writes_the_standard_columns_and_imports_back(void) {
  mg_io_opts csv = { .format = "csv" }, nobom = { .format = "csv", .no_bom = 1 }, json = { .format = "json" };
  char *a = export(db, &csv), *b = NULL, *c = export(db, &nobom), *j = export(db, &json), *j2 = NULL, err[MG_ERRLEN];
  char tmp[] = "/tmp/mg_t_io.XXXXXX";
  sqlite3 *fresh = NULL;
  mg_io_report rep;
  int fd = mkstemp(tmp);
  static const char head[] = "\xef\xbb\xbf全国地方公共団体コード,ID,地方公共団体名,質問,回答,";
  ok(a && strncmp(a, head, strlen(head)) == 0, "export starts with a BOM and the standard leading columns");
  ok(a && strstr(a, "回答（やさしい日本語）\r\n382060,") != NULL, "records end with CRLF");
  ok(a && strstr(a, "\"住民票がほしい\n住民票 発行\"") != NULL, "alternates: one per line in a quoted cell");
  ok(a && strstr(a, ",住民票、写し、手数料,") != NULL, "keywords joined by 、");
  ok(a && strstr(a, ",r-2,西条市,転出届はどこで出せますか,市民課の窓口です。,,,r-1、r-3,") != NULL,
     "related ids joined by 、 in 関連FAQ, after キーワード");
  ok(j && strstr(j, "\"related\": [\n        \"r-2\",\n        \"r-3\"\n      ]") != NULL, "JSON: related as an array of ids");
  ok(a && strstr(a, ",2024-04-01,公開") != NULL, "dates in Tokyo as YYYY-MM-DD");
  ok(c && strncmp(c, "全国", 6) == 0, "--no-bom leaves the BOM out");
  ok(j && strstr(j, "\"format\": \"madoguchi-faq/1\"") != NULL, "JSON export names its format");
  {
    mg_io_opts pub = { .format = "csv", .published = 1 };
    char *p = export(db, &pub);
    ok(a && strstr(a, ",t-0003,") && p && strstr(p, ",t-0001,") && !strstr(p, ",t-0003,"),
       "--published leaves out entries that never answered");
    free(p);
  }

  /* CSV export → import into a new database → the same export */
  if (fd >= 0 && a && write(fd, a, strlen(a)) == (ssize_t)strlen(a)) {
    close(fd);
    faq_db_open_memory(&fresh, lang, err);
    is_int(faq_io_import(fresh, tmp, &csv, &rep, err), 0, "its own export imports (%s)", err);
    b = export(fresh, &csv);
    is_str(b, a, "CSV round trip is exact");
    faq_db_close(fresh);
  }
  fd = open(tmp, O_WRONLY | O_TRUNC);
  if (fd >= 0 && j && write(fd, j, strlen(j)) == (ssize_t)strlen(j)) {
    close(fd);
    faq_db_open_memory(&fresh, lang, err);
    is_int(faq_io_import(fresh, tmp, &json, &rep, err), 0, "its own JSON export imports (%s)", err);
    j2 = export(fresh, &json);
    is_str(j2, j, "JSON round trip is exact");
    faq_db_close(fresh);
  }
  unlink(tmp);
  free(a); free(b); free(c); free(j); free(j2);
}

static void json_imports_and_names_each_bad_field(void) {
  mg_io_report rep;
  mg_faq_entry *e = NULL;
  char err[MG_ERRLEN];
  is_int(import(db, "json/good.json", NULL, &rep), 0, "good.json imports (format from the name)");
  is_int(rep.added, 2, "two entries");
  if (faq_get(db, "j-2", MG_FAQ_LATEST, &e, err) == 0) is_str(e->status, "draft", "status draft");
  else ok(0, "j-2 read (%s)", err);
  faq_entry_free(e);
  is_int(import(db, "json/bad-fields.json", NULL, &rep), MG_EBADJSON, "bad fields are refused");
  is_int(rep.n_errors, 4, "each bad field reported");
  dump_errors(&rep);
  ok(has_error(&rep, "entries の1件目（j-1）: 「question」がありません"), "missing question");
  ok(has_error(&rep, "entries の2件目（j-2）: 状態「live」は使えません"), "bad status");
  ok(has_error(&rep, "entries の3件目（j-3）: 日付「"), "bad date");
  ok(has_error(&rep, "entries の4件目（j-4）: 「alternates」は文字列の配列で書いてください"), "wrong type");
  is_int(import(db, "json/bad-department.json", NULL, &rep), MG_EBADJSON, "an unknown department is refused");
  ok(has_error(&rep, "bad-department.json: ID「j-9」: 部署ID「nosuch」は登録されていません"), "... naming the entry");
  is_int(import(db, "json/bad-syntax.json", NULL, &rep), MG_EBADJSON, "a syntax error is refused");
  ok(has_error(&rep, "bad-syntax.json 4行目: JSONの書き方に誤りがあります"), "... with its line, in Japanese");
}

/* Related entries (関連FAQ / "related"): ids separated like keywords, rows
 * that name rows further down, and every bad id refused with its row —
 * unknown ones after the whole file is read, the entry's own, a bad id —
 * whether the rows have other errors or not, in CSV and JSON. */
static void related_ids_are_checked_after_the_whole_file(void) {
  mg_io_report rep;
  mg_faq_entry *e = NULL;
  char err[MG_ERRLEN];
  int revs;
  is_int(import(db, "csv/related.csv", NULL, &rep), 0, "related.csv imports (rows name rows further down)");
  dump_errors(&rep);
  if (faq_get(db, "r-1", MG_FAQ_PUBLISHED, &e, err) == 0) {
    is_int(e->n_related, 2, "two related ids separated by 、");
    if (e->n_related == 2) is_str(e->related[1], "r-3", "in the file's order");
  } else ok(0, "r-1 read (%s)", err);
  faq_entry_free(e);
  if (faq_get(db, "r-2", MG_FAQ_PUBLISHED, &e, err) == 0) {
    is_int(e->n_related, 2, "related ids one per line");
    if (e->n_related == 2) is_str(e->related[0], "r-1", "first line");
  } else ok(0, "r-2 read (%s)", err);
  faq_entry_free(e);

  revs = int_query(db, "SELECT count(*) FROM faq_revision");
  is_int(import(db, "csv/bad-related.csv", NULL, &rep), MG_ECSV, "bad related ids are refused");
  dump_errors(&rep);
  is_int(rep.n_errors, 4, "three bad related cells and one empty question");
  ok(has_error(&rep, "bad-related.csv 3行目: 「関連FAQ」の「nosuch-1」、「nosuch-2」は、このファイルにもデータベースにもないIDです"),
     "unknown ids, all of the row's, with its line");
  ok(has_error(&rep, "bad-related.csv 4行目: 「関連FAQ」に自分自身のID「b-3」は入れられません"), "an entry cannot list itself");
  ok(has_error(&rep, "bad-related.csv 5行目: 「関連FAQ」の「bad id!」はIDとして使えません"), "a cell that is no id");
  ok(!has_error(&rep, " 7行目"), "a row may name a row that has an error of its own: it is in the file");
  ok(!has_error(&rep, " 2行目"), "ids from the database and from rows further down are known");
  is_int(int_query(db, "SELECT count(*) FROM faq_revision"), revs, "nothing was written");

  is_int(import(db, "csv/bad-related-only.csv", NULL, &rep), MG_ECSV, "an unknown id alone refuses the file");
  ok(has_error(&rep, "bad-related-only.csv 3行目: 「関連FAQ」の「nosuch-3」は、このファイルにもデータベースにもないIDです"),
     "... found after reading the whole file");
  is_int(int_query(db, "SELECT count(*) FROM faq WHERE ext_id = 'c-1'"), 0, "all or nothing: c-1 was not written");

  is_int(import(db, "json/bad-related.json", NULL, &rep), MG_EBADJSON, "JSON: bad related ids are refused");
  dump_errors(&rep);
  is_int(rep.n_errors, 2, "JSON: two bad entries");
  ok(has_error(&rep, "ID「j-21」: 「関連FAQ」に自分自身のID「j-21」は入れられません"), "JSON: the entry's own id");
  ok(has_error(&rep, "ID「j-22」: 「関連FAQ」の「nosuch-4」は、このファイルにもデータベースにもないIDです"), "JSON: an unknown id");
  is_int(int_query(db, "SELECT count(*) FROM faq WHERE ext_id = 'j-20'"), 0, "JSON: nothing was written");
}

/* The two undo tests each get an in-memory database of their own, made
 * and closed around them by tap_each; bot's tables too, whose rows (a
 * ticket, a canned reply) name departments an undo must keep. */
static void fresh_database(void) {
  char err[MG_ERRLEN] = "";
  if (bot_db_open_memory(&db, lang, err)) ok(0, "open: %s", err);
}

static void close_database(void) {
  faq_db_close(db);
  db = NULL;
}

/* Chunked writing (faq/io_chunked.c): an import killed after its first
 * chunk leaves a journal that faq_io_recover undoes to the byte; while it
 * stands, another import is refused; the same file then imports whole. */
static void killed_chunked_import_is_undone_to_the_byte(void) {
  static const char csv[] =
    "ID,質問,回答,担当部署ID,担当部署名,電話番号,公開状態\n"
    "t-0001,住民票の写しはどの窓口で取れますか,本庁の市民課です。,shimin,市民課,0897-99-9999,公開\n"
    "n-1,新しい質問その1,答え1,shimin,市民課,0897-99-9999,公開\n"
    "n-2,新しい質問その2,答え2,shimin,市民課,0897-99-9999,公開\n"
    "n-3,新しい質問その3,答え3,shimin,市民課,0897-99-9999,公開\n"
    "n-4,新しい質問その4,答え4,shimin,市民課,0897-99-9999,公開\n"
    "n-5,新しい質問その5,答え5,shimin,市民課,0897-99-9999,下書き\n";
  char tmp[] = "/tmp/t_io_chunked_XXXXXX", err[MG_ERRLEN] = "";
  char *published = NULL, *newest = NULL, *after = NULL;
  mg_io_opts pub = { .format = "csv", .published = 1 }, all = { .format = "csv" };
  mg_io_opts killed = { .format = "csv", .chunk_rows = 2, .test_stop_after_chunks = 1 };
  mg_io_opts chunked = { .format = "csv", .chunk_rows = 2 };
  mg_io_report rep;
  int undone = -1, fd;

  if (!db) return;
  is_int(import(db, "csv/good.csv", NULL, &rep), 0, "chunked: the base set imports");
  published = export(db, &pub);
  newest = export(db, &all);
  if ((fd = mkstemp(tmp)) < 0 || write(fd, csv, sizeof csv - 1) != (ssize_t)(sizeof csv - 1)) { ok(0, "temp file"); goto out; }
  close(fd);

  is_int(faq_io_import(db, tmp, &killed, &rep, err), MG_EIO, "an import stopped after one chunk fails");
  dump_errors(&rep);
  is_int(int_query(db, "SELECT count(*) FROM faq_import WHERE state = 'writing'"), 1, "... and leaves its import 'writing'");
  is_int(int_query(db, "SELECT count(*) FROM faq WHERE ext_id = 'n-1'"), 1, "... with its first chunk written");
  is_int(int_query(db, "SELECT count(*) FROM faq WHERE ext_id = 'n-3'"), 0, "... and not the rest");
  is_int(faq_io_import(db, tmp, &chunked, &rep, err), MG_EBUSY, "another import waits while one is written");

  is_int(faq_io_recover(db, 0, &undone, err), 0, "recovery runs (%s)", err);
  is_int(undone, 1, "... and undoes the dead import");
  after = export(db, &pub);
  is_str(after, published, "the published FAQ is as before the import, to the byte");
  free(after);
  after = export(db, &all);
  is_str(after, newest, "no revision of the import is left");
  is_int(int_query(db, "SELECT count(*) FROM faq WHERE ext_id LIKE 'n-%'"), 0, "no entry of the import is left");
  is_int(int_query(db, "SELECT count(*) FROM department WHERE id = 'shimin' AND phone = '0897-99-9999'"), 0,
         "the department's phone is restored");
  is_int(int_query(db, "SELECT count(*) FROM faq_import_undo"), 0, "the journal is empty");

  is_int(faq_io_import(db, tmp, &chunked, &rep, err), 0, "the same file imports in chunks of two (%s)", err);
  is_int(rep.added, 5, "five added");
  is_int(rep.revised, 1, "one revised");
  is_int(int_query(db, "SELECT count(*) FROM faq_import WHERE state = 'done'"), 2, "both imports are done");
  is_int(int_query(db, "SELECT count(*) FROM faq WHERE ext_id LIKE 'n-%' AND published_rev IS NOT NULL"), 4,
         "the four published rows answer, the draft does not");
  is_int(int_query(db, "SELECT count(*) FROM faq_import_undo"), 0, "a finished import keeps no journal");
out:
  unlink(tmp);
  free(published);
  free(newest);
  free(after);
}

/* Undoing an import drops the departments it made, except one that
 * something names by then: faq's own revisions are checked by name; the
 * other modules' rows (a ticket, a canned reply) are refused by their
 * foreign keys, so faq/ need not know their tables. */
static void undo_keeps_the_departments_something_names(void) {
  static const char csv[] =
    "ID,質問,回答,担当部署ID,担当部署名,電話番号,公開状態\n"
    "u-1,質問その1,答え1,new-a,新しい課A,0897-00-0001,公開\n"
    "u-2,質問その2,答え2,new-b,新しい課B,0897-00-0002,公開\n"
    "u-3,質問その3,答え3,new-c,新しい課C,0897-00-0003,公開\n";
  char tmp[] = "/tmp/t_io_undo_XXXXXX", err[MG_ERRLEN] = "";
  mg_io_opts killed = { .format = "csv", .chunk_rows = 1, .test_stop_after_chunks = 1 };
  mg_io_report rep;
  int undone = -1, fd;

  if (!db) return;
  if ((fd = mkstemp(tmp)) < 0 || write(fd, csv, sizeof csv - 1) != (ssize_t)(sizeof csv - 1)) { ok(0, "temp file"); goto out; }
  close(fd);
  is_int(faq_io_import(db, tmp, &killed, &rep, err), MG_EIO, "undo: an import stopped after one chunk fails");
  is_int(int_query(db, "SELECT count(*) FROM department WHERE id LIKE 'new-%'"), 3, "... its three departments made");
  /* meanwhile a resident's ticket goes to new-a and staff write a canned reply for new-b */
  is_int(sqlite3_exec(db, "INSERT INTO ticket(ticket_no, question, department_id, routed_by, created_at)"
                          " VALUES ('T-20260101-0001', 'q', 'new-a', 'default', '2026-01-01T00:00:00Z');"
                          "INSERT INTO canned_reply(department_id, title, text, updated_at, updated_by)"
                          " VALUES ('new-b', 't', 'x', '2026-01-01T00:00:00Z', 'staff')", NULL, NULL, NULL),
         SQLITE_OK, "a ticket and a canned reply name two of them");
  is_int(faq_io_recover(db, 0, &undone, err), 0, "undo: recovery runs (%s)", err);
  is_int(undone, 1, "... and undoes the import");
  is_int(int_query(db, "SELECT count(*) FROM faq WHERE ext_id LIKE 'u-%'"), 0, "... its entries are gone");
  is_int(int_query(db, "SELECT count(*) FROM department WHERE id = 'new-a'"), 1, "the department a ticket names stays");
  is_int(int_query(db, "SELECT count(*) FROM department WHERE id = 'new-b'"), 1, "the one a canned reply names stays");
  is_int(int_query(db, "SELECT count(*) FROM department WHERE id = 'new-c'"), 0, "the one nothing names is gone");
  is_int(int_query(db, "SELECT count(*) FROM faq_import_undo"), 0, "the journal is empty");
out:
  unlink(tmp);
}

static void dates_are_tokyo_midnights_both_ways(void) {
  char ts[32];
  is_int(faq_io_date_in("2024-04-01", ts), 0, "a date is accepted");
  is_str(ts, "2024-03-31T15:00:00Z", "it becomes the UTC instant of its midnight in Tokyo");
  faq_io_date_out(ts, ts);
  is_str(ts, "2024-04-01", "and exports back as the same date");
  is_int(faq_io_date_in("2023-02-29", ts), MG_EINVAL, "no 29 February in 2023");
  is_int(faq_io_date_in("2024-04-01T00:00", ts), MG_EINVAL, "trailing text is refused");
}

int main(void) {
  mg_config cfg;
  char err[MG_ERRLEN] = "";
  const char *v;

  snprintf(datadir, sizeof datadir, "%s/tests/data", getenv("top_srcdir") ? getenv("top_srcdir") : ".");
  mg_config_defaults(&cfg);
  if ((v = getenv("MG_DICT_DIR")) && *v) snprintf(cfg.dict_dir, sizeof cfg.dict_dir, "%s", v);
  if ((v = getenv("MG_MECAB_DICDIR")) && *v) snprintf(cfg.mecab_dicdir, sizeof cfg.mecab_dicdir, "%s", v);
  if (!((v = getenv("MG_USERDIC")) && access(v, R_OK) == 0)) cfg.userdic[0] = '\0';
  else snprintf(cfg.userdic, sizeof cfg.userdic, "%s", v);

  RUN(dates_are_tokyo_midnights_both_ways);

  is_int(faq_lang_new(&lang, &cfg, err), 0, "language loads (%s)", err);
  if (!lang || faq_db_open_memory(&db, lang, err)) { diag("%s", err); return done_testing(); }
  RUN(good_csv_imports_entries_and_departments);
  RUN(encoding_flag_chooses_utf8_or_cp932);
  RUN(header_map_names_their_columns_ours);
  RUN(bad_csv_rows_name_file_and_line_and_write_nothing);
  RUN(related_ids_are_checked_after_the_whole_file);
  RUN(export_writes_the_standard_columns_and_imports_back);
  RUN(formula_cells_export_behind_an_apostrophe_and_import_back);
  RUN(online_url_and_checklist_fields_survive_export_and_import);
  RUN(json_imports_and_names_each_bad_field);
  close_database();
  tap_each(fresh_database, close_database);
  RUN(killed_chunked_import_is_undone_to_the_byte);
  RUN(undo_keeps_the_departments_something_names);
  tap_each(NULL, NULL);
  faq_lang_free(lang);
  return done_testing();
}
