#!/bin/sh
# `madoguchi backup`, `restore` and `check` as an operator uses them: a
# backup taken while another process writes is whole and consistent, a
# restore brings back exactly what was backed up (the check output is the
# same line for line), and bad input — an existing target, a missing
# database, a damaged or foreign copy — is refused without touching the
# live file. Prints TAP.
set -u
M=${MADOGUCHI:?MADOGUCHI must name the binary}
D=$(mktemp -d /tmp/mg_backup_cli.XXXXXX)
W=
trap '[ -n "$W" ] && kill "$W" 2>/dev/null; rm -rf "$D"' EXIT
DB="--db $D/live.db"
. "${top_srcdir:-$(dirname "$0")/..}/tests/tap.sh"
same() { cmp -s "$1" "$2"; }

"$M" check $DB > "$D/none" 2>&1
check "check refuses a database that does not exist" grep -q "no such database" "$D/none"
check "and does not create it" test ! -e "$D/live.db"

echo "first password 1" | "$M" user add first --name 一人目 --role admin $DB > /dev/null 2>&1
"$M" check $DB > "$D/check1"
check "check passes on a new database" grep -q "^integrity: ok$" "$D/check1"
check "check reads the FTS index" grep -q "^fts index: ok$" "$D/check1"
check "and the English index" grep -q "^english index: ok$" "$D/check1"
check "check counts the FAQ entries" grep -Eq "^faq entries: [1-9][0-9]*$" "$D/check1"

"$M" backup $DB "$D/copy.db" > /dev/null
check "backup writes a file" test -s "$D/copy.db"
check "a self-contained file (no -wal beside it)" test ! -e "$D/copy.db-wal"
check "backup refuses to overwrite a file" refused "$M" backup $DB "$D/copy.db"
check "backup of a missing database is refused" refused "$M" backup --db "$D/nothing.db" "$D/other.db"
check "and leaves no file behind" test ! -e "$D/other.db"

# change the live database, then restore: the check output is the first one again
echo "second password 2" | "$M" user add second --name 二人目 --role admin $DB > /dev/null 2>&1
"$M" check $DB > "$D/check2"
check "the change shows in the check" sh -c "! cmp -s '$D/check1' '$D/check2'"
"$M" restore $DB "$D/copy.db" > /dev/null
"$M" check $DB > "$D/check3"
check "restore brings back exactly what was backed up" same "$D/check1" "$D/check3"
"$M" user list $DB > "$D/users"
check "the account added after the backup is gone" sh -c "! grep -q second '$D/users'"

# bad copies never replace the live file
printf 'not a database at all' > "$D/junk.db"
check "restore refuses a file that is not a database" refused "$M" restore $DB "$D/junk.db"
cp "$D/copy.db" "$D/damaged.db"
printf 'garbage garbage garbage garbage' | dd of="$D/damaged.db" bs=1 seek=8192 conv=notrunc 2>/dev/null
check "restore refuses a damaged copy" refused "$M" restore $DB "$D/damaged.db"
"$M" check $DB > "$D/check4"
check "and the live database is unchanged" same "$D/check1" "$D/check4"

# a backup taken while another process writes is consistent
( i=0; while [ $i -lt 400 ]; do "$M" faq edit saijo-0001 --answer "（サンプル）版 $i" --publish $DB > /dev/null 2>&1 || true; i=$((i + 1)); done ) &
W=$!
"$M" backup $DB "$D/busy.db" > /dev/null 2>&1
backup_rc=$?
kill "$W" 2>/dev/null; wait "$W" 2>/dev/null; W=
check "backup succeeds while a writer runs" test "$backup_rc" -eq 0
"$M" check --db "$D/busy.db" > "$D/check5" 2>&1
check "the copy taken under writes passes every check" sh -c "grep -q '^integrity: ok$' '$D/check5' && grep -q '^fts index: ok$' '$D/check5'"

# an upgrade copies the database first: an older schema (here: the newest
# migration undone by hand) is kept as PATH.vN.bak before it is migrated
cp "$D/copy.db" "$D/old.db"
max=$(sqlite3 "$D/old.db" 'PRAGMA user_version')
# (the newest migration, 20, made the English index: its triggers, the
# FTS5 table and the view it reads go, which is what a database from before
# it has; the migration rebuilds the index from the entries)
sqlite3 "$D/old.db" "DROP TRIGGER faq_en_ai; DROP TRIGGER faq_en_au; DROP TRIGGER faq_en_bd;
  DROP TABLE faq_en_fts; DROP VIEW faq_published_en; PRAGMA user_version = $((max - 1));"
"$M" check --db "$D/old.db" > "$D/check6" 2>&1
check "opening an older database migrates it" grep -q "^schema version: $max of $max$" "$D/check6"
check "after keeping a copy of it as it was" test "$(sqlite3 "$D/old.db.v$((max - 1)).bak" 'PRAGMA user_version')" = "$((max - 1))"
sqlite3 "$D/old.db" "PRAGMA user_version = $((max + 1));"
"$M" check --db "$D/old.db" > "$D/check7" 2>&1
check "a database newer than the program is refused with the reason" grep -q "newer than this program" "$D/check7"

tap_done
