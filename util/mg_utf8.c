/*
 * mg_utf8.c — the one strict UTF-8 reader: the WebSocket and HTTP adapters
 * reject frames with it, the dialogue and the console count the 1,000 code
 * points of a question with it, tests check masked text with it.
 */
#include "util/mg_utf8.h"

#include <string.h>

int mg_utf8_decode(const void *text, size_t len, uint32_t *cp) {
  const unsigned char *p = text;
  unsigned c, need;
  uint32_t v;
  if (len == 0) return 0;
  c = p[0];
  if (c < 0x80) { *cp = c; return 1; }
  if (c >= 0xc2 && c <= 0xdf) need = 1, v = c & 0x1f;
  else if (c >= 0xe0 && c <= 0xef) need = 2, v = c & 0x0f;
  else if (c >= 0xf0 && c <= 0xf4) need = 3, v = c & 0x07;
  else return 0;
  if (len <= need) return 0;
  for (unsigned k = 1; k <= need; k++) {
    if ((p[k] & 0xc0) != 0x80) return 0;
    v = (v << 6) | (p[k] & 0x3f);
  }
  if ((need == 2 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) || (need == 3 && (v < 0x10000 || v > 0x10ffff)))
    return 0;
  *cp = v;
  return (int)need + 1;
}

long mg_utf8_count(const void *text, size_t len) {
  const unsigned char *p = text;
  size_t i = 0;
  long n = 0;
  while (i < len) {
    uint32_t cp;
    int k = mg_utf8_decode(p + i, len - i, &cp);
    if (!k) return -1;
    i += (size_t)k;
    n++;
  }
  return n;
}

/* The code point of the 3-byte sequence at u (a BMP character). */
static unsigned cp3(const unsigned char *u) { return ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu); }

/* Move every BMP kana in [lo, hi] by delta code points, in place: hiragana
 * and katakana sit 0x60 apart with the same 3-byte lead, so only the last
 * two bytes change. */
static void kana_shift(char *s, size_t len, unsigned lo, unsigned hi, int delta) {
  for (size_t i = 0; i + 2 < len; i++) {
    unsigned char *u = (unsigned char *)s + i;
    if (u[0] != 0xE3) continue;
    unsigned cp = cp3(u);
    if (cp >= lo && cp <= hi) {
      cp = (unsigned)((int)cp + delta);
      u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
      u[2] = (unsigned char)(0x80 | (cp & 0x3F));
    }
    i += 2;
  }
}

void mg_utf8_hira_to_kata(char *s, size_t len) { kana_shift(s, len, 0x3041, 0x3096, 0x60); }

void mg_utf8_kata_to_hira(char *s, size_t len) { kana_shift(s, len, 0x30A1, 0x30F6, -0x60); }

int mg_utf8_is_kata(const char *s, size_t len, size_t i) {
  const unsigned char *u = (const unsigned char *)s + i;
  if (i + 3 > len || u[0] != 0xE3) return 0;
  unsigned cp = cp3(u);
  return (cp >= 0x30A1 && cp <= 0x30FA) || cp == 0x30FC;
}

/* Katakana of the o and u rows, small ones and voiced ones included. */
static int o_or_u_row(unsigned cp) {
  static const unsigned row[] = { 0x30A9, 0x30AA, 0x30B3, 0x30B4, 0x30BD, 0x30BE, 0x30C8, 0x30C9, 0x30CE,
                                  0x30DB, 0x30DC, 0x30DD, 0x30E2, 0x30E7, 0x30E8, 0x30ED, 0x30F2, /* o */
                                  0x30A5, 0x30A6, 0x30AF, 0x30B0, 0x30B9, 0x30BA, 0x30C4, 0x30C5, 0x30CC,
                                  0x30D5, 0x30D6, 0x30D7, 0x30E0, 0x30E5, 0x30E6, 0x30EB, 0x30F4 /* u */ };
  for (size_t i = 0; i < sizeof row / sizeof row[0]; i++)
    if (row[i] == cp) return 1;
  return 0;
}

int mg_utf8_fold_long_vowels(const char *s, size_t len, char *out) {
  size_t o = 0;
  unsigned prev = 0;
  for (size_t i = 0; i < len;) {
    const unsigned char *u = (const unsigned char *)s + i;
    size_t n = (size_t)mg_utf8_seqlen(u[0]);
    unsigned cp = n == 3 && i + 3 <= len ? cp3(u) : 0;
    if (!(cp == 0x30FC || (cp == 0x30A6 && o_or_u_row(prev)))) {
      memcpy(out + o, s + i, n);
      o += n;
    }
    prev = cp;
    i += n;
  }
  out[o] = '\0';
  return (int)o;
}

int mg_utf8_has_kanji(const char *s, size_t len) {
  for (size_t i = 0; i + 2 < len; i++) {
    const unsigned char *u = (const unsigned char *)s + i;
    if (u[0] < 0xE3 || u[0] > 0xE9) continue;
    unsigned cp = cp3(u);
    if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || cp == 0x3005) return 1;
  }
  return 0;
}


int mg_utf8_chars(const char *s, int n) {
  int k = 0;
  for (int i = 0; i < n; i += mg_utf8_seqlen((unsigned char)s[i])) k++;
  return k;
}

int mg_utf8_edit1(const char *a, int an, const char *b, int bn) {
  int ca[MG_EDIT_MAX + 2], cb[MG_EDIT_MAX + 2], na = 0, nb = 0, prev[MG_EDIT_MAX + 2], cur[MG_EDIT_MAX + 2];
  for (int i = 0; i < an && na <= MG_EDIT_MAX; i += mg_utf8_seqlen((unsigned char)a[i])) ca[na++] = i;
  for (int i = 0; i < bn && nb <= MG_EDIT_MAX; i += mg_utf8_seqlen((unsigned char)b[i])) cb[nb++] = i;
  if (na > MG_EDIT_MAX || nb > MG_EDIT_MAX || na - nb > 1 || nb - na > 1) return 2;
  for (int j = 0; j <= nb; j++) prev[j] = j;
  for (int i = 1; i <= na; i++) {
    int la = mg_utf8_seqlen((unsigned char)a[ca[i - 1]]);
    cur[0] = i;
    for (int j = 1; j <= nb; j++) {
      int lb = mg_utf8_seqlen((unsigned char)b[cb[j - 1]]);
      int same = la == lb && memcmp(a + ca[i - 1], b + cb[j - 1], (size_t)la) == 0;
      int v = prev[j - 1] + !same;
      if (prev[j] + 1 < v) v = prev[j] + 1;
      if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
      cur[j] = v;
    }
    memcpy(prev, cur, sizeof cur);
  }
  return prev[nb] > 1 ? 2 : prev[nb];
}

int mg_utf8_deletions(const char *w, int n, mg_utf8_del_fn fn, void *ctx) {
  char buf[256];
  if (n >= (int)sizeof buf) return 0;
  for (int i = 0; i < n; i += mg_utf8_seqlen((unsigned char)w[i])) {
    int cl = mg_utf8_seqlen((unsigned char)w[i]), rc;
    memcpy(buf, w, (size_t)i);
    memcpy(buf + i, w + i + cl, (size_t)(n - i - cl));
    if ((rc = fn(ctx, buf, n - cl)) != 0) return rc;
  }
  return 0;
}

void mg_utf8_fold_small_vowels(char *s, size_t len) {
  /* ぁぃぅぇぉ are U+3041, 3043, 3045, 3047, 3049; the full ones one higher */
  static const unsigned keep_after[] = { 0x3075, 0x3046, 0x3094, 0x3066, 0x3067, 0x3068, 0x3069, 0x3061, 0x3058, 0x3057 };
  unsigned prev = 0;
  for (size_t i = 0; i + 2 < len; i += mg_utf8_seqlen((unsigned char)s[i])) {
    unsigned char *u = (unsigned char *)s + i;
    unsigned cp = u[0] >= 0xE0 && u[0] < 0xF0 ? cp3(u) : 0;
    if (cp >= 0x3041 && cp <= 0x3049 && (cp & 1)) {
      int keep = 0;
      for (size_t k = 0; k < sizeof keep_after / sizeof keep_after[0]; k++) keep |= prev == keep_after[k];
      if (!keep && prev >= 0x3041 && prev <= 0x3096) {
        cp += 1;
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
      }
    }
    prev = cp;
  }
}
