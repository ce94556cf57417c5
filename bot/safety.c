/*
 * safety.c — scoring dangers and cues (see safety.h for the model).
 *
 * The file names concepts; loading resolves every name to a concept id once,
 * so assessing a message is a walk over a few arrays of ids and the hits the
 * matcher already found. Two cues are built in because they are shapes, not
 * words: an exclamation mark (raises) and a negation right after the danger
 * word, with only particles or auxiliaries between (燃えてない, 火事ではない:
 * lowers).
 */
#include "bot/safety.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mg_err.h"
#include "dict/json.h"
#include "bot/lang.h"

#define MAX_IDS 24
#define MAX_WITH 48 /* "with" groups of one danger */
#define MAX_DANGERS 48
#define BOT_SAFETY_MAX_CONCEPTS 256

struct danger {
  char *name;
  int strong[MAX_IDS], nstrong;
  int hint[MAX_IDS], nhint;
  int with[MAX_WITH][4], nwith[MAX_WITH], nwithgroups; /* all concepts of a group → strong */
  char *numbers[BOT_SAFETY_MAX_NUMBERS];
  int nnumbers;
  char *card, *note;
  char *card_tr[2], *note_tr[2]; /* English and やさしい日本語 (BOT_LANG_EN - 1, BOT_LANG_EASY - 1); NULL: none */
  int ignore[MAX_IDS], nignore; /* lowering cues that say nothing about this danger */
  int fallback; /* the fail-safe: only a note, only with a raising cue, only where nothing else answers */
  int unless[MAX_IDS], nunless; /* a fallback's vetoes, anywhere in the message (a procedure asked about) */
  int raise[MAX_IDS], nraise;   /* raising cues of this danger only, besides the common ones */
};

struct bot_safety {
  const bot_concepts *c;
  double w_strong, w_hint, w_raise, w_lower, t_card, t_note;
  int raise[MAX_IDS], nraise;
  int urgent[MAX_IDS], nurgent; /* the raising cues that let a weak match alarm */
  int present[MAX_IDS], npresent; /* cues that, besides the urgent ones, say a clause is now (最近は…考えよる) */
  int scene[MAX_IDS], nscene;   /* cues that make a conditional clause before a hint its scene */
  int carry[MAX_IDS], ncarry;   /* people a "with" group may take from the sentence before (an omitted subject) */
  int need_urgent[MAX_IDS], nneed_urgent; /* hint concepts that count only next to an urgent cue */
  int near[MAX_IDS], nnear;     /* lowering cues that count only right next to the danger word */
  int segment[MAX_IDS], nsegment; /* lowering cues that count only with no space or comma between them and the danger word */
  int calm[MAX_IDS], ncalm;     /* lowering cues that count only in a sentence where nothing raises */
  int negatable[MAX_IDS], nnegatable; /* "with" partners that a negation right after them removes (叩かずに) */
  int subject[MAX_IDS], nsubject; /* lowering cues that count only as the subject right before it */
  int past[MAX_IDS], npast;     /* cues that date an event (去年): with a past form, the whole sentence is over */
  int after[MAX_IDS], nafter;   /* cues that count only after the danger word (直してもらった…もう平気; not 直してもらったのにまたガスくさい) */
  int with[MAX_WITH][4], nwith[MAX_WITH], nwithgroups; /* lowering only together in one sentence */
  int near_bytes;
  double cue_weight[BOT_SAFETY_MAX_CONCEPTS]; /* per lowering cue; 0 = w_lower */
  int lower[MAX_IDS], nlower;
  struct danger d[MAX_DANGERS];
  int nd;
};

/* A missing list is an empty one. */
static int resolve(const bot_concepts *c, const char *path, const char *where, json_t *arr, int *ids, int *n,
                   char *err) {
  return arr ? bot_concepts_ids(c, arr, ids, n, MAX_IDS, path, where, err) : 0;
}

static double num(json_t *o, const char *key, double def) {
  json_t *v = json_object_get(o, key);
  return json_is_number(v) ? json_number_value(v) : def;
}

static char *dup_str(json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? strdup(s) : NULL;
}

static int load_danger(bot_safety *s, struct danger *d, json_t *jd, const char *path, char *err) {
  char where[96];
  json_t *v, *nums = json_object_get(jd, "numbers"), *with = json_object_get(jd, "with");
  size_t i;
  int rc;

  if (!json_is_object(jd) || !json_is_string(json_object_get(jd, "name")))
    return mg_errf(err, MG_ECONFIG, "%s: every danger needs a \"name\"", path);
  d->name = dup_str(jd, "name");
  snprintf(where, sizeof where, "danger %.48s", d->name ? d->name : "?");
  if (!d->name) return mg_errf(err, MG_ENOMEM, "out of memory");
  if ((rc = resolve(s->c, path, where, json_object_get(jd, "strong"), d->strong, &d->nstrong, err)) != 0) return rc;
  if ((rc = resolve(s->c, path, where, json_object_get(jd, "hint"), d->hint, &d->nhint, err)) != 0) return rc;
  if ((rc = resolve(s->c, path, where, json_object_get(jd, "ignore"), d->ignore, &d->nignore, err)) != 0) return rc;
  if ((rc = resolve(s->c, path, where, json_object_get(jd, "unless"), d->unless, &d->nunless, err)) != 0) return rc;
  if ((rc = resolve(s->c, path, where, json_object_get(jd, "raise"), d->raise, &d->nraise, err)) != 0) return rc;
  if (with) {
    if (!json_is_array(with)) return mg_errf(err, MG_ECONFIG, "%s: %s: \"with\" is a list of lists", path, where);
    json_array_foreach(with, i, v) {
      int n = 0, ids[MAX_IDS];
      if (d->nwithgroups >= MAX_WITH) return mg_errf(err, MG_ECONFIG, "%s: %s: too many \"with\" groups", path, where);
      if ((rc = resolve(s->c, path, where, v, ids, &n, err)) != 0) return rc;
      if (n < 2 || n > 4) return mg_errf(err, MG_ECONFIG, "%s: %s: a \"with\" group names 2 to 4 concepts", path, where);
      memcpy(d->with[d->nwithgroups], ids, (size_t)n * sizeof *ids);
      d->nwith[d->nwithgroups++] = n;
    }
  }
  if (d->nstrong + d->nhint + d->nwithgroups == 0)
    return mg_errf(err, MG_ECONFIG, "%s: %s: names no concept (strong, hint or with)", path, where);
  if (!json_is_array(nums) || json_array_size(nums) == 0 || json_array_size(nums) > BOT_SAFETY_MAX_NUMBERS)
    return mg_errf(err, MG_ECONFIG, "%s: %s: \"numbers\" lists 1 to %d numbers", path, where, BOT_SAFETY_MAX_NUMBERS);
  json_array_foreach(nums, i, v) {
    if (!json_is_string(v) || !*json_string_value(v))
      return mg_errf(err, MG_ECONFIG, "%s: %s: a number is a non-empty string", path, where);
    if (!(d->numbers[d->nnumbers++] = strdup(json_string_value(v)))) return mg_errf(err, MG_ENOMEM, "out of memory");
  }
  d->fallback = json_is_true(json_object_get(jd, "fallback"));
  if (d->fallback && json_object_get(jd, "card"))
    return mg_errf(err, MG_ECONFIG, "%s: %s: a fallback gives only a note: no \"card\"", path, where);
  d->card = dup_str(jd, d->fallback ? "note" : "card"); /* a fallback never shows a card */
  d->note = dup_str(jd, "note");
  if (!d->card || !*d->card || !d->note || !*d->note)
    return mg_errf(err, MG_ECONFIG, "%s: %s: needs a \"card\" and a \"note\" text", path, where);
  for (int l = 0; l < 2; l++) {
    static const char *const ck[2] = { "card_en", "card_easy" }, *const nk[2] = { "note_en", "note_easy" };
    json_t *cv = json_object_get(jd, d->fallback ? nk[l] : ck[l]), *nv = json_object_get(jd, nk[l]);
    if ((cv && (!json_is_string(cv) || !*json_string_value(cv))) || (nv && (!json_is_string(nv) || !*json_string_value(nv))))
      return mg_errf(err, MG_ECONFIG, "%s: %s: \"%s\" and \"%s\" are non-empty texts", path, where, ck[l], nk[l]);
    if ((cv && !(d->card_tr[l] = strdup(json_string_value(cv)))) || (nv && !(d->note_tr[l] = strdup(json_string_value(nv)))))
      return mg_errf(err, MG_ENOMEM, "out of memory");
    for (int k = 0; d->card_tr[l] && k < d->nnumbers; k++)
      if (!strstr(d->card_tr[l], d->numbers[k]))
        return mg_errf(err, MG_ECONFIG, "%s: %s: the %s text does not name %s", path, where, ck[l], d->numbers[k]);
  }
  for (int k = 0; k < d->nnumbers; k++)
    if (!strstr(d->card, d->numbers[k]))
      return mg_errf(err, MG_ECONFIG, "%s: %s: the card text does not name %s", path, where, d->numbers[k]);
  return 0;
}

int bot_safety_load(bot_safety **out, const char *path, const bot_concepts *c, char *err) {
  bot_safety *s = calloc(1, sizeof *s);
  json_t *root = NULL, *ds, *jd, *w, *t;
  size_t i;
  int rc = 0;

  *out = NULL;
  if (!s) return mg_errf(err, MG_ENOMEM, "out of memory");
  s->c = c;
  if ((rc = dict_json_load(&root, path, err)) != 0) goto out;
  w = json_object_get(root, "weights");
  t = json_object_get(root, "thresholds");
  s->w_strong = num(w, "strong", 1.0);
  s->w_hint = num(w, "hint", 0.6);
  s->w_raise = num(w, "raise", 0.4);
  s->w_lower = num(w, "lower", 0.7);
  s->t_card = num(t, "card", 0.95);
  s->t_note = num(t, "note", 0.5);
  if (s->t_note <= 0 || s->t_card < s->t_note) {
    rc = mg_errf(err, MG_ECONFIG, "%s: thresholds: 0 < note <= card", path);
    goto out;
  }
  if ((rc = resolve(c, path, "raise", json_object_get(root, "raise"), s->raise, &s->nraise, err)) != 0) goto out;
  if ((rc = resolve(c, path, "urgent", json_object_get(root, "urgent"), s->urgent, &s->nurgent, err)) != 0) goto out;
  if ((rc = resolve(c, path, "present", json_object_get(root, "present"), s->present, &s->npresent, err)) != 0) goto out;
  if ((rc = resolve(c, path, "near", json_object_get(root, "near"), s->near, &s->nnear, err)) != 0) goto out;
  if ((rc = resolve(c, path, "segment", json_object_get(root, "segment"), s->segment, &s->nsegment, err)) != 0) goto out;
  if ((rc = resolve(c, path, "calm", json_object_get(root, "calm"), s->calm, &s->ncalm, err)) != 0) goto out;
  if ((rc = resolve(c, path, "negatable", json_object_get(root, "negatable"), s->negatable, &s->nnegatable, err)) != 0) goto out;
  if ((rc = resolve(c, path, "scene", json_object_get(root, "scene"), s->scene, &s->nscene, err)) != 0) goto out;
  if ((rc = resolve(c, path, "subject", json_object_get(root, "subject"), s->subject, &s->nsubject, err)) != 0) goto out;
  if ((rc = resolve(c, path, "carry", json_object_get(root, "carry"), s->carry, &s->ncarry, err)) != 0) goto out;
  if ((rc = resolve(c, path, "past", json_object_get(root, "past"), s->past, &s->npast, err)) != 0) goto out;
  if ((rc = resolve(c, path, "after", json_object_get(root, "after"), s->after, &s->nafter, err)) != 0) goto out;
  {
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(root, "lower_with"), i, g) {
      int n = 0, ids[MAX_IDS];
      if (s->nwithgroups >= MAX_IDS || (rc = resolve(c, path, "lower_with", g, ids, &n, err)) != 0 || n < 2 || n > 4) {
        if (!rc) rc = mg_errf(err, MG_ECONFIG, "%s: lower_with: groups of 2 to 4 concepts", path);
        goto out;
      }
      memcpy(s->with[s->nwithgroups], ids, (size_t)n * sizeof *ids);
      s->nwith[s->nwithgroups++] = n;
    }
  }
  s->near_bytes = 3 * (int)num(root, "near_chars", 8);
  {
    const char *key;
    json_t *v, *cw = json_object_get(root, "cue_weights");
    json_object_foreach(cw, key, v) {
      int id = bot_concepts_find(c, key);
      if (id < 0 || id >= BOT_SAFETY_MAX_CONCEPTS || !json_is_number(v)) {
        rc = mg_errf(err, MG_ECONFIG, "%s: cue_weights: \"%.48s\" is not a concept with a number", path, key);
        goto out;
      }
      s->cue_weight[id] = json_number_value(v);
    }
  }
  if ((rc = resolve(c, path, "needs_urgent", json_object_get(root, "needs_urgent"), s->need_urgent, &s->nneed_urgent, err)) != 0)
    goto out;
  if ((rc = resolve(c, path, "lower", json_object_get(root, "lower"), s->lower, &s->nlower, err)) != 0) goto out;
  ds = json_object_get(root, "dangers");
  if (!json_is_array(ds) || json_array_size(ds) == 0 || json_array_size(ds) > MAX_DANGERS) {
    rc = mg_errf(err, MG_ECONFIG, "%s: \"dangers\" lists 1 to %d dangers", path, MAX_DANGERS);
    goto out;
  }
  json_array_foreach(ds, i, jd) {
    if ((rc = load_danger(s, &s->d[s->nd++], jd, path, err)) != 0) goto out;
  }
  *out = s;
  s = NULL;
out:
  json_decref(root);
  bot_safety_free(s);
  return rc;
}

void bot_safety_free(bot_safety *s) {
  if (!s) return;
  for (int i = 0; i < s->nd; i++) {
    free(s->d[i].name);
    free(s->d[i].card);
    free(s->d[i].note);
    for (int l = 0; l < 2; l++) free(s->d[i].card_tr[l]), free(s->d[i].note_tr[l]);
    for (int k = 0; k < s->d[i].nnumbers; k++) free(s->d[i].numbers[k]);
  }
  free(s);
}

static int is_weak(int how) { return how == BOT_BY_READING || how == BOT_BY_EDIT; }

static void add_cue(bot_safety_result *r, const char *name, char sign) {
  for (int i = 0; i < r->ncues; i++)
    if (r->cues[i] == name) return;
  if (r->ncues < BOT_SAFETY_MAX_CUES) {
    r->cues[r->ncues] = name;
    r->cue_sign[r->ncues++] = sign;
  }
}

/* The first morpheme at or after byte offset end (msg->n when none). */
static int morph_from(const bot_msg *msg, int end) {
  int i = 0;
  while (i < msg->n && msg->m[i].off < end) i++;
  return i;
}

/* Is the i-th morpheme the particle しか? */
static int is_only(const bot_msg *msg, int i) {
  const bot_morph *m = &msg->m[i];
  return m->pos == MG_POS_PARTICLE && m->len == 6 && memcmp(msg->text + m->off, "\xE3\x81\x97\xE3\x81\x8B", 6) == 0;
}

/* Is there the particle しか in [start, end)? */
static int only_within(const bot_msg *msg, int start, int end) {
  for (int i = morph_from(msg, start); i < msg->n && msg->m[i].off + msg->m[i].len <= end; i++)
    if (is_only(msg, i)) return 1;
  return 0;
}

/* A negation right after [start, end): only particles and auxiliaries
 * between, in the same phrase (たたかれてる ないてる: a space parts them, and
 * ないてる is 泣いてる). 〜しか…ない is not one, the しか inside the words or
 * after them: it says "nothing but" (死ぬしかない, 死ぬことしか考えられん). */
static int negated_after(const bot_msg *msg, int start, int end) {
  int i = morph_from(msg, end), only = only_within(msg, start, end);
  for (int k = 0; k < 4 && i < msg->n; k++, i++) {
    const bot_morph *m = &msg->m[i];
    if (memchr(msg->text + end, ' ', (size_t)(m->off - end))) return 0;
    if (is_only(msg, i)) only = 1;
    if (bot_msg_is_neg(msg, i)) return !only && !bot_msg_unless(msg, i);
    if (m->pos != MG_POS_PARTICLE && m->pos != MG_POS_AUX && !(m->pos == MG_POS_VERB && !m->stream) &&
        !bot_msg_is_voice(msg, i))
      return 0; /* 刺されてはない: the passive stands between */
  }
  return 0;
}

static int sentence_of(const bot_msg *msg, int off) { return bot_msg_sentence(msg, off); }

static int same_clause(const bot_msg *msg, int a, int b) { return bot_msg_same_clause(msg, a, b); }

/* A space, a comma or a full stop between byte offsets a and b (either
 * order): in a message with kanji, a phone's way of ending a phrase
 * (息が苦しい 前にアナフィラキシーなったことある: two things said). */
static int spaced_between(const bot_msg *msg, int a, int b) {
  int lo = a < b ? a : b, hi = a < b ? b : a;
  for (int i = lo; i < hi && i < msg->len; i++) {
    const char *t = msg->text + i;
    if (*t == ' ' || *t == ',' || (i + 3 <= msg->len && (memcmp(t, "\xE3\x80\x80", 3) == 0 || memcmp(t, "\xE3\x80\x81", 3) == 0)))
      return 1;
  }
  return 0;
}

/* A past form right after [.., end) (燃えた, 倒れた): an event that is over,
 * when the same sentence asks about a procedure. */
static int past_after(const bot_msg *msg, int end) {
  int i = morph_from(msg, end);
  /* 燃えた, 事故にあった, 燃えてしまいました: particles, verbs and
   * auxiliaries may come between */
  for (int k = 0; k < 5 && i < msg->n; k++, i++) {
    const bot_morph *m = &msg->m[i];
    if (m->pos == MG_POS_AUX && strcmp(bot_msg_lemma(msg, i), "た") == 0) return 1;
    if (m->pos != MG_POS_PARTICLE && m->pos != MG_POS_VERB && m->pos != MG_POS_AUX) return 0;
  }
  return 0;
}

/* A conditional or temporal clause ends between byte offsets a < b: a form
 * ending in たら/ったら or the particle ば (テレビ見よったら 外で音がして,
 * 歩いとったら 後ろから). What such a clause says — watching television,
 * walking home — sets the scene for the danger that follows; it does not
 * make it news, a memory or a hypothesis. */
static int scene_between(const bot_msg *msg, int a, int b) {
  for (int i = 0; i < msg->n; i++) {
    const bot_morph *m = &msg->m[i];
    const char *t = msg->text + m->off;
    if (m->off < a) continue;
    if (m->off + m->len > b) break;
    if (m->pos == MG_POS_AUX && m->len >= 6 && memcmp(t + m->len - 6, "\xE3\x81\x9F\xE3\x82\x89", 6) == 0) return 1; /* たら */
    if (m->pos == MG_POS_PARTICLE && m->len == 3 && memcmp(t, "\xE3\x81\xB0", 3) == 0) return 1;                   /* ば */
  }
  return 0;
}

static int in_list(const int *ids, int n, int id) {
  for (int i = 0; i < n; i++)
    if (ids[i] == id) return 1;
  return 0;
}

/* The cues around one danger match: cues count only in the danger's own
 * sentence ("母が倒れた。介護保険の申請をしたい" is still a collapse), and a
 * procedure cue only right next to the danger word (火事の罹災証明書,
 * 救急車の呼び方), not anywhere in the sentence. */
struct cues { int raised, urgent, scene, nlower, neg; int lower_ids[MAX_IDS]; double lower; };

/* Does match m count as a cue in sentence sent? A cue met by a reading
 * counts when it has three characters or more (しょうめいしょ in a kana
 * message is 証明書); never by an edit. */
static int cue_counts(const bot_msg *msg, const bot_match *m, int sent) {
  return m->how != BOT_BY_EDIT && !(m->how == BOT_BY_READING && m->chars < 3) && sentence_of(msg, m->start) == sent;
}

/* An urgent cue (今, 今すぐ, 助けて) or one that says "these days" (最近は,
 * `present`) in the clause of danger match d. */
static int now_in_clause(const bot_safety *s, const bot_msg *msg, const bot_hits *h, const bot_match *d, int sent) {
  for (int i = 0; i < h->nall; i++) {
    const bot_match *m = &h->all[i];
    if (cue_counts(msg, m, sent) &&
        (in_list(s->urgent, s->nurgent, m->concept) || in_list(s->present, s->npresent, m->concept)) &&
        same_clause(msg, d->start, m->start))
      return 1;
  }
  return 0;
}

/* The subject of the danger word that follows: が, は, も or の right after
 * byte offset end (金魚が浮いて, 犬の息が; not 犬に噛まれて). */
static int subject_particle(const bot_msg *msg, int end) {
  static const char *const p[] = { "が", "は", "も", "の" };
  if (end + 3 > msg->len) return 0;
  for (size_t k = 0; k < sizeof p / sizeof p[0]; k++)
    if (memcmp(msg->text + end, p[k], 3) == 0) return 1;
  return 0;
}

/* A subject cue ending at byte a is the subject of the danger word at
 * [b, e): が, は, も or の right after it, near, with no other subject
 * between and the danger word no subject itself (金魚が浮いて動かん,
 * イノシシが車にはねられて, 犬が急に倒れた; not 犬が吠えて泥棒が入った,
 * 犬が噛んで血が止まらん, 犬が吠えて父が倒れた). */
static int scene_between(const bot_msg *msg, int a, int b);

static int subject_of(const bot_safety *s, const bot_msg *msg, int a, int b, int e) {
  if (a > b || !subject_particle(msg, a) || !same_clause(msg, a, b)) return 0;
  /* further than near: only a subject marked by が or は, with no scene-setting
   * clause between (タヌキが死んどる 車にひかれたっぽい; not 犬の散歩しよったら
   * 車にはねられた, whose の names whose walk, nor 犬が逃げて追いかけたら…) */
  if (b - a > s->near_bytes &&
      (b - a > 4 * s->near_bytes || scene_between(msg, a, b) ||
       !(memcmp(msg->text + a, "\xE3\x81\x8C", 3) == 0 || memcmp(msg->text + a, "\xE3\x81\xAF", 3) == 0)))
    return 0;
  for (int i = 0; i < msg->n; i++) {
    const bot_morph *m = &msg->m[i];
    if (m->off <= a) continue;
    if (m->off >= b) break;
    if (m->pos == MG_POS_PARTICLE && m->len == 3 && subject_particle(msg, m->off) &&
        memcmp(msg->text + m->off, "\xE3\x81\xAE", 3) != 0) /* の joins nouns */
      return 0;
  }
  return !(e + 3 <= msg->len && (memcmp(msg->text + e, "\xE3\x81\x8C", 3) == 0 || memcmp(msg->text + e, "\xE3\x81\xAF", 3) == 0));
}

/* Is concept c a raising cue for danger dg: a common one or its own? */
static int raises(const bot_safety *s, const struct danger *dg, int c) {
  return in_list(s->raise, s->nraise, c) || in_list(dg->raise, dg->nraise, c);
}

/* も or は right after a date (昨日も, 昨日は): "again" or a contrast — the
 * danger goes on, it is not over (昨日もそうやった, 昨日はロープ買うてきとった) */
static int again_after(const bot_msg *msg, int end) {
  int i = morph_from(msg, end);
  return i < msg->n && msg->m[i].off == end && msg->m[i].pos == MG_POS_PARTICLE && msg->m[i].len == 3 &&
         (memcmp(msg->text + end, "も", 3) == 0 || memcmp(msg->text + end, "は", 3) == 0);
}

static void cues_near(const bot_safety *s, const struct danger *dg, const bot_msg *msg, const bot_hits *h,
                      const bot_match *d, int strong, int own, struct cues *q) {
  int sent = sentence_of(msg, d->start), past = past_after(msg, d->end), dated = 0;
  int bang = 0, ds = d->start, de = d->end;
  /* what is asked about the danger word follows it, and kana spells the
   * words between in twice the characters kanji do, with spaces (きゅうきゅう
   * しゃ よんだら おかね: 救急車呼んだらお金); a scene before it keeps the
   * ordinary reach (こうえんの トイレから けむり) */
  int after = msg->kana_only ? 2 * s->near_bytes : s->near_bytes;
  memset(q, 0, sizeof *q);
  /* the danger word as far as a longer term of its concept reaches over it
   * (救急車 within 救急車を呼ぶ): a procedure next to that is next to it
   * (救急車を呼ぶのにお金はかかりますか) */
  for (int i = 0; i < h->nall; i++)
    if (h->all[i].concept == d->concept && h->all[i].start < de && h->all[i].end > ds) {
      if (h->all[i].start < ds) ds = h->all[i].start;
      if (h->all[i].end > de) de = h->all[i].end;
    }
  /* raised: a raising cue (now, a cry, a person, an ongoing form; the
   * danger's own) or "!" in the sentence — known before the lowering cues,
   * since a "calm" cue counts only where nothing raises */
  for (int i = 0; i < msg->len && !bang; i++) bang = msg->text[i] == '!' && sentence_of(msg, i) == sent;
  q->raised = bang;
  /* told in the past and dated (去年うちが火事になった、その時の証明書):
   * a procedure anywhere in the sentence asks about what is over. Such a
   * danger is a story, unless the date is followed by も or は (昨日も: it
   * goes on): the people in it (a "scene" cue: 息子が, ばあちゃんに) do not
   * make it happen now. Not a danger told in the present beside an older
   * one (去年倒れた父が また倒れて 息しとらん: not past), nor one met only
   * as a "with" group (!own): a loss or a plan is told in the past
   * (夫が亡くなって…そばに行きたい) and is no less urgent */
  int story = 0;
  for (int i = 0; past && i < h->nall && !(dated && story); i++) {
    const bot_match *m = &h->all[i];
    if (!in_list(s->past, s->npast, m->concept) || !cue_counts(msg, m, sent) || negated_after(msg, m->start, m->end)) continue;
    dated = 1;
    story |= own && !again_after(msg, m->end);
  }
  for (int i = 0; i < h->nall && !q->raised; i++)
    q->raised = cue_counts(msg, &h->all[i], sent) && raises(s, dg, h->all[i].concept) &&
                !(story && in_list(s->scene, s->nscene, h->all[i].concept) && !in_list(s->urgent, s->nurgent, h->all[i].concept));
  /* urgent: a cry for help, "now" or "!" in the sentence, known before the
   * lowering cues (a cue met by its reading does not outweigh it) */
  q->urgent = bang;
  for (int i = 0; i < h->nall && !q->urgent; i++)
    q->urgent = cue_counts(msg, &h->all[i], sent) && in_list(s->urgent, s->nurgent, h->all[i].concept);
  for (int i = 0; i < h->nall; i++) {
    const bot_match *m = &h->all[i];
    if (!cue_counts(msg, m, sent)) continue;
    if (in_list(s->scene, s->nscene, m->concept) || in_list(s->urgent, s->nurgent, m->concept)) q->scene = 1;
    if (in_list(s->lower, s->nlower, m->concept) && !in_list(q->lower_ids, q->nlower, m->concept) &&
        !in_list(dg->ignore, dg->nignore, m->concept)) {
      /* a lowering cue that is itself negated says the opposite (火が消えません,
       * まだ鎮火してない, 笑えない) */
      if (negated_after(msg, m->start, m->end)) continue;
      /* a lowering cue met only by its reading is a guess (こうえん is 公園
       * far more often than 講演): it does not outweigh a cry for help or
       * "now" in the same sentence */
      if (m->how == BOT_BY_READING && q->urgent) continue;
      /* a procedure counts next to the danger word in its own clause
       * (not ガス臭い、料理教室の最中), or anywhere in that clause when the
       * danger is told in the past (家が燃えた 保険会社に出す証明書; not
       * 不審者が入ってきた、住民票の手続きの途中です) */
      /* an experience told (煙出たことある) is the history of the danger
       * word in its own phrase, not of one told apart (息が苦しい
       * 前にアナフィラキシーなったことある) */
      if (in_list(s->segment, s->nsegment, m->concept) && !msg->kana_only &&
          spaced_between(msg, m->start < d->start ? m->end : d->end, m->start < d->start ? d->start : m->start))
        continue;
      if (in_list(s->near, s->nnear, m->concept) &&
          (m->start > de + after || m->end < ds - s->near_bytes || !same_clause(msg, d->start, m->start)) &&
          !(past && (dated || same_clause(msg, d->start, m->start))))
        continue;
      /* a contract or a purchase (解約, リース, 買いたい) says nothing about a
       * danger told with any raising cue (ガス漏れ警報器が鳴りよる 業者と契約
       * しとるけど…); in a calm sentence it is what the resident asks about */
      if (in_list(s->calm, s->ncalm, m->concept) && q->raised)
        continue;
      /* an animal as the subject of the danger word is the one it happens
       * to (金魚が浮いて動かん, 犬が倒れた, タヌキが車にひかれて), not a
       * person; anywhere else, or as the agent (犬に噛まれて), it says nothing */
      if (in_list(s->subject, s->nsubject, m->concept) && !subject_of(s, msg, m->end, d->start, d->end)) continue;
      /* a danger dealt with is said after it (ガスくさかったけど直してくれた
       * もう平気); said before it, the danger is back (直してもらったのにまた
       * ガスくさい, 自分で消したけどまた燃えだした) */
      if (in_list(s->after, s->nafter, m->concept) && m->start < d->end) continue;
      /* a cue in a scene-setting clause before a danger told in the present
       * says nothing about it (ニュース見よったら 火事があったらしい is still news) */
      if (!past && m->end <= d->start && scene_between(msg, m->end, d->start)) continue;
      /* nor does one in another clause when the danger's own clause says it
       * is happening now (昨日もおったけど、今もストーカーが家の前におる) */
      if (!same_clause(msg, d->start, m->start) && now_in_clause(s, msg, h, d, sent)) continue;
      if (q->nlower < 2) /* two lowering cues say all there is to say */
        q->lower += m->concept < BOT_SAFETY_MAX_CONCEPTS && s->cue_weight[m->concept] > 0 ? s->cue_weight[m->concept] : s->w_lower;
      q->lower_ids[q->nlower++] = m->concept;
    }
  }
  /* a group lowers when all its concepts meet in the danger's sentence:
   * a conditional in a question (火事になったらどうすれば), not in a story
   * (切ってたら血が止まらない); a conditional clause that ends before the
   * strong danger word, or a hint next to an urgent or "scene" cue (a person,
   * dict/safety.json), is the scene, not a hypothesis (玄関あけたらガス臭い、元栓は
   * どこ; 帰ったら父が倒れとって、どうしたらいい); a bare hint stays lowered
   * (魚焼いたら部屋が煙だらけ、コツ教えて) */
  for (int g = 0; g < s->nwithgroups; g++) {
    int all = 1;
    for (int k = 0; k < s->nwith[g] && all; k++) {
      int found = 0;
      for (int i = 0; i < h->nall && !found; i++)
        found = h->all[i].concept == s->with[g][k] && sentence_of(msg, h->all[i].start) == sent &&
                !(k == 0 && (strong || q->scene) && h->all[i].end <= d->start) &&
                !(!past && h->all[i].end <= d->start && scene_between(msg, h->all[i].end, d->start));
      all = found;
    }
    if (all && !in_list(dg->ignore, dg->nignore, s->with[g][0]) && q->nlower < MAX_IDS) {
      /* the group's last concept may carry its own weight (cue_weights: a
       * farewell said on leaving a job, cue_leaving, says all there is) */
      int last = s->with[g][s->nwith[g] - 1];
      if (q->nlower < 2)
        q->lower += last < BOT_SAFETY_MAX_CONCEPTS && s->cue_weight[last] > 0 ? s->cue_weight[last] : s->w_lower;
      q->lower_ids[q->nlower++] = s->with[g][0];
    }
  }
  q->neg = negated_after(msg, d->start, d->end);
}

/* Is concept c a danger's own word (strong or hint of any danger)? */
static int is_danger_word(const bot_safety *s, int c) {
  for (int i = 0; i < s->nd; i++)
    if (!s->d[i].fallback && (in_list(s->d[i].strong, s->d[i].nstrong, c) || in_list(s->d[i].hint, s->d[i].nhint, c)))
      return 1;
  return 0;
}

/* How often a message that is nothing but one danger word says it, with
 * only spaces, marks or calls for help between (0: the message says more).
 * Said again (かじ かじ かじ, かじ!かじ! たすけて) it is a cry, as urgent as
 * 今, even when the word is a short reading; said once and nothing else (かじ)
 * it may be a cry too short to tell: a note, never the card. */
static int times_said(const bot_safety *s, const bot_msg *msg, const bot_hits *h, const bot_match *m) {
  int times = 0;
  for (int j = 0; j < msg->len;) {
    int in = 0;
    for (int i = 0; i < h->nall && !in; i++) {
      const bot_match *o = &h->all[i];
      if (j >= o->start && j < o->end && (o->concept == m->concept || in_list(s->urgent, s->nurgent, o->concept))) {
        times += o->concept == m->concept && j == o->start;
        in = o->end - j;
      }
    }
    if (in) j += in;
    else if (strchr(" ,.!?", msg->text[j])) j++;
    else if (!strncmp(msg->text + j, "、", 3) || !strncmp(msg->text + j, "。", 3)) j += 3;
    else return 0;
  }
  return times;
}

/* Partner p of a "with" group told with the group's first match m: in
 * its sentence, or across one sentence end when the person of the two is
 * the earlier (a "carry" concept: Japanese leaves out a subject the
 * sentence before named — 小さい兄弟が公園におる。家に入れてもらえんのやって). */
static int told_with(const bot_safety *s, const bot_msg *msg, const bot_match *m, const bot_match *p) {
  int ms = sentence_of(msg, m->start), ps = sentence_of(msg, p->start);
  if (ps == ms) return 1;
  if (ps == ms + 1) return in_list(s->carry, s->ncarry, m->concept);
  if (ps == ms - 1) return in_list(s->carry, s->ncarry, p->concept);
  return 0;
}

/* In a message written in kana, a reading this long (in characters) is a
 * word, not a chance match: it may complete a "with" group (as a hint). */
#define LONG_READING 5

/* Score of danger d at one of its matches (the "with" groups use the
 * match of their first concept and need the others in the same sentence,
 * or the next for a person, told_with;
 * a partner that is a danger's own word must not be negated: 人や車は
 * 巻き込まれてない. A sign of neglect may be told as an absence and stays:
 * 親の車がもう何日もない). */
static double score_at(const bot_safety *s, const struct danger *d, const bot_msg *msg, const bot_hits *h,
                       const bot_match *m, struct cues *q, int *weak) {
  double base = 0;
  if (in_list(d->strong, d->nstrong, m->concept)) base = s->w_strong;
  else if (in_list(d->hint, d->nhint, m->concept)) base = s->w_hint;
  int own = base > 0;
  for (int g = 0; g < d->nwithgroups && base < s->w_strong; g++) {
    int all = d->with[g][0] == m->concept, read = 0;
    for (int k = 1; k < d->nwith[g] && all; k++) {
      int found = 0;
      for (int i = 0; i < h->nall && !found; i++) {
        const bot_match *p = &h->all[i];
        found = p->concept == d->with[g][k] && told_with(s, msg, m, p) &&
                (!is_weak(p->how) || (msg->kana_only && p->how == BOT_BY_READING && p->chars >= LONG_READING)) &&
                !((is_danger_word(s, d->with[g][k]) || in_list(s->negatable, s->nnegatable, d->with[g][k])) &&
                  negated_after(msg, p->start, p->end));
        if (found && is_weak(p->how)) read = 1;
      }
      all = found;
    }
    /* a partner met only by a long reading in a kana message (ぼたんでんち)
     * makes a hint: the note, or the card with a raising cue */
    if (all) base = read ? (base > s->w_hint ? base : s->w_hint) : s->w_strong;
  }
  if (base <= 0) return 0;
  *weak = is_weak(m->how);
  if (*weak && base > s->w_hint) base = s->w_hint; /* a reading or a typo: a hint at most */
  cues_near(s, d, msg, h, m, base >= s->w_strong, own, q);
  int times = times_said(s, msg, h, m);
  if (times >= 2) q->raised = q->urgent = 1;
  /* a short reading (カジ: 火事 or 家事) counts only next to an urgent cue,
   * and so does a word that only hints at danger (血, 包丁, 死); one that is
   * the whole message gets the note */
  if (*weak && m->how == BOT_BY_READING && m->chars < 3 && !q->urgent) return times == 1 && !q->lower && !q->neg ? s->t_note : 0;
  if (in_list(s->need_urgent, s->nneed_urgent, m->concept) && !q->urgent) return 0;
  double sc = base + (q->raised ? s->w_raise : 0) - q->lower - (q->neg ? s->w_lower : 0);
  /* a reading or a typo never reaches the card without a raising cue */
  if (*weak && !q->raised && sc >= s->t_card) sc = s->t_note;
  return sc;
}

static int met(const bot_hits *h, int concept) {
  for (int i = 0; i < h->nall; i++)
    if (h->all[i].concept == concept && !is_weak(h->all[i].how)) return 1;
  return 0;
}

int bot_safety_mentions(const bot_safety *s, const bot_hits *h) {
  for (int i = 0; i < h->nall; i++)
    if (!is_weak(h->all[i].how) && is_danger_word(s, h->all[i].concept)) return 1;
  for (int d = 0; d < s->nd; d++)
    for (int g = 0; g < s->d[d].nwithgroups; g++) {
      int all = 1;
      for (int k = 0; k < s->d[d].nwith[g] && all; k++) all = met(h, s->d[d].with[g][k]);
      if (all) return 1;
    }
  return 0;
}

/* A concept of d's "unless" list met anywhere in the message (a procedure
 * or a place to consult asked about: 救急車って有料, 子育ての相談ってどこで). */
static int vetoed(const struct danger *d, const bot_msg *msg, const bot_hits *h) {
  for (int i = 0; i < h->nall; i++)
    if (in_list(d->unless, d->nunless, h->all[i].concept) && cue_counts(msg, &h->all[i], sentence_of(msg, h->all[i].start)))
      return 1;
  return 0;
}

/* The dangers whose fallback flag is fallback: the ordinary ones, or the
 * fail-safe ones, which count only with a raising cue and never reach the card. */
static void assess(const bot_safety *s, const bot_msg *msg, const bot_hits *h, bot_safety_result *r, int fallback) {
  double score[MAX_DANGERS], top = 0;
  int order[MAX_DANGERS], norder = 0, best_match[MAX_DANGERS];
  struct cues best_q[MAX_DANGERS];
  int best_weak[MAX_DANGERS];

  memset(r, 0, sizeof *r);
  for (int i = 0; i < s->nd; i++) {
    score[i] = 0, best_match[i] = -1;
    if (s->d[i].fallback != fallback) continue;
    if (vetoed(&s->d[i], msg, h)) continue;
    for (int k = 0; k < h->nall; k++) {
      struct cues q;
      int weak = 0;
      double sc = score_at(s, &s->d[i], msg, h, &h->all[k], &q, &weak);
      /* the fail-safe asks for trouble now: a raising cue, no past form (泣いとった, 怒鳴った) */
      if (sc <= 0 || (fallback && (!q.raised || weak || past_after(msg, h->all[k].end)))) continue;
      if (fallback && sc > s->t_note) sc = s->t_note;
      if (sc > score[i]) score[i] = sc, best_match[i] = k, best_q[i] = q, best_weak[i] = weak;
    }
    if (score[i] >= s->t_note) order[norder++] = i;
    if (score[i] > top) top = score[i], r->danger = s->d[i].name;
  }
  r->score = top;
  /* what fired, for the strongest danger (or the first that matched at all) */
  for (int i = 0; i < s->nd; i++) {
    if (best_match[i] < 0 || (r->danger && s->d[i].name != r->danger)) continue;
    const struct cues *q = &best_q[i];
    add_cue(r, bot_concepts_name(s->c, h->all[best_match[i]].concept), best_weak[i] ? '~' : '+');
    for (int k = 0; k < h->nall; k++)
      if (raises(s, &s->d[i], h->all[k].concept) && q->raised &&
          sentence_of(msg, h->all[k].start) == sentence_of(msg, h->all[best_match[i]].start))
        add_cue(r, bot_concepts_name(s->c, h->all[k].concept), '+');
    for (int k = 0; k < q->nlower; k++) add_cue(r, bot_concepts_name(s->c, q->lower_ids[k]), '-');
    if (q->neg) add_cue(r, "negation", '-');
    break;
  }
  if (norder == 0) return;
  /* strongest first (stable: the file's order breaks ties) */
  for (int a = 1; a < norder; a++)
    for (int b = a; b > 0 && score[order[b]] > score[order[b - 1]]; b--) {
      int t = order[b];
      order[b] = order[b - 1], order[b - 1] = t;
    }
  r->level = score[order[0]] >= s->t_card ? BOT_SAFETY_CARD : BOT_SAFETY_NOTE;
  for (int a = 0; a < norder && a < 3; a++) {
    const struct danger *d = &s->d[order[a]];
    int news = 0;
    for (int k = 0; k < d->nnumbers; k++) {
      int have = 0;
      for (int j = 0; j < r->nnumbers; j++) have |= strcmp(r->numbers[j], d->numbers[k]) == 0;
      if (!have && r->nnumbers < BOT_SAFETY_MAX_NUMBERS) r->numbers[r->nnumbers++] = d->numbers[k], news = 1;
    }
    /* the first danger's text, then one text per danger that adds a number */
    if ((a == 0 || news) && r->nshown < 3) r->shown[r->nshown++] = d;
  }
  bot_safety_localize(s, r, 0);
}

void bot_safety_assess(const bot_safety *s, const bot_msg *msg, const bot_hits *h, bot_safety_result *r) {
  assess(s, msg, h, r, 0);
}

void bot_safety_fallback(const bot_safety *s, const bot_msg *msg, const bot_hits *h, bot_safety_result *r) {
  assess(s, msg, h, r, 1);
}

void bot_safety_localize(const bot_safety *s, bot_safety_result *r, int lang) {
  (void)s;
  r->text[0] = '\0';
  for (int a = 0; a < r->nshown; a++) {
    const struct danger *d = r->shown[a];
    const char *t = r->level == BOT_SAFETY_CARD ? d->card : d->note;
    if (lang == BOT_LANG_EN || lang == BOT_LANG_EASY) {
      const char *tr = r->level == BOT_SAFETY_CARD ? d->card_tr[lang - BOT_LANG_EN] : d->note_tr[lang - BOT_LANG_EN];
      if (tr) t = tr;
    }
    size_t used = strlen(r->text);
    snprintf(r->text + used, sizeof r->text - used, "%s%s", used ? "\n" : "", t);
  }
}

json_t *bot_safety_cues_json(const bot_safety_result *r) {
  json_t *cues = json_array();
  for (int i = 0; i < r->ncues; i++) {
    char buf[64];
    snprintf(buf, sizeof buf, "%c%s", r->cue_sign[i], r->cues[i]);
    json_array_append_new(cues, json_string(buf));
  }
  return cues;
}

json_t *bot_safety_json(const bot_safety_result *r) {
  json_t *nums;
  if (r->level == BOT_SAFE) return NULL;
  nums = json_array();
  for (int i = 0; i < r->nnumbers; i++) json_array_append_new(nums, json_string(r->numbers[i]));
  return json_pack("{s:s, s:o, s:s, s:s, s:o}", "level", r->level == BOT_SAFETY_CARD ? "card" : "note", "numbers", nums,
                   "text", r->text, "danger", r->danger ? r->danger : "", "cues", bot_safety_cues_json(r));
}
