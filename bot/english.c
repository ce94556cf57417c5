/*
 * english.c — the bilingual table and its matcher (see english.h).
 *
 * Keys are stored as folded words joined by single spaces ("large item"),
 * so the question is folded the same way and its word windows are looked up
 * in one hash map, longest window first. Curated pairs win over EDICT's:
 * a key found in english.tsv is not taken again from english-edict.tsv.
 */
#include "bot/english.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mg_err.h"
#include "faq/termmap.h"
#include "dict/tsv.h"
#include "util/mg_romaji.h"

#define MAX_WORDS 64
#define MAX_PHRASE 4
#define WORD_MAX 32
#define ROMAJI_MIN_LETTERS 5   /* shorter words are too often English (name, take) */
#define ROMAJI_MIN_SYLLABLES 3
#define ROMAJI_RUN_MIN_LETTERS 3 /* a word of a romaji compound spelled whole (jiko shomeisho) */

struct bot_english {
  mg_termmap *keys;  /* folded phrase → id */
  char **ja;         /* per id: the Japanese terms, space-separated */
  int cap;
  int curated;       /* ids below this come from english.tsv, the rest from EDICT */
  char *stop;        /* " w1 w2 ": english.tsv's words that name no topic (word<TAB>-: the city's name) */
};

/* Words that carry no topic on their own: English's, and e's from the data
 * (the city's romanised name is the city's, not C's). */
static int stopword(const bot_english *e, const char *w) {
  static const char *const stop[] = { "i", "my", "me", "we", "our", "you", "your", "a", "an", "the", "to", "of", "in",
                                      "on", "at", "for", "and", "or", "is", "are", "was", "be", "do", "does", "did",
                                      "can", "could", "how", "what", "where", "when", "which", "who", "why", "it", "this",
                                      "that", "there", "have", "has", "get", "want", "need", "please", "with", "about",
                                      "from", "should", "would", "will", "any", "some", "if", "so", "just", "not",
                                      "know", "tell", "like", "city", "hi", "hello", "japan", "japanese" };
  for (size_t i = 0; i < sizeof stop / sizeof stop[0]; i++)
    if (strcmp(w, stop[i]) == 0) return 1;
  if (e && e->stop && *w) {
    char pad[WORD_MAX + 2];
    snprintf(pad, sizeof pad, " %s ", w);
    return strstr(e->stop, pad) != NULL;
  }
  return 0;
}

/* Lower-case and fold common endings: batteries → battery, boxes → box,
 * moving → mov, moved → mov. Crude, but the same on both sides. */
static void fold(char *w) {
  size_t n = strlen(w);
  for (size_t i = 0; i < n; i++) w[i] = (char)tolower((unsigned char)w[i]);
  if (n > 4 && strcmp(w + n - 3, "ies") == 0) { strcpy(w + n - 3, "y"); return; }
  if (n > 5 && strcmp(w + n - 3, "ing") == 0) { w[n - 3] = '\0'; return; }
  if (n > 4 && strcmp(w + n - 2, "ed") == 0) { w[n - 2] = '\0'; return; }
  if (n > 4 && (strcmp(w + n - 4, "ches") == 0 || strcmp(w + n - 4, "shes") == 0 || strcmp(w + n - 3, "xes") == 0)) {
    w[n - 2] = '\0';
    return;
  }
  if (n > 3 && w[n - 1] == 's' && w[n - 2] != 's' && w[n - 2] != '\'') { w[n - 1] = '\0'; return; }
  if (n > 3 && strcmp(w + n - 2, "'s") == 0) w[n - 2] = '\0';
}

/* Split text into folded words (letters, digits, ' and -). */
static int words(const char *text, int len, char out[][WORD_MAX], int max) {
  int n = 0, i = 0;
  while (i < len && n < max) {
    while (i < len && !(isalnum((unsigned char)text[i]) || text[i] == '-')) i++;
    int st = i;
    while (i < len && (isalnum((unsigned char)text[i]) || text[i] == '\'' || text[i] == '-')) i++;
    if (i > st && i - st < WORD_MAX) {
      memcpy(out[n], text + st, (size_t)(i - st));
      out[n][i - st] = '\0';
      fold(out[n]);
      n++;
    }
  }
  return n;
}

static int join(char w[][WORD_MAX], int from, int n, char *buf, size_t cap) {
  size_t o = 0;
  for (int i = from; i < from + n; i++) {
    size_t l = strlen(w[i]);
    if (o + l + 2 > cap) return -1;
    if (i > from) buf[o++] = ' ';
    memcpy(buf + o, w[i], l);
    o += l;
  }
  buf[o] = '\0';
  return (int)o;
}

/* Add the entries of one dict/ table (dict/tsv.h) to e; keys the curated
 * table already has (ids below curated_max) stay its own. */
static int load_file(bot_english *e, const char *path, int required, int curated_max, char *err) {
  dict_table *t = NULL;
  int rc = dict_table_load(&t, path, DICT_OPTIONAL, err);
  if (rc) return rc;
  if (t->missing) { rc = required ? mg_errf(err, MG_EIO, "%s: cannot open", path) : 0; goto out; }
  for (int i = 0; i < t->n; i++) {
    const dict_row *r = &t->rows[i];
    char w[MAX_PHRASE + 1][WORD_MAX], key[256];
    int nw, kl, id;
    if (r->nf < 2 || !r->f[1][0]) { rc = mg_errf(err, MG_ECONFIG, "%s:%d: expected english<TAB>日本語", path, r->line); goto out; }
    nw = words(r->f[0], (int)strlen(r->f[0]), w, MAX_PHRASE + 1);
    if (strcmp(r->f[1], "-") == 0) { /* a word that names no topic: the city's name */
      size_t old = e->stop ? strlen(e->stop) : 1;
      char *ns;
      if (nw != 1) continue;
      if (!(ns = realloc(e->stop, old + strlen(w[0]) + 2))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
      if (!e->stop) strcpy(ns, " ");
      e->stop = ns;
      strcat(strcat(e->stop, w[0]), " ");
      continue;
    }
    if (nw == 0 || nw > MAX_PHRASE) continue; /* nothing to match, or longer than any window */
    if ((kl = join(w, 0, nw, key, sizeof key)) <= 0) continue;
    if (nw == 1 && stopword(e, key)) continue;
    id = faq_termmap_get(e->keys, key, kl);
    if (id >= 0 && id < curated_max) continue; /* the curated table wins */
    if (id < 0 && (id = faq_termmap_put(e->keys, key, kl)) < 0) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
    if (id >= e->cap) {
      int ncap = e->cap ? e->cap * 2 : 256;
      while (ncap <= id) ncap *= 2;
      char **nj = realloc(e->ja, (size_t)ncap * sizeof *nj);
      if (!nj) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
      memset(nj + e->cap, 0, (size_t)(ncap - e->cap) * sizeof *nj);
      e->ja = nj, e->cap = ncap;
    }
    {
      const char *add = r->text + strlen(r->f[0]) + 1; /* the Japanese, TABs and all */
      size_t old = e->ja[id] ? strlen(e->ja[id]) : 0;
      if (e->ja[id] && strstr(e->ja[id], add)) continue;
      char *nj = realloc(e->ja[id], old + strlen(add) + 2);
      if (!nj) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
      if (old) nj[old++] = ' ';
      strcpy(nj + old, add);
      e->ja[id] = nj;
    }
  }
out:
  dict_table_free(t);
  return rc;
}

int bot_english_load(bot_english **out, const char *dict_dir, char *err) {
  bot_english *e = calloc(1, sizeof *e);
  char path[1200];
  int rc;
  *out = NULL;
  if (!e || !(e->keys = faq_termmap_new())) { bot_english_free(e); return mg_errf(err, MG_ENOMEM, "out of memory"); }
  snprintf(path, sizeof path, "%s/english.tsv", dict_dir);
  if ((rc = load_file(e, path, 1, 0, err)) != 0) goto fail;
  e->curated = faq_termmap_count(e->keys);
  snprintf(path, sizeof path, "%s/english-edict.tsv", dict_dir);
  if ((rc = load_file(e, path, 0, e->curated, err)) != 0) goto fail;
  *out = e;
  return 0;
fail:
  bot_english_free(e);
  return rc;
}

void bot_english_free(bot_english *e) {
  if (!e) return;
  for (int i = 0; i < e->cap; i++) free(e->ja[i]);
  free(e->ja);
  free(e->stop);
  faq_termmap_free(e->keys);
  free(e);
}

int bot_english_detect(const char *text, int len) {
  int latin = 0, other = 0, spaces = 0;
  for (int i = 0; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c >= 0x80) { other++; continue; }
    if (isalpha(c)) latin++;
    else if (c == ' ') spaces++;
  }
  /* other counts bytes: a kana is three; allow an emoji or two */
  return latin >= 6 && spaces >= 1 && other <= 8;
}

/* Append term to the space-separated out (*o bytes used of cap): 1, or 0
 * when it does not fit. */
static int append_term(char *out, size_t *o, size_t cap, const char *term) {
  size_t l = strlen(term);
  if (*o + l + 2 >= cap) return 0;
  if (*o) out[(*o)++] = ' ';
  memcpy(out + *o, term, l + 1);
  *o += l;
  return 1;
}

/* Word w could be one word of a romaji compound: two syllables at least,
 * no stopword, and no word the table knows on its own. */
static int romaji_word(const bot_english *e, const char *w) {
  char kana[128];
  size_t l = strlen(w);
  if (l < ROMAJI_RUN_MIN_LETTERS || stopword(e, w) || faq_termmap_get(e->keys, w, (int)l) >= 0) return 0;
  return mg_romaji_word(w, (int)l, kana, sizeof kana) >= 2;
}

int bot_english_query(const bot_english *e, const char *text, int len, bot_english_speller spell, void *ctx, char *out,
                      size_t cap, char *read, size_t rcap) {
  char w[MAX_WORDS][WORD_MAX], key[256];
  int n = words(text, len, w, MAX_WORDS), found = 0;
  size_t o = 0, ro = 0;
  out[0] = '\0';
  if (read && rcap) read[0] = '\0';
  for (int i = 0; i < n;) {
    int took = 0;
    /* the curated table's longest phrase first, EDICT's only where it has none: EDICT's
     * "garbage collection" (清掃) must not hide "garbage" + "collection day" (ごみ 収集日) */
    for (int pass = 0; pass < 2 && !took; pass++)
    for (int l = n - i < MAX_PHRASE ? n - i : MAX_PHRASE; l >= 1 && !took; l--) {
      int kl = join(w, i, l, key, sizeof key), id;
      if (kl <= 0 || (l == 1 && stopword(e, key))) continue;
      if ((id = faq_termmap_get(e->keys, key, kl)) < 0 || id >= e->cap || !e->ja[id]) continue;
      if (pass == 0 && id >= e->curated) continue;
      found += append_term(out, &o, cap, e->ja[id]);
      took = l;
    }
    /* a word the table does not know may be Japanese in romaji, as foreign
     * residents write the office's own words (kokuho, hoikuen, hinanjo):
     * its hiragana meets the FAQ through the readings of its index.
     * Romaji splits a compound where English would (kokumin kenko hoken,
     * jiko shomeisho): a run of such words is first spelled whole, the
     * longest run first, shorter words included (jiko) since every piece
     * of the run must then be a reading the FAQ holds */
    if (!took && spell && read) {
      int run = 0;
      while (run < MAX_PHRASE && i + run < n && romaji_word(e, w[i + run])) run++;
      for (int l = run; l >= 2 && !took; l--) {
        char kana[256], spelt[256];
        size_t ko = 0;
        int ok = 1;
        for (int k = i; k < i + l && ok; k++) {
          int c = mg_romaji_word(w[k], (int)strlen(w[k]), kana + ko, sizeof kana - ko);
          if (c <= 0) ok = 0;
          else ko += strlen(kana + ko);
        }
        if (ok && spell(ctx, kana, (int)ko, spelt, sizeof spelt) > 0) {
          found += append_term(read, &ro, rcap, spelt);
          took = l;
        }
      }
    }
    if (!took && strlen(w[i]) >= ROMAJI_MIN_LETTERS && !stopword(e, w[i])) {
      char kana[128];
      char spelt[256];
      if (mg_romaji_to_kana(w[i], (int)strlen(w[i]), kana, sizeof kana) >= ROMAJI_MIN_SYLLABLES) {
        /* as the readings the index holds (shomeisho → ショウメイ ショ), apart:
         * hiragana among kanji terms is cut apart by MeCab (し + ょめいしょ);
         * a word no reading spells goes as hiragana, which the variants
         * may know (こくほ → 国民健康保険) */
        if (spell && read && spell(ctx, kana, (int)strlen(kana), spelt, sizeof spelt) > 0) found += append_term(read, &ro, rcap, spelt);
        else found += append_term(out, &o, cap, kana);
      }
    }
    i += took ? took : 1;
  }
  return found;
}

/* Words of text for comparing English with English: hyphens split
 * ("moving-out"), and a final e goes (move, moving, moved all "mov"), which
 * fold() leaves alone because the table's keys were written without it. */
static int plain_words(const bot_english *e, const char *text, char out[][WORD_MAX], int max) {
  char buf[4096];
  int n;
  snprintf(buf, sizeof buf, "%s", text);
  for (char *p = buf; *p; p++)
    if (*p == '-') *p = ' ';
  n = words(buf, (int)strlen(buf), out, max);
  for (int i = 0; i < n; i++) {
    static const char *const irregular[][2] = { { "lost", "lose" }, { "bought", "buy" }, { "paid", "pay" },
                                                 { "broken", "break" }, { "broke", "break" }, { "stolen", "steal" } };
    size_t l = strlen(out[i]);
    for (size_t k = 0; k < sizeof irregular / sizeof irregular[0]; k++)
      if (strcmp(out[i], irregular[k][0]) == 0) l = strlen(strcpy(out[i], irregular[k][1]));
    if (l > 3 && out[i][l - 1] == 'e' && !stopword(e, out[i])) out[i][l - 1] = '\0';
  }
  return n;
}

int bot_english_overlap(const bot_english *e, const char *query, const char *doc) {
  static _Thread_local char q[MAX_WORDS][WORD_MAX], d[256][WORD_MAX];
  int nq, nd, hits = 0;
  if (!query || !doc || !*query || !*doc) return 0;
  nq = plain_words(e, query, q, MAX_WORDS);
  nd = plain_words(e, doc, d, 256);
  for (int i = 0; i < nq; i++) {
    int seen = 0, found = 0;
    if (strlen(q[i]) < 3 || stopword(e, q[i])) continue;
    for (int k = 0; k < i && !seen; k++) seen = strcmp(q[k], q[i]) == 0;
    for (int k = 0; k < nd && !seen && !found; k++) found = strcmp(d[k], q[i]) == 0;
    hits += found;
  }
  return hits;
}

/* Whether word w is among the n words of d. */
static int has_word(char d[][WORD_MAX], int n, const char *w) {
  for (int k = 0; k < n; k++)
    if (strcmp(d[k], w) == 0) return 1;
  return 0;
}

int bot_english_cover(const bot_english *e, const char *query, const char *const *docs, int ndocs, double *cover) {
  static _Thread_local char q[MAX_WORDS][WORD_MAX], d[EN_COVER_DOCS][64][WORD_MAX];
  int nq, nd[EN_COVER_DOCS], uniq = 0;
  double total = 0, wt[MAX_WORDS];
  if (ndocs > EN_COVER_DOCS) ndocs = EN_COVER_DOCS;
  for (int j = 0; j < ndocs; j++) {
    cover[j] = 0;
    nd[j] = docs[j] && *docs[j] ? plain_words(e, docs[j], d[j], 64) : 0;
  }
  if (!query || !*query) return 0;
  nq = plain_words(e, query, q, MAX_WORDS);
  for (int i = 0; i < nq; i++) {
    int seen = 0, in = 0;
    wt[i] = 0;
    if (strlen(q[i]) < 3 || stopword(e, q[i])) continue;
    for (int k = 0; k < i && !seen; k++) seen = strcmp(q[k], q[i]) == 0;
    if (seen) continue;
    for (int j = 0; j < ndocs; j++) in += has_word(d[j], nd[j], q[i]);
    /* a word most of the competing questions hold tells them apart least
     * ("number" and "card" in every My Number entry, "lose" in one) */
    wt[i] = log(1.0 + (double)ndocs / (1 + in));
    total += wt[i];
    uniq++;
  }
  if (total <= 0) return 0;
  for (int j = 0; j < ndocs; j++)
    for (int i = 0; i < nq; i++)
      if (wt[i] > 0 && has_word(d[j], nd[j], q[i])) cover[j] += wt[i] / total;
  return uniq;
}

int bot_english_fts_query(const bot_english *e, const char *text, int len, char *out, size_t cap) {
  char w[MAX_WORDS][WORD_MAX];
  int n = 0, found = 0;
  size_t o = 0;
  out[0] = '\0';
  /* letters and digits only: the query cannot carry FTS5 syntax */
  for (int i = 0; i < len && n < MAX_WORDS;) {
    int l = 0;
    while (i < len && !isalnum((unsigned char)text[i])) i++;
    while (i < len && isalnum((unsigned char)text[i])) {
      if (l < WORD_MAX - 1) w[n][l++] = (char)tolower((unsigned char)text[i]);
      i++;
    }
    w[n][l] = '\0';
    if (l >= 2 && !stopword(e, w[n])) n++;
  }
  for (int i = 0; i < n; i++) {
    int seen = 0;
    size_t l = strlen(w[i]);
    for (int k = 0; k < i && !seen; k++) seen = strcmp(w[k], w[i]) == 0;
    if (seen || o + l + 7 >= cap) continue;
    o += (size_t)snprintf(out + o, cap - o, "%s\"%s\"", o ? " OR " : "", w[i]);
    found++;
  }
  return found;
}
