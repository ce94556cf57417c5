/* The bot's own words: the shipped file loads, placeholders fill, a broken
 * file is refused with the key named. */
#include "bot/messages.h"
#include "util/mg_err.h"
#include "tests/tap.h"
#include "tests/testenv.h"

#include <stdlib.h>
#include <unistd.h>

static void shipped_file_loads_with_the_privacy_notice(void) {
  char err[MG_ERRLEN] = "", path[1024];
  const char *dict = getenv("MG_DICT_DIR");
  msg_set *m = NULL;

  snprintf(path, sizeof path, "%s/messages.json", dict ? dict : "dict");
  is_int(bot_msg_load(&m, path, err), 0, "dict/messages.json loads (%s)", err);
  ok(m && strstr(bot_msg_get(m, MSG_PRIVACY), "{retention_days}"), "the privacy notice names the retention period");
  bot_msg_free(m);
}

static void placeholders_fill_and_unknown_ones_stay(void) {
  const char *names[] = { "ticket_no", "next_read" }, *values[] = { "T-20261125-0001", "本日中に確認します" };
  char *s = bot_msg_fill("受付番号は {ticket_no} です。{next_read}。{unknown}", 2, names, values);
  is_str(s, "受付番号は T-20261125-0001 です。本日中に確認します。{unknown}", "placeholders fill, unknown ones stay");
  free(s);
}

static void values_are_text_never_a_format(void) {
  const char *names[] = { "x" }, *values[] = { "%s%n%d" };
  char *s = bot_msg_fill("{x}{x}{x}{x}{x}{x}{x}{x}", 1, names, values);
  is_str(s, "%s%n%d%s%n%d%s%n%d%s%n%d%s%n%d%s%n%d%s%n%d%s%n%d", "values are text, never a format, and may repeat");
  free(s);
}

static void file_missing_a_key_is_refused_naming_the_key(void) {
  char err[MG_ERRLEN] = "", tmp[] = "/tmp/mg-msg-XXXXXX";
  msg_set *m = NULL;
  ok(test_write_tmp(tmp, "{\"version\": 1, \"greeting\": \"こんにちは\"}") != NULL, "write a file without every key");
  is_int(bot_msg_load(&m, tmp, err), MG_ECONFIG, "a file without every key is refused");
  ok(strstr(err, "\"privacy\""), "naming the first missing key (%s)", err);
  unlink(tmp);
}

static void missing_file_is_refused_naming_the_file(void) {
  char err[MG_ERRLEN] = "";
  msg_set *m = NULL;
  is_int(bot_msg_load(&m, "/nonexistent/messages.json", err), MG_ECONFIG, "a missing file is refused");
  ok(strstr(err, "/nonexistent/messages.json"), "naming the file");
}

int main(void) {
  RUN(shipped_file_loads_with_the_privacy_notice);
  RUN(placeholders_fill_and_unknown_ones_stay);
  RUN(values_are_text_never_a_format);
  RUN(file_missing_a_key_is_refused_naming_the_key);
  RUN(missing_file_is_refused_naming_the_file);
  return done_testing();
}
