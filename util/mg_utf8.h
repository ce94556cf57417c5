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

#endif
