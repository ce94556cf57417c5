#!/usr/bin/env python3
"""Synonym groups from EDICT, restricted to a FAQ's vocabulary (issue 12, item 3).

An experiment, not shipped: docs/accuracy.md rows 43-44 measure it on the
benchmark (no gain). Two headwords join when both are in the vocabulary and
they share at least MIN_SHARED normalised English glosses; a gloss shared by
more than MAX_GROUP headwords ("good", "necessary") joins nobody. One line
per word with its direct neighbours, TAB-separated, in the format of
dict/synonyms.tsv, so it can be appended to a copy of dict/ and measured with
`madoguchi eval --dict-dir`. EDICT is the EDRDG's (package `edict`, CC BY-SA).

Usage: build-thesaurus.py VOCAB.txt [/usr/share/edict/edict] [MIN_SHARED=2] [MAX_GROUP=6]
VOCAB.txt: one lemma per line (e.g. MeCab's base forms of the FAQ's nouns,
verbs and adjectives; docs/accuracy.md shows the command).
"""
import re, sys, collections
if len(sys.argv) < 2:
    sys.exit(__doc__)
vocab_path = sys.argv[1]
edict_path = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/edict/edict"
min_shared = int(sys.argv[3]) if len(sys.argv) > 3 else 2
maxgroup = int(sys.argv[4]) if len(sys.argv) > 4 else 6
vocab = set(l.strip() for l in open(vocab_path, encoding="utf-8") if l.strip())
STOP = {"a","an","the","to","of","one's","etc","be","something","someone","thing","person","sth","sb","or","and","in","for","with","on","by"}
gloss_of = collections.defaultdict(set)
with open(edict_path, encoding="euc_jp", errors="replace") as f:
    for line in f:
        m = re.match(r"^(\S+)(?: \[([^\]]+)\])? /(.*)/$", line.rstrip("\n"))
        if not m: continue
        heads = [re.sub(r"\(.*?\)", "", h) for h in m.group(1).split(";")]
        heads = [h for h in heads if h in vocab and len(h) >= 2]
        if not heads: continue
        gl = set()
        for g in m.group(3).split("/"):
            if g.startswith("EntL") or g == "(P)": continue
            g = re.sub(r"\([^)]*\)", " ", g)
            g = re.sub(r"[^a-zA-Z' -]", " ", g).lower()
            g = " ".join(w for w in g.split() if w not in STOP)
            if len(g) >= 3: gl.add(g)
        for h in heads: gloss_of[h] |= gl
# pairs sharing >= min_shared glosses
by_gloss = collections.defaultdict(set)
for h, gl in gloss_of.items():
    for g in gl: by_gloss[g].add(h)
pairs = collections.Counter()
for g, hs in by_gloss.items():
    if len(hs) > maxgroup: continue   # generic glosses join too many words
    hs = sorted(hs)
    for i in range(len(hs)):
        for j in range(i+1, len(hs)): pairs[(hs[i], hs[j])] += 1
adj = collections.defaultdict(set)
for (a, b), n in pairs.items():
    if n >= min_shared: adj[a].add(b); adj[b].add(a)
# one group per word with its direct neighbours (no transitive chains)
seen = set()
for w in sorted(adj):
    grp = [w] + sorted(adj[w])
    key = tuple(sorted(grp))
    if key in seen: continue
    seen.add(key)
    print("\t".join(grp))
