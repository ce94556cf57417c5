/*
 * mg_time.c — UTC as stored, Asia/Tokyo as shown (see mg_time.h).
 */
#include "util/mg_time.h"

#include <stdio.h>

void mg_time_utc(time_t t, char *buf) {
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, MG_TIMELEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int mg_time_parse(const char *utc, time_t *out) {
  struct tm tm = { 0 };
  if (!utc || sscanf(utc, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                     &tm.tm_sec) != 6)
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  *out = timegm(&tm);
  return 0;
}

void mg_time_jst(time_t t, const char *fmt, char *buf, size_t size) {
  struct tm tm;
  t += MG_JST_OFFSET;
  gmtime_r(&t, &tm);
  strftime(buf, size, fmt, &tm);
}
