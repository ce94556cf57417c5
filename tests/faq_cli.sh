#!/bin/sh
# `madoguchi faq` from the command line, as staff use it: list, add, edit
# (a draft that does not answer), publish, import errors with line numbers
# and a non-zero exit, export for Excel, rm. Prints TAP.
set -u
M=${MADOGUCHI:?MADOGUCHI must name the binary}
D=$(mktemp -d /tmp/mg_faq_cli.XXXXXX)
trap 'rm -rf "$D"' EXIT
DB="--db $D/t.db"
DATA=${top_srcdir:-.}/tests/data
. "${top_srcdir:-$(dirname "$0")/..}/tests/tap.sh"

"$M" faq list $DB > "$D/list" 2> "$D/err"
check "list on a new database shows the sample FAQ" test "$(wc -l < "$D/list")" -ge 150
"$M" faq export -o "$D/sample.csv" $DB
check "faq/sample/example.csv is the current sample exported (regenerate it with faq export)" \
  cmp "$D/sample.csv" "${top_srcdir:-.}/faq/sample/example.csv"
"$M" faq add --id cli-1 --question "犬の登録はどこでできますか" --answer "環境衛生課で登録できます。" \
  --department kankyo --keyword 犬 --by tester $DB > "$D/out" 2>&1
check "add succeeds" grep -q "cli-1" "$D/out"
"$M" faq list --search "犬 登録" $DB > "$D/out"
check "the new entry is found at once" grep -q "^cli-1	published" "$D/out"
"$M" faq edit cli-1 --answer "保健センターで登録できます。" $DB > /dev/null
"$M" faq show cli-1 $DB > "$D/out"
check "edit makes a draft revision" grep -q "published+draft" "$D/out"
"$M" faq list --search "保健センター" $DB > "$D/out"
check "the draft text does not answer" test -z "$(grep '^cli-1' "$D/out")"
"$M" faq publish cli-1 --by chief $DB > /dev/null
"$M" faq list --search "保健センター" $DB > "$D/out"
check "after publish the new text answers" grep -q "^cli-1" "$D/out"
"$M" faq show cli-1 --version 1 $DB > "$D/out"
check "show --version 1 shows the old answer" grep -q "環境衛生課で登録できます" "$D/out"

"$M" faq import "$DATA/csv/bad-rows.csv" $DB > "$D/out" 2> "$D/err"
check "a bad import exits non-zero" test $? -ne 0
check "its errors name file and row, in Japanese" grep -q "bad-rows.csv 4行目: 「質問」が空です" "$D/err"
"$M" faq import "$DATA/csv/good.csv" $DB > "$D/out" 2> "$D/err"
check "a good import exits zero" test $? -eq 0
check "and reports what it did" grep -q "新規 3" "$D/out"

"$M" faq export -o "$D/out.csv" $DB
check "export writes a UTF-8 BOM for Excel" test "$(head -c 3 "$D/out.csv" | od -An -tx1 | tr -d ' ')" = efbbbf
check "export uses CRLF" grep -q "$(printf '\r')\$" "$D/out.csv"
"$M" faq export --format json $DB > "$D/out.json"
check "JSON export" grep -q '"format": "madoguchi-faq/1"' "$D/out.json"

"$M" faq edit cli-1 --related saijo-9999 $DB > /dev/null 2> "$D/err"
check "edit --related refuses an id that names no entry" grep -q "saijo-9999" "$D/err"
"$M" faq edit cli-1 --related saijo-0065 --related saijo-0066 --publish $DB > /dev/null
"$M" faq show cli-1 $DB > "$D/out"
check "edit --related lists related entries, shown by show" grep -q "  - saijo-0066" "$D/out"
"$M" faq edit cli-1 --related '' --publish $DB > /dev/null
"$M" faq show cli-1 $DB > "$D/out"
check "--related '' clears the list" test -z "$(grep 'saijo-0066' "$D/out")"

"$M" faq rm cli-1 $DB > /dev/null
"$M" faq show cli-1 $DB > /dev/null 2>&1
check "rm removes the entry" test $? -ne 0
"$M" faq frobnicate $DB > /dev/null 2>&1
check "an unknown action exits 2" test $? -eq 2
"$M" faq add --question q $DB > /dev/null 2>&1
check "add without --answer is a usage error" test $? -eq 2
tap_done
