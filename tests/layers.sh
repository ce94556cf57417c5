#!/bin/sh
# The architecture's arrows, checked (docs/architecture.md, issue 10):
#  - includes go one way: cli -> adapters -> bot -> faq -> dict -> util;
#    nothing includes upward, and the library never includes cli/;
#  - adapters talk to bot/ only (and util/): never faq/ or dict/ past it;
#  - every header is included by its path from the top source dir;
#  - every global symbol carries its folder's prefix — ratcheted: the
#    symbols named before the rule (tests/layers-debt.txt) may stay until they
#    are renamed, a new one without its prefix fails, and a renamed one must
#    leave the list.
# Run from the build directory (it reads libmadoguchi.a). Prints TAP.
set -u
top=${top_srcdir:-..}
n=0; failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }

rank() {
  case $1 in util) echo 0 ;; dict) echo 1 ;; faq) echo 2 ;; bot) echo 3 ;; adapters) echo 4 ;; cli) echo 5 ;; *) echo -1 ;; esac
}

upward=
past=
bare=
for f in $(cd "$top" && ls util/*.[ch] dict/*.[ch] faq/*.[ch] bot/*.[ch] adapters/*.[ch] cli/*.[ch] 2>/dev/null); do
  from=${f%%/*}
  rf=$(rank "$from")
  for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$top/$f"); do
    case $inc in
      */*) to=${inc%%/*}; rt=$(rank "$to")
           [ "$rt" -gt "$rf" ] && upward="$upward $f->$inc"
           # adapters talk to bot/ only: no reaching past it into faq/ or dict/
           [ "$from" = adapters ] && { [ "$to" = faq ] || [ "$to" = dict ]; } && past="$past $f->$inc" ;;
      config.h) ;;
      *) bare="$bare $f:$inc" ;;
    esac
  done
done
[ -z "$upward" ] && ok "no include goes upward (cli > adapters > bot > faq > dict > util)" \
                 || nok "includes that go upward:$upward"
[ -z "$past" ] && ok "adapters include bot/ and util/, never faq/ or dict/ past it" \
               || nok "adapters reaching past bot/:$past"
[ -z "$bare" ] && ok "headers are included by their path from the top source dir" \
               || nok "headers included without their folder:$bare"

# global symbols and their prefixes
if [ ! -f libmadoguchi.a ]; then
  nok "libmadoguchi.a not found (run from the build directory)"
else
  nm -A --defined-only -g libmadoguchi.a 2>/dev/null | awk '$2 ~ /^[TDBRCG]$/ { sub(/^libmadoguchi\.a:/, "", $1); sub(/:.*/, "", $1); print $1, $3 }' > layers.syms
  # object -> folder, from the sources
  (cd "$top" && for f in util/*.c dict/*.c faq/*.c bot/*.c adapters/*.c; do b=${f##*/}; echo "${b%.c}.o ${f%%/*}"; done) > layers.dirs
  awk 'NR == FNR { dir[$1] = $2; next }
       $2 ~ /^__/ { next }   # made by the compiler (ASan __odr_asan.*), not by us
       { d = dir[$1]; s = $2; ok = 0
         if (d == "util") ok = s ~ /^mg_/
         else if (d == "dict") ok = s ~ /^dict_/
         else if (d == "faq") ok = s ~ /^faq_/
         else if (d == "bot") ok = s ~ /^bot_/
         else if (d == "adapters") ok = s ~ /^(srv|ws|http|admin|mail|static|pages|line)_/
         if (!ok) print d, s }' layers.dirs layers.syms | sort > layers.unprefixed
  sort "$top/tests/layers-debt.txt" | grep -v '^#' > layers.debt
  new=$(comm -23 layers.unprefixed layers.debt | tr '\n' ' ')
  gone=$(comm -13 layers.unprefixed layers.debt | tr '\n' ' ')
  [ -z "$new" ] && ok "no new global symbol without its folder's prefix ($(wc -l < layers.unprefixed) old ones still to rename)" \
                || nok "global symbols without their folder's prefix: $new"
  [ -z "$gone" ] && ok "tests/layers-debt.txt lists only symbols that still lack their prefix" \
                 || nok "renamed or gone, remove from tests/layers-debt.txt: $gone"
  rm -f layers.syms layers.dirs layers.unprefixed layers.debt
fi

echo "1..$n"
exit $failed
