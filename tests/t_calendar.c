/*
 * t_calendar.c — the office calendar in Asia/Tokyo: weekends, holidays, the
 * year-end closure, UTC times that are already tomorrow in Japan, ticket
 * dates, Japanese formatting, and each kind of malformed calendar file.
 *
 * Times are written as JST wall-clock time (jst()) or as UTC (utc()) so each
 * case reads like the situation it pins. TZ is set to a far-off zone first to
 * show that nothing depends on the machine's time zone.
 */
#include "bot/calendar.h"
#include "bot/lang.h"
#include "bot/messages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/mg_err.h"
#include "tests/tap.h"
#include "tests/testenv.h"

static char tmp_path[] = "/tmp/t_calendar_XXXXXX";

static const char *write_tmp(const char *text) { return test_write_tmp(tmp_path, text); }

static time_t utc(int y, int mo, int d, int h, int mi) {
  struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi };
  return timegm(&tm);
}

/* JST wall-clock time as UTC seconds. */
static time_t jst(int y, int mo, int d, int h, int mi) {
  return utc(y, mo, d, h, mi) - 9 * 3600;
}

static msg_set *msgs; /* dict/messages.json: the date's words */

static const char *fmt_lang(time_t t, int lang) {
  static char buf[64];
  if (t == (time_t)-1)
    return "(none)";
  bot_cal_format(msgs, lang, t, buf, sizeof buf);
  return buf;
}

static const char *fmt(time_t t) { return fmt_lang(t, BOT_LANG_JA); }

static const char *date8(time_t t) {
  static char buf[9];
  bot_cal_date_jst(t, buf);
  return buf;
}

static const char *fixture =
  "\xEF\xBB\xBF# closed days for the test (BOM and CRLF on purpose)\r\n"
  "2026-11-23\t勤労感謝の日\r\n"
  "\r\n"
  "2026-12-29\t年末年始休業\n"
  "2026-12-30\t年末年始休業\n"
  "2026-12-31\t年末年始休業\n"
  "2027-01-01\t元日\n"
  "2027-01-02\t年末年始休業\n"
  "2027-01-03\t年末年始休業\n"
  "2026-11-23\t勤労感謝の日 (listed twice)\n"
  "2028-02-29\tleap day\n";

/* the fixture calendar, loaded by fixture_calendar_loads */
static cal *c;

static void fixture_calendar_loads(void) {
  char err[MG_ERRLEN] = "";
  ok(bot_cal_load(&c, write_tmp(fixture), "08:30", "17:15", err) == 0, "fixture loads: %s", err);
}

static void weekday_is_open_from_opening_to_closing(void) {
  time_t t = jst(2026, 11, 25, 10, 0);
  ok(bot_cal_is_open(c, t), "Wednesday 10:00 is open");
  is_int(bot_cal_next_open(c, t), t, "open now: next_open is t itself");
  ok(!bot_cal_is_open(c, jst(2026, 11, 25, 8, 29)), "8:29 is before opening");
  ok(bot_cal_is_open(c, jst(2026, 11, 25, 8, 30)), "8:30 opens");
  ok(bot_cal_is_open(c, jst(2026, 11, 25, 17, 14)), "17:14 is still open");
  ok(!bot_cal_is_open(c, jst(2026, 11, 25, 17, 15)), "17:15 is closed");
  is_str(fmt(bot_cal_next_open(c, jst(2026, 11, 25, 7, 0))), "11月25日(水) 8:30", "early morning: opens today");
  is_str(fmt(bot_cal_next_open(c, jst(2026, 11, 25, 17, 15))), "11月26日(木) 8:30", "after closing: tomorrow");
}

static void weekends_holidays_and_year_end_are_closed(void) {
  is_str(fmt(bot_cal_next_open(c, jst(2026, 11, 27, 18, 0))), "11月30日(月) 8:30", "Friday evening → Monday 8:30");
  ok(!bot_cal_is_open(c, jst(2026, 11, 28, 10, 0)), "Saturday is closed");
  ok(!bot_cal_is_open(c, jst(2026, 11, 29, 10, 0)), "Sunday is closed");
  ok(!bot_cal_is_open(c, jst(2026, 11, 23, 10, 0)), "a listed holiday (Monday) is closed");
  is_str(fmt(bot_cal_next_open(c, jst(2026, 11, 20, 18, 0))), "11月24日(火) 8:30",
         "Friday evening before a Monday holiday → Tuesday 8:30");
  is_str(fmt(bot_cal_next_open(c, jst(2026, 12, 28, 18, 0))), "1月4日(月) 8:30", "12/28 evening → 1/4 (year-end closure)");
  is_int(bot_cal_next_open(c, jst(2026, 12, 28, 18, 0)), jst(2027, 1, 4, 8, 30), "… as the exact UTC time");
}

/* UTC times that are already the next day in Japan. */
static void utc_times_count_as_the_day_in_japan(void) {
  ok(bot_cal_is_open(c, utc(2026, 11, 26, 23, 45)), "Thu 23:45 UTC = Fri 8:45 JST: open");
  ok(!bot_cal_is_open(c, utc(2026, 11, 27, 16, 0)), "Fri 16:00 UTC = Sat 1:00 JST: closed");
  is_str(fmt(bot_cal_next_open(c, utc(2026, 11, 27, 16, 0))), "11月30日(月) 8:30", "… next open Monday");
  is_int(bot_cal_next_open(c, utc(2026, 11, 29, 23, 0)), utc(2026, 11, 29, 23, 30),
         "Sun 23:00 UTC = Mon 8:00 JST: opens at Sun 23:30 UTC");
  ok(!bot_cal_is_open(c, utc(2026, 11, 22, 23, 45)), "Sun 23:45 UTC = holiday Mon 8:45 JST: closed");
}

/* Answer targets in working days: the office's closing time on the n-th working day after. */
static void working_days_end_at_closing_and_skip_closed_days(void) {
  is_str(fmt(bot_cal_add_working_days(c, jst(2026, 11, 25, 10, 0), 1)), "11月26日(木) 17:15", "Wed + 1 working day: Thu close");
  is_str(fmt(bot_cal_add_working_days(c, jst(2026, 11, 25, 10, 0), 3)), "11月30日(月) 17:15", "Wed + 3: the weekend is skipped");
  is_str(fmt(bot_cal_add_working_days(c, jst(2026, 11, 20, 20, 0), 1)), "11月24日(火) 17:15",
         "Fri evening + 1: Monday's holiday is skipped");
  is_str(fmt(bot_cal_add_working_days(c, jst(2026, 12, 28, 10, 0), 1)), "1月4日(月) 17:15", "the year-end closure is skipped");
}

/* Beyond the file: weekends still count. */
static void beyond_the_file_weekends_still_count(void) {
  is_str(fmt(bot_cal_next_open(c, jst(2030, 6, 8, 12, 0))), "6月10日(月) 8:30", "a Saturday in 2030 → Monday");
  ok(!bot_cal_is_open(c, jst(2028, 2, 29, 10, 0)), "a leap day can be listed");
}

static void shipped_calendar_closes_national_holidays(void) {
  char path[1024], err[MG_ERRLEN] = "";
  const char *dict = getenv("MG_DICT_DIR");
  cal *c = NULL;

  snprintf(path, sizeof path, "%s/calendar.tsv", dict ? dict : "dict");
  if (!ok(bot_cal_load(&c, path, "08:30", "17:15", err) == 0, "shipped calendar loads: %s", err[0] ? err : path))
    return;
  ok(!bot_cal_is_open(c, jst(2026, 11, 23, 10, 0)), "2026-11-23 勤労感謝の日 is closed");
  is_str(fmt(bot_cal_next_open(c, jst(2026, 9, 18, 18, 0))), "9月24日(木) 8:30",
         "Silver Week 2026 (9/21 敬老, 9/22 国民の休日, 9/23 秋分) → Thursday");
  is_str(fmt(bot_cal_next_open(c, jst(2026, 5, 1, 18, 0))), "5月7日(木) 8:30",
         "Golden Week 2026 (5/6 振替休日) → Thursday 5/7");
  is_str(fmt(bot_cal_next_open(c, jst(2026, 12, 28, 17, 30))), "1月4日(月) 8:30", "year-end 2026 → 1/4/2027");
  is_str(fmt(bot_cal_next_open(c, jst(2027, 3, 19, 18, 0))), "3月23日(火) 8:30", "2027-03-22 振替休日 is closed");
  is_str(fmt(bot_cal_next_open(c, jst(2027, 12, 28, 18, 0))), "1月4日(火) 8:30", "year-end 2027 → 1/4/2028");
  bot_cal_free(c);
}

static void ticket_dates_are_tokyo_dates(void) {
  is_str(date8(utc(2026, 11, 25, 15, 30)), "20261126", "15:30 UTC is already tomorrow in JST");
  is_str(date8(utc(2026, 11, 25, 14, 59)), "20261125", "14:59 UTC is still today in JST");
  is_str(date8(utc(2026, 11, 25, 15, 0)), "20261126", "15:00 UTC is JST midnight");
  is_str(date8(utc(2026, 12, 31, 15, 0)), "20270101", "New Year in JST while UTC is still in 2026");
  is_str(date8((time_t)(-9 * 3600 - 1)), "19691231", "before 1970: floor division, not truncation");
  is_str(date8((time_t)-1), "19700101", "1969-12-31 23:59:59 UTC is 1970-01-01 in JST");
}

static void times_are_formatted_in_japanese_as_jst(void) {
  char small[8];
  is_str(fmt(jst(2026, 11, 25, 13, 5)), "11月25日(水) 13:05", "afternoon time, minutes padded");
  is_str(fmt(utc(2026, 11, 26, 23, 30)), "11月27日(金) 8:30", "format shows JST, not UTC");
  bot_cal_format(msgs, BOT_LANG_JA, jst(2026, 11, 25, 13, 5), small, sizeof small);
  ok(strlen(small) < sizeof small, "a short buffer is cut, still NUL-terminated");
  is_str(fmt_lang(jst(2026, 11, 25, 13, 5), BOT_LANG_EN), "Wed 11/25 13:05", "in English from the same data");
}

/* A bad file or bad hours fails with code and a message containing want. */
static void bad(const char *what, const char *text, const char *open, const char *close, int code, const char *want) {
  char err[MG_ERRLEN] = "", full[512];
  cal *c = (cal *)1;
  int rc = bot_cal_load(&c, text ? write_tmp(text) : "/nonexistent/calendar.tsv", open, close, err);
  is_int(rc, code, "%s: fails with %s", what, mg_err_code(code));
  ok(c == NULL, "%s: *out is NULL", what);
  snprintf(full, sizeof full, want, tmp_path);
  if (!ok(strstr(err, full) != NULL, "%s: message has \"%s\"", what, full))
    diag("message: %s", err);
}

static void malformed_file_or_hours_fail_naming_the_problem(void) {
  bad("slashes", "# x\n2026-11-03\t文化の日\n2026/11/23\t勤労感謝の日\n", "08:30", "17:15", MG_ECONFIG,
      "%s:3: the date must be YYYY-MM-DD");
  bad("no such day", "2026-02-30\tx\n", "08:30", "17:15", MG_ECONFIG, "%s:1: no such day in that month");
  bad("not a leap year", "2027-02-29\tx\n", "08:30", "17:15", MG_ECONFIG, "%s:1: no such day in that month");
  bad("month 13", "2026-13-01\tx\n", "08:30", "17:15", MG_ECONFIG, "%s:1: no such month");
  bad("space instead of TAB", "\n2026-11-23 勤労感謝の日\n", "08:30", "17:15", MG_ECONFIG,
      "%s:2: a TAB must follow the date");
  bad("no name", "2026-11-23\t\n", "08:30", "17:15", MG_ECONFIG, "%s:1: the closed day needs a name");
  bad("short date", "2026-1-3\tx\n", "08:30", "17:15", MG_ECONFIG, "%s:1: the date must be YYYY-MM-DD");
  bad("missing file", NULL, "08:30", "17:15", MG_EIO, "/nonexistent/calendar.tsv: No such file");
  bad("bad opening time", "", "8:75", "17:15", MG_ECONFIG, "office hours \"8:75\"");
  bad("closing before opening", "", "17:15", "08:30", MG_ECONFIG, "opening before closing");
  bad("hour 24", "", "08:30", "24:00", MG_ECONFIG, "need HH:MM");
}

int main(void) {
  char err[MG_ERRLEN] = "", path[1024];
  const char *dict = getenv("MG_DICT_DIR");
  setenv("TZ", "America/Los_Angeles", 1);
  tzset();
  snprintf(path, sizeof path, "%s/messages.json", dict ? dict : "dict");
  if (bot_msg_load(&msgs, path, err) != 0) {
    printf("Bail out! %s\n", err);
    return 1;
  }
  RUN(fixture_calendar_loads);
  if (c) {
    RUN(weekday_is_open_from_opening_to_closing);
    RUN(weekends_holidays_and_year_end_are_closed);
    RUN(utc_times_count_as_the_day_in_japan);
    RUN(working_days_end_at_closing_and_skip_closed_days);
    RUN(beyond_the_file_weekends_still_count);
    bot_cal_free(c);
  }
  RUN(shipped_calendar_closes_national_holidays);
  RUN(ticket_dates_are_tokyo_dates);
  RUN(times_are_formatted_in_japanese_as_jst);
  RUN(malformed_file_or_hours_fail_naming_the_problem);
  unlink(tmp_path);
  bot_msg_free(msgs);
  return done_testing();
}
