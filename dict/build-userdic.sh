#!/bin/sh
# build-userdic.sh — compile dict/userwords.tsv into a MeCab user dictionary.
#
#   build-userdic.sh MECAB_DICT_INDEX DICDIR userwords.tsv OUT.dic
#
# userwords.tsv is dictionary-neutral ("surface<TAB>katakana reading<TAB>pos",
# pos one of 名詞-固有名詞-地域, 名詞-固有名詞-組織, 名詞-一般) so a city edits
# one file whatever MeCab dictionary it runs. This script writes the CSV the
# chosen dictionary needs and runs mecab-dict-index on it:
#   IPADIC: surface,left-id,right-id,cost,品詞,細1,細2,細3,*,*,原形,読み,発音 —
#           ids are looked up in the dictionary's left-id.def (the compiled
#           ipadic-utf8 has none, so the Debian source dictionary
#           /usr/share/mecab/dic/ipadic is used for the ids); the cost is
#           fixed, low enough that a listed word wins over splitting it.
#   UniDic: no user dictionary is built (Debian's unidic-mecab ships no
#           model to estimate costs); an empty OUT.dic is written and the
#           analysis runs without one.
set -eu
DICT_INDEX=$1 DICDIR=$2 SRC=$3 OUT=$4
COST=3000
tmp=${OUT}.tmp.$$
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"

if [ -f "$DICDIR/left-id.def" ]; then IDDIR=$DICDIR
elif [ -f /usr/share/mecab/dic/ipadic/left-id.def ]; then IDDIR=/usr/share/mecab/dic/ipadic
else IDDIR=; fi

if ! grep -q 'ipadic\|IPADIC' "$DICDIR/dicrc" 2>/dev/null || [ -z "$IDDIR" ]; then
  echo "build-userdic.sh: $DICDIR is not IPADIC; no user dictionary built" >&2
  : > "$OUT"
  exit 0
fi
charset=$(sed -n 's/^config-charset *= *//p' "$IDDIR/dicrc" | tr -d '\r')
iconv -f "${charset:-utf-8}" -t utf-8 "$IDDIR/left-id.def" > "$tmp/left-id.def"
id_of() { # POS prefix → left id
  awk -v p="$1" 'index($2, p) == 1 { print $1; exit }' "$tmp/left-id.def"
}
ID_PLACE=$(id_of '名詞,固有名詞,地域,一般,')
ID_ORG=$(id_of '名詞,固有名詞,組織,')
ID_NOUN=$(id_of '名詞,一般,')
[ -n "$ID_PLACE" ] && [ -n "$ID_ORG" ] && [ -n "$ID_NOUN" ] || { echo "build-userdic.sh: ids not found in $IDDIR/left-id.def" >&2; exit 1; }

awk -F '\t' -v place="$ID_PLACE" -v org="$ID_ORG" -v noun="$ID_NOUN" -v cost="$COST" -v src="$SRC" '
  /^#/ || /^[ \t\r]*$/ { next }
  {
    sub(/\r$/, "")
    if (NF != 3) { printf "%s:%d: expected surface<TAB>reading<TAB>pos\n", src, NR > "/dev/stderr"; bad = 1; next }
    if ($3 == "名詞-固有名詞-地域") { id = place; pos = "名詞,固有名詞,地域,一般" }
    else if ($3 == "名詞-固有名詞-組織") { id = org; pos = "名詞,固有名詞,組織,*" }
    else if ($3 == "名詞-一般") { id = noun; pos = "名詞,一般,*,*" }
    else { printf "%s:%d: unknown pos \"%s\"\n", src, NR, $3 > "/dev/stderr"; bad = 1; next }
    if (index($1, ",") || index($2, ",")) { printf "%s:%d: commas are not allowed\n", src, NR > "/dev/stderr"; bad = 1; next }
    printf "%s,%s,%s,%d,%s,*,*,%s,%s,%s\n", $1, id, id, cost, pos, $1, $2, $2
  }
  END { exit bad }' "$SRC" > "$tmp/user.csv"

"$DICT_INDEX" -d "$IDDIR" -u "$tmp/user.dic" -f utf-8 -t utf-8 "$tmp/user.csv" > "$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
mv "$tmp/user.dic" "$OUT"
