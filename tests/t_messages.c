/* The bot's own words: the shipped file loads, placeholders fill, a broken
 * file is refused with the key named. */
#include "bot/messages.h"
#include "util/mg_err.h"
#include "tests/tap.h"

#include <stdlib.h>
#include <unistd.h>

int main(void) {
  char err[MG_ERRLEN] = "", path[1024], tmp[] = "/tmp/mg-msg-XXXXXX";
  const char *dict = getenv("MG_DICT_DIR");
  msg_set *m = NULL;
  FILE *f;
  int fd;

  snprintf(path, sizeof path, "%s/messages.json", dict ? dict : "dict");
  is_int(bot_msg_load(&m, path, err), 0, "dict/messages.json loads (%s)", err);
  ok(m && strstr(bot_msg_get(m, MSG_PRIVACY), "{retention_days}"), "the privacy notice names the retention period");
  {
    const char *names[] = { "ticket_no", "next_read" }, *values[] = { "T-20261125-0001", "本日中に確認します" };
    char *s = bot_msg_fill("受付番号は {ticket_no} です。{next_read}。{unknown}", 2, names, values);
    is_str(s, "受付番号は T-20261125-0001 です。本日中に確認します。{unknown}", "placeholders fill, unknown ones stay");
    free(s);
  }
  {
    const char *names[] = { "x" }, *values[] = { "%s%n%d" };
    char *s = bot_msg_fill("{x}{x}{x}{x}{x}{x}{x}{x}", 1, names, values);
    is_str(s, "%s%n%d%s%n%d%s%n%d%s%n%d%s%n%d%s%n%d%s%n%d%s%n%d", "values are text, never a format, and may repeat");
    free(s);
  }
  bot_msg_free(m);

  if ((fd = mkstemp(tmp)) < 0 || !(f = fdopen(fd, "w"))) return 1;
  fputs("{\"version\": 1, \"greeting\": \"こんにちは\"}", f);
  fclose(f);
  is_int(bot_msg_load(&m, tmp, err), MG_ECONFIG, "a file without every key is refused");
  ok(strstr(err, "\"privacy\""), "naming the first missing key (%s)", err);
  is_int(bot_msg_load(&m, "/nonexistent/messages.json", err), MG_ECONFIG, "a missing file is refused");
  ok(strstr(err, "/nonexistent/messages.json"), "naming the file");
  unlink(tmp);
  return done_testing();
}
