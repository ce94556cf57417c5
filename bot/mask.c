/*
 * mask.c — find personal data in free text and replace it with labels.
 *
 * Residents type numbers every way a Japanese keyboard allows: full-width
 * digits, "－" or "ー" as dashes, ideographic spaces. Rather than teaching
 * every pattern every variant, the text is first copied twice in one pass:
 *   clean  — the input with invalid UTF-8 (and NUL) replaced by U+FFFD; this
 *            is what the result is built from, so it is always valid UTF-8;
 *   shadow — clean with full-width ASCII folded to ASCII, dashes to '-' and
 *            the ideographic space to ' ', plus map[], the offset in clean of
 *            each shadow byte.
 * The patterns, written in plain ASCII, run on the shadow; a span found there
 * is cut out of clean through map[].
 *
 * The attack review (F9) added: My Numbers with dots, 、 or spaces (mixed)
 * between the groups, numbers right after "No"/"No.", phone numbers with
 * "/", card numbers with dots, and seven-digit postcodes without hyphen
 * after 〒 or 郵便番号.
 *
 * Classes run in priority order (e-mail, card, My Number, phone, postal code,
 * then a short local phone number right after a word such as 電話 or TEL),
 * each on the text with the labels of the classes before it already in, so a
 * card number is not also read as a phone number, and masking a masked text
 * again changes nothing. Counting digits and the Luhn check cannot be
 * said in a regular expression, so the patterns call back (PCRE2 callouts)
 * at their end, and a callout that says no makes PCRE2 backtrack and try a
 * shorter reading. PCRE2_NO_AUTO_POSSESS keeps that backtracking possible.
 *
 * Boundaries keep ordinary text intact: a number must not touch a letter or
 * a digit, nor follow "letter-" (ticket T-20261124-0007, FAQ id saijo-0001),
 * and must not continue with "-digit". Phone numbers must start with 0 (or
 * +81), so dates (2026-11-25), years, fees and counts never qualify.
 *
 * The compiled patterns and the match context are built once under
 * pthread_once and only read afterwards; match data is per call.
 */
#define _GNU_SOURCE /* memmem */
#include "bot/mask.h"
#include "util/mg_utf8.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Callout numbers: the check run when a pattern reaches its end. */
enum { CO_LUHN = 1, CO_PHONE = 2, CO_PHONE_INTL = 3, CO_PHONE_LOCAL = 4, CO_MYNUM = 5 };

/* Left boundary for numbers: not after a letter or digit, nor "letter-" /
 * "letter.", except right after "No" / "No." (any case), which introduces
 * a number rather than being part of one. Right boundary: not before a
 * letter or digit, nor "-digit". */
#define NB "(?:(?<![0-9A-Za-z])(?<![A-Za-z][-.])|(?<=(?i:no))|(?<=(?i:no)\\.))"
#define NE "(?![0-9A-Za-z])(?!-[0-9])"
/* Grouped card and My Numbers are not cut out of a longer grouped number:
 * no "digit-", "digit.", "digit," or "digit " before, no more groups after. */
#define GB "(?<![0-9][-., ])"
/* Between the groups of a My Number: any of - . , (、 folds to ,) with up
 * to two spaces around, or spaces alone, mixed freely. */
#define MSEP "(?: {0,2}[-.,]? {0,2})"
#define PSEP "[-./ ]?"
/* Phone numbers may touch letters: "TEL03-1234-5678", "FAX06-…", "…5678FAX". */
#define NBP "(?:(?<![0-9A-Za-z])|(?<=(?i:tel|fax)))(?<![A-Za-z][-.])"
#define NEP "(?![0-9])(?!-[0-9])"

static const struct mask_class {
  const char *label;
  const char *pattern;
} mask_classes[] = {
  { "［メール］",
    "[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+" },
  { "［カード番号］", NB GB "[0-9](?:[-. ]?[0-9]){12,18}" NE "(?![-. ][0-9])(?C1)" },
  { "［個人番号］", NB GB "[0-9]{4}" MSEP "[0-9]{4}" MSEP "[0-9]{4}" NE "(?!" MSEP "[0-9])(?C5)" },
  { "［電話番号］",
    NBP "(?:\\(0[0-9]{1,4}\\)" PSEP "[0-9]{1,4}" PSEP "[0-9]{2,4}"
    "|0[0-9]{1,4}" PSEP "\\([0-9]{1,4}\\)" PSEP "[0-9]{2,4}"
    "|0[0-9]{1,4}" PSEP "[0-9]{1,4}" PSEP "[0-9]{2,4})" NEP "(?C2)" },
  { "［電話番号］",
    "(?<![0-9A-Za-z+])(?:\\+|00)81" PSEP "(?:\\(0\\)" PSEP ")?(?:\\([0-9]{1,4}\\)|[0-9]{1,4})" PSEP
    "[0-9]{1,4}" PSEP "[0-9]{2,4}" NEP "(?C3)" },
  { "［郵便番号］", "〒 ?[0-9]{3}[- ]?[0-9]{4}" NE },
  /* Seven digits with no hyphen are a postcode only after the word. */
  { "［郵便番号］", "(?:郵便番号|郵便|〒)(?:は|:| |,|です)*\\K(?<![0-9])[0-9]{7}" NE },
  { "［郵便番号］", "(?<![-0-9A-Za-z])[0-9]{3}-[0-9]{4}" NE },
  /* A local number without its area code ("電話は56-1234") is only told
   * from an address or a count by the word before it; \\K keeps the word. */
  { "［電話番号］",
    "(?:電話|でんわ|TEL|Tel|tel|携帯|ケータイ|連絡先|FAX|Fax|fax)(?:番号)?(?:は|:| |を|が|です|、)*\\K"
    NBP "[0-9]{1,4}" PSEP "[0-9]{1,4}(?:" PSEP "[0-9]{1,4})?" NEP "(?C4)" },
};
#define N_CLASSES (sizeof mask_classes / sizeof mask_classes[0])

static pthread_once_t mask_once = PTHREAD_ONCE_INIT;
static pcre2_code *mask_code[N_CLASSES];
static pcre2_match_context *mask_mctx;
static int mask_ready; /* 1 when every pattern compiled */

/* Digits of subject[from, to) into d (at most max); returns the count. */
static int collect_digits(PCRE2_SPTR s, size_t from, size_t to, char *d, int max) {
  int n = 0;
  for (size_t i = from; i < to; i++)
    if (s[i] >= '0' && s[i] <= '9') {
      if (n < max)
        d[n] = (char)(s[i] - '0');
      n++;
    }
  return n;
}

static int luhn_ok(const char *d, int n) {
  int sum = 0;
  for (int i = 0; i < n; i++) {
    int v = d[n - 1 - i];
    if (i & 1)
      v = v * 2 > 9 ? v * 2 - 9 : v * 2;
    sum += v;
  }
  return sum % 10 == 0;
}

/* Return 0 to accept the reading that reached the callout, 1 to backtrack. */
static int mask_callout(pcre2_callout_block *cb, void *unused) {
  char d[32];
  PCRE2_SPTR s = cb->subject;
  size_t from = cb->start_match, to = cb->current_position;
  int n = collect_digits(s, from, to, d, (int)sizeof d);

  switch (cb->callout_number) {
  case CO_LUHN:
    return n >= 13 && n <= 19 && luhn_ok(d, n) ? 0 : 1;
  case CO_PHONE:
    return n == 10 || n == 11 ? 0 : 1;
  case CO_MYNUM: {
    /* Twelve digits; "2024、2025、2026" lists years, not a My Number. */
    int years = 0;
    if (n != 12)
      return 1;
    for (int g = 0; g < 12; g += 4)
      years += (d[g] == 1 && d[g + 1] == 9) || (d[g] == 2 && d[g + 1] == 0);
    return years == 3 ? 1 : 0;
  }
  case CO_PHONE_LOCAL:
    return n >= 6 && n <= 11 ? 0 : 1;
  case CO_PHONE_INTL: {
    /* National digits: skip the country code (+81 or 0081), a "(0)", and a
     * leading 0 kept by habit ("+81 090-…"); Japan has 9 or 10 left. */
    int at = s[from] == '+' ? 2 : 4;
    if (memmem(s + from, to - from, "(0)", 3))
      at++;
    if (at < n && d[at] == 0)
      at++;
    return n - at == 9 || n - at == 10 ? 0 : 1;
  }
  }
  return 1;
}

static void mask_init(void) {
  int ecode;
  PCRE2_SIZE eoff;

  if (!(mask_mctx = pcre2_match_context_create(NULL)))
    return;
  pcre2_set_callout(mask_mctx, mask_callout, NULL);
  for (size_t i = 0; i < N_CLASSES; i++) {
    mask_code[i] = pcre2_compile((PCRE2_SPTR)mask_classes[i].pattern, PCRE2_ZERO_TERMINATED,
                                 PCRE2_UTF | PCRE2_NO_AUTO_POSSESS, &ecode, &eoff, NULL);
    if (!mask_code[i])
      return;
    (void)pcre2_jit_compile(mask_code[i], PCRE2_JIT_COMPLETE);
  }
  mask_ready = 1;
}

/* ---- clean and shadow copies ------------------------------------------- */

/* The ASCII stand-in of a code point in the shadow, or 0 to copy it as is. */
static char fold_ascii(uint32_t cp) {
  if (cp >= 0xFF01 && cp <= 0xFF5E)
    return (char)(cp - 0xFEE0);           /* full-width ASCII: ０ Ａ （ ＠ ． － */
  switch (cp) {
  case 0x3000: case 0x00A0:               /* ideographic and no-break space */
    return ' ';
  case 0x3001:                            /* 、 between digit groups */
    return ',';
  case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015:
  case 0x2212: case 0x30FC: case 0xFF70: case 0xFE63: case 0xFE58:
    return '-';                           /* hyphens, dashes, minus, ー, ｰ */
  }
  return 0;
}

typedef struct mask_buf {
  char *clean;   /* valid UTF-8 copy of the input */
  size_t clean_len;
  char *shadow;  /* folded copy the patterns run on */
  size_t shadow_len;
  size_t *map;   /* map[i]: offset in clean of shadow byte i; map[shadow_len] = clean_len */
} mask_buf;

static int mask_prepare(mask_buf *b, const char *text, size_t len) {
  const unsigned char *s = (const unsigned char *)text;
  size_t i = 0;

  /* U+FFFD is 3 bytes, so an invalid byte at most triples. */
  b->clean = malloc(3 * len + 1);
  b->shadow = malloc(3 * len + 1);
  b->map = malloc((3 * len + 1) * sizeof *b->map);
  b->clean_len = b->shadow_len = 0;
  if (!b->clean || !b->shadow || !b->map)
    return -1;
  while (i < len) {
    uint32_t cp;
    int n = s[i] ? mg_utf8_decode(s + i, len - i, &cp) : 0;
    const char *src = (const char *)s + i;
    char f;
    if (n == 0) {
      src = "\xEF\xBF\xBD";
      cp = 0xFFFD;
      i++;
      n = 3;
    } else {
      i += n;
    }
    f = fold_ascii(cp);
    if (f) {
      b->map[b->shadow_len] = b->clean_len;
      b->shadow[b->shadow_len++] = f;
    } else {
      for (int k = 0; k < n; k++) {
        b->map[b->shadow_len] = b->clean_len + k;
        b->shadow[b->shadow_len++] = src[k];
      }
    }
    memcpy(b->clean + b->clean_len, src, n);
    b->clean_len += n;
  }
  b->map[b->shadow_len] = b->clean_len;
  b->clean[b->clean_len] = b->shadow[b->shadow_len] = '\0';
  return 0;
}

/* ---- one class at a time ------------------------------------------------ */

typedef struct span {
  size_t start, end; /* in shadow bytes */
} span;

static void mask_buf_free(mask_buf *b) {
  free(b->clean);
  free(b->shadow);
  free(b->map);
}

/* Find the spans of class c in b's shadow (in order, not overlapping) into
 * *spans (grown as needed). Returns their number, or -1 when out of memory. */
static int find_spans(const mask_buf *b, size_t c, pcre2_match_data *md, span **spans, int *cap) {
  size_t at = 0;
  int n = 0;
  while (at < b->shadow_len) {
    PCRE2_SIZE *ov;
    if (pcre2_match(mask_code[c], (PCRE2_SPTR)b->shadow, b->shadow_len, at, PCRE2_NO_UTF_CHECK, md, mask_mctx) < 0)
      break;
    ov = pcre2_get_ovector_pointer(md);
    if (n == *cap) {
      span *grown = realloc(*spans, (*cap ? 2 * *cap : 8) * sizeof **spans);
      if (!grown)
        return -1;
      *spans = grown;
      *cap = *cap ? 2 * *cap : 8;
    }
    (*spans)[n++] = (span){ ov[0], ov[1] };
    at = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
  }
  return n;
}

/* b.clean with the n spans replaced by label: a new string, or NULL. */
static char *replace_spans(const mask_buf *b, const span *spans, int n, const char *label) {
  size_t prev = 0, ll = strlen(label);
  char *out = malloc(b->clean_len + (size_t)n * ll + 1), *o = out;
  if (!out)
    return NULL;
  for (int i = 0; i < n; i++) {
    size_t from = b->map[spans[i].start], to = b->map[spans[i].end];
    memcpy(o, b->clean + prev, from - prev);
    o += from - prev;
    memcpy(o, label, ll);
    o += ll;
    prev = to;
  }
  memcpy(o, b->clean + prev, b->clean_len - prev);
  o[b->clean_len - prev] = '\0';
  return out;
}

/* Classes run one after another on the text the previous ones produced, so
 * each sees the labels already put in. A later class can free an earlier
 * one's boundary ("0456781234 4111111111111111": the phone number's last
 * digit blocked the card), so the round repeats until nothing more is found;
 * the result is then stable under masking again. The text is rebuilt only
 * when a class found something, which for most questions is never. */
char *bot_mask_text_n(const char *text, size_t len, int *count) {
  mask_buf b = { 0 };
  pcre2_match_data *md = NULL;
  span *spans = NULL;
  int cap = 0, total = 0;
  char *out = NULL;

  if (count)
    *count = 0;
  pthread_once(&mask_once, mask_init);
  if (!mask_ready || !text)
    return NULL;
  if (mask_prepare(&b, text, len) < 0 || !(md = pcre2_match_data_create(4, NULL)))
    goto out;
  /* Rounds until nothing is found: a number can hide behind another one
   * (0219021230-0219022123-… masks one per round). Each round that finds
   * something replaces digits by labels without digits, so the digits left
   * strictly decrease and the loop ends; masking the result again then
   * changes nothing (fuzz_text checks it). */
  for (int found = 1; found;) {
    found = 0;
    for (size_t c = 0; c < N_CLASSES; c++) {
      int n = find_spans(&b, c, md, &spans, &cap);
      char *next;
      if (n < 0)
        goto out;
      if (n == 0)
        continue;
      if (!(next = replace_spans(&b, spans, n, mask_classes[c].label)))
        goto out;
      mask_buf_free(&b);
      b = (mask_buf){ 0 };
      if (mask_prepare(&b, next, strlen(next)) < 0) {
        free(next);
        goto out;
      }
      free(next);
      found += n;
    }
    total += found;
  }
  /* Hand over the clean copy itself as the result. */
  out = b.clean;
  b.clean = NULL;
  if (count)
    *count = total;
out:
  pcre2_match_data_free(md);
  free(spans);
  mask_buf_free(&b);
  return out;
}

char *bot_mask_text(const char *text, size_t len) {
  return bot_mask_text_n(text, len, NULL);
}
