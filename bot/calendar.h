/*
 * calendar.h — when the city office is open, in Asia/Tokyo.
 *
 * The office is open on weekdays from office_open to office_close (config,
 * "08:30" and "17:15"), except on the closed days listed in
 * dict/calendar.tsv (national holidays, substitute holidays, the year-end
 * closure 12/29–1/3, local closures):
 *   # comment
 *   2026-11-23<TAB>勤労感謝の日
 * Weekends are closed without being listed. Times are UTC time_t everywhere;
 * Japan Standard Time is UTC+9 all year (no daylight saving), so JST is
 * computed arithmetically and nothing here reads TZ or tzdata. A cal is
 * immutable after cal_load and may be shared by any number of threads.
 */
#ifndef MG_CALENDAR_H
#define MG_CALENDAR_H

#include <stddef.h>
#include <time.h>

typedef struct cal cal;

/* Load the closed days in path; open_hhmm and close_hhmm are "HH:MM" (or
 * "H:MM") in JST with open before close. On success *out is a new calendar
 * the caller frees with cal_free. Errors: MG_EIO ("FILE: reason") when the
 * file cannot be read, MG_ECONFIG ("FILE:LINE: reason") for a bad line, or a
 * bad office time, MG_ENOMEM. */
int bot_cal_load(cal **out, const char *path, const char *open_hhmm, const char *close_hhmm, char *err);
void bot_cal_free(cal *c);

/* 1 when the office is open at t (UTC seconds), else 0. */
int bot_cal_is_open(const cal *c, time_t t);

/* The next moment the office opens: t itself when it is open at t, else the
 * opening time of the next working day (today's, if t is before opening on a
 * working day). (time_t)-1 if there is no working day within a year. Days
 * beyond the last year in the file count as working unless on a weekend. */
time_t bot_cal_next_open(const cal *c, time_t t);

/* The office's closing time on the n-th working day after the day of t
 * (n >= 1): when "an answer within n working days" falls due. (time_t)-1
 * when there are not that many working days within the search window. */
time_t bot_cal_add_working_days(const cal *c, time_t t, int n);

struct msg_set;
/* t in JST for residents in m's words for lang (dict/messages.json's
 * date_time and weekdays: "11月26日(木) 8:30"), into buf (n bytes, always
 * NUL-terminated when n > 0; 64 bytes are enough for the shipped texts). */
void bot_cal_format(const struct msg_set *m, int lang, time_t t, char *buf, size_t n);

/* The JST date of t as "YYYYMMDD" (for ticket numbers) into buf8, which must
 * hold at least 9 bytes. */
void bot_cal_date_jst(time_t t, char *buf8);

#endif
