/*
 * mask.h — remove personal data from free text before it is stored or logged.
 *
 * Questions, transcripts, feedback comments and log lines pass through
 * mask_text; what looks like personal data is replaced by a label:
 *   ［個人番号］   My Number: 12 digits, plain or 4-4-4 with the same space or
 *                 hyphen between the groups
 *   ［カード番号］ card numbers: 13–19 digits, optionally in groups, Luhn-valid
 *   ［電話番号］   Japanese phone numbers: 10–11 digits starting with 0
 *                 (090-1234-5678, 0897-12-3456, (0897)12-3456,
 *                 0897(12)3456, 0120-123-456, TEL03-…) or +81 / 0081
 *                 forms; a local number without area code only right after
 *                 a word like 電話, TEL, 携帯, 連絡先 ("電話は56-1234")
 *   ［メール］     e-mail addresses
 *   ［郵便番号］   postal codes: 〒793-8601, 〒7938601, 793-8601
 * Full-width digits and letters, full-width and Japanese dashes (－ ‐ − ー)
 * and the ideographic space count like their ASCII forms. A number glued to
 * letters or digits (a ticket number T-20261124-0007, an id saijo-0001) is
 * left alone, as are dates, times, fees and counts.
 *
 * The contact a resident chooses to give on escalation is not masked: the
 * caller stores it in its own column (docs/NOTES: personal data).
 *
 * The patterns are compiled once, on first use, and only read afterwards,
 * so these functions are safe from any number of threads.
 */
#ifndef MG_MASK_H
#define MG_MASK_H

#include <stddef.h>

/* A new NUL-terminated UTF-8 string (caller frees with free()) with the
 * personal data in text (len bytes, any bytes) replaced by labels. Invalid
 * UTF-8 sequences and NUL bytes become U+FFFD, so the result is always valid
 * UTF-8. Returns NULL only when out of memory (or when the patterns could
 * not be compiled, which would be a bug found by the tests). */
char *bot_mask_text(const char *text, size_t len);

/* As mask_text; *count (if not NULL) receives the number of labels put in. */
char *bot_mask_text_n(const char *text, size_t len, int *count);

#endif
