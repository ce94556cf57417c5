#!/usr/bin/env bash
# The whole test suite: unit (C, TAP), integration (real server + WebSocket
# client) and browser (headless Debian chromium) tests, all run by
# `make check`. Ends with one line "N passed, N failed" summed over them all.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-tests || exit 1
scripts/build.sh || exit 1
cd build
# With the test dependencies installed, a browser test that cannot start
# Chromium is a failure, not a skip.
[ -d ../node_modules/playwright-core ] && export MG_REQUIRE_BROWSER=1
make -j"$(nproc)" check >check.out 2>&1
status=$?
# In CI also check the release tarball (make distcheck: builds and runs
# the unit tests from the tarball alone; node-based tests skip there).
if [ "${CI:-}" = true ] && [ $status -eq 0 ]; then
  make -j"$(nproc)" distcheck >distcheck.out 2>&1 || { status=$?; echo "make distcheck failed: see build/distcheck.out"; tail -30 distcheck.out; }
fi
# Show failures in full; the rest is in build/test-suite.log and build/tests/*.log.
grep -E '^(FAIL|ERROR|XPASS)' check.out || true
[ $status -eq 0 ] || { [ -f test-suite.log ] && sed -n '/^FAIL\|^ERROR/,+40p' test-suite.log | head -200; }
awk '/^# (PASS|XFAIL):/ {p += $3} /^# (FAIL|ERROR|XPASS):/ {f += $3} /^# SKIP:/ {s += $3}
     END {printf "%d passed, %d failed, %d skipped\n", p, f, s}' test-suite.log 2>/dev/null \
  || echo "0 passed, 1 failed"
exit $status
