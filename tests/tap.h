/*
 * tap.h — a tiny TAP producer for unit tests (Automake's tap-driver counts
 * every "ok"/"not ok" line). Header-only so each test is one file.
 *
 * One behaviour, one function, named as a sentence about it; main() sets up
 * the file's shared fixture, lists the behaviours and reports:
 *
 *   static void publish_moves_the_published_pointer(void) {
 *     ok(cond, "what it checks"); is_int(a, b, "..."); is_str(a, b, "...");
 *   }
 *   int main(void) {
 *     tap_each(fresh_db, close_db);   optional: run around every test
 *     RUN(publish_moves_the_published_pointer);
 *     return done_testing();
 *   }
 *
 * Every line a test prints carries its name — "ok 7 - publish_moves_the_
 * published_pointer: what it checks" — and a failure adds "# failed at
 * file:line". Assertions that build on each other's state stay in one
 * function named for the scenario.
 */
#ifndef MG_TAP_H
#define MG_TAP_H

#include <stdio.h>
#include <stdarg.h>
#include <string.h>

static int tap_n, tap_failed;
static const char *tap_name;               /* the test RUN is running, or NULL */
static void (*tap_setup)(void), (*tap_teardown)(void);

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
  if (tap_name) printf("%s: ", tap_name);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  if (!pass) printf("#   failed at %s:%d\n", file, line);
  fflush(stdout);
  return pass;
}

/* Run setup before and teardown after every test RUN from now on (either
 * may be NULL): a fresh fixture for each behaviour. */
static inline void tap_each(void (*setup)(void), void (*teardown)(void)) {
  tap_setup = setup;
  tap_teardown = teardown;
}

/* Run one behaviour's test with its name on each of its lines. */
#define RUN(fn) tap_run(#fn, fn)
static inline void tap_run(const char *name, void (*fn)(void)) {
  tap_name = name;
  if (tap_setup) tap_setup();
  fn();
  if (tap_teardown) tap_teardown();
  tap_name = NULL;
}

static inline int done_testing(void) {
  printf("1..%d\n", tap_n);
  return tap_failed ? 1 : 0;
}

#endif
