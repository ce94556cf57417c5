/*
 * calendar.c — the office calendar as day numbers.
 *
 * Every date is turned into a day number (days since 1970-01-01 in the civil
 * calendar, Howard Hinnant's days_from_civil), so weekdays are a modulo,
 * "the next day" is +1, and the closed days are a sorted array searched with
 * bsearch. A UTC time t falls on JST day floor((t + 9 h) / 1 day) at second
 * (t + 9 h) mod 1 day of that day; this holds for every t because Japan has
 * kept UTC+9 without daylight saving since 1952. Office hours are seconds
 * after JST midnight.
 *
 * The file is read strictly: a city edits it by hand, and a mistyped date
 * (2026-02-30, 2026/11/23, a missing TAB) would otherwise silently leave the
 * office "open" on a holiday, so each is an error naming the line.
 */
#include "bot/calendar.h"
#include "bot/messages.h"
#include "util/mg_time.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict/tsv.h"
#include "util/mg_err.h"

#define DAY 86400
#define MAX_SEARCH_DAYS 400 /* cal_next_open gives up after this many days */

struct cal {
  long long *closed; /* sorted, unique JST day numbers */
  size_t n;
  int open_s, close_s; /* seconds after JST midnight */
};

/* ---- date arithmetic ----------------------------------------------------- */

static long long days_from_civil(long long y, int m, int d) {
  long long era, yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civil_from_days(long long z, int *y, int *m, int *d) {
  long long era, doe, yoe, doy, mp;
  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m) {
  static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : dm[m - 1];
}

/* JST day number and seconds into that day for UTC time t. */
static void jst_split(time_t t, long long *day, int *sec) {
  long long j = (long long)t + MG_JST_OFFSET;
  long long q = j / DAY, r = j % DAY;
  if (r < 0)
    q--, r += DAY;
  *day = q;
  *sec = (int)r;
}

/* 0 = Sunday … 6 = Saturday; day 0 (1970-01-01) was a Thursday. */
static int weekday(long long day) {
  int w = (int)((day + 4) % 7);
  return w < 0 ? w + 7 : w;
}

static int cmp_day(const void *a, const void *b) {
  long long x = *(const long long *)a, y = *(const long long *)b;
  return x < y ? -1 : x > y;
}

static int is_working_day(const cal *c, long long day) {
  int w = weekday(day);
  if (w == 0 || w == 6)
    return 0;
  return !bsearch(&day, c->closed, c->n, sizeof *c->closed, cmp_day);
}

/* ---- loading --------------------------------------------------------------- */

/* "HH:MM" or "H:MM" → seconds after midnight, or -1. */
static int parse_hhmm(const char *s) {
  int h = 0, m, i = 0;
  if (!s || s[0] < '0' || s[0] > '9')
    return -1;
  while (s[i] >= '0' && s[i] <= '9' && i < 2)
    h = h * 10 + (s[i++] - '0');
  if (s[i] != ':' || s[i + 1] < '0' || s[i + 1] > '5' || s[i + 2] < '0' || s[i + 2] > '9' || s[i + 3])
    return -1;
  m = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
  return h > 23 ? -1 : h * 3600 + m * 60;
}

/* Parse "YYYY-MM-DD<TAB>name" into a day number; NULL or a reason. */
static const char *parse_line(const char *s, long long *day) {
  int y, m, d;
  for (int i = 0; i < 10; i++) {
    if (i == 4 || i == 7) {
      if (s[i] != '-')
        return "the date must be YYYY-MM-DD";
    } else if (s[i] < '0' || s[i] > '9') {
      return "the date must be YYYY-MM-DD";
    }
  }
  y = atoi(s);
  m = (s[5] - '0') * 10 + (s[6] - '0');
  d = (s[8] - '0') * 10 + (s[9] - '0');
  if (m < 1 || m > 12)
    return "no such month";
  if (d < 1 || d > days_in_month(y, m))
    return "no such day in that month";
  if (s[10] != '\t')
    return "a TAB must follow the date";
  if (s[11] == '\0' || s[11] == ' ' || s[11] == '\t')
    return "the closed day needs a name after the TAB";
  *day = days_from_civil(y, m, d);
  return NULL;
}

void bot_cal_free(cal *c) {
  if (!c)
    return;
  free(c->closed);
  free(c);
}

int bot_cal_load(cal **out, const char *path, const char *open_hhmm, const char *close_hhmm, char *err) {
  cal *c = NULL;
  dict_table *t = NULL;
  size_t alloc = 0, w = 0;
  int rc = 0;

  *out = NULL;
  if (!(c = calloc(1, sizeof *c)))
    return mg_errf(err, MG_ENOMEM, "%s: out of memory", path);
  c->open_s = parse_hhmm(open_hhmm);
  c->close_s = parse_hhmm(close_hhmm);
  if (c->open_s < 0 || c->close_s < 0 || c->open_s >= c->close_s) {
    rc = mg_errf(err, MG_ECONFIG, "office hours \"%s\"–\"%s\": need HH:MM, opening before closing",
                 open_hhmm ? open_hhmm : "", close_hhmm ? close_hhmm : "");
    goto out;
  }
  if ((rc = dict_table_load(&t, path, 0, err)) != 0)
    goto out;
  for (int i = 0; i < t->n; i++) {
    const char *why;
    long long day;
    if ((why = parse_line(t->rows[i].text, &day))) {
      rc = mg_errf(err, MG_ECONFIG, "%s:%d: %s", path, t->rows[i].line, why);
      goto out;
    }
    if (c->n == alloc) {
      long long *grown = realloc(c->closed, (alloc = alloc ? 2 * alloc : 64) * sizeof *grown);
      if (!grown) {
        rc = mg_errf(err, MG_ENOMEM, "%s: out of memory", path);
        goto out;
      }
      c->closed = grown;
    }
    c->closed[c->n++] = day;
  }
  /* Sorted for bsearch; a day listed twice is harmless and kept once. */
  if (c->n)
    qsort(c->closed, c->n, sizeof *c->closed, cmp_day);
  for (size_t i = 0; i < c->n; i++)
    if (w == 0 || c->closed[w - 1] != c->closed[i])
      c->closed[w++] = c->closed[i];
  c->n = w;
  *out = c;
  c = NULL;
out:
  dict_table_free(t);
  bot_cal_free(c);
  return rc;
}

/* ---- queries ------------------------------------------------------------- */

int bot_cal_is_open(const cal *c, time_t t) {
  long long day;
  int sec;
  jst_split(t, &day, &sec);
  return sec >= c->open_s && sec < c->close_s && is_working_day(c, day);
}

time_t bot_cal_next_open(const cal *c, time_t t) {
  long long day;
  int sec;
  if (bot_cal_is_open(c, t))
    return t;
  jst_split(t, &day, &sec);
  if (sec >= c->open_s)
    day++;
  for (int i = 0; i < MAX_SEARCH_DAYS; i++, day++)
    if (is_working_day(c, day))
      return (time_t)(day * DAY + c->open_s - MG_JST_OFFSET);
  return (time_t)-1;
}

time_t bot_cal_add_working_days(const cal *c, time_t t, int n) {
  long long day;
  int sec;
  jst_split(t, &day, &sec);
  for (int i = 0, found = 0; found < n; i++) {
    if (i >= MAX_SEARCH_DAYS) return (time_t)-1;
    day++;
    if (is_working_day(c, day)) found++;
  }
  return (time_t)(day * DAY + c->close_s - MG_JST_OFFSET);
}

void bot_cal_format(const msg_set *msgs, int lang, time_t t, char *buf, size_t n) {
  static const char *const names[] = { "month", "day", "weekday", "time" };
  char mo[8], da[8], wd[32], hm[16], *s;
  const char *values[] = { mo, da, wd, hm };
  long long day;
  int sec, y, m, d;
  if (!buf || n == 0)
    return;
  jst_split(t, &day, &sec);
  civil_from_days(day, &y, &m, &d);
  snprintf(mo, sizeof mo, "%d", m);
  snprintf(da, sizeof da, "%d", d);
  snprintf(hm, sizeof hm, "%d:%02d", sec / 3600, sec / 60 % 60);
  bot_msg_weekday(msgs, lang, weekday(day), wd, sizeof wd);
  s = bot_msg_fill(bot_msg_lang(msgs, MSG_DATE_TIME, lang), 4, names, values);
  snprintf(buf, n, "%s", s ? s : "");
  free(s);
}

/* The last n decimal digits of v (v >= 0), zero-padded. Written by hand
 * because snprintf("%04d…") cannot prove to the compiler that 8 bytes fit. */
static void put_digits(char *p, int v, int n) {
  for (int i = n - 1; i >= 0; i--, v /= 10)
    p[i] = (char)('0' + v % 10);
}

void bot_cal_date_jst(time_t t, char *buf8) {
  long long day;
  int sec, y, m, d;
  jst_split(t, &day, &sec);
  civil_from_days(day, &y, &m, &d);
  put_digits(buf8, y, 4);
  put_digits(buf8 + 4, m, 2);
  put_digits(buf8 + 6, d, 2);
  buf8[8] = '\0';
}
