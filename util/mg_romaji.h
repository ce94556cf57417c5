/*
 * mg_romaji.h — romanised Japanese (gomi no dashikata) back into hiragana.
 *
 * Residents without a Japanese keyboard write Japanese in Latin letters.
 * Turned back into hiragana, such a question meets the FAQ through the
 * readings the index holds, like any question written in kana. English is
 * not romaji: a text counts as romaji only when nearly every word is made of
 * valid Hepburn (or kunrei) syllables.
 */
#ifndef MG_ROMAJI_H
#define MG_ROMAJI_H

#include <stddef.h>

/* When text (len bytes) reads as romaji, write its hiragana (words joined
 * without spaces, NUL-terminated) into out (cap bytes) and return the
 * number of syllables; else return 0 (out untouched). */
int mg_romaji_to_kana(const char *text, int len, char *out, size_t cap);

/* One word (n bytes: letters, ' and -) as romaji: its hiragana into out
 * (cap bytes, NUL-terminated) and the number of syllables, or 0 when it is
 * not romaji (out untouched then or cut short). */
int mg_romaji_word(const char *w, int n, char *out, size_t cap);

#endif
