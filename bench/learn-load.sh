#!/usr/bin/env bash
# Issue 12's cost check: time per question when every entry of the
# 1,786-entry localgovFAQ corpus has PER (default 10) learned phrasings.
# The log is synthetic — the benchmark has 375 queries, not 17,860 — and
# goes through the product's candidate → accepted path
# (`madoguchi eval --learn-queries/--learn-qrels`):
#   MODE=topical (default): an entry learns PER sentences of its own answer
#     (fixed seed), each asked as "…について教えて": a resident's words about
#     that entry, so each word's postings grow as a real log's would;
#   MODE=random: an entry learns PER dev queries drawn at random — the
#     pessimistic case: every query's words land in ~48 entries' learned
#     fields, and every dev query meets ~48 entries exactly.
# Accuracy under either log is meaningless; read the `per question` lines.
# Prints the cold run then the loaded run.
#
#   [MODE=topical|random] bench/learn-load.sh [DIR] [PER]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-../shared/bench/localgovfaq}
per=${2:-10}
for f in corpus queries qrels; do
  [ -f "$dir/$f.json" ] || { echo "learn-load: $dir/$f.json not found" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$dir" "$tmp" "$per" "${MODE:-topical}" <<'PY'
import json, random, re, sys
d, out, per, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
corpus = json.load(open(f"{d}/corpus.json", encoding="utf-8"))
texts = sorted(set(json.load(open(f"{d}/queries.json", encoding="utf-8")).values()))
rnd = random.Random(12)
def own(entry):  # PER distinct phrasings made of the entry's own answer
    qa = entry.split("\nAnswer:", 1)
    question = qa[0].replace("Question:", "").strip()
    sents = [s for s in re.split("[。\n]", qa[-1]) if 8 <= len(s) <= 60]
    rnd.shuffle(sents)
    out = [s + "について教えて" for s in sents[:per]]
    while len(out) < per:
        out.append(question + "　" + str(len(out)))
    return out
q, r = {}, {}
for e in sorted(corpus, key=str):
    for k, t in enumerate(rnd.sample(texts, per) if mode == "random" else own(corpus[e])):
        q[f"{e}-{k}"] = t
        r[f"{e}-{k}"] = {e: 1}
json.dump(q, open(f"{out}/lq.json", "w"), ensure_ascii=False)
json.dump(r, open(f"{out}/lr.json", "w"), ensure_ascii=False)
PY
for label in cold loaded; do
  extra=()
  [ $label = loaded ] && extra=(--learn-queries "$tmp/lq.json" --learn-qrels "$tmp/lr.json")
  echo "== $label"
  build/madoguchi eval --corpus "$dir/corpus.json" --queries "$dir/queries.json" \
    --qrels "$dir/qrels.json" "${extra[@]}" 2>&1 | grep -E 'learning log|per question|index'
done
