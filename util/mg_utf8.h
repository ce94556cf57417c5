/*
 * mg_utf8.h — strict UTF-8 checking and counting.
 */
#ifndef MG_UTF8_H
#define MG_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Code points in the len bytes at text, or -1 when they are not well-formed
 * UTF-8 (overlong forms, surrogates, values past U+10FFFF, truncated
 * sequences). Text limits count code points as received (NOTES). */
long mg_utf8_count(const void *text, size_t len);

/* The code point at text (len bytes available): its length in bytes (1 to
 * 4) with *cp, or 0 when the bytes there are not well-formed UTF-8 (the
 * same strict reading as mg_utf8_count). The one decoder: callers that
 * tolerate bad bytes skip one and go on. */
int mg_utf8_decode(const void *text, size_t len, uint32_t *cp);

/* The most a resident or staff member may type in one message, a question or
 * a reply, in code points — the one limit of docs/protocol.md "Limits", for
 * the chat, the HTTP API and the console alike. */
#define MG_TEXT_MAX 1000

/* Hiragana (U+3041–U+3096) → katakana in place, for matching by reading;
 * the byte length does not change, so offsets stay valid. */
void mg_utf8_hira_to_kata(char *s, size_t len);
/* Katakana (U+30A1–U+30F6) → hiragana in place: the inverse. */
void mg_utf8_kata_to_hira(char *s, size_t len);
/* 1 when the code point at s[i] (of len bytes) is katakana or the long
 * vowel mark ー. */
int mg_utf8_is_kata(const char *s, size_t len, size_t i);
/* Katakana without its long vowels, as romaji written without macrons
 * spells it (shogakko, kenko, juminhyo): the mark ー goes, and so does ウ
 * after a kana of the o or u row (ショウガッコウ → ショガッコ, ジュウミン →
 * ジュミン). s (len bytes, katakana and ー only) is folded into out (at
 * least len + 1 bytes, NUL-terminated); returns the folded length. */
int mg_utf8_fold_long_vowels(const char *s, size_t len, char *out);
/* Bytes of the sequence that lead byte c starts, in well-formed UTF-8 (1–4;
 * no checking: mg_utf8_decode is the checking reader). */
static inline int mg_utf8_seqlen(unsigned char c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }
/* Code points in the well-formed UTF-8 s[0..n) (no checking). */
int mg_utf8_chars(const char *s, int n);

/* Edit distance of a and b in code points, capped: 0, 1, or 2 for "more
 * than one" (also when either has more than MG_EDIT_MAX code points). For
 * typo tolerance: one wrong, missing or extra character. */
#define MG_EDIT_MAX 16
int mg_utf8_edit1(const char *a, int an, const char *b, int bn);

/* Call fn for each string made by deleting one code point of w[0..n)
 * (the symmetric-delete index of typo tolerance). Stops at and returns the
 * first non-zero value fn returns. */
typedef int (*mg_utf8_del_fn)(void *ctx, const char *s, int n);
int mg_utf8_deletions(const char *w, int n, mg_utf8_del_fn fn, void *ctx);

/* Casual small hiragana vowels (なぃ, ぁりがと) → full size, in place, where
 * they cannot be part of a syllable (after ふ, う, て, で, と, ど, ち, じ, し
 * they may be: ふぁ, てぃ). Same byte length. */
void mg_utf8_fold_small_vowels(char *s, size_t len);

/* 1 when s has a CJK ideograph (kanji) anywhere. */
int mg_utf8_has_kanji(const char *s, size_t len);

#endif
