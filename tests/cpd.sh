#!/bin/sh
# Copy-paste detector over the C sources (issue 10): jscpd, pinned in
# package-lock.json, with the committed settings in .jscpd.json — a clone is
# six lines and sixty tokens or more; the share of duplicated tokens in the
# library and program sources must stay at or under the threshold there.
# Every clone found is listed (as TAP comments), so the next person sees
# what to fold together. Run from the build directory. Prints TAP.
set -u
top=$(cd "${top_srcdir:-..}" && pwd)
. "$top/tests/tap.sh"
cpd=$top/node_modules/.bin/jscpd
if [ ! -x "$cpd" ] || ! command -v node >/dev/null 2>&1; then
  # required where the test dependencies were installed (scripts/test.sh),
  # skipped like the node tests where there are none at all (make distcheck:
  # the tarball ships no node_modules)
  if [ -n "${MG_REQUIRE_BROWSER:-}" ] && [ -d "$top/node_modules" ]; then
    echo "not ok 1 - jscpd is installed (npm ci)"; echo "1..1"; exit 1
  fi
  echo "1..0 # SKIP jscpd not installed (run npm ci, or scripts/install-deps.sh --with-tests)"
  exit 0
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
threshold=$(node -e 'console.log(require(process.argv[1]).threshold)' "$top/.jscpd.json")
(cd "$top" && "$cpd" --config .jscpd.json --output "$out" --threshold 100 util dict faq bot adapters cli) >"$out/log" 2>&1
check "jscpd ran over util dict faq bot adapters cli" test -s "$out/jscpd-report.json"
pct=$(node -e '
  const r = require(process.argv[1]);
  for (const d of r.duplicates)
    console.error(`# clone: ${d.firstFile.name}:${d.firstFile.start}-${d.firstFile.end} = ${d.secondFile.name}:${d.secondFile.start}-${d.secondFile.end} (${d.lines} lines)`);
  console.log(r.statistics.total.percentageTokens);' "$out/jscpd-report.json" 2>"$out/clones")
cat "$out/clones"
echo "# duplicated tokens: ${pct:-?} % (threshold $threshold %)"
check "duplicated tokens ${pct:-?} % <= $threshold % (.jscpd.json)" awk -v p="${pct:-100}" -v t="$threshold" 'BEGIN { exit !(p <= t) }'
tap_done
