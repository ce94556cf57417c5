#!/bin/sh
# Every SQL statement lives in the module that owns its tables
# (docs/architecture.md "Tables and their owners"), checked:
#  - tests/sql-owners.txt names one owner (a folder) for each table; every
#    table a module's schema steps create (faq/schema.c, bot/tables.c) must
#    have its line naming that module, and only those (and SQLite's own
#    sqlite_master) may;
#  - a file under util dict faq bot adapters cli names in the SQL of its
#    string literals (FROM, JOIN incl. comma joins, INTO, UPDATE, DELETE
#    FROM, CREATE INDEX/TRIGGER ... ON, ALTER TABLE, DROP TABLE/VIEW) only
#    tables its own folder owns; REFERENCES is not a use (a foreign key only
#    names the row it points at); a write to SQLite's catalogue (UPDATE
#    sqlite_schema ... WHERE name IN ('a', 'b')) uses the tables it names;
#    no file is exempt, the schema steps included;
#  - the scan finds SQL where SQL is (faq/store.c, bot/ticket.c), so it
#    cannot pass because it read nothing.
# Not a table of another module: a table a file creates for itself (CREATE
# TEMP/VIRTUAL TABLE, e.g. faq/engine.c's temp.mg_engine_vocab), a common
# table expression (WITH name AS, per file: do not name one like a table),
# a table-valued function (FROM json_each(...)). A name the reader cannot
# see — made at run time (FROM %s) or by a macro right after FROM — fails
# as unknown: write the table's name in the literal. The tests (tests/t_*.c)
# read any table to check what a module wrote and are not scanned.
# Run from the build directory (or with top_srcdir set). Prints TAP.
set -u
top=${top_srcdir:-..}
n=0; failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }
# The files holding each module's schema steps (docs/architecture.md "Database")
schemas="faq/schema.c bot/tables.c"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' "$top/tests/sql-owners.txt" | awk 'NF' | sort > "$tmp/map"
files=$(cd "$top" && ls util/*.[ch] dict/*.[ch] faq/*.[ch] bot/*.[ch] adapters/*.[ch] cli/*.[ch] 2>/dev/null)
# The reader (Perl: C string literals are easier to take apart there than
# in sed) prints "use FILE TABLE" for each table the SQL in FILE's string
# literals names and "create FILE TABLE" for each table or view it creates.
(cd "$top" && perl - $files <<'PERL'
use strict; use warnings;
my $kw = qr/^(?:SELECT|VALUES|SET|OF|ON|OR|WHERE|GROUP|ORDER|LIMIT|JOIN|LEFT|INNER|CROSS|NATURAL|USING|UNION|EXCEPT|INTERSECT|HAVING|WINDOW|AS)$/;
for my $f (@ARGV) {
  open my $fh, '<', $f or die "$f: $!\n";
  my $src = do { local $/; <$fh> };
  close $fh;
  # C tokens: comments, string and character literals, the rest; adjacent
  # string literals (only blanks or comments between) are one string
  my (@str, $cur);
  while ($src =~ m{\G(?:(/\*.*?\*/|//[^\n]*|\s+)|"((?:[^"\\\n]|\\.)*)"|('(?:[^'\\\n]|\\.)*'|.))}gs) {
    if (defined $2) { $cur = defined $cur ? $cur . $2 : $2 }
    elsif (defined $3) { push @str, $cur if defined $cur; undef $cur }
  }
  push @str, $cur if defined $cur;
  s/\\[ntr]/ /g, s/\\(.)/$1/g for @str;   # C escapes: "\n" is a blank between words
  my $all = join "\n", @str;
  my (%cte, %seen);
  $cte{$1} = 1 while $all =~ /(?:\bWITH(?:\s+RECURSIVE)?|,)\s*(\w+)\s*(?:\([^()]*\)\s*)?AS\s*\(/g;
  my $out = sub { my ($what, $t) = @_; print "$what $f $t\n" unless $seen{"$what $t"}++ };
  for my $s (@str) {
    while ($s =~ /\bCREATE\s+(?:TEMP(?:ORARY)?\s+)?(?:VIRTUAL\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:\w+\.)?(\w+)/g) {
      $out->('create', $1);
    }
    # FROM/JOIN a table or a table-valued function (json_each(?1): not a
    # table), then the comma joins after it
    while ($s =~ /\b(?:FROM|JOIN)\s+(?:\w+\.)?(\w++)(\s*\([^()]*\))?/g) {
      $out->('use', $1) unless $2 || $1 =~ $kw || $cte{$1};
      while ($s =~ /\G(?:\s+(?:AS\s+)?(\w++))?\s*,\s*(?:\w+\.)?(\w++)(\s*\([^()]*\))?/gc) {
        last if defined $1 && $1 =~ $kw;
        $out->('use', $2) unless $3 || $2 =~ $kw || $cte{$2};
      }
    }
    # a name the reader cannot see: made at run time, or in a macro
    $out->('use', '?' . ($& =~ s/\s//gr)) while $s =~ /\b(?:FROM|JOIN|INTO|UPDATE)\s*(?:%|$)/g;
    while ($s =~ /\b(?:INTO|UPDATE(?:\s+OR\s+\w+)?)\s+(?:\w+\.)?(\w+)/g) {
      my $t = $1;
      # the catalogue rewritten for the tables its WHERE names (bot/tables.c
      # loosens a CHECK of its own ticket and outbox): those are the uses
      if ($t =~ /^sqlite_(?:schema|master)$/ && $s =~ /\G[^;]*?\bname\s+IN\s*\(([^()]*)\)/) {
        $out->('use', $_) for $1 =~ /'(\w+)'/g;
        next;
      }
      $out->('use', $t) unless $t =~ $kw || $cte{$t};
    }
    while ($s =~ /\b(?:ALTER\s+TABLE|DROP\s+(?:TABLE|VIEW)(?:\s+IF\s+EXISTS)?)\s+(?:\w+\.)?(\w+)/g) {
      $out->('use', $1);
    }
    while ($s =~ /\bCREATE\s+(?:UNIQUE\s+)?(?:TEMP\s+)?(?:INDEX|TRIGGER)\s+(?:IF\s+NOT\s+EXISTS\s+)?\w+\s[^;]*?\bON\s+(\w+)/g) {
      $out->('use', $1);
    }
  }
}
PERL
) > "$tmp/sql" || nok "the reader read the sources"

# the map against the schema: each table a module's steps create, owned by that module
awk -v schemas=" $schemas " '$1 == "create" && index(schemas, " " $2 " ") { d = $2; sub(/\/.*/, "", d); print $3, d }' \
  "$tmp/sql" | sort -u > "$tmp/created"
awk '{ print $1 }' "$tmp/created" | sort -u > "$tmp/schema"
missing=$(awk '{ print $1 }' "$tmp/map" | sort -u | comm -13 - "$tmp/schema" | tr '\n' ' ')
stale=$(awk '{ print $1 }' "$tmp/map" | grep -vx sqlite_master | sort -u | comm -23 - "$tmp/schema" | tr '\n' ' ')
badowner=$(awk '$2 !~ /^(util|dict|faq|bot|adapters|cli)$/ || NF != 2' "$tmp/map" | tr '\n' ' ')
notcreator=$(awk 'NR == FNR { owner[$1] = $2; next } ($1 in owner) && owner[$1] != $2 { print $1 " (made in " $2 "/, owned by " owner[$1] "/)" }' \
  "$tmp/map" "$tmp/created" | tr '\n' ';')
[ -z "$missing" ] && ok "tests/sql-owners.txt names an owner for each of the $(wc -l < "$tmp/schema") tables $schemas create" \
                  || nok "tables with no owner in tests/sql-owners.txt: $missing"
[ -z "$notcreator" ] && ok "each module's schema steps create only tables it owns" \
                     || nok "tables made by another module's schema steps: $notcreator"
[ -z "$stale$badowner" ] && ok "tests/sql-owners.txt names only tables that exist, each with one folder" \
                         || nok "tests/sql-owners.txt: no such table: $stale; not 'table folder': $badowner"

# not vacuous: SQL was found where it is
uses=$(awk '$1 == "use"' "$tmp/sql" | wc -l)
nfiles=$(awk '$1 == "use" { print $2 }' "$tmp/sql" | sort -u | wc -l)
if grep -q '^use faq/store.c faq$' "$tmp/sql" && grep -q '^use bot/ticket.c ticket$' "$tmp/sql"; then
  ok "the scan of $(echo $files | wc -w) files found SQL in $nfiles ($uses table uses), faq/store.c and bot/ticket.c among them"
else
  nok "the scan found no SQL in faq/store.c or bot/ticket.c ($uses table uses in $nfiles files): the reader is broken"
fi

# every use against the owner
awk '
  NR == FNR { owner[$1] = $2; next }
  $1 == "create" { own[$2 " " $3] = 1; next }
  $1 != "use" || own[$2 " " $3] { next }
  { dir = $2; sub(/\/.*/, "", dir)
    if (!($3 in owner)) print "unknown", $2 ": " $3
    else if (owner[$3] != dir) print "foreign", $2 ": " $3 " (" owner[$3] "/)" }' "$tmp/map" "$tmp/sql" | sort -u > "$tmp/bad"
unknown=$(awk '$1 == "unknown" { $1 = ""; print }' "$tmp/bad" | tr '\n' ';')
foreign=$(awk '$1 == "foreign" { $1 = ""; print }' "$tmp/bad" | tr '\n' ';')
[ -z "$unknown" ] && ok "every table named in SQL is in tests/sql-owners.txt" \
                  || nok "tables not in tests/sql-owners.txt (?FROM% or ?FROM: a name made at run time or in a macro, which this check cannot see):$unknown"
[ -z "$foreign" ] && ok "every file's SQL names only tables its own module owns, the schema steps included" \
                  || nok "SQL on a table another module owns:$foreign"

# the audit log has one writer, so every row has the same shape and time
writers=$(cd "$top" && grep -l 'INSERT INTO audit_log' $files 2>/dev/null | tr '\n' ' ')
[ "$writers" = "bot/audit.c " ] && ok "audit rows are written by bot/audit.c (bot_audit_write) alone" \
                               || nok "audit rows written outside bot_audit_write: $writers"

echo "1..$n"
exit $failed
