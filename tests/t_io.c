/* Import and export: filled in below as the formats land. */
#include "io_int.h"
#include "tests/tap.h"

int main(void) {
  char ts[32];
  is_int(mg_io_date_in("2024-04-01", ts), 0, "a date in Tokyo is accepted");
  is_str(ts, "2024-03-31T15:00:00Z", "it becomes the UTC instant of its midnight in Tokyo");
  return done_testing();
}
