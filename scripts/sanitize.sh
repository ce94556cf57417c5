#!/usr/bin/env bash
# The suite again on sanitizer builds. Any report fails the run.
#
#   scripts/sanitize.sh          ASan + LSan + UBSan (./build-asan): the whole suite
#                                (unit, integration, attack, browser). UBSan aborts
#                                (-fno-sanitize-recover); ASan/LSan end the process with
#                                an error status, which the tests assert on (e.g. a clean
#                                exit after SIGTERM).
#   scripts/sanitize.sh tsan     ThreadSanitizer (./build-tsan): the C unit tests and the
#                                integration tests (real server, real clients) — the
#                                threads are the workers, the hashing pool, the checkpointer
#                                and the service thread. Reports are written to files and
#                                counted, so a report in a server a test stopped is not lost.
#
# No suppressions are needed today; if a third-party library ever needs one, it goes in
# tests/sanitizers.supp with its reason.
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:-asan}
[ -x configure ] || ./autogen.sh >/dev/null
if [ "$mode" = tsan ]; then
  dir=build-tsan flags=--enable-tsan
else
  dir=build-asan flags="--enable-asan --enable-ubsan"
fi
mkdir -p "$dir"
cd "$dir"
[ -f Makefile ] || ../configure -q $flags >/dev/null || exit 1
make -j"$(nproc)" >make.out 2>&1 || { tail -30 make.out; exit 1; }
reports=$PWD/sanitizer-reports
rm -rf "$reports" && mkdir -p "$reports"
if [ "$mode" = tsan ]; then
  export TSAN_OPTIONS="log_path=$reports/tsan second_deadlock_stack=1" MG_SANITIZER=tsan
  # the unit tests and the integration tests (not the browser and attack tests:
  # their timing bounds are not meant for a 5-15x slower build)
  tests=
  for f in ../tests/t_*.c; do tests="$tests tests/$(basename "$f" .c)"; done
  # lib*.mjs are helpers, not tests
  for f in ../tests/integration/*.mjs; do case "$(basename "$f")" in lib*.mjs) ;; *) tests="$tests tests/integration/$(basename "$f")" ;; esac; done
  make -j"$(nproc)" check TESTS="$tests" >check.out 2>&1
else
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  # ASan keeps freed memory in quarantine: RSS grows by design, so the soak
  # test checks memory on the plain build only (descriptors here too)
  export MG_SANITIZER=asan
  [ -d ../node_modules/playwright-core ] && export MG_REQUIRE_BROWSER=1
  make -j"$(nproc)" check >check.out 2>&1
fi
status=$?
grep -E '^(FAIL|ERROR|XPASS)' check.out || true
# why each failed (CI keeps only this script's output), as scripts/test.sh does
[ $status -eq 0 ] || { [ -f test-suite.log ] && sed -n '/^FAIL\|^ERROR/,+40p' test-suite.log | head -200; }
if ls "$reports"/* >/dev/null 2>&1; then
  echo "$mode: $(ls "$reports" | wc -l) sanitizer report(s) in $dir/sanitizer-reports:"
  head -40 "$reports"/*
  status=1
fi
exit $status
