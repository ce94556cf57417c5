/*
 * t_mask.c — masking personal data: every format of every class (with
 * full-width and Japanese-keyboard variants), ordinary questions that must
 * come out unchanged (dates, fees, ids, ticket numbers), invalid UTF-8, and
 * concurrent first use from several threads. The "attack review F9" rows
 * are the formats an attack review found unmasked (tests/attack/ drives them
 * through a real server and the staff console).
 */
#include "bot/mask.h"
#include "util/mg_utf8.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"

static const struct { const char *in, *want; int n; } cases[] = {
  /* My Number */
  { "マイナンバーは123456789012です", "マイナンバーは［個人番号］です", 1 },
  { "番号 1234 5678 9012 で登録", "番号 ［個人番号］ で登録", 1 },
  { "1234-5678-9012", "［個人番号］", 1 },
  { "個人番号：１２３４　５６７８　９０１２", "個人番号：［個人番号］", 1 },
  { "１２３４５６７８９０１２", "［個人番号］", 1 },
  /* card numbers (Luhn-valid) */
  { "カードは4111 1111 1111 1111です", "カードは［カード番号］です", 1 },
  { "4111-1111-1111-1111", "［カード番号］", 1 },
  { "番号4111111111111111", "番号［カード番号］", 1 },
  { "アメックス3782 822463 10005", "アメックス［カード番号］", 1 },
  { "４１１１　１１１１　１１１１　１１１１", "［カード番号］", 1 },
  /* phone numbers */
  { "携帯は090-1234-5678です", "携帯は［電話番号］です", 1 },
  { "09012345678に電話して", "［電話番号］に電話して", 1 },
  { "０９０－１２３４－５６７８", "［電話番号］", 1 },
  { "０９０ー１２３４ー５６７８まで", "［電話番号］まで", 1 },
  { "自宅0897-12-3456", "自宅［電話番号］", 1 },
  { "(0897)12-3456", "［電話番号］", 1 },
  { "（０８９７）１２－３４５６へ", "［電話番号］へ", 1 },
  { "0897(12)3456", "［電話番号］", 1 },
  { "0897 12 3456", "［電話番号］", 1 },
  { "0897.12.3456", "［電話番号］", 1 },
  { "0120-123-456", "［電話番号］", 1 },
  { "TEL:0897123456", "TEL:［電話番号］", 1 },
  { "ＴＥＬ０３－５８２９－６７７３", "ＴＥＬ［電話番号］", 1 },
  { "電話06-6409-1341ＦＡＸ06-6409-1277", "電話［電話番号］ＦＡＸ［電話番号］", 2 },
  { "コールセンター0120-9235-21", "コールセンター［電話番号］", 1 },
  { "+81-90-1234-5678", "［電話番号］", 1 },
  { "+81 897 12 3456", "［電話番号］", 1 },
  { "+81(0)90-1234-5678", "［電話番号］", 1 },
  { "＋８１　９０　１２３４　５６７８", "［電話番号］", 1 },
  { "0081-90-1234-5678", "［電話番号］", 1 },
  { "電話番号は56-1234です", "電話番号は［電話番号］です", 1 },
  { "ＴＥＬ：５６－１２３４", "ＴＥＬ：［電話番号］", 1 },
  { "携帯 090 1234 5678", "携帯 ［電話番号］", 1 },
  /* e-mail */
  { "メールはtaro.yamada+city@example.co.jpです", "メールは［メール］です", 1 },
  { "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐに送って", "［メール］に送って", 1 },
  { "連絡先 a_b-c@mail.city.saijo.ehime.jp。", "連絡先 ［メール］。", 1 },
  /* postal codes */
  { "〒793-8601 西条市明屋敷164", "［郵便番号］ 西条市明屋敷164", 1 },
  { "〒７９３－８６０１", "［郵便番号］", 1 },
  { "〒7938601", "［郵便番号］", 1 },
  { "郵便番号は793-8601です", "郵便番号は［郵便番号］です", 1 },
  /* several at once, in order */
  { "090-1234-5678かa@b.jpへ、〒793-8601", "［電話番号］か［メール］へ、［郵便番号］", 3 },
  /* the phone number first hides the card's boundary; a second round finds it */
  { "0456781234 4111111111111111です", "［電話番号］ ［カード番号］です", 2 },

  /* attack review F9: separators and prefixes the masker used to miss */
  { "番号は1234.5678.9012です", "番号は［個人番号］です", 1 },
  { "1234、5678、9012", "［個人番号］", 1 },
  { "マイナンバー1234 5678-9012", "マイナンバー［個人番号］", 1 },
  { "1234  5678  9012", "［個人番号］", 1 },
  { "１２３４．５６７８．９０１２", "［個人番号］", 1 },
  { "No.123456789012", "No.［個人番号］", 1 },
  { "No123456789012", "No［個人番号］", 1 },
  { "NO.1234-5678-9012", "NO.［個人番号］", 1 },
  { "番号123456789012", "番号［個人番号］", 1 },
  { "Ｎｏ．１２３４５６７８９０１２", "Ｎｏ．［個人番号］", 1 },
  { "090/1234/5678", "［電話番号］", 1 },
  { "0897/12/3456に電話", "［電話番号］に電話", 1 },
  { "4111.1111.1111.1111", "［カード番号］", 1 },
  { "カード4111．1111．1111．1111", "カード［カード番号］", 1 },
  { "郵便番号は7938601です", "郵便番号は［郵便番号］です", 1 },
  { "郵便番号：７９３８６０１", "郵便番号：［郵便番号］", 1 },
  { "〒 7938601", "［郵便番号］", 1 },
  { "〒793 8601", "［郵便番号］", 1 },

  /* ordinary questions stay as they are */
  { "2026.11.25に行きます", NULL, 0 },
  { "2026/11/25", NULL, 0 },
  { "2026年度の予算", NULL, 0 },
  { "1,234円と12,345円", NULL, 0 },
  { "価格は1234567円", NULL, 0 },
  { "T-20261124-0007 と T-20261124-0008", NULL, 0 },
  { "No.5の窓口", NULL, 0 },
  { "番号札12番", NULL, 0 },
  { "令和8年1月5日", NULL, 0 },
  { "12/29〜1/3", NULL, 0 },
  { "2024、2025、2026年の統計", NULL, 0 },
  { "2024.2025.2026", NULL, 0 },
  { "令和8年11月25日に行きます", NULL, 0 },
  { "2026年11月25日は開庁していますか", NULL, 0 },
  { "2026-11-25", NULL, 0 },
  { "2026/11/25 8:30-17:15", NULL, 0 },
  { "住民票は1通300円ですか", NULL, 0 },
  { "手数料は１通３００円", NULL, 0 },
  { "人口は約10万8000人", NULL, 0 },
  { "予算は1,234,567,890円", NULL, 0 },
  { "saijo-0001 について", NULL, 0 },
  { "チケット T-20261124-0007 の状況", NULL, 0 },
  { "110番と119番と#9110", NULL, 0 },
  { "12/29〜1/3は休み", NULL, 0 },
  { "4111 1111 1111 1112", NULL, 0 }, /* 16 digits, Luhn fails: not a card */
  { "明屋敷164番地", NULL, 0 },
  { "第2023-0456号の通知", NULL, 0 },
  { "0897", NULL, 0 },
  { "FAQ081003400", NULL, 0 },
  { "型番ABC0897123456", NULL, 0 },
  { "コーヒー1杯", NULL, 0 },
  { "電話番号を教えて", NULL, 0 },
  { "電話で3回問い合わせた", NULL, 0 },
  { "携帯電話の料金は3000円", NULL, 0 },
  { "住所は明屋敷1-2-3です", NULL, 0 },
};

/* True when s is well-formed UTF-8 (no surrogates, no overlongs). */
static int valid_utf8(const char *s) { return mg_utf8_count(s, strlen(s)) >= 0; }

static void *mask_many(void *p) {
  int *wrong = p;
  for (int i = 0; i < 2000; i++) {
    int n;
    char *m = bot_mask_text_n("電話090-1234-5678、2026-11-25", strlen("電話090-1234-5678、2026-11-25"), &n);
    if (!m || n != 1 || strcmp(m, "電話［電話番号］、2026-11-25"))
      (*wrong)++;
    free(m);
  }
  return NULL;
}

/* Pseudo-random text built from the pieces masking cares about. */
static size_t random_text(unsigned *seed, char *buf, size_t cap) {
  static const char *const pieces[] = {
    "0", "1", "4", "9", "０", "９", "-", "－", "ー", " ", "　", "(", "）", "+", "＋", "81", "@", "＠", ".",
    "a", "Z", "T-", "TEL", "〒", "電話", "は", "年", "円", "\xff", "\xe3\x81", "\xc0\xaf", "090", "0897",
    "1234", "5678", "4111111111111111", "x@y.jp",
  };
  size_t n = 0;
  int k = 1 + (int)((*seed = *seed * 1103515245u + 12345u) >> 16) % 24;
  for (int i = 0; i < k; i++) {
    const char *p = pieces[((*seed = *seed * 1103515245u + 12345u) >> 16) % (sizeof pieces / sizeof pieces[0])];
    size_t l = strlen(p);
    if (n + l >= cap)
      break;
    memcpy(buf + n, p, l);
    n += l;
  }
  buf[n] = '\0';
  return n;
}

/* First use from four threads at once: the patterns compile exactly once. */
static void threads_masking_from_first_use_agree(void) {
  pthread_t th[4];
  int wrong[4] = { 0 }, total = 0;

  for (int i = 0; i < 4; i++)
    pthread_create(&th[i], NULL, mask_many, &wrong[i]);
  for (int i = 0; i < 4; i++) {
    pthread_join(th[i], NULL);
    total += wrong[i];
  }
  is_int(total, 0, "4 threads masking at once from first use agree");
}

static void each_format_is_masked_and_ordinary_text_kept(void) {
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *want = cases[i].want ? cases[i].want : cases[i].in;
    int n;
    char *m = bot_mask_text_n(cases[i].in, strlen(cases[i].in), &n);
    is_str(m, want, "「%s」 → 「%s」", cases[i].in, want);
    is_int(n, cases[i].n, "「%s」: %d mask(s)", cases[i].in, cases[i].n);
    free(m);
  }
}

/* Invalid UTF-8: stray bytes, a cut sequence, an overlong form, a
 * surrogate and a NUL all become U+FFFD; masking still works around them. */
static void invalid_utf8_becomes_replacement_characters(void) {
  static const char bad[] = "\xff\xfe電話090-1234-5678\xc0\xaf\xed\xa0\x80x\0y\xe9\x9b";
  int n;
  char *m = bot_mask_text_n(bad, sizeof bad - 1, &n);
  ok(m != NULL, "invalid UTF-8: a result");
  ok(m && valid_utf8(m), "invalid UTF-8: the result is valid UTF-8");
  is_str(m, "\xEF\xBF\xBD\xEF\xBF\xBD電話［電話番号］\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDx"
            "\xEF\xBF\xBDy\xEF\xBF\xBD\xEF\xBF\xBD", "invalid UTF-8: each bad byte is U+FFFD, the phone is masked");
  is_int(n, 1, "invalid UTF-8: one mask");
  free(m);
}

/* found by fuzz_text: a chain of numbers took more rounds than the old
 * fixed limit, so the first one stayed and a second masking changed it */
static void chain_of_numbers_is_masked_whole(void) {
  static const char chain[] = "0219021230-0219022123-0219021230-0219021231-0217158271";
  char *twice, *m = bot_mask_text(chain, sizeof chain - 1);
  ok(m && strpbrk(m, "0123456789") == NULL, "a chain of five numbers is masked whole: 「%s」", m ? m : "");
  twice = m ? bot_mask_text(m, strlen(m)) : NULL;
  is_str(twice, m, "... and masking it again changes nothing");
  free(twice);
  free(m);
}

static void empty_text_masks_to_empty(void) {
  char *m = bot_mask_text("", 0);
  is_str(m, "", "empty text: empty string");
  free(m);
}

static void only_len_bytes_are_read(void) {
  char *m = bot_mask_text("090-1234-5678", 3);
  is_str(m, "090", "len is honoured: only the first 3 bytes are read");
  free(m);
}

/* A long run of digits and dashes is handled in reasonable time and kept
 * (it is no single number of any class). */
static void long_run_of_digits_and_dashes_is_kept(void) {
  size_t len = 200000;
  char *m, *big = malloc(len + 1);
  int n;
  for (size_t i = 0; i < len; i++)
    big[i] = i % 3 == 2 ? '-' : '0' + (char)(i % 7);
  big[len] = '\0';
  m = bot_mask_text_n(big, len, &n);
  ok(m && strlen(m) == len, "200 KB of digits and dashes: a result of the same length");
  free(m);
  free(big);
}

/* Random texts: the result is always valid UTF-8, and masking is
 * idempotent (labels hold no digits, so nothing new appears). */
static void random_texts_mask_to_valid_utf8_idempotently(void) {
  unsigned seed = 20261125;
  int invalid = 0, unstable = 0;
  char buf[256];
  for (int i = 0; i < 20000; i++) {
    size_t len = random_text(&seed, buf, sizeof buf);
    char *once = bot_mask_text(buf, len), *twice = once ? bot_mask_text(once, strlen(once)) : NULL;
    if (!once || !valid_utf8(once))
      invalid++;
    else if (!twice || strcmp(once, twice)) {
      if (unstable++ < 3)
        diag("not idempotent: 「%s」 → 「%s」 → 「%s」", buf, once, twice ? twice : "(null)");
    }
    free(once);
    free(twice);
  }
  is_int(invalid, 0, "20000 random texts: every result is valid UTF-8");
  is_int(unstable, 0, "20000 random texts: masking the result again changes nothing");
}

int main(void) {
  RUN(threads_masking_from_first_use_agree); /* first: it is the first use */
  RUN(each_format_is_masked_and_ordinary_text_kept);
  RUN(invalid_utf8_becomes_replacement_characters);
  RUN(chain_of_numbers_is_masked_whole);
  RUN(empty_text_masks_to_empty);
  RUN(only_len_bytes_are_read);
  RUN(long_run_of_digits_and_dashes_is_kept);
  RUN(random_texts_mask_to_valid_utf8_idempotently);
  return done_testing();
}
