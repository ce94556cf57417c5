#!/usr/bin/env bash
# The whole suite again on a build with AddressSanitizer, LeakSanitizer and
# UndefinedBehaviorSanitizer (./build-asan). Any report fails the test that
# met it: UBSan aborts (-fno-sanitize-recover), ASan/LSan end the process
# with an error status, which the tests assert on (e.g. a clean exit after
# SIGTERM). No suppressions are needed today; if a third-party library ever
# needs one it goes in tests/sanitizers.supp with its reason.
set -uo pipefail
cd "$(dirname "$0")/.."
[ -x configure ] || ./autogen.sh >/dev/null
mkdir -p build-asan
cd build-asan
[ -f Makefile ] || ../configure -q --enable-asan --enable-ubsan >/dev/null || exit 1
make -j"$(nproc)" >make.out 2>&1 || { tail -30 make.out; exit 1; }
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
[ -d ../node_modules/playwright-core ] && export MG_REQUIRE_BROWSER=1
make -j"$(nproc)" check >check.out 2>&1
status=$?
grep -E '^(FAIL|ERROR|XPASS)' check.out || true
exit $status
