/*
 * answer_text.c — terminal rendering of the answer object, shared by
 * `madoguchi ask` and `madoguchi chat` so both read the same.
 */
#include "bot/answer_text.h"

#include <string.h>

static const char *str(const json_t *obj, const char *key) {
  const char *s = json_string_value(json_object_get(obj, key));
  return s ? s : "";
}

static void print_department(FILE *out, const json_t *d) {
  if (!d || !*str(d, "name")) return;
  fprintf(out, "\n担当: %s", str(d, "name"));
  if (*str(d, "phone")) fprintf(out, "　電話 %s", str(d, "phone"));
  if (*str(d, "email")) fprintf(out, "　%s", str(d, "email"));
  fprintf(out, "\n");
  if (*str(d, "hours")) fprintf(out, "受付: %s\n", str(d, "hours"));
  if (*str(d, "location")) fprintf(out, "場所: %s\n", str(d, "location"));
}

void bot_print_answer(FILE *out, const json_t *a) {
  const char *decision = str(a, "decision");
  const json_t *cands = json_object_get(a, "candidates"), *c;
  size_t i;

  if (strcmp(decision, "answer") == 0) {
    if (*str(a, "question")) fprintf(out, "【%s】\n", str(a, "question"));
    fprintf(out, "%s\n", str(a, "answer"));
    print_department(out, json_object_get(a, "department"));
    if (*str(a, "url")) fprintf(out, "詳しく: %s\n", str(a, "url"));
  } else if (strcmp(decision, "checklist") == 0) {
    const json_t *cl = json_object_get(a, "checklist");
    fprintf(out, "【手続チェックリスト：%s】\n%s\n", str(cl, "title"), str(cl, "intro"));
    json_array_foreach(json_object_get(cl, "items"), i, c)
      fprintf(out, "  □ %s%s%s%s\n", str(c, "title"), *str(c, "who") ? "（" : "", str(c, "who"), *str(c, "who") ? "）" : "");
    if (*str(cl, "url")) fprintf(out, "ページ: %s\n", str(cl, "url"));
  } else if (strcmp(decision, "clarify") == 0) {
    fprintf(out, "次のどれについてのご質問ですか？\n");
    json_array_foreach(cands, i, c) fprintf(out, "  %zu. %s\n", i + 1, str(c, "question"));
  } else {
    fprintf(out, "申し訳ありません。お答えできる情報が見つかりませんでした。\n"
                 "職員に質問を引き継ぐことができます（チャットの「職員に問い合わせる」）。\n");
  }
  fprintf(out, "（判定: %s　信頼度 %.2f", decision, json_number_value(json_object_get(a, "confidence")));
  if (json_object_get(a, "rule"))
    fprintf(out, "　ルール: %s", str(json_object_get(a, "rule"), "name"));
  else if (*str(a, "faq_id"))
    fprintf(out, "　FAQ %s", str(a, "faq_id"));
  fprintf(out, "）\n");
}
