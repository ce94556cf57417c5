/*
 * mg_utf8.h — strict UTF-8 checking and counting.
 */
#ifndef MG_UTF8_H
#define MG_UTF8_H

#include <stddef.h>

/* Code points in the len bytes at text, or -1 when they are not well-formed
 * UTF-8 (overlong forms, surrogates, values past U+10FFFF, truncated
 * sequences). Text limits count code points as received (NOTES). */
long mg_utf8_count(const void *text, size_t len);

/* Hiragana (U+3041–U+3096) → katakana in place, for matching by reading;
 * the byte length does not change, so offsets stay valid. */
void mg_utf8_hira_to_kata(char *s, size_t len);
/* 1 when the code point at s[i] (of len bytes) is katakana or the long
 * vowel mark ー. */
int mg_utf8_is_kata(const char *s, size_t len, size_t i);
/* 1 when s has a CJK ideograph (kanji) anywhere. */
int mg_utf8_has_kanji(const char *s, size_t len);

#endif
