/* t_utf8.c — util/mg_utf8: the long-vowel fold that lets romaji written
 * without macrons meet a reading (docs/understanding.md). */
#include "tests/tap.h"
#include "util/mg_utf8.h"

static const char *fold(const char *s) {
  static char out[256];
  mg_utf8_fold_long_vowels(s, strlen(s), out);
  return out;
}

static void long_vowel_mark_goes(void) {
  is_str(fold("コンピューター"), "コンピュタ", "ー is left out");
}

static void u_after_o_row_goes(void) {
  is_str(fold("ショウガッコウ"), "ショガッコ", "ウ after ョ and after コ (shogakko)");
  is_str(fold("ケンコウ"), "ケンコ", "ウ after コ (kenko)");
}

static void u_after_u_row_goes(void) {
  is_str(fold("ジュウミンヒョウ"), "ジュミンヒョ", "ウ after ュ and after ョ (jumin hyo)");
}

static void other_u_stays(void) {
  is_str(fold("ウミ"), "ウミ", "a word's first ウ stays");
  is_str(fold("カウンター"), "カウンタ", "ウ after a kana of the a row stays");
  is_str(fold("ケイサツ"), "ケイサツ", "エイ is not a long vowel here (keisatsu is written with i)");
}

static void length_is_returned(void) {
  char out[64];
  is_int(mg_utf8_fold_long_vowels("ホウ", 6, out), 3, "ホウ folds to 3 bytes");
  is_str(out, "ホ", "and is NUL-terminated");
}

static void kana_converts_both_ways(void) {
  char s[64];
  strcpy(s, "オナカスイタ ー、ヴ");
  mg_utf8_kata_to_hira(s, strlen(s));
  is_str(s, "おなかすいた ー、ゔ", "katakana → hiragana in place; ー and punctuation stay");
  mg_utf8_hira_to_kata(s, strlen(s));
  is_str(s, "オナカスイタ ー、ヴ", "and back");
}

int main(void) {
  RUN(long_vowel_mark_goes);
  RUN(u_after_o_row_goes);
  RUN(u_after_u_row_goes);
  RUN(other_u_stays);
  RUN(length_is_returned);
  RUN(kana_converts_both_ways);
  return done_testing();
}
