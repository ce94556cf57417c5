/*
 * engine.c — BM25F ranking over an in-memory copy of the FTS5 index.
 *
 * Why not ORDER BY bm25() in SQL: FTS5 scores every row that matches any
 * query term, and common terms match most of the FAQ, so ranking costs about
 * a millisecond per question (shared/MEASURED.md). Instead, at build time the
 * engine reads the index FTS5 already holds, through an `fts5vocab` table of
 * type "instance" (term, doc, col, offset): no text is analysed twice, and
 * the engine's terms are by construction the index's terms. It keeps:
 *
 *   - the vocabulary (term → id) and, per term, a postings list of
 *     (document, term frequency in each of the 4 fields), documents ascending;
 *   - per document and field, the length in terms; per field, the mean.
 *
 * A question is analysed (same pipeline) into its own terms; the parts of
 * its compound nouns (MG_TOK_PART) and the dict/synonyms.tsv synonyms of its
 * terms join at lower weights. Scoring, in one pass over those terms'
 * postings:
 *
 *   - BM25F: per term, the field frequencies are length-normalised and
 *     weighted into one pseudo-frequency, saturated once (k1), × IDF;
 *   - coverage: the share of the question's IDF mass found in the entry's
 *     question/alternates/keywords — sharing its rare words with an entry's
 *     *question* is the strongest evidence FAQ retrieval has;
 *   - character bigrams of the question against the entries' question side
 *     (a separate small index built from the published texts): sub-word
 *     evidence where segmentation differs (街灯 ~ 街路灯);
 *   - related entries' titles: the question-field terms of the entries an
 *     entry lists as related (faq_revision.related) form a fifth, weak field
 *     of that entry (weight rel_w), merged into its BM25F pseudo-frequency —
 *     staff who link 転入届 to 転出届 say the two are asked about together;
 *   - latent semantic analysis: a truncated SVD of the term × entry matrix,
 *     computed at build time; the question folded into it is compared with
 *     the best candidates (cosine), evidence from words an entry shares
 *     only through the rest of the FAQ.
 *   - the learning loop's accepted phrasings (faq/learn.h): alternates
 *     weighted as a field of their own (w_learned, b_learned), and the
 *     sessions behind them a prior of their entry (pop_w); a verb also asks
 *     for its noun form and a noun for its verb (vn_w). Measured and off: a
 *     thesaurus learned from the phrasings (th_w) and entries taught
 *     together (co_w).
 *
 * Confidence is not the score: it is the matched share of the question's
 * IDF mass (unknown words count against it) tempered by the absolute
 * evidence relative to the largest IDF, so it does not depend on the size
 * of the FAQ; a place name the FAQ never uses lowers it (another city's
 * question). docs/accuracy.md has the measurements behind every weight,
 * including the expansions kept here but off by default (pseudo-relevance
 * feedback, vocabulary compounds, readings) so eval --param can re-measure
 * them on a city's own questions.
 *
 * Snapshots: the index is one immutable struct with a reference count. A
 * search takes a reference under the engine's mutex; refresh builds a new
 * snapshot without the lock and swaps it in, so searches never wait for a
 * rebuild. Per-search scratch memory is allocated per call (a few KB).
 */
#define _GNU_SOURCE /* memmem */
#include "faq/engine.h"
#include "faq/io.h"
#include "faq/learn.h"
#include "util/mg_err.h"
#include "util/mg_utf8.h"
#include "faq/termmap.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NF 4 /* fields, in faq_fts column order */
static const char *const field_names[NF] = { "question", "alternates", "keywords", "answer" };

/* The related-titles field's default weight: off, because on the benchmark
 * it gains nothing (docs/accuracy.md rows 36–41: its answers already carry
 * their related-FAQ lists). A city can measure it with eval --param rel_w. */
#define RELW_DEFAULT 0.0

/* Ranking parameters (measured on the localgovFAQ dev split, docs/accuracy.md). */
struct params {
  double k1;
  double b[NF];
  double w[NF];       /* field weights */
  double syn_w;       /* weight of a synonym relative to the query's own term */
  double cov_w;       /* weight of the question-field coverage term */
  double verb_w;      /* weight of verbs/adjectives relative to nouns */
  double ans_cov;     /* coverage credit of a term found only in the answer */
  double read_w;      /* weight of a noun's reading (鳩 → ハト) */
  double typo_w;      /* weight of a word read through one typo (0: off) */
  double kana_w;      /* weight of a reading found in a kana-only question (0: off) */
  double kana_cover;  /* share of a kana-only question its readings must cover to offer anything */
  double part_w;      /* weight of the parts of a user-dictionary compound (住民票 → 住民, 票) */
  double unk_w;       /* confidence: weight of question terms the FAQ never uses */
  double ev_min;      /* confidence: 1 - e^(-matched / (ev_min × the largest IDF)): the evidence
                       * (in "rarest words") that makes a confident answer, independent of FAQ size */
  double cov_pow;     /* confidence: exponent on the matched share of the question */
  double place_pen;   /* confidence factor when the question names a place the FAQ never does */
  double else_w;      /* weight of the FAQ's words for "elsewhere" (県外, 遠方) added to such a question */
  double bg_w;        /* weight of question character-bigram matching */
  double bg_b;        /* its length normalisation */
  double cmp_w;       /* weight of compound parts / compounds containing a query noun */
  int cmp_parents;    /* at most this many compounds added per query noun */
  int prf_docs;       /* pseudo-relevance feedback: top documents used (0 = off) */
  int prf_terms;      /* terms added */
  double prf_w;       /* their weight relative to a query term */
  double lsa_w;       /* weight of the latent-semantic cosine (question ~ entry) */
  int lsa_top;        /* it re-ranks this many of the best candidates */
  double nn_w;        /* weight of the nearest phrasing (weighted Dice of the question with the
                       * entry's question or one of its alternates, each on its own) */
  double nn_pow;      /* ... raised to this power: near-repeats count, a shared word hardly */
  double nn_min;      /* Dice below this counts nothing; above, rescaled to 0..1 */
  double rel_w;       /* weight of the related entries' titles, a fifth BM25F field (0: off) */
  double rel_b;       /* its length normalisation */
  double rel_in_w;    /* weight of the titles of the entries that list this one (0: off) */
  double unk_sub_w;   /* an unknown noun: weight of the known words that contain it or that it contains (0: off) */
  double w_learned;   /* weight of the learned phrasings (accepted candidates) among the alternates */
  double b_learned;   /* ... their length normalisation */
  int vn_cov;         /* ... counted in the coverage (and so the confidence): 1, or 0 */
  double vn_w;        /* weight of a verb's noun form (申込む → 申込) and a noun's verb (0: off) */
  double co_w;        /* entries taught together: share of a best entry's score lent to them (0: off) */
  int co_top;         /* ... by this many best entries */
  double pop_w;       /* weight of log(1 + sessions that taught the entry) (0: off) */
  double th_w;        /* learned thesaurus: weight of an entry-question word learned for a question word (0: off) */
  double th_ratio;    /* ... only pairs seen in at least this share of the word's evidences */
  int th_maxdf;       /* ... only expansions found in the questions of at most this many entries */
  int th_min;         /* ... only pairs seen for at least this many distinct phrasings (2 at least) */
};

static const struct params default_params = {
  .k1 = 1.2,
  .b = { 0.5, 0.5, 0.3, 0.75 },
  .w = { 3.0, 3.0, 2.0, 1.5 },
  .syn_w = 0.2,
  .cov_w = 2.0,
  .verb_w = 0.6,
  .ans_cov = 0.5,
  .read_w = 0.0,
  .typo_w = 0.9,
  .kana_w = 1.0,
  .kana_cover = 0.3,
  .part_w = 1.0,
  .unk_w = 1.0,
  .ev_min = 0.5,
  .cov_pow = 0.5,
  .place_pen = 0.35,
  .else_w = 0.5,
  .bg_w = 0.2,
  .bg_b = 0.5,
  .cmp_w = 0.0,
  .cmp_parents = 8,
  .prf_docs = 0,
  .prf_terms = 8,
  .prf_w = 0.3,
  .lsa_w = 4.0,
  .lsa_top = 100,
  .nn_w = 0.0, /* off: it brings the runner-up closer, so clear answers became choices (docs/accuracy.md row 36) */
  .nn_pow = 2.0,
  .nn_min = 0.0,
  .rel_w = RELW_DEFAULT,
  .rel_b = 0.5,
  .rel_in_w = 0.0,
  .w_learned = 2.0, /* learned phrasings: docs/accuracy.md rows 46–47 */
  .b_learned = 0.0,
  .pop_w = 0.75,
  .vn_w = 0.2, /* docs/accuracy.md row 49 */
  .vn_cov = 0,
  .co_w = 0.0, /* off: docs/accuracy.md row 50 */
  .co_top = 3,
  .th_w = 0.0, /* off: no gain measured, docs/accuracy.md row 48 */
  .th_ratio = 0.5,
  .th_maxdf = 50,
  .th_min = 2,
};

/* Latent semantic analysis of the FAQ (build time; docs/accuracy.md): a
 * truncated SVD of the term × entry matrix, LSA_DIMS dimensions, by
 * randomised subspace iteration (LSA_OVERSAMPLE extra columns, LSA_ITERS
 * power iterations, a fixed seed: the same FAQ gives the same vectors). The
 * answer's frequencies count LSA_ANSWER_W as much as the question side's. */
#define LSA_DIMS 64
#define LSA_OVERSAMPLE 50
#define LSA_ITERS 6
#define LSA_ANSWER_W 0.5
#define LSA_MIN_DOCS 4

struct posting {
  int doc;
  uint16_t tf[NF];
  uint16_t tfl; /* of tf[1], the occurrences in learned phrasings (build_learned) */
};

struct snap {
  int refs;
  int ndocs;
  int64_t *rowid;          /* faq.id by document index (ascending) */
  char (*ext)[64];         /* ext_id by document index */
  float *len[NF];          /* field length in terms, by document */
  double avg[NF];          /* mean field length (over all documents) */
  /* learned phrasings (accepted candidates, faq/learn.h) are alternates, but
   * weighted as a field of their own (w_learned, b_learned): their length
   * in terms by document, and its mean; len[1] and avg[1] are then the
   * staff-written alternates' only (build_learned) */
  float *llen;
  double lavg;
  float *lpop;             /* log(1 + sessions behind the entry's accepted phrasings) */
  /* verb ↔ noun forms (build_forms): the terms of the vocabulary linked to
   * term t are vn_term[vn_off[t] .. vn_off[t+1]) (申込む ↔ 申込, 払う ↔ 払い) */
  int *vn_off, *vn_term;
  /* entries taught together (build_cotaught) */
  int *co_off, *co_doc;
  float *co_n;
  mg_termmap *vocab;
  int *off;                /* postings of term t: posts[off[t] .. off[t+1]) */
  struct posting *posts;
  int nposts;
  /* forward index: terms of document d are fterm[foff[d] .. foff[d+1]),
   * each pointing at its posting (for the field frequencies) */
  int *foff, *fterm, *fpost;
  /* compounds: a term of >= 3 characters that is two shorter terms of the
   * vocabulary joined (粗大ごみ = 粗大 + ごみ) has parts[2t], parts[2t+1]
   * (-1 when none); parents of term t: par[poff[t] .. poff[t+1]) */
  int *parts, *poff, *par;
  /* character bigrams of the question, alternates and keywords (sub-word
   * evidence: 街灯 ~ 街路灯, スズメバチ ~ ハチ): bigram → postings (tf[0]) */
  mg_termmap *bg;
  int *bg_off;
  struct posting *bg_posts;
  float *bg_len;
  double bg_avg;
  /* latent semantic vectors: term t is lsa_t[t * lsa_k ..] (U_k, to fold a
   * question in), entry d is lsa_d[d * lsa_k ..] (V_k Σ_k, unit length) */
  int lsa_k;
  float *lsa_t, *lsa_d;
  /* typo tolerance: each term of 3–12 characters and its one-character
   * deletions → the terms (symmetric delete): del_first[key] is the first
   * entry, del_next[] chains them, del_term[] is the term */
  mg_termmap *dels;
  int *del_first, *del_next, *del_term;
  int ndel, del_cap, del_keys_cap;
  /* long vowels: each katakana term of 3 characters or more, folded
   * (mg_utf8_fold_long_vowels) → the term, the most frequent on a tie:
   * romaji without macrons (shogakko) and a dropped ー still meet it */
  mg_termmap *folded;
  int *folded_term;
  /* phrasings: the question and each alternate of an entry, one line each
   * (learned phrasings are alternates): line l belongs to document
   * line_doc[l] and has mass line_mass[l] (Σ weight × IDF of its terms);
   * the lines holding term t are ph_line[ph_off[t] .. ph_off[t+1]), with
   * the term's weight × IDF in that line ph_w[] */
  int nlines;
  int *line_doc, *ph_off, *ph_line;
  float *line_mass, *ph_w;
  /* related titles: the question-field terms of the entries document d
   * lists as related (tf[0]) and of the entries that list d (tf[1]), as
   * postings term → (d, tf) in rel_posts[rel_off[t] .. rel_off[t+1]),
   * documents ascending; rel_len[k][d] their counts, rel_avg[k] the means */
  int *rel_off;
  struct posting *rel_posts;
  float *rel_len[2];
  double rel_avg[2];
  int nrel;          /* documents with at least one published related entry */
  /* learned thesaurus (build_thesaurus): the question-side words learned
   * for term u are th_term[th_off[u] .. th_off[u+1]), each with the share
   * of u's evidences it was seen in (th_ratio) and the number of entries
   * whose question holds it (th_qdf) */
  int *th_off, *th_term, *th_qdf, *th_nphr;
  float *th_ratio;
  int nth;           /* pairs */
};

struct mg_engine {
  pthread_mutex_t mu;        /* guards cur */
  struct snap *cur;
  mg_lang *lang;
  mg_config cfg;
  struct params p;
  pthread_mutex_t refresh_mu; /* one refresher at a time; guards signature */
  char signature[128];        /* of the published FAQ that cur was built from */
};

/* ---- snapshot ------------------------------------------------------------- */

static void snap_free(struct snap *s) {
  if (!s) return;
  free(s->rowid);
  free(s->ext);
  for (int f = 0; f < NF; f++) free(s->len[f]);
  free(s->llen);
  free(s->lpop);
  free(s->vn_off);
  free(s->vn_term);
  free(s->co_off);
  free(s->co_doc);
  free(s->co_n);
  faq_termmap_free(s->vocab);
  free(s->off);
  free(s->posts);
  free(s->foff);
  free(s->fterm);
  free(s->fpost);
  free(s->parts);
  free(s->poff);
  free(s->par);
  faq_termmap_free(s->bg);
  free(s->bg_off);
  free(s->bg_posts);
  free(s->bg_len);
  free(s->lsa_t);
  free(s->lsa_d);
  faq_termmap_free(s->dels);
  faq_termmap_free(s->folded);
  free(s->folded_term);
  free(s->del_first);
  free(s->del_next);
  free(s->del_term);
  free(s->line_doc);
  free(s->line_mass);
  free(s->ph_off);
  free(s->ph_line);
  free(s->ph_w);
  free(s->th_off);
  free(s->th_term);
  free(s->th_qdf);
  free(s->th_nphr);
  free(s->th_ratio);
  free(s->rel_off);
  free(s->rel_posts);
  free(s->rel_len[0]);
  free(s->rel_len[1]);
  free(s);
}

struct del_build { struct snap *s; int term; };

static int add_del(void *ctx, const char *k, int n) {
  struct del_build *b = ctx;
  struct snap *s = b->s;
  int key = faq_termmap_put(s->dels, k, n);
  if (key < 0) return MG_ENOMEM;
  if (key >= s->del_keys_cap) {
    int ncap = s->del_keys_cap ? s->del_keys_cap * 2 : 4096;
    int *nf = realloc(s->del_first, (size_t)ncap * sizeof *nf);
    if (!nf) return MG_ENOMEM;
    for (int i = s->del_keys_cap; i < ncap; i++) nf[i] = -1;
    s->del_first = nf, s->del_keys_cap = ncap;
  }
  if (s->ndel == s->del_cap) {
    int ncap = s->del_cap ? s->del_cap * 2 : 8192;
    int *nn = realloc(s->del_next, (size_t)ncap * sizeof *nn), *nt = nn ? realloc(s->del_term, (size_t)ncap * sizeof *nt) : NULL;
    if (nn) s->del_next = nn;
    if (!nn || !nt) return MG_ENOMEM;
    s->del_term = nt, s->del_cap = ncap;
  }
  s->del_term[s->ndel] = b->term;
  s->del_next[s->ndel] = s->del_first[key];
  s->del_first[key] = s->ndel++;
  return 0;
}

/* The typo index over the vocabulary's words (not readings or ASCII). */
static int build_deletions(struct snap *s, int nterms) {
  if (!(s->dels = faq_termmap_new())) return MG_ENOMEM;
  for (int t = 0; t < nterms; t++) {
    int n, c, rc;
    const char *k = faq_termmap_key(s->vocab, t, &n);
    struct del_build b = { s, t };
    if (!k || (unsigned char)k[0] < 0x80 || mg_utf8_is_kata(k, (size_t)n, 0)) continue;
    if ((c = mg_utf8_chars(k, n)) < 3 || c > 12) continue;
    if ((rc = add_del(&b, k, n)) != 0 || (rc = mg_utf8_deletions(k, n, add_del, &b)) != 0) return rc;
  }
  return 0;
}

/* 1 when k (n bytes) is katakana (and ー) only. */
static int all_kata(const char *k, int n) {
  for (int i = 0; i < n; i += 3)
    if (!mg_utf8_is_kata(k, (size_t)n, (size_t)i)) return 0;
  return n > 0;
}

static int build_folded(struct snap *s, int nterms) {
  char buf[256];
  if (!(s->folded = faq_termmap_new()) || !(s->folded_term = malloc((size_t)(nterms + 1) * sizeof *s->folded_term)))
    return MG_ENOMEM;
  for (int t = 0; t < nterms; t++) {
    int n, fl, id;
    const char *k = faq_termmap_key(s->vocab, t, &n);
    if (!k || n >= (int)sizeof buf || !all_kata(k, n) || mg_utf8_chars(k, n) < 3) continue;
    if ((fl = mg_utf8_fold_long_vowels(k, (size_t)n, buf)) < 6) continue;
    if ((id = faq_termmap_get(s->folded, buf, fl)) >= 0) {
      int old = s->folded_term[id];
      if (s->off[t + 1] - s->off[t] > s->off[old + 1] - s->off[old]) s->folded_term[id] = t;
      continue;
    }
    if ((id = faq_termmap_put(s->folded, buf, fl)) < 0) return MG_ENOMEM;
    s->folded_term[id] = t;
  }
  return 0;
}

/* The term that katakana k (n bytes, 3 characters or more) spells with its
 * long vowels folded, or -1. */
static int folded_lookup(const struct snap *s, const char *k, int n) {
  char buf[256];
  int fl, id;
  if (!s->folded || n >= (int)sizeof buf || !all_kata(k, n) || mg_utf8_chars(k, n) < 3) return -1;
  fl = mg_utf8_fold_long_vowels(k, (size_t)n, buf);
  return (id = faq_termmap_get(s->folded, buf, fl)) < 0 ? -1 : s->folded_term[id];
}

static void snap_release(mg_engine *e, struct snap *s) {
  int last;
  if (!s) return;
  pthread_mutex_lock(&e->mu);
  last = --s->refs == 0;
  pthread_mutex_unlock(&e->mu);
  if (last) snap_free(s);
}

static struct snap *snap_acquire(mg_engine *e) {
  struct snap *s;
  pthread_mutex_lock(&e->mu);
  s = e->cur;
  if (s) s->refs++;
  pthread_mutex_unlock(&e->mu);
  return s;
}

static int doc_index(const struct snap *s, int64_t rowid) {
  int lo = 0, hi = s->ndocs - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    if (s->rowid[mid] == rowid) return mid;
    if (s->rowid[mid] < rowid) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

static int field_index(const unsigned char *name) {
  for (int f = 0; f < NF; f++)
    if (strcmp((const char *)name, field_names[f]) == 0) return f;
  return -1;
}

/* Signature of the published FAQ: changes whenever an entry is published,
 * re-published or removed, by any connection. */
/* What the published FAQ is, cheaply: the published revisions (count, sums
 * of ids) and a hash of the departments' rows, whose phone and hours the
 * answers and the public pages show. A change to either is a new signature,
 * so the index is rebuilt and bot_faq_generation moves on. (FNV-1a: change
 * detection, not security.) */
static int faq_signature(sqlite3 *db, char *out, size_t cap, char *err) {
  sqlite3_stmt *st = NULL, *dt = NULL;
  uint64_t h = 1469598103934665603ULL;
  int rc = 0, step;
  if (sqlite3_prepare_v2(db, "SELECT count(*), coalesce(sum(published_rev), 0), coalesce(max(id), 0),"
                             " coalesce(sum(id * published_rev), 0) FROM faq WHERE published_rev IS NOT NULL",
                         -1, &st, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "SELECT id, name, phone, email, hours, location FROM department ORDER BY id", -1, &dt,
                         NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "engine: %s", sqlite3_errmsg(db));
    goto out;
  }
  if (sqlite3_step(st) != SQLITE_ROW) {
    rc = mg_errf(err, MG_EDB, "engine: %s", sqlite3_errmsg(db));
    goto out;
  }
  while ((step = sqlite3_step(dt)) == SQLITE_ROW)
    for (int c = 0; c < 6; c++) {
      const unsigned char *v = sqlite3_column_text(dt, c);
      for (int i = 0, n = sqlite3_column_bytes(dt, c); v && i < n; i++) h = (h ^ v[i]) * 1099511628211ULL;
      h = (h ^ 0x1f) * 1099511628211ULL; /* field separator */
    }
  if (step != SQLITE_DONE) {
    rc = mg_errf(err, MG_EDB, "engine: %s", sqlite3_errmsg(db));
    goto out;
  }
  snprintf(out, cap, "%lld/%lld/%lld/%lld/%016llx", (long long)sqlite3_column_int64(st, 0),
           (long long)sqlite3_column_int64(st, 1), (long long)sqlite3_column_int64(st, 2),
           (long long)sqlite3_column_int64(st, 3), (unsigned long long)h);
out:
  sqlite3_finalize(st);
  sqlite3_finalize(dt);
  return rc;
}

/* Transpose the postings into per-document term lists. */
static int build_forward(struct snap *s, int nterms) {
  if (!(s->foff = calloc((size_t)s->ndocs + 2, sizeof *s->foff)) ||
      !(s->fterm = malloc(((size_t)s->nposts + 1) * sizeof *s->fterm)) ||
      !(s->fpost = malloc(((size_t)s->nposts + 1) * sizeof *s->fpost)))
    return MG_ENOMEM;
  for (int j = 0; j < s->nposts; j++) s->foff[s->posts[j].doc + 2]++;
  for (int d = 0; d < s->ndocs; d++) s->foff[d + 2] += s->foff[d + 1];
  for (int t = 0; t < nterms; t++)
    for (int j = s->off[t]; j < s->off[t + 1]; j++) {
      int slot = s->foff[s->posts[j].doc + 1]++;
      s->fterm[slot] = t;
      s->fpost[slot] = j;
    }
  return 0;
}

static int utf8_len(const char *p, int n) {
  int c = 0;
  for (int i = 0; i < n; i++) c += ((unsigned char)p[i] & 0xC0) != 0x80;
  return c;
}

/* Verb and noun forms of one word: a verb lemma whose last kana is of the
 * u-row (申込む, 払う, 届ける) and a term of the vocabulary that is its
 * stem (申込, 届け — the okurigana-folded or ichidan noun) or its stem with
 * the i-row kana (払い, 申込み — the godan continuative used as a noun) are
 * linked both ways, when that term has two characters at least and the stem
 * a kanji. Residents ask with the verb (申し込みたい), FAQs title with the
 * noun (申込方法), and the reverse. */
static const char *const form_urow = "うくぐすつぬぶむる", *const form_irow = "いきぎしちにびみり";

/* The noun forms of verb lemma k (len bytes) that the vocabulary holds, into
 * ids (at most 2); returns how many. */
static int form_nouns(const struct snap *s, const char *k, int len, int *ids) {
  const char *u;
  char buf[160];
  int n = 0;
  if (len < 6 || len + 3 > (int)sizeof buf) return 0;
  /* an adjective's continuative used as a noun: 近い → 近く, 遠い → 遠く */
  if (memcmp(k + len - 3, "い", 3) == 0) {
    int id;
    if (!mg_utf8_has_kanji(k, (size_t)len - 3)) return 0;
    memcpy(buf, k, (size_t)len - 3);
    memcpy(buf + len - 3, "く", 3);
    if ((id = faq_termmap_get(s->vocab, buf, len)) >= 0) ids[n++] = id;
    return n;
  }
  for (u = form_urow; *u; u += 3)
    if (memcmp(k + len - 3, u, 3) == 0) break;
  if (!*u || !mg_utf8_has_kanji(k, (size_t)len - 3)) return 0;
  for (int form = 0; form < 2; form++) {
    int bl = len - 3, id;
    memcpy(buf, k, (size_t)bl);
    if (form == 0) memcpy(buf + bl, form_irow + (u - form_urow), 3), bl += 3;
    if (mg_utf8_count(buf, (size_t)bl) >= 2 && (id = faq_termmap_get(s->vocab, buf, bl)) >= 0) ids[n++] = id;
  }
  return n;
}

static int build_forms(struct snap *s, int nterms) {
  int *pa = NULL, n = 0, cap = 0, rc = 0;
  if (!(s->vn_off = calloc((size_t)nterms + 2, sizeof *s->vn_off))) return MG_ENOMEM;
  for (int t = 0; t < nterms; t++) {
    int len, ids[2], nf;
    const char *k = faq_termmap_key(s->vocab, t, &len);
    if (!k || (nf = form_nouns(s, k, len, ids)) == 0) continue;
    for (int f = 0; f < nf; f++) {
      int id = ids[f];
      if (id == t) continue;
      if (n + 2 > cap) {
        int c = cap ? cap * 2 : 1024;
        int *a = realloc(pa, (size_t)c * 2 * sizeof *a);
        if (!a) { rc = MG_ENOMEM; goto out; }
        pa = a;
        cap = c;
      }
      pa[2 * n] = t, pa[2 * n + 1] = id, n++;
      pa[2 * n] = id, pa[2 * n + 1] = t, n++;
    }
  }
  if (!(s->vn_term = malloc(((size_t)n + 1) * sizeof *s->vn_term))) { rc = MG_ENOMEM; goto out; }
  for (int i = 0; i < n; i++) s->vn_off[pa[2 * i] + 1]++;
  for (int t = 0; t < nterms; t++) s->vn_off[t + 1] += s->vn_off[t];
  {
    int *fill = calloc((size_t)nterms + 1, sizeof *fill);
    if (!fill) { rc = MG_ENOMEM; goto out; }
    for (int i = 0; i < n; i++) s->vn_term[s->vn_off[pa[2 * i]] + fill[pa[2 * i]]++] = pa[2 * i + 1];
    free(fill);
  }
out:
  free(pa);
  return rc;
}

/* Find each long term's split into two known terms of >= 2 characters (the
 * split with the most balanced parts wins) and index the reverse relation. */
static int build_compounds(struct snap *s, int nterms) {
  int npar = 0;
  if (!(s->parts = malloc(((size_t)nterms * 2 + 2) * sizeof *s->parts)) ||
      !(s->poff = calloc((size_t)nterms + 2, sizeof *s->poff)))
    return MG_ENOMEM;
  for (int t = 0; t < nterms; t++) {
    int len, best = -1, bestbal = 0, bp = -1, bs = -1;
    const char *k = faq_termmap_key(s->vocab, t, &len);
    s->parts[2 * t] = s->parts[2 * t + 1] = -1;
    if (utf8_len(k, len) < 4) continue;
    for (int i = 1; i < len; i++) {
      if (((unsigned char)k[i] & 0xC0) == 0x80) continue;
      int a = utf8_len(k, i), b = utf8_len(k + i, len - i);
      if (a < 2 || b < 2) continue;
      int p = faq_termmap_get(s->vocab, k, i), q = faq_termmap_get(s->vocab, k + i, len - i);
      if (p < 0 || q < 0) continue;
      int bal = a < b ? a : b;
      if (bal > bestbal) { bestbal = bal; best = i; bp = p; bs = q; }
    }
    if (best < 0) continue;
    s->parts[2 * t] = bp;
    s->parts[2 * t + 1] = bs;
    s->poff[bp + 2]++;
    s->poff[bs + 2]++;
    npar += 2;
  }
  for (int t = 0; t < nterms; t++) s->poff[t + 2] += s->poff[t + 1];
  if (!(s->par = malloc(((size_t)npar + 1) * sizeof *s->par))) return MG_ENOMEM;
  for (int t = 0; t < nterms; t++)
    for (int h = 0; h < 2; h++) {
      int p = s->parts[2 * t + h];
      if (p >= 0) s->par[s->poff[p + 1]++] = t;
    }
  return 0;
}

/* Character bigrams of normalised text: adjacent pairs of kanji, kana,
 * letters or digits, except pairs of two hiragana (mostly grammar). Calls
 * fn with each bigram's 8-byte key. */
static int is_content_cp(int32_t c, int *hira) {
  *hira = c >= 0x3041 && c <= 0x309F;
  return *hira || (c >= 0x30A1 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == 0x3005 /* 々 */;
}

/* A code point, or -1 for a byte that is not UTF-8 (skipped alone). */
static int decode_utf8(const unsigned char *p, int n, int32_t *cp) {
  uint32_t v;
  int k = mg_utf8_decode(p, (size_t)n, &v);
  *cp = k ? (int32_t)v : -1;
  return k ? k : 1;
}

typedef int (*bigram_fn)(void *ctx, const int32_t key[2]);

static int bigrams(const char *text, int len, bigram_fn fn, void *ctx) {
  const unsigned char *u = (const unsigned char *)text;
  int32_t prev = -1, c;
  int prev_hira = 0, hira, rc;
  for (int i = 0; i < len;) {
    i += decode_utf8(u + i, len - i, &c);
    if (!is_content_cp(c, &hira)) { prev = -1; continue; }
    if (prev >= 0 && !(hira && prev_hira)) {
      int32_t key[2] = { prev, c };
      if ((rc = fn(ctx, key)) != 0) return rc;
    }
    prev = c;
    prev_hira = hira;
  }
  return 0;
}

struct pinst {
  int key, doc;
};

struct bg_build {
  struct snap *s;
  struct pinst *pi;
  int n, cap, doc;
};

static int bg_collect(void *ctx, const int32_t key[2]) {
  struct bg_build *b = ctx;
  int id = faq_termmap_put(b->s->bg, (const char *)key, 2 * sizeof key[0]);
  if (id < 0) return MG_ENOMEM;
  if (b->n == b->cap) {
    b->cap = b->cap ? b->cap * 2 : 65536;
    struct pinst *a = realloc(b->pi, (size_t)b->cap * sizeof *a);
    if (!a) return MG_ENOMEM;
    b->pi = a;
  }
  b->pi[b->n].key = id;
  b->pi[b->n++].doc = b->doc;
  b->s->bg_len[b->doc] += 1;
  return 0;
}

static int cmp_pinst(const void *a, const void *b) {
  const struct pinst *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return (x->doc > y->doc) - (x->doc < y->doc);
}

/* The question-side bigram index, from the published texts. */
static int build_bigrams(struct snap *s, sqlite3 *db, char *err) {
  struct bg_build b = { s, NULL, 0, 0, 0 };
  sqlite3_stmt *st = NULL;
  int rc = 0, nkeys;
  if (!(s->bg = faq_termmap_new()) || !(s->bg_len = calloc((size_t)s->ndocs + 1, sizeof *s->bg_len)))
    return mg_errf(err, MG_ENOMEM, "out of memory");
  if (sqlite3_prepare_v2(db, "SELECT id, question || char(10) || alternates || char(10) || keywords FROM faq_published",
                         -1, &st, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "engine: %s", sqlite3_errmsg(db));
    goto out;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int n = 0;
    char *norm;
    if ((b.doc = doc_index(s, sqlite3_column_int64(st, 0))) < 0) continue;
    norm = faq_normalize((const char *)sqlite3_column_text(st, 1), sqlite3_column_bytes(st, 1), &n);
    if (!norm) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
    rc = bigrams(norm, n, bg_collect, &b);
    free(norm);
    if (rc) { mg_errf(err, rc, "out of memory"); goto out; }
  }
  if (rc != SQLITE_DONE) { rc = mg_errf(err, MG_EDB, "engine: %s", sqlite3_errmsg(db)); goto out; }
  rc = 0;
  if (b.n > 0) qsort(b.pi, (size_t)b.n, sizeof *b.pi, cmp_pinst);
  nkeys = faq_termmap_count(s->bg);
  if (!(s->bg_off = calloc((size_t)nkeys + 2, sizeof *s->bg_off)) ||
      !(s->bg_posts = malloc(((size_t)b.n + 1) * sizeof *s->bg_posts))) {
    rc = mg_errf(err, MG_ENOMEM, "out of memory");
    goto out;
  }
  for (int i = 0, m = 0; i < b.n; i++) {
    if (i == 0 || b.pi[i].key != b.pi[i - 1].key || b.pi[i].doc != b.pi[i - 1].doc) {
      memset(&s->bg_posts[m], 0, sizeof s->bg_posts[0]);
      s->bg_posts[m++].doc = b.pi[i].doc;
      s->bg_off[b.pi[i].key + 1]++;
    }
    if (s->bg_posts[m - 1].tf[0] < UINT16_MAX) s->bg_posts[m - 1].tf[0]++;
  }
  for (int k = 0; k < nkeys; k++) s->bg_off[k + 1] += s->bg_off[k];
  {
    double sum = 0;
    for (int d = 0; d < s->ndocs; d++) sum += s->bg_len[d];
    s->bg_avg = s->ndocs && sum > 0 ? sum / s->ndocs : 1;
  }
out:
  sqlite3_finalize(st);
  free(b.pi);
  return rc;
}

/* ---- latent semantic analysis --------------------------------------------- */

static uint64_t xorshift(uint64_t *x) {
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return *x;
}

/* Orthonormalise the l columns of Z (n × l, column-major) in place
 * (modified Gram-Schmidt, twice). */
static void orthonormalise(double *Z, int n, int l) {
  for (int c = 0; c < l; c++) {
    double *z = Z + (size_t)c * n, nn = 0;
    for (int pass = 0; pass < 2; pass++)
      for (int c2 = 0; c2 < c; c2++) {
        const double *y = Z + (size_t)c2 * n;
        double dot = 0;
        for (int i = 0; i < n; i++) dot += z[i] * y[i];
        for (int i = 0; i < n; i++) z[i] -= dot * y[i];
      }
    for (int i = 0; i < n; i++) nn += z[i] * z[i];
    nn = sqrt(nn);
    for (int i = 0; i < n; i++) z[i] = nn > 1e-12 ? z[i] / nn : 0;
  }
}

/* Eigen-decomposition of the symmetric l × l matrix A (destroyed) by cyclic
 * Jacobi rotations: eigenvalues in ev, eigenvectors in the columns of V. */
static void jacobi(double *A, int l, double *ev, double *V) {
  for (int i = 0; i < l; i++)
    for (int j = 0; j < l; j++) V[i * l + j] = i == j;
  for (int sweep = 0; sweep < 30; sweep++) {
    double off = 0;
    for (int i = 0; i < l; i++)
      for (int j = i + 1; j < l; j++) off += A[i * l + j] * A[i * l + j];
    if (off < 1e-18) break;
    for (int p = 0; p < l; p++)
      for (int q = p + 1; q < l; q++) {
        double apq = A[p * l + q];
        if (fabs(apq) < 1e-15) continue;
        double th = (A[q * l + q] - A[p * l + p]) / (2 * apq);
        double t = (th >= 0 ? 1 : -1) / (fabs(th) + sqrt(th * th + 1));
        double c = 1 / sqrt(t * t + 1), sn = t * c;
        for (int k = 0; k < l; k++) {
          double akp = A[k * l + p], akq = A[k * l + q];
          A[k * l + p] = c * akp - sn * akq;
          A[k * l + q] = sn * akp + c * akq;
        }
        for (int k = 0; k < l; k++) {
          double apk = A[p * l + k], aqk = A[q * l + k];
          A[p * l + k] = c * apk - sn * aqk;
          A[q * l + k] = sn * apk + c * aqk;
        }
        for (int k = 0; k < l; k++) {
          double vkp = V[k * l + p], vkq = V[k * l + q];
          V[k * l + p] = c * vkp - sn * vkq;
          V[k * l + q] = sn * vkp + c * vkq;
        }
      }
  }
  for (int i = 0; i < l; i++) ev[i] = A[i * l + i];
}

/* Truncated SVD X ≈ U_k Σ_k V_k^T of the term × entry matrix X (log(1 +
 * field-weighted tf) × log(N / df), terms of one entry left out, entries of
 * unit length). Subspace iteration on X^T X gives an orthonormal basis Z of
 * the entries' top space; Y = X Z; the eigenvectors W of Y^T Y = W Λ W^T
 * then give U = Y W Λ^-1/2, V Σ = Z W Λ^1/2. */
static int build_lsa(struct snap *s, int nterms) {
  int n = s->ndocs, k = LSA_DIMS < n / 2 ? LSA_DIMS : n / 2, l = k + LSA_OVERSAMPLE, rc = 0;
  double *val = NULL, *Z = NULL, *Y = NULL, *A = NULL, *ev = NULL, *W = NULL, *dn = NULL;
  int *ord = NULL;
  uint64_t seed = 0x9E3779B97F4A7C15ull;
  if (n < LSA_MIN_DOCS || k < 1) return 0;
  if (l > n) l = n;
  if (!(val = malloc(((size_t)s->nposts + 1) * sizeof *val)) || !(Z = malloc((size_t)n * l * sizeof *Z)) ||
      !(Y = malloc(((size_t)nterms * l + 1) * sizeof *Y)) || !(A = malloc((size_t)l * l * sizeof *A)) ||
      !(ev = malloc((size_t)l * sizeof *ev)) || !(W = malloc((size_t)l * l * sizeof *W)) ||
      !(dn = calloc((size_t)n, sizeof *dn)) || !(ord = malloc((size_t)l * sizeof *ord))) {
    rc = MG_ENOMEM;
    goto out;
  }
  for (int t = 0; t < nterms; t++) {
    int df = s->off[t + 1] - s->off[t];
    double idf = log((double)n / df);
    for (int j = s->off[t]; j < s->off[t + 1]; j++) {
      double tfw = 0;
      for (int f = 0; f < NF; f++) tfw += (f == NF - 1 ? LSA_ANSWER_W : default_params.w[f]) * s->posts[j].tf[f];
      val[j] = df < 2 ? 0 : log(1 + tfw) * idf;
      dn[s->posts[j].doc] += val[j] * val[j];
    }
  }
  for (int j = 0; j < s->nposts; j++)
    if (dn[s->posts[j].doc] > 0) val[j] /= sqrt(dn[s->posts[j].doc]);
  for (size_t i = 0; i < (size_t)n * l; i++) Z[i] = (double)(xorshift(&seed) >> 11) / 9007199254740992.0 - 0.5;
  for (int it = 0;; it++) {
    orthonormalise(Z, n, l);
    for (int c = 0; c < l; c++) { /* Y = X Z */
      const double *z = Z + (size_t)c * n;
      double *y = Y + (size_t)c * nterms;
      for (int t = 0; t < nterms; t++) {
        double acc = 0;
        for (int j = s->off[t]; j < s->off[t + 1]; j++) acc += val[j] * z[s->posts[j].doc];
        y[t] = acc;
      }
    }
    if (it == LSA_ITERS) break;
    memset(Z, 0, (size_t)n * l * sizeof *Z);
    for (int c = 0; c < l; c++) { /* Z = X^T Y */
      double *z = Z + (size_t)c * n;
      const double *y = Y + (size_t)c * nterms;
      for (int t = 0; t < nterms; t++)
        for (int j = s->off[t]; j < s->off[t + 1]; j++) z[s->posts[j].doc] += val[j] * y[t];
    }
  }
  for (int a = 0; a < l; a++)
    for (int b = a; b < l; b++) {
      const double *ya = Y + (size_t)a * nterms, *yb = Y + (size_t)b * nterms;
      double dot = 0;
      for (int t = 0; t < nterms; t++) dot += ya[t] * yb[t];
      A[a * l + b] = A[b * l + a] = dot;
    }
  jacobi(A, l, ev, W);
  for (int i = 0; i < l; i++) ord[i] = i;
  for (int i = 0; i < l; i++) /* the k largest eigenvalues first */
    for (int j = i + 1; j < l; j++)
      if (ev[ord[j]] > ev[ord[i]]) { int x = ord[i]; ord[i] = ord[j]; ord[j] = x; }
  if (!(s->lsa_t = calloc((size_t)nterms * k + 1, sizeof *s->lsa_t)) || !(s->lsa_d = calloc((size_t)n * k, sizeof *s->lsa_d))) {
    rc = MG_ENOMEM;
    goto out;
  }
  for (int c = 0; c < k; c++) {
    int e = ord[c];
    double sg = ev[e] > 0 ? sqrt(ev[e]) : 0;
    for (int t = 0; sg > 0 && t < nterms; t++) {
      double u = 0;
      for (int a = 0; a < l; a++) u += Y[(size_t)a * nterms + t] * W[a * l + e];
      s->lsa_t[(size_t)t * k + c] = (float)(u / sg);
    }
    for (int d = 0; d < n; d++) {
      double v = 0;
      for (int a = 0; a < l; a++) v += Z[(size_t)a * n + d] * W[a * l + e];
      s->lsa_d[(size_t)d * k + c] = (float)(v * sg);
    }
  }
  for (int d = 0; d < n; d++) {
    float *v = s->lsa_d + (size_t)d * k;
    double nn = 0;
    for (int c = 0; c < k; c++) nn += (double)v[c] * v[c];
    nn = sqrt(nn);
    for (int c = 0; nn > 0 && c < k; c++) v[c] = (float)(v[c] / nn);
  }
  s->lsa_k = k;
out:
  free(val);
  free(Z);
  free(Y);
  free(A);
  free(ev);
  free(W);
  free(dn);
  free(ord);
  return rc;
}

static int build_phrasings(struct snap *s, sqlite3 *db, mg_lang *lang, char *err);
static int build_thesaurus(struct snap *s, sqlite3 *db, mg_lang *lang, char *err);
static int build_learned(struct snap *s, sqlite3 *db, mg_lang *lang, char *err);
static int build_cotaught(struct snap *s, sqlite3 *db, char *err);

/* ---- related titles ------------------------------------------------------- */

struct rinst { int term, doc, tf, dir; };

static int cmp_rinst(const void *a, const void *b) {
  const struct rinst *x = a, *y = b;
  if (x->term != y->term) return x->term < y->term ? -1 : 1;
  return (x->doc > y->doc) - (x->doc < y->doc);
}

/* The related-titles postings: for each published entry, the question-field
 * terms (from the forward index) of each published entry it lists, itself
 * and repeats left out. Ids that are not published are skipped, as the
 * answer card skips them. */
static int build_related(struct snap *s, sqlite3 *db, char *err) {
  sqlite3_stmt *st = NULL;
  mg_termmap *ext = faq_termmap_new();
  struct rinst *ri = NULL;
  int rc = 0, n = 0, cap = 0, nterms = faq_termmap_count(s->vocab), *mark = NULL;
  if (!ext || !(s->rel_len[0] = calloc((size_t)s->ndocs + 1, sizeof *s->rel_len[0])) ||
      !(s->rel_len[1] = calloc((size_t)s->ndocs + 1, sizeof *s->rel_len[1])) ||
      !(s->rel_off = calloc((size_t)nterms + 2, sizeof *s->rel_off)) ||
      !(mark = malloc(((size_t)s->ndocs + 1) * sizeof *mark))) {
    rc = mg_errf(err, MG_ENOMEM, "out of memory");
    goto out;
  }
  for (int d = 0; d < s->ndocs; d++) {
    mark[d] = -1;
    if (faq_termmap_put(ext, s->ext[d], (int)strlen(s->ext[d])) != d) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  }
  if (sqlite3_prepare_v2(db, "SELECT f.id, r.related FROM faq f JOIN faq_revision r ON r.id = f.published_rev"
                             " WHERE r.related <> ''", -1, &st, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "engine: %s", sqlite3_errmsg(db));
    goto out;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int d = doc_index(s, sqlite3_column_int64(st, 0)), len = sqlite3_column_bytes(st, 1), any = 0;
    const char *text = (const char *)sqlite3_column_text(st, 1);
    if (d < 0 || !text) continue;
    mark[d] = d; /* never its own */
    for (const char *p = text, *end = text + len; p < end;) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      int l = (int)((nl ? nl : end) - p), r = l > 0 ? faq_termmap_get(ext, p, l) : -1;
      p += l + 1;
      if (r < 0 || mark[r] == d) continue; /* unpublished, unknown, repeated or its own */
      mark[r] = d;
      any = 1;
      /* r's title into d (d lists r), d's title into r (r is listed by d) */
      for (int dir = 0; dir < 2; dir++) {
        int from = dir ? d : r, to = dir ? r : d;
        for (int j = s->foff[from]; j < s->foff[from + 1]; j++) {
          int tf = s->posts[s->fpost[j]].tf[0];
          if (!tf) continue;
          if (n == cap) {
            int c = cap ? cap * 2 : 4096;
            struct rinst *a = realloc(ri, (size_t)c * sizeof *a);
            if (!a) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
            ri = a, cap = c;
          }
          ri[n++] = (struct rinst){ s->fterm[j], to, tf, dir };
          s->rel_len[dir][to] += (float)tf;
        }
      }
    }
    s->nrel += any;
  }
  if (rc != SQLITE_DONE) { rc = mg_errf(err, MG_EDB, "engine: %s", sqlite3_errmsg(db)); goto out; }
  rc = 0;
  if (n > 0) qsort(ri, (size_t)n, sizeof *ri, cmp_rinst); /* ri is NULL when no entry lists another */
  if (!(s->rel_posts = malloc(((size_t)n + 1) * sizeof *s->rel_posts))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  for (int i = 0, m = 0; i < n; i++) {
    if (m == 0 || ri[i].term != ri[i - 1].term || ri[i].doc != ri[i - 1].doc) {
      memset(&s->rel_posts[m], 0, sizeof s->rel_posts[0]);
      s->rel_posts[m++].doc = ri[i].doc;
      s->rel_off[ri[i].term + 1]++;
    }
    int tf = s->rel_posts[m - 1].tf[ri[i].dir] + ri[i].tf;
    s->rel_posts[m - 1].tf[ri[i].dir] = (uint16_t)(tf < UINT16_MAX ? tf : UINT16_MAX);
  }
  for (int t = 0; t < nterms; t++) s->rel_off[t + 1] += s->rel_off[t];
  for (int k = 0; k < 2; k++) {
    double sum = 0;
    for (int d = 0; d < s->ndocs; d++) sum += s->rel_len[k][d];
    s->rel_avg[k] = s->ndocs && sum > 0 ? sum / s->ndocs : 1;
  }
out:
  sqlite3_finalize(st);
  faq_termmap_free(ext);
  free(mark);
  free(ri);
  return rc;
}

static int build(struct snap **out, sqlite3 *db, mg_lang *lang, char *err) {
  struct snap *s = calloc(1, sizeof *s);
  sqlite3_stmt *st = NULL;
  int rc = 0, cap = 0, pcap = 0, ocap = 0, nterms = 0, last_term = -1, last_doc = -1;

  *out = NULL;
  if (!s || !(s->vocab = faq_termmap_new())) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  s->refs = 1;

  /* documents: the published entries, by rowid */
  if (sqlite3_prepare_v2(db, "SELECT id, ext_id FROM faq WHERE published_rev IS NOT NULL ORDER BY id",
                         -1, &st, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "engine: %s", sqlite3_errmsg(db));
    goto out;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (s->ndocs == cap) {
      cap = cap ? cap * 2 : 256;
      int64_t *r = realloc(s->rowid, (size_t)cap * sizeof *r);
      if (r) s->rowid = r;
      char(*x)[64] = realloc(s->ext, (size_t)cap * sizeof *x);
      if (x) s->ext = x;
      if (!r || !x) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
    }
    s->rowid[s->ndocs] = sqlite3_column_int64(st, 0);
    snprintf(s->ext[s->ndocs], sizeof s->ext[0], "%s", (const char *)sqlite3_column_text(st, 1));
    s->ndocs++;
  }
  if (rc != SQLITE_DONE) { rc = mg_errf(err, MG_EDB, "engine: %s", sqlite3_errmsg(db)); goto out; }
  rc = 0;
  sqlite3_finalize(st);
  st = NULL;
  for (int f = 0; f < NF; f++)
    if (!(s->len[f] = calloc((size_t)(s->ndocs ? s->ndocs : 1), sizeof(float)))) {
      rc = mg_errf(err, MG_ENOMEM, "out of memory");
      goto out;
    }

  /* postings, straight from the FTS5 index */
  if (sqlite3_exec(db, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.mg_engine_vocab"
                       " USING fts5vocab(main, faq_fts, instance)", NULL, NULL, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "engine: fts5vocab: %s", sqlite3_errmsg(db));
    goto out;
  }
  if (sqlite3_prepare_v2(db, "SELECT term, doc, col FROM temp.mg_engine_vocab", -1, &st, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "engine: %s", sqlite3_errmsg(db));
    goto out;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *term = (const char *)sqlite3_column_text(st, 0);
    int tlen = sqlite3_column_bytes(st, 0);
    int d = doc_index(s, sqlite3_column_int64(st, 1));
    int f = field_index(sqlite3_column_text(st, 2));
    int t;
    if (d < 0 || f < 0) continue; /* an entry unpublished since: skip */
    /* rows arrive ordered by term, then doc: a new term is a new list */
    if (last_term < 0 || faq_termmap_count(s->vocab) == 0 ||
        tlen != (int)strlen(faq_termmap_key(s->vocab, last_term, NULL)) ||
        memcmp(term, faq_termmap_key(s->vocab, last_term, NULL), (size_t)tlen) != 0) {
      if ((t = faq_termmap_put(s->vocab, term, tlen)) < 0) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
      if (t != nterms) { rc = mg_errf(err, MG_EDB, "engine: index terms out of order"); goto out; }
      if (nterms + 2 > ocap) {
        ocap = ocap ? ocap * 2 : 4096;
        int *o = realloc(s->off, (size_t)ocap * sizeof *o);
        if (!o) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
        s->off = o;
      }
      s->off[nterms++] = s->nposts;
      last_term = t;
      last_doc = -1;
    }
    if (d != last_doc) {
      if (s->nposts == pcap) {
        pcap = pcap ? pcap * 2 : 65536;
        struct posting *p = realloc(s->posts, (size_t)pcap * sizeof *p);
        if (!p) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
        s->posts = p;
      }
      memset(&s->posts[s->nposts], 0, sizeof s->posts[0]);
      s->posts[s->nposts++].doc = d;
      last_doc = d;
    }
    if (s->posts[s->nposts - 1].tf[f] < UINT16_MAX) s->posts[s->nposts - 1].tf[f]++;
    s->len[f][d] += 1;
  }
  if (rc != SQLITE_DONE) { rc = mg_errf(err, MG_EDB, "engine: %s", sqlite3_errmsg(db)); goto out; }
  rc = 0;
  if (!s->off && !(s->off = malloc(sizeof *s->off))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  s->off[nterms] = s->nposts;
  for (int f = 0; f < NF; f++) {
    double sum = 0;
    for (int d = 0; d < s->ndocs; d++) sum += s->len[f][d];
    s->avg[f] = s->ndocs ? sum / s->ndocs : 0;
    if (s->avg[f] <= 0) s->avg[f] = 1;
  }
  if ((rc = build_forward(s, nterms)) != 0 || (rc = build_compounds(s, nterms)) != 0 ||
      (rc = build_forms(s, nterms)) != 0 ||
      (rc = build_lsa(s, nterms)) != 0 || (rc = build_deletions(s, nterms)) != 0 ||
      (rc = build_folded(s, nterms)) != 0) {
    mg_errf(err, rc, "out of memory");
    goto out;
  }
  sqlite3_finalize(st);
  st = NULL;
  if ((rc = build_bigrams(s, db, err)) != 0 || (rc = build_phrasings(s, db, lang, err)) != 0 ||
      (rc = build_related(s, db, err)) != 0 || (rc = build_thesaurus(s, db, lang, err)) != 0 ||
      (rc = build_learned(s, db, lang, err)) != 0 || (rc = build_cotaught(s, db, err)) != 0)
    goto out;
  *out = s;
  s = NULL;
out:
  sqlite3_finalize(st);
  snap_free(s);
  return rc;
}

/* ---- engine --------------------------------------------------------------- */

static int read_versions(sqlite3 *db, int *data_version) {
  sqlite3_stmt *st = NULL;
  int v = -1;
  if (sqlite3_prepare_v2(db, "PRAGMA data_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  *data_version = v;
  return v < 0 ? -1 : 0;
}

int faq_engine_new(mg_engine **out, mg_lang *lang, sqlite3 *db, const mg_config *cfg, char *err) {
  mg_engine *e = calloc(1, sizeof *e);
  int rc;
  *out = NULL;
  if (!e) return mg_errf(err, MG_ENOMEM, "out of memory");
  pthread_mutex_init(&e->mu, NULL);
  pthread_mutex_init(&e->refresh_mu, NULL);
  e->lang = lang;
  e->cfg = *cfg;
  e->p = default_params;
  if ((rc = faq_signature(db, e->signature, sizeof e->signature, err)) != 0 || (rc = build(&e->cur, db, lang, err)) != 0) {
    faq_engine_free(e);
    return rc;
  }
  *out = e;
  return 0;
}

void faq_engine_free(mg_engine *e) {
  if (!e) return;
  snap_release(e, e->cur);
  pthread_mutex_destroy(&e->mu);
  pthread_mutex_destroy(&e->refresh_mu);
  free(e);
}

int faq_engine_size(mg_engine *e) {
  struct snap *s = snap_acquire(e);
  int n = s ? s->ndocs : 0;
  snap_release(e, s);
  return n;
}

/* Append the katakana term t to out (space-separated, *o bytes used). */
static int put_reading(const struct snap *s, int t, char *out, size_t cap, size_t *o) {
  int l;
  const char *k = faq_termmap_key(s->vocab, t, &l);
  if (!k || *o + (size_t)l + 2 > cap) return 0;
  if (*o) out[(*o)++] = ' ';
  memcpy(out + *o, k, (size_t)l);
  *o += (size_t)l;
  out[*o] = '\0';
  return 1;
}

struct one_word { const struct snap *s; int words, known; };

static int count_word(void *ctx, const char *term, int len, int start, int end, int flags) {
  struct one_word *c = ctx;
  (void)start, (void)end;
  if (flags & (MG_TOK_SYNONYM | MG_TOK_READING | MG_TOK_PART)) return 0;
  c->words++;
  c->known += faq_termmap_get(c->s->vocab, term, len) >= 0;
  return 0;
}

int faq_engine_spell_kana(mg_engine *e, mg_analyzer *an, const char *kana, int len, char *out, size_t cap) {
  struct snap *s = snap_acquire(e);
  char k[256];
  size_t o = 0;
  int found = 0;
  if (cap) out[0] = '\0';
  if (!s || len <= 0 || len >= (int)sizeof k || cap < 2) goto done;
  if (an) { /* one word the FAQ knows as it is written (ほいくえん → 保育園, by the variants): itself */
    struct one_word c = { s, 0, 0 };
    if (faq_analyze(an, kana, len, count_word, &c) >= 0 && c.words == 1 && c.known == 1) goto done;
  }
  memcpy(k, kana, (size_t)len);
  k[len] = '\0';
  mg_utf8_hira_to_kata(k, (size_t)len);
  if (!all_kata(k, len)) goto done;
  for (int i = 0; i < len;) {
    int best = 0, exact = -1, folded = -1;
    /* the longest piece that is a reading, as spelled or with its long
     * vowels left out (romaji rarely marks them: shomei is 証明's
     * ショウメイ as well as 署名's ショメイ — both are asked) */
    for (int l = len - i; l >= 6 && !best; l -= 3) {
      exact = faq_termmap_get(s->vocab, k + i, l);
      folded = folded_lookup(s, k + i, l);
      if (exact >= 0 || folded >= 0) best = l;
    }
    if (!best) { found = 0; o = 0; out[0] = '\0'; break; } /* a piece no reading spells: not the FAQ's word */
    if (exact >= 0) found += put_reading(s, exact, out, cap, &o);
    if (folded >= 0 && folded != exact) found += put_reading(s, folded, out, cap, &o);
    i += best;
  }
done:
  snap_release(e, s);
  return found;
}

int faq_engine_refresh_ex(mg_engine *e, sqlite3 *db, mg_engine_seen *seen, int *rebuilt, char *err) {
  char sig[128];
  int dv, tc = sqlite3_total_changes(db), rc = 0;
  struct snap *s = NULL, *old;
  if (rebuilt) *rebuilt = 0;
  /* nothing committed anywhere since this connection last looked: done */
  if (read_versions(db, &dv) != 0) dv = -1;
  if (seen && seen->valid && dv >= 0 && dv == seen->data_version && tc == seen->total_changes) return 0;
  if (seen && seen->background) {
    /* a background refresh never waits for another refresher: that one
     * builds, and this connection looks again next time */
    if (pthread_mutex_trylock(&e->refresh_mu) != 0) return 0;
  } else {
    pthread_mutex_lock(&e->refresh_mu);
  }
  if ((rc = faq_signature(db, sig, sizeof sig, err)) != 0) goto out;
  if (seen) seen->valid = dv >= 0, seen->data_version = dv, seen->total_changes = tc;
  if (strcmp(sig, e->signature) == 0) goto out; /* other tables changed, or another refresher was first */
  if (faq_io_importing(db)) {
    /* an import is being written in chunks: build once it is done or undone */
    if (seen) seen->valid = 0;
    goto out;
  }
  if ((rc = build(&s, db, e->lang, err)) != 0) goto out;
  snprintf(e->signature, sizeof e->signature, "%s", sig);
  pthread_mutex_lock(&e->mu);
  old = e->cur;
  e->cur = s;
  pthread_mutex_unlock(&e->mu);
  snap_release(e, old);
  if (rebuilt) *rebuilt = 1;
out:
  pthread_mutex_unlock(&e->refresh_mu);
  return rc;
}

int faq_engine_refresh(mg_engine *e, sqlite3 *db, char *err) {
  return faq_engine_refresh_ex(e, db, NULL, NULL, err);
}

int faq_engine_set_param(mg_engine *e, const char *name, double v, char *err) {
  struct params *p = &e->p;
  static const char *const scalar[] = { "k1", "syn_w", "cov_w", "verb_w", "ans_cov", "cmp_w", "prf_w", "read_w", "bg_w", "bg_b", "unk_w", "ev_min", "cov_pow", "part_w",
                                        "place_pen", "lsa_w", "typo_w", "kana_w", "kana_cover", "nn_w", "nn_pow", "nn_min",
                                        "rel_w", "rel_b", "rel_in_w", "unk_sub_w", "th_w", "th_ratio", "w_learned", "b_learned", "pop_w", "vn_w", "co_w",
                                        "else_w" };
  double *slot[] = { &p->k1, &p->syn_w, &p->cov_w, &p->verb_w, &p->ans_cov, &p->cmp_w, &p->prf_w, &p->read_w,
                     &p->bg_w, &p->bg_b, &p->unk_w, &p->ev_min, &p->cov_pow, &p->part_w,
                     &p->place_pen, &p->lsa_w, &p->typo_w, &p->kana_w, &p->kana_cover, &p->nn_w, &p->nn_pow, &p->nn_min,
                     &p->rel_w, &p->rel_b, &p->rel_in_w, &p->unk_sub_w, &p->th_w, &p->th_ratio, &p->w_learned, &p->b_learned, &p->pop_w, &p->vn_w, &p->co_w,
                     &p->else_w };
  static const char *const ints[] = { "cmp_parents", "prf_docs", "prf_terms", "lsa_top", "th_maxdf", "th_min", "vn_cov", "co_top" };
  int *islot[] = { &p->cmp_parents, &p->prf_docs, &p->prf_terms, &p->lsa_top, &p->th_maxdf, &p->th_min, &p->vn_cov, &p->co_top };
  for (size_t i = 0; i < sizeof scalar / sizeof scalar[0]; i++)
    if (strcmp(name, scalar[i]) == 0) { *slot[i] = v; return 0; }
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
    if (strcmp(name, ints[i]) == 0) { *islot[i] = (int)v; return 0; }
  for (int f = 0; f < NF; f++) {
    char n[32];
    snprintf(n, sizeof n, "w_%s", field_names[f]);
    if (strcmp(name, n) == 0) { p->w[f] = v; return 0; }
    snprintf(n, sizeof n, "b_%s", field_names[f]);
    if (strcmp(name, n) == 0) { p->b[f] = v; return 0; }
  }
  return mg_errf(err, MG_EINVAL, "unknown engine parameter \"%s\"", name);
}

void faq_engine_set_thresholds(mg_engine *e, const mg_config *cfg) {
  e->cfg.answer_min = cfg->answer_min;
  e->cfg.clarify_min = cfg->clarify_min;
  e->cfg.clarify_margin = cfg->clarify_margin;
}

const char *faq_decision_name(enum mg_decision d) {
  switch (d) {
  case MG_DECISION_ANSWER: return "answer";
  case MG_DECISION_CLARIFY: return "clarify";
  default: return "no_answer";
  }
}

/* ---- search --------------------------------------------------------------- */

#define MAX_QTERMS 128

enum qkind { Q_QUERY, Q_SYNONYM, Q_COMPOUND, Q_PRF, Q_READING, Q_PART, Q_LEARNED, Q_FORM, Q_ELSE };
static const char *const qkind_names[] = { "query", "synonym", "compound", "feedback", "reading", "part", "learned", "form", "elsewhere" };

/* A form standing for a question's word that the FAQ never uses (近い as
 * 近く): met, it counts as that word met (the decision's coverage). */
#define QF_STANDIN 0x10000

struct qterm {
  char text[96];
  int len;
  int id;          /* vocabulary id, -1 when unknown to the FAQ */
  double w;        /* query weight (repeats, part of speech, expansion) */
  double idf;
  enum qkind kind;
  int flags;
};

struct query {
  struct qterm t[MAX_QTERMS];
  int n;
  const struct params *p;
  const struct snap *s;
  json_t *tokens;  /* explain: the analysed terms, or NULL */
  double kana_cover; /* kana-only question: share of its kana the readings covered (else -1) */
};

/* Add a term (or strengthen it). Expansion never overrides the question's
 * own terms; a repeated question word counts with diminishing weight. */
static void add_qterm(struct query *q, const char *term, int len, double w, enum qkind kind, int flags) {
  for (int i = 0; i < q->n; i++) {
    struct qterm *t = &q->t[i];
    if (t->len != len || memcmp(t->text, term, (size_t)len) != 0) continue;
    if (kind == Q_QUERY && t->kind == Q_QUERY) t->w += w * 0.5;
    else if (kind == Q_QUERY || (t->kind != Q_QUERY && w > t->w)) { t->w = w; t->kind = kind; t->flags = flags; }
    return;
  }
  if (q->n == MAX_QTERMS || len >= (int)sizeof q->t[0].text) return;
  struct qterm *t = &q->t[q->n++];
  memcpy(t->text, term, (size_t)len);
  t->text[len] = '\0';
  t->len = len;
  t->w = w;
  t->kind = kind;
  t->flags = flags;
  t->id = faq_termmap_get(q->s->vocab, term, len);
}

static void add_qterm_id(struct query *q, int id, double w, enum qkind kind) {
  int len;
  const char *k = faq_termmap_key(q->s->vocab, id, &len);
  if (k) add_qterm(q, k, len, w, kind, MG_TOK_NOUN);
}

static int on_token(void *ctx, const char *term, int len, int start, int end, int flags) {
  struct query *q = ctx;
  double w = (flags & MG_TOK_VERB) ? q->p->verb_w : 1.0;
  if (flags & MG_TOK_READING) {
    if (q->p->read_w > 0) add_qterm(q, term, len, q->p->read_w, Q_READING, flags);
    return 0;
  }
  if (flags & MG_TOK_PART) {
    if (q->p->part_w > 0) add_qterm(q, term, len, q->p->part_w, Q_PART, flags);
    return 0;
  }
  if (q->tokens) json_array_append_new(q->tokens, json_stringn(term, (size_t)len));
  if (faq_termmap_get(q->s->vocab, term, len) < 0) {
    /* katakana the FAQ does not know may be a word it knows without its long vowels */
    int f = folded_lookup(q->s, term, len), fl;
    const char *fk = f >= 0 ? faq_termmap_key(q->s->vocab, f, &fl) : NULL;
    if (fk) term = fk, len = fl;
  }
  add_qterm(q, term, len, w, Q_QUERY, flags);
  return 0;
}

/* Byte spans of the nouns MeCab found in the analysed text (a spaced kana
 * question's short readings must be one of them). */
#define KANA_NOUNS 64
struct kana_nouns { int off[KANA_NOUNS], len[KANA_NOUNS], n; };

static int kana_noun(void *ctx, const mg_morph *m) {
  struct kana_nouns *kn = ctx;
  if (m->pos == MG_POS_NOUN && !m->pronoun && !m->suffix && kn->n < KANA_NOUNS)
    kn->off[kn->n] = m->off, kn->len[kn->n++] = m->surface_len;
  return 0;
}

static int kana_is_noun(const struct kana_nouns *kn, int off, int len) {
  for (int i = 0; i < kn->n; i++)
    if (kn->off[i] == off && kn->len[i] == len) return 1;
  return 0;
}

/* A question written only in kana (じゅうみんひょうってどこでとれるの)
 * defeats MeCab's segmentation, but the index holds the katakana reading
 * of every noun: cut the question, in katakana, into the longest readings
 * the FAQ knows (two characters at least) and ask with those; the pieces
 * MeCab made of it that the FAQ does not know are dropped. Returns the
 * number of readings found. */
#define KANA_MAX_CHARS 12

/* The longest reading the FAQ knows at byte i of katakana k (tlen bytes),
 * two characters at least: its length in bytes, *term the term it spells
 * without its long vowels (or -1 when it is the reading itself). */
static int kana_best(const struct query *q, const char *k, int tlen, int i, int *term) {
  int best = 0, end = i;
  *term = -1;
  if (!mg_utf8_is_kata(k, (size_t)tlen, (size_t)i)) return 0;
  for (int n = 0; n < KANA_MAX_CHARS && mg_utf8_is_kata(k, (size_t)tlen, (size_t)end); n++) end += 3;
  for (int l = end - i; l >= 6 && !best; l -= 3)
    if (faq_termmap_get(q->s->vocab, k + i, l) >= 0) best = l;
  /* a longer reading the question spells without its long vowels
   * (ジュミンヒョ is 住民票's, not ジュ + ミン); four characters at
   * least, as a run of kana has no word boundaries: ノトウ would be
   * ノート and take トウヒョウジョ's first kana */
  for (int l = end - i; l >= 12 && l > best && *term < 0; l -= 3)
    if ((*term = folded_lookup(q->s, k + i, l)) >= 0) best = l;
  return best;
}

/* A word of its own between spaces that is only a particle (は, が, の …):
 * learners write them apart, and they are no part of the question's
 * content for the coverage. */
static int kana_particle(const char *k, int n) {
  static const char *const p[] = { "ハ", "ガ", "ヲ", "ニ", "ノ", "デ", "ト", "モ", "ヘ", "ヤ", "カ", "ネ", "ヨ", "カラ", "マデ", "ヨリ", "ッテ" };
  for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
    if ((int)strlen(p[i]) == n && memcmp(k, p[i], (size_t)n) == 0) return 1;
  return 0;
}

/* A question written only in kana (じゅうみんひょうってどこでとれるの)
 * defeats MeCab's segmentation, but the index holds the katakana reading
 * of every noun: cut the question, in katakana, into the longest readings
 * the FAQ knows (two characters at least) and ask with those; the pieces
 * MeCab made of it that the FAQ does not know are dropped. Returns the
 * number of readings found.
 * Written with spaces between words, as learners of Japanese write
 * (ごみ　の　わけかた), the spaces are word boundaries: a reading of two
 * characters follows another reading or is a noun MeCab found at that
 * place (みちに, おおきいあな; ツマ inside いつまでに is no wife, トリ of とりに
 * a verb), one of three or more may sit inside a word (ヨウビ in なんようび);
 * an honorific お/ご before a word is passed over when the word is longer
 * without it (おやすみ is ヤスミ, not オヤ); a word that is only a
 * particle does not count in the coverage. Words variants.tsv wrote in
 * kanji (てつづき → 手続き) count as covered. */
static int kana_readings(struct query *q, mg_analyzer *an, const char *text, int len) {
  int tlen, found = 0, kana = 0, covered = 0, spaces = 0, after = 0, strong = 0, words = 0, wcovered = 0, wcur = 0;
  struct kana_nouns kn = { .n = 0 };
  const char *t = faq_analyzer_text(an, &tlen);
  char *k;
  /* the resident's own text decides: variants.tsv may have written a
   * word of it in kanji (てつづき → 手続き), and the rest is still kana */
  int mixed = mg_utf8_has_kanji(text, (size_t)len);
  if (q->p->kana_w <= 0 || tlen < 12 || !(k = malloc((size_t)tlen + 1))) return 0;
  memcpy(k, t, (size_t)tlen + 1);
  mg_utf8_hira_to_kata(k, (size_t)tlen);
  for (int i = 1; i + 3 < tlen; i++)
    if (k[i] == ' ' && mg_utf8_is_kata(k, (size_t)tlen, (size_t)i + 1) && i >= 3 && mg_utf8_is_kata(k, (size_t)tlen, (size_t)i - 3))
      spaces++;
  /* kanji in the message: only a spaced one's words in kana are read
   * (在留カード の じゅうしょ かえたい), by readings of three characters or
   * more that start the word; MeCab has read the rest */
  if (mixed && spaces < 2) { free(k); return 0; }
  if (spaces >= 2 && faq_analyze_morphs(an, text, len, kana_noun, &kn) < 0) kn.n = 0;
  for (int i = 0; i < tlen;) {
    int best = 0, term = -1, word = i == 0 || k[i - 1] == ' ';
    if (spaces >= 2 && word) {
      int w = i;
      while (w < tlen && k[w] != ' ') w++;
      if (kana_particle(k + i, w - i)) { i = w; after = 0; continue; }
      words++, wcur = 0;
      if (mixed && (w - i < 9 || mg_utf8_has_kanji(k + i, (size_t)(w - i)))) { i = w < tlen ? w + 1 : w; continue; }
    }
    if (mixed && !word) { i += mg_utf8_seqlen((unsigned char)k[i]); continue; }
    best = kana_best(q, k, tlen, i, &term);
    if (spaces >= 2 && word && best < 9 && mg_utf8_is_kata(k, (size_t)tlen, (size_t)i) &&
        (memcmp(k + i, "オ", 3) == 0 || memcmp(k + i, "ゴ", 3) == 0)) {
      int t2, b2 = kana_best(q, k, tlen, i + 3, &t2);
      if (b2 && 3 + b2 > best) { kana++; i += 3; best = b2, term = t2; word = 1; }
    }
    if (mixed && best < 9) best = 0, term = -1;
    /* a short reading (two characters) is a noun MeCab found there too
     * (みちに, おおきいあな), not a verb's stem (とりに, いきたい) or a run
     * inside another word (ツマ in いつまでに, シタ in うまれました) */
    if (spaces >= 2 && best && best < 9 && !after && !kana_is_noun(&kn, i, best)) best = 0, term = -1;
    if (mg_utf8_is_kata(k, (size_t)tlen, (size_t)i)) kana += best ? best / 3 : 1;
    else if (mg_utf8_has_kanji(k + i, (size_t)mg_utf8_seqlen((unsigned char)k[i]))) {
      /* a word variants.tsv wrote in kanji: the whole word between spaces,
       * else its kanji (赤ちゃん) */
      int w = i, n = 0;
      if (spaces >= 2) {
        while (w < tlen && k[w] != ' ') w += mg_utf8_seqlen((unsigned char)k[w]), n++;
        kana += n, covered += n, i = w, after = 1, strong = 1;
        if (!wcur) wcovered++, wcur = 1;
        continue;
      }
      kana++, covered++, strong = 1;
    }
    after = best > 0;
    if (spaces >= 2 && word && best >= 9) strong = 1;
    if (spaces >= 2 && best && !wcur) wcovered++, wcur = 1;
    if (best && term >= 0) {
      add_qterm_id(q, term, q->p->kana_w, Q_QUERY);
      found++;
      covered += best / 3;
      i += best;
    } else if (best) {
      add_qterm(q, k + i, best, q->p->kana_w, Q_QUERY, MG_TOK_NOUN);
      found++;
      covered += best / 3;
      i += best;
    } else {
      i += mg_utf8_seqlen((unsigned char)k[i]);
    }
  }
  free(k);
  if (mixed) return found; /* no coverage asked of a message MeCab has read */
  q->kana_cover = kana ? (double)covered / kana : 0;
  /* written with spaces, the share of its words (particles apart) that hold
   * a reading, two at least (みちに おおきいあな: the verbs and endings are
   * long words) */
  if (spaces >= 2 && wcovered >= 2 && (double)wcovered / words > q->kana_cover) q->kana_cover = (double)wcovered / words;
  /* a word variants.tsv knows (じゅうみんひょう), or, written with spaces,
   * one that starts with a reading of three characters or more (トショカン,
   * ネンキン), is a word the FAQ knows, not a chance run of kana: the rest
   * are the sentence's verbs and endings */
  if (strong && q->kana_cover < q->p->kana_cover) q->kana_cover = q->p->kana_cover;
  return found;
}

/* A word the FAQ does not know, one character away from one it does
 * (印艦登録 → 印鑑登録, 離魂届 → 離婚届), is read as that word; the most
 * frequent wins a tie. Returns the term id or -1. */
struct typo_ctx { const struct snap *s; const char *w; int n, best, best_df; };

static int typo_probe(void *ctx, const char *k, int n) {
  struct typo_ctx *x = ctx;
  int key = faq_termmap_get(x->s->dels, k, n);
  if (key < 0 || key >= x->s->del_keys_cap) return 0;
  for (int e = x->s->del_first[key]; e >= 0; e = x->s->del_next[e]) {
    int t = x->s->del_term[e], tl, df;
    const char *tk = faq_termmap_key(x->s->vocab, t, &tl);
    if (!tk || mg_utf8_edit1(x->w, x->n, tk, tl) != 1) continue;
    df = x->s->off[t + 1] - x->s->off[t];
    if (df > x->best_df) x->best = t, x->best_df = df;
  }
  return 0;
}

/* A typo often makes MeCab split the word (印艦登録 → 印 + 艦 + 登録): an
 * unknown one-character piece is joined with its neighbours, and the first
 * window that is one edit from a known word becomes that word. Whole
 * unknown words are left alone: on the benchmark they are real words the
 * FAQ lacks, and "correcting" them cost recall (docs/accuracy.md). */
static void correct_typos(struct query *q) {
  static const int win[][2] = { { -1, 0 }, { 0, 1 }, { -1, 1 }, { -2, 0 }, { 0, 2 } };
  int qi[MAX_QTERMS], nq = 0;
  if (!q->s->dels || q->p->typo_w <= 0) return;
  for (int i = 0; i < q->n; i++)
    if (q->t[i].kind == Q_QUERY) qi[nq++] = i;
  for (int p = 0; p < nq; p++) {
    struct qterm *t = &q->t[qi[p]];
    /* the signature of a typo: a one-character piece the FAQ never uses */
    if (t->id >= 0 || t->w <= 0 || (unsigned char)t->text[0] < 0x80 || mg_utf8_chars(t->text, t->len) != 1) continue;
    for (size_t w = 0; w < sizeof win / sizeof win[0]; w++) {
      int from = p + win[w][0], to = p + win[w][1], n = 0, c, len, ok = from >= 0 && to < nq;
      char buf[sizeof t->text];
      for (int j = from; ok && j <= to; j++) {
        const struct qterm *u = &q->t[qi[j]];
        if (u->w <= 0 || n + u->len >= (int)sizeof buf) ok = 0;
        else memcpy(buf + n, u->text, (size_t)u->len), n += u->len;
      }
      if (!ok || (c = mg_utf8_chars(buf, n)) < 3 || c > 12) continue;
      struct typo_ctx x = { q->s, buf, n, -1, 0 };
      typo_probe(&x, buf, n);
      mg_utf8_deletions(buf, n, typo_probe, &x);
      const char *k = x.best >= 0 ? faq_termmap_key(q->s->vocab, x.best, &len) : NULL;
      if (!k || len >= (int)sizeof t->text) continue;
      struct qterm *first = &q->t[qi[from]];
      memcpy(first->text, k, (size_t)len);
      first->text[len] = '\0';
      first->len = len;
      first->id = x.best;
      first->w = q->p->typo_w;
      for (int j = from + 1; j <= to; j++) q->t[qi[j]].w = 0; /* folded into the correction */
      break;
    }
  }
  /* drop the folded pieces */
  int n = 0;
  for (int i = 0; i < q->n; i++)
    if (q->t[i].w > 0) q->t[n++] = q->t[i];
  q->n = n;
}

struct syn_ctx {
  struct query *q;
  double w;
  int flags;
};

static int on_synonym(void *ctx, const char *term, int len) {
  struct syn_ctx *c = ctx;
  add_qterm(c->q, term, len, c->w, Q_SYNONYM, c->flags);
  return 0;
}

struct acc {
  double score;  /* BM25F (+ the LSA term) */
  double lsa;    /* the LSA term */
  double cov_q;  /* IDF mass matched in question/alternates/keywords */
  double cov_a;  /* IDF mass matched only in the answer */
  double nn;     /* weighted Dice with the entry's nearest phrasing */
  double else_score, else_cov; /* what the words for "elsewhere" add (Q_ELSE): counted only with own */
  int own;       /* one of the question's own words is in the entry */
  int seen;
};

/* Words for "another place" a FAQ uses in its entries about residents who
 * are elsewhere (県外の病院で受診, 遠方に住んでいるので郵送で): a question
 * naming a place the FAQ never does (福岡の病院で払った) meets them, and
 * an entry that asks about elsewhere (one in its question, alternates or
 * keywords, not only in its answer: 児童手当 mentions moving out) and shares
 * a word of the question's own is not scaled down for the foreign place. */
static const char *const else_words[] = { "県外", "県|外", "市外", "遠方", "他県", "他市" };
#define ELSE_PIECES 2

struct scratch {
  struct acc *acc;
  int *touched, ntouched;
  double mass;   /* IDF mass of the question's own terms */
  double unk_w;  /* share of an unknown term's IDF counted in mass */
  int foreign;   /* the question names a place the FAQ never mentions */
  double place_mass; /* the share of mass such places hold: what words for "elsewhere" may stand for */
  double idf_max; /* IDF of a term in one entry */
  int bg[MAX_QTERMS * 2]; /* the question's bigram ids (known ones, distinct) */
  int nbg;
};

struct bg_q {
  const struct snap *s;
  struct scratch *sc;
};

static int bg_query(void *ctx, const int32_t key[2]) {
  struct bg_q *b = ctx;
  int id = faq_termmap_get(b->s->bg, (const char *)key, 2 * sizeof key[0]);
  if (id < 0 || b->sc->nbg == (int)(sizeof b->sc->bg / sizeof b->sc->bg[0])) return 0;
  for (int i = 0; i < b->sc->nbg; i++)
    if (b->sc->bg[i] == id) return 0;
  b->sc->bg[b->sc->nbg++] = id;
  return 0;
}

/* Question character bigrams against the entries' question-side bigrams. */
static void score_bigrams(const struct params *p, const struct snap *s, struct scratch *sc) {
  for (int i = 0; p->bg_w > 0 && i < sc->nbg; i++) {
    int id = sc->bg[i];
    double df = s->bg_off[id + 1] - s->bg_off[id];
    double idf = log(1.0 + (s->ndocs - df + 0.5) / (df + 0.5));
    for (int j = s->bg_off[id]; j < s->bg_off[id + 1]; j++) {
      const struct posting *po = &s->bg_posts[j];
      struct acc *a = &sc->acc[po->doc];
      double tf = po->tf[0] / (1 - p->bg_b + p->bg_b * s->bg_len[po->doc] / s->bg_avg);
      if (!a->seen) { a->seen = 1; sc->touched[sc->ntouched++] = po->doc; }
      a->score += p->bg_w * idf * tf / (p->k1 + tf);
    }
  }
}

/* ---- phrasings ------------------------------------------------------------ */

/* BM25F pools an entry's question and all its alternates into two fields, so
 * an entry with twenty phrasings looks like one long text: a resident's
 * question that repeats one of them nearly word for word earns little more
 * than one that shares a word with each. The phrasing index keeps every
 * line apart — the question and each alternate (the learning loop's accepted
 * phrasings among them) — and the question is compared with each line on
 * its own: a weighted Dice coefficient over the terms both hold (the lesser
 * of the two weight × IDF), 1 for the same words, and the entry keeps its
 * nearest line. The lines are analysed once per snapshot, with the same
 * pipeline as a question. */
struct ph_inst {
  int term, line;
  float w;
};

static int cmp_ph(const void *a, const void *b) {
  const struct ph_inst *x = a, *y = b;
  if (x->term != y->term) return x->term < y->term ? -1 : 1;
  return (x->line > y->line) - (x->line < y->line);
}

static double term_idf(const struct snap *s, int id) {
  double df = s->off[id + 1] - s->off[id];
  return log(1.0 + (s->ndocs - df + 0.5) / (df + 0.5));
}

/* The terms of one line into pi (grown as needed); its mass into line_mass. */
static int add_line(struct snap *s, struct query *q, mg_analyzer *an, int doc, const char *text, int len,
                    struct ph_inst **pi, int *n, int *cap, int *lcap) {
  double mass = 0;
  int line;
  q->n = 0;
  if (faq_analyze(an, text, len, on_token, q) < 0) return MG_ENOMEM;
  if (q->n == 0) return 0;
  if (s->nlines == *lcap) {
    int c = *lcap ? *lcap * 2 : 1024;
    int *ld = realloc(s->line_doc, (size_t)c * sizeof *ld);
    if (ld) s->line_doc = ld;
    float *lm = realloc(s->line_mass, (size_t)c * sizeof *lm);
    if (lm) s->line_mass = lm;
    if (!ld || !lm) return MG_ENOMEM;
    *lcap = c;
  }
  line = s->nlines++;
  for (int i = 0; i < q->n; i++) {
    const struct qterm *t = &q->t[i];
    double wi;
    if (t->id < 0) continue;
    wi = t->w * term_idf(s, t->id);
    if (t->kind == Q_QUERY) mass += wi;
    if (*n == *cap) {
      int c = *cap ? *cap * 2 : 16384;
      struct ph_inst *a = realloc(*pi, (size_t)c * sizeof *a);
      if (!a) return MG_ENOMEM;
      *pi = a;
      *cap = c;
    }
    (*pi)[(*n)++] = (struct ph_inst){ t->id, line, (float)wi };
  }
  s->line_doc[line] = doc;
  s->line_mass[line] = (float)mass;
  return 0;
}

static int build_phrasings(struct snap *s, sqlite3 *db, mg_lang *lang, char *err) {
  mg_analyzer *an = NULL;
  sqlite3_stmt *st = NULL;
  struct query *q = calloc(1, sizeof *q);
  struct ph_inst *pi = NULL;
  int rc, n = 0, cap = 0, lcap = 0, nterms = faq_termmap_count(s->vocab);

  if (!q) return mg_errf(err, MG_ENOMEM, "out of memory");
  q->p = &default_params;
  q->s = s;
  q->kana_cover = -1;
  if ((rc = faq_analyzer_new(&an, lang, err)) != 0) goto out;
  if (sqlite3_prepare_v2(db, "SELECT id, question || char(10) || alternates FROM faq_published", -1, &st, NULL) !=
      SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "engine: %s", sqlite3_errmsg(db));
    goto out;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int d = doc_index(s, sqlite3_column_int64(st, 0)), len = sqlite3_column_bytes(st, 1);
    const char *text = (const char *)sqlite3_column_text(st, 1);
    if (d < 0 || !text) continue;
    for (const char *p = text, *end = text + len; p < end;) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      int l = (int)((nl ? nl : end) - p);
      if (l > 0 && (rc = add_line(s, q, an, d, p, l, &pi, &n, &cap, &lcap)) != 0) {
        mg_errf(err, rc, "out of memory");
        goto out;
      }
      p += l + 1;
    }
  }
  if (rc != SQLITE_DONE) { rc = mg_errf(err, MG_EDB, "engine: %s", sqlite3_errmsg(db)); goto out; }
  rc = 0;
  if (n > 0) qsort(pi, (size_t)n, sizeof *pi, cmp_ph); /* pi is NULL for an empty FAQ */
  if (!(s->ph_off = calloc((size_t)nterms + 2, sizeof *s->ph_off)) ||
      !(s->ph_line = malloc(((size_t)n + 1) * sizeof *s->ph_line)) ||
      !(s->ph_w = malloc(((size_t)n + 1) * sizeof *s->ph_w))) {
    rc = mg_errf(err, MG_ENOMEM, "out of memory");
    goto out;
  }
  for (int i = 0; i < n; i++) {
    s->ph_off[pi[i].term + 1]++;
    s->ph_line[i] = pi[i].line;
    s->ph_w[i] = pi[i].w;
  }
  for (int t = 0; t < nterms; t++) s->ph_off[t + 1] += s->ph_off[t];
out:
  sqlite3_finalize(st);
  faq_analyzer_free(an);
  free(pi);
  free(q);
  return rc;
}

/* The nearest phrasing of every entry the question shares a term with:
 * nn_w × its Dice ^ nn_pow joins the entry's score. */
static int score_phrasings(const struct params *p, const struct snap *s, const struct query *q, struct scratch *sc) {
  float *inter;
  int *lines, nl = 0;
  if (p->nn_w <= 0 || s->nlines == 0 || sc->mass <= 0) return 0;
  if (!(inter = calloc((size_t)s->nlines, sizeof *inter)) || !(lines = malloc((size_t)s->nlines * sizeof *lines))) {
    free(inter);
    return MG_ENOMEM;
  }
  for (int i = 0; i < q->n; i++) {
    const struct qterm *t = &q->t[i];
    double qw = t->w * t->idf;
    if (t->id < 0 || t->kind == Q_PRF || qw <= 0) continue;
    for (int j = s->ph_off[t->id]; j < s->ph_off[t->id + 1]; j++) {
      int l = s->ph_line[j];
      if (inter[l] == 0) lines[nl++] = l;
      inter[l] += (float)(qw < s->ph_w[j] ? qw : s->ph_w[j]);
    }
  }
  for (int i = 0; i < nl; i++) {
    int l = lines[i], d = s->line_doc[l];
    struct acc *a = &sc->acc[d];
    double dice = 2 * inter[l] / (sc->mass + s->line_mass[l]);
    if (dice > 1) dice = 1;
    if (!a->seen) { a->seen = 1; sc->touched[sc->ntouched++] = d; }
    if (dice > a->nn) a->nn = dice;
  }
  for (int i = 0; i < sc->ntouched; i++) {
    struct acc *a = &sc->acc[sc->touched[i]];
    double x = p->nn_min < 1 ? (a->nn - p->nn_min) / (1 - p->nn_min) : 0;
    if (x > 0) a->score += p->nn_w * pow(x, p->nn_pow);
  }
  free(inter);
  free(lines);
  return 0;
}

static double field_tf(const struct params *p, const struct snap *s, const struct posting *po, double *per_field) {
  double tfw = 0;
  for (int f = 0; f < NF; f++) {
    double v = 0;
    int tf = po->tf[f];
    if (f == 1 && po->tfl) { /* learned phrasings, a field of their own */
      v = p->w_learned * po->tfl / (1 - p->b_learned + p->b_learned * s->llen[po->doc] / s->lavg);
      tf -= po->tfl;
    }
    if (tf) v += p->w[f] * tf / (1 - p->b[f] + p->b[f] * s->len[f][po->doc] / s->avg[f]);
    if (per_field) per_field[f] = v;
    tfw += v;
  }
  return tfw;
}

static const struct posting *find_in(const struct posting *posts, int lo, int hi, int doc) {
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    if (posts[mid].doc == doc) return &posts[mid];
    if (posts[mid].doc < doc) lo = mid + 1;
    else hi = mid - 1;
  }
  return NULL;
}

static const struct posting *find_posting(const struct snap *s, int term, int doc) {
  return find_in(s->posts, s->off[term], s->off[term + 1] - 1, doc);
}

/* Term's posting in document doc's related titles, or NULL. */
static const struct posting *find_rel_posting(const struct snap *s, int term, int doc) {
  return s->rel_posts ? find_in(s->rel_posts, s->rel_off[term], s->rel_off[term + 1] - 1, doc) : NULL;
}

/* A question naming a place the FAQ never does also asks with the FAQ's
 * words for "elsewhere" (else_words), at else_w: an entry that has one
 * counts them only when it has one of the question's own words too (rank). */
static void add_elsewhere(const struct params *p, const struct snap *s, struct query *q, const char *text, int len) {
  static const char *const suffix[] = { "市", "区", "町", "村", "都", "府", "県" };
  int foreign = 0;
  for (int i = 0; i < q->n; i++) {
    const struct qterm *t = &q->t[i];
    if (t->kind != Q_QUERY || t->id >= 0 || !(t->flags & MG_TOK_PLACE)) continue;
    foreign = 1;
    /* a municipality named as one (今治市, 品川区, 東京都): what the
     * question asks is that town's matter, not ours */
    for (const char *m = text; (m = memmem(m, (size_t)(text + len - m), t->text, (size_t)t->len)) != NULL; m += t->len)
      for (size_t k = 0; k < sizeof suffix / sizeof suffix[0]; k++)
        if (m + t->len + 3 <= text + len && memcmp(m + t->len, suffix[k], 3) == 0) return;
  }
  if (!foreign || p->else_w <= 0) return;
  /* a word the analysis cuts (県外 is 県 + 外 in IPADIC) is listed by its
   * pieces too, as 県|外 */
  for (size_t k = 0; k < sizeof else_words / sizeof else_words[0]; k++) {
    int ids[ELSE_PIECES], n = 0, ok = 1;
    for (const char *w = else_words[k]; *w && ok; n++) {
      const char *bar = strchr(w, '|');
      int len = bar ? (int)(bar - w) : (int)strlen(w);
      ok = n < ELSE_PIECES && (ids[n] = faq_termmap_get(s->vocab, w, len)) >= 0;
      w += len + (bar != NULL);
    }
    for (int j = 0; ok && j < n; j++) add_qterm_id(q, ids[j], p->else_w / n, Q_ELSE);
  }
}

static void set_idf(const struct snap *s, struct query *q, struct scratch *sc) {
  sc->mass = sc->place_mass = 0;
  sc->idf_max = log(1.0 + (s->ndocs - 1 + 0.5) / 1.5);
  for (int i = 0; i < q->n; i++) {
    struct qterm *t = &q->t[i];
    /* terms unknown to the FAQ weigh as much as the rarest term, so a
     * question about something the FAQ never mentions has low coverage */
    double df = t->id >= 0 ? s->off[t->id + 1] - s->off[t->id] : 0;
    t->idf = log(1.0 + (s->ndocs - df + 0.5) / (df + 0.5));
    if (t->kind == Q_QUERY) sc->mass += t->w * t->idf * (t->id >= 0 ? 1.0 : sc->unk_w);
    if (t->kind == Q_QUERY && t->id < 0 && (t->flags & MG_TOK_PLACE)) sc->foreign = 1, sc->place_mass += t->w * t->idf * sc->unk_w;
  }
}

/* The related-titles fields' share of the pseudo-frequency: the titles of
 * the entries d lists (rel_w) and of those that list d (rel_in_w). */
static double rel_tf(const struct params *p, const struct snap *s, const struct posting *ro) {
  double v = 0;
  if (ro->tf[0]) v += p->rel_w * ro->tf[0] / (1 - p->rel_b + p->rel_b * s->rel_len[0][ro->doc] / s->rel_avg[0]);
  if (ro->tf[1]) v += p->rel_in_w * ro->tf[1] / (1 - p->rel_b + p->rel_b * s->rel_len[1][ro->doc] / s->rel_avg[1]);
  return v;
}

/* One pass over the postings of the query terms into sc. With rel_w on,
 * each term's postings are merged (by document) with its related-titles
 * postings, so a term an entry holds in both counts once, saturated once. */
static void score_all(const struct params *p, const struct snap *s, const struct query *q, struct scratch *sc) {
  int rel = (p->rel_w > 0 || p->rel_in_w > 0) && s->rel_posts;
  for (int i = 0; i < sc->ntouched; i++) memset(&sc->acc[sc->touched[i]], 0, sizeof sc->acc[0]);
  sc->ntouched = 0;
  for (int i = 0; i < q->n; i++) {
    const struct qterm *t = &q->t[i];
    double wi = t->w * t->idf;
    if (t->id < 0) continue;
    int j = s->off[t->id], je = s->off[t->id + 1];
    int r = rel ? s->rel_off[t->id] : 0, re = rel ? s->rel_off[t->id + 1] : 0;
    while (j < je || r < re) {
      const struct posting *po = j < je ? &s->posts[j] : NULL, *ro = r < re ? &s->rel_posts[r] : NULL;
      double tfw = 0;
      int doc;
      if (po && ro && po->doc != ro->doc) {
        if (po->doc < ro->doc) ro = NULL;
        else po = NULL;
      }
      doc = po ? po->doc : ro->doc;
      if (po) tfw += field_tf(p, s, po, NULL), j++;
      if (ro) tfw += rel_tf(p, s, ro), r++;
      if (!po && tfw <= 0) continue; /* only in a related field that is off */
      struct acc *a = &sc->acc[doc];
      if (!a->seen) { a->seen = 1; sc->touched[sc->ntouched++] = doc; }
      if (t->kind == Q_ELSE) { /* an entry about elsewhere in its question: counted in rank, with the question's own words */
        if (po && (po->tf[0] || po->tf[1] || po->tf[2])) a->else_score += wi * tfw / (p->k1 + tfw), a->else_cov += wi;
        continue;
      }
      a->own |= t->kind == Q_QUERY && (t->flags & MG_TOK_NOUN) && !(t->flags & MG_TOK_PLACE) && po != NULL;
      a->score += wi * tfw / (p->k1 + tfw);
      if (t->kind == Q_PRF || (t->kind == Q_FORM && p->vn_cov == 0) || !po) continue; /* coverage: the entry's own text only */
      if (po->tf[0] || po->tf[1] || po->tf[2]) a->cov_q += wi;
      else a->cov_a += wi;
    }
  }
}

static double kth_largest(double *v, int n, int want) {
  int lo = 0, hi = n - 1;
  while (lo < hi) {
    double piv = v[(lo + hi) / 2];
    int i = lo, j = hi;
    while (i <= j) {
      while (v[i] > piv) i++;
      while (v[j] < piv) j--;
      if (i <= j) { double x = v[i]; v[i] = v[j]; v[j] = x; i++; j--; }
    }
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else break;
  }
  return v[want];
}

/* Latent-semantic evidence: the question folded into the LSA space (its
 * terms' U rows, weighted like in BM25F) against each of the best lsa_top
 * candidates' vector; lsa_w × the cosine joins their score. It carries
 * what co-occurrence across the whole FAQ knows about words an entry does
 * not use itself, so it mostly lifts recall. */
static int lsa_boost(const struct params *p, const struct snap *s, const struct query *q, struct scratch *sc) {
  int K = s->lsa_k;
  double *qv, *scs, qn = 0, thr = -HUGE_VAL;
  if (K <= 0 || p->lsa_w <= 0 || sc->ntouched == 0) return 0;
  if (!(qv = calloc((size_t)K, sizeof *qv)) || !(scs = malloc((size_t)sc->ntouched * sizeof *scs))) {
    free(qv);
    return MG_ENOMEM;
  }
  for (int i = 0; i < q->n; i++) {
    const struct qterm *t = &q->t[i];
    if (t->id < 0 || t->kind == Q_PRF) continue;
    for (int c = 0; c < K; c++) qv[c] += t->w * t->idf * s->lsa_t[(size_t)t->id * K + c];
  }
  for (int c = 0; c < K; c++) qn += qv[c] * qv[c];
  qn = sqrt(qn);
  if (qn > 0) {
    for (int i = 0; i < sc->ntouched; i++) {
      const struct acc *a = &sc->acc[sc->touched[i]];
      scs[i] = a->score + p->cov_w * (sc->mass > 0 ? a->cov_q / sc->mass : 0);
    }
    if (sc->ntouched > p->lsa_top && p->lsa_top > 0) {
      thr = kth_largest(scs, sc->ntouched, p->lsa_top - 1); /* reorders scs: recompute */
      for (int i = 0; i < sc->ntouched; i++) {
        const struct acc *a = &sc->acc[sc->touched[i]];
        scs[i] = a->score + p->cov_w * (sc->mass > 0 ? a->cov_q / sc->mass : 0);
      }
    }
    for (int i = 0; i < sc->ntouched; i++) {
      int d = sc->touched[i];
      const float *dv = s->lsa_d + (size_t)d * K;
      double dot = 0;
      if (scs[i] < thr) continue;
      for (int c = 0; c < K; c++) dot += qv[c] * dv[c];
      sc->acc[d].lsa = p->lsa_w * dot / qn;
      sc->acc[d].score += sc->acc[d].lsa;
    }
  }
  free(qv);
  free(scs);
  return 0;
}

/* The best k documents of sc into out (score, confidence). */
static void rank(const struct params *p, const struct snap *s, const struct scratch *sc, int k, mg_result *out) {
  out->n = 0;
  for (int i = 0; i < sc->ntouched; i++) {
    int d = sc->touched[i];
    const struct acc *a = &sc->acc[d];
    /* confidence: the share of the question's evidence this entry matches,
     * scaled down when that evidence is slight in absolute terms (one
     * common word) or the question is about another place */
    /* an entry about elsewhere that shares a word of the question's own
     * stands for the place the FAQ never names */
    int elsewhere = a->own && a->else_score > 0;
    double matched = a->cov_q + p->ans_cov * a->cov_a + (elsewhere ? fmin(a->else_cov, sc->place_mass) : 0);
    double cov = sc->mass > 0 ? matched / sc->mass : 0;
    if (cov > 1) cov = 1;
    cov = pow(cov, p->cov_pow);
    if (p->ev_min > 0) cov *= 1 - exp(-matched / (p->ev_min * sc->idf_max));
    if (sc->foreign && !elsewhere) cov *= p->place_pen;
    double score = a->score + (elsewhere ? a->else_score : 0) + p->cov_w * (sc->mass > 0 ? a->cov_q / sc->mass : 0);
    if (p->pop_w > 0 && s->lpop) score += p->pop_w * s->lpop[d];
    int pos = out->n < k ? out->n : k;
    if (cov > 1) cov = 1;
    while (pos > 0 && (out->c[pos - 1].score < score ||
                       (out->c[pos - 1].score == score && strcmp(out->c[pos - 1].faq_id, s->ext[d]) > 0)))
      pos--;
    if (pos >= k) continue;
    memmove(&out->c[pos + 1], &out->c[pos], (size_t)((out->n < k ? out->n : k - 1) - pos) * sizeof out->c[0]);
    snprintf(out->c[pos].faq_id, sizeof out->c[pos].faq_id, "%s", s->ext[d]);
    out->c[pos].score = score;
    out->c[pos].confidence = cov;
    if (out->n < k) out->n++;
  }
}

static int doc_of(const struct snap *s, const struct scratch *sc, const char *ext) {
  for (int j = 0; j < sc->ntouched; j++)
    if (strcmp(s->ext[sc->touched[j]], ext) == 0) return sc->touched[j];
  return -1;
}

/* Compound nouns: a question noun that is a compound of two known terms
 * also looks for its parts; a question noun also finds the compounds it is
 * part of (ごみ → 粗大ごみ), the rarest first. */
static void expand_compounds(const struct params *p, const struct snap *s, struct query *q) {
  int n0 = q->n;
  if (p->cmp_w <= 0) return;
  for (int i = 0; i < n0; i++) {
    const struct qterm *t = &q->t[i];
    double w = t->w * p->cmp_w;
    int id = t->id;
    if (t->kind != Q_QUERY || id < 0 || !(t->flags & MG_TOK_NOUN)) continue;
    if (s->parts[2 * id] >= 0) {
      add_qterm_id(q, s->parts[2 * id], w, Q_COMPOUND);
      add_qterm_id(q, s->parts[2 * id + 1], w, Q_COMPOUND);
    }
    for (int j = s->poff[id], added = 0; j < s->poff[id + 1] && added < p->cmp_parents; j++, added++)
      add_qterm_id(q, s->par[j], w, Q_COMPOUND);
  }
}

/* The unknown-word fallback: a noun the FAQ never uses (健診, マイナカード)
 * meets the known words it is part of or that are part of it (2 characters
 * at least), at a low weight. A scan of the vocabulary, only for such nouns. */
#define UNK_SUB_MAX 8
static void expand_unknown(const struct params *p, const struct snap *s, struct query *q) {
  int n0 = q->n, nv = faq_termmap_count(s->vocab);
  if (p->unk_sub_w <= 0) return;
  for (int i = 0; i < n0; i++) {
    const struct qterm *t = &q->t[i];
    int added = 0;
    if (t->kind != Q_QUERY || t->id >= 0 || !(t->flags & MG_TOK_NOUN) || mg_utf8_count(t->text, (size_t)t->len) < 2)
      continue;
    for (int v = 0; v < nv && added < UNK_SUB_MAX; v++) {
      int len;
      const char *k = faq_termmap_key(s->vocab, v, &len);
      if (!k || (unsigned char)k[0] < 0x80 || mg_utf8_count(k, (size_t)len) < 2) continue;
      if ((len > t->len && memmem(k, (size_t)len, t->text, (size_t)t->len)) ||
          (len < t->len && memmem(t->text, (size_t)t->len, k, (size_t)len))) {
        add_qterm(q, k, len, t->w * p->unk_sub_w, Q_COMPOUND, MG_TOK_NOUN);
        added++;
      }
    }
  }
}

/* ---- learned phrasings as a field of their own ------------------------------ */

/* An accepted candidate (faq/learn.h) is an alternate line of its entry like
 * one staff wrote, but it is a resident's whole question, often long and
 * one of many for a popular entry: pooled with staff's alternates under one
 * length normalisation, the more residents an entry taught, the less each
 * phrasing counted. Here the alternate lines that are accepted candidates
 * of their entry (same faq_learn_key) are analysed again and their term
 * occurrences moved out of the alternates field into tfl, with their own
 * length (llen), weight w_learned and normalisation b_learned. Counting
 * every term faq_analyze emits, as the FTS tokenizer does, gives the
 * index's own counts; they are clamped to it all the same. */
struct bl_ctx {
  const struct snap *s;
  int doc;
  int n;               /* terms in the line */
  struct posting *hit[256];
  int nhit;
};

static int bl_count(void *ctx, const char *term, int len, int start, int end, int flags) {
  struct bl_ctx *c = ctx;
  int id = faq_termmap_get(c->s->vocab, term, len);
  (void)start, (void)end, (void)flags;
  c->n++;
  if (id >= 0 && c->nhit < (int)(sizeof c->hit / sizeof c->hit[0])) {
    struct posting *po = (struct posting *)find_posting(c->s, id, c->doc);
    if (po) c->hit[c->nhit++] = po;
  }
  return 0;
}

static int build_learned(struct snap *s, sqlite3 *db, mg_lang *lang, char *err) {
  mg_analyzer *an = NULL;
  sqlite3_stmt *st = NULL;
  mg_termmap *keys = NULL;
  struct bl_ctx *c = calloc(1, sizeof *c);
  int rc = 0, nkeys = 0;
  double sum = 0, ssum = 0;

  if (!c || !(keys = faq_termmap_new()) || !(s->llen = calloc((size_t)(s->ndocs ? s->ndocs : 1), sizeof *s->llen)) ||
      !(s->lpop = calloc((size_t)(s->ndocs ? s->ndocs : 1), sizeof *s->lpop))) {
    rc = mg_errf(err, MG_ENOMEM, "out of memory");
    goto out;
  }
  s->lavg = 1;
  c->s = s;
  /* the accepted candidates, as "document index:key" */
  if (sqlite3_prepare_v2(db,
                         "SELECT c.faq_id, c.norm, (SELECT count(*) FROM phrasing_evidence e WHERE e.candidate_id = c.id)"
                         " FROM phrasing_candidate c JOIN faq f ON f.id = c.faq_id"
                         " WHERE c.state = 'accepted' AND f.published_rev IS NOT NULL",
                         -1, &st, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "engine: %s", sqlite3_errmsg(db));
    goto out;
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    int d = doc_index(s, sqlite3_column_int64(st, 0));
    const char *norm = (const char *)sqlite3_column_text(st, 1);
    char *k;
    if (d < 0 || !norm) continue;
    s->lpop[d] += (float)sqlite3_column_int(st, 2);
    if (asprintf(&k, "%d:%s", d, norm) < 0) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
    rc = faq_termmap_put(keys, k, (int)strlen(k)) < 0;
    free(k);
    if (rc) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
    nkeys++;
  }
  sqlite3_finalize(st);
  st = NULL;
  if (nkeys == 0) goto out; /* nothing learned: the alternates as they are */
  if ((rc = faq_analyzer_new(&an, lang, err)) != 0) goto out;
  if (sqlite3_prepare_v2(db, "SELECT id, alternates FROM faq_published WHERE alternates <> ''", -1, &st, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "engine: %s", sqlite3_errmsg(db));
    goto out;
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    int d = doc_index(s, sqlite3_column_int64(st, 0)), len = sqlite3_column_bytes(st, 1);
    const char *text = (const char *)sqlite3_column_text(st, 1);
    if (d < 0 || !text) continue;
    for (const char *p = text, *end = text + len; p < end;) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      int l = (int)((nl ? nl : end) - p), known = 0;
      char *line = l > 0 ? strndup(p, (size_t)l) : NULL, *key = line ? faq_learn_key(line) : NULL, *k = NULL;
      if (l > 0 && (!line || !key || asprintf(&k, "%d:%s", d, key) < 0)) {
        free(line);
        free(key);
        rc = mg_errf(err, MG_ENOMEM, "out of memory");
        goto out;
      }
      known = k && faq_termmap_get(keys, k, (int)strlen(k)) >= 0;
      free(k);
      free(key);
      free(line);
      if (known) {
        c->doc = d, c->n = 0, c->nhit = 0;
        if (faq_analyze(an, p, l, bl_count, c) < 0) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
        for (int i = 0; i < c->nhit; i++)
          if (c->hit[i]->tfl < c->hit[i]->tf[1]) c->hit[i]->tfl++;
        s->llen[d] += (float)c->n;
      }
      p += l + 1;
    }
  }
  for (int d = 0; d < s->ndocs; d++) {
    s->lpop[d] = (float)log1p(s->lpop[d]);
    if (s->llen[d] > s->len[1][d]) s->llen[d] = s->len[1][d];
    s->len[1][d] -= s->llen[d]; /* the staff-written alternates' length */
    sum += s->llen[d];
    ssum += s->len[1][d];
  }
  s->lavg = s->ndocs && sum > 0 ? sum / s->ndocs : 1;
  s->avg[1] = s->ndocs && ssum > 0 ? ssum / s->ndocs : 1;
out:
  sqlite3_finalize(st);
  faq_analyzer_free(an);
  faq_termmap_free(keys);
  free(c);
  return rc;
}

/* ---- entries taught together --------------------------------------------- */

/* One resident question accepted for two entries (the same faq_learn_key)
 * says residents who ask about one want the other too: co_doc[co_off[d] ..
 * co_off[d+1]) are the entries taught together with d, co_n[] how many
 * phrasings taught both. At question time the co_top best entries lend
 * co_w × their score × n / (n + 1) to those entries (co_w 0: off). */
struct co_pair {
  int a, b;
};

static int cmp_co(const void *x, const void *y) {
  const struct co_pair *p = x, *q = y;
  if (p->a != q->a) return p->a < q->a ? -1 : 1;
  return (p->b > q->b) - (p->b < q->b);
}

static int build_cotaught(struct snap *s, sqlite3 *db, char *err) {
  sqlite3_stmt *st = NULL;
  struct co_pair *pa = NULL;
  int *grp = NULL, ng = 0, gcap = 0, n = 0, cap = 0, rc = 0, m = 0;
  char *last = NULL;
  if (!(s->co_off = calloc((size_t)s->ndocs + 2, sizeof *s->co_off))) return mg_errf(err, MG_ENOMEM, "out of memory");
  if (sqlite3_prepare_v2(db,
                         "SELECT c.norm, c.faq_id FROM phrasing_candidate c JOIN faq f ON f.id = c.faq_id"
                         " WHERE c.state = 'accepted' AND f.published_rev IS NOT NULL ORDER BY c.norm, c.faq_id",
                         -1, &st, NULL) != SQLITE_OK)
    return mg_errf(err, MG_EDB, "engine: %s", sqlite3_errmsg(db));
  for (int more = 1; more;) {
    const char *norm = NULL;
    int d = -1;
    more = sqlite3_step(st) == SQLITE_ROW;
    if (more) {
      norm = (const char *)sqlite3_column_text(st, 0);
      d = doc_index(s, sqlite3_column_int64(st, 1));
      if (!norm) continue;
    }
    if (!more || !last || strcmp(norm, last) != 0) { /* a group ends: its pairs */
      for (int i = 0; i < ng; i++)
        for (int j = 0; j < ng; j++) {
          if (i == j) continue;
          if (n == cap) {
            int c = cap ? cap * 2 : 1024;
            struct co_pair *a = realloc(pa, (size_t)c * sizeof *a);
            if (!a) { rc = MG_ENOMEM; goto out; }
            pa = a;
            cap = c;
          }
          pa[n++] = (struct co_pair){ grp[i], grp[j] };
        }
      ng = 0;
      free(last);
      last = more ? strdup(norm) : NULL;
      if (more && !last) { rc = MG_ENOMEM; goto out; }
    }
    if (more && d >= 0) {
      if (ng == gcap) {
        int c = gcap ? gcap * 2 : 16;
        int *g = realloc(grp, (size_t)c * sizeof *g);
        if (!g) { rc = MG_ENOMEM; goto out; }
        grp = g;
        gcap = c;
      }
      grp[ng++] = d;
    }
  }
  if (n > 0) qsort(pa, (size_t)n, sizeof *pa, cmp_co);
  if (!(s->co_doc = malloc(((size_t)n + 1) * sizeof *s->co_doc)) || !(s->co_n = malloc(((size_t)n + 1) * sizeof *s->co_n))) {
    rc = MG_ENOMEM;
    goto out;
  }
  for (int i = 0; i < n;) {
    int j = i;
    while (j < n && pa[j].a == pa[i].a && pa[j].b == pa[i].b) j++;
    s->co_doc[m] = pa[i].b;
    s->co_n[m] = (float)(j - i);
    s->co_off[pa[i].a + 1]++;
    m++;
    i = j;
  }
  for (int d = 0; d < s->ndocs; d++) s->co_off[d + 1] += s->co_off[d];
out:
  sqlite3_finalize(st);
  free(pa);
  free(grp);
  free(last);
  return rc ? mg_errf(err, rc, "out of memory") : 0;
}

/* The final score of document d, as rank() computes it. */
static double final_score(const struct params *p, const struct snap *s, const struct scratch *sc, int d) {
  const struct acc *a = &sc->acc[d];
  double score = a->score + p->cov_w * (sc->mass > 0 ? a->cov_q / sc->mass : 0);
  if (p->pop_w > 0 && s->lpop) score += p->pop_w * s->lpop[d];
  return score;
}

#define CO_TOP_MAX 10
#define CO_BELOW_BEST 0.8
static void lend_cotaught(const struct params *p, const struct snap *s, struct scratch *sc) {
  int top[CO_TOP_MAX], nt = 0, want = p->co_top < CO_TOP_MAX ? p->co_top : CO_TOP_MAX;
  double ts[CO_TOP_MAX];
  if (p->co_w <= 0 || !s->co_off || s->co_off[s->ndocs] == 0) return;
  for (int i = 0; i < sc->ntouched; i++) {
    int d = sc->touched[i], pos;
    double v = final_score(p, s, sc, d);
    for (pos = nt; pos > 0 && ts[pos - 1] < v; pos--);
    if (pos >= want) continue;
    if (nt < want) nt++;
    memmove(&top[pos + 1], &top[pos], (size_t)(nt - 1 - pos) * sizeof top[0]);
    memmove(&ts[pos + 1], &ts[pos], (size_t)(nt - 1 - pos) * sizeof ts[0]);
    top[pos] = d, ts[pos] = v;
  }
  for (int i = 0; i < nt; i++)
    for (int j = s->co_off[top[i]]; j < s->co_off[top[i] + 1]; j++) {
      int d = s->co_doc[j], lender = 0;
      struct acc *a = &sc->acc[d];
      double before, after;
      for (int k = 0; k < nt; k++) lender |= top[k] == d;
      if (lender) continue; /* the best entries keep their order */
      if (!a->seen) { a->seen = 1; sc->touched[sc->ntouched++] = d; }
      before = final_score(p, s, sc, d);
      after = before + p->co_w * ts[i] * s->co_n[j] / (s->co_n[j] + 1);
      /* below every lender, and never within a clarify margin of the best */
      if (after > ts[nt - 1] * 0.999) after = ts[nt - 1] * 0.999;
      if (after > ts[0] * CO_BELOW_BEST) after = ts[0] * CO_BELOW_BEST;
      if (after > before) a->score += after - before;
    }
}

/* ---- learned thesaurus ------------------------------------------------------ */

/* Residents' accepted phrasings say which of their words stand for which of
 * the FAQ's: a word of a phrasing that its entry's question lacks (ゴミ,
 * 引っ越し) against the words of that question the phrasing lacks (ごみ,
 * 住所). A pair seen for TH_MIN_PHRASINGS distinct phrasings and
 * TH_MIN_ENTRIES distinct entries — never one resident's wording, never one
 * entry's — becomes a weak expansion of the question word (th_w), which then
 * reaches the *other* entries whose questions use the FAQ's word. Built from
 * the accepted candidates in the database (faq/learn.h), which are masked
 * and never come from a message the safety layer flagged; the masking
 * labels (［電話番号］) are cut before analysis. Nouns only. Stored: every
 * pair that passes the counts, with its share of the word's evidences and
 * the expansion's question document frequency, so th_ratio and th_maxdf
 * filter at question time. Off by default (th_w 0): docs/accuracy.md row 48. */
#define TH_MIN_PHRASINGS 2
#define TH_MIN_ENTRIES 2
#define TH_MAX_TERMS 64

struct th_terms {
  const struct snap *s;
  int id[TH_MAX_TERMS];
  int n;
};

static int th_collect(void *ctx, const char *term, int len, int start, int end, int flags) {
  struct th_terms *c = ctx;
  int id;
  (void)start, (void)end;
  if (!(flags & MG_TOK_NOUN) || (flags & (MG_TOK_READING | MG_TOK_PART | MG_TOK_SYNONYM))) return 0;
  if ((id = faq_termmap_get(c->s->vocab, term, len)) < 0) return 0;
  for (int i = 0; i < c->n; i++)
    if (c->id[i] == id) return 0;
  if (c->n < TH_MAX_TERMS) c->id[c->n++] = id;
  return 0;
}

/* The nouns of text, masking labels cut, into c. */
static int th_analyze(mg_analyzer *an, const char *text, int len, struct th_terms *c) {
  char *t = malloc((size_t)len + 1);
  int in = 0, rc;
  if (!t) return MG_ENOMEM;
  memcpy(t, text, (size_t)len);
  t[len] = '\0';
  for (int i = 0; i + 2 < len; i++) {
    if (memcmp(t + i, "\xEF\xBC\xBB", 3) == 0) in = 1; /* ［ */
    if (in) {
      int close = memcmp(t + i, "\xEF\xBC\xBD", 3) == 0; /* ］ */
      if ((unsigned char)t[i] >= 0x80 && ((unsigned char)t[i] & 0xC0) != 0x80) { /* a character: blank it */
        int l = (unsigned char)t[i] >= 0xF0 ? 4 : (unsigned char)t[i] >= 0xE0 ? 3 : 2;
        for (int k = 0; k < l && i + k < len; k++) t[i + k] = ' ';
        i += l - 1;
      } else t[i] = ' ';
      if (close) in = 0;
    }
  }
  c->n = 0;
  rc = faq_analyze(an, t, len, th_collect, c) < 0 ? MG_ENOMEM : 0;
  free(t);
  return rc;
}

struct th_inst {
  int u, v, phr, doc;
};

static int cmp_th(const void *a, const void *b) {
  const struct th_inst *x = a, *y = b;
  if (x->u != y->u) return x->u < y->u ? -1 : 1;
  if (x->v != y->v) return x->v < y->v ? -1 : 1;
  if (x->phr != y->phr) return x->phr < y->phr ? -1 : 1;
  return (x->doc > y->doc) - (x->doc < y->doc);
}

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

static int th_has(const int *v, int n, int id) {
  for (int i = 0; i < n; i++)
    if (v[i] == id) return 1;
  return 0;
}

static int build_thesaurus(struct snap *s, sqlite3 *db, mg_lang *lang, char *err) {
  mg_analyzer *an = NULL;
  sqlite3_stmt *st = NULL;
  mg_termmap *norms = NULL;
  struct th_terms *c = calloc(1, sizeof *c);
  struct th_inst *ti = NULL;
  int *qoff = calloc((size_t)s->ndocs + 1, sizeof *qoff), *qterm = NULL, *qdf = NULL, *nu = NULL, *docs = NULL;
  int rc, nterms = faq_termmap_count(s->vocab), nq = 0, qcap = 0, n = 0, cap = 0, kept = 0;

  if (!c || !qoff || !(qdf = calloc((size_t)nterms + 1, sizeof *qdf)) || !(nu = calloc((size_t)nterms + 1, sizeof *nu)) ||
      !(norms = faq_termmap_new()) || !(s->th_off = calloc((size_t)nterms + 2, sizeof *s->th_off))) {
    rc = mg_errf(err, MG_ENOMEM, "out of memory");
    goto out;
  }
  c->s = s;
  if ((rc = faq_analyzer_new(&an, lang, err)) != 0) goto out;
  /* the nouns of each entry's question: qterm[qoff[d] .. qoff[d+1]) */
  {
    int *qd = calloc((size_t)s->ndocs + 1, sizeof *qd); /* per document: count, then filled */
    int **lists = calloc((size_t)s->ndocs + 1, sizeof *lists);
    if (!qd || !lists) { free(qd); free(lists); rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
    if (sqlite3_prepare_v2(db, "SELECT id, question FROM faq_published", -1, &st, NULL) != SQLITE_OK) {
      free(qd);
      free(lists);
      rc = mg_errf(err, MG_EDB, "engine: %s", sqlite3_errmsg(db));
      goto out;
    }
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
      int d = doc_index(s, sqlite3_column_int64(st, 0));
      const char *q = (const char *)sqlite3_column_text(st, 1);
      if (d < 0 || !q || lists[d]) continue;
      if ((rc = th_analyze(an, q, sqlite3_column_bytes(st, 1), c)) != 0) break;
      if (!(lists[d] = malloc(((size_t)c->n + 1) * sizeof **lists))) { rc = MG_ENOMEM; break; }
      memcpy(lists[d], c->id, (size_t)c->n * sizeof c->id[0]);
      qd[d] = c->n;
    }
    sqlite3_finalize(st);
    st = NULL;
    for (int d = 0; d < s->ndocs; d++) qoff[d + 1] = qoff[d] + qd[d];
    nq = qoff[s->ndocs];
    if (rc == 0 && !(qterm = malloc(((size_t)nq + 1) * sizeof *qterm))) rc = MG_ENOMEM;
    for (int d = 0; rc == 0 && d < s->ndocs; d++)
      for (int i = 0; i < qd[d]; i++) qterm[qoff[d] + i] = lists[d][i], qdf[lists[d][i]]++;
    for (int d = 0; d < s->ndocs; d++) free(lists[d]);
    free(lists);
    free(qd);
    if (rc) { rc = mg_errf(err, rc, "out of memory"); goto out; }
  }
  (void)qcap;
  /* the evidence: (word u of a phrasing, word v of its entry's question) */
  if (sqlite3_prepare_v2(db,
                         "SELECT c.faq_id, c.norm, c.text FROM phrasing_candidate c JOIN faq f ON f.id = c.faq_id"
                         " WHERE c.state = 'accepted' AND f.published_rev IS NOT NULL ORDER BY c.id",
                         -1, &st, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "engine: %s", sqlite3_errmsg(db));
    goto out;
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    int d = doc_index(s, sqlite3_column_int64(st, 0)), phr;
    const char *norm = (const char *)sqlite3_column_text(st, 1), *text = (const char *)sqlite3_column_text(st, 2);
    const int *qv;
    int nqv;
    if (d < 0 || !norm || !text) continue;
    if ((phr = faq_termmap_put(norms, norm, (int)strlen(norm))) < 0 || (rc = th_analyze(an, text, sqlite3_column_bytes(st, 2), c)) != 0) {
      rc = mg_errf(err, MG_ENOMEM, "out of memory");
      goto out;
    }
    qv = qterm + qoff[d];
    nqv = qoff[d + 1] - qoff[d];
    for (int i = 0; i < c->n; i++) {
      int u = c->id[i];
      const struct posting *po = find_posting(s, u, d);
      if (th_has(qv, nqv, u) || (po && (po->tf[0] || po->tf[2]))) continue; /* the entry's question side has it */
      nu[u]++;
      for (int j = 0; j < nqv; j++) {
        if (th_has(c->id, c->n, qv[j])) continue;
        if (n == cap) {
          int nc = cap ? cap * 2 : 4096;
          struct th_inst *a = realloc(ti, (size_t)nc * sizeof *a);
          if (!a) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
          ti = a;
          cap = nc;
        }
        ti[n++] = (struct th_inst){ u, qv[j], phr, d };
      }
    }
  }
  sqlite3_finalize(st);
  st = NULL;
  if (n > 0) qsort(ti, (size_t)n, sizeof *ti, cmp_th);
  if (!(docs = malloc(((size_t)n + 1) * sizeof *docs)) || !(s->th_term = malloc(((size_t)n + 1) * sizeof *s->th_term)) ||
      !(s->th_qdf = malloc(((size_t)n + 1) * sizeof *s->th_qdf)) ||
      !(s->th_nphr = malloc(((size_t)n + 1) * sizeof *s->th_nphr)) ||
      !(s->th_ratio = malloc(((size_t)n + 1) * sizeof *s->th_ratio))) {
    rc = mg_errf(err, MG_ENOMEM, "out of memory");
    goto out;
  }
  for (int i = 0; i < n;) {
    int j = i, nphr = 0, ndoc = 0;
    while (j < n && ti[j].u == ti[i].u && ti[j].v == ti[i].v) j++;
    for (int k = i; k < j; k++) {
      if (k == i || ti[k].phr != ti[k - 1].phr) nphr++;
      docs[k - i] = ti[k].doc;
    }
    qsort(docs, (size_t)(j - i), sizeof *docs, cmp_int);
    for (int k = 0; k < j - i; k++) ndoc += k == 0 || docs[k] != docs[k - 1];
    if (nphr >= TH_MIN_PHRASINGS && ndoc >= TH_MIN_ENTRIES) {
      s->th_term[kept] = ti[i].v;
      s->th_qdf[kept] = qdf[ti[i].v];
      s->th_nphr[kept] = nphr;
      s->th_ratio[kept] = (float)(j - i) / (float)nu[ti[i].u];
      s->th_off[ti[i].u + 1]++;
      kept++;
    }
    i = j;
  }
  for (int t = 0; t < nterms; t++) s->th_off[t + 1] += s->th_off[t];
  s->nth = kept;
  rc = 0;
out:
  sqlite3_finalize(st);
  faq_analyzer_free(an);
  faq_termmap_free(norms);
  free(c);
  free(ti);
  free(qoff);
  free(qterm);
  free(qdf);
  free(nu);
  free(docs);
  return rc;
}

/* The learned thesaurus at question time: each of the question's own words
 * also asks, at th_w of its weight, for the FAQ words learned for it. */
static void expand_learned(const struct params *p, const struct snap *s, struct query *q, int n0) {
  if (p->th_w <= 0 || !s->th_off || s->nth == 0) return;
  for (int i = 0; i < n0; i++) {
    const struct qterm *t = &q->t[i];
    if (t->kind != Q_QUERY || t->id < 0) continue;
    for (int j = s->th_off[t->id]; j < s->th_off[t->id + 1]; j++)
      if (s->th_ratio[j] >= p->th_ratio && s->th_qdf[j] <= p->th_maxdf && s->th_nphr[j] >= p->th_min)
        add_qterm_id(q, s->th_term[j], t->w * p->th_w, Q_LEARNED);
  }
}

struct fb {
  int term;
  double w;
};

static int cmp_fb_term(const void *a, const void *b) {
  const struct fb *x = a, *y = b;
  return (x->term > y->term) - (x->term < y->term);
}

static int cmp_fb_w(const void *a, const void *b) {
  const struct fb *x = a, *y = b;
  return (x->w < y->w) - (x->w > y->w);
}

/* Pseudo-relevance feedback: terms typical of the best first-pass entries
 * (field-weighted term share × IDF, weighted by each entry's relative
 * score) join the question at a low weight. */
static int feedback(const struct params *p, const struct snap *s, struct query *q, const struct scratch *sc,
                    const mg_result *first) {
  int m = first->n < p->prf_docs ? first->n : p->prf_docs, n = 0, cap = 0;
  struct fb *c = NULL;
  for (int r = 0; r < m; r++) {
    int d = doc_of(s, sc, first->c[r].faq_id);
    double rel = first->c[r].score / first->c[0].score, dl = 0;
    if (d < 0) continue;
    for (int f = 0; f < NF; f++) dl += p->w[f] * s->len[f][d];
    if (dl <= 0) continue;
    for (int j = s->foff[d]; j < s->foff[d + 1]; j++) {
      const struct posting *po = &s->posts[s->fpost[j]];
      double tw = 0;
      int t = s->fterm[j];
      double df = s->off[t + 1] - s->off[t];
      for (int f = 0; f < NF; f++) tw += p->w[f] * po->tf[f];
      if (n == cap) {
        cap = cap ? cap * 2 : 256;
        struct fb *a = realloc(c, (size_t)cap * sizeof *a);
        if (!a) { free(c); return MG_ENOMEM; }
        c = a;
      }
      c[n].term = t;
      c[n++].w = rel * (tw / dl) * log(1.0 + (s->ndocs - df + 0.5) / (df + 0.5));
    }
  }
  if (n) {
    int u = 0;
    qsort(c, (size_t)n, sizeof *c, cmp_fb_term);
    for (int i = 0; i < n; i++) {
      if (u && c[u - 1].term == c[i].term) c[u - 1].w += c[i].w;
      else c[u++] = c[i];
    }
    qsort(c, (size_t)u, sizeof *c, cmp_fb_w);
    double top = c[0].w;
    for (int i = 0, added = 0; i < u && added < p->prf_terms; i++) {
      int len, known = 0;
      const char *k = faq_termmap_key(s->vocab, c[i].term, &len);
      for (int j = 0; j < q->n; j++) known |= q->t[j].id == c[i].term;
      if (known || 0 /* stopwords never reach the index */) continue;
      add_qterm(q, k, len, p->prf_w * c[i].w / top, Q_PRF, MG_TOK_NOUN);
      added++;
    }
  }
  free(c);
  return 0;
}

int faq_engine_search(mg_engine *e, mg_analyzer *an, const char *text, int len, int k,
                     mg_result *out, json_t *explain, char *err) {
  return faq_engine_search_terms(e, an, text, len, NULL, k, out, explain, err);
}

int faq_engine_search_terms(mg_engine *e, mg_analyzer *an, const char *text, int len, const char *terms, int k,
                            mg_result *out, json_t *explain, char *err) {
  struct snap *s = snap_acquire(e);
  const struct params *p = &e->p;
  struct query *q = NULL;
  struct scratch sc = { 0 };
  int rc = 0, nq0;

  memset(out, 0, sizeof *out);
  out->decision = MG_DECISION_NO_ANSWER;
  if (k < 1) k = 1;
  if (k > MG_ENGINE_MAX_K) k = MG_ENGINE_MAX_K;
  if (len < 0) len = (int)strlen(text);
  if (!s) { rc = mg_errf(err, MG_EINVAL, "engine: no index"); goto out; }
  if (!(q = calloc(1, sizeof *q))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  q->p = p;
  q->s = s;
  q->kana_cover = -1;
  if (explain) {
    char *norm = faq_normalize(text, len, NULL);
    json_object_set_new(explain, "normalized", json_string(norm ? norm : ""));
    free(norm);
    q->tokens = json_array();
    json_object_set_new(explain, "tokens", q->tokens);
  }
  rc = faq_analyze(an, text, len, on_token, q);
  if (rc < 0) { mg_errf(err, rc, "engine: analysis failed"); goto out; }
  rc = 0;
  /* terms given as the index holds them (readings spelled from romaji):
   * not analysed, which would cut ケンコウ into ケン + コウ */
  for (const char *t = terms; t && *t;) {
    int l = 0;
    while (*t == ' ') t++;
    while (t[l] && t[l] != ' ') l++;
    if (l > 0) on_token(q, t, l, 0, 0, MG_TOK_NOUN);
    t += l;
  }
  correct_typos(q);
  if (kana_readings(q, an, text, len) > 0) {
    int n = 0;
    for (int i = 0; i < q->n; i++)
      if (q->t[i].id >= 0) q->t[n++] = q->t[i];
    q->n = n;
  }
  nq0 = q->n;
  for (int i = 0; i < nq0; i++) {
    struct syn_ctx c = { q, q->t[i].w * p->syn_w, q->t[i].flags };
    faq_lang_synonyms(e->lang, q->t[i].text, q->t[i].len, on_synonym, &c);
  }
  expand_compounds(p, s, q);
  expand_unknown(p, s, q);
  expand_learned(p, s, q, nq0);
  for (int i = 0; p->vn_w > 0 && s->vn_off && i < nq0; i++) { /* verb ↔ noun forms */
    const struct qterm *t = &q->t[i];
    int ids[2], nf;
    if (t->kind != Q_QUERY) continue;
    if (t->id >= 0)
      for (int j = s->vn_off[t->id]; j < s->vn_off[t->id + 1]; j++) add_qterm_id(q, s->vn_term[j], t->w * p->vn_w, Q_FORM);
    else if ((t->flags & MG_TOK_VERB) && (nf = form_nouns(s, t->text, t->len, ids)) > 0) /* a verb the FAQ never uses */
      for (int j = 0; j < nf; j++) {
        int before = q->n;
        add_qterm_id(q, ids[j], t->w * p->vn_w, Q_FORM);
        if (q->n > before) q->t[q->n - 1].flags |= QF_STANDIN; /* it stands for a word the FAQ lacks */
      }
  }
  add_elsewhere(p, s, q, text, len);
  if (s->ndocs == 0 || nq0 == 0) goto out;

  if (!(sc.acc = calloc((size_t)s->ndocs, sizeof *sc.acc)) || !(sc.touched = malloc((size_t)s->ndocs * sizeof *sc.touched))) {
    rc = mg_errf(err, MG_ENOMEM, "out of memory");
    goto out;
  }
  sc.unk_w = p->unk_w;
  set_idf(s, q, &sc);
  if (sc.mass <= 0) goto out;
  if (p->bg_w > 0) {
    int n = 0;
    char *norm = faq_normalize(text, len, &n);
    struct bg_q b = { s, &sc };
    if (norm) bigrams(norm, n, bg_query, &b);
    free(norm);
    if (terms && *terms) bigrams(terms, (int)strlen(terms), bg_query, &b); /* as the entries may write them (イノシシ) */
  }
  score_all(p, s, q, &sc);
  score_bigrams(p, s, &sc);
  if (p->prf_docs > 0) {
    mg_result first;
    rank(p, s, &sc, p->prf_docs < MG_ENGINE_MAX_K ? p->prf_docs : MG_ENGINE_MAX_K, &first);
    if (first.n > 0) {
      int before = q->n;
      if ((rc = feedback(p, s, q, &sc, &first)) != 0) { mg_errf(err, rc, "out of memory"); goto out; }
      if (q->n > before) {
        set_idf(s, q, &sc);
        score_all(p, s, q, &sc);
        score_bigrams(p, s, &sc);
      }
    }
  }
  if ((rc = score_phrasings(p, s, q, &sc)) != 0 || (rc = lsa_boost(p, s, q, &sc)) != 0) {
    mg_errf(err, rc, "out of memory");
    goto out;
  }
  lend_cotaught(p, s, &sc);
  rank(p, s, &sc, k, out);

  /* how much of the question the best candidate covers, in words; a word
   * the FAQ never uses, met in another form (近い as 近く), is met */
  {
    int d = out->n > 0 ? doc_of(s, &sc, out->c[0].faq_id) : -1, forms = 0;
    for (int i = 0; i < q->n; i++) {
      const struct qterm *t = &q->t[i];
      int query = t->kind == Q_QUERY, standin = t->kind == Q_FORM && (t->flags & QF_STANDIN);
      int met = (query || standin) && d >= 0 && t->id >= 0 && find_posting(s, t->id, d);
      if (query) out->qterms++, out->matched += met;
      else forms += met;
    }
    out->matched += forms;
    if (out->matched > out->qterms) out->matched = out->qterms;
  }
  /* decision */
  if (out->n > 0) {
    const mg_config *c = &e->cfg;
    double conf = out->c[0].confidence;
    out->confidence = conf;
    int close = out->n > 1 && out->c[1].score >= c->clarify_margin * out->c[0].score &&
                out->c[1].confidence >= c->clarify_min;
    if (conf >= c->answer_min && !close) out->decision = MG_DECISION_ANSWER;
    else if (conf >= c->clarify_min) out->decision = MG_DECISION_CLARIFY;
    else out->decision = MG_DECISION_NO_ANSWER;
    /* a kana question whose readings the FAQ barely knows is not about it
     * (じゃんけんしよう meets ケン somewhere) */
    if (q->kana_cover >= 0 && q->kana_cover < p->kana_cover) out->decision = MG_DECISION_NO_ANSWER;
  }

out:
  if (explain && q) {
    json_t *cands = json_array(), *terms = json_array(), *ex = json_array();
    for (int i = 0; i < q->n; i++) {
      const struct qterm *t = &q->t[i];
      if (t->kind != Q_QUERY) json_array_append_new(ex, json_string(t->text));
      json_array_append_new(terms, json_pack("{s:s, s:s, s:f, s:f, s:i}", "term", t->text, "kind", qkind_names[t->kind],
                                             "weight", t->w, "idf", t->idf, "df",
                                             t->id >= 0 ? s->off[t->id + 1] - s->off[t->id] : 0));
    }
    json_object_set_new(explain, "expanded", ex);
    json_object_set_new(explain, "terms", terms);
    for (int i = 0; i < out->n; i++) {
      int d = doc_of(s, &sc, out->c[i].faq_id);
      double fs[NF] = { 0 }, frel = 0;
      json_t *matched = json_array();
      for (int j = 0; d >= 0 && j < q->n; j++) {
        const struct qterm *t = &q->t[j];
        const struct posting *po = NULL, *ro = NULL;
        double per[NF] = { 0 }, tfw = 0, rt = 0;
        if (t->id < 0) continue;
        po = find_posting(s, t->id, d);
        if (p->rel_w > 0 || p->rel_in_w > 0) ro = find_rel_posting(s, t->id, d);
        if (!po && !ro) continue;
        if (po) tfw = field_tf(p, s, po, per);
        if (ro) rt = rel_tf(p, s, ro), tfw += rt;
        for (int f = 0; f < NF; f++) fs[f] += tfw > 0 ? t->w * t->idf * (per[f] / (p->k1 + tfw)) : 0;
        frel += tfw > 0 ? t->w * t->idf * (rt / (p->k1 + tfw)) : 0;
        json_array_append_new(matched, json_string(t->text));
      }
      json_array_append_new(cands, json_pack("{s:s, s:f, s:f, s:{s:f, s:f, s:f, s:f, s:f}, s:f, s:f, s:o}", "faq_id",
                                             out->c[i].faq_id, "score", out->c[i].score, "confidence",
                                             out->c[i].confidence, "fields", "question", fs[0], "alternates",
                                             fs[1], "keywords", fs[2], "answer", fs[3], "related", frel, "lsa",
                                             d >= 0 ? sc.acc[d].lsa : 0.0, "nearest_phrasing", d >= 0 ? sc.acc[d].nn : 0.0,
                                             "matched", matched));
    }
    json_object_set_new(explain, "candidates", cands);
    json_object_set_new(explain, "decision", json_string(faq_decision_name(out->decision)));
  }
  free(sc.acc);
  free(sc.touched);
  free(q);
  snap_release(e, s);
  return rc;
}
