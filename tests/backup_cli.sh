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

# an upgrade copies the database first: an older schema (here: faq's newest
# step undone by hand) is kept as PATH.MODULE-vN.bak before it is migrated
cp "$D/copy.db" "$D/old.db"
max=$(sqlite3 "$D/old.db" "SELECT version FROM schema_version WHERE module = 'faq'")
# (faq's newest step, 9, made the English index: its triggers, the FTS5
# table and the view it reads go, which is what a database from before it
# has; the step rebuilds the index from the entries)
sqlite3 "$D/old.db" "DROP TRIGGER faq_en_ai; DROP TRIGGER faq_en_au; DROP TRIGGER faq_en_bd;
  DROP TABLE faq_en_fts; DROP VIEW faq_published_en;
  UPDATE schema_version SET version = $((max - 1)) WHERE module = 'faq';"
"$M" check --db "$D/old.db" > "$D/check6" 2>&1
check "opening an older database migrates it" grep -q "^schema version faq: $max of $max$" "$D/check6"
check "and it passes every check" grep -q "^english index: ok$" "$D/check6"
check "after keeping a copy of it as it was" \
  test "$(sqlite3 "$D/old.db.faq-v$((max - 1)).bak" "SELECT version FROM schema_version WHERE module = 'faq'")" = "$((max - 1))"
bot=$(sqlite3 "$D/old.db" "SELECT version FROM schema_version WHERE module = 'bot'")
sqlite3 "$D/old.db" "UPDATE schema_version SET version = $((bot + 1)) WHERE module = 'bot';"
"$M" check --db "$D/old.db" > "$D/check7" 2>&1
check "a database newer than the program is refused with the reason" grep -q "newer than this program" "$D/check7"
check "naming the module and both versions" grep -q "schema version $((bot + 1)) of module bot, newer than this program ($bot)" "$D/check7"
check "restore refuses a copy newer than the program" refused "$M" restore $DB "$D/old.db"
sqlite3 "$D/old.db" "UPDATE schema_version SET version = $bot WHERE module = 'bot';
  INSERT INTO schema_version(module, version) VALUES ('future', 1);"
check "and a copy with a module the program does not know" refused "$M" restore $DB "$D/old.db"
"$M" check --db "$D/old.db" > "$D/check8" 2>&1
check "which check reports" grep -q "^schema version future: 1, a module this program does not know$" "$D/check8"

# a database from before schema_version (all in PRAGMA user_version, 20
# steps) is adopted once: each module's version from the old steps it had
cp "$D/copy.db" "$D/v20.db"
sqlite3 "$D/v20.db" "DROP TABLE schema_version; PRAGMA user_version = 20;"
"$M" backup $DB "$D/copy2.db" > /dev/null
"$M" restore $DB "$D/v20.db" > "$D/restore20" 2>&1
check "restore accepts a backup from before schema_version" grep -q "restored from" "$D/restore20"
"$M" restore $DB "$D/copy2.db" > /dev/null
"$M" check --db "$D/v20.db" > "$D/check9" 2>&1
check "a database from before schema_version opens" grep -q "^schema version faq: $max of $max$" "$D/check9"
check "with bot's steps counted" grep -q "^schema version bot: $bot of $bot$" "$D/check9"
check "and its rows" sh -c "grep -q '^integrity: ok$' '$D/check9' && \"$M\" user list --db '$D/v20.db' | grep -q first"
check "user_version then marks it for older programs" test "$(sqlite3 "$D/v20.db" 'PRAGMA user_version')" = 1000
check "after keeping a copy as PATH.vN.bak" test "$(sqlite3 "$D/v20.db.v20.bak" 'PRAGMA user_version')" = 20
"$M" backup $DB "$D/copy3.db" > "$D/backup3"
check "backup says which schema the copy has" grep -q "(schema faq $max, bot $bot)$" "$D/backup3"

tap_done
