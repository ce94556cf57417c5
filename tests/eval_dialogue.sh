#!/bin/sh
# `madoguchi eval --dialogue`: the whole pipeline scored as residents meet it,
# on a small fixture whose outcome is known (one in-scope item is written to
# fail: its accept string belongs to another entry). Then the report half of
# the project's own sets against the floors CI holds (docs/understanding.md).
# Prints TAP.
set -u
M=${MADOGUCHI:?MADOGUCHI must name the binary}
D=$(mktemp -d /tmp/mg_eval_dialogue.XXXXXX)
trap 'rm -rf "$D"' EXIT
DATA=${top_srcdir:-.}/tests/data/dialogue
. "${top_srcdir:-$(dirname "$0")/..}/tests/tap.sh"
json() { tail -1 "$D/out" | tr ',' '\n' | grep "\"$1\":" | cut -d: -f2 | tr -d '}'; }

"$M" eval --dialogue "$DATA/fixture.json" --misses > "$D/out" 2> "$D/err"
check "the fixture runs" test $? -eq 0
check "in scope: 3 of 4 offered (kana, English and a FAQ question; the wrong accept fails)" test "$(json in_scope)" = 0.75
check "hiragana and English are reported apart" test "$(json hiragana)" = 1.0 -a "$(json english)" = 1.0
check "the cooking question is refused" test "$(json out_of_scope)" = 1.0
check "emergencies: the fire and the crisis in the card, 焦げ臭い at least in a note" \
  test "$(json emergency_any)" = 1.0 -a "$(json emergency_card)" = 0.6667
check "燃えるごみ is not an alarm" test "$(json mention_ok)" = 1.0
check "a person is offered" test "$(json ask_person)" = 1.0
check "--misses names the failing item" grep -q "^miss	fx-in-wrong	in_scope" "$D/out"
check "--misses names an emergency met by a note only" grep -q "^note-only	fx-em-2	119" "$D/out"
check "the pipeline's time is reported" grep -q '"mean_us":' "$D/out"
check "and its CPU time" grep -q '"cpu_us":' "$D/out"

"$M" eval --dialogue "$DATA/fixture.json" --require in_scope=1.01 > "$D/out" 2> "$D/err"
check "--require: a floor not met exits 1" test $? -eq 1
check "--require: and says which" grep -q "eval: in_scope 0.750 below required 1.01" "$D/err"
"$M" eval --dialogue "$DATA/fixture.json" --require bogus=1 > "$D/out" 2> "$D/err"
check "--require: an unknown measure is a usage error (2)" test $? -eq 2

printf '{"emergency": [\n  {"id": "x", "text": "y", "expect": "911"}\n]}\n' > "$D/bad-expect.json"
"$M" eval --dialogue "$D/bad-expect.json" > "$D/out" 2> "$D/err"
check "an unknown expect is refused (2) before anything runs" test $? -eq 2
check "naming the file, the item and the values allowed" grep -q "bad-expect.json: x: \"expect\" must be 119, 110, 189, 556 or none" "$D/err"
printf '{"in_scope": [\n  {"id": "x", "text": "y", "accept": []},\n' > "$D/bad.json"
"$M" eval --dialogue "$D/bad.json" > "$D/out" 2> "$D/err"
check "invalid JSON is refused (2)" test $? -eq 2
check "with its line and column" grep -q "bad.json:3:" "$D/err"
"$M" eval --dialogue "$D/missing.json" > "$D/out" 2> "$D/err"
check "a missing file is refused (2)" test $? -eq 2

# The report half of the project's own sets (never used for tuning) holds
# the floors below: measured values rounded down, so a change that makes the
# bot worse for residents fails here (docs/understanding.md has the figures).
"$M" eval --dialogue "$DATA"/report/*.json \
  --require in_scope=0.91 --require hiragana=0.89 --require english=0.90 --require out_of_scope=0.89 \
  --require ask_person=0.95 --require emergency_any=0.97 --require emergency_card=0.96 --require e119=0.98 \
  --require e110=0.94 --require e189=0.93 --require e556=0.98 --require mention_ok=0.95 --require english_reply=0.80 \
  > "$D/out" 2> "$D/err"
st=$?
check "report half: every measure at or above its floor ($(tr '\n' ' ' < "$D/err"))" test $st -eq 0

tap_done
