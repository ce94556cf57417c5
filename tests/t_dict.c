/*
 * t_dict.c — dict/'s readers: the line files (dict/tsv.h), the texts (dict/texts.h),
 * the JSON files (dict/json.h),
 * the intent rules (dict/rulebook.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dict/json.h"
#include "dict/rulebook.h"
#include "dict/texts.h"
#include "dict/tsv.h"
#include "util/mg_err.h"
#include "tests/tap.h"
#include "tests/testenv.h"

static char tmp[64];

/* Write text to a fresh temporary file; its path. */
static const char *file_with(const char *text) {
  snprintf(tmp, sizeof tmp, "/tmp/mg_t_dict.XXXXXX");
  return test_write_tmp(tmp, text);
}

static void rows_skip_comments_and_blank_lines_and_split_columns(void) {
  dict_table *t = NULL;
  char err[MG_ERRLEN] = "";
  const char *text = "\xEF\xBB\xBF# comment\n\nｺﾝﾋﾞﾆ\tコンビニ\r\none\n\ta\tb\n", *p = file_with(text);
  int rc = dict_table_load(&t, p, DICT_UTF8, err);
  is_int(rc, 0, "a good file loads (%s)", err);
  if (rc == 0) {
    is_int(t->n, 3, "three entries: comments, the BOM and blank lines left out");
    is_int(t->rows[0].line, 3, "the first entry is on line 3");
    is_int(t->rows[0].nf, 2, "two columns");
    is_str(t->rows[0].f[1], "コンビニ", "the second column, without the \\r");
    is_str(t->rows[0].text, "ｺﾝﾋﾞﾆ\tコンビニ", "the whole line keeps its TAB");
    is_int(t->rows[1].nf, 1, "a line without TAB is one column");
    is_int(t->rows[2].nf, 3, "a leading TAB makes an empty first column");
    is_str(t->rows[2].f[0], "", "which is empty");
    is_int((long long)t->size, (long long)strlen(text), "the bytes as read are kept for fingerprints");
  }
  dict_table_free(t);
  unlink(p);
}

static void bad_tsv_line_is_named_with_file_and_line(void) {
  dict_table *t = NULL;
  char err[MG_ERRLEN] = "", want[MG_ERRLEN + 64];
  const char *p = file_with("ok\n# fine\n\xff\xfe\tx\n");
  is_int(dict_table_load(&t, p, DICT_UTF8, err), MG_ECONFIG, "invalid UTF-8 refuses the file");
  snprintf(want, sizeof want, "%s:3: not valid UTF-8", p);
  is_str(err, want, "and names FILE:LINE");
  ok(t == NULL, "no table");
  is_int(dict_table_load(&t, p, 0, err), 0, "without DICT_UTF8 the bytes are the caller's to judge");
  dict_table_free(t);
  unlink(p);
}

static void line_too_long_is_named_with_file_and_line(void) {
  dict_table *t = NULL;
  char err[MG_ERRLEN] = "", want[MG_ERRLEN + 64], *big = malloc(DICT_LINE_MAX + 8);
  const char *p;
  memcpy(big, "a\n", 2);
  memset(big + 2, 'x', DICT_LINE_MAX);
  strcpy(big + 2 + DICT_LINE_MAX, "\n");
  p = file_with(big);
  is_int(dict_table_load(&t, p, 0, err), MG_ECONFIG, "a line of DICT_LINE_MAX bytes refuses the file");
  snprintf(want, sizeof want, "%s:2: line too long", p);
  is_str(err, want, "and names FILE:LINE");
  big[2 + DICT_LINE_MAX - 1] = '\n', big[2 + DICT_LINE_MAX] = '\0';
  is_int(dict_table_load(&t, test_write_tmp(tmp, big), 0, err), 0, "one byte shorter is fine");
  dict_table_free(t);
  unlink(p);
  free(big);
}

static void missing_file_is_named_unless_optional(void) {
  dict_table *t = NULL;
  char err[MG_ERRLEN] = "";
  const char *p = "/nonexistent/mg_t_dict/list.tsv";
  is_int(dict_table_load(&t, p, 0, err), MG_EIO, "a missing file is an error");
  is_str(err, "/nonexistent/mg_t_dict/list.tsv: No such file or directory", "naming it");
  is_int(dict_table_load(&t, p, DICT_OPTIONAL, err), 0, "unless optional");
  ok(t && t->missing && t->n == 0 && t->size == 0, "then it is an empty table marked missing");
  dict_table_free(t);
}

static const char *const tkeys[] = { "hello", "staff" }, *const tlangs[] = { "ja", "en" };
static const int tneed[] = { 0 };

/* dict_texts_load on text; its return, with err filled. */
static int texts_of(const char *text, dict_texts **t, char *err) {
  const char *p = file_with(text);
  int rc = dict_texts_load(t, p, tkeys, 2, tlangs, 2, tneed, 1, err);
  unlink(p);
  return rc;
}

static void texts_load_by_language_and_key(void) {
  dict_texts *t = NULL;
  char err[MG_ERRLEN] = "";
  is_int(texts_of("{\"hello\":\"やあ\",\"staff\":\"職員\",\"en\":{\"hello\":\"hi\"}}", &t, err), 0, "loads (%s)", err);
  if (t) {
    is_str(t->text[0], "やあ", "language 0 at the top level");
    is_str(t->text[2], "hi", "language 1 from its object");
    ok(t->text[3] == NULL, "an optional key left out is NULL");
  }
  dict_texts_free(t);
}

static void missing_text_is_named_with_file_and_key(void) {
  dict_texts *t = NULL;
  char err[MG_ERRLEN] = "", want[MG_ERRLEN + 64];
  is_int(texts_of("{\"hello\":\"やあ\",\"en\":{\"hello\":\"hi\"}}", &t, err), MG_ECONFIG, "a key left out refuses the file");
  snprintf(want, sizeof want, "%s: \"staff\" must be a non-empty string", tmp);
  is_str(err, want, "naming file and key");
  is_int(texts_of("{\"hello\":\"やあ\",\"staff\":\"職員\",\"en\":{\"staff\":\"x\"}}", &t, err), MG_ECONFIG,
         "a required key a language lacks refuses the file");
  snprintf(want, sizeof want, "%s: \"en\" lacks \"hello\"", tmp);
  is_str(err, want, "naming file, language and key");
  ok(t == NULL, "no texts");
}

static void bad_json_is_named_with_file_line_and_column(void) {
  dict_texts *t = NULL;
  char err[MG_ERRLEN] = "", want[MG_ERRLEN + 64];
  is_int(texts_of("{\n\"hello\": \"a\",\n\"hello\": \"b\"}", &t, err), MG_ECONFIG, "a duplicate key refuses the file");
  snprintf(want, sizeof want, "%s:3:", tmp);
  ok(strncmp(err, want, strlen(want)) == 0, "naming FILE:LINE:COLUMN (%s)", err);
}

static void json_file_loads_and_bad_json_names_file_line_and_column(void) {
  json_t *doc = NULL;
  char err[MG_ERRLEN] = "", want[MG_ERRLEN + 64];
  const char *p = file_with("{\"version\": 1}");
  is_int(dict_json_load(&doc, p, err), 0, "a JSON file loads (%s)", err);
  is_int(json_integer_value(json_object_get(doc, "version")), 1, "into its document");
  json_decref(doc);
  test_write_tmp(tmp, "{\"a\": 1,\n  \"b\": }");
  is_int(dict_json_load(&doc, p, err), MG_EBADJSON, "broken JSON refuses the file");
  snprintf(want, sizeof want, "%s:2:", p);
  ok(strncmp(err, want, strlen(want)) == 0 && strchr(err + strlen(want), ':'), "naming FILE:LINE:COLUMN (%s)", err);
  ok(doc == NULL, "no document");
  test_write_tmp(tmp, "{\"a\": 1, \"a\": 2}");
  is_int(dict_json_load(&doc, p, err), MG_EBADJSON, "a key given twice refuses the file");
  unlink(p);
  is_int(dict_json_load(&doc, p, err), MG_EIO, "a missing file is MG_EIO");
  snprintf(want, sizeof want, "%s: No such file or directory", p);
  is_str(err, want, "naming it");
}

static void rules_are_read_and_checked_without_compiling(void) {
  dict_rules *rs = NULL;
  char err[MG_ERRLEN] = "", want[MG_ERRLEN + 64];
  const char *p = file_with("{\"version\":1,\"rules\":[{\"name\":\"tax\",\"kind\":\"faq\",\"faq_id\":\"t-3\","
                            "\"patterns\":[\"住民税\",\"(\"]}]}");
  is_int(dict_rules_load(&rs, p, err), 0, "a well-formed file loads, a pattern PCRE2 would refuse included (%s)", err);
  if (rs) {
    is_int(rs->n, 1, "one rule");
    is_str(rs->r[0].kind, "faq", "its kind");
    ok(rs->r[0].reply == NULL, "kind faq without a reply");
    is_int(rs->r[0].npatterns, 2, "both patterns, as written");
    is_str(rs->r[0].patterns[0], "住民税", "the first");
  }
  dict_rules_free(rs);
  test_write_tmp(tmp, "{\"version\":1,\"rules\":[{\"name\":\"a\",\"kind\":\"thanks\",\"reply\":\"x\",\"pattern\":[\"b\"]}]}");
  is_int(dict_rules_load(&rs, p, err), MG_ECONFIG, "a misspelt key refuses the file");
  snprintf(want, sizeof want, "%s: rule a: unknown key \"pattern\"", p);
  is_str(err, want, "naming file, rule and key");
  ok(rs == NULL, "no rules");
  unlink(p);
}

int main(void) {
  RUN(rows_skip_comments_and_blank_lines_and_split_columns);
  RUN(bad_tsv_line_is_named_with_file_and_line);
  RUN(line_too_long_is_named_with_file_and_line);
  RUN(missing_file_is_named_unless_optional);
  RUN(texts_load_by_language_and_key);
  RUN(missing_text_is_named_with_file_and_key);
  RUN(bad_json_is_named_with_file_line_and_column);
  RUN(json_file_loads_and_bad_json_names_file_line_and_column);
  RUN(rules_are_read_and_checked_without_compiling);
  return done_testing();
}
