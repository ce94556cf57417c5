#!/bin/sh
# bench/dialogue-diff.sh OLD NEW — what a change does to every emergency
# message of every test set: each message whose outcome differs between two
# built source trees, then the counts (real emergencies answered / missed,
# harmless messages left alone / alarmed) before and after.
#
# Both trees run NEW's sets (tests/data/dialogue/{report,tune,fresh}), each
# with its own binary and dictionaries. OLD is usually a worktree of the
# commit before the change:
#
#   git worktree add /tmp/old HEAD && (cd /tmp/old && scripts/build.sh)
#   bench/dialogue-diff.sh /tmp/old .
#
# This is how every safety change of docs/understanding.md was checked ("no
# outcome that was right is wrong"). Exit status 1 when a right outcome
# turned wrong.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 OLD_TREE NEW_TREE (each built in TREE/build)" >&2; exit 2; }
old=$(cd "$1" && pwd)
new=$(cd "$2" && pwd)
for t in "$old" "$new"; do
  [ -x "$t/build/madoguchi" ] || { echo "$0: $t/build/madoguchi missing: build it first (scripts/build.sh)" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# every TREE OUT: one line per message: set, ok|miss, id, kind, expect, text, reply
every() {
  : > "$2"
  for f in "$new"/tests/data/dialogue/report/emergency*.json "$new"/tests/data/dialogue/tune/emergency*.json \
           "$new"/tests/data/dialogue/fresh/emergency*.json; do
    [ -f "$f" ] || continue
    set=$(basename "$(dirname "$f")")/$(basename "$f" .json)
    "$1/build/madoguchi" eval --db "$tmp/db" --dialogue "$f" --every 2>/dev/null |
      awk -F '\t' -v s="$set" '$1 == "ok" || $1 == "miss" { print s "\t" $0 }' >> "$2"
  done
}
every "$old" "$tmp/old"
every "$new" "$tmp/new"

awk -F '\t' '
  NR == FNR { before[$1 "\t" $3] = $2; next }
  {
    k = $1 "\t" $3; none = $5 == "none"
    if (k in before && before[k] != $2) { print $0; if ($2 == "miss") lost++ }
    if (k in before) { b[none, before[k]]++; a[none, $2]++ }
  }
  END {
    printf "before: real emergencies %d right, %d missed; harmless %d left alone, %d alarmed\n", b[0, "ok"], b[0, "miss"], b[1, "ok"], b[1, "miss"]
    printf "after:  real emergencies %d right, %d missed; harmless %d left alone, %d alarmed\n", a[0, "ok"], a[0, "miss"], a[1, "ok"], a[1, "miss"]
    printf "outcomes lost: %d\n", lost
    exit lost > 0
  }' "$tmp/old" "$tmp/new"
