/*
 * tap.h — a tiny TAP producer for unit tests (Automake's tap-driver counts
 * every "ok"/"not ok" line). Header-only so each test is one file.
 *
 *   plan_no_plan(); ok(cond, "what it checks"); is_int(a, b, "..."); is_str(a, b, "...");
 *   return done_testing();
 */
#ifndef MG_TAP_H
#define MG_TAP_H

#include <stdio.h>
#include <stdarg.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) do { long long g_ = (got), w_ = (want); \
    if (!ok(g_ == w_, __VA_ARGS__)) printf("#   got %lld, want %lld\n", g_, w_); } while (0)
#define is_str(got, want, ...) do { const char *g_ = (got), *w_ = (want); \
    if (!ok(g_ && w_ && strcmp(g_, w_) == 0, __VA_ARGS__)) \
      printf("#   got \"%s\", want \"%s\"\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } while (0)
#define diag(...) do { printf("# "); printf(__VA_ARGS__); printf("\n"); } while (0)

__attribute__((format(printf, 4, 5)))
static int tap_ok(int pass, const char *file, int line, const char *fmt, ...) {
  va_list ap;
  tap_n++;
  if (!pass) tap_failed++;
  printf("%sok %d - ", pass ? "" : "not ", tap_n);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  if (!pass) printf("#   failed at %s:%d\n", file, line);
  fflush(stdout);
  return pass;
}

static inline int done_testing(void) {
  printf("1..%d\n", tap_n);
  return tap_failed ? 1 : 0;
}

#endif
