/*
 * understand.c — analysed messages and concept matching (see understand.h).
 *
 * Matching must stay cheap: it runs on every message before the engine. Each
 * way of meeting a term has an index built at compile time, so a message
 * costs a few hash look-ups per morpheme and per katakana character:
 *   lemma  the term's first lemma → terms; the rest is checked in order,
 *          allowing one other content word between two of the term's;
 *   kana   the key's first katakana character → terms, compared with memcmp;
 *   edit   every one-character deletion of a one-word term (3–8 characters)
 *          → terms, probed with the message word and its own deletions, then
 *          checked with a real edit distance (the symmetric-delete method).
 * Matches go into a small array first; "-" terms then mask the matches of
 * their concept that overlap them, and the strongest surviving match per
 * concept is kept.
 */
#include "bot/understand.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/mg_err.h"
#include "util/mg_utf8.h"
#include "faq/termmap.h"

#define NEG_LEMMA "\x01neg"     /* every negation (ない, ぬ, ん, ず, 無い) is one lemma */
#define COND_LEMMA "\x01if"     /* every conditional (〜たら, 〜なら, 〜ば) is one lemma */
#define MAX_MATCHES BOT_MAX_MATCHES
#define EDIT_MIN_CHARS 3
#define EDIT_MAX_CHARS 8
#define OBJ_GAP 4              /* stream words allowed between a noun with its を and its verb */

struct cterm {
  int concept;
  int exclude;
  int *lem;            /* lemma ids */
  int nlem;
  char *key;           /* katakana key, or NULL */
  int keylen, keychars;
  int key_reading;     /* the key is the reading of a term written with kanji */
  int key_stem;        /* the key is a stem (its inflected ending cut off) */
  char *key2;          /* the key without the particles a phone message drops (首をしめられ →
                          クビシメラレ), for messages all in kana; NULL when it has none */
  int key2len, key2chars;
  int edit;            /* a one-word term that may be met by one edit */
  char *word;          /* its lemma, for the edit check */
  int wordchars;
  char *lit;           /* a look-alike's text as analysed (katakana for kana), found as written */
  int litlen;
  int latin;           /* written in ASCII only (an English term): its words keep their order */
  unsigned tight;      /* bit k: lemma k follows lemma k-1 with no word between (go on, pass out) */
  int *alt;            /* per lemma: the id of its reading in hiragana (切る → きる), or -1 */
  int obj;             /* a noun, を and its verb (農薬を飲む): the verb may come later in the clause */
  int kana_lemmas;     /* a misread kana term: its lemmas meet only side by side (see compile_term) */
  int kana;            /* written in kana: its words keep their order (いらないにんげん is not にんげん…いませんか) */
  int causative;       /* has せる/させる: without, it does not meet a verb made causative (留守番させていい) */
  int relative;        /* a negation right before a noun (知らない人): a relative clause, kept in its order */
  int exist_neg;       /* says something is missing (返事がない): not met by "is not X" (返事やのうて) */
  int held;            /* 方 stood between its words (おらん方がええ): they keep their order */
};

struct bot_concepts {
  char (*names)[DICT_CONCEPT_NAME];
  int n;
  struct cterm *t;
  int nt;
  int *looks;          /* the terms matched by their text anywhere (look-alikes, @inside) */
  int nlooks;
  mg_termmap *lfirst;  /* their first character → id */
  int **by_lfirst;
  int by_lfirst_cap;
  mg_termmap *lemmas;  /* lemma → id */
  int **by_lemma;      /* lemma id → -1-terminated term list (first lemma) */
  int by_lemma_cap;
  mg_termmap *first;   /* first katakana character → id */
  int **by_first;
  int by_first_cap;
  mg_termmap *dels;    /* deletion variant → id */
  int **by_del;
  int by_del_cap;
};

/* ---- small helpers ------------------------------------------------------ */


static int chars(const char *s, int n) { return mg_utf8_chars(s, n); }

static int is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

static void to_kata(char *s, int n) { mg_utf8_hira_to_kata(s, (size_t)n); }

static int is_kata_at(const char *s, int n, int i) { return mg_utf8_is_kata(s, (size_t)n, (size_t)i); }

static int all_kata(const char *s, int n) {
  for (int i = 0; i < n; i += 3)
    if (!is_kata_at(s, n, i)) return 0;
  return n > 0;
}

static int is_neg(const mg_morph *m) {
  static const char *const neg[] = { "ない", "無い", "ぬ", "ん", "ず", "へん", "ひん" };
  if (m->pos != MG_POS_AUX && m->pos != MG_POS_ADJ) return 0;
  /* the written attributive なき (亡き, 心なき) is not spoken: in a chat
   * it is 泣き that MeCab misread (たたかれてなきよる) */
  if (m->surface_len == 6 && memcmp(m->surface, "なき", 6) == 0) return 0;
  for (size_t i = 0; i < sizeof neg / sizeof neg[0]; i++)
    if ((int)strlen(neg[i]) == m->lemma_len && memcmp(neg[i], m->lemma, (size_t)m->lemma_len) == 0) return 1;
  return 0;
}

static int lemma_is(const mg_morph *m, const char *l) {
  return (int)strlen(l) == m->lemma_len && memcmp(l, m->lemma, (size_t)m->lemma_len) == 0;
}

/* A conditional: た or だ in the hypothetical form (〜たら, 〜なら) or the particle ば. */
static int is_cond(const mg_morph *m) {
  if (m->pos == MG_POS_AUX && (lemma_is(m, "た") || lemma_is(m, "だ")) && m->cform_len >= 6 &&
      memcmp(m->cform, "仮定", 6) == 0)
    return 1;
  return m->pos == MG_POS_PARTICLE && lemma_is(m, "ば");
}

/* The lemma a morpheme stands for in lemma matching. */
/* MeCab reads 楽に, 急に, 無理に as adverbs in one sentence and as the noun
 * + に in another (死んだら楽 / 楽になる): such an adverb counts as its
 * kanji stem, a noun. */
static int kanji_ni(const mg_morph *m) {
  return m->pos == MG_POS_ADV && m->lemma_len > 3 && (unsigned char)m->lemma[0] >= 0xE4 &&
         (unsigned char)m->lemma[0] <= 0xE9 && memcmp(m->lemma + m->lemma_len - 3, "\xE3\x81\xAB", 3) == 0; /* に */
}

/* MeCab leaves an English word as it is written (collapsed, collapsing):
 * a word of lower-case letters counts as a crude stem, always a prefix of
 * it, cut the same way in terms and messages: -ing and -ed go (with a
 * doubled consonant: stopped, hitting), a plural -s goes (not -ss, -us,
 * -is, -ws: glass, bus, this, news), and then a final -e (smoke and smoking,
 * breathe and breathing meet). Irregular forms (died, bled) stay apart. */
static int english_stem_len(const char *w, int n) {
  int was = n;
  if (n < 4) return n;
  for (int i = 0; i < n; i++)
    if (w[i] < 'a' || w[i] > 'z') return n;
  if (n >= 6 && memcmp(w + n - 3, "ing", 3) == 0) n -= 3;
  else if (n >= 5 && memcmp(w + n - 2, "ed", 2) == 0) n -= 2;
  if (n < was && w[n - 1] == w[n - 2] && !strchr("lsz", w[n - 1])) n--;
  if (n == was && w[n - 1] == 's' && !strchr("suiw", w[n - 2])) n--;
  if (n >= 5 && w[n - 1] == 'e') n--;
  return n;
}

static const char *stream_lemma(const mg_morph *m, int *len) {
  if (is_neg(m)) { *len = (int)strlen(NEG_LEMMA); return NEG_LEMMA; }
  if (is_cond(m)) { *len = (int)strlen(COND_LEMMA); return COND_LEMMA; }
  /* 出血しとる, 痙攣しとる: MeCab's one verb しとる is する + とる (している) */
  if (lemma_is(m, "しとる")) { *len = (int)strlen("する"); return "する"; }
  *len = m->lemma_len;
  if (kanji_ni(m)) *len = m->lemma_len - 3;
  else *len = english_stem_len(m->lemma, m->lemma_len);
  return m->lemma;
}

/* The auxiliaries that change what a verb says: たい (want to: 死にたい is
 * not 死んだ), the passive (殴られる is not 殴る), the causative and にくい
 * (hard to: 詰まらせにくい食事 is not 詰まらせた). */
static const char *const voice_aux[] = { "たい", "れる", "られる", "せる", "させる", "にくい" };

static int is_voice_aux(const char *l, int n) {
  for (size_t i = 0; i < sizeof voice_aux / sizeof voice_aux[0]; i++)
    if ((int)strlen(voice_aux[i]) == n && memcmp(voice_aux[i], l, (size_t)n) == 0) return 1;
  return 0;
}

/* A morpheme that counts for lemma matching: a content word, a negation,
 * a number ("119") or one of those auxiliaries. */
static int in_stream(const mg_morph *m) {
  int digits = m->surface_len > 0;
  for (int i = 0; i < m->surface_len && digits; i++) digits = m->surface[i] >= '0' && m->surface[i] <= '9';
  if (m->content != 0 || is_neg(m) || is_cond(m) || m->suffix || m->pronoun || m->prefix || digits || kanji_ni(m)) return 1;
  return is_voice_aux(m->lemma, m->lemma_len);
}

/* Verbs so common that a term made only of them (どうしよう is する, 来て
 * is 来る) would meet almost every message by lemma: such terms meet the
 * message by their text instead. */
static int is_light(const char *l, int n) {
  static const char *const light[] = { "する", "ある", "いる", "なる", "おる", "できる", "いう", "言う", "思う",
                                       "来る", "くる", "やる", "行く", "いく", "見る", "みる", NEG_LEMMA };
  for (size_t i = 0; i < sizeof light / sizeof light[0]; i++)
    if ((int)strlen(light[i]) == n && memcmp(light[i], l, (size_t)n) == 0) return 1;
  return 0;
}

/* Append v to a -1-terminated list in lists[id], growing lists to id+1. */
static int list_add(int ***lists, int *cap, int id, int v) {
  if (id >= *cap) {
    int ncap = *cap ? *cap : 64;
    while (ncap <= id) ncap *= 2;
    int **nl = realloc(*lists, (size_t)ncap * sizeof *nl);
    if (!nl) return MG_ENOMEM;
    memset(nl + *cap, 0, (size_t)(ncap - *cap) * sizeof *nl);
    *lists = nl, *cap = ncap;
  }
  int k = 0;
  if ((*lists)[id])
    while ((*lists)[id][k] >= 0) k++;
  int *l = realloc((*lists)[id], (size_t)(k + 2) * sizeof *l);
  if (!l) return MG_ENOMEM;
  l[k] = v, l[k + 1] = -1;
  (*lists)[id] = l;
  return 0;
}

static void lists_free(int **lists, int cap) {
  for (int i = 0; i < cap; i++) free(lists[i]);
  free(lists);
}

/* ---- the analysed message ----------------------------------------------- */

struct grow_ctx { bot_msg *msg; int rc; };

static int pool_put(bot_msg *m, const char *s, int n) {
  if (m->pool_len + n + 1 > m->pool_cap) {
    int ncap = m->pool_cap ? m->pool_cap : 1024;
    while (m->pool_len + n + 1 > ncap) ncap *= 2;
    char *np = realloc(m->pool, (size_t)ncap);
    if (!np) return -1;
    m->pool = np, m->pool_cap = ncap;
  }
  int at = m->pool_len;
  memcpy(m->pool + at, s, (size_t)n);
  m->pool[at + n] = '\0';
  m->pool_len += n + 1;
  return at;
}

/* MeCab reads an ichidan verb + ん before a space or at a clause's end as
 * one verb in its 体言接続特殊 form (起きん = 起きるん), but spoken here it
 * is the negation (呼んでも起きん 吐いとる): 起きん not followed by の, だ,
 * で or じゃ (起きんの？, 起きんだ) is the verb and a negation. する and 来る
 * (すんの, くんの) are left alone. */
static int spoken_neg_n(const mg_morph *mm) {
  static const char *const expl[] = { "の", "だ", "で", "じゃ" };
  const char *next;
  if (mm->pos != MG_POS_VERB || mm->cform_len < 18 || memcmp(mm->cform, "体言接続特殊", 18) != 0) return 0;
  if (mm->surface_len <= 3 || memcmp(mm->surface + mm->surface_len - 3, "ん", 3) != 0) return 0;
  if (lemma_is(mm, "する") || lemma_is(mm, "来る") || lemma_is(mm, "くる") || lemma_is(mm, "ける")) return 0; /* けん: because */
  /* the stem + ん is the lemma's stem + る (起きん, 起きる; not 呼ぶん, 呼ぶ) */
  if (mm->lemma_len != mm->surface_len || memcmp(mm->lemma + mm->lemma_len - 3, "る", 3) != 0 ||
      memcmp(mm->lemma, mm->surface, (size_t)mm->surface_len - 3) != 0)
    return 0;
  next = mm->surface + mm->surface_len;
  for (size_t i = 0; i < sizeof expl / sizeof expl[0]; i++)
    if (strncmp(next, expl[i], strlen(expl[i])) == 0) return 0;
  return 1;
}

static int on_morph(void *vctx, const mg_morph *mm) {
  bot_msg *m = vctx;
  bot_morph *b;
  int at, ll;
  const char *l = stream_lemma(mm, &ll);

  if (m->n + 2 > m->cap) {
    int ncap = m->cap ? m->cap * 2 : 64;
    bot_morph *nm = realloc(m->m, (size_t)ncap * sizeof *nm);
    if (!nm) return MG_ENOMEM;
    m->m = nm, m->cap = ncap;
  }
  at = pool_put(m, l, ll);
  if (at < 0) return MG_ENOMEM;
  b = &m->m[m->n++];
  b->off = mm->off;
  b->len = mm->surface_len;
  b->lemma = at;
  b->pos = mm->pos;
  b->stream = in_stream(mm);
  b->unknown = mm->unknown;
  if (spoken_neg_n(mm)) { /* 起きん: the verb, then its negation */
    b->len -= 3;
    at = pool_put(m, NEG_LEMMA, (int)strlen(NEG_LEMMA));
    if (at < 0) return MG_ENOMEM;
    b = &m->m[m->n++];
    b->off = mm->off + mm->surface_len - 3;
    b->len = 3;
    b->lemma = at;
    b->pos = MG_POS_AUX;
    b->stream = 1;
    b->unknown = 0;
  }
  return 0;
}

/* Two spoken forms MeCab cuts into nouns; each is put back as the word it
 * is, so a term meets it:
 * - the dialect negation of とる/よる after a verb, read as the noun らん
 *   when more follows (息しとらん どうしよ = し + と + らん, 息しよらん = しよ
 *   + らん): that らん is a negation;
 * - 飲んだ written in kana after a noun, read as の + ん + だ/で (洗剤のんだ,
 *   薬のんでしもた, 洗剤のんどる): の + ん is the verb 飲む, and の + みこむ
 *   is 飲み込む (電池のみこんだ). */
static int surface_is(const bot_msg *m, const bot_morph *b, const char *s) {
  return b->len == (int)strlen(s) && memcmp(m->text + b->off, s, (size_t)b->len) == 0;
}

/* The copula や + けど after の or ん (行かないかんのやけど, 越すんやけど):
 * the Iyo-ben "…, but", which MeCab and the kana match read as the noun
 * やけど (a burn). ちゃん, さん, くん end a name: 赤ちゃんやけどした is a burn. */
static int copula_kedo(const bot_msg *m, int off) {
  static const char *const name_end[] = { "ちゃん", "さん", "くん" };
  if (off < 3 || off + 9 > m->len || memcmp(m->text + off, "やけど", 9) != 0) return 0;
  if (memcmp(m->text + off - 3, "ん", 3) != 0 && memcmp(m->text + off - 3, "の", 3) != 0) return 0;
  for (size_t k = 0; k < sizeof name_end / sizeof name_end[0]; k++) {
    int n = (int)strlen(name_end[k]);
    if (off >= n && memcmp(m->text + off - n, name_end[k], (size_t)n) == 0) return 0;
  }
  return 1;
}

/* ん right after a dictionary form (a verb's or an auxiliary's u-row
 * ending, an adjective's or auxiliary's い) or after た/だ is the spoken の, not a negation
 * (ためとるんよ, 痛いんよ, 燃えたんよ, 何の手続きがいるんでしょう); a negative ん
 * follows the stem (燃えとらん, 来ん, 待たん, 誰もいん). */
static int explanatory_n(const bot_msg *m, const bot_morph *p, const bot_morph *b) {
  static const char *const uend[] = { "る", "う", "く", "す", "つ", "ぬ", "ぶ", "む", "ぐ" };
  if (!surface_is(m, b, "ん") || p->len < 3) return 0;
  const char *last = m->text + p->off + p->len - 3;
  if (p->pos != MG_POS_VERB && p->pos != MG_POS_AUX && p->pos != MG_POS_ADJ) return 0;
  if (p->pos != MG_POS_VERB && memcmp(last, "い", 3) == 0) return 1; /* 痛いんよ, 死にたいんよ */
  if (p->pos == MG_POS_AUX && (memcmp(last, "た", 3) == 0 || memcmp(last, "だ", 3) == 0)) return 1;
  for (size_t k = 0; k < sizeof uend / sizeof uend[0]; k++)
    if (memcmp(last, uend[k], 3) == 0) return 1;
  return 0;
}

/* Where the kana at k (3 bytes) is in the n of set, or -1. */
static int kana_at(const char *k, const char *const *set, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (memcmp(k, set[i], 3) == 0) return (int)i;
  return -1;
}
#define KANA_IN(k, row) (kana_at((k), (row), sizeof(row) / sizeof *(row)) >= 0)

static const char *const a_row[] = { "か", "が", "さ", "た", "な", "ま", "ば", "ら", "わ" };
static const char *const e_row[] = { "え", "け", "げ", "せ", "て", "ね", "べ", "め", "れ" };
/* a godan verb's stem (i-row: 叩き) and its dictionary form's ending (u-row: 叩く), pairwise */
static const char *const i_row[] = { "き", "ぎ", "し", "ち", "に", "び", "み", "り", "い" };
static const char *const u_row[] = { "く", "ぐ", "す", "つ", "ぬ", "ぶ", "む", "る", "う" };

/* A verb form that ends in an a-row or e-row kana (行か, いけ, 食べ): the stem
 * a spoken negation ん follows. */
static int negatable_stem(const bot_msg *m, const bot_morph *p) {
  if (p->len < 3 || surface_is(m, p, "くれ")) return 0; /* おってくれんか asks, it denies nothing */
  const char *last = m->text + p->off + p->len - 3;
  return KANA_IN(last, a_row) || KANA_IN(last, e_row);
}

static int spoken_fixups(bot_msg *m) {
  for (int i = 1; i < m->n; i++) {
    bot_morph *b = &m->m[i], *p = &m->m[i - 1];
    int stem; /* the i-row kana p ends in (叩き), for 伊予弁's よる */
    if (p->off + p->len != b->off) continue;
    if (strcmp(m->pool + b->lemma, NEG_LEMMA) == 0 && explanatory_n(m, p, b)) {
      int at = pool_put(m, "の", (int)strlen("の"));
      if (at < 0) return MG_ENOMEM;
      b->lemma = at, b->pos = MG_POS_PARTICLE, b->stream = 0;
    } else if (b->pos == MG_POS_VERB && surface_is(m, b, "けん") && strcmp(m->pool + b->lemma, "ける") == 0) {
      /* 伊予弁's けん (because), which MeCab reads as ける (蹴る) + ん:
       * 子どもが通るけん心配 is not 子どもを蹴る */
      int at = pool_put(m, "けん", (int)strlen("けん"));
      if (at < 0) return MG_ENOMEM;
      b->lemma = at, b->pos = MG_POS_PARTICLE, b->stream = 0;
    } else if (b->pos == MG_POS_NOUN && surface_is(m, b, "やけど") && copula_kedo(m, b->off)) {
      int at = pool_put(m, "けど", (int)strlen("けど"));
      if (at < 0) return MG_ENOMEM;
      b->lemma = at, b->pos = MG_POS_PARTICLE, b->stream = 0;
    } else if (b->pos == MG_POS_NOUN && surface_is(m, b, "ん") && p->pos == MG_POS_VERB && negatable_stem(m, p)) {
      /* 生きていけん, 帰れん read as いけ, 帰れ (an imperative) + the noun ん:
       * the potential verb (いける, 帰れる, as MeCab reads 帰れない) and a
       * negation: "cannot go back", not 帰る + ない "does not come back" */
      int at;
      if (KANA_IN(m->text + p->off + p->len - 3, e_row)) {
        char pot[64];
        if (p->len + 3 >= (int)sizeof pot) continue;
        memcpy(pot, m->text + p->off, (size_t)p->len);
        memcpy(pot + p->len, "る", 3);
        if ((at = pool_put(m, pot, p->len + 3)) < 0) return MG_ENOMEM;
        p->lemma = at;
      }
      if ((at = pool_put(m, NEG_LEMMA, (int)strlen(NEG_LEMMA))) < 0) return MG_ENOMEM;
      b->lemma = at, b->pos = MG_POS_AUX, b->stream = 1;
    } else if (b->pos == MG_POS_NOUN && surface_is(m, b, "らん") &&
        (p->pos == MG_POS_VERB ||
         (p->pos == MG_POS_PARTICLE && surface_is(m, p, "と") && i >= 2 && m->m[i - 2].pos == MG_POS_VERB &&
          m->m[i - 2].off + m->m[i - 2].len == p->off))) {
      int at = pool_put(m, NEG_LEMMA, (int)strlen(NEG_LEMMA));
      if (at < 0) return MG_ENOMEM;
      b->lemma = at, b->pos = MG_POS_AUX, b->stream = 1;
    } else if (b->pos == MG_POS_NOUN && surface_is(m, b, "ん") && p->pos == MG_POS_PARTICLE && surface_is(m, p, "の") &&
               i >= 2 && m->m[i - 2].pos == MG_POS_NOUN && i + 1 < m->n && b->off + b->len == m->m[i + 1].off &&
               (strncmp(m->text + m->m[i + 1].off, "だ", 3) == 0 || strncmp(m->text + m->m[i + 1].off, "で", 3) == 0 ||
                strncmp(m->text + m->m[i + 1].off, "ど", 3) == 0)) {
      int at = pool_put(m, "飲む", (int)strlen("飲む"));
      if (at < 0) return MG_ENOMEM;
      p->lemma = at, p->pos = MG_POS_VERB, p->stream = 1, p->len += b->len;
      b->stream = 0;
    } else if (b->pos == MG_POS_NOUN && surface_is(m, b, "しん") && (p->pos == MG_POS_PARTICLE || p->pos == MG_POS_SYMBOL) &&
               i + 1 < m->n &&
               b->off + b->len == m->m[i + 1].off &&
               (strncmp(m->text + m->m[i + 1].off, "だ", 3) == 0 || strncmp(m->text + m->m[i + 1].off, "で", 3) == 0)) {
      /* 死んだ written in kana after a particle or a stop, read as the noun
       * しん + だ (一緒にしんだ方が楽, 。しんでもいいと): the verb 死ぬ */
      int at = pool_put(m, "死ぬ", (int)strlen("死ぬ"));
      if (at < 0) return MG_ENOMEM;
      b->lemma = at, b->pos = MG_POS_VERB, b->stream = 1;
    } else if (p->pos == MG_POS_PARTICLE && surface_is(m, p, "が") && surface_is(m, b, "え") && i + 1 < m->n &&
               surface_is(m, &m->m[i + 1], "えと") && b->off + b->len == m->m[i + 1].off) {
      /* ほうがええと言う read as が + the fillers え + えと: the adjective
       * ええ (いい) and the quoting と (死んだほうがええと毎晩言う) */
      bot_morph *q = &m->m[i + 1];
      int at = pool_put(m, "ええ", (int)strlen("ええ"));
      if (at < 0) return MG_ENOMEM;
      b->lemma = at, b->pos = MG_POS_ADJ, b->stream = 1, b->len += 3;
      if ((at = pool_put(m, "と", (int)strlen("と"))) < 0) return MG_ENOMEM;
      q->lemma = at, q->pos = MG_POS_PARTICLE, q->stream = 0, q->off += 3, q->len -= 3;
    } else if (b->pos == MG_POS_VERB && p->pos == MG_POS_NOUN && strcmp(m->pool + b->lemma, "よる") == 0 &&
               p->len >= 6 && mg_utf8_has_kanji(m->text + p->off, 3) &&
               (stem = kana_at(m->text + p->off + p->len - 3, i_row, sizeof i_row / sizeof *i_row)) >= 0) {
      /* 伊予弁's ongoing よる after a verb's stem, read as a noun + よる (寄る):
       * 叩きよる is 叩く going on, not the noun 叩き */
      char verb[64];
      int at;
      if (p->len >= (int)sizeof verb) continue;
      memcpy(verb, m->text + p->off, (size_t)p->len - 3);
      memcpy(verb + p->len - 3, u_row[stem], 3);
      if ((at = pool_put(m, verb, p->len)) < 0) return MG_ENOMEM;
      p->lemma = at, p->pos = MG_POS_VERB, p->stream = 1;
      b->stream = 0;
    } else if (b->pos == MG_POS_VERB && p->pos == MG_POS_PARTICLE && surface_is(m, p, "の") &&
               strcmp(m->pool + b->lemma, "みこむ") == 0) { /* 電池のみこんだ = の + みこむ */
      int at = pool_put(m, "飲み込む", (int)strlen("飲み込む"));
      if (at < 0) return MG_ENOMEM;
      b->lemma = at, b->off = p->off, b->len += p->len;
      p->stream = 0;
    }
  }
  return 0;
}

/* Written only in kana (with spaces, punctuation, digits, emoji), judged on
 * the resident's own text: the variants rewrite some kana words into kanji
 * (あかちゃん → 赤ちゃん), and the message is no less a kana message. */
static int written_in_kana(const char *s, int n) {
  int kana = 0;
  for (int i = 0; i < n;) {
    uint32_t cp;
    int k = mg_utf8_decode(s + i, (size_t)(n - i), &cp);
    if (k <= 0) return 0;
    i += k;
    if ((cp >= 0x3041 && cp <= 0x309F) || (cp >= 0x30A1 && cp <= 0x30FF) || (cp >= 0xFF66 && cp <= 0xFF9F)) {
      kana++;
      continue;
    }
    if (cp < 0x80 && !((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')) continue; /* digits, spaces, ASCII punctuation */
    if (cp >= 0x3000 && cp <= 0x303F) continue;                              /* 、。「」 and friends */
    if (cp >= 0xFF01 && cp <= 0xFF65 && !((cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A)))
      continue;                                                              /* full-width punctuation and digits */
    if (cp >= 0xFE00 && cp <= 0xFE0F) continue;                              /* variation selectors */
    if (cp >= 0x1F000) continue;                                             /* emoji */
    return 0;
  }
  return kana > 0;
}

int bot_msg_analyze(bot_msg *m, mg_analyzer *an, const char *text, int len) {
  const char *t;
  int tlen, rc;

  m->n = 0;
  m->pool_len = 0;
  m->kana_only = written_in_kana(text, len);
  rc = faq_analyze_morphs(an, text, len, on_morph, m);
  if (rc != 0) return rc < 0 ? rc : MG_ENOMEM;
  t = faq_analyzer_text(an, &tlen);
  if (tlen + 1 > m->text_cap) {
    int ncap = tlen + 256;
    char *nt = realloc(m->text, (size_t)ncap), *nk = realloc(m->kata, (size_t)ncap);
    unsigned char *nb = realloc(m->bound, (size_t)ncap);
    int *ns = realloc(m->sent, (size_t)ncap * sizeof *ns);
    if (nt) m->text = nt;
    if (nk) m->kata = nk;
    if (nb) m->bound = nb;
    if (ns) m->sent = ns;
    if (!nt || !nk || !nb || !ns) return MG_ENOMEM;
    m->text_cap = ncap;
  }
  memcpy(m->text, t, (size_t)tlen + 1);
  memcpy(m->kata, t, (size_t)tlen + 1);
  to_kata(m->kata, tlen);
  m->len = tlen;
  if ((rc = spoken_fixups(m)) != 0) return rc;
  memset(m->bound, 0, (size_t)tlen + 1);
  for (int i = 0; i < m->n; i++) m->bound[m->m[i].off] = 1;
  m->bound[tlen] = 1;
  /* sentence numbers once per message: the safety layer asks for them
   * about a hundred times a message */
  m->sent[0] = 0;
  for (int i = 0; i < tlen; i++) {
    unsigned char ch = (unsigned char)m->text[i];
    int end = ch == '!' || ch == '?' || ch == '\n' || ch == '.' ||
              (ch == 0xE3 && i + 2 < tlen && (unsigned char)m->text[i + 1] == 0x80 &&
               (unsigned char)m->text[i + 2] == 0x82); /* 。 */
    m->sent[i + 1] = m->sent[i] + end;
  }
  return 0;
}

void bot_msg_clear(bot_msg *m) {
  free(m->text);
  free(m->kata);
  free(m->m);
  free(m->pool);
  free(m->bound);
  free(m->sent);
  memset(m, 0, sizeof *m);
}

int bot_msg_is_kana(const bot_msg *m) { return m->kana_only; }

int bot_msg_sentence(const bot_msg *m, int off) {
  if (off <= 0 || !m->sent) return 0;
  return m->sent[off < m->len ? off : m->len]; /* counted by bot_msg_analyze */
}

int bot_msg_same_clause(const bot_msg *m, int a, int b) {
  int lo = a < b ? a : b, hi = a < b ? b : a;
  for (int i = lo; i < hi && i < m->len; i++)
    if (m->text[i] == ',' || (i + 2 < m->len && memcmp(m->text + i, "\xE3\x80\x81", 3) == 0)) return 0; /* 、 */
  return 1;
}

int bot_msg_is_voice(const bot_msg *m, int i) {
  const char *l = bot_msg_lemma(m, i);
  return is_voice_aux(l, (int)strlen(l));
}

int bot_msg_is_neg(const bot_msg *m, int i) { return strcmp(bot_msg_lemma(m, i), NEG_LEMMA) == 0; }

/* A negation followed by a conditional と says "unless" or "must", the
 * opposite of a denial (傷つけんと落ち着かん, 死なないと, 帰らんと戸籍とれん);
 * a quoting と keeps the negation (燃えてないと思う). */
int bot_msg_unless(const bot_msg *msg, int i) {
  static const char *const quote[] = { "思う", "言う", "聞く", "考える", "感じる", "信じる" };
  if (i + 1 >= msg->n) return 0;
  const bot_morph *t = &msg->m[i + 1];
  if (t->pos != MG_POS_PARTICLE || t->len != 3 || memcmp(msg->text + t->off, "と", 3) != 0 ||
      t->off != msg->m[i].off + msg->m[i].len)
    return 0;
  if (i + 2 < msg->n)
    for (size_t k = 0; k < sizeof quote / sizeof quote[0]; k++)
      if (strcmp(bot_msg_lemma(msg, i + 2), quote[k]) == 0) return 0;
  return 1;
}

/* ---- compiling concepts ------------------------------------------------- */

struct term_ctx {
  bot_concepts *c;
  struct cterm *t;
  char reading[512];
  int rlen, unknown_reading;
  char bare[512];      /* reading without the particles a phone message drops (see droppable) */
  int blen, dropped;   /* its length; particles left out of it */
  int last_dropped;    /* the last morpheme was such a particle */
  int cut, short_part; /* bare's length at the last particle left out; a part of one character */
  int last_pos, last_content;
  int before_last_pos; /* the part of speech of the morpheme before the last */
  int rc;
  int nmorph;
  int heavy;           /* stream lemmas that are not light verbs */
  int specific;        /* a noun, adverb or adnominal outside the stream (つもり, ほう, もう, この) */
  int dropped_verb;    /* a verb outside the stream (ください) */
  int compound_verb;   /* ... right after another verb: the second half of a compound (かね|だせ) */
  int fragment;        /* the term ends in a piece of a word: 押し込 is 押し + 込, 泣き叫 ends unknown */
  int last_te;         /* the morpheme before was the particle て or で */
  int last_neg;        /* the last stream lemma was a negation */
  int hou;             /* the noun 方 (ほう) stood between two of its words (おらん方がええ) */
  char lemma0[128];
  int lemma0_len;
  int lemma_noun;      /* the first stream lemma is a noun */
  int wo;              /* を follows the first lemma at once */
  int wo_verb;         /* ... and the second lemma is the verb right after it */
  char verb[8][48];    /* lemma k ≥ 1 when it is a verb or adjective written with kanji (for add_alts), else "" */
};

/* The particle of an English phrasal verb (go on, pass out, give up): it
 * follows its verb at once, so no word may stand between them in a match
 * ("can't go on" is not "can't go shopping on Sunday"). */
static int english_particle(const char *l, int n) {
  static const char *const p[] = { "on", "up", "out", "off", "down", "away", "over", "back" };
  for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
    if ((int)strlen(p[i]) == n && memcmp(l, p[i], (size_t)n) == 0) return 1;
  return 0;
}

/* A particle residents leave out when they type in kana on a phone (くび
 * しめられた for 首を絞められた, あし いたい for 足が痛い): が, を, は, に, へ.
 * Not の, で, と, て, which join what they stand between. */
static int droppable(const mg_morph *m) {
  static const char *const p[] = { "が", "を", "は", "に", "へ" };
  return m->pos == MG_POS_PARTICLE && m->surface_len == 3 && KANA_IN(m->surface, p);
}

static int on_term_morph(void *vctx, const mg_morph *m) {
  struct term_ctx *x = vctx;
  x->nmorph++;
  /* この前 is not 前 (家の前で人が倒れてる is not a memory), その後 not 後 */
  if ((m->pos == MG_POS_NOUN || m->pos == MG_POS_ADV || m->pos == MG_POS_OTHER) && !in_stream(m)) x->specific = 1;
  /* 方 in おらん方がええ: what stands on each side of it keeps its side */
  if (m->pos == MG_POS_NOUN && !in_stream(m) &&
      ((m->lemma_len == 3 && memcmp(m->lemma, "方", 3) == 0) || (m->lemma_len == 6 && memcmp(m->lemma, "ほう", 6) == 0)))
    x->hou = 1;
  if (m->pos == MG_POS_VERB && !in_stream(m)) {
    x->dropped_verb = 1;
    /* right on a verb's stem, not after て (だせ in かね|だせ, not いる in
     * 倒れている) and not a contracted て form (てる, とる, ちゃう) */
    static const char *const aspect[] = { "てる", "でる", "とる", "どる", "てく", "でく", "ちゃう", "じゃう", "とく", "どく", "よる", "おる" };
    int asp = 0;
    for (size_t i = 0; i < sizeof aspect / sizeof aspect[0] && !asp; i++)
      asp = (int)strlen(aspect[i]) == m->lemma_len && memcmp(aspect[i], m->lemma, (size_t)m->lemma_len) == 0;
    if (x->last_pos == MG_POS_VERB && !asp) x->compound_verb = 1;
    /* 来ん (Iyo-ben: does not come) after て is read as 込む and dropped:
     * 帰ってこん would be 帰る alone, which 家に帰るのが怖い has too. The
     * negation is the term; it meets by its text */
    if (x->last_te && m->lemma_len == 6 && memcmp(m->lemma, "こむ", 6) == 0) x->specific = 1;
  }
  x->last_te = m->pos == MG_POS_PARTICLE && m->surface_len == 3 &&
               (memcmp(m->surface, "て", 3) == 0 || memcmp(m->surface, "で", 3) == 0);
  if (x->t->nlem == 1 && m->pos == MG_POS_PARTICLE && m->surface_len == 3 && memcmp(m->surface, "を", 3) == 0 &&
      x->last_pos == MG_POS_NOUN && x->nmorph == 2)
    x->wo = 1;
  if (in_stream(m)) {
    int ll;
    const char *l = stream_lemma(m, &ll);
    x->heavy += !is_light(l, ll);
    if (x->t->nlem == 1) x->wo_verb = x->wo && m->pos == MG_POS_VERB && x->nmorph == 3;
    if (x->t->nlem >= 1 && x->t->nlem < 8 && (m->pos == MG_POS_VERB || m->pos == MG_POS_ADJ) &&
        mg_utf8_has_kanji(l, (size_t)ll) && ll < (int)sizeof x->verb[0]) {
      memcpy(x->verb[x->t->nlem], l, (size_t)ll);
      x->verb[x->t->nlem][ll] = '\0';
    }
    if (x->t->nlem > 0 && x->t->nlem < 32 && english_particle(l, ll)) x->t->tight |= 1u << x->t->nlem;
    if ((ll == 6 && memcmp(l, "せる", 6) == 0) || (ll == 9 && memcmp(l, "させる", 9) == 0)) x->t->causative = 1;
    int id = faq_termmap_put(x->c->lemmas, l, ll);
    int *nl = realloc(x->t->lem, (size_t)(x->t->nlem + 1) * sizeof *nl);
    if (id < 0 || !nl) { free(nl == x->t->lem ? NULL : nl); return MG_ENOMEM; }
    x->t->lem = nl;
    x->t->lem[x->t->nlem++] = id;
    if (x->t->nlem == 1) x->lemma_noun = m->pos == MG_POS_NOUN;
    /* 知らない人 is not 人も知らない */
    if (x->last_neg && m->pos == MG_POS_NOUN) x->t->relative = 1;
    x->last_neg = is_neg(m);
    if (x->t->nlem == 1 && ll < (int)sizeof x->lemma0) {
      memcpy(x->lemma0, l, (size_t)ll);
      x->lemma0[ll] = '\0';
      x->lemma0_len = ll;
    }
  }
  /* the reading of the surface: katakana from the dictionary, or the
   * surface itself when it is already kana */
  {
    const char *r = m->reading;
    int rl = m->reading_len;
    char tmp[256];
    if (rl == 0 && m->surface_len < (int)sizeof tmp) {
      memcpy(tmp, m->surface, (size_t)m->surface_len);
      to_kata(tmp, m->surface_len);
      if (all_kata(tmp, m->surface_len)) r = tmp, rl = m->surface_len;
    }
    if (rl == 0 || !all_kata(r, rl)) x->unknown_reading = 1;
    else if (x->rlen + rl < (int)sizeof x->reading) {
      memcpy(x->reading + x->rlen, r, (size_t)rl);
      x->rlen += rl;
      /* a particle between two words (not the term's first or last) */
      x->last_dropped = droppable(m) && x->nmorph > 1;
      if (x->last_dropped) {
        x->short_part |= chars(x->bare + x->cut, x->blen - x->cut) < 2;
        x->cut = x->blen;
        x->dropped++;
      } else {
        memcpy(x->bare + x->blen, r, (size_t)rl);
        x->blen += rl;
      }
    }
  }
  /* a one-character noun right after a verb stem, or a word MeCab does
   * not know, at the end: the author wrote the stem of a compound verb */
  x->fragment = (x->last_pos == MG_POS_VERB && m->pos == MG_POS_NOUN && chars(m->surface, m->surface_len) == 1) ||
                (m->unknown && x->nmorph > 1 && m->surface_len > 0 && (m->surface[0] & 0x80));
  x->before_last_pos = x->last_pos;
  x->last_pos = m->pos;
  x->last_content = m->content;
  return 0;
}

/* Cut an inflected ending so the stem meets every form: a verb's or
 * adjective's last kana in the dictionary form (倒れる → 倒れ, 苦しい → 苦し). */
static int stem(const char *s, int n, int last_pos) {
  /* a stem of two characters is a prefix of too much (痛い → イタ is いた,
   * "was"): keep three at least, else the whole word */
  if ((last_pos == MG_POS_VERB || last_pos == MG_POS_ADJ) && n >= 12) return n - 3;
  return n;
}

/* Free what one compiled term owns (a term refused half-way included). */
static void cterm_clear(struct cterm *t) {
  free(t->lem);
  free(t->alt);
  free(t->key);
  free(t->key2);
  free(t->word);
  free(t->lit);
  memset(t, 0, sizeof *t);
}

/* Bytes of the first two characters of s (n bytes; fewer when s is shorter):
 * every kana key has two at least, so they index the keys (one character
 * left hundreds of keys to compare at each position). */
static int two_chars(const char *s, int n) {
  int a = mg_utf8_seqlen((unsigned char)s[0]);
  if (a >= n) return n;
  a += mg_utf8_seqlen((unsigned char)s[a]);
  return a > n ? n : a;
}

struct reading_ctx { char kana[64]; int len, n; };

static int on_lemma_morph(void *vctx, const mg_morph *m) {
  struct reading_ctx *r = vctx;
  if (++r->n == 1 && m->reading_len > 0 && m->reading_len < (int)sizeof r->kana && all_kata(m->reading, m->reading_len)) {
    memcpy(r->kana, m->reading, (size_t)m->reading_len);
    r->len = m->reading_len;
  }
  return 0;
}

/* The term's alternative lemmas, one a lemma, -1 for none: made on first use. */
static int alt_slots(struct cterm *t) {
  if (t->alt) return 0;
  if (!(t->alt = malloc((size_t)t->nlem * sizeof *t->alt))) return MG_ENOMEM;
  for (int j = 0; j < t->nlem; j++) t->alt[j] = -1;
  return 0;
}

/* A verb written in kana (手首 きった, ご飯 たべさせて) has its kana lemma
 * (きる), not the term's (切る): a term's verbs and adjectives after its
 * first word also meet the reading of their lemma in hiragana. Never the
 * first word, which finds the term: a kana verb alone is ambiguous (きる is
 * 切る and 着る); next to the term's own first word it is not. */
static int add_alts(bot_concepts *c, mg_analyzer *an, struct cterm *t, char (*verb)[48]) {
  for (int k = 1; k < t->nlem && k < 8; k++) {
    struct reading_ctx r = { .len = 0 };
    if (!verb[k][0]) continue;
    int rc = faq_analyze_morphs(an, verb[k], (int)strlen(verb[k]), on_lemma_morph, &r);
    if (rc == MG_ENOMEM) return rc;
    if (rc != 0 || r.n != 1 || chars(r.kana, r.len) < 2) continue; /* no reading of its own */
    mg_utf8_kata_to_hira(r.kana, (size_t)r.len);
    if (alt_slots(t) != 0 || (t->alt[k] = faq_termmap_put(c->lemmas, r.kana, r.len)) < 0) return MG_ENOMEM;
  }
  return 0;
}

/* A term that ends in a verb's stem joined to a noun (たばこ押しつけ,
 * 家バレ) is read by MeCab as ending in a noun (押しつけ), while the message
 * goes on with the verb's ending (押しつけたような: 押しつける). With た
 * after it the stem is read as the verb: its lemma is an alternative of the
 * term's last lemma. Only after a noun: a stem after a particle (喉が腫れ,
 * 後をつけ) was written to meet that noun only (喉が腫れ上がる), and the verb
 * would meet far more (風邪で喉が腫れて, 名札にずっとつけとる). */
struct verb_end_ctx { int n, pos, prev_pos, surf_len; char lemma[48], prev[48]; };

static int on_verb_end(void *vctx, const mg_morph *m) {
  struct verb_end_ctx *v = vctx;
  v->n++;
  v->prev_pos = v->pos;
  v->pos = m->pos;
  memcpy(v->prev, v->lemma, sizeof v->prev);
  v->lemma[0] = '\0';
  if (m->lemma_len < (int)sizeof v->lemma) {
    memcpy(v->lemma, m->lemma, (size_t)m->lemma_len);
    v->lemma[m->lemma_len] = '\0';
  }
  if (m->pos == MG_POS_VERB) v->surf_len = m->surface_len;
  return 0;
}

/* Is the word w[0..n) the stem of the verb lemma l: l is w + る (押しつけ,
 * 押しつける), or w ends in an i-row kana and l in its u-row (抜き, 抜く)?
 * Not a misreading (お得 → 得る, 様子がへん → へる). */
static int stem_of(const char *w, int n, const char *l) {
  static const char *const i_row[] = { "き", "ぎ", "し", "ち", "に", "び", "み", "り", "い" };
  static const char *const u_row[] = { "く", "ぐ", "す", "つ", "ぬ", "ぶ", "む", "る", "う" };
  int ln = (int)strlen(l);
  if (n < 3) return 0;
  if (ln == n + 3 && memcmp(l, w, (size_t)n) == 0 && memcmp(l + n, "る", 3) == 0) return 1;
  if (ln != n || memcmp(l, w, (size_t)n - 3) != 0) return 0;
  for (size_t i = 0; i < sizeof i_row / sizeof i_row[0]; i++)
    if (memcmp(w + n - 3, i_row[i], 3) == 0 && memcmp(l + n - 3, u_row[i], 3) == 0) return 1;
  return 0;
}

static int add_verb_end(bot_concepts *c, mg_analyzer *an, struct cterm *t, const char *text, int nmorph) {
  char buf[DICT_TERM_MAX + 8];
  struct verb_end_ctx v = { .n = 0 };
  int n = (int)strlen(text), k = t->nlem - 1;
  if (n + 4 > (int)sizeof buf) return 0;
  memcpy(buf, text, (size_t)n);
  memcpy(buf + n, "\xE3\x81\x9F", 4); /* た */
  int rc = faq_analyze_morphs(an, buf, n + 3, on_verb_end, &v);
  if (rc == MG_ENOMEM) return rc;
  /* the same morphemes and た, the last but one now a verb spelt as the
   * term's last word, which the term keeps (its last lemma) */
  if (rc != 0 || v.n != nmorph + 1 || strcmp(v.lemma, "た") != 0 || v.prev_pos != MG_POS_VERB || !v.prev[0] ||
      v.surf_len <= 0 || v.surf_len > n || faq_termmap_get(c->lemmas, text + n - v.surf_len, v.surf_len) != t->lem[k] ||
      !stem_of(text + n - v.surf_len, v.surf_len, v.prev))
    return 0;
  if (alt_slots(t) != 0) return MG_ENOMEM;
  if (t->alt[k] < 0 && (t->alt[k] = faq_termmap_put(c->lemmas, v.prev, (int)strlen(v.prev))) < 0) return MG_ENOMEM;
  return 0;
}

static int compile_term(bot_concepts *c, mg_analyzer *an, int concept, const dict_concept *dc, const dict_term *dt,
                        char *err) {
  int inside = dc->inside && !dt->exclude;
  struct cterm *t = &c->t[c->nt];
  struct term_ctx x = { .c = c, .t = t };
  char kana[DICT_TERM_MAX * 2 + 4];
  int rc, n, tlen, is_kana = 0;
  const char *text;

  memset(t, 0, sizeof *t);
  t->concept = concept;
  t->exclude = dt->exclude;
  t->latin = 1;
  for (const char *p = dt->text; *p && t->latin; p++) t->latin = (unsigned char)*p < 0x80;
  /* English words stand apart: "@inside" means nothing for them, and found
   * inside other words "used to" would be in "refused to", "how to" in
   * "how tough" */
  if (t->latin) inside = 0;
  rc = faq_analyze_morphs(an, dt->text, (int)strlen(dt->text), on_term_morph, &x);
  if (rc != 0) {
    cterm_clear(t);
    return rc < 0 ? mg_errf(err, rc, "%s:%d: cannot analyse \"%s\"", dc->path, dt->line, dt->text) : MG_ENOMEM;
  }
  /* the term in katakana; the kana key is that when the term is all kana,
   * else its reading */
  text = faq_analyzer_text(an, &tlen);
  if (tlen < (int)sizeof kana) {
    memcpy(kana, text, (size_t)tlen);
    to_kata(kana, tlen);
    is_kana = all_kata(kana, tlen);
    if (is_kana) {
      n = stem(kana, tlen, x.last_pos);
      t->key = strndup(kana, (size_t)n);
      t->keylen = n;
      t->key_stem = n < tlen;
    } else if (!x.unknown_reading && x.rlen > 0) {
      n = stem(x.reading, x.rlen, x.last_pos);
      t->key = strndup(x.reading, (size_t)n);
      t->keylen = n;
      t->key_reading = 1;
      t->key_stem = n < x.rlen;
    }
  }
  /* a kana term whose only word is short (かじです → かじ) would meet every
   * かじ by lemma — 家事 as well as 火事: it meets by its whole spelling */
  if (is_kana && t->nlem == 1 && x.lemma0_len > 0 && chars(x.lemma0, x.lemma0_len) < 3) t->nlem = 0;
  /* made of light verbs only (see is_light), or one word made specific by
   * a word lemmas do not keep (死ぬつもり is not 死んだ, もう死ぬ is not
   * 犬が死んだ, この前 is not 前), or the stem of a compound verb that
   * MeCab cuts into pieces (車に押し込 → 押す + 込; 押し込もう is 押し込む):
   * the term meets the message by its text */
  /* a noun and a request verb the stream drops (電話ください is not 電話,
   * 連絡をください not 連絡): the request is the term, it meets by its text */
  if (t->nlem == 1 && x.dropped_verb && x.lemma_noun) x.specific = 1;
  /* so does a kana term whose one kept word is half a compound verb
   * (かねだせ keeps only かねる, which おかね ない has too): its key is the term */
  if (t->nlem == 1 && x.compound_verb && is_kana) t->nlem = 0;
  /* a kana term that starts with a negation was misread (ずっとないとる is
   * 泣いとる, not ない + とる): its lemmas meet only a message MeCab misreads
   * the same way, side by side — not 返事せん 倒れとる */
  t->kana_lemmas = is_kana && t->nlem > 0 && strcmp(x.lemma0, NEG_LEMMA) == 0;
  t->kana = is_kana;
  /* おらん方がええ without 方 is おる + ない + ええ, which もうええわ 誰か人おらんの
   * has in another order: 方 held them in this one */
  t->held = x.hou && t->nlem >= 3;
  {
    const char *g = strstr(dt->text, "が");
    t->exist_neg = g && (strncmp(g + 3, "な", 3) == 0 || strncmp(g + 3, "無", 3) == 0 || strncmp(g + 3, "ね", 3) == 0);
  }
  if ((x.heavy == 0 && t->nlem > 0) || (t->nlem == 1 && x.specific) || x.fragment) {
    t->nlem = 0;
    inside = 1;
  }
  /* a term with no word the lemma stream keeps, written in kanji (無理やり,
   * 無理矢理: one adverb), would meet only by its reading, and a reading never
   * meets a message in kanji: it meets the message by its text as well */
  if (t->nlem == 0 && !is_kana && !t->latin) inside = 1;
  /* kana terms already meet by their key anywhere they start */
  if ((t->exclude || inside) && tlen < (int)sizeof kana && (t->exclude || !is_kana || !t->key)) {
    t->lit = strndup(kana, (size_t)tlen);
    t->litlen = tlen;
  }
  if (t->key) t->keychars = chars(t->key, t->keylen);
  if (t->key && t->keychars < 2) { free(t->key); t->key = NULL; }
  /* the same key without its dropped particles, when four characters are
   * left at least and two on each side of a particle (a shorter key, or
   * one that keeps one character of a word, is a part of too many words:
   * 車が燃え → クルマモ is くるまも ないし) */
  if (t->key && x.dropped > 0 && !x.last_dropped && !x.unknown_reading && !x.short_part && x.blen > 0) {
    n = stem(x.bare, x.blen, x.last_pos);
    if (chars(x.bare, n) >= 4 && n > x.cut && chars(x.bare + x.cut, n - x.cut) >= 2) {
      if (!(t->key2 = strndup(x.bare, (size_t)n))) {
        cterm_clear(t);
        return MG_ENOMEM;
      }
      t->key2len = n;
      t->key2chars = chars(x.bare, n);
    }
  }
  if (t->nlem == 1 && x.nmorph == 1) {
    int wc = chars(x.lemma0, x.lemma0_len);
    if (wc >= EDIT_MIN_CHARS && wc <= EDIT_MAX_CHARS && !t->exclude) {
      t->edit = 1;
      t->word = strndup(x.lemma0, (size_t)x.lemma0_len);
      t->wordchars = wc;
    }
  }
  if (t->nlem == 0 && !t->key && !t->lit) {
    cterm_clear(t);
    return mg_errf(err, MG_ECONFIG, "%s:%d: \"%s\" has no word to match (only particles or symbols)", dc->path,
                   dt->line, dt->text);
  }
  t->obj = t->nlem == 2 && x.wo_verb && !t->exclude;
  if (t->nlem >= 2 && !t->latin && (rc = add_alts(c, an, t, x.verb)) != 0) {
    cterm_clear(t);
    return rc;
  }
  if (t->nlem >= 2 && !t->latin && x.last_pos == MG_POS_NOUN && x.before_last_pos == MG_POS_NOUN &&
      (rc = add_verb_end(c, an, t, dt->text, x.nmorph)) != 0) {
    cterm_clear(t);
    return rc;
  }
  c->nt++;
  return 0;
}

/* List term under the first two characters of a kana key; *id: their id. */
static int index_key(bot_concepts *c, const char *key, int len, int term, int *id) {
  *id = faq_termmap_put(c->first, key, two_chars(key, len));
  return *id < 0 ? MG_ENOMEM : list_add(&c->by_first, &c->by_first_cap, *id, term);
}

struct del_ctx { bot_concepts *c; int term; };

static int add_deletion(void *vctx, const char *d, int n) {
  struct del_ctx *x = vctx;
  int id = faq_termmap_put(x->c->dels, d, n);
  return id < 0 || list_add(&x->c->by_del, &x->c->by_del_cap, id, x->term) ? MG_ENOMEM : 0;
}

/* Add word itself and every one-character deletion of it to the index. */
static int index_deletions(bot_concepts *c, const char *w, int term) {
  struct del_ctx x = { c, term };
  int rc = add_deletion(&x, w, (int)strlen(w));
  return rc ? rc : mg_utf8_deletions(w, (int)strlen(w), add_deletion, &x);
}

int bot_concepts_compile(bot_concepts **out, const dict_concepts *src, mg_analyzer *an, char *err) {
  bot_concepts *c = calloc(1, sizeof *c);
  int total = 0, rc = 0;

  *out = NULL;
  if (!c) return mg_errf(err, MG_ENOMEM, "out of memory");
  for (int i = 0; i < src->n; i++) total += src->c[i].nterms;
  c->names = calloc((size_t)src->n + 1, sizeof *c->names);
  c->t = calloc((size_t)total + 1, sizeof *c->t);
  c->lemmas = faq_termmap_new();
  c->first = faq_termmap_new();
  c->dels = faq_termmap_new();
  c->lfirst = faq_termmap_new();
  if (!c->names || !c->t || !c->lemmas || !c->first || !c->dels || !c->lfirst) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  c->n = src->n;
  for (int i = 0; i < src->n; i++) {
    memcpy(c->names[i], src->c[i].name, DICT_CONCEPT_NAME);
    for (int j = 0; j < src->c[i].nterms; j++)
      if ((rc = compile_term(c, an, i, &src->c[i], &src->c[i].terms[j], err)) != 0) goto out;
  }
  if (!(c->looks = calloc((size_t)c->nt + 1, sizeof *c->looks))) goto nomem;
  for (int k = 0; k < c->nt; k++) {
    struct cterm *t = &c->t[k];
    /* a look-alike of one word would mask every form of it (死ぬほど would
     * hide 死にたい): those meet the message by their text only */
    if (t->lit) {
      int id = faq_termmap_put(c->lfirst, t->lit, mg_utf8_seqlen((unsigned char)t->lit[0]));
      c->looks[c->nlooks++] = k;
      if (id < 0 || (rc = list_add(&c->by_lfirst, &c->by_lfirst_cap, id, k)) != 0) goto nomem;
    }
    /* ...but by its reading they meet a message in kana as they meet one in
     * kanji (しぬほど ねむい is 死ぬほど眠い), when the reading is a word of
     * three characters at least */
    int id = -1, id2;
    if (t->exclude && t->nlem < 2) {
      if (t->key && t->key_reading && t->keychars >= 3 && index_key(c, t->key, t->keylen, k, &id) != 0) goto nomem;
      continue;
    }
    if (t->nlem > 0 && (rc = list_add(&c->by_lemma, &c->by_lemma_cap, t->lem[0], k)) != 0) goto nomem;
    if (t->key && index_key(c, t->key, t->keylen, k, &id) != 0) goto nomem;
    /* listed under the first two characters of key2 too, once: when they
     * are the key's, the term is tried with both keys from that list */
    if (t->key2 && ((id2 = faq_termmap_put(c->first, t->key2, two_chars(t->key2, t->key2len))) < 0 ||
                    (id2 != id && list_add(&c->by_first, &c->by_first_cap, id2, k) != 0)))
      goto nomem;
    if (t->edit && (rc = index_deletions(c, t->word, k)) != 0) goto nomem;
  }
  *out = c;
  return 0;
nomem:
  rc = mg_errf(err, MG_ENOMEM, "out of memory");
out:
  bot_concepts_free(c);
  return rc;
}

void bot_concepts_free(bot_concepts *c) {
  if (!c) return;
  for (int k = 0; k < c->nt; k++) cterm_clear(&c->t[k]);
  free(c->t);
  free(c->looks);
  free(c->names);
  faq_termmap_free(c->lemmas);
  faq_termmap_free(c->first);
  faq_termmap_free(c->dels);
  faq_termmap_free(c->lfirst);
  lists_free(c->by_lfirst, c->by_lfirst_cap);
  lists_free(c->by_lemma, c->by_lemma_cap);
  lists_free(c->by_first, c->by_first_cap);
  lists_free(c->by_del, c->by_del_cap);
  free(c);
}

int bot_concepts_count(const bot_concepts *c) { return c->n; }
const char *bot_concepts_name(const bot_concepts *c, int id) { return id >= 0 && id < c->n ? c->names[id] : ""; }
int bot_concepts_find(const bot_concepts *c, const char *name) {
  for (int i = 0; i < c->n; i++)
    if (strcmp(c->names[i], name) == 0) return i;
  return -1;
}

int bot_concepts_ids(const bot_concepts *c, const json_t *arr, int *ids, int *n, int max, const char *path,
                     const char *where, char *err) {
  size_t i;
  const json_t *v;
  if (!json_is_array(arr)) return mg_errf(err, MG_ECONFIG, "%s: %s: expected a list of concept names", path, where);
  for (i = 0; i < json_array_size(arr) && (v = json_array_get(arr, i)); i++) {
    int id = json_is_string(v) ? bot_concepts_find(c, json_string_value(v)) : -1;
    if (id < 0)
      return mg_errf(err, MG_ECONFIG, "%s: %s: no concept \"%.48s\" in dict/concepts/", path, where,
                     json_is_string(v) ? json_string_value(v) : "?");
    if (*n >= max) return mg_errf(err, MG_ECONFIG, "%s: %s: more than %d concepts", path, where, max);
    ids[(*n)++] = id;
  }
  return 0;
}

json_t *bot_hits_json(const bot_concepts *c, const bot_hits *h) {
  static const char *const how[] = { "", "lemma", "kana", "reading", "edit" };
  json_t *a = json_array();
  for (int i = 0; i < h->n; i++) {
    char buf[96];
    if (h->how[i] == BOT_NONE) continue;
    snprintf(buf, sizeof buf, "%s:%s", c->names[i], how[h->how[i]]);
    json_array_append_new(a, json_string(buf));
  }
  return a;
}

/* ---- matching ------------------------------------------------------------ */

struct match { int term, start, end, how, chars; };

struct mstate {
  const bot_concepts *c;
  const bot_msg *msg;
  struct match m[MAX_MATCHES];
  int n;
};

static void add_match(struct mstate *s, int term, int start, int end, int how, int nchars) {
  if (s->n < MAX_MATCHES) s->m[s->n++] = (struct match){ term, start, end, how, nchars };
}

/* A sentence ends between byte offsets a and b (。 . ? or a new line): a
 * term's words meet in one sentence, so いないほうがいい is not
 * 「親いない。どうしたらいい？」. An exclamation mark does not part them
 * (やめて！痛い). */
static int ends_sentence(const bot_msg *m, int a, int b) {
  for (int i = a; i < b && i < m->len; i++) {
    unsigned char ch = (unsigned char)m->text[i];
    if (ch == '?' || ch == '\n' || ch == '.') return 1;
    if (ch == 0xE3 && i + 2 < m->len && (unsigned char)m->text[i + 1] == 0x80 && (unsigned char)m->text[i + 2] == 0x82)
      return 1; /* 。 */
  }
  return 0;
}

/* Is the message's j-th stream word the term's k-th lemma, or the reading
 * of that lemma (see add_alts) when the term keeps its order? In a free
 * order a kana word is too loose a tie (つけられとる 振り返ったら こわい is not
 * られたら怖い). */
static int lemma_at(const struct cterm *t, int k, const int *ids, int j, int ordered) {
  return ids[j] == t->lem[k] || (ordered && t->alt && t->alt[k] >= 0 && ids[j] == t->alt[k]);
}

/* The morpheme before i is a copula (じゃ, や, では, で + は): a negation
 * there denies what a thing is (返事じゃない, 返事やのうて), not that it is there. */
static int copula_before(const bot_msg *msg, int i) {
  static const char *const cop[] = { "じゃ", "じゃあ", "や", "では" };
  if (i < 1) return 0;
  for (size_t k = 0; k < sizeof cop / sizeof cop[0]; k++)
    if (surface_is(msg, &msg->m[i - 1], cop[k])) return 1;
  return i >= 2 && surface_is(msg, &msg->m[i - 1], "は") && surface_is(msg, &msg->m[i - 2], "で");
}

/* A verb of knowing takes a negation after it (へんじは わからん does not say
 * 返事がない, 名前は知らん not 名前がない). */
/* Is the message's i-th lemma one of list[0..n)? */
static int lemma_among(const bot_msg *msg, int i, const char *const *list, size_t n) {
  const char *l = bot_msg_lemma(msg, i);
  for (size_t k = 0; k < n; k++)
    if (strcmp(l, list[k]) == 0) return 1;
  return 0;
}

static int knowing(const bot_msg *msg, int i) {
  static const char *const know[] = { "わかる", "分かる", "判る", "知る" };
  return lemma_among(msg, i, know, sizeof know / sizeof know[0]);
}

/* An aspect verb after a verb's て form (刺されとらん: とる, 来ていない:
 * いる): a negation after it still negates that verb. A look-alike's
 * negation is its verb's, met right after it or after such a verb only:
 * -火がつかない is not 火がついた 消えん, whose negation is 消える's. */
static int aspect_verb(const bot_msg *msg, int i) {
  static const char *const asp[] = { "いる", "おる", "とる", "てる", "よる", "ちょる", "しまう", "ちゃう", "おく", "とく", "れる", "られる" };
  return lemma_among(msg, i, asp, sizeof asp / sizeof asp[0]);
}

/* The noun's を, then no other を, comma or sentence end before the verb:
 * 農薬を お茶と間違えて 飲んだ is 農薬を飲む, 農薬を片付けて 水を飲んだ is not. */
static int object_of(const bot_msg *msg, int noun, int verb) {
  int wo = 0;
  if (noun + 1 >= verb || !surface_is(msg, &msg->m[noun + 1], "を")) return 0;
  for (int i = noun + 1; i < verb; i++) {
    const bot_morph *m = &msg->m[i];
    if (m->pos == MG_POS_PARTICLE && surface_is(msg, m, "を") && ++wo > 1) return 0;
  }
  return bot_msg_same_clause(msg, msg->m[noun].off, msg->m[verb].off);
}

/* Is the message's i-th morpheme a verb that せる/させる follows at once
 * (留守番さ|せ, 泣か|せる)? */
static int made_causative(const bot_msg *msg, int i) {
  if (msg->m[i].pos != MG_POS_VERB || i + 1 >= msg->n || msg->m[i].off + msg->m[i].len != msg->m[i + 1].off) return 0;
  const char *l = bot_msg_lemma(msg, i + 1);
  return strcmp(l, "せる") == 0 || strcmp(l, "させる") == 0;
}

/* Lemma ids of the message's stream morphemes (-1 when unknown to every
 * term). A term of several lemmas meets them in any order (Japanese word
 * order is free: 車に子どもを置いた, 子どもを車に置いた) within a window of
 * its length plus two words, when it has three lemmas or more, taking the
 * nearest of each (a second negation elsewhere in the message must not
 * stretch the match); shorter terms and look-alikes only in their own
 * order, with at most one other word between two of their lemmas, or up to
 * OBJ_GAP between a noun with its を and its verb (see object_of). */
static void match_lemmas(struct mstate *s, const int *ids, const int *idx, int ns) {
  const bot_concepts *c = s->c;
  for (int i = 0; i < ns; i++) {
    if (ids[i] < 0 || ids[i] >= c->by_lemma_cap || !c->by_lemma[ids[i]]) continue;
    for (const int *p = c->by_lemma[ids[i]]; *p >= 0; p++) {
      const struct cterm *t = &c->t[*p];
      /* a look-alike, a pair of words, an English term and a term written
       * in kana keep their order (家に誰か is not 家は誰も…; 死にたい is not
       * 死んで…したい; "dying to see" is not "came home to see him dying") */
      int lo = i, hi = i, ok = 1, span = t->nlem + 2,
          ordered = t->exclude || t->nlem < 3 || t->latin || t->kana || t->relative || t->held;
      for (int k = 1; k < t->nlem && ok; k++) {
        int found = -1;
        if (ordered) {
          int gap = (t->latin && (t->tight >> k & 1)) || t->kana_lemmas || (t->exclude && t->lem[k] == t->lem[k - 1]) ? 0 : 1;
          for (int j = hi + 1; j < hi + 2 + gap && j < ns && found < 0; j++)
            if (lemma_at(t, k, ids, j, 1) &&
                !(j > hi + 1 && bot_msg_is_neg(s->msg, idx[j]) &&
                  (knowing(s->msg, idx[j - 1]) || (t->exclude && !aspect_verb(s->msg, idx[j - 1])))))
              found = j;
          for (int j = hi + 2 + gap; t->obj && j <= hi + 1 + OBJ_GAP && j < ns && found < 0; j++)
            if (lemma_at(t, k, ids, j, 1) && object_of(s->msg, idx[hi], idx[j])) found = j;
        } else {
          /* a verb written in kana right after the word before it (出血
           * とまらん: 出血 + とまる) keeps the pair's order, as in an ordered term */
          if (t->alt && t->alt[k] >= 0 && hi + 1 < ns && ids[hi + 1] == t->alt[k] && t->lem[k - 1] == ids[hi])
            found = hi + 1;
          for (int d = 1; d < span && found < 0; d++) {
            if (i + d < ns && lemma_at(t, k, ids, i + d, 0)) found = i + d;
            else if (i - d >= 0 && lemma_at(t, k, ids, i - d, 0)) found = i - d;
          }
        }
        if (found < 0) ok = 0;
        else {
          if (found < lo) lo = found;
          if (found > hi) hi = found;
        }
      }
      if (ok && (hi - lo < span || t->obj)) {
        const bot_morph *a = &s->msg->m[idx[lo]], *b = &s->msg->m[idx[hi]];
        if (lo < hi && ends_sentence(s->msg, a->off + a->len, b->off)) continue;
        if (!t->causative && made_causative(s->msg, idx[hi])) continue;
        /* a term saying something is missing does not meet a copula's
         * negation: 返事がない is not 自動の返事やのうて (not a reply, but…) */
        if (t->exist_neg && t->lem[t->nlem - 1] == ids[hi] && bot_msg_is_neg(s->msg, idx[hi]) &&
            copula_before(s->msg, idx[hi]))
          continue;
        /* a term that ends in a negation does not meet "unless" (帰らんと…: 帰ってこない) */
        if (t->lem[t->nlem - 1] == ids[hi] && bot_msg_is_neg(s->msg, idx[hi]) && bot_msg_unless(s->msg, idx[hi])) continue;
        add_match(s, *p, a->off, b->off + b->len, BOT_BY_LEMMA, 0);
      }
    }
  }
}

/* In kana-only text: the character before byte i is a case particle
 * (が を に は で も と へ), so a word may well start at i. */
static int after_particle(const char *kata, int i) {
  static const char *const p[] = { "ガ", "ヲ", "ニ", "ハ", "デ", "モ", "ト", "ヘ" };
  if (i < 3) return 0;
  for (size_t k = 0; k < sizeof p / sizeof p[0]; k++)
    if (memcmp(kata + i - 3, p[k], 3) == 0) return 1;
  return 0;
}

/* Byte o of msg lies inside (not at the start of) a word MeCab did not
 * know: its boundaries there are guesses, as in a message all in kana
 * (あかちゃんがぐったり… cut as あか + ち + ゃんがぐったり…). */
static int inside_unknown(const bot_msg *msg, int o) {
  for (int i = 0; i < msg->n && msg->m[i].off < o; i++)
    if (msg->m[i].unknown && o < msg->m[i].off + msg->m[i].len) return 1;
  return 0;
}

/* A morpheme starts strictly inside bytes (a, b) of the message. */
static int spans_bound(const bot_msg *msg, int a, int b) {
  for (int i = a + 1; i < b && i < msg->len; i++)
    if (msg->bound[i]) return 1;
  return 0;
}

/* k starts with a katakana character that never starts a word: ン, ッ, ー
 * or a small kana (ャ, ュ, ョ, ァ …). */
static int word_goes_on(const char *k, int n) {
  static const char *const cont[] = { "ン", "ッ", "ー", "ャ", "ュ", "ョ", "ァ", "ィ", "ゥ", "ェ", "ォ" };
  if (n < 3) return 0;
  for (size_t i = 0; i < sizeof cont / sizeof cont[0]; i++)
    if (memcmp(k, cont[i], 3) == 0) return 1;
  return 0;
}

/* Kana keys over k (klen bytes of katakana): the message itself, or — in a
 * message written only in kana with spaces between its words (いきるの
 * しんどい もう むり) — the same with the spaces taken out, off[] mapping each
 * byte back to the message, so a term read across a space is found too. */
static void match_kana_in(struct mstate *s, const char *k, int klen, const int *off) {
  const bot_concepts *c = s->c;
  const bot_msg *msg = s->msg;
  int kana_only = bot_msg_is_kana(msg);
#define ORIG(j) (off ? off[j] : (j))
  for (int i = 0; i + 3 <= klen; i += mg_utf8_seqlen((unsigned char)k[i])) {
    int id, o = ORIG(i);
    /* a word starts here: a morpheme boundary, or a space was taken out before it */
    int bound = msg->bound[o] || (off && i > 0 && off[i - 1] + 1 < o && o > 0 && msg->text[o - 1] == ' ');
    if (!is_kata_at(k, klen, i)) continue;
    /* a key starts at a morpheme or right after a character that is not
     * kana; in a message written only in kana MeCab's boundaries are
     * guesses, so keys of four characters or more may start anywhere */
    int free_start = kana_only;
    if ((id = faq_termmap_get(c->first, k + i, two_chars(k + i, klen - i))) < 0 || id >= c->by_first_cap ||
        !c->by_first[id] || copula_kedo(msg, o))
      continue;
    if (!free_start && !bound) free_start = inside_unknown(msg, o);
    for (const int *p = c->by_first[id]; *p >= 0; p++) {
      const struct cterm *t = &c->t[*p];
      int e, eo, keychars = t->keychars, bare = 0;
      if (i + t->keylen <= klen && memcmp(k + i, t->key, (size_t)t->keylen) == 0)
        e = i + t->keylen;
      else if (kana_only && t->key2 && i + t->key2len <= klen && memcmp(k + i, t->key2, (size_t)t->key2len) == 0)
        e = i + t->key2len, keychars = t->key2chars, bare = 1; /* くび しめられた: the particle left out */
      else
        continue;
      eo = e < klen ? ORIG(e) : msg->len;
      if (!bound && i >= 3 && is_kata_at(k, klen, i - 3) && !(free_start && keychars >= 4) &&
          !(free_start && keychars >= 3 && after_particle(k, i)))
        continue;
      /* a key without its particles starts a word: シタハレ (舌が腫れ) is not
       * in あした はれる */
      if (bare && !bound && i > 0 && !after_particle(k, i)) continue;
      /* inside a word right after its kanji is the word's own kana ending
       * (言いたい is 言い + たい, not 言 + いたい): never the start of a word;
       * a cue written in kana may be such an ending (来よる, 伊予弁's ongoing
       * form); the reading of one written in kanji may not (際 is not the
       * さい of 小さい) */
      if (!bound && !off && o >= 3 && mg_utf8_has_kanji(msg->text + o - 3, 3) &&
          (strncmp(c->names[t->concept], "cue_", 4) != 0 || t->key_reading))
        continue;
      /* the two-character reading of a word written in kanji is no evidence
       * in a message with kanji, whose writer could write the kanji (いき in
       * もっていきよる is not 息): only a message all in kana is read so */
      if (t->key_reading && keychars < 3 && !kana_only) continue;
      /* a two-character key never spans a word's edge in a message with kanji
       * (ガキ is not LINEが|きた) */
      if (keychars < 3 && !kana_only && !off && spans_bound(msg, o, eo)) continue;
      /* a two-character key is a whole word or nothing (もし is not も|しょうが) */
      if (keychars < 3 && !t->key_stem && !msg->bound[eo] && e < klen && is_kata_at(k, klen, e) &&
          !(off && off[e - 1] + 1 < eo))
        continue;
      /* the reading of a word written in kanji, followed in the kana by a
       * character no word starts with (ン, ッ, ー, a small kana): the word
       * goes on, the key is only its first part (いんか|ん is 印鑑, not 引火) */
      if (t->key_reading && !t->key_stem && e < klen && word_goes_on(k + e, klen - e)) continue;
      add_match(s, *p, o, off ? ORIG(e - 1) + 1 : e, t->key_reading ? BOT_BY_READING : BOT_BY_KANA, keychars);
    }
  }
#undef ORIG
}

static void match_literals_in(struct mstate *s, const char *k, int klen, const int *off);

static void match_kana(struct mstate *s) {
  const bot_msg *msg = s->msg;
  char *k;
  int *off, n = 0;
  int kana_only = bot_msg_is_kana(msg), joins = 0;
  match_kana_in(s, msg->kata, msg->len, NULL);
  if (!memchr(msg->kata, ' ', (size_t)msg->len)) return;
  /* a space between two words written in katakana, as half-width phone
   * keyboards write (ｶﾝｷｾﾝ ﾏﾜｼﾀ), is taken out in any message; in one
   * written only in kana, every space is */
  for (int i = 3; i + 3 < msg->len && !kana_only && !joins; i++)
    joins = msg->text[i] == ' ' && is_kata_at(msg->text, msg->len, i - 3) && is_kata_at(msg->text, msg->len, i + 1);
  if (!kana_only && !joins) return;
  k = malloc((size_t)msg->len + 1);
  off = malloc(sizeof *off * ((size_t)msg->len + 1));
  if (k && off) {
    for (int i = 0; i < msg->len; i++)
      if (msg->kata[i] != ' ' ||
          !(kana_only || (i >= 3 && i + 3 < msg->len && is_kata_at(msg->text, msg->len, i - 3) &&
                          is_kata_at(msg->text, msg->len, i + 1))))
        k[n] = msg->kata[i], off[n++] = i;
    k[n] = '\0';
    match_kana_in(s, k, n, off);
    if (kana_only) match_literals_in(s, k, n, off);
  }
  free(k);
  free(off);
}

/* Terms found by their text anywhere in k (klen bytes, katakana form): the
 * message, or — in a message written only in kana — the message with its
 * spaces taken out, off[] mapping each byte back (see match_kana), so a
 * cue's look-alike is found across a space as the danger word is
 * (しめつけられる みたいに いたい is a pain told by a likeness, みたいにいた). */
static void match_literals_in(struct mstate *s, const char *k, int klen, const int *off) {
  const bot_concepts *c = s->c;
  const bot_msg *msg = s->msg;
#define ORIG(j) (off ? off[j] : (j))
  for (int i = 0; i < klen; i += mg_utf8_seqlen((unsigned char)k[i])) {
    int id = faq_termmap_get(c->lfirst, k + i, mg_utf8_seqlen((unsigned char)k[i]));
    if (id < 0 || id >= c->by_lfirst_cap || !c->by_lfirst[id] || copula_kedo(msg, ORIG(i))) continue;
    for (const int *p = c->by_lfirst[id]; *p >= 0; p++) {
      const struct cterm *t = &c->t[*p];
      /* an English look-alike starts a word ("-no fire" is not in "casino fire") */
      if (t->latin && i > 0 && is_alnum(k[i - 1]) && is_alnum(t->lit[0])) continue;
      if (i + t->litlen > klen || memcmp(k + i, t->lit, (size_t)t->litlen) != 0) continue;
      /* across a space only what does not meet without one, and only a
       * look-alike of a cue: one that unmasks a danger (みたいに いたい is no
       * likeness), never one that would mask it (たべてない ママ is not
       * ないまま) */
      if (!off || (off[i + t->litlen - 1] - off[i] != t->litlen - 1 && t->exclude &&
                   strncmp(c->names[t->concept], "cue_", 4) == 0))
        add_match(s, *p, ORIG(i), ORIG(i + t->litlen - 1) + 1, BOT_BY_KANA, 0);
    }
  }
#undef ORIG
}

struct probe_ctx { struct mstate *s; const char *w; int n, start, end; };

static int probe_one(void *vctx, const char *q, int qn) {
  struct probe_ctx *x = vctx;
  const bot_concepts *c = x->s->c;
  int id = faq_termmap_get(c->dels, q, qn);
  if (id < 0 || id >= c->by_del_cap || !c->by_del[id]) return 0;
  for (const int *p = c->by_del[id]; *p >= 0; p++) {
    const struct cterm *t = &c->t[*p];
    if (mg_utf8_edit1(x->w, x->n, t->word, (int)strlen(t->word)) == 1)
      add_match(x->s, *p, x->start, x->end, BOT_BY_EDIT, t->wordchars);
  }
  return 0;
}

/* w against the terms one edit away: w itself and its deletions probe the
 * index of the terms and their deletions. */
static void probe_edit(struct mstate *s, const char *w, int n, int start, int end) {
  struct probe_ctx x = { s, w, n, start, end };
  int wc = chars(w, n);
  if (wc < EDIT_MIN_CHARS - 1 || wc > EDIT_MAX_CHARS + 1) return;
  probe_one(&x, w, n);
  mg_utf8_deletions(w, n, probe_one, &x);
}

/* Words of the message that no term knows, alone and joined with the next
 * noun (a typo often splits a word: 救急者 → 救急 + 者), probed for one edit. */
static void match_edits(struct mstate *s) {
  const bot_msg *msg = s->msg;
  for (int i = 0; i < msg->n; i++) {
    const bot_morph *a = &msg->m[i];
    if ((unsigned char)msg->text[a->off] < 0x80) continue; /* English words are listed, not guessed */
    /* a word the dictionary knows is not a typo (空き家 is not 空き巣, 使える is not 燃える) */
    if (a->unknown && (a->pos == MG_POS_NOUN || a->pos == MG_POS_OTHER))
      probe_edit(s, msg->text + a->off, a->len, a->off, a->off + a->len);
    if (i + 1 < msg->n && msg->m[i + 1].pos == MG_POS_NOUN && a->pos == MG_POS_NOUN &&
        (chars(msg->text + a->off, a->len) == 1 || chars(msg->text + msg->m[i + 1].off, msg->m[i + 1].len) == 1)) {
      const bot_morph *b = &msg->m[i + 1];
      probe_edit(s, msg->text + a->off, b->off + b->len - a->off, a->off, b->off + b->len);
    }
  }
}

int bot_hits_init(bot_hits *h, const bot_concepts *c) {
  memset(h, 0, sizeof *h);
  h->n = c->n;
  h->how = calloc((size_t)c->n + 1, 1);
  h->start = calloc((size_t)c->n + 1, sizeof *h->start);
  h->end = calloc((size_t)c->n + 1, sizeof *h->end);
  h->chars = calloc((size_t)c->n + 1, sizeof *h->chars);
  h->all = calloc(BOT_MAX_MATCHES, sizeof *h->all);
  if (!h->how || !h->start || !h->end || !h->chars || !h->all) { bot_hits_clear(h); return MG_ENOMEM; }
  return 0;
}

void bot_hits_clear(bot_hits *h) {
  free(h->how);
  free(h->start);
  free(h->end);
  free(h->chars);
  free(h->all);
  memset(h, 0, sizeof *h);
}

void bot_concepts_match(const bot_concepts *c, const bot_msg *msg, bot_hits *h) {
  struct mstate st, *s = &st;
  int ids[512], idx[512], ns = 0;

  memset(h->how, 0, (size_t)h->n);
  h->nall = 0;
  s->c = c, s->msg = msg, s->n = 0;
  for (int i = 0; i < msg->n && ns < 512; i++) {
    if (!msg->m[i].stream) continue;
    const char *l = bot_msg_lemma(msg, i);
    ids[ns] = faq_termmap_get(c->lemmas, l, (int)strlen(l));
    idx[ns++] = i;
  }
  match_lemmas(s, ids, idx, ns);
  match_kana(s);
  match_literals_in(s, s->msg->kata, s->msg->len, NULL);
  match_edits(s);
  for (int k = 0; k < s->n; k++) {
    const struct match *m = &s->m[k];
    const struct cterm *t = &c->t[m->term];
    int masked = 0;
    if (t->exclude) continue;
    for (int e = 0; e < s->n && !masked; e++) {
      const struct cterm *x = &c->t[s->m[e].term];
      masked = x->exclude && x->concept == t->concept && s->m[e].start < m->end && m->start < s->m[e].end;
    }
    if (masked) continue;
    int cc = t->concept;
    if (h->nall < BOT_MAX_MATCHES)
      h->all[h->nall++] = (bot_match){ (short)cc, (short)m->start, (short)m->end, (short)m->chars, (unsigned char)m->how };
    if (h->how[cc] == BOT_NONE || m->how < h->how[cc] || (m->how == h->how[cc] && m->chars > h->chars[cc])) {
      h->how[cc] = (unsigned char)m->how;
      h->start[cc] = (short)m->start;
      h->end[cc] = (short)m->end;
      h->chars[cc] = (short)m->chars;
    }
  }
}

int bot_hits_together(const bot_hits *h, const bot_msg *msg, const int *ids, int n) {
  if (n <= 0) return 0;
  for (int i = 0; i < h->nall; i++) {
    if (h->all[i].concept != ids[0]) continue;
    int sent = bot_msg_sentence(msg, h->all[i].start), all = 1;
    for (int k = 1; k < n && all; k++) {
      int found = 0;
      for (int j = 0; j < h->nall && !found; j++)
        found = h->all[j].concept == ids[k] && bot_msg_sentence(msg, h->all[j].start) == sent;
      all = found;
    }
    if (all) return 1;
  }
  return 0;
}

int bot_hits_together_last(const bot_hits *h, const bot_msg *msg, const int *ids, int n) {
  int last = -1;
  if (n <= 0) return -1;
  for (int i = 0; i < h->nall; i++) {
    if (h->all[i].concept != ids[0]) continue;
    int sent = bot_msg_sentence(msg, h->all[i].start), all = 1;
    if (sent <= last) continue;
    for (int k = 1; k < n && all; k++) {
      int found = 0;
      for (int j = 0; j < h->nall && !found; j++)
        found = h->all[j].concept == ids[k] && bot_msg_sentence(msg, h->all[j].start) == sent;
      all = found;
    }
    if (all) last = sent;
  }
  return last;
}

int bot_msg_last_sentence(const bot_msg *m) {
  for (int i = m->n - 1; i >= 0; i--)
    if (m->m[i].stream) return bot_msg_sentence(m, m->m[i].off);
  return 0;
}

int bot_hits_sure(const bot_hits *h, int id) {
  return h->how[id] == BOT_BY_LEMMA || h->how[id] == BOT_BY_KANA || (h->how[id] == BOT_BY_READING && h->chars[id] >= 4);
}
