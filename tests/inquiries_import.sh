#!/bin/sh
# `madoguchi inquiries import MAILDIR` on a temporary Maildir holding every
# fixture of tests/data/mail: each readable message becomes a ticket (the
# reply joins its ticket), processed files move new/ → cur/ with the Seen
# flag, a second import stores nothing, an autoresponder's mail is marked seen
# and not stored, an unreadable message is named and left in place. Prints TAP.
set -u
M=${MADOGUCHI:?MADOGUCHI must name the binary}
D=$(mktemp -d /tmp/mg_inq_import.XXXXXX)
trap 'rm -rf "$D"' EXIT
DB="--db $D/t.db"
MAIL=${top_srcdir:-.}/tests/data/mail
. "${top_srcdir:-$(dirname "$0")/..}/tests/tap.sh"

mkdir -p "$D/box/new" "$D/box/cur" "$D/box/tmp"
# Maildir names sort by delivery time: the reply arrives last
i=1
for f in iso2022jp sjis_qp utf8_base64 alternative html_only attachment reply autoreply; do
  cp "$MAIL/$f.eml" "$D/box/new/170000000$i.M$i.host-$f"
  i=$((i + 1))
done
# a message a mail reader has already seen stays untouched
cp "$MAIL/utf8_base64.eml" "$D/box/cur/1600000000.M0.host-old:2,S"

"$M" inquiries import "$D/box" $DB > "$D/out" 2> "$D/err"
check "an import with an unreadable message exits 1" test $? -eq 1
check "five new tickets, one reply joined, one autoresponder skipped, one failure" \
  grep -q "stored 5, replies joined 1, already stored 0, acknowledged 0, automatic 1, failed 1" "$D/out"
check "the waste inquiry (ISO-2022-JP) went to kankyo" grep -q "	kankyo	new/1700000001" "$D/out"
check "the certificate inquiry (Shift_JIS) went to shimin" grep -q "	shimin	new/1700000002" "$D/out"
check "the water bill (HTML only) went to suido" grep -q "	suido	new/1700000005" "$D/out"
check "the reply joined the first ticket" sh -c "test \"\$(grep 'new/1700000001' '$D/out' | cut -f1)\" = \"\$(grep 'reply' '$D/out' | cut -f1)\""
check "the unreadable message is named by its file" grep -q "new/1700000006.M6.host-attachment: mail: no readable text part" "$D/err"
check "no mail text reaches stderr" test -z "$(grep -e 'ごみ' -e '住民票' "$D/err")"
check "processed messages moved to cur/ as seen" test "$(ls "$D/box/cur" | grep -c ':2,S$')" -eq 8
check "the autoresponder did not reach the thread" test "$(grep -c 'host-autoreply' "$D/out")" -eq 0
check "the unreadable one stays in new/" test "$(ls "$D/box/new")" = "1700000006.M6.host-attachment"
check "a seen message is not imported" test -z "$(grep 'host-old' "$D/out")"
"$M" tickets list $DB > "$D/list"
check "five tickets" test "$(grep -c '^T-' "$D/list")" -eq 5

# idempotent by Message-ID: the same messages delivered again store nothing
for f in iso2022jp sjis_qp; do cp "$MAIL/$f.eml" "$D/box/new/1800000000.$f"; done
"$M" inquiries import "$D/box" $DB > "$D/out2" 2> "$D/err2"
check "a second import finds them stored" grep -q "stored 0, replies joined 0, already stored 2" "$D/out2"
"$M" tickets list $DB > "$D/list"
check "still five tickets" test "$(grep -c '^T-' "$D/list")" -eq 5
check "and they are marked seen" test -z "$(ls "$D/box/new" | grep 1800000000)"

# staff move the bee's nest inquiry (utf8_base64) at the command line: the triage learns it
t=$(grep 'new/1700000003' "$D/out" | cut -f1)
"$M" tickets reassign "$t" shobo --reason "消防で対応" $DB > /dev/null 2>&1
check "tickets reassign of an inquiry succeeds" test $? -eq 0
check "and stores a triage example for the new department" \
  test "$(sqlite3 "$D/t.db" "SELECT count(*) FROM triage_example WHERE department_id = 'shobo'")" = 1

"$M" inquiries import "$D/nothere" $DB > /dev/null 2>&1
check "a directory that is not a Maildir exits 2" test $? -eq 2
"$M" inquiries frobnicate > /dev/null 2>&1
check "an unknown action exits 2" test $? -eq 2
tap_done
