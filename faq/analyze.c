/*
 * analyze.c — the one Japanese analysis pipeline (see analyze.h).
 *
 * Steps, in order, for a text of any length:
 *   1. Normalise: NFKC + case fold with utf8proc, one "chunk" at a time (a
 *      starter code point and the combining marks after it, so ｶﾞ → ガ still
 *      composes). Each normalised byte remembers the original byte span it
 *      came from, so terms report offsets into the caller's text — FTS5
 *      needs offsets within the text it passed in. Invalid UTF-8 bytes are
 *      dropped. Common CJK, kana and ASCII take a copy-only fast path.
 *   2. Variants (dict/variants.tsv) of two or more characters are rewritten
 *      to their canonical spelling in the text *before* MeCab, because a
 *      variant spelling often segments differently (申込 is one noun,
 *      申し込み a verb form); the offset map follows the rewrite.
 *   3. MeCab (system dictionary cfg->mecab_dicdir, user dictionary
 *      cfg->userdic) on a per-thread lattice. The dictionary's feature
 *      layout is detected once from a probe parse: IPADIC has 9 fields with
 *      the base form at index 6; UniDic has more, with the lemma at index 7.
 *   4. Per morpheme: the lemma ('*' → surface), a part-of-speech filter
 *      that keeps content words (nouns except pronouns/numbers/dependent
 *      nouns, independent verbs and adjectives, unknown words; a number
 *      written with its counter is one term: 75歳, 二重), variant
 *      folding of the lemma, stopwords, then okurigana folding (空き家 =
 *      空家).
 *   5. Extra terms at the same position (MG_TOK_SYNONYM, FTS5 colocated):
 *      the parts of a long noun (a user-dictionary compound re-read with the
 *      system dictionary, or a system compound split by MeCab's next-best
 *      parse: 粗大ごみ → 粗大, ごみ — MG_TOK_PART), and a noun's katakana
 *      reading (鳩 → ハト — MG_TOK_READING). Both let a question that words
 *      a thing differently still meet the entry; docs/accuracy.md has the
 *      figures.
 *
 * Synonyms are *not* emitted here: the index holds one spelling per word and
 * the engine expands the query (faq_lang_synonyms), so editing synonyms.tsv
 * never requires re-indexing. Everything that does change the index terms
 * (variants, stopwords, the dictionaries, this file's ANALYSIS_VERSION) goes
 * into the fingerprint the store compares at start.
 */
#include "faq/analyze.h"
#include "dict/tsv.h"
#include "util/mg_utf8.h"
#include "util/mg_err.h"
#include "faq/termmap.h"

#include <errno.h>
#include <libstemmer.h>
#include <mecab.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <utf8proc.h>

/* Bump when a code change alters the terms produced for the same input. */
#define ANALYSIS_VERSION "analyze-9"

enum dic_kind { DIC_IPADIC, DIC_UNIDIC };

struct mg_lang {
  mecab_model_t *model;
  mecab_model_t *model_sys; /* system dictionary only (when a user dictionary is in use) */
  enum dic_kind kind;
  int lemma_field;          /* feature index of the base form */
  int split_nbest;          /* split long one-word nouns by MeCab's next-best parses (how many) */
  int fold_okuri;           /* fold okurigana (空き家 = 空家) */
  mg_termmap *stop;         /* stopword lemmas (set) */
  mg_termmap *var;          /* variant spelling → id; canonical in var_canon[id] */
  char **var_canon;
  int var_cap;
  int var_maxlen;           /* longest text-level variant, bytes */
  mg_termmap *var_first;    /* first code point (UTF-8 bytes) of text-level variants */
  uint64_t *var_lens;       /* per var_first id: bit l set when a variant of l < 64 bytes starts with it */
  int *var_first_max;       /* per var_first id: its longest variant, bytes */
  int var_first_cap;
  mg_termmap *syn;          /* synonym term → id; groups in syn_groups */
  int **syn_groups;         /* per term id: -1-terminated list of group ids */
  int syn_cap;
  int **groups;             /* per group: -1-terminated list of term ids */
  int ngroups, groups_cap;
  char fingerprint[17];
};

struct mg_analyzer {
  mg_lang *lang;
  mecab_t *tagger;
  mecab_lattice_t *lattice;
  mecab_t *tagger_sys;      /* re-analyses user-dictionary compounds into parts */
  mecab_lattice_t *lattice_sys;
  mecab_t *tagger_nb;       /* n-best re-analysis of long words (no user dictionary) */
  mecab_lattice_t *lattice_nb;
  char part[1024];
  /* reusable buffers: normalised text and its map to original offsets */
  char *norm;
  int *nstart, *nend;
  size_t ncap;
  char *text;               /* after variant rewriting: what MeCab sees */
  int *tstart, *tend;
  size_t tcap;
  size_t tlen;              /* bytes of text from the last call */
  /* the last input parsed into `lattice`: the understanding layer and the
   * engine analyse the same message one after the other, MeCab runs once */
  char *last;
  int last_len, last_cap;
  int last_ok, last_breaks;
  /* what MeCab parsed when the understanding layer asked for clause breaks:
   * the text with each space between two non-ASCII characters written as
   * 。, and brk_off[] mapping each of its bytes back to `text` */
  char *brk;
  int *brk_off;
  size_t brk_cap;
  int brk_on;               /* the lattice's surfaces point into brk */
  struct sb_stemmer *stem;  /* English (Snowball): a morph's lemma for an English word */
  char term[1024];
  /* emit_parts' answers by word: the re-analysis of a long noun depends on
   * its surface alone, and the same nouns come back message after message */
  mg_termmap *parts;        /* surface → id; emptied when it holds PARTS_MAX words */
  int *parts_first;         /* per id: its first part in parts_at[]; id + 1 ends it */
  int parts_first_cap;
  struct { int off, len; } *parts_at; /* parts, in parts_text */
  int nparts_at, parts_at_cap;
  char *parts_text;
  int parts_text_len, parts_text_cap;
};

#define PARTS_MAX 8192

/* ---- normalisation with an offset map ----------------------------------- */

struct buf {
  char *s;
  int *st, *en;
  size_t len, cap;
};

static int buf_reserve(struct buf *b, size_t extra) {
  if (b->len + extra <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra) cap *= 2;
  char *s = realloc(b->s, cap + 1);
  if (!s) return -1;
  b->s = s;
  if (b->st || b->en || b->cap == 0) {
    int *st = realloc(b->st, cap * sizeof *st);
    if (!st) return -1;
    b->st = st;
    int *en = realloc(b->en, cap * sizeof *en);
    if (!en) return -1;
    b->en = en;
  }
  b->cap = cap;
  return 0;
}

static int buf_put(struct buf *b, const void *p, size_t n, int st, int en) {
  if (buf_reserve(b, n) != 0) return -1;
  memcpy(b->s + b->len, p, n);
  for (size_t i = 0; i < n; i++) {
    b->st[b->len + i] = st;
    b->en[b->len + i] = en;
  }
  b->len += n;
  return 0;
}

static int is_joining_mark(utf8proc_int32_t cp) {
  if (cp == 0x3099 || cp == 0x309A || cp == 0xFF9E || cp == 0xFF9F) return 1;
  const utf8proc_property_t *p = utf8proc_get_property(cp);
  return p->combining_class != 0;
}

/* Code points that NFKC + case folding leave unchanged (when alone). */
static int is_stable(utf8proc_int32_t cp) {
  return (cp >= 0x20 && cp < 0x7F && !(cp >= 'A' && cp <= 'Z')) ||
         (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x30A1 && cp <= 0x30FA) ||
         cp == 0x30FC || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3001 && cp <= 0x3002);
}

/* Normalise text into b (which records original offsets). */
static int normalize_into(struct buf *b, const char *text, int len) {
  const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)text;
  int i = 0;
  b->len = 0;
  while (i < len) {
    utf8proc_int32_t cp, cp2;
    utf8proc_ssize_t n = utf8proc_iterate(s + i, len - i, &cp);
    if (n <= 0) { i++; continue; } /* invalid byte: skip it */
    int start = i, end = i + (int)n;
    /* extend the chunk over following combining marks */
    while (end < len) {
      utf8proc_ssize_t m = utf8proc_iterate(s + end, len - end, &cp2);
      if (m <= 0 || !is_joining_mark(cp2)) break;
      end += (int)m;
    }
    if (end == start + n && is_stable(cp)) {
      if (buf_put(b, s + start, (size_t)n, start, end) != 0) return MG_ENOMEM;
    } else if (end == start + n && cp >= 'A' && cp <= 'Z') {
      char c = (char)(cp + 32);
      if (buf_put(b, &c, 1, start, end) != 0) return MG_ENOMEM;
    } else {
      utf8proc_uint8_t *out = NULL;
      /* IGNORE drops the invisible marks pasted text carries (zero-width
       * space, bidi isolates, soft hyphen): MeCab reads each as a word */
      utf8proc_ssize_t m = utf8proc_map(s + start, end - start, &out,
                                        UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STABLE |
                                            UTF8PROC_IGNORE);
      if (m > 0 && buf_put(b, out, (size_t)m, start, end) != 0) { free(out); return MG_ENOMEM; }
      free(out); /* m < 0: an unassigned or invalid chunk is dropped; m == 0: an invisible mark */
    }
    i = end;
  }
  if (buf_reserve(b, 1) != 0) return MG_ENOMEM;
  b->s[b->len] = '\0';
  return 0;
}

char *faq_normalize(const char *text, int len, int *outlen) {
  struct buf b = {0};
  if (normalize_into(&b, text, len) != 0) {
    free(b.s);
    b.s = NULL;
  }
  free(b.st);
  free(b.en);
  if (b.s && outlen) *outlen = (int)b.len;
  return b.s;
}

/* ---- word lists ----------------------------------------------------------- */

/* Normalised copy of a word-list field into out (NUL-terminated); 0 or -1. */
static int norm_field(const char *s, int len, char *out, size_t cap) {
  int n = 0;
  char *t = faq_normalize(s, len, &n);
  if (!t) return -1;
  /* trim ASCII spaces left by NFKC (full-width spaces) */
  int a = 0, z = n;
  while (a < z && (t[a] == ' ' || t[a] == '\r')) a++;
  while (z > a && (t[z - 1] == ' ' || t[z - 1] == '\r')) z--;
  if ((size_t)(z - a) >= cap) { free(t); return -1; }
  memcpy(out, t + a, (size_t)(z - a));
  out[z - a] = '\0';
  free(t);
  return z - a;
}

typedef int (*line_fn)(void *ctx, char **fields, int nf, const char *path, int lineno, char *err);

/* Read a dict/ list (dict/tsv.h) and hand each entry to fn; a missing file
 * is an empty list. The file's name and bytes go into *fp. */
static int read_list(void *ctx, const char *dir, const char *name, line_fn fn, uint64_t *fp, char *err) {
  char path[MG_PATHLEN + 64];
  dict_table *t = NULL;
  int rc;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  *fp = faq_fnv1a(*fp, name, strlen(name));
  if ((rc = dict_table_load(&t, path, DICT_OPTIONAL | DICT_UTF8, err)) != 0) return rc;
  *fp = faq_fnv1a(*fp, t->bytes, t->size);
  for (int i = 0; i < t->n && rc == 0; i++) /* at most 32 columns, as ever */
    rc = fn(ctx, t->rows[i].f, t->rows[i].nf < 32 ? t->rows[i].nf : 32, path, t->rows[i].line, err);
  dict_table_free(t);
  return rc;
}

static int stop_line(void *ctx, char **fields, int nf, const char *path, int lineno, char *err) {
  mg_lang *lang = ctx;
  char w[512];
  int n = norm_field(fields[0], (int)strlen(fields[0]), w, sizeof w);
  if (nf != 1 || n <= 0) return mg_errf(err, MG_ECONFIG, "%s:%d: expected one word per line", path, lineno);
  if (faq_termmap_put(lang->stop, w, n) < 0) return mg_errf(err, MG_ENOMEM, "out of memory");
  return 0;
}

static int utf8_chars(const char *s, int n) {
  int c = 0;
  for (int i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
  return c;
}

static int var_line(void *ctx, char **fields, int nf, const char *path, int lineno, char *err) {
  mg_lang *lang = ctx;
  char v[512], c[512];
  int nv, nc, id;
  if (nf != 2) return mg_errf(err, MG_ECONFIG, "%s:%d: expected \"variant<TAB>canonical\"", path, lineno);
  nv = norm_field(fields[0], (int)strlen(fields[0]), v, sizeof v);
  nc = norm_field(fields[1], (int)strlen(fields[1]), c, sizeof c);
  if (nv <= 0 || nc <= 0) return mg_errf(err, MG_ECONFIG, "%s:%d: empty or too long field", path, lineno);
  if (strcmp(v, c) == 0) return 0;
  if ((id = faq_termmap_put(lang->var, v, nv)) < 0) return mg_errf(err, MG_ENOMEM, "out of memory");
  if (id >= lang->var_cap) {
    int cap = lang->var_cap ? lang->var_cap * 2 : 64;
    char **a = realloc(lang->var_canon, (size_t)cap * sizeof *a);
    if (!a) return mg_errf(err, MG_ENOMEM, "out of memory");
    memset(a + lang->var_cap, 0, (size_t)(cap - lang->var_cap) * sizeof *a);
    lang->var_canon = a;
    lang->var_cap = cap;
  }
  free(lang->var_canon[id]); /* a later line wins */
  if (!(lang->var_canon[id] = strdup(c))) return mg_errf(err, MG_ENOMEM, "out of memory");
  if (utf8_chars(v, nv) >= 2) {
    int fl = 1;
    while (fl < nv && ((unsigned char)v[fl] & 0xC0) == 0x80) fl++;
    int fid = faq_termmap_put(lang->var_first, v, fl);
    if (fid < 0) return mg_errf(err, MG_ENOMEM, "out of memory");
    if (fid >= lang->var_first_cap) {
      int cap = lang->var_first_cap ? lang->var_first_cap * 2 : 64;
      uint64_t *l = realloc(lang->var_lens, (size_t)cap * sizeof *l);
      if (l) lang->var_lens = l;
      int *mx = realloc(lang->var_first_max, (size_t)cap * sizeof *mx);
      if (mx) lang->var_first_max = mx;
      if (!l || !mx) return mg_errf(err, MG_ENOMEM, "out of memory");
      memset(l + lang->var_first_cap, 0, (size_t)(cap - lang->var_first_cap) * sizeof *l);
      memset(mx + lang->var_first_cap, 0, (size_t)(cap - lang->var_first_cap) * sizeof *mx);
      lang->var_first_cap = cap;
    }
    if (nv < 64) lang->var_lens[fid] |= 1ULL << nv; /* longer ones are always looked up */
    if (nv > lang->var_first_max[fid]) lang->var_first_max[fid] = nv;
    if (nv > lang->var_maxlen) lang->var_maxlen = nv;
  }
  return 0;
}

/* Synonym lines are kept raw during loading and analysed afterwards (the
 * members must be turned into index terms by the same pipeline). */
struct syn_raw {
  char **lines;
  int n, cap;
};
static int syn_line_raw(void *ctx, char **fields, int nf, const char *path, int lineno, char *err) {
  struct syn_raw *r = ctx;
  size_t total = 0;
  if (nf < 2) return mg_errf(err, MG_ECONFIG, "%s:%d: a synonym group needs at least two words", path, lineno);
  for (int i = 0; i < nf; i++) {
    if (!fields[i][0]) return mg_errf(err, MG_ECONFIG, "%s:%d: empty word", path, lineno);
    total += strlen(fields[i]) + 1;
  }
  if (r->n == r->cap) {
    int cap = r->cap ? r->cap * 2 : 64;
    char **a = realloc(r->lines, (size_t)cap * sizeof *a);
    if (!a) return mg_errf(err, MG_ENOMEM, "out of memory");
    r->lines = a;
    r->cap = cap;
  }
  char *s = malloc(total), *p = s;
  if (!s) return mg_errf(err, MG_ENOMEM, "out of memory");
  for (int i = 0; i < nf; i++) {
    size_t l = strlen(fields[i]);
    memcpy(p, fields[i], l);
    p[l] = i + 1 < nf ? '\t' : '\0';
    p += l + 1;
  }
  r->lines[r->n++] = s;
  return 0;
}

static int add_to_list(int **list, int v) {
  int n = 0;
  if (*list) while ((*list)[n] != -1) n++;
  for (int i = 0; i < n; i++) if ((*list)[i] == v) return 0;
  int *a = realloc(*list, (size_t)(n + 2) * sizeof *a);
  if (!a) return -1;
  a[n] = v;
  a[n + 1] = -1;
  *list = a;
  return 0;
}

struct one_term {
  char term[256];
  int n, count, flags;
};

static int one_term_cb(void *ctx, const char *term, int len, int start, int end, int flags) {
  struct one_term *o = ctx;
  if (flags & MG_TOK_SYNONYM) return 0; /* readings ride along */
  if (o->count++ == 0 && len < (int)sizeof o->term) {
    memcpy(o->term, term, (size_t)len);
    o->term[len] = '\0';
    o->n = len;
    o->flags = flags;
  }
  return 0;
}

/* Analyse each synonym member; members that are one index term join the
 * group (multi-term phrases cannot be expanded term by term). */
static int build_synonyms(mg_lang *lang, struct syn_raw *raw, char *err) {
  mg_analyzer *an = NULL;
  int rc = faq_analyzer_new(&an, lang, err);
  if (rc) return rc;
  for (int g = 0; g < raw->n; g++) {
    int members[64], nm = 0, cls = -1;
    char *line = raw->lines[g];
    for (char *p = line, *tab; p; p = tab ? tab + 1 : NULL) {
      struct one_term o = {0};
      int len;
      tab = strchr(p, '\t');
      len = tab ? (int)(tab - p) : (int)strlen(p);
      if ((rc = faq_analyze(an, p, len, one_term_cb, &o)) < 0) goto out;
      rc = 0;
      if (o.count != 1 || nm == 64) continue;
      /* a member must be the same part of speech as the group's first
       * (だし the noun must not bring in 出す the verb) */
      if (p == line) cls = o.flags & (MG_TOK_NOUN | MG_TOK_VERB);
      else if ((o.flags & (MG_TOK_NOUN | MG_TOK_VERB)) != cls) continue;
      int id = faq_termmap_put(lang->syn, o.term, o.n);
      if (id < 0) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
      int dup = 0;
      for (int i = 0; i < nm; i++) dup |= members[i] == id;
      if (!dup) members[nm++] = id;
    }
    if (nm < 2) continue;
    if (lang->ngroups == lang->groups_cap) {
      int cap = lang->groups_cap ? lang->groups_cap * 2 : 64;
      int **a = realloc(lang->groups, (size_t)cap * sizeof *a);
      if (!a) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
      lang->groups = a;
      lang->groups_cap = cap;
    }
    int gid = lang->ngroups++;
    lang->groups[gid] = NULL;
    for (int i = 0; i < nm; i++) {
      if (add_to_list(&lang->groups[gid], members[i]) != 0) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
      int tid = members[i];
      if (tid >= lang->syn_cap) {
        int cap = lang->syn_cap ? lang->syn_cap : 64;
        while (cap <= tid) cap *= 2;
        int **a = realloc(lang->syn_groups, (size_t)cap * sizeof *a);
        if (!a) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
        memset(a + lang->syn_cap, 0, (size_t)(cap - lang->syn_cap) * sizeof *a);
        lang->syn_groups = a;
        lang->syn_cap = cap;
      }
      if (add_to_list(&lang->syn_groups[tid], gid) != 0) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
    }
  }
out:
  faq_analyzer_free(an);
  return rc;
}

int faq_lang_synonyms(const mg_lang *lang, const char *term, int len, mg_synonym_fn fn, void *ctx) {
  int id = faq_termmap_get(lang->syn, term, len), rc;
  if (id < 0 || id >= lang->syn_cap || !lang->syn_groups[id]) return 0;
  for (const int *g = lang->syn_groups[id]; *g != -1; g++)
    for (const int *m = lang->groups[*g]; *m != -1; m++) {
      int n;
      const char *k;
      if (*m == id) continue;
      k = faq_termmap_key(lang->syn, *m, &n);
      if ((rc = fn(ctx, k, n)) != 0) return rc;
    }
  return 0;
}

int faq_lang_is_stopword(const mg_lang *lang, const char *term, int len) {
  return faq_termmap_get(lang->stop, term, len) >= 0;
}

/* ---- the MeCab model ------------------------------------------------------ */

static int hash_file(uint64_t *h, const char *path) {
  char b[65536];
  size_t n;
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  while ((n = fread(b, 1, sizeof b, f)) > 0) *h = faq_fnv1a(*h, b, n);
  fclose(f);
  return 0;
}

static int argc_userdic(const mg_config *cfg) {
  struct stat st;
  return cfg->userdic[0] && stat(cfg->userdic, &st) == 0 && st.st_size > 0;
}

static int count_fields(const char *feature) {
  int n = 1;
  for (const char *p = feature; *p; p++) n += *p == ',';
  return n;
}

/* Parse a probe sentence and decide the feature layout from its nouns. */
static int detect_layout(mg_lang *lang, char *err) {
  mecab_t *t = mecab_model_new_tagger(lang->model);
  mecab_lattice_t *lat = mecab_model_new_lattice(lang->model);
  int rc = 0, maxf = 0;
  if (!t || !lat) { rc = mg_errf(err, MG_ECONFIG, "MeCab: cannot create a tagger"); goto out; }
  mecab_lattice_set_sentence(lat, "市役所で住民票を申請する");
  if (!mecab_parse_lattice(t, lat)) { rc = mg_errf(err, MG_ECONFIG, "MeCab: %s", mecab_lattice_strerror(lat)); goto out; }
  for (const mecab_node_t *n = mecab_lattice_get_bos_node(lat); n; n = n->next) {
    if (n->stat != MECAB_NOR_NODE) continue;
    int f = count_fields(n->feature);
    if (f > maxf) maxf = f;
  }
  if (maxf >= 9 && maxf <= 9) {
    lang->kind = DIC_IPADIC;
    lang->lemma_field = 6;
  } else if (maxf > 9) {
    lang->kind = DIC_UNIDIC;
    lang->lemma_field = 7;
  } else {
    rc = mg_errf(err, MG_ECONFIG, "MeCab dictionary: unknown feature layout (%d fields)", maxf);
  }
out:
  if (lat) mecab_lattice_destroy(lat);
  if (t) mecab_destroy(t);
  return rc;
}

int faq_lang_new(mg_lang **out, const mg_config *cfg, char *err) {
  mg_lang *lang = calloc(1, sizeof *lang);
  struct syn_raw raw = {0};
  uint64_t fp = MG_FNV_OFFSET;
  char dicrc[MG_PATHLEN + 16];
  struct stat st;
  int rc = 0;

  *out = NULL;
  if (!lang) return mg_errf(err, MG_ENOMEM, "out of memory");
  if (!(lang->stop = faq_termmap_new()) || !(lang->var = faq_termmap_new()) ||
      !(lang->var_first = faq_termmap_new()) || !(lang->syn = faq_termmap_new())) {
    rc = mg_errf(err, MG_ENOMEM, "out of memory");
    goto out;
  }
  snprintf(dicrc, sizeof dicrc, "%s/dicrc", cfg->mecab_dicdir);
  if (stat(dicrc, &st) != 0) {
    rc = mg_errf(err, MG_ECONFIG, "no MeCab dictionary in %s (mecab_dicdir): install mecab-ipadic-utf8", cfg->mecab_dicdir);
    goto out;
  }
  {
    const char *argv[6] = { "mecab", "-d", cfg->mecab_dicdir, NULL, NULL, NULL };
    int argc = 3;
    if (cfg->userdic[0]) {
      if (stat(cfg->userdic, &st) != 0) {
        rc = mg_errf(err, MG_EIO, "%s (userdic): %s", cfg->userdic, strerror(errno));
        goto out;
      }
      /* an empty file stands for "no user dictionary for this system
       * dictionary" (dict/build-userdic.sh) */
      if (st.st_size > 0) {
        argv[argc++] = "-u";
        argv[argc++] = cfg->userdic;
      }
    }
    if (!(lang->model = mecab_model_new(argc, (char **)argv))) {
      rc = mg_errf(err, MG_ECONFIG, "MeCab cannot load %s%s%s: %s", cfg->mecab_dicdir,
                   cfg->userdic[0] ? " with " : "", cfg->userdic, mecab_strerror(NULL));
      goto out;
    }
    if (argc > 3 && !(lang->model_sys = mecab_model_new(3, (char **)argv))) {
      rc = mg_errf(err, MG_ECONFIG, "MeCab cannot load %s: %s", cfg->mecab_dicdir, mecab_strerror(NULL));
      goto out;
    }
  }
  if ((rc = detect_layout(lang, err)) != 0) goto out;
  lang->fold_okuri = 1;
  lang->split_nbest = 2; /* alternatives tried: measured best on the benchmark (docs/accuracy.md) */

  /* fingerprint: analysis code, dictionary path and version, user dictionary, lists */
  fp = faq_fnv1a(fp, ANALYSIS_VERSION, strlen(ANALYSIS_VERSION));
  fp = faq_fnv1a(fp, cfg->mecab_dicdir, strlen(cfg->mecab_dicdir));
  for (const mecab_dictionary_info_t *d = mecab_model_dictionary_info(lang->model); d; d = d->next) {
    unsigned v[4] = { d->version, d->size, d->type, d->lsize };
    fp = faq_fnv1a(fp, v, sizeof v);
  }
  if (argc_userdic(cfg) && hash_file(&fp, cfg->userdic) != 0) {
    rc = mg_errf(err, MG_EIO, "%s: cannot read", cfg->userdic);
    goto out;
  }
  if ((rc = read_list(lang, cfg->dict_dir, "stopwords.txt", stop_line, &fp, err)) != 0) goto out;
  if ((rc = read_list(lang, cfg->dict_dir, "variants.tsv", var_line, &fp, err)) != 0) goto out;
  snprintf(lang->fingerprint, sizeof lang->fingerprint, "%016llx", (unsigned long long)fp);

  /* synonyms: query-time only, so not part of the fingerprint */
  {
    uint64_t ignore = 0;
    rc = read_list(&raw, cfg->dict_dir, "synonyms.tsv", syn_line_raw, &ignore, err);
    if (rc) goto out;
    if ((rc = build_synonyms(lang, &raw, err)) != 0) goto out;
  }
  *out = lang;
  lang = NULL;
out:
  for (int i = 0; i < raw.n; i++) free(raw.lines[i]);
  free(raw.lines);
  faq_lang_free(lang);
  return rc;
}

void faq_lang_free(mg_lang *lang) {
  if (!lang) return;
  if (lang->model) mecab_model_destroy(lang->model);
  if (lang->model_sys) mecab_model_destroy(lang->model_sys);
  faq_termmap_free(lang->stop);
  for (int i = 0; i < lang->var_cap; i++) free(lang->var_canon[i]);
  free(lang->var_canon);
  faq_termmap_free(lang->var);
  faq_termmap_free(lang->var_first);
  free(lang->var_lens);
  free(lang->var_first_max);
  for (int i = 0; i < lang->syn_cap; i++) free(lang->syn_groups[i]);
  free(lang->syn_groups);
  for (int i = 0; i < lang->ngroups; i++) free(lang->groups[i]);
  free(lang->groups);
  faq_termmap_free(lang->syn);
  free(lang);
}

const char *faq_lang_fingerprint(const mg_lang *lang) { return lang->fingerprint; }

int faq_lang_is_unidic(const mg_lang *lang) { return lang->kind == DIC_UNIDIC; }

/* ---- analyzer --------------------------------------------------------------- */

int faq_analyzer_new(mg_analyzer **out, mg_lang *lang, char *err) {
  mg_analyzer *an = calloc(1, sizeof *an);
  *out = NULL;
  if (!an) return mg_errf(err, MG_ENOMEM, "out of memory");
  an->lang = lang;
  an->tagger = mecab_model_new_tagger(lang->model);
  an->lattice = mecab_model_new_lattice(lang->model);
  if (lang->model_sys) {
    an->tagger_sys = mecab_model_new_tagger(lang->model_sys);
    an->lattice_sys = mecab_model_new_lattice(lang->model_sys);
  } else if (lang->split_nbest) {
    an->tagger_nb = mecab_model_new_tagger(lang->model);
    an->lattice_nb = mecab_model_new_lattice(lang->model);
  }
  if (!an->tagger || !an->lattice || (lang->model_sys && (!an->tagger_sys || !an->lattice_sys))) {
    faq_analyzer_free(an);
    return mg_errf(err, MG_ENOMEM, "MeCab: cannot create a tagger");
  }
  if (!(an->stem = sb_stemmer_new("english", NULL))) {
    faq_analyzer_free(an);
    return mg_errf(err, MG_ENOMEM, "libstemmer: no English stemmer");
  }
  *out = an;
  return 0;
}

void faq_analyzer_free(mg_analyzer *an) {
  if (!an) return;
  if (an->stem) sb_stemmer_delete(an->stem);
  if (an->lattice) mecab_lattice_destroy(an->lattice);
  if (an->lattice_sys) mecab_lattice_destroy(an->lattice_sys);
  if (an->tagger_sys) mecab_destroy(an->tagger_sys);
  if (an->lattice_nb) mecab_lattice_destroy(an->lattice_nb);
  if (an->tagger_nb) mecab_destroy(an->tagger_nb);
  if (an->tagger) mecab_destroy(an->tagger);
  free(an->norm);
  free(an->nstart);
  free(an->nend);
  free(an->text);
  free(an->tstart);
  free(an->tend);
  free(an->last);
  free(an->brk);
  free(an->brk_off);
  faq_termmap_free(an->parts);
  free(an->parts_first);
  free(an->parts_at);
  free(an->parts_text);
  free(an);
}

/* Rewrite text-level variants of the normalised text n into t. */
static int rewrite_variants(const mg_lang *lang, const struct buf *n, struct buf *t) {
  size_t i = 0;
  t->len = 0;
  while (i < n->len) {
    int cl = 1;
    while (i + (size_t)cl < n->len && ((unsigned char)n->s[i + cl] & 0xC0) == 0x80) cl++;
    int fid;
    if (lang->var_maxlen && (fid = faq_termmap_get(lang->var_first, n->s + i, cl)) >= 0) {
      /* longest match first, on code point boundaries; only the lengths
       * some variant starting with this code point has are looked up */
      int best = -1, blen = 0;
      uint64_t lens = lang->var_lens[fid];
      size_t lim = n->len - i < (size_t)lang->var_first_max[fid] ? n->len - i : (size_t)lang->var_first_max[fid];
      for (size_t l = lim; l > (size_t)cl; l--) {
        if (l < 64 && !(lens & (1ULL << l))) continue;
        if (i + l < n->len && ((unsigned char)n->s[i + l] & 0xC0) == 0x80) continue;
        int id = faq_termmap_get(lang->var, n->s + i, (int)l);
        if (id >= 0) { best = id; blen = (int)l; break; }
      }
      if (best >= 0) {
        const char *c = lang->var_canon[best];
        if (buf_put(t, c, strlen(c), n->st[i], n->en[i + blen - 1]) != 0) return MG_ENOMEM;
        i += (size_t)blen;
        continue;
      }
    }
    if (buf_reserve(t, (size_t)cl) != 0) return MG_ENOMEM;
    memcpy(t->s + t->len, n->s + i, (size_t)cl);
    memcpy(t->st + t->len, n->st + i, (size_t)cl * sizeof(int));
    memcpy(t->en + t->len, n->en + i, (size_t)cl * sizeof(int));
    t->len += (size_t)cl;
    i += (size_t)cl;
  }
  if (buf_reserve(t, 1) != 0) return MG_ENOMEM;
  t->s[t->len] = '\0';
  return 0;
}

/* Field k of a comma-separated feature string: pointer and length. */
static const char *feature_field(const char *f, int k, int *len) {
  for (int i = 0; i < k; i++) {
    f = strchr(f, ',');
    if (!f) { *len = 0; return NULL; }
    f++;
  }
  const char *e = strchr(f, ',');
  *len = e ? (int)(e - f) : (int)strlen(f);
  return f;
}

/* 1 when f begins with prefix. A loop the compiler inlines: called a dozen
 * times per morpheme on feature strings, strncmp + strlen showed in profiles. */
static inline int starts(const char *f, const char *prefix) {
  while (*prefix)
    if (*f++ != *prefix++) return 0;
  return 1;
}

/* Part-of-speech filter: 0 = drop, else MG_TOK_NOUN or MG_TOK_VERB. */
static int pos_class(const mg_lang *lang, const mecab_node_t *n) {
  const char *f = n->feature;
  if (n->stat == MECAB_UNK_NODE) {
    /* unknown words: keep them as nouns unless they are numbers or symbols */
    return starts(f, "記号") || starts(f, "補助記号") || starts(f, "空白") || starts(f, "名詞,数") ? 0 : MG_TOK_NOUN;
  }
  if (lang->kind == DIC_IPADIC) {
    if (starts(f, "名詞,")) {
      if (starts(f, "名詞,非自立") || starts(f, "名詞,代名詞") || starts(f, "名詞,数") ||
          starts(f, "名詞,特殊") || starts(f, "名詞,接尾,助数詞") || starts(f, "名詞,接尾,人名") ||
          starts(f, "名詞,接尾,特殊") || starts(f, "名詞,接尾,助動詞語幹") || starts(f, "名詞,接尾,副詞可能"))
        return 0;
      return starts(f, "名詞,固有名詞,地域") ? MG_TOK_NOUN | MG_TOK_PLACE : MG_TOK_NOUN;
    }
    if (starts(f, "動詞,自立") || starts(f, "形容詞,自立")) return MG_TOK_VERB;
    return 0;
  }
  /* UniDic */
  if (starts(f, "名詞,")) {
    if (starts(f, "名詞,数詞") || starts(f, "名詞,助動詞語幹")) return 0;
    return starts(f, "名詞,固有名詞,地名") ? MG_TOK_NOUN | MG_TOK_PLACE : MG_TOK_NOUN;
  }
  if (starts(f, "形状詞,一般") || starts(f, "接尾辞,名詞的,一般") || starts(f, "接尾辞,名詞的,サ変可能"))
    return MG_TOK_NOUN;
  if (starts(f, "動詞,一般") || starts(f, "形容詞,一般")) return MG_TOK_VERB;
  return 0;
}

/* The surface of node n is s (UTF-8). */
static int surface_is(const mecab_node_t *n, const char *s) {
  return n && n->length == strlen(s) && memcmp(n->surface, s, n->length) == 0;
}

/* A place named as where someone comes from or who someone is, not as where
 * the question's matter lies: 新居浜から越してきた (moving in is Saijo's
 * matter), 東京の兄が…寄付したい, 実家の岡山で子どもが熱を出した. Such a
 * place does not make the question another town's (the engine's
 * place_pen is for 新居浜の図書館は何時まで). */
static int place_is_context(const mecab_node_t *n) {
  static const char *const people[] = { "兄", "姉", "弟", "妹", "友達", "友人", "息子", "娘", "親", "両親", "父",
                                         "母", "祖父", "祖母", "孫", "親戚", "知り合い", "彼氏", "彼女", "主人", "夫",
                                         "妻", "嫁", "おじ", "おば", "叔父", "叔母", "伯父", "伯母", "甥", "姪", "家族",
                                         "実家", "人" };
  const mecab_node_t *a = n->next, *b = a ? a->next : NULL, *p = n->prev, *pp = p ? p->prev : NULL;
  if (surface_is(a, "から")) return 1;
  if (surface_is(a, "の") && b)
    for (size_t i = 0; i < sizeof people / sizeof people[0]; i++)
      if (surface_is(b, people[i])) return 1;
  /* 実家の岡山, 帰省先の広島 */
  return surface_is(p, "の") && (surface_is(pp, "実家") || surface_is(pp, "帰省先") || surface_is(pp, "里帰り先"));
}

/* The code point at byte i, or -1 (a byte that is not UTF-8, or a
 * character outside the BMP: neither kanji nor kana here). */
static int cp_at(const char *s, int n, int i, int *len) {
  uint32_t cp;
  int k = mg_utf8_decode(s + i, (size_t)(n - i), &cp);
  *len = k ? k : 1;
  return k && cp <= 0xFFFF ? (int)cp : -1;
}

static int is_kanji(int c) { return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || c == 0x3005; }
static int is_hira(int c) { return c >= 0x3041 && c <= 0x3096; }

/* Okurigana folding: hiragana of at most two characters between kanji
 * are dropped (空き家 → 空家, 申し込み → 申込, 取り扱う → 取扱う, 引っ越し →
 * 引越し → 引越), a noun's trailing ones too, so the many official and
 * everyday spellings of one compound meet. Words that would keep fewer
 * than two kanji are left alone (子ども). In place; returns the new length. */
static int fold_okurigana(char *buf, int len, int is_noun) {
  char out[1024];
  int o = 0, kanji = 0, i = 0, changed = 0, prev_kanji = 0;
  if (len >= (int)sizeof out) return len;
  while (i < len) {
    int l, c = cp_at(buf, len, i, &l);
    if (is_hira(c) && prev_kanji) {
      /* a run of hiragana after a kanji: drop it when short and followed
       * by a kanji (or, in a noun, by the end of the word) */
      int j = i, run = 0, l2;
      while (j < len && is_hira(cp_at(buf, len, j, &l2))) { j += l2; run++; }
      int kanji_next = j < len && is_kanji(cp_at(buf, len, j, &l2));
      int drop = run <= 2 && (kanji_next || (is_noun && j == len));
      if (!drop) {
        memcpy(out + o, buf + i, (size_t)(j - i));
        o += j - i;
      }
      changed |= drop;
      prev_kanji = 0;
      i = j;
      continue;
    }
    prev_kanji = is_kanji(c);
    kanji += prev_kanji;
    memcpy(out + o, buf + i, (size_t)l);
    o += l;
    i += l;
  }
  if (!changed || kanji < 2) return len;
  memcpy(buf, out, (size_t)o);
  buf[o] = '\0';
  return o;
}

/* The index term of a morpheme into buf: its lemma ('*' → surface),
 * variant-folded; 0 when it is a stopword or noise. */
static int node_term(const mg_lang *lang, const mecab_node_t *n, char *buf, size_t cap) {
  int ll;
  const char *lemma = feature_field(n->feature, lang->lemma_field, &ll);
  if (!lemma || ll == 0 || (ll == 1 && lemma[0] == '*')) {
    lemma = n->surface;
    ll = n->length;
  } else if (lang->kind == DIC_UNIDIC) {
    /* UniDic lemmas of loanwords carry "-origin" (カード-card) */
    const char *dash = memchr(lemma, '-', (size_t)ll);
    if (dash && dash > lemma) ll = (int)(dash - lemma);
  }
  if (ll >= (int)cap) return 0;
  memcpy(buf, lemma, (size_t)ll);
  buf[ll] = '\0';
  {
    int id = faq_termmap_get(lang->var, buf, ll);
    if (id >= 0) {
      const char *c = lang->var_canon[id];
      ll = (int)strlen(c);
      if (ll >= (int)cap) return 0;
      memcpy(buf, c, (size_t)ll + 1);
    }
  }
  if (faq_termmap_get(lang->stop, buf, ll) >= 0) return 0;
  if (lang->fold_okuri) {
    int cls = pos_class(lang, n);
    ll = fold_okurigana(buf, ll, (cls & MG_TOK_NOUN) != 0);
  }
  /* single ASCII punctuation-like leftovers are noise */
  if (ll == 1 && !((buf[0] >= '0' && buf[0] <= '9') || (buf[0] >= 'a' && buf[0] <= 'z'))) return 0;
  return ll;
}

/* A noun of three or more characters that the user dictionary made one
 * word (住民票, 市県民税) also yields the parts the system dictionary sees
 * (住民 + 票, 市 + 県民 + 税) as colocated terms, so a question that uses
 * only a part still meets it. A noun the system dictionary itself keeps
 * whole (粗大ごみ, 市役所) is split by MeCab's next-best parses of the word
 * alone, when one of those is all nouns. */
/* The parts of word n (as emit_parts describes them), each as fn receives
 * it. Returns 0, or 1 when MeCab cannot parse the word alone. */
static int word_parts(mg_analyzer *an, const mecab_node_t *n, int (*fn)(void *, const char *, int), void *ctx) {
  int nparts = 0, rc, tries = 0;
  mecab_t *tg = an->tagger_sys ? an->tagger_sys : an->tagger_nb;
  mecab_lattice_t *lat = an->tagger_sys ? an->lattice_sys : an->lattice_nb;
  mecab_lattice_set_request_type(lat, MECAB_NBEST);
  mecab_lattice_set_sentence2(lat, n->surface, n->length);
  if (!mecab_parse_lattice(tg, lat)) return 1;
  /* the best parse of the word alone; when that is still one word, the
   * next best segmentation (粗大ごみ → 粗大 + ごみ) if it is all nouns */
  for (;;) {
    int nouns = 1;
    nparts = 0;
    for (const mecab_node_t *m = mecab_lattice_get_bos_node(lat); m; m = m->next) {
      if (m->stat == MECAB_BOS_NODE || m->stat == MECAB_EOS_NODE || m->length == 0) continue;
      nparts++;
      if (!(pos_class(an->lang, m) & MG_TOK_NOUN)) nouns = 0;
    }
    if (nparts >= 2 && (tries == 0 || nouns)) break;
    if (!an->lang->split_nbest || ++tries > an->lang->split_nbest || !mecab_lattice_next(lat)) return 0;
  }
  for (const mecab_node_t *m = mecab_lattice_get_bos_node(lat); m; m = m->next) {
    int pl;
    if (m->stat == MECAB_BOS_NODE || m->stat == MECAB_EOS_NODE || m->length == 0) continue;
    if (!(pos_class(an->lang, m) & MG_TOK_NOUN)) continue;
    if ((pl = node_term(an->lang, m, an->part, sizeof an->part)) <= 0) continue;
    if ((rc = fn(ctx, an->part, pl)) != 0) return rc;
  }
  return 0;
}

/* Append one part to the cache (word_parts' fn). MG_ENOMEM when full. */
static int keep_part(void *vctx, const char *part, int len) {
  mg_analyzer *an = vctx;
  if (an->nparts_at == an->parts_at_cap) {
    int cap = an->parts_at_cap ? an->parts_at_cap * 2 : 1024;
    void *a = realloc(an->parts_at, (size_t)cap * sizeof an->parts_at[0]);
    if (!a) return MG_ENOMEM;
    an->parts_at = a, an->parts_at_cap = cap;
  }
  if (an->parts_text_len + len > an->parts_text_cap) {
    int cap = an->parts_text_cap ? an->parts_text_cap * 2 : 16384;
    while (cap < an->parts_text_len + len) cap *= 2;
    char *t = realloc(an->parts_text, (size_t)cap);
    if (!t) return MG_ENOMEM;
    an->parts_text = t, an->parts_text_cap = cap;
  }
  memcpy(an->parts_text + an->parts_text_len, part, (size_t)len);
  an->parts_at[an->nparts_at].off = an->parts_text_len;
  an->parts_at[an->nparts_at++].len = len;
  an->parts_text_len += len;
  return 0;
}

/* The cache id of word n's parts, analysing the word on a miss; -1 when
 * they cannot be cached (out of memory, or MeCab failed on the word). */
static int cached_parts(mg_analyzer *an, const mecab_node_t *n) {
  int id, at = an->nparts_at, tl = an->parts_text_len;
  if (an->parts && (id = faq_termmap_get(an->parts, n->surface, (int)n->length)) >= 0) return id;
  if (an->parts && faq_termmap_count(an->parts) >= PARTS_MAX) {
    faq_termmap_free(an->parts);
    an->parts = NULL;
  }
  if (!an->parts) {
    if (!(an->parts = faq_termmap_new())) return -1;
    an->nparts_at = an->parts_text_len = 0;
    at = tl = 0;
  }
  if (word_parts(an, n, keep_part, an) != 0) goto undo;
  id = faq_termmap_count(an->parts);
  if (id + 2 > an->parts_first_cap) {
    int cap = an->parts_first_cap ? an->parts_first_cap * 2 : 1024;
    int *f = realloc(an->parts_first, (size_t)cap * sizeof *f);
    if (!f) goto undo;
    an->parts_first = f, an->parts_first_cap = cap;
  }
  if (faq_termmap_put(an->parts, n->surface, (int)n->length) != id) goto undo;
  an->parts_first[id] = at;
  an->parts_first[id + 1] = an->nparts_at;
  return id;
undo:
  an->nparts_at = at, an->parts_text_len = tl;
  return -1;
}

struct part_fwd { mg_token_fn fn; void *ctx; int start, end; };

static int forward_part(void *vctx, const char *part, int len) {
  struct part_fwd *x = vctx;
  return x->fn(x->ctx, part, len, x->start, x->end, MG_TOK_NOUN | MG_TOK_SYNONYM | MG_TOK_PART);
}

/* A noun of three or more characters that the user dictionary made one
 * word (住民票, 市県民税) also yields the parts the system dictionary sees
 * (住民 + 票, 市 + 県民 + 税) as colocated terms, so a question that uses
 * only a part still meets it. A noun the system dictionary itself keeps
 * whole (粗大ごみ, 市役所) is split by MeCab's next-best parses of the word
 * alone, when one of those is all nouns. The parts of a word are worked
 * out once per analyzer (cached_parts). */
static int emit_parts(mg_analyzer *an, const mecab_node_t *n, int start, int end, mg_token_fn fn, void *ctx) {
  mecab_t *tg = an->tagger_sys ? an->tagger_sys : an->tagger_nb;
  int id, rc;
  if (!tg || utf8_chars(n->surface, n->length) < 3) return 0;
  if ((id = cached_parts(an, n)) < 0) { /* not cached: straight from MeCab */
    struct part_fwd x = { fn, ctx, start, end };
    rc = word_parts(an, n, forward_part, &x);
    return rc == 1 ? 0 : rc;
  }
  for (int i = an->parts_first[id]; i < an->parts_first[id + 1]; i++) {
    int pl = an->parts_at[i].len;
    if (pl >= (int)sizeof an->part) continue;
    memcpy(an->part, an->parts_text + an->parts_at[i].off, (size_t)pl);
    an->part[pl] = '\0';
    if ((rc = fn(ctx, an->part, pl, start, end, MG_TOK_NOUN | MG_TOK_SYNONYM | MG_TOK_PART)) != 0) return rc;
  }
  return 0;
}

/* A space between two non-ASCII characters in a message with kanji (部活 もういなくなりたい):
 * residents type it where a sentence or clause ends, but MeCab skips
 * spaces and parses across it (部活 + も + うい …, ない + 生き(noun) +
 * とっても). For the understanding layer it is written as 。 in the copy
 * MeCab reads, so each side is parsed as a clause of its own; brk_off maps
 * that copy back to the text. Returns 1 when such a space was found. */
static int clause_space(const char *s, int len, int i) {
  /* after a case or binding particle the space is inside the clause,
   * between its phrases (一緒に いってしまう, 人に あげた): parsed apart, the
   * next phrase would start a sentence and read otherwise (いって → 言う).
   * を is always a particle; the others only after a kanji or katakana, since
   * after kana they may end a word (子ども 連れ去られた: joined, MeCab reads
   * 子ども連れ, "with children") */
  static const char particles[][4] = { "を", "に", "が", "は", "へ", "で", "も" };
  if (!(i > 0 && i + 1 < len && s[i] == ' ' && (unsigned char)s[i - 1] >= 0x80 && (unsigned char)s[i + 1] >= 0x80))
    return 0;
  if (i >= 3 && memcmp(s + i - 3, particles[0], 3) == 0) return 0;
  uint32_t cp = 0;
  if (i >= 6 && !(mg_utf8_decode(s + i - 6, 3, &cp) == 3 && is_hira((int)cp)))
    for (size_t k = 1; k < sizeof particles / sizeof particles[0]; k++)
      if (memcmp(s + i - 3, particles[k], 3) == 0) return 0;
  return 1;
}

static int break_clauses(mg_analyzer *an, const char *text, int tlen, const struct buf *tb) {
  static const char stop[] = "。";
  int n = 0, o = 0, len = (int)tb->len;
  /* a message the resident wrote in kana alone is matched with its spaces
   * taken out (bot/understand.c): its spaces stay as they are, even where
   * variant rewriting gave it kanji (じゅうみんひょう → 住民票) */
  if (!mg_utf8_has_kanji(text, (size_t)tlen)) return 0;
  for (int i = 1; i + 1 < len; i++) n += clause_space(tb->s, len, i);
  if (n == 0) return 0;
  if ((size_t)len + 2 * (size_t)n + 1 > an->brk_cap) {
    size_t cap = (size_t)len + 2 * (size_t)n + 64;
    char *b = realloc(an->brk, cap);
    if (!b) return 0;
    an->brk = b;
    int *bo = realloc(an->brk_off, cap * sizeof *bo);
    if (!bo) return 0;
    an->brk_off = bo, an->brk_cap = cap;
  }
  for (int i = 0; i < len; i++) {
    if (clause_space(tb->s, len, i)) {
      for (int k = 0; k < 3; k++) an->brk[o] = stop[k], an->brk_off[o++] = i;
      continue;
    }
    an->brk[o] = tb->s[i], an->brk_off[o++] = i;
  }
  an->brk[o] = '\0';
  mecab_lattice_set_sentence2(an->lattice, an->brk, (size_t)o);
  return 1;
}

/* Normalise text, rewrite variants and let MeCab parse the result into
 * an->lattice; *tb describes the parsed text (offsets map to the input).
 * With breaks, spaces between clauses are parsed as 。 (break_clauses;
 * an->brk_on then says the lattice points into an->brk).
 * Returns 0, 1 when nothing is left to parse, or MG_E*. */
static int parse(mg_analyzer *an, const char *text, int len, struct buf *tb, int breaks) {
  struct buf nb = { an->norm, an->nstart, an->nend, 0, an->ncap };
  int rc;

  *tb = (struct buf){ an->text, an->tstart, an->tend, 0, an->tcap };
  if (len < 0) len = (int)strlen(text);
  /* a parse asked with breaks that found none is the plain parse too: the
   * engine's analysis after the understanding layer's reuses it */
  if (an->last_ok && (an->last_breaks == breaks || (an->last_breaks && !an->brk_on)) && len == an->last_len &&
      memcmp(text, an->last, (size_t)len) == 0) {
    tb->len = an->tlen;
    return tb->len == 0 ? 1 : 0;
  }
  an->last_ok = 0;
  an->brk_on = 0;
  rc = normalize_into(&nb, text, len);
  an->norm = nb.s, an->nstart = nb.st, an->nend = nb.en, an->ncap = nb.cap;
  if (rc) return rc;
  rc = rewrite_variants(an->lang, &nb, tb);
  an->text = tb->s, an->tstart = tb->st, an->tend = tb->en, an->tcap = tb->cap, an->tlen = tb->len;
  if (rc) return rc;
  if (tb->len == 0) return 1;
  if (!(breaks && (an->brk_on = break_clauses(an, text, len, tb))))
    mecab_lattice_set_sentence2(an->lattice, tb->s, tb->len);
  if (!mecab_parse_lattice(an->tagger, an->lattice)) return MG_EINVAL;
  if (len + 1 > an->last_cap) {
    char *nl = realloc(an->last, (size_t)len + 64);
    if (!nl) return 0; /* no cache this time: still a good parse */
    an->last = nl, an->last_cap = len + 64;
  }
  memcpy(an->last, text, (size_t)len);
  an->last_len = len;
  an->last_ok = 1;
  an->last_breaks = breaks;
  return 0;
}

static int is_numeral(const mg_lang *lang, const mecab_node_t *n) {
  return n->stat != MECAB_BOS_NODE && n->stat != MECAB_EOS_NODE && n->length > 0 &&
         starts(n->feature, lang->kind == DIC_IPADIC ? "名詞,数" : "名詞,数詞");
}

/* A number and the counter that follows it, written together, are one
 * term (75歳, 20歳, 二重, 3人): the filter drops numbers and counters
 * alone, yet an age or "double" is what some questions turn on. A
 * question word in the number's place (何歳, 幾つ) asks, it names no
 * value: dropped as before. Returns the counter's node, or NULL (then n
 * is dropped as before). */
static const mecab_node_t *number_term(const mg_lang *lang, const mecab_node_t *n, char *buf, size_t cap, int *len) {
  const mecab_node_t *m = n;
  size_t o = 0;
  if (!strncmp(n->surface, "何", strlen("何")) || !strncmp(n->surface, "幾", strlen("幾"))) return NULL;
  for (;;) {
    if (o + m->length >= cap) return NULL;
    memcpy(buf + o, m->surface, m->length);
    o += m->length;
    const mecab_node_t *next = m->next;
    if (!next || next->surface != m->surface + m->length) return NULL; /* a space between */
    m = next;
    if (!is_numeral(lang, m)) break;
  }
  if (m->stat == MECAB_EOS_NODE || m->length == 0 ||
      !starts(m->feature, lang->kind == DIC_IPADIC ? "名詞,接尾,助数詞" : "接尾辞,名詞的,助数詞") ||
      o + m->length >= cap)
    return NULL;
  memcpy(buf + o, m->surface, m->length);
  o += m->length;
  buf[o] = '\0';
  *len = (int)o;
  return m;
}

int faq_analyze(mg_analyzer *an, const char *text, int len, mg_token_fn fn, void *ctx) {
  const mg_lang *lang = an->lang;
  struct buf tb;
  int rc = parse(an, text, len, &tb, 0);
  if (rc != 0) return rc == 1 ? 0 : rc;
  for (const mecab_node_t *n = mecab_lattice_get_bos_node(an->lattice); n; n = n->next) {
    int cls, ll, off, start, end;
    if (n->stat == MECAB_BOS_NODE || n->stat == MECAB_EOS_NODE || n->length == 0) continue;
    if (is_numeral(lang, n)) { /* docs/accuracy.md row 52 */
      const mecab_node_t *c = number_term(lang, n, an->term, sizeof an->term, &ll);
      if (!c) continue;
      off = (int)(n->surface - tb.s);
      start = tb.st[off];
      end = tb.en[(int)(c->surface - tb.s) + c->length - 1];
      if ((rc = fn(ctx, an->term, ll, start, end, MG_TOK_NOUN)) != 0) return rc;
      n = c;
      continue;
    }
    if (!(cls = pos_class(lang, n))) continue;
    if ((cls & MG_TOK_PLACE) && place_is_context(n)) cls &= ~MG_TOK_PLACE;
    if ((ll = node_term(lang, n, an->term, sizeof an->term)) <= 0) continue;
    off = (int)(n->surface - tb.s);
    start = tb.st[off];
    end = tb.en[off + n->length - 1];
    if ((rc = fn(ctx, an->term, ll, start, end, cls)) != 0) return rc;
    if ((cls & MG_TOK_NOUN) && (rc = emit_parts(an, n, start, end, fn, ctx)) != 0) return rc;
    /* the reading of a noun, when it differs from the term: IPADIC's 読み
     * (field 7, of the surface — a noun's surface is its lemma), UniDic's
     * lemma reading (field 6) */
    if ((cls & MG_TOK_NOUN) && n->stat != MECAB_UNK_NODE) {
      int rl;
      const char *rd = feature_field(n->feature, lang->kind == DIC_IPADIC ? 7 : 6, &rl);
      if (rd && rl > 0 && !(rl == 1 && rd[0] == '*') && (rl != ll || memcmp(rd, an->term, (size_t)rl) != 0) &&
          rl < (int)sizeof an->term && faq_termmap_get(lang->stop, rd, rl) < 0) {
        memcpy(an->term, rd, (size_t)rl);
        an->term[rl] = '\0';
        if ((rc = fn(ctx, an->term, rl, start, end, MG_TOK_NOUN | MG_TOK_SYNONYM | MG_TOK_READING)) != 0) return rc;
      }
    }
  }
  return 0;
}

/* Three or more lower-case ASCII letters (the text is case-folded). */
static int ascii_word(const char *s, int n) {
  if (n < 3) return 0;
  for (int i = 0; i < n; i++)
    if (s[i] < 'a' || s[i] > 'z') return 0;
  return 1;
}

/* Coarse part of speech from the feature string's first field. */
static enum mg_pos coarse_pos(const char *f) {
  static const struct { const char *prefix; enum mg_pos pos; } map[] = {
    { "名詞,", MG_POS_NOUN }, { "代名詞,", MG_POS_NOUN }, { "形状詞,", MG_POS_NOUN },
    { "動詞,", MG_POS_VERB }, { "形容詞,", MG_POS_ADJ }, { "副詞,", MG_POS_ADV },
    { "助詞,", MG_POS_PARTICLE }, { "助動詞,", MG_POS_AUX }, { "記号,", MG_POS_SYMBOL },
    { "補助記号,", MG_POS_SYMBOL }, { "空白,", MG_POS_SYMBOL },
  };
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (starts(f, map[i].prefix)) return map[i].pos;
  return MG_POS_OTHER;
}

int faq_analyze_morphs(mg_analyzer *an, const char *text, int len, mg_morph_fn fn, void *ctx) {
  const mg_lang *lang = an->lang;
  struct buf tb;
  int rc = parse(an, text, len, &tb, 1);
  if (rc != 0) return rc == 1 ? 0 : rc;
  for (const mecab_node_t *n = mecab_lattice_get_bos_node(an->lattice); n; n = n->next) {
    mg_morph m = {0};
    if (n->stat == MECAB_BOS_NODE || n->stat == MECAB_EOS_NODE || n->length == 0) continue;
    m.surface = n->surface;
    m.surface_len = n->length;
    if (an->brk_on) {
      /* MeCab may join the 。 written for a space to a symbol next to it
       * (…。 is one unknown word): the morpheme is the text's bytes it
       * covers, without that space, and none when only the space is left */
      int a = (int)(n->surface - an->brk), z = a + (int)n->length;
      while (a < z && tb.s[an->brk_off[a]] == ' ') a++;
      while (z > a && tb.s[an->brk_off[z - 1]] == ' ') z--;
      if (a == z) continue;
      m.off = an->brk_off[a];
      m.surface = tb.s + m.off;
      m.surface_len = an->brk_off[z - 1] + 1 - m.off;
    } else {
      m.off = (int)(n->surface - tb.s);
    }
    m.pos = coarse_pos(n->feature);
    m.content = pos_class(lang, n) & (MG_TOK_NOUN | MG_TOK_VERB);
    m.unknown = n->stat == MECAB_UNK_NODE;
    m.suffix = starts(n->feature, "名詞,接尾") || starts(n->feature, "接尾辞,名詞的") ||
               starts(n->feature, "形容詞,接尾") || starts(n->feature, "接尾辞,形容詞的") ||
               starts(n->feature, "接尾辞,形状詞的");
    m.pronoun = starts(n->feature, "名詞,代名詞") || starts(n->feature, "代名詞,");
    m.prefix = starts(n->feature, "接頭詞,") || starts(n->feature, "接頭辞,");
    m.cform = feature_field(n->feature, 5, &m.cform_len);
    if (!m.cform || (m.cform_len == 1 && m.cform[0] == '*')) m.cform_len = 0;
    m.lemma = feature_field(n->feature, lang->lemma_field, &m.lemma_len);
    if (!m.lemma || m.lemma_len == 0 || (m.lemma_len == 1 && m.lemma[0] == '*')) {
      m.lemma = n->surface;
      m.lemma_len = n->length;
    } else if (lang->kind == DIC_UNIDIC) {
      const char *dash = memchr(m.lemma, '-', (size_t)m.lemma_len);
      if (dash && dash > m.lemma) m.lemma_len = (int)(dash - m.lemma);
    }
    /* an English word's lemma is its Snowball stem (ending, ended → end),
     * for message and concept term alike */
    if (ascii_word(n->surface, n->length)) {
      const sb_symbol *st = sb_stemmer_stem(an->stem, (const sb_symbol *)n->surface, n->length);
      if (st) m.lemma = (const char *)st, m.lemma_len = sb_stemmer_length(an->stem);
    }
    if (!m.unknown) {
      m.reading = feature_field(n->feature, lang->kind == DIC_IPADIC ? 7 : 9, &m.reading_len);
      if (!m.reading || (m.reading_len == 1 && m.reading[0] == '*')) m.reading_len = 0;
    }
    if ((rc = fn(ctx, &m)) != 0) return rc;
  }
  return 0;
}

const char *faq_analyzer_text(const mg_analyzer *an, int *len) {
  if (len) *len = an->text ? (int)an->tlen : 0;
  return an->text ? an->text : "";
}
