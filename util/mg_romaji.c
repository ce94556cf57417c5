/*
 * mg_romaji.c — see mg_romaji.h. A longest-match table of syllables; a
 * doubled consonant is っ, an n not followed by a vowel or y is ん.
 */
#include "util/mg_romaji.h"

#include <ctype.h>
#include <string.h>

static const struct { const char *r, *k; } syl[] = {
  { "kya", "きゃ" }, { "kyu", "きゅ" }, { "kyo", "きょ" }, { "gya", "ぎゃ" }, { "gyu", "ぎゅ" }, { "gyo", "ぎょ" },
  { "sha", "しゃ" }, { "shu", "しゅ" }, { "sho", "しょ" }, { "she", "しぇ" }, { "shi", "し" },
  { "sya", "しゃ" }, { "syu", "しゅ" }, { "syo", "しょ" },
  { "cha", "ちゃ" }, { "chu", "ちゅ" }, { "cho", "ちょ" }, { "che", "ちぇ" }, { "chi", "ち" },
  { "tya", "ちゃ" }, { "tyu", "ちゅ" }, { "tyo", "ちょ" }, { "tsu", "つ" },
  { "nya", "にゃ" }, { "nyu", "にゅ" }, { "nyo", "にょ" }, { "hya", "ひゃ" }, { "hyu", "ひゅ" }, { "hyo", "ひょ" },
  { "bya", "びゃ" }, { "byu", "びゅ" }, { "byo", "びょ" }, { "pya", "ぴゃ" }, { "pyu", "ぴゅ" }, { "pyo", "ぴょ" },
  { "mya", "みゃ" }, { "myu", "みゅ" }, { "myo", "みょ" }, { "rya", "りゃ" }, { "ryu", "りゅ" }, { "ryo", "りょ" },
  { "jya", "じゃ" }, { "jyu", "じゅ" }, { "jyo", "じょ" }, { "zya", "じゃ" }, { "zyu", "じゅ" }, { "zyo", "じょ" },
  { "ja", "じゃ" }, { "ju", "じゅ" }, { "jo", "じょ" }, { "je", "じぇ" }, { "ji", "じ" },
  { "ka", "か" }, { "ki", "き" }, { "ku", "く" }, { "ke", "け" }, { "ko", "こ" },
  { "ga", "が" }, { "gi", "ぎ" }, { "gu", "ぐ" }, { "ge", "げ" }, { "go", "ご" },
  { "sa", "さ" }, { "si", "し" }, { "su", "す" }, { "se", "せ" }, { "so", "そ" },
  { "za", "ざ" }, { "zi", "じ" }, { "zu", "ず" }, { "ze", "ぜ" }, { "zo", "ぞ" },
  { "ta", "た" }, { "ti", "ち" }, { "tu", "つ" }, { "te", "て" }, { "to", "と" },
  { "da", "だ" }, { "di", "ぢ" }, { "du", "づ" }, { "de", "で" }, { "do", "ど" },
  { "na", "な" }, { "ni", "に" }, { "nu", "ぬ" }, { "ne", "ね" }, { "no", "の" },
  { "ha", "は" }, { "hi", "ひ" }, { "fu", "ふ" }, { "hu", "ふ" }, { "he", "へ" }, { "ho", "ほ" },
  { "ba", "ば" }, { "bi", "び" }, { "bu", "ぶ" }, { "be", "べ" }, { "bo", "ぼ" },
  { "pa", "ぱ" }, { "pi", "ぴ" }, { "pu", "ぷ" }, { "pe", "ぺ" }, { "po", "ぽ" },
  { "ma", "ま" }, { "mi", "み" }, { "mu", "む" }, { "me", "め" }, { "mo", "も" },
  { "ya", "や" }, { "yu", "ゆ" }, { "yo", "よ" },
  { "ra", "ら" }, { "ri", "り" }, { "ru", "る" }, { "re", "れ" }, { "ro", "ろ" },
  { "wa", "わ" }, { "wo", "を" },
  { "a", "あ" }, { "i", "い" }, { "u", "う" }, { "e", "え" }, { "o", "お" },
};

static int vowel(char c) { return c == 'a' || c == 'i' || c == 'u' || c == 'e' || c == 'o'; }

/* Convert one lower-case word; returns syllables, or -1 when it is not romaji. */
static int word(const char *w, int n, char *out, size_t cap, size_t *o) {
  int count = 0;
  for (int i = 0; i < n;) {
    const char *k = NULL;
    int used = 0;
    if (w[i] == 'n' && (i + 1 == n || w[i + 1] == '\'' || (!vowel(w[i + 1]) && w[i + 1] != 'y'))) {
      k = "ん", used = (i + 1 < n && w[i + 1] == '\'') ? 2 : 1;
    } else if (i + 1 < n && w[i] == w[i + 1] && !vowel(w[i]) && w[i] != 'n') {
      k = "っ", used = 1;
    } else if (w[i] == '-') {
      k = "ー", used = 1;
    } else {
      for (size_t s = 0; s < sizeof syl / sizeof syl[0] && !k; s++) {
        size_t l = strlen(syl[s].r);
        if ((int)l <= n - i && memcmp(w + i, syl[s].r, l) == 0) k = syl[s].k, used = (int)l;
      }
    }
    if (!k) return -1;
    size_t kl = strlen(k);
    if (*o + kl + 1 > cap) return -1;
    memcpy(out + *o, k, kl);
    *o += kl;
    i += used;
    count++;
  }
  return count;
}

int mg_romaji_word(const char *w, int n, char *out, size_t cap) {
  char lw[64];
  size_t o = 0;
  int c;
  if (n <= 0 || n >= (int)sizeof lw || cap < 1) return 0;
  for (int i = 0; i < n; i++) {
    if (!isalpha((unsigned char)w[i]) && w[i] != '\'' && w[i] != '-') return 0;
    lw[i] = (char)tolower((unsigned char)w[i]);
  }
  if ((c = word(lw, n, out, cap, &o)) <= 0) return 0;
  out[o] = '\0';
  return c;
}

int mg_romaji_to_kana(const char *text, int len, char *out, size_t cap) {
  char w[64];
  size_t o = 0;
  int words = 0, ok = 0, total = 0;
  for (int i = 0; i < len;) {
    int n = 0;
    while (i < len && !isalpha((unsigned char)text[i])) {
      if ((unsigned char)text[i] >= 0x80) return 0; /* kana or kanji: not a romaji text */
      i++;
    }
    while (i < len && (isalpha((unsigned char)text[i]) || text[i] == '\'' || text[i] == '-') && n < (int)sizeof w - 1)
      w[n++] = (char)tolower((unsigned char)text[i++]);
    if (n == 0) continue;
    words++;
    size_t save = o;
    int c = word(w, n, out, cap, &o);
    if (c < 0) o = save;
    else ok++, total += c;
  }
  /* nearly every word must be romaji: "my number card" is English */
  if (words < 1 || ok * 10 < words * 9 || total < 3) return 0;
  out[o] = '\0';
  return total;
}
