#!/usr/bin/env python3
"""convert-sudachi.py — turn the Sudachi synonym dictionary into madoguchi dict/ data.

Source: the npm package `sudachi-synonyms-dictionary` (Apache-2.0; it carries
WorksApplications/SudachiDict's src/main/text/synonyms.txt as JSON), or that
synonyms.txt itself. Obtain and convert, reproducibly:

    cd /tmp && npm pack sudachi-synonyms-dictionary@18.0.0
    python3 dict/tools/convert-sudachi.py /tmp/sudachi-synonyms-dictionary-18.0.0.tgz \
        --restrict variants --lexicon /usr/share/mecab/dic/ipadic \
        --curated dict/variants.tsv --no-kana-kanji \
        --exclude-domains 企業名,旧企業名,人名,大学名,組織名,旧組織名,店名,キャラ,商品 \
        -o /tmp/sudachi-variants.tsv

(the best-measured restriction; docs/accuracy.md, "Sudachi synonym dictionary",
has every restriction's figures and why none is shipped in dict/ yet). Any
generated file that is shipped must go with the package's LICENSE (Apache-2.0)
as dict/LICENSE-sudachi-synonyms, and the loader in faq/analyze.c must read it.

SOURCE may be the package tarball (.tgz), its sudachi-synonyms-dictionary.json,
or a Sudachi synonyms.txt (CSV lines `group,体言/用言,expansion,lexeme,form,
abbreviation,spelling,(domains),surface,,`, groups separated by blank lines).
Standard library only; the output depends on nothing but the input files (input
order is kept, sets are sorted), so the same inputs give the same bytes.

Restrictions (--restrict), all measured in docs/accuracy.md:
  variants  spelling variants and misspellings (spelling flag 異表記/誤表記)
            folded to the typical spelling of the same word form, in the
            dict/variants.tsv format `variant<TAB>canonical`. Those of two or
            more characters are rewritten in the raw text before MeCab
            (faq/analyze.c, longest match, no re-scan), so pairs are kept only
            when that is safe (see safe_variants()).
  abbrev    abbreviations (略語・略称) with the full form they abbreviate, as
            query-time synonym groups (dict/synonyms.tsv format). Not folded:
            short abbreviations occur inside other words (ネット in
            インターネット), which a text rewrite would corrupt.
  nouns     whole synonym groups, 体言 members with expansion flag 0 only,
            synonym-group format.
  all       whole synonym groups, every member except expansion flag 2.
--exclude-domains drops items tagged with any of the given domains (proper
names: companies, people, universities …), which a city FAQ rarely needs.
"""
import argparse
import hashlib
import io
import json
import os
import sys
import tarfile
import unicodedata

TAIGEN = {"体言": 1, "用言": 2, "未定義": 0}
FORM = {"代表語": 0, "対訳": 1, "別称": 2, "旧称": 3, "間違い": 4, "未定義": -1}
ABBR = {"代表語形": 0, "略語・略称/アルファベット": 1, "略語・略称": 2, "未定義": -1}
SPELL = {"代表表記": 0, "アルファベット表記": 1, "異表記・表記ゆれ": 2, "間違い表記": 3, "未定義": -1}

MAX_FIELDS = 32     # faq/analyze.c read_list(): fields per line
MAX_LINE = 4000     # faq/analyze.c read_list(): bytes per line (4096 with margin)


class Item:
    __slots__ = ("group", "taigen", "expand", "lexeme", "form", "abbr", "spell", "domains", "surface")

    def key(self):
        """The word form this item spells: same lexeme, form type, abbreviation."""
        return (self.group, self.lexeme, self.form, self.abbr)


def _int(s, default):
    s = (s or "").strip()
    return int(s) if s.isdigit() else default


def parse_txt(text):
    items = []
    for line in text.splitlines():
        line = line.strip("\r\n")
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split(",")
        if len(f) < 9:
            continue
        it = Item()
        it.group = f[0].strip()
        it.taigen = _int(f[1], 0)
        it.expand = _int(f[2], 0)
        it.lexeme = f[3].strip() or "?"
        it.form = _int(f[4], -1)
        it.abbr = _int(f[5], -1)
        it.spell = _int(f[6], -1)
        d = f[7].strip()
        it.domains = tuple(x for x in d.strip("()").split("/") if x)
        it.surface = f[8]
        items.append(it)
    return items


def parse_json(data):
    items = []
    for g in data:
        for j in g["items"]:
            it = Item()
            it.group = g["id"]
            it.taigen = TAIGEN.get(j.get("taigenYogen"), 0)
            it.expand = j.get("expandControl") or 0
            # the package turns a shared lexeme number ("1/2") into null
            it.lexeme = str(j["vocabularyNumber"]) if j.get("vocabularyNumber") is not None else "?"
            it.form = FORM.get(j.get("gokeiSyubetsu"), -1)
            it.abbr = ABBR.get(j.get("ryakusyou"), -1)
            it.spell = SPELL.get(j.get("hyoukiYure"), -1)
            it.domains = tuple(j.get("bunya") or ())
            it.surface = j["midashi"]
            items.append(it)
    return items


def load(path):
    """Items and a description (name, version, sha256) of the source."""
    raw = open(path, "rb").read()
    digest = hashlib.sha256(raw).hexdigest()
    name, version = os.path.basename(path), "?"
    if path.endswith((".tgz", ".tar.gz")):
        with tarfile.open(fileobj=io.BytesIO(raw)) as t:
            pkg = json.load(t.extractfile("package/package.json"))
            data = json.load(t.extractfile("package/sudachi-synonyms-dictionary.json"))
        name, version = pkg["name"], pkg["version"]
        return parse_json(data), "npm %s@%s (%s, sha256 %s)" % (name, version, os.path.basename(path), digest)
    text = raw.decode("utf-8-sig")
    if text.lstrip().startswith("["):
        pj = os.path.join(os.path.dirname(path), "package.json")
        if os.path.exists(pj):
            pkg = json.load(open(pj, encoding="utf-8"))
            name, version = pkg.get("name", name), pkg.get("version", version)
        return parse_json(json.loads(text)), "npm %s@%s (%s, sha256 %s)" % (name, version, os.path.basename(path), digest)
    return parse_txt(text), "Sudachi synonyms.txt (%s, sha256 %s)" % (os.path.basename(path), digest)


def norm(s):
    """What faq/analyze.c compares: NFKC, case folded, outer spaces trimmed."""
    return unicodedata.normalize("NFKC", s).casefold().strip(" ")


def usable(s):
    return s and "\t" not in s and "\n" not in s and "," not in s


def is_hiragana(s):
    return all("\u3041" <= c <= "\u309f" or c == "ー" for c in s)


def is_kanji(ch):
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch in "々〆"


def is_kana(s):
    return all("\u3041" <= c <= "\u30ff" for c in s)


def has_ascii_letter(s):
    return any(c.isascii() and c.isalpha() for c in s)


def excluded(it, domains):
    return bool(domains) and any(d in domains for d in it.domains)


# ---- variants --------------------------------------------------------------

def variant_pairs(items, domains, lexicon=frozenset()):
    """(variant, canonical, group) for spelling variants/misspellings, in input order."""
    forms = {}
    for it in items:
        if it.expand == 2 or excluded(it, domains) or not usable(it.surface):
            continue
        forms.setdefault(it.key(), []).append(it)
    pairs = []
    for key, its in forms.items():
        typical = [it for it in its if it.spell == 0]
        variants = [it for it in its if it.spell in (2, 3)]
        if not typical or not variants:
            continue
        # the canonical spelling must contain no other member (a rewrite of
        # the variant would otherwise fire inside it: 手続 in 手続き), so when
        # the typical form contains a variant, fold to the shortest member
        members = [norm(it.surface) for it in [typical[0]] + variants]
        canon = members[0]
        if lexicon and canon not in lexicon:
            # fold to a spelling MeCab knows as a word (月々, not 月月)
            known = [m for m in members if m in lexicon]
            if known:
                canon = known[0]
        if any(m != canon and m in canon for m in members[1:]):
            canon = min(members, key=lambda m: (len(m), members.index(m)))
            if any(m != canon and m in canon for m in members):
                continue
        for m in members:
            if m != canon:
                pairs.append((m, canon, key[0]))
    return pairs


def read_curated(path):
    cur = {}
    if not path:
        return cur
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\r\n")
        if not line or line.startswith("#"):
            continue
        f = line.split("\t")
        if len(f) == 2:
            cur[norm(f[0])] = norm(f[1])
    return cur


def read_lexicon(d):
    """Surface forms of a MeCab IPADIC source directory (EUC-JP CSVs)."""
    words = set()
    if not d:
        return words
    for name in sorted(os.listdir(d)):
        if not name.endswith(".csv"):
            continue
        with open(os.path.join(d, name), encoding="euc_jp", errors="replace") as f:
            for line in f:
                s = line.split(",", 1)[0]
                if s:
                    words.add(norm(s))
    return words


def safe_variants(pairs, curated, lexicon, stats, keep_kana_kanji=True, keep_kanji_initial=True):
    """Filter and resolve pairs so faq/analyze.c's text rewrite does not corrupt words.

    The rewrite matches anywhere in the normalised text, longest first, with no
    word boundaries and no re-scan. Dropped: variants under two characters,
    with Latin letters (rent in parent) or digits (2人 in 12人), of two kanji
    (更衣 in 更衣室, 母指 in 父母指定者), of two hiragana; variants the curated
    list already has; spellings that fold to two different words; variants
    inside any canonical form or inside a word of the MeCab lexicon (おす in
    おすすめ); optionally kana/kanji pairs (readings already join them) and
    every variant that starts with a kanji (行先 in 旅行先). Canonicals are
    followed through chains (and the curated list) to their end.
    """
    def drop(why):
        stats[why] = stats.get(why, 0) + 1

    canon_of, order = {}, []
    for v, c, g in pairs:
        if len(v) < 2:
            drop("variant shorter than 2 characters")
            continue
        if has_ascii_letter(v):
            drop("variant has Latin letters (no word boundaries in the rewrite)")
            continue
        if any(ch.isdigit() for ch in v):
            drop("variant has digits (2人 inside 12人)")
            continue
        if len(v) <= 2 and all(is_kanji(ch) for ch in v):
            # 母指 → 拇指 rewrote 父母指定者, 更衣 → 衣替え 更衣室: two kanji
            # are as often the middle of a compound as a word
            drop("variant is two kanji (compounds)")
            continue
        if not keep_kanji_initial and is_kanji(v[0]):
            # 行先 → 行き先 would rewrite 旅行先 into 旅行き先: the rewrite has no
            # word boundaries and a kanji joins the kanji before it
            drop("variant starts with a kanji (compounds)")
            continue
        if is_hiragana(v) and len(v) < 3:
            drop("variant is 2 hiragana")
            continue
        if keep_kana_kanji is False and is_kana(v) != is_kana(c):
            # MeCab's readings already bridge はがき/葉書; folding one spelling to
            # the other moves it off a form the lexicon filter may have kept
            drop("kana spelling of a kanji word (readings match them)")
            continue
        if v in curated or v in curated.values():
            drop("variant already in the curated variants.tsv")
            continue
        c = curated.get(c, c)
        if v in canon_of and canon_of[v] != c:
            canon_of[v] = None          # the same spelling folds to two words: ambiguous
            continue
        if v not in canon_of:
            order.append(v)
        canon_of[v] = c
    amb = [v for v in order if canon_of[v] is None]
    for v in amb:
        drop("variant of two different words")
    order = [v for v in order if canon_of[v] is not None]

    # chains: a canonical that is itself a variant folds on (no re-scan in the rewrite)
    def resolve(v):
        seen, c = {v}, canon_of[v]
        while c in canon_of and canon_of[c] is not None:
            if c in seen:
                return None
            seen.add(c)
            c = canon_of[c]
        return c
    res = {}
    for v in order:
        c = resolve(v)
        if c is None or c == v:
            drop("cycle")
            continue
        res[v] = c
    variants = set(res)
    canons = set(res.values()) | set(curated.values())
    curated_variants = set(curated)
    out = []
    for v in order:
        if v not in res:
            continue
        c = res[v]
        # the variant inside a canonical form (its own or another's) would be rewritten there
        if any(v in k and v != k for k in canons if len(k) > len(v)):
            drop("variant inside a canonical form")
            continue
        # the variant inside an ordinary word of the MeCab lexicon (おす in おすすめ,
        # 割当 in 割当額); a word that is itself a variant is consumed whole by the
        # longest match first, so it does not count
        if lexicon and any(v in w for w in lexicon_containing(lexicon, v)
                           if w != v and w not in variants and w not in curated_variants and w not in canons):
            drop("variant inside a lexicon word")
            continue
        out.append((v, c))
    return out


_index = {}


def lexicon_containing(lexicon, v):
    """Lexicon words that contain v (index by character bigram, built once)."""
    if not _index:
        for w in lexicon:
            for i in range(len(w) - 1):
                _index.setdefault(w[i:i + 2], []).append(w)
        for k in _index:
            _index[k].sort()
    if len(v) < 2:
        return []
    cands = _index.get(v[:2], [])
    return [w for w in cands if v in w]


# ---- synonym groups --------------------------------------------------------

def synonym_groups(items, restrict, domains):
    groups, order = {}, []
    for it in items:
        if it.expand == 2 or excluded(it, domains) or not usable(it.surface):
            continue
        if restrict == "nouns" and (it.taigen != 1 or it.expand != 0):
            continue
        if it.group not in groups:
            groups[it.group] = []
            order.append(it.group)
        groups[it.group].append(it)
    out = []
    for g in order:
        its = groups[g]
        if restrict == "abbrev":
            # per word form that has abbreviations: the full typical form first
            byform = {}
            for it in its:
                byform.setdefault((it.lexeme, it.form), []).append(it)
            for k in byform:
                fs = byform[k]
                full = [it for it in fs if it.abbr == 0 and it.spell == 0]
                abbr = [it for it in fs if it.abbr in (1, 2)]
                if full and abbr:
                    out.append(dedup([norm(full[0].surface)] + [norm(it.surface) for it in abbr]))
            continue
        # first member: the typical spelling of the group's first word
        first = [it for it in its if it.spell == 0 and it.abbr == 0 and it.form == 0] or its
        out.append(dedup([norm(first[0].surface)] + [norm(it.surface) for it in its]))
    res = []
    for m in out:
        m = m[:MAX_FIELDS]
        while len("\t".join(m).encode()) > MAX_LINE:
            m = m[:-1]
        if len(m) >= 2:
            res.append(m)
    return res


def dedup(xs):
    seen, out = set(), []
    for x in xs:
        if x and x not in seen:
            seen.add(x)
            out.append(x)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source", help="sudachi-synonyms-dictionary-*.tgz, its .json, or synonyms.txt")
    ap.add_argument("--restrict", choices=("variants", "abbrev", "nouns", "all"), required=True)
    ap.add_argument("--lexicon", help="MeCab IPADIC source directory (EUC-JP *.csv), for the variant safety check")
    ap.add_argument("--curated", help="the hand-written dict/variants.tsv: its pairs win over Sudachi's")
    ap.add_argument("--exclude-domains", default="", help="comma-separated Sudachi domains to drop (企業名,人名,…)")
    ap.add_argument("--no-kana-kanji", action="store_true",
                    help="variants: drop pairs where one side is all kana and the other is not")
    ap.add_argument("--no-kanji-initial", action="store_true",
                    help="variants: drop variants that start with a kanji (they can match inside compounds)")
    ap.add_argument("-o", "--output", help="output file (default stdout)")
    a = ap.parse_args()

    items, source = load(a.source)
    domains = tuple(sorted(d for d in a.exclude_domains.split(",") if d))
    args = "--restrict %s" % a.restrict
    if domains:
        args += " --exclude-domains %s" % ",".join(domains)
    if a.lexicon:
        args += " --lexicon %s" % a.lexicon
    if a.curated:
        args += " --curated %s" % a.curated
    if a.no_kana_kanji:
        args += " --no-kana-kanji"
    if a.no_kanji_initial:
        args += " --no-kanji-initial"
    stats = {}
    lines = []
    if a.restrict == "variants":
        lexicon = read_lexicon(a.lexicon)
        pairs = variant_pairs(items, domains, lexicon)
        kept = safe_variants(pairs, read_curated(a.curated), lexicon, stats,
                             keep_kana_kanji=not a.no_kana_kanji, keep_kanji_initial=not a.no_kanji_initial)
        fmt = "variant<TAB>canonical (dict/variants.tsv format)"
        lines = ["%s\t%s" % p for p in kept]
        summary = "%d candidate pairs, %d kept" % (len(pairs), len(kept))
    else:
        groups = synonym_groups(items, a.restrict, domains)
        fmt = "one synonym group per line, TAB-separated, first = canonical (dict/synonyms.tsv format)"
        lines = ["\t".join(g) for g in groups]
        summary = "%d groups" % len(groups)
    hdr = [
        "# Generated by dict/tools/convert-sudachi.py %s — do not edit; re-run the script." % args,
        "# Source: %s," % source,
        "#   from the Sudachi synonym dictionary, Copyright (c) 2017 Works Applications Co., Ltd.",
        "#   (github.com/WorksApplications/SudachiDict, src/main/text/synonyms.txt),",
        "#   npm packaging by azu. Licence: Apache License 2.0 (the package's LICENSE, to ship",
        "#   beside this file as dict/LICENSE-sudachi-synonyms).",
        "#   Modified: restricted and converted to madoguchi's format.",
        "# Format: %s." % fmt,
        "# %s%s." % (summary, "".join("; dropped %d: %s" % (n, w) for w, n in sorted(stats.items()))),
    ]
    text = "\n".join(hdr + lines) + "\n"
    if a.output:
        with open(a.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
