/* Engine: ranking on a small in-memory FAQ, the three decisions, explain
 * output, and an edited entry found at once after refresh. */
#include "faq/analyze.h"
#include "faq/db.h"
#include "faq/engine.h"
#include "faq/learn.h"
#include "util/mg_config.h"
#include "util/mg_err.h"
#include "faq/store.h"
#include "tests/tap.h"

#include <pthread.h>
#include <math.h>
#include <stdlib.h>

/* Searches on a thread of their own, while the main thread edits and refreshes. */
struct searcher {
  mg_engine *eng;
  mg_lang *lang;
  int n, errors, found;
};

static void *search_loop(void *arg) {
  struct searcher *w = arg;
  mg_analyzer *an = NULL;
  char err[MG_ERRLEN];
  mg_result r;
  if (faq_analyzer_new(&an, w->lang, err) != 0) { w->errors++; return NULL; }
  for (int i = 0; i < w->n; i++) {
    if (faq_engine_search(w->eng, an, "児童手当の申請", -1, 5, &r, NULL, err) != 0) w->errors++;
    else if (r.n > 0 && strcmp(r.c[0].faq_id, "t-3") == 0) w->found++;
  }
  faq_analyzer_free(an);
  return NULL;
}

static int put(sqlite3 *db, const char *id, const char *q, const char *a, char *err) {
  mg_faq_entry e;
  memset(&e, 0, sizeof e);
  e.id = (char *)id;
  e.question = (char *)q;
  e.answer = (char *)a;
  return faq_put(db, &e, "test", 1, err);
}

/* The fixture: five entries in an in-memory database and the engine on
 * them, built by five_entries_are_indexed; the tests after the searches
 * edit that FAQ in order, and seen carries what the engine has seen. */
static mg_config cfg;
static mg_lang *lang;
static mg_analyzer *an;
static sqlite3 *db;
static mg_engine *eng;
static mg_engine_seen seen;

static void five_entries_are_indexed(void) {
  char err[MG_ERRLEN] = "";

  is_int(faq_lang_new(&lang, &cfg, err), 0, "lang (%s)", err);
  is_int(faq_analyzer_new(&an, lang, err), 0, "analyzer");
  is_int(faq_db_open_memory(&db, lang, err), 0, "in-memory database (%s)", err);
  if (!db) return;
  ok(put(db, "t-1", "住民票の写しを窓口で取りたい", "市民課の窓口で申請してください。本人確認書類が必要です。", err) == 0 &&
     put(db, "t-2", "住民票の写しをコンビニで取りたい", "マイナンバーカードがあればコンビニのマルチコピー機で取得できます。", err) == 0 &&
     put(db, "t-3", "児童手当の申請方法", "子どもが生まれたら、15日以内に子育て支援課へ児童手当の認定請求をしてください。", err) == 0 &&
     put(db, "t-4", "粗大ごみの出し方", "粗大ごみは事前に収集センターへ電話で申し込んでください。", err) == 0 &&
     put(db, "t-5", "水道の使用開始の手続き", "引っ越しで水道を使い始めるときは水道局へ連絡してください。", err) == 0,
     "five entries stored (%s)", err);

  is_int(faq_engine_new(&eng, lang, db, &cfg, err), 0, "engine built (%s)", err);
  if (!eng) return;
  is_int(faq_engine_size(eng), 5, "index holds the five published entries");
}

static void clear_winner_is_answered_with_sorted_candidates(void) {
  char err[MG_ERRLEN] = "";
  mg_result r;

  is_int(faq_engine_search(eng, an, "児童手当はどうやって申請するの？", -1, 5, &r, NULL, err), 0, "search");
  ok(r.n >= 1 && strcmp(r.c[0].faq_id, "t-3") == 0, "児童手当 question ranks t-3 first (%s)", r.n ? r.c[0].faq_id : "-");
  is_str(faq_decision_name(r.decision), "answer", "a clear winner is answered (confidence %.2f)", r.confidence);
  ok(r.confidence > 0 && r.confidence <= 1, "confidence in (0, 1]");
  for (int i = 1; i < r.n; i++) ok(r.c[i].score <= r.c[i - 1].score, "candidates sorted by score (%d)", i);
}

static void two_equally_good_entries_give_clarify(void) {
  char err[MG_ERRLEN] = "";
  mg_result r;
  faq_engine_search(eng, an, "住民票の写しがほしい", -1, 5, &r, NULL, err);
  is_str(faq_decision_name(r.decision), "clarify", "two equally good entries give clarify");
  ok(r.n >= 2 && ((!strcmp(r.c[0].faq_id, "t-1") && !strcmp(r.c[1].faq_id, "t-2")) ||
                  (!strcmp(r.c[0].faq_id, "t-2") && !strcmp(r.c[1].faq_id, "t-1"))),
     "and offers both of them");
}

static void unrelated_or_empty_question_gets_no_answer(void) {
  char err[MG_ERRLEN] = "";
  mg_result r;
  faq_engine_search(eng, an, "明日の天気と株価を予想して", -1, 5, &r, NULL, err);
  is_str(faq_decision_name(r.decision), "no_answer", "an unrelated question gets no_answer (confidence %.2f)", r.confidence);
  faq_engine_search(eng, an, "", 0, 5, &r, NULL, err);
  ok(r.n == 0 && r.decision == MG_DECISION_NO_ANSWER, "empty text: no candidates, no_answer");
}

static void explain_shows_normalized_text_tokens_and_field_scores(void) {
  char err[MG_ERRLEN] = "";
  mg_result r;
  {
    json_t *ex = json_object();
    faq_engine_search(eng, an, "粗大ゴミを捨てたい", -1, 3, &r, ex, err);
    ok(json_is_string(json_object_get(ex, "normalized")) && json_array_size(json_object_get(ex, "tokens")) >= 1,
       "explain has the normalized text and tokens");
    json_t *c0 = json_array_get(json_object_get(ex, "candidates"), 0);
    ok(c0 && json_real_value(json_object_get(json_object_get(c0, "fields"), "question")) > 0,
       "explain gives per-field scores of the first candidate");
    is_str(r.n ? r.c[0].faq_id : "", "t-4", "粗大ゴミ (variant spelling) finds t-4");
    json_decref(ex);
  }
}

/* the latent-semantic term: in explain, and deterministic (a fixed seed),
 * so a second engine on the same FAQ gives the same scores */
static void lsa_term_is_deterministic_and_explained(void) {
  char err[MG_ERRLEN] = "";
  mg_result r;
  {
    mg_engine *e2 = NULL;
    mg_result r2;
    json_t *ex = json_object();
    is_int(faq_engine_new(&e2, lang, db, &cfg, err), 0, "a second engine on the same FAQ (%s)", err);
    faq_engine_search(eng, an, "子どもが生まれたときの手当", -1, 5, &r, ex, err);
    if (e2) faq_engine_search(e2, an, "子どもが生まれたときの手当", -1, 5, &r2, NULL, err);
    ok(e2 && r.n > 0 && r.n == r2.n && r.c[0].score == r2.c[0].score && !strcmp(r.c[0].faq_id, r2.c[0].faq_id),
       "same FAQ, same ranking and scores");
    json_t *c0 = json_array_get(json_object_get(ex, "candidates"), 0);
    ok(c0 && json_is_number(json_object_get(c0, "lsa")), "explain gives the LSA term of a candidate");
    if (e2) {
      is_int(faq_engine_set_param(e2, "lsa_w", 0, err), 0, "lsa_w can be set");
      faq_engine_search(e2, an, "子どもが生まれたときの手当", -1, 5, &r2, NULL, err);
      ok(r2.n > 0 && !strcmp(r2.c[0].faq_id, "t-3"), "without it the entry is still found by its words");
    }
    faq_engine_free(e2);
    json_decref(ex);
  }
}

/* the nearest phrasing: an entry's question and each alternate are
 * compared with the question one by one, so a resident who repeats one
 * phrasing of a long list finds it; in explain as nearest_phrasing */
static void nearest_phrasing_finds_an_entry_by_one_alternate(void) {
  char err[MG_ERRLEN] = "";
  {
    sqlite3 *db2 = NULL;
    mg_engine *e2 = NULL;
    mg_result r2, r3;
    json_t *ex = json_object(), *c0;
    char *alts[] = { "犬を飼い始めたときの届け出", "猫の去勢手術の補助金", "ペットが亡くなったとき", "散歩のマナー" };
    mg_faq_entry x;
    memset(&x, 0, sizeof x);
    x.id = "p-1", x.question = "ペットに関する手続き", x.answer = "生活環境課へご相談ください。";
    x.alternates = alts, x.n_alternates = 4;
    is_int(faq_db_open_memory(&db2, lang, err), 0, "second in-memory database (%s)", err);
    is_int(db2 ? faq_put(db2, &x, "test", 1, err) : -1, 0, "an entry with four alternates (%s)", err);
    is_int(db2 ? put(db2, "p-2", "犬の鳴き声の苦情", "生活環境課へご相談ください。", err) : -1, 0, "and another (%s)", err);
    is_int(db2 ? faq_engine_new(&e2, lang, db2, &cfg, err) : -1, 0, "engine on them (%s)", err);
    ok(e2 && !faq_engine_set_param(e2, "nn_w", 3, err) && !faq_engine_set_param(e2, "nn_pow", 2, err), "nn_w and nn_pow can be set");
    if (e2) {
      faq_engine_search(e2, an, "猫の去勢手術の補助金", -1, 5, &r2, ex, err);
      c0 = json_array_get(json_object_get(ex, "candidates"), 0);
      is_str(r2.n ? r2.c[0].faq_id : "", "p-1", "a question that repeats an alternate finds its entry");
      ok(c0 && json_real_value(json_object_get(c0, "nearest_phrasing")) > 0.99,
         "its nearest phrasing is the alternate itself (%.3f)", c0 ? json_real_value(json_object_get(c0, "nearest_phrasing")) : -1);
      json_decref(ex);
      ex = json_object();
      faq_engine_search(e2, an, "犬の届け出をしたい", -1, 5, &r2, ex, err);
      c0 = json_array_get(json_object_get(ex, "candidates"), 0);
      double nn = c0 ? json_real_value(json_object_get(c0, "nearest_phrasing")) : -1;
      ok(nn > 0.2 && nn < 0.99, "a question sharing part of a phrasing is near it, not equal (%.3f)", nn);
      faq_engine_set_param(e2, "nn_w", 0, err);
      faq_engine_search(e2, an, "犬の届け出をしたい", -1, 5, &r3, NULL, err);
      ok(r2.n > 0 && r3.n > 0 && !strcmp(r2.c[0].faq_id, r3.c[0].faq_id) && fabs(r2.c[0].score - r3.c[0].score - 3.0 * nn * nn) < 1e-3,
         "it adds nn_w x nearest^2 to the score (%.4f - %.4f)", r2.n ? r2.c[0].score : 0, r3.n ? r3.c[0].score : 0);
    }
    json_decref(ex);
    faq_engine_free(e2);
    faq_db_close(db2);
  }
}

/* Note text as a resident's question that ended on entry id, from sessions
 * sessions of their own, and accept it as staff would (faq/learn.h). */
static int learn(sqlite3 *d, const char *id, const char *text, int sessions, char *err) {
  static int seq;
  sqlite3_int64 cid = 0;
  int noted = 0, rc = 0;
  for (int i = 0; i < sessions && rc == 0; i++) {
    char ref[32];
    snprintf(ref, sizeof ref, "session-%d", seq++);
    rc = faq_learn_note(d, id, text, ref, ref, "eval", &cid, &noted, err);
  }
  return rc ? rc : faq_learn_accept(d, cid, "test", err);
}

/* The weight of a term of kind in explain's "terms", or -1 when it is not there. */
static double term_weight(json_t *ex, const char *term, const char *kind) {
  size_t i;
  json_t *t;
  json_array_foreach(json_object_get(ex, "terms"), i, t) {
    if (!strcmp(json_string_value(json_object_get(t, "term")), term) &&
        !strcmp(json_string_value(json_object_get(t, "kind")), kind))
      return json_real_value(json_object_get(t, "weight"));
  }
  return -1;
}

static int count_kind(json_t *ex, const char *kind) {
  size_t i;
  json_t *t;
  int n = 0;
  json_array_foreach(json_object_get(ex, "terms"), i, t) n += !strcmp(json_string_value(json_object_get(t, "kind")), kind);
  return n;
}

static double field_score(json_t *ex, const char *id, const char *field) {
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(ex, "candidates"), i, c) {
    if (!strcmp(json_string_value(json_object_get(c, "faq_id")), id))
      return json_real_value(json_object_get(json_object_get(c, "fields"), field));
  }
  return -1;
}

static double score_of(const mg_result *r, const char *id) {
  for (int i = 0; i < r->n; i++)
    if (!strcmp(r->c[i].faq_id, id)) return r->c[i].score;
  return -HUGE_VAL;
}

/* learned phrasings (accepted candidates) are alternates weighted as a
 * field of their own (w_learned, b_learned): staff's alternates keep
 * theirs; and the sessions behind an entry's accepted phrasings are a
 * prior, pop_w × log(1 + sessions), for that entry only */
static void learned_phrasings_are_a_field_of_their_own(void) {
  char err[MG_ERRLEN] = "";
  sqlite3 *db4 = NULL;
  mg_engine *e4 = NULL;
  mg_result r0, r1;
  json_t *a = json_object(), *b = json_object();
  char *alts[] = { "予防接種の案内" };
  mg_faq_entry x;
  memset(&x, 0, sizeof x);
  x.id = "l-1", x.question = "狂犬病の予防注射", x.answer = "毎年4月に集合注射を行います。";
  x.alternates = alts, x.n_alternates = 1;
  is_int(faq_db_open_memory(&db4, lang, err), 0, "another in-memory database (%s)", err);
  if (!db4) return;
  is_int(faq_put(db4, &x, "test", 1, err), 0, "an entry with one alternate staff wrote (%s)", err);
  is_int(put(db4, "l-2", "犬の鳴き声の苦情", "生活環境課へご相談ください。", err), 0, "and another (%s)", err);
  is_int(learn(db4, "l-1", "ワンちゃんの注射", 3, err), 0, "a phrasing three sessions taught, accepted (%s)", err);
  is_int(faq_engine_new(&e4, lang, db4, &cfg, err), 0, "engine (%s)", err);
  if (!e4) goto out;
  faq_engine_set_param(e4, "bg_w", 0, err);
  faq_engine_search(e4, an, "ワンちゃん", -1, 5, &r0, a, err);
  is_str(r0.n ? r0.c[0].faq_id : "", "l-1", "a word only the learned phrasing has finds its entry");
  ok(field_score(a, "l-1", "alternates") > 0, "through the alternates (%.3f)", field_score(a, "l-1", "alternates"));
  is_int(faq_engine_set_param(e4, "w_learned", 0, err), 0, "w_learned can be set");
  json_decref(a);
  a = json_object();
  faq_engine_search(e4, an, "ワンちゃん", -1, 5, &r1, a, err);
  ok(field_score(a, "l-1", "alternates") == 0, "w_learned 0: the learned phrasing weighs nothing");
  faq_engine_search(e4, an, "予防接種の案内がほしい", -1, 5, &r1, b, err);
  faq_engine_set_param(e4, "w_learned", 2, err);
  json_decref(a);
  a = json_object();
  faq_engine_search(e4, an, "予防接種の案内がほしい", -1, 5, &r0, a, err);
  ok(field_score(a, "l-1", "alternates") > 0 && fabs(field_score(a, "l-1", "alternates") - field_score(b, "l-1", "alternates")) < 1e-9,
     "staff's alternate weighs the same whatever w_learned is (%.3f)", field_score(a, "l-1", "alternates"));
  is_int(faq_engine_set_param(e4, "pop_w", 0, err), 0, "pop_w can be set");
  faq_engine_search(e4, an, "犬の注射", -1, 5, &r0, NULL, err);
  faq_engine_set_param(e4, "pop_w", 0.75, err);
  faq_engine_search(e4, an, "犬の注射", -1, 5, &r1, NULL, err);
  ok(fabs(score_of(&r1, "l-1") - score_of(&r0, "l-1") - 0.75 * log(4)) < 1e-6,
     "the taught entry gains pop_w x log(1 + 3 sessions) (%.4f)", score_of(&r1, "l-1") - score_of(&r0, "l-1"));
  ok(r0.n > 1 && score_of(&r1, "l-2") == score_of(&r0, "l-2"), "the other entry nothing");
out:
  json_decref(a);
  json_decref(b);
  faq_engine_free(e4);
  faq_db_close(db4);
}

/* the learned thesaurus (th_w): a word residents used for the FAQ's word in
 * accepted phrasings of two entries, three phrasings in all, expands a
 * question towards the FAQ's word, so it reaches a third entry nobody
 * taught; only with th_w on, only for pairs seen for th_min phrasings, and
 * never from a masking label (［メール］) */
static void learned_thesaurus_needs_two_entries_and_skips_masking_labels(void) {
  char err[MG_ERRLEN] = "";
  sqlite3 *db5 = NULL;
  mg_engine *e5 = NULL;
  mg_result r;
  json_t *ex = json_object();
  is_int(faq_db_open_memory(&db5, lang, err), 0, "another in-memory database (%s)", err);
  if (!db5) return;
  ok(put(db5, "g-1", "粗大ごみの収集", "申し込みが必要です。", err) == 0 && put(db5, "g-2", "粗大ごみの持ち込み", "センターへ。", err) == 0 &&
     put(db5, "g-3", "粗大ごみの手数料", "品目ごとに決まっています。", err) == 0 &&
     put(db5, "g-4", "ごみ袋の値段", "45リットル。", err) == 0,
     "four entries (%s)", err);
  ok(learn(db5, "g-1", "ガラクタを取りに来てほしい［メール］", 1, err) == 0 && learn(db5, "g-1", "ガラクタの収集", 1, err) == 0 &&
     learn(db5, "g-2", "ガラクタを運びたい［メール］", 1, err) == 0 && learn(db5, "g-4", "ガラクタの値段", 1, err) == 0,
     "phrasings of g-1, g-2 and g-4 accepted (%s)", err);
  is_int(faq_engine_new(&e5, lang, db5, &cfg, err), 0, "engine (%s)", err);
  if (!e5) goto out;
  faq_engine_search(e5, an, "ガラクタの手数料", -1, 5, &r, ex, err);
  is_int(count_kind(ex, "learned"), 0, "th_w 0 (the default): no learned expansion");
  is_int(faq_engine_set_param(e5, "th_w", 0.3, err), 0, "th_w can be set");
  json_decref(ex);
  ex = json_object();
  faq_engine_search(e5, an, "ガラクタの手数料", -1, 5, &r, ex, err);
  ok(fabs(term_weight(ex, "粗大", "learned") - 0.3) < 1e-9 || fabs(term_weight(ex, "粗大ごみ", "learned") - 0.3) < 1e-9,
     "ガラクタ asks for the FAQ's 粗大ごみ at th_w (%d learned terms)", count_kind(ex, "learned"));
  is_str(r.n ? r.c[0].faq_id : "", "g-3", "which reaches g-3, nobody's phrasing");
  ok(term_weight(ex, "値段", "learned") < 0, "one entry's pair (ガラクタ, 値段) is not learned");
  json_decref(ex);
  ex = json_object();
  faq_engine_search(e5, an, "メールで問い合わせ", -1, 5, &r, ex, err);
  is_int(count_kind(ex, "learned"), 0, "a masking label's word is no evidence");
  is_int(faq_engine_set_param(e5, "th_min", 4, err), 0, "th_min can be set");
  json_decref(ex);
  ex = json_object();
  faq_engine_search(e5, an, "ガラクタの手数料", -1, 5, &r, ex, err);
  is_int(count_kind(ex, "learned"), 0, "th_min 4: three phrasings are not enough");
out:
  json_decref(ex);
  faq_engine_free(e5);
  faq_db_close(db5);
}

/* verb and noun forms of one word (vn_w): a question's verb also asks for
 * the noun the FAQ titles with (申し込みたい → 申込), at vn_w of its weight,
 * shown in explain as kind "form"; it ranks but, with vn_cov 0 (the
 * default), adds nothing to the confidence */
static void verb_asks_for_its_noun_form(void) {
  char err[MG_ERRLEN] = "";
  sqlite3 *db6 = NULL;
  mg_engine *e6 = NULL;
  mg_result r0, r1;
  json_t *ex = json_object(), *ex0 = json_object();
  is_int(faq_db_open_memory(&db6, lang, err), 0, "another in-memory database (%s)", err);
  if (!db6) return;
  ok(put(db6, "f-1", "粗大ごみの申込方法", "電話で受け付けます。", err) == 0 && put(db6, "f-2", "粗大ごみの出し方", "玄関先に出してください。", err) == 0,
     "two entries (%s)", err);
  is_int(faq_engine_new(&e6, lang, db6, &cfg, err), 0, "engine (%s)", err);
  if (!e6) goto out;
  faq_engine_search(e6, an, "粗大ごみを申し込みたい", -1, 5, &r1, ex, err);
  ok(term_weight(ex, "申込", "form") > 0, "the verb 申込む asks for the noun 申込 (weight %.3f)", term_weight(ex, "申込", "form"));
  is_str(r1.n ? r1.c[0].faq_id : "", "f-1", "and finds the entry that titles with it");
  is_int(faq_engine_set_param(e6, "vn_w", 0, err), 0, "vn_w can be set");
  faq_engine_search(e6, an, "粗大ごみを申し込みたい", -1, 5, &r0, ex0, err);
  is_int(count_kind(ex0, "form"), 0, "vn_w 0: no form");
  ok(r0.n && r1.n && score_of(&r1, "f-1") > score_of(&r0, "f-1"), "the form raised f-1's score");
  ok(r0.n && r1.n && fabs(r1.c[0].confidence - r0.c[0].confidence) < 1e-12, "but not its confidence (%.4f)", r1.n ? r1.c[0].confidence : 0);
out:
  json_decref(ex);
  json_decref(ex0);
  faq_engine_free(e6);
  faq_db_close(db6);
}

/* a place the FAQ never names (福岡) asks with the FAQ's words for
 * elsewhere (県外): the entry about elsewhere is offered, and keeps its
 * confidence; a town named as one (福岡市) is that town's matter */
static void unknown_place_meets_the_words_for_elsewhere(void) {
  char err[MG_ERRLEN] = "";
  sqlite3 *db7 = NULL;
  mg_engine *e7 = NULL;
  mg_result r1, r0, rc;
  json_t *ex = json_object();
  is_int(faq_db_open_memory(&db7, lang, err), 0, "another in-memory database (%s)", err);
  if (!db7) return;
  ok(put(db7, "g-1", "県外の病院で子どもが受診したとき、医療費は戻りますか", "領収書を持って窓口で申請してください。", err) == 0 &&
         put(db7, "g-2", "子どもの医療費の助成を受けるには", "受給者証を病院で見せてください。", err) == 0 &&
         put(db7, "g-3", "夜間に子どもが熱を出したら", "休日夜間急患センターへ。", err) == 0,
     "three entries (%s)", err);
  is_int(faq_engine_new(&e7, lang, db7, &cfg, err), 0, "engine (%s)", err);
  if (!e7) goto out;
  faq_engine_search(e7, an, "福岡の病院で子どもの医療費を払った 戻る？", -1, 5, &r1, ex, err);
  ok(count_kind(ex, "elsewhere") > 0, "an unknown place asks with the words for elsewhere (%d)", count_kind(ex, "elsewhere"));
  is_str(r1.n ? r1.c[0].faq_id : "", "g-1", "the entry about 県外 comes first");
  faq_engine_search(e7, an, "福岡市の病院で子どもの医療費を払った 戻る？", -1, 5, &rc, NULL, err);
  ok(r1.n && rc.n && r1.c[0].confidence > rc.c[0].confidence, "福岡市 is another town: lower confidence (%.2f < %.2f)",
     rc.n ? rc.c[0].confidence : 0, r1.n ? r1.c[0].confidence : 0);
  is_int(faq_engine_set_param(e7, "else_w", 0, err), 0, "else_w can be set");
  faq_engine_search(e7, an, "福岡の病院で子どもの医療費を払った 戻る？", -1, 5, &r0, NULL, err);
  ok(r0.n && r1.n && r1.c[0].confidence > r0.c[0].confidence, "else_w 0: the place cuts the confidence (%.2f < %.2f)",
     r0.n ? r0.c[0].confidence : 0, r1.n ? r1.c[0].confidence : 0);
out:
  json_decref(ex);
  faq_engine_free(e7);
  faq_db_close(db7);
}

/* entries taught together (co_w): one resident question accepted for two
 * entries lets the best of them (co_top) lend the other a share of its
 * score, never so much that it passes a lender or comes within a clarify
 * margin; the lenders themselves are left as they are */
static void entries_taught_together_lend_rank_below_the_best(void) {
  char err[MG_ERRLEN] = "";
  sqlite3 *db7 = NULL;
  mg_engine *e7 = NULL;
  mg_result r0, r1;
  is_int(faq_db_open_memory(&db7, lang, err), 0, "another in-memory database (%s)", err);
  if (!db7) return;
  ok(put(db7, "c-1", "児童手当の申請", "子育て支援課へ。", err) == 0 && put(db7, "c-2", "保育園の入園", "保育課へ。", err) == 0 &&
     put(db7, "c-3", "犬の登録", "生活環境課へ。", err) == 0,
     "three entries (%s)", err);
  ok(learn(db7, "c-1", "子どもの手続きを知りたい", 1, err) == 0 && learn(db7, "c-2", "子どもの手続きを知りたい", 1, err) == 0,
     "one phrasing accepted for c-1 and c-2 (%s)", err);
  is_int(faq_engine_new(&e7, lang, db7, &cfg, err), 0, "engine (%s)", err);
  if (!e7) goto out;
  faq_engine_search(e7, an, "児童手当の申請方法", -1, 5, &r0, NULL, err);
  ok(r0.n > 0 && !strcmp(r0.c[0].faq_id, "c-1"), "co_w 0 (the default): c-1 first (c-2 at %.3f)", score_of(&r0, "c-2"));
  ok(!faq_engine_set_param(e7, "co_w", 0.5, err) && !faq_engine_set_param(e7, "co_top", 1, err), "co_w and co_top can be set");
  faq_engine_search(e7, an, "児童手当の申請方法", -1, 5, &r1, NULL, err);
  ok(r1.n > 1 && !strcmp(r1.c[0].faq_id, "c-1") && !strcmp(r1.c[1].faq_id, "c-2") && score_of(&r1, "c-2") > score_of(&r0, "c-2"),
     "co_w 0.5, co_top 1: c-1 lends c-2 score (%.3f)", score_of(&r1, "c-2"));
  ok(r1.n > 1 && r1.c[1].score <= 0.8 * r1.c[0].score + 1e-9 && r1.c[0].score == r0.c[0].score,
     "below 0.8 of the best, which keeps its score (%.3f, %.3f)", r1.n > 1 ? r1.c[1].score : 0, r1.n ? r1.c[0].score : 0);
  is_str(faq_decision_name(r1.decision), faq_decision_name(r0.decision), "and the same decision");
  ok(score_of(&r1, "c-3") == score_of(&r0, "c-3"), "an entry taught with nothing gets nothing");
out:
  faq_engine_free(e7);
  faq_db_close(db7);
}

/* related entries' titles: a weak fifth field (rel_w). An entry that
 * lists another gains that entry's question words, only when rel_w is on,
 * only from published entries; explain shows the field as "related" */
static void related_titles_lend_words_only_when_published(void) {
  char err[MG_ERRLEN] = "";
  {
    sqlite3 *db3 = NULL;
    mg_engine *e3 = NULL;
    mg_result r0, r1;
    json_t *ex = json_object();
    char *rel1[] = { "q-2" }, *rel3[] = { "q-6" };
    mg_faq_entry x;
    double s0 = 0, s1 = 0, frel = -1;
    int in0 = 0, in1 = 0;
    is_int(faq_db_open_memory(&db3, lang, err), 0, "third in-memory database (%s)", err);
    memset(&x, 0, sizeof x);
    x.id = "q-1", x.question = "転入届の提出について", x.answer = "市民課の窓口で受け付けます。", x.related = rel1, x.n_related = 1;
    is_int(db3 ? faq_put(db3, &x, "test", 1, err) : -1, 0, "an entry listing a related one (%s)", err);
    x.id = "q-3", x.question = "犬の登録について", x.answer = "生活環境課で受け付けます。", x.related = rel3;
    is_int(db3 ? faq_put(db3, &x, "test", 1, err) : -1, 0, "an entry listing a draft (%s)", err);
    is_int(db3 ? put(db3, "q-2", "住民票の写しの請求", "本人確認書類を持って窓口へ。", err) : -1, 0, "the related entry (%s)", err);
    if (db3) {
      put(db3, "q-4", "粗大ごみの出し方", "申し込みが必要です。", err);
      put(db3, "q-5", "水道の使用開始", "水道局へ連絡してください。", err);
      memset(&x, 0, sizeof x);
      x.id = "q-6", x.question = "印鑑登録の手続き", x.answer = "本人が窓口へ。";
      faq_put(db3, &x, "test", 0, err);
    }
    is_int(db3 ? faq_engine_new(&e3, lang, db3, &cfg, err) : -1, 0, "engine on them (%s)", err);
    ok(e3 && !faq_engine_set_param(e3, "rel_w", 0, err) && !faq_engine_set_param(e3, "rel_b", 0.5, err),
       "rel_w and rel_b can be set");
    if (e3) {
      faq_engine_search(e3, an, "住民票の写しがほしい", -1, 5, &r0, NULL, err);
      for (int i = 0; i < r0.n; i++) if (!strcmp(r0.c[i].faq_id, "q-1")) in0 = 1, s0 = r0.c[i].score;
      faq_engine_set_param(e3, "rel_w", 1.0, err);
      faq_engine_search(e3, an, "住民票の写しがほしい", -1, 5, &r1, ex, err);
      for (int i = 0; i < r1.n; i++) if (!strcmp(r1.c[i].faq_id, "q-1")) in1 = 1, s1 = r1.c[i].score;
      json_t *c;
      size_t i;
      json_array_foreach(json_object_get(ex, "candidates"), i, c)
        if (!strcmp(json_string_value(json_object_get(c, "faq_id")), "q-1"))
          frel = json_real_value(json_object_get(json_object_get(c, "fields"), "related"));
      is_str(r1.n ? r1.c[0].faq_id : "", "q-2", "the entry asked about still comes first");
      ok(in1 && (!in0 || s1 > s0), "with rel_w the entry listing it gains its title's words (%.3f → %.3f)", s0, s1);
      ok(frel > 0, "explain shows the related field (%.3f)", frel);
      double with = -1, without = -2;
      faq_engine_search(e3, an, "印鑑の手続き", -1, 5, &r1, NULL, err);
      for (int k = 0; k < r1.n; k++) if (!strcmp(r1.c[k].faq_id, "q-3")) with = r1.c[k].score;
      faq_engine_set_param(e3, "rel_w", 0, err);
      faq_engine_search(e3, an, "印鑑の手続き", -1, 5, &r1, NULL, err);
      for (int k = 0; k < r1.n; k++) if (!strcmp(r1.c[k].faq_id, "q-3")) without = r1.c[k].score;
      ok(with == without || (with == -1 && without == -2), "a related entry that is only a draft lends no words (%.3f, %.3f)",
         with, without);
      int found = 0;
      faq_publish(db3, "q-6", 0, "test", err);
      faq_engine_refresh(e3, db3, err);
      faq_engine_set_param(e3, "rel_w", 1.0, err);
      faq_engine_search(e3, an, "印鑑の手続き", -1, 5, &r1, NULL, err);
      for (int k = 0; k < r1.n; k++) found |= !strcmp(r1.c[k].faq_id, "q-3");
      ok(found, "once published, it does");
    }
    json_decref(ex);
    faq_engine_free(e3);
    faq_db_close(db3);
  }
}

/* nothing changed: refresh is a no-op */
static void refresh_without_changes_does_not_rebuild(void) {
  char err[MG_ERRLEN] = "";
  int rebuilt = -1;
  is_int(faq_engine_refresh_ex(eng, db, &seen, &rebuilt, err), 0, "refresh");
  is_int(rebuilt, 0, "refresh without changes does not rebuild");
}

/* a department's phone is part of what answers and pages show: a change
 * to it alone is noticed (the public pages' cache follows the rebuilds) */
static void department_phone_change_alone_is_noticed(void) {
  char err[MG_ERRLEN] = "";
  int rebuilt = -1;
  {
    mg_department d = { .id = "kankyo", .name = "環境課", .phone = "0897-00-0000" };
    is_int(faq_department_put(db, &d, err), 0, "a department stored (%s)", err);
    faq_engine_refresh_ex(eng, db, &seen, &rebuilt, err);
    is_int(rebuilt, 1, "a new department is noticed");
    d.phone = "0897-00-9999";
    is_int(faq_department_put(db, &d, err), 0, "its phone changed (%s)", err);
    faq_engine_refresh_ex(eng, db, &seen, &rebuilt, err);
    is_int(rebuilt, 1, "a department's new phone is noticed");
    faq_engine_refresh_ex(eng, db, &seen, &rebuilt, err);
    is_int(rebuilt, 0, "and then nothing more");
  }
}

/* an edited entry is searchable at once after refresh */
static void edited_entry_is_found_at_once_after_refresh(void) {
  char err[MG_ERRLEN] = "";
  mg_result r;
  int rebuilt = -1;
  faq_engine_search(eng, an, "飼い犬の登録をしたい", -1, 5, &r, NULL, err);
  ok(r.n == 0 || strcmp(r.c[0].faq_id, "t-5") != 0, "before the edit, 犬の登録 does not find t-5");
  is_int(put(db, "t-5", "飼い犬の登録と狂犬病予防注射", "犬を飼い始めたら30日以内に登録してください。", err), 0, "t-5 edited and published");
  is_int(faq_engine_refresh_ex(eng, db, &seen, &rebuilt, err), 0, "refresh after the edit");
  is_int(rebuilt, 1, "the edit is noticed");
  faq_engine_search(eng, an, "飼い犬の登録をしたい", -1, 5, &r, NULL, err);
  is_str(r.n ? r.c[0].faq_id : "", "t-5", "the edited entry is found at once");
  faq_engine_search(eng, an, "水道の使用開始", -1, 5, &r, NULL, err);
  ok(r.n == 0 || strcmp(r.c[0].faq_id, "t-5") != 0, "its old text no longer answers");
}

/* a removed entry disappears */
static void removed_entry_disappears_from_the_index(void) {
  char err[MG_ERRLEN] = "";
  mg_result r;
  is_int(faq_remove(db, "t-4", "test", err), 0, "t-4 removed");
  faq_engine_refresh(eng, db, err);
  is_int(faq_engine_size(eng), 4, "the index shrinks to four");
  faq_engine_search(eng, an, "粗大ごみ", -1, 5, &r, NULL, err);
  ok(r.n == 0 || strcmp(r.c[0].faq_id, "t-4") != 0, "the removed entry no longer answers");
}

/* Romaji read back into kana is spelled as the index's readings, long
 * vowels or not (sudo = 水道's スイドウ), and a word no reading spells is
 * not the FAQ's. */
static void kana_is_spelled_as_the_readings_of_the_index(void) {
  char out[256];
  is_int(faq_engine_spell_kana(eng, NULL, "しんせい", -1 + (int)sizeof "しんせい", out, sizeof out), 1, "a reading as written");
  is_str(out, "シンセイ", "... in katakana, as the index holds it");
  is_int(faq_engine_spell_kana(eng, NULL, "すいどしんせい", -1 + (int)sizeof "すいどしんせい", out, sizeof out), 2,
         "a compound without its long vowel: two readings");
  is_str(out, "スイドウ シンセイ", "... the long vowel restored (%s)", out);
  is_int(faq_engine_spell_kana(eng, an, "じどうてあて", -1 + (int)sizeof "じどうてあて", out, sizeof out), 2, "with the analyzer too");
  is_str(out, "ジドウ テアテ", "... longest piece first");
  is_int(faq_engine_spell_kana(eng, NULL, "ちゃんげ", -1 + (int)sizeof "ちゃんげ", out, sizeof out), 0,
         "English read as romaji (change) spells no reading");
  is_str(out, "", "... and writes nothing");
  is_int(faq_engine_spell_kana(eng, NULL, "しんせいちゃ", -1 + (int)sizeof "しんせいちゃ", out, sizeof out), 0,
         "one piece no reading spells: nothing, not the pieces that are");
}

static void unknown_parameter_is_rejected(void) {
  char err[MG_ERRLEN] = "";
  is_int(faq_engine_set_param(eng, "no_such_param", 1, err), MG_EINVAL, "unknown parameter rejected");
}

/* searches on other threads while the index is rebuilt and swapped */
static void searches_on_other_threads_survive_rebuilds(void) {
  char err[MG_ERRLEN] = "";
  int rebuilt = -1;
  {
    struct searcher w[2] = { { eng, lang, 3000, 0, 0 }, { eng, lang, 3000, 0, 0 } };
    pthread_t th[2];
    int rebuilds = 0, started = 0;
    for (int i = 0; i < 2; i++) started += pthread_create(&th[i], NULL, search_loop, &w[i]) == 0;
    for (int i = 0; i < 20; i++) {
      char q[64];
      snprintf(q, sizeof q, "水道の手続き その%d", i);
      put(db, "t-5", q, "水道局へ連絡してください。", err);
      faq_engine_refresh_ex(eng, db, &seen, &rebuilt, err);
      rebuilds += rebuilt;
    }
    for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
    is_int(started, 2, "two searcher threads ran");
    is_int(rebuilds, 20, "the index was rebuilt 20 times meanwhile");
    is_int(w[0].errors + w[1].errors, 0, "no search failed during the rebuilds");
    is_int(w[0].found + w[1].found, 6000, "every search found the right entry");
  }
}

int main(void) {
  mg_config_defaults(&cfg);
  if (getenv("MG_MECAB_DICDIR") && *getenv("MG_MECAB_DICDIR"))
    snprintf(cfg.mecab_dicdir, sizeof cfg.mecab_dicdir, "%s", getenv("MG_MECAB_DICDIR"));
  if (getenv("MG_DICT_DIR")) snprintf(cfg.dict_dir, sizeof cfg.dict_dir, "%s", getenv("MG_DICT_DIR"));
  cfg.userdic[0] = '\0';
  cfg.answer_min = 0.5;
  cfg.clarify_min = 0.3;
  cfg.clarify_margin = 0.9;

  RUN(five_entries_are_indexed);
  if (!eng) return done_testing();
  RUN(clear_winner_is_answered_with_sorted_candidates);
  RUN(two_equally_good_entries_give_clarify);
  RUN(unrelated_or_empty_question_gets_no_answer);
  RUN(explain_shows_normalized_text_tokens_and_field_scores);
  RUN(lsa_term_is_deterministic_and_explained);
  RUN(nearest_phrasing_finds_an_entry_by_one_alternate);
  RUN(related_titles_lend_words_only_when_published);
  RUN(learned_phrasings_are_a_field_of_their_own);
  RUN(learned_thesaurus_needs_two_entries_and_skips_masking_labels);
  RUN(verb_asks_for_its_noun_form);
  RUN(unknown_place_meets_the_words_for_elsewhere);
  RUN(entries_taught_together_lend_rank_below_the_best);
  RUN(kana_is_spelled_as_the_readings_of_the_index);
  /* in order from here: each edits the FAQ the next one searches */
  RUN(refresh_without_changes_does_not_rebuild);
  RUN(department_phone_change_alone_is_noticed);
  RUN(edited_entry_is_found_at_once_after_refresh);
  RUN(removed_entry_disappears_from_the_index);
  RUN(unknown_parameter_is_rejected);
  RUN(searches_on_other_threads_survive_rebuilds);
  faq_engine_free(eng);
  faq_db_close(db);
  faq_analyzer_free(an);
  faq_lang_free(lang);
  return done_testing();
}
