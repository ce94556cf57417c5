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
counts() {
  awk '/^# (PASS|XFAIL):/ {p += $3} /^# (FAIL|ERROR|XPASS):/ {f += $3} /^# SKIP:/ {s += $3}
       END {printf "%d %d %d\n", p, f, s}' "$1" 2>/dev/null || echo "0 1 0"
}
read -r pass fail skip < <(counts test-suite.log)
[ -f test-suite.log ] || fail=1
# In CI the same suite runs again under ASan+UBSan, the unit and integration
# tests under TSan (scripts/sanitize.sh), and every fuzz target briefly on its
# seed corpus (scripts/fuzz.sh), a fuzz target counting as one test; and the
# Debian package is built, installed and purged (tests/deb.sh).
if [ "${CI:-}" = true ]; then
  cd ..
  scripts/sanitize.sh || status=1
  read -r p f s < <(counts build-asan/test-suite.log)
  [ -f build-asan/test-suite.log ] || f=$((f + 1))
  echo "under ASan+UBSan: $p passed, $f failed, $s skipped"
  pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
  scripts/sanitize.sh tsan || status=1
  read -r p f s < <(counts build-tsan/test-suite.log)
  [ -f build-tsan/test-suite.log ] || f=$((f + 1))
  echo "under TSan (unit and integration): $p passed, $f failed, $s skipped"
  pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
  mkdir -p build-fuzz
  scripts/fuzz.sh "${MG_FUZZ_SECS:-20}" >build-fuzz/summary.out 2>&1
  fz=$?
  cat build-fuzz/summary.out
  p=$(grep -c 'crashes 0$' build-fuzz/summary.out) f=$(grep -c '^fuzz_.*crashes [1-9]' build-fuzz/summary.out)
  [ $fz -eq 0 ] || { status=1; [ "$f" -gt 0 ] || f=1; }
  pass=$((pass + p)) fail=$((fail + f))
  # The Debian package (tests/deb.sh): HEAD built with dpkg-buildpackage,
  # lintian, installed with apt, run as _madoguchi, purged. It installs
  # system-wide and builds everything again, so it runs here, not in make check.
  mkdir -p build-deb
  top_srcdir="$PWD" sh tests/deb.sh > build-deb/deb.out 2>&1
  db=$?
  cat build-deb/deb.out
  p=$(grep -c '^ok ' build-deb/deb.out) f=$(grep -c '^not ok ' build-deb/deb.out) s=$(grep -c '^1\.\.0 # SKIP' build-deb/deb.out)
  [ $db -eq 0 ] || { status=1; [ "$f" -gt 0 ] || f=1; }
  pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
fi
echo "$pass passed, $fail failed, $skip skipped"
exit $status
