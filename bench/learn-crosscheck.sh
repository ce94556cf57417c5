#!/usr/bin/env bash
# The learning loop's cross-check on the localgovFAQ dev half (issue 12):
# split the queries you have in two (sorted ids, alternately: A and B),
# then for each half measure it cold and after learning from the other half
# through `madoguchi eval --learn-queries/--learn-qrels` — the product's own
# candidate → accepted path. Prints one line per run: recall@10 hit@1 mrr@10
# hit@3 hit@10.
#
#   bench/learn-crosscheck.sh [DIR] [-- extra eval arguments]
#
# DIR holds corpus.json, queries.json, qrels.json (default
# ../shared/bench/localgovfaq); the benchmark is never copied into the
# repository. Needs python3 for the split and a built build/madoguchi.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-../shared/bench/localgovfaq}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
for f in corpus queries qrels; do
  [ -f "$dir/$f.json" ] || { echo "learn-crosscheck: $dir/$f.json not found" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$dir" "$tmp" <<'PY'
import json, sys
d, out = sys.argv[1], sys.argv[2]
q = json.load(open(f"{d}/queries.json", encoding="utf-8"))
r = json.load(open(f"{d}/qrels.json", encoding="utf-8"))
ids = sorted(q)
for name, part in (("A", ids[0::2]), ("B", ids[1::2])):
    json.dump({i: q[i] for i in part}, open(f"{out}/q{name}.json", "w"), ensure_ascii=False)
    json.dump({i: r[i] for i in part if i in r}, open(f"{out}/r{name}.json", "w"), ensure_ascii=False)
PY
run() { # label, eval arguments...
  local label=$1
  shift
  build/madoguchi eval --corpus "$dir/corpus.json" "$@" 2>/dev/null | tail -1 |
    python3 -c "import json,sys; d=json.load(sys.stdin); print('%-22s recall@10 %.3f  hit@1 %.3f  mrr@10 %.3f  hit@3 %.3f  hit@10 %.3f' % ('$label', d['recall@10'], d['hit@1'], d['mrr@10'], d['hit@3'], d['hit@10']))"
}
for m in A B; do
  l=$([ $m = A ] && echo B || echo A)
  run "$m cold" --queries "$tmp/q$m.json" --qrels "$tmp/r$m.json" "$@"
  run "$m learned from $l" --queries "$tmp/q$m.json" --qrels "$tmp/r$m.json" \
    --learn-queries "$tmp/q$l.json" --learn-qrels "$tmp/r$l.json" "$@"
done
run "dev cold" --queries "$dir/queries.json" --qrels "$dir/qrels.json" "$@"
