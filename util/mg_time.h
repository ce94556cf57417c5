/*
 * mg_time.h — the one place for times: UTC as stored, Asia/Tokyo as shown.
 *
 * The database stores UTC text, "YYYY-MM-DDTHH:MM:SSZ" (it sorts as it
 * reads). Residents and staff see Asia/Tokyo, and tickets are numbered and
 * days counted there (NOTES: store UTC, show and count in Asia/Tokyo).
 * Japan keeps no daylight saving time, so Tokyo is always UTC+9 and no
 * time-zone database is needed.
 */
#ifndef MG_TIME_H
#define MG_TIME_H

#include <stddef.h>
#include <time.h>

#define MG_JST_OFFSET (9 * 3600)
#define MG_TIMELEN 21 /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */

/* t as stored: "YYYY-MM-DDTHH:MM:SSZ" into buf[MG_TIMELEN]. */
void mg_time_utc(time_t t, char *buf);
/* Back: 0 and *out, or -1 when utc has another shape. */
int mg_time_parse(const char *utc, time_t *out);
/* t in Asia/Tokyo, formatted with strftime's fmt into buf (size bytes). */
void mg_time_jst(time_t t, const char *fmt, char *buf, size_t size);

#endif
