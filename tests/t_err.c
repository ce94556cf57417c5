/* The error table gives each code one stable string and a message. */
#include "util/mg_err.h"
#include "tests/tap.h"

static void each_code_has_a_stable_string(void) {
  is_str(mg_err_code(MG_EBADUTF8), "bad_utf8", "bad_utf8 has its stable code");
  is_str(mg_err_code(MG_ERATE), "rate_limited", "rate_limited has its stable code");
  is_str(mg_err_code(-999), "internal", "unknown values map to internal");
}

static void each_code_has_a_message(void) {
  ok(strlen(mg_err_message(MG_ETOOLONG)) > 0, "messages are not empty");
}

static void errf_formats_the_reason_and_returns_the_code(void) {
  char buf[MG_ERRLEN];
  is_int(mg_errf(buf, MG_ECSV, "line %d: %s", 7, "too few columns"), MG_ECSV, "mg_errf returns the code");
  is_str(buf, "line 7: too few columns", "mg_errf formats the reason");
}

int main(void) {
  RUN(each_code_has_a_stable_string);
  RUN(each_code_has_a_message);
  RUN(errf_formats_the_reason_and_returns_the_code);
  return done_testing();
}
