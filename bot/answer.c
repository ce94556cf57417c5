/*
 * answer.c — the answer pipeline: intent rules, then the engine, then the
 * FAQ text, assembled into the versioned answer object (docs/protocol.md).
 *
 * Rules run on the NFKC-normalised text so a pattern written once matches
 * full-width and half-width input alike. A rule of kind "emergency" answers
 * before the engine is even asked: nothing a FAQ says may come first when a
 * resident reports a fire. Everything read-only after start (language model,
 * rules, calendar, engine index) lives in struct bot and is shared by all
 * workers; each worker owns its MeCab tagger and SQLite connection.
 */
#include "bot/answer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "faq/analyze.h"
#include "bot/english.h"
#include "bot/lang.h"
#include "bot/intent.h"
#include "bot/checklist.h"
#include "bot/published.h"
#include "bot/safety.h"
#include "bot/understand.h"
#include "bot/calendar.h"
#include "dict/concepts.h"
#include "bot/tables.h"
#include "faq/db.h"
#include "faq/engine.h"
#include "faq/io.h"
#include "bot/messages.h"
#include "util/mg_err.h"
#include "util/mg_html.h"
#include "util/mg_log.h"
#include "util/mg_romaji.h"
#include "util/mg_utf8.h"
#include "bot/rules.h"
#include "faq/store.h"

#define ANSWER_VERSION 1
/* A question told as a story (two sentences or more) is offered choices
 * from this share of clarify_min on: its extra words dilute the confidence. */
#define LONG_CLARIFY 0.6
/* A question of at least this many words needs two of them in the best
 * entry to be offered choices. */
#define CLARIFY_MIN_QTERMS 4

struct bot {
  mg_config cfg;      /* copy: the caller's may go away */
  mg_config file_cfg; /* defaults + cfg.config_path as last read: what a reload compares with */
  mg_lang *lang;      /* MeCab model and word lists */
  mg_engine *engine;  /* in-memory index of the published FAQ */
  rules_set *rules;   /* intent rules, compiled once */
  cal *calendar;      /* office days and hours */
  msg_set *msgs;      /* the bot's own words (dict/messages.json) */
  bot_concepts *concepts; /* dict/concepts/, compiled */
  bot_safety *safety; /* dangers, cues and numbers (dict/safety.json) */
  bot_english *english; /* English words → the FAQ's Japanese terms */
  bot_intents *intents; /* intents and the scope decision (dict/intents.json) */
  bot_checklists *checklists; /* life events (dict/life_events.json) */
  unsigned long faq_gen; /* bumped (atomically) each time the engine index is rebuilt */
  bot_pubs *pubs;        /* the published FAQ of the newest generation (bot/published.h) */
  /* bot_reload swaps rules … intents under the write side; every job that
   * reads them (and the pointers bot_messages/bot_calendar hand out) holds
   * the read side (bot_read_begin) for its whole length */
  pthread_rwlock_t lock;
};

struct bot_worker {
  bot *b;
  sqlite3 *db;        /* this thread's connection */
  mg_analyzer *an;    /* this thread's MeCab tagger */
  bot_msg msg;        /* the analysed message (buffers reused) */
  bot_hits hits;      /* the concepts found in it */
  mg_engine_seen seen;/* what this connection saw at its last refresh */
  const bot_pub *pub; /* the published FAQ this worker reads entries from */
};

/* Read dict/concepts/ and dict/safety.json, compiling the concepts with a
 * temporary analyzer (the language model is shared; the tagger is not). */
static int load_understanding(bot *b, char *err) {
  dict_concepts *src = NULL;
  mg_analyzer *an = NULL;
  char path[MG_PATHLEN + 32];
  int rc;

  snprintf(path, sizeof path, "%s/concepts", b->cfg.dict_dir);
  if ((rc = dict_concepts_load(&src, path, err)) != 0) goto out;
  if ((rc = faq_analyzer_new(&an, b->lang, err)) != 0) goto out;
  if ((rc = bot_concepts_compile(&b->concepts, src, an, err)) != 0) goto out;
  snprintf(path, sizeof path, "%s/safety.json", b->cfg.dict_dir);
  if ((rc = bot_safety_load(&b->safety, path, b->concepts, err)) != 0) goto out;
  snprintf(path, sizeof path, "%s/intents.json", b->cfg.dict_dir);
  if ((rc = bot_intents_load(&b->intents, path, b->concepts, err)) != 0) goto out;
  snprintf(path, sizeof path, "%s/life_events.json", b->cfg.dict_dir);
  if ((rc = bot_checklists_load(&b->checklists, path, b->concepts, err)) != 0) goto out;
  rc = bot_english_load(&b->english, b->cfg.dict_dir, err);
out:
  faq_analyzer_free(an);
  dict_concepts_free(src);
  return rc;
}

int bot_new(bot **out, const mg_config *cfg, char *err) {
  bot *b = calloc(1, sizeof *b);
  sqlite3 *db = NULL;
  char path[MG_PATHLEN + 16];
  int rc;

  *out = NULL;
  if (!b) return mg_errf(err, MG_ENOMEM, "out of memory");
  b->cfg = *cfg;
  if (cfg->config_path[0]) {
    mg_config_defaults(&b->file_cfg);
    if ((rc = mg_config_load(&b->file_cfg, cfg->config_path, err)) != 0) goto fail;
  }
  {
    /* glibc prefers readers by default: under steady chat a reload would
     * wait for ever. Writer first (no job takes the read side twice). */
    pthread_rwlockattr_t ra;
    pthread_rwlockattr_init(&ra);
    pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&b->lock, &ra);
    pthread_rwlockattr_destroy(&ra);
  }
  if ((rc = bot_pubs_new(&b->pubs, err)) != 0) goto fail;
  if ((rc = faq_lang_new(&b->lang, cfg, err)) != 0) goto fail;
  if ((rc = bot_rules_load(&b->rules, cfg->rules_path, err)) != 0) goto fail;
  if ((rc = bot_cal_load(&b->calendar, cfg->calendar_path, cfg->office_open, cfg->office_close, err)) != 0) goto fail;
  snprintf(path, sizeof path, "%s/messages.json", cfg->dict_dir);
  if ((rc = bot_msg_load(&b->msgs, path, err)) != 0) goto fail;
  if ((rc = load_understanding(b, err)) != 0) goto fail;
  if ((rc = bot_db_open(&db, cfg, b->lang, err)) != 0) goto fail;
  {
    /* an import whose process died mid-way is undone before anything reads the FAQ */
    int undone = 0;
    if ((rc = faq_io_recover(db, -1, &undone, err)) != 0) goto fail;
    if (undone) mg_log_info("faq", "undid %d unfinished import(s) left by a stopped process", undone);
  }
  if ((rc = faq_engine_new(&b->engine, b->lang, db, &b->cfg, err)) != 0) goto fail;
  faq_db_close(db);
  *out = b;
  return 0;
fail:
  faq_db_close(db);
  bot_free(b);
  return rc;
}

/* What bot_reload re-reads; everything else (the language model, the
 * engine, the configuration) stays. */
static void free_data(bot *b) {
  bot_rules_free(b->rules);
  bot_safety_free(b->safety);
  bot_english_free(b->english);
  bot_intents_free(b->intents);
  bot_checklists_free(b->checklists);
  bot_concepts_free(b->concepts);
  bot_cal_free(b->calendar);
  bot_msg_free(b->msgs);
}

void bot_free(bot *b) {
  if (!b) return;
  faq_engine_free(b->engine);
  free_data(b);
  faq_lang_free(b->lang);
  bot_pubs_free(b->pubs);
  pthread_rwlock_destroy(&b->lock);
  free(b);
}

void bot_read_begin(bot *b) { pthread_rwlock_rdlock(&b->lock); }
void bot_read_end(bot *b) { pthread_rwlock_unlock(&b->lock); }

struct cfg_diff {
  mg_config *cfg;
  const mg_config *from;
  char applied[512], restart[512];
};

static void append_key(char *list, size_t cap, const char *key) {
  size_t n = strlen(list);
  snprintf(list + n, cap - n, "%s%s", n ? ", " : "", key);
}

static void take_key(void *ctx, const char *key) {
  struct cfg_diff *d = ctx;
  if (mg_config_reloadable(key) && mg_config_copy_key(d->cfg, d->from, key) == 0)
    append_key(d->applied, sizeof d->applied, key);
  else
    append_key(d->restart, sizeof d->restart, key);
}

int bot_reload(bot *b, char *err) {
  bot nb = { .cfg = b->cfg, .lang = b->lang };
  mg_config file;
  struct cfg_diff d = { .cfg = &b->cfg, .from = &file };
  char path[MG_PATHLEN + 16];
  int rc;

  /* everything read and compiled first, with no lock held: a bad file
   * leaves the running set as it was */
  if (b->cfg.config_path[0]) {
    mg_config_defaults(&file);
    if ((rc = mg_config_load(&file, b->cfg.config_path, err)) != 0) return rc;
  }
  if ((rc = bot_rules_load(&nb.rules, b->cfg.rules_path, err)) != 0 ||
      (rc = bot_cal_load(&nb.calendar, b->cfg.calendar_path, b->cfg.office_open, b->cfg.office_close, err)) != 0)
    goto out;
  snprintf(path, sizeof path, "%s/messages.json", b->cfg.dict_dir);
  if ((rc = bot_msg_load(&nb.msgs, path, err)) != 0 || (rc = load_understanding(&nb, err)) != 0) goto out;
  /* the swap waits for the jobs in flight to finish with the old set */
  pthread_rwlock_wrlock(&b->lock);
  {
    bot old = *b;
    b->rules = nb.rules, b->calendar = nb.calendar, b->msgs = nb.msgs, b->concepts = nb.concepts;
    b->safety = nb.safety, b->intents = nb.intents, b->english = nb.english, b->checklists = nb.checklists;
    nb.checklists = old.checklists;
    nb.rules = old.rules, nb.calendar = old.calendar, nb.msgs = old.msgs, nb.concepts = old.concepts;
    nb.safety = old.safety, nb.intents = old.intents, nb.english = old.english;
  }
  /* the configuration: keys the answer pipeline reads take their new
   * value now; the others (ports, paths, limits the service thread reads)
   * are named for a restart. A key given on the command line keeps the
   * flag's value until the file's value changes. */
  if (b->cfg.config_path[0]) {
    mg_config_changed(&b->file_cfg, &file, take_key, &d);
    b->file_cfg = file;
    faq_engine_set_thresholds(b->engine, &b->cfg);
    mg_log_set_level(mg_log_level_parse(b->cfg.log_level));
  }
  pthread_rwlock_unlock(&b->lock);
  if (d.applied[0]) mg_log_info("config", "reloaded from %s: %s", b->cfg.config_path, d.applied);
  if (d.restart[0]) mg_log_warn("config", "changed in %s but read only at start, so a restart applies them: %s", b->cfg.config_path, d.restart);
out:
  free_data(&nb); /* the old set after a swap, the half-read new one after an error */
  return rc;
}

const mg_config *bot_config(const bot *b) { return &b->cfg; }

int bot_worker_new(bot_worker **out, bot *b, char *err) {
  bot_worker *w = calloc(1, sizeof *w);
  int rc;

  *out = NULL;
  if (!w) return mg_errf(err, MG_ENOMEM, "out of memory");
  w->b = b;
  if ((rc = bot_db_open(&w->db, &b->cfg, b->lang, err)) != 0) goto fail;
  if ((rc = faq_analyzer_new(&w->an, b->lang, err)) != 0) goto fail;
  if ((rc = bot_hits_init(&w->hits, b->concepts)) != 0) { mg_errf(err, rc, "out of memory"); goto fail; }
  *out = w;
  return 0;
fail:
  bot_worker_free(w);
  return rc;
}

void bot_worker_free(bot_worker *w) {
  if (!w) return;
  bot_pub_release(w->b->pubs, w->pub);
  faq_analyzer_free(w->an);
  faq_db_close(w->db);
  bot_msg_clear(&w->msg);
  bot_hits_clear(&w->hits);
  free(w);
}

void bot_worker_thread_done(void) { faq_db_stmt_release(NULL); }

sqlite3 *bot_worker_db(bot_worker *w) { return w->db; }

bot *bot_worker_bot(bot_worker *w) { return w->b; }
const cal *bot_calendar(const bot *b) { return b->calendar; }
const msg_set *bot_messages(const bot *b) { return b->msgs; }

/* One refresh; a rebuild moves the generation that caches of the
 * published FAQ (the public pages) compare against. */
static int refresh(bot_worker *w, int background, char *err) {
  int rebuilt = 0, rc;
  w->seen.background = background;
  rc = faq_engine_refresh_ex(w->b->engine, w->db, &w->seen, &rebuilt, err);
  w->seen.background = 0;
  if (rebuilt) __atomic_add_fetch(&w->b->faq_gen, 1, __ATOMIC_SEQ_CST);
  return rc;
}

int bot_refresh(bot_worker *w, char *err) { return refresh(w, 0, err); }
int bot_refresh_background(bot_worker *w, char *err) { return refresh(w, 1, err); }

unsigned long bot_faq_generation(bot *b) { return __atomic_load_n(&b->faq_gen, __ATOMIC_SEQ_CST); }

/* The published FAQ of the worker's current generation: kept between jobs,
 * swapped when a rebuild moves the generation on. */
static int published(bot_worker *w, const bot_pub **out, char *err) {
  unsigned long gen = bot_faq_generation(w->b);
  if (!w->pub || bot_pub_generation(w->pub) < gen) {
    const bot_pub *p;
    int rc = bot_pubs_get(w->b->pubs, w->db, gen, &p, err);
    if (rc != 0) return rc;
    bot_pub_release(w->b->pubs, w->pub);
    w->pub = p;
  }
  *out = w->pub;
  return 0;
}

/* The published revision of faq_id, or MG_ENOTFOUND as faq_get says it. */
static int published_entry(bot_worker *w, const char *faq_id, const mg_faq_entry **e, char *err) {
  const bot_pub *p;
  int rc = published(w, &p, err);
  if (rc != 0) return rc;
  if (!(*e = bot_pub_entry(p, faq_id))) return mg_errf(err, MG_ENOTFOUND, "%s: no published revision", faq_id);
  return 0;
}

int bot_page_url(const mg_config *cfg, const char *faq_id, char *out, size_t size) {
  size_t n = strlen(cfg->public_base_url);
  int w;
  out[0] = '\0';
  if (!cfg->pages || !n || !faq_valid_id(faq_id)) return -1;
  while (n && cfg->public_base_url[n - 1] == '/') n--;
  w = snprintf(out, size, "%.*s" BOT_PAGE_ENTRY "%s", (int)n, cfg->public_base_url, faq_id);
  if (w < 0 || (size_t)w >= size) { out[0] = '\0'; return -1; }
  return 0;
}

/* {"id","name","phone","email","hours","location"} of a department. */
static json_t *department_json(const mg_department *d) {
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", d->id ? d->id : "", "name", d->name ? d->name : "",
                   "phone", d->phone ? d->phone : "", "email", d->email ? d->email : "",
                   "hours", d->hours ? d->hours : "", "location", d->location ? d->location : "");
}

static int put_english(bot_worker *w, json_t *obj, enum msg_id id, char *err);

/* Copy the published entry's text, department and its own related entries
 * (the published ones, with their questions: staff's list, in their order)
 * into obj. The text is the entry's version in want where it has one
 * (bot/lang.h); obj's "lang" says which was used. English wanted: an English
 * line too, naming the department and its number, and saying so when the
 * entry has no English version. */
static int put_entry(bot_worker *w, json_t *obj, const char *faq_id, int want, char *err) {
  const mg_faq_entry *e;
  json_t *related;
  int rc = published_entry(w, faq_id, &e, err);
  if (rc != 0) return rc;
  if (!(related = json_array())) return mg_errf(err, MG_ENOMEM, "out of memory");
  for (int i = 0; i < e->n_related; i++) {
    const mg_faq_entry *r = bot_pub_entry(w->pub, e->related[i]); /* unpublished or removed since: not shown */
    if (r) json_array_append_new(related, json_pack("{s:s, s:s}", "faq_id", r->id, "question", r->question));
  }
  {
    const char *q, *a;
    int got = bot_lang_pick(e, want, &q, &a);
    json_object_set_new(obj, "faq_id", json_string(e->id));
    json_object_set_new(obj, "question", json_string(q));
    json_object_set_new(obj, "answer", json_string(a));
    json_object_set_new(obj, "lang", json_string(bot_lang_name(got)));
    json_object_set_new(obj, "department", department_json(&e->dept));
    if (want == BOT_LANG_EN && (rc = put_english(w, obj, got == BOT_LANG_EN ? MSG_ENGLISH_CONTACT : MSG_ENGLISH_ANSWER, err)) != 0) {
      json_decref(related);
      return rc;
    }
  }
  json_object_set_new(obj, "related", related);
  if (e->url && *e->url) json_object_set_new(obj, "url", json_string(e->url));
  if (e->online_url && *e->online_url) json_object_set_new(obj, "online_url", json_string(e->online_url));
  {
    char page[700];
    if (bot_page_url(&w->b->cfg, e->id, page, sizeof page) == 0) json_object_set_new(obj, "page_url", json_string(page));
  }
  return 0;
}

/* Fill a rule's reply: "{open_status}" becomes a sentence saying whether the
 * office is open now or when it next opens (dict/messages.json), and
 * "{next_open}" the bare time. */
static char *fill_reply(const bot *b, const char *reply) {
  time_t now = time(NULL), next = bot_cal_next_open(b->calendar, now);
  char when[64];
  char *status, *s;

  if (next == (time_t)-1) snprintf(when, sizeof when, "%s", bot_msg_get(b->msgs, MSG_NEXT_OPEN_UNKNOWN));
  else bot_cal_format(b->msgs, BOT_LANG_JA, next, when, sizeof when);
  {
    const char *names[] = { "next_open", "office_close" }, *values[] = { when, b->cfg.office_close };
    status = bot_msg_fill(bot_msg_get(b->msgs, bot_cal_is_open(b->calendar, now) ? MSG_OFFICE_OPEN_NOW : MSG_OFFICE_NEXT_OPEN),
                      2, names, values);
  }
  if (!status) return NULL;
  {
    const char *names[] = { "open_status", "next_open" }, *values[] = { status, when };
    s = bot_msg_fill(reply, 2, names, values);
  }
  free(status);
  return s;
}

static int answer_from_rule(bot_worker *w, const rules_hit *hit, json_t *obj, int want, char *err) {
  json_object_set_new(obj, "rule", json_pack("{s:s, s:s}", "name", hit->name, "kind", hit->kind));
  json_object_set_new(obj, "decision", json_string("answer"));
  json_object_set_new(obj, "confidence", json_real(1.0));
  json_object_set_new(obj, "offer_escalation", json_boolean(strcmp(hit->kind, "handoff") == 0));
  if (hit->faq_id) {
    /* the entry staff curate; a reply beside it is a live line put before
     * its answer (the hours rule: "{open_status}" over the entry's hours) */
    int rc = put_entry(w, obj, hit->faq_id, want, err);
    if (rc != 0 || !hit->reply || !*hit->reply || want != BOT_LANG_JA) return rc;
    char *line = fill_reply(w->b, hit->reply), *both = NULL;
    const char *a = json_string_value(json_object_get(obj, "answer"));
    size_t n = line ? strlen(line) + strlen(a ? a : "") + 1 : 0;
    if (line && (both = malloc(n))) snprintf(both, n, "%s%s", line, a ? a : "");
    free(line);
    if (!both) return mg_errf(err, MG_ENOMEM, "out of memory");
    json_object_set_new(obj, "answer", json_string(both));
    free(both);
    return 0;
  }
  char *reply = fill_reply(w->b, hit->reply ? hit->reply : "");
  if (!reply) return mg_errf(err, MG_ENOMEM, "out of memory");
  json_object_set_new(obj, "answer", json_string(reply));
  free(reply);
  return 0;
}

/* The published question of faq_id in want (its version there, else Japanese): a new string into *q. */
static int question_in(bot_worker *w, const char *faq_id, int want, const char **q, char *err) {
  const mg_faq_entry *e;
  const char *va;
  int rc = published_entry(w, faq_id, &e, err);
  if (rc != 0) return rc;
  if (want == BOT_LANG_JA) *q = e->question;
  else bot_lang_pick(e, want, q, &va);
  return 0;
}

/* candidates: [{faq_id, question, score, confidence}] for the engine's result;
 * the questions in want where the entries have that version (clarify's choices). */
static int put_candidates(bot_worker *w, json_t *obj, const mg_result *res, int want, char *err) {
  json_t *arr = json_array();
  for (int i = 0; i < res->n; i++) {
    const char *q = NULL;
    int rc = question_in(w, res->c[i].faq_id, want, &q, err);
    if (rc == MG_ENOTFOUND) continue; /* unpublished since the index was built */
    if (rc != 0) { json_decref(arr); return rc; }
    json_array_append_new(arr, json_pack("{s:s, s:s, s:f, s:f}", "faq_id", res->c[i].faq_id, "question", q,
                                         "score", res->c[i].score, "confidence", res->c[i].confidence));
  }
  json_object_set_new(obj, "candidates", arr);
  return 0;
}

/* Byte offset of the last sentence of text when text has more than one
 * (ends at 。！？!? or a new line, ignoring a mark at the very end; with
 * ellipsis, at … and ... too), else 0. The last sentence must have at least
 * four characters to ask with. */
static int last_sentence_ex(const char *text, int len, int ellipsis) {
  int end = len, from = 0;
  while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == ' ' || text[end - 1] == '?' || text[end - 1] == '!')) end--;
  while (end >= 3 && (memcmp(text + end - 3, "。", 3) == 0 || memcmp(text + end - 3, "？", 3) == 0 ||
                      memcmp(text + end - 3, "！", 3) == 0))
    end -= 3;
  for (int i = 0; i < end; i++) {
    if (text[i] == '\n' || text[i] == '?' || text[i] == '!') from = i + 1;
    else if (i + 3 <= end && (memcmp(text + i, "。", 3) == 0 || memcmp(text + i, "？", 3) == 0 ||
                              memcmp(text + i, "！", 3) == 0)) from = i + 3;
    else if (ellipsis && i + 3 <= end && (memcmp(text + i, "…", 3) == 0 || memcmp(text + i, "...", 3) == 0)) {
      from = i + 3;
      while (from < end && text[from] == '.') from++;
      i = from - 1;
    }
  }
  return from > 0 && mg_utf8_chars(text + from, len - from) >= 4 ? from : 0;
}

static int last_sentence(const char *text, int len) { return last_sentence_ex(text, len, 0); }

/* Byte offset of the last space-separated part of text, when it is a
 * clause of STORY_PART characters at least: a story typed on a phone
 * ends its sentences with a space, not 。 (…保険も切れてしもて 国保って
 * どうやって入ったらいいんですかね); else 0. Words spaced apart (ごみ の
 * わけかた) are shorter. */
#define STORY_PART 8
#define STORY_CHARS 40 /* a message this long without a sentence end is a story told in one breath */
static int last_part(const char *text, int len) {
  int end = len, from = 0;
  while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '?' || text[end - 1] == '!')) end--;
  for (int i = 0; i < end; i++) {
    if (text[i] == ' ') from = i + 1;
    else if (i + 3 <= end && memcmp(text + i, "\u3000", 3) == 0) from = i + 3;
  }
  return from > 0 && mg_utf8_chars(text + from, end - from) >= STORY_PART ? from : 0;
}

/* Byte offset of the last clause of text (after its last 、 , or sentence
 * end), else 0; it must have at least six characters. */
static int last_clause(const char *text, int len) {
  int from = last_sentence_ex(text, len, 1), end = len;
  while (end > from && (text[end - 1] == ' ' || text[end - 1] == '?' || text[end - 1] == '!')) end--;
  for (int i = from; i < end; i++) {
    if (text[i] == ',') from = i + 1;
    else if (i + 3 <= end && (memcmp(text + i, "、", 3) == 0 || memcmp(text + i, "，", 3) == 0)) from = i + 3;
  }
  return from > 0 && mg_utf8_chars(text + from, end - from) >= 6 ? from : 0;
}

/* *answered = 1 when the engine answers text, or its last sentence (a
 * story of more than one), outright. */
static int story_answered(bot_worker *w, const char *text, int len, int *answered, char *err) {
  mg_result r;
  int from = last_sentence_ex(text, len, 1), rc;
  *answered = 0;
  if ((rc = faq_engine_search(w->b->engine, w->an, text, len, w->b->cfg.top_k, &r, NULL, err)) != 0) return rc;
  if (r.decision == MG_DECISION_ANSWER) { *answered = 1; return 0; }
  if (from <= 0) return 0;
  if ((rc = faq_engine_search(w->b->engine, w->an, text + from, len - from, w->b->cfg.top_k, &r, NULL, err)) != 0) return rc;
  *answered = r.decision == MG_DECISION_ANSWER;
  return 0;
}

/* The English line (dict/messages.json) for a question asked in English:
 * the department and its number when an entry was found, else the city's. */
static int put_english(bot_worker *w, json_t *obj, enum msg_id id, char *err) {
  json_t *d = json_object_get(obj, "department");
  const char *names[] = { "department", "department_ja", "phone", "hours" };
  const char *values[] = { json_string_value(json_object_get(d, "id")), json_string_value(json_object_get(d, "name")),
                           json_string_value(json_object_get(d, "phone")), json_string_value(json_object_get(d, "hours")) };
  char *line;
  for (int i = 0; i < 4; i++)
    if (!values[i] || !*values[i]) values[i] = i == 2 ? bot_msg_get(w->b->msgs, MSG_CITY_PHONE) : "";
  if (!(line = bot_msg_fill(bot_msg_get(w->b->msgs, id), 4, names, values))) return mg_errf(err, MG_ENOMEM, "out of memory");
  json_object_set_new(obj, "english", json_string(line));
  free(line);
  return 0;
}

/* Is faq_id a published procedure of ev? */
static int in_checklist(bot_worker *w, const char *faq_id, const bot_cl_event *ev) {
  const mg_faq_entry *e;
  char err[MG_ERRLEN];
  return published_entry(w, faq_id, &e, err) == 0 && bot_cl_applies(e->life_events, ev->name, NULL) >= 0;
}

#define CL_OWN_QUESTION 0.5 /* confidence of a first choice outside the checklist that answers instead */
#define CL_OWN_TOPIC 2      /* words of the last sentence its first choice holds: a topic of its own (not 役所で何したら) */
#define CL_STEP_NEAR 0.8     /* …unless a step of it is this near (share of the first's confidence) */

/* 1 when a step of ev is among r's choices, near its first */
static int steps_among(bot_worker *w, const mg_result *r, const bot_cl_event *ev) {
  for (int i = 0; i < r->n; i++)
    if (r->c[i].confidence >= CL_STEP_NEAR * r->c[0].confidence && in_checklist(w, r->c[i].faq_id, ev)) return 1;
  return 0;
}

/* 1 when the analysed message asks something (cue_question: どう, どこ,
 * 教えて, ですか, ?) at byte off or after: the last part of a story is its
 * question, not its reason (穴があいとる 自転車で通るとき危ない) */
static int asks_after(bot_worker *w, int off) {
  int q = bot_concepts_find(w->b->concepts, "cue_question");
  if (q < 0 || off < 0) return 0;
  for (int i = 0; i < w->hits.nall; i++)
    if (w->hits.all[i].concept == q && w->hits.all[i].start >= off) return 1;
  return 0;
}

/* 1 when a concept that starts ev is met at or after msg offset off */
static int event_from(bot_worker *w, const bot_cl_event *ev, int off) {
  for (int i = 0; i < w->hits.nall; i++)
    for (int k = 0; k < ev->nsets; k++)
      for (int j = 0; j < ev->setn[k]; j++)
        if (w->hits.all[i].concept == ev->sets[k][j] && w->hits.all[i].start >= off) return 1;
  return 0;
}

/* When the analysed message tells a life event, fill obj with decision
 * "checklist" and the checklist (bot_cl_reply); else leave obj alone. A
 * message that also asks something the engine answers outright, outside
 * the checklist (引っ越してきたから自治会に入りたい), gets that answer instead:
 * the event is its context, not its question. */
static int answer_checklist(bot_worker *w, const char *text, int len, json_t *obj, mg_result *clause, char *err) {
  const bot_cl_event *ev = bot_checklists_match(w->b->checklists, &w->msg, &w->hits);
  const bot_pub *pub;
  mg_result res, whole;
  json_t *cl;
  char name[96];
  int rc, from;
  clause->decision = MG_DECISION_NO_ANSWER;
  if (!ev) return 0;
  /* someone else's event in the news or on screen (ニュースで芸能人が結婚した):
   * told with an outside topic and no city word, it is no event of the
   * resident's; the scope decision has the message */
  {
    int news = bot_concepts_find(w->b->concepts, "cue_news");
    const char *reply;
    if (news >= 0 && bot_hits_sure(&w->hits, news) &&
        bot_intents_outside(w->b->intents, &w->msg, &w->hits, 1, 0.0, &reply))
      return 0;
  }
  if ((rc = faq_engine_search(w->b->engine, w->an, text, len, w->b->cfg.top_k, &res, NULL, err)) != 0) return rc;
  if (res.decision == MG_DECISION_ANSWER && !in_checklist(w, res.c[0].faq_id, ev)) return 0;
  whole = res;
  /* the event told as the context of a question in the last clause
   * (親が亡くなって相続の話し合いしよるんやけど、土地の評価額がわかる書類がいる):
   * the FAQ's outright answer to that clause, when it is no step of the
   * checklist */
  if ((from = last_clause(text, len)) > 0) {
    if ((rc = faq_engine_search(w->b->engine, w->an, text + from, len - from, w->b->cfg.top_k, &res, NULL, err)) != 0)
      return rc;
    /* …and the whole message's best entry too: a clause that needs the
     * story to be understood (結婚するけん籍入れたい、紙はどこに出すん) has
     * the checklist's step first */
    if (res.decision == MG_DECISION_ANSWER && whole.n > 0 && strcmp(whole.c[0].faq_id, res.c[0].faq_id) == 0 &&
        !in_checklist(w, res.c[0].faq_id, ev)) {
      *clause = res;
      return 0;
    }
  }
  /* the event told in an earlier sentence, the last a question of its own
   * whose choices hold no step of the checklist (去年越してきて…年長さんなんです。
   * …学校で健康診断があるって聞いて、それっていつ頃): that question's answer or
   * choices; a question about the event itself has a step among them */
  if ((from = last_sentence_ex(text, len, 1)) > 0 && mg_utf8_chars(text + from, len - from) >= STORY_PART &&
      asks_after(w, w->msg.len - (len - from)) && !event_from(w, ev, w->msg.len - (len - from))) {
    if ((rc = faq_engine_search(w->b->engine, w->an, text + from, len - from, w->b->cfg.top_k, &res, NULL, err)) != 0)
      return rc;
    if (res.decision != MG_DECISION_NO_ANSWER && res.n > 0 && res.matched >= CL_OWN_TOPIC &&
        !in_checklist(w, res.c[0].faq_id, ev) && !steps_among(w, &res, ev)) {
      *clause = res;
      return 0;
    }
  }
  /* the engine's first choice, no step of the checklist, leads on a
   * question of its own (ごみの分け方がわからん、引っ越してきたばっかりやけん;
   * 越してきたけん自治会入りたい): the event is the reason, the entry the
   * answer. A question about the event itself has a step first (転入の手続き) */
  if (whole.decision == MG_DECISION_CLARIFY && whole.n > 0 && whole.confidence >= CL_OWN_QUESTION &&
      !steps_among(w, &whole, ev)) {
    *clause = whole;
    clause->decision = MG_DECISION_ANSWER;
    return 0;
  }
  if ((rc = published(w, &pub, err)) != 0) return rc;
  if (!(cl = bot_cl_reply(pub, ev, w->b->cfg.pages ? w->b->cfg.public_base_url : "", err))) return MG_ENOMEM;
  snprintf(name, sizeof name, "checklist_%s", ev->slug);
  json_object_set_new(obj, "rule", json_pack("{s:s, s:s}", "name", name, "kind", "checklist"));
  json_object_set_new(obj, "decision", json_string("checklist"));
  json_object_set_new(obj, "confidence", json_real(1.0));
  json_object_set_new(obj, "offer_escalation", json_false());
  json_object_set_new(obj, "answer", json_string(ev->title));
  json_object_set_new(obj, "candidates", json_array());
  json_object_set_new(obj, "checklist", cl);
  return 0;
}

const bot_checklists *bot_checklists_of(const bot *b) { return b->checklists; }
/* An English question: besides the engine, asked with the Japanese terms
 * of the English-to-Japanese table, the entries' English versions are
 * searched as English (the FTS5 index of migration 20, porter-stemmed,
 * bm25 with the question counting double). Each English hit scores its
 * bm25 relative to the best hit's, plus EN_ENGINE when the engine offered
 * the entry too, EN_ENGINE_TOP more when first, plus EN_COVER times the
 * share of the question's words that its English question holds (bm25
 * alone let a long answer that repeats "My Number card" outrank the entry
 * whose question is "How do I apply for a My Number Card?"), each word
 * weighted by how few of the hits' questions hold it ("number" and "card"
 * are in every My Number entry, "lose" in one).
 *  - The engine answered: its answer stands, unless the index's best is
 *    among the engine's candidates and leads the answer by EN_SWITCH (the
 *    answer has an English version, yet the index barely ranks it): the
 *    best answers.
 *  - The engine is unsure (clarify, no answer, or the table knew no word):
 *    the index's best answers when its own bm25 reaches EN_MIN, it shares
 *    EN_SHARED words with the question, and it leads the next by
 *    EN_MARGIN; a pick the engine did not offer at all needs
 *    EN_INDEX_ONLY_Q words in its English question, not just its answer
 *    ("send money abroad" is not the refund of medical costs); otherwise
 *    the engine's choices stand, the best moved first among them. When
 *    the engine offered choices and the index's best (bm25 EN_MIN, lead
 *    EN_MARGIN) is its first, both readings agree: that one answers on
 *    EN_AGREE_SHARED word instead of EN_SHARED (the clarify whose first
 *    choice was right was the largest group of misses).
 * *confirmed when both readings agree on the answer (the engine's first
 * choice is the index's best): the scope decision then takes the question
 * as understood; a pick of the index alone stays unsure there, so "What's
 * your favorite food?" is still refused as not a city matter.
 * Tuned on the tune halves (tests/data/dialogue/tune/english.json, the odd
 * ids of fresh/english5.json, tune/scope.json and dev/scope.json for the
 * out-of-scope English). */
#define EN_HITS 10
#define EN_ENGINE 0.3     /* the engine offered the entry too */
#define EN_ENGINE_TOP 0.2 /* … as its first choice */
#define EN_MARGIN 0.15    /* over the next entry, to answer */
#define EN_MIN 4.0        /* bm25 of the best hit, to answer */
#define EN_SHARED 3       /* words shared with its English version (question double), to answer */
#define EN_SWITCH 1.0     /* to pass over an engine's answer the English index does not rank */
#define EN_PASS_OVER_Q 2  /* words the pick's English question shares, to pass over a first choice without a version */
#define EN_COVER 0.75     /* times the share of the question's words its English question holds (bot_english_cover) */
#define EN_INDEX_ONLY_Q 2 /* words a pick the engine did not offer shares with its English question */
#define EN_AGREE_SHARED 1 /* words (question double) the engine's first choice shares with its English version, to answer it when the index agrees */

static void move_first(mg_result *res, int at) {
  mg_candidate c = res->c[at];
  memmove(&res->c[1], &res->c[0], (size_t)at * sizeof c);
  res->c[0] = c;
}

/* The words an English question shares with hit h's English question
 * (*q) and answer (*a): the pick's own evidence, apart from how it ranks
 * against the others ("What's your favorite color?" shares one). */
static void en_shared(bot_worker *w, const char *question, const faq_en_hit *h, int *q, int *a, json_t *ex) {
  *q = bot_english_overlap(w->b->english, question, h->question);
  *a = bot_english_overlap(w->b->english, question, h->answer);
  if (ex) json_object_set_new(json_object_get(ex, "english_pick"), "shared", json_pack("{s:i, s:i}", "question", *q, "answer", *a));
}

/* 1 when entry id has an English version the index could have ranked. */
static int has_english(bot_worker *w, const char *id) {
  const mg_faq_entry *e;
  char err[MG_ERRLEN];
  return published_entry(w, id, &e, err) == 0 && e->tr[MG_FAQ_TR_QUESTION_EN][0];
}

static void pick_among(bot_worker *w, const char *question, const faq_en_hit *h, int nh, mg_result *res, int *confirmed,
                       json_t *ex);

static int english_pick(bot_worker *w, const char *question, mg_result *res, int *confirmed, json_t *ex, char *err) {
  char match[1024];
  faq_en_hit h[EN_HITS];
  int nh = 0, rc;
  *confirmed = 0;
  if (bot_english_fts_query(w->b->english, question, (int)strlen(question), match, sizeof match) == 0) return 0;
  if ((rc = faq_search_en(w->db, match, h, EN_HITS, &nh, err)) != 0) return rc;
  pick_among(w, question, h, nh, res, confirmed, ex);
  faq_en_hits_clear(h, nh);
  return 0;
}

/* english_pick's decision over the English index's hits h (they carry
 * their English question and answer, so no entry is read back). */
static void pick_among(bot_worker *w, const char *question, const faq_en_hit *h, int nh, mg_result *res, int *confirmed,
                       json_t *ex) {
  double fused[EN_HITS], cover[EN_HITS];
  int best = -1, second = -1, at = -1, q, a;
  {
    const char *qs[EN_HITS] = { 0 };
    for (int i = 0; i < nh; i++) qs[i] = h[i].question[0] ? h[i].question : NULL;
    bot_english_cover(w->b->english, question, qs, nh, cover);
  }
  for (int i = 0; i < nh; i++) {
    fused[i] = h[i].score / h[0].score + EN_COVER * cover[i];
    for (int k = 0; k < res->n; k++)
      if (strcmp(res->c[k].faq_id, h[i].id) == 0) fused[i] += EN_ENGINE + (k == 0 ? EN_ENGINE_TOP : 0);
    if (best < 0 || fused[i] > fused[best]) second = best, best = i;
    else if (second < 0 || fused[i] > fused[second]) second = i;
  }
  if (ex) json_object_set_new(ex, "english_pick", json_pack("{s:s, s:f, s:f, s:f}", "best", best < 0 ? "" : h[best].id,
                                                             "bm25", best < 0 ? 0.0 : h[best].score,
                                                             "fused", best < 0 ? 0.0 : fused[best],
                                                             "second", second < 0 ? 0.0 : fused[second]));
  if (best < 0) return;
  for (int i = 0; i < res->n; i++)
    if (strcmp(res->c[i].faq_id, h[best].id) == 0) at = i;
  if (res->decision == MG_DECISION_ANSWER) {
    double top = 0; /* the engine's answer, as the English index sees it */
    for (int i = 0; i < nh; i++)
      if (strcmp(h[i].id, res->c[0].faq_id) == 0) top = fused[i];
    if (ex) json_object_set_new(json_object_get(ex, "english_pick"), "answer_fused", json_real(top));
    if (at > 0 && fused[best] >= top + EN_SWITCH && has_english(w, res->c[0].faq_id)) {
      move_first(res, at);
      at = 0;
    }
    *confirmed = at == 0;
    return;
  }
  if (h[best].score < EN_MIN) return;
  en_shared(w, question, &h[best], &q, &a, ex);
  /* both readings agree: the engine's first choice is the index's best,
   * by EN_MARGIN. The engine was unsure only between its own candidates
   * and the English reading tells them apart: answer it, on EN_AGREE_SHARED
   * word of its English version (the question's own word may be romaji the
   * English version does not hold: kokuho). A bare "my number card" leads
   * by less and keeps its choices */
  if (at == 0 && res->decision == MG_DECISION_CLARIFY && 2 * q + a >= EN_AGREE_SHARED &&
      (second < 0 || fused[best] >= fused[second] + EN_MARGIN)) {
    *confirmed = 1;
    res->decision = MG_DECISION_ANSWER;
    if (ex) json_object_set_new(json_object_get(ex, "english_pick"), "agreed", json_true());
    return;
  }
  if (2 * q + a < EN_SHARED) return;
  if (at < 0 && q < EN_INDEX_ONLY_Q) return;
  /* the engine's first choice cannot be compared in English (no version):
   * pass it over only for a pick whose English question is clearly about
   * the question (市県民税 has none, and "pay my resident tax" must not
   * become the fixed asset tax, which shares only "tax") */
  if (at != 0 && res->n > 0 && q < EN_PASS_OVER_Q && !has_english(w, res->c[0].faq_id)) return;
  if (second >= 0 && fused[best] < fused[second] + EN_MARGIN) {
    if (at > 0) move_first(res, at); /* unsure: the engine's choices, the English index's best first */
    return;
  }
  if (at < 0) { /* not offered by the engine: it goes first, the last candidate drops */
    at = res->n < MG_ENGINE_MAX_K ? res->n++ : res->n - 1;
    memset(&res->c[at], 0, sizeof res->c[at]);
    snprintf(res->c[at].faq_id, sizeof res->c[at].faq_id, "%s", h[best].id);
  }
  *confirmed = at == 0; /* the engine's first choice too: both readings agree */
  if (at > 0) move_first(res, at);
  res->decision = MG_DECISION_ANSWER;
}

/* bot_english_speller over the engine's readings */
static int spell_kana(void *worker, const char *kana, int len, char *out, size_t cap) {
  bot_worker *w = worker;
  return faq_engine_spell_kana(w->b->engine, w->an, kana, len, out, cap);
}

int bot_answer(bot_worker *w, const char *text, int len, int explain, json_t **out, char *err) {
  return bot_answer_lang(w, text, len, BOT_LANG_JA, explain, out, err);
}

/* A Japanese message with English words in it (spray can どうやって捨てる,
 * evacuation shelter 近くにある): each run of Latin words is followed by the
 * FAQ's Japanese terms for it (bot_english_query), so the engine meets
 * スプレー缶 and 避難所 too. The run stays: an entry may name it (LINE, PDF).
 * Writes into out (cap bytes) and returns 1 when a run was read, else 0. */
static int with_english_words(bot_worker *w, const char *text, int len, char *out, size_t cap) {
  size_t o = 0;
  int added = 0, i = 0;
  while (i < len) {
    int start = i, letters = 0, longest = 0;
    while (i < len && ((text[i] >= 'a' && text[i] <= 'z') || (text[i] >= 'A' && text[i] <= 'Z') || text[i] == ' ' ||
                       text[i] == '\'' || text[i] == '-')) {
      int alpha = (text[i] | 0x20) >= 'a' && (text[i] | 0x20) <= 'z';
      letters = alpha ? letters + 1 : 0;
      if (letters > longest) longest = letters;
      i++;
    }
    if (i > start) {
      char ja[512];
      if (o + (size_t)(i - start) >= cap) return 0;
      memcpy(out + o, text + start, (size_t)(i - start));
      o += (size_t)(i - start);
      if (longest >= 3 && bot_english_query(w->b->english, text + start, i - start, NULL, NULL, ja, sizeof ja, NULL, 0) > 0) {
        size_t n = strlen(ja);
        if (o + n + 2 >= cap) return 0;
        out[o++] = ' ';
        memcpy(out + o, ja, n);
        o += n;
        out[o++] = ' ';
        added = 1;
      }
      continue;
    }
    if (o + 1 >= cap) return 0;
    out[o++] = text[i++];
  }
  out[o] = '\0';
  return added;
}

/* A code point a kana-only message may carry besides its kana: ー, CJK
 * punctuation and spaces, full-width forms, ASCII other than letters and
 * digits. */
static int kana_filler(uint32_t cp) {
  if (cp < 0x80) return !((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') && !(cp >= '0' && cp <= '9');
  return cp == 0x30FC || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF5E);
}

/* 1 when text (len bytes) is hiragana, spaces and punctuation only */
static int hiragana_only(const char *s, int len) {
  for (int i = 0, n; i < len; i += n) {
    uint32_t cp;
    if (!(n = mg_utf8_decode(s + i, (size_t)(len - i), &cp))) return 0;
    if (!(cp >= 0x3041 && cp <= 0x309F) && !kana_filler(cp)) return 0;
  }
  return 1;
}

/* s (len bytes) with every katakana as hiragana, in out (cap bytes); its length. */
static int as_hiragana(const char *s, int len, char *out, size_t cap) {
  if ((size_t)len >= cap) return 0;
  memcpy(out, s, (size_t)len);
  out[len] = '\0';
  mg_utf8_kata_to_hira(out, (size_t)len);
  return len;
}

/* A message written wholly in katakana (ｵﾅｶｽｲﾀ from an old phone, NFKC
 * makes it full-width) into hiragana in out (cap bytes), so that the rules'
 * kana words meet it (おなかすいた); 0 when the message has other letters. */
static int katakana_as_hiragana(const char *s, int len, char *out, size_t cap) {
  int kata = 0;
  if ((size_t)len >= cap) return 0;
  for (int i = 0, n; i < len; i += n) {
    uint32_t cp;
    if (!(n = mg_utf8_decode(s + i, (size_t)(len - i), &cp))) return 0;
    if (cp >= 0x30A1 && cp <= 0x30F6) kata++;
    else if (!kana_filler(cp)) return 0;
  }
  return kata < 2 ? 0 : as_hiragana(s, len, out, cap);
}

/* A message typed with half-width katakana (a phone's kana keyboard: ﾊﾁにさされた
 * ｾﾞﾝｼﾝ ﾌﾞﾂﾌﾞﾂ ｲｷ ｸﾙｼｲ) mixes them with hiragana and kanji, so it is not
 * wholly katakana; its katakana are words spelt phonetically, not
 * loanwords: norm with every katakana as hiragana, for the safety layer
 * (the caller keeps the reading that scores higher). 0 when raw has none. */
static int half_width_as_hiragana(const char *raw, int rawlen, const char *norm, int nlen, char *out, size_t cap) {
  int half = 0;
  for (int i = 0, n; i < rawlen && !half; i += n) {
    uint32_t cp;
    if (!(n = mg_utf8_decode(raw + i, (size_t)(rawlen - i), &cp))) return 0;
    half = cp >= 0xFF66 && cp <= 0xFF9D;
  }
  if (!half || !as_hiragana(norm, nlen, out, cap)) return 0;
  return memcmp(out, norm, (size_t)nlen) != 0 ? nlen : 0;
}

/* An FAQ entry (or a life event's checklist) answers reply obj outright:
 * the fail-safe note stays off it. */
static int answered_by_faq(const json_t *obj) {
  const char *d = json_string_value(json_object_get(obj, "decision"));
  return json_object_get(obj, "checklist") || (d && !strcmp(d, "answer") && json_is_string(json_object_get(obj, "faq_id")));
}

int bot_answer_lang(bot_worker *w, const char *text, int len, int chosen, int explain, json_t **out, char *err) {
  json_t *obj = json_pack("{s:i}", "version", ANSWER_VERSION), *ex = explain ? json_object() : NULL;
  mg_result res;
  rules_hit hit;
  bot_safety_result safety, fallback;
  char ja[1024], kana[1024], spelt[512] = "", mixed[1536];
  int nlen = 0, rc = 0, english, reading = 0, romaji = 0, want;
  const char *en_text = NULL; /* the English question, when it was asked in Japanese terms */
  int en_confirmed = 0;       /* the English index agrees with the answer (english_pick) */
  char *norm = faq_normalize(text, len, &nlen);

  *out = NULL;
  if (!obj || !norm) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  /* casual small vowels (息してなぃ) are read full size */
  if (len < (int)sizeof kana && memchr(text, 0xE3, (size_t)len)) {
    memcpy(kana, text, (size_t)len);
    kana[len] = '\0';
    mg_utf8_fold_small_vowels(kana, (size_t)len);
    if (memcmp(kana, text, (size_t)len) != 0) text = kana;
  }
  /* romaji (gomi no dashikata, kaji desu tasukete) is read as the kana it spells */
  if (text != kana && mg_romaji_to_kana(text, len, kana, sizeof kana) > 0) {
    if (ex) json_object_set_new(ex, "romaji_as", json_string(kana));
    text = kana, len = (int)strlen(kana), romaji = 1;
  }
  english = !romaji && bot_english_detect(text, len);
  want = bot_lang_wanted(chosen, english);
  /* safety first: a resident in danger gets the number before anything else */
  if ((rc = bot_msg_analyze(&w->msg, w->an, text, len)) != 0) { rc = mg_errf(err, rc, "cannot analyse the message"); goto out; }
  bot_concepts_match(w->b->concepts, &w->msg, &w->hits);
  bot_safety_assess(w->b->safety, &w->msg, &w->hits, &safety);
  /* a message wholly in katakana (ﾏﾏｶﾞｵｺｯﾃﾀﾀｸ ｲﾀｲ) is one unknown word to
   * MeCab, and half-width katakana among other words are spelt phonetically:
   * its hiragana is read too, and the reading that scores higher kept */
  if (safety.level != BOT_SAFETY_CARD) {
    char hk[512];
    int hklen = katakana_as_hiragana(norm, nlen, hk, sizeof hk);
    if (hklen == 0) hklen = half_width_as_hiragana(text, len, norm, nlen, hk, sizeof hk);
    if (hklen > 0) {
      bot_safety_result s2;
      if ((rc = bot_msg_analyze(&w->msg, w->an, hk, hklen)) != 0) { rc = mg_errf(err, rc, "cannot analyse the message"); goto out; }
      bot_concepts_match(w->b->concepts, &w->msg, &w->hits);
      bot_safety_assess(w->b->safety, &w->msg, &w->hits, &s2);
      if (s2.score > safety.score) {
        safety = s2;
      } else {
        if ((rc = bot_msg_analyze(&w->msg, w->an, text, len)) != 0) { rc = mg_errf(err, rc, "cannot analyse the message"); goto out; }
        bot_concepts_match(w->b->concepts, &w->msg, &w->hits);
      }
    }
  }
  /* the fail-safe, kept for the end: a person in trouble told now, where
   * nothing else (a danger, an FAQ entry) answers the message */
  if (safety.level == BOT_SAFE) bot_safety_fallback(w->b->safety, &w->msg, &w->hits, &fallback);
  else fallback.level = BOT_SAFE;
  bot_safety_localize(w->b->safety, &safety, want);
  if (ex) json_object_set_new(ex, "concepts", bot_hits_json(w->b->concepts, &w->hits));
  if (ex) json_object_set_new(ex, "safety", json_pack("{s:s, s:f, s:o}", "level",
                                                       safety.level == BOT_SAFETY_CARD ? "card" : safety.level == BOT_SAFETY_NOTE ? "note" : "none",
                                                       "score", safety.score, "cues", bot_safety_cues_json(&safety)));
  if (safety.level == BOT_SAFETY_CARD) {
    char name[64];
    snprintf(name, sizeof name, "safety_%s", safety.danger);
    json_object_set_new(obj, "rule", json_pack("{s:s, s:s}", "name", name, "kind", "emergency"));
    json_object_set_new(obj, "decision", json_string("answer"));
    json_object_set_new(obj, "confidence", json_real(1.0));
    json_object_set_new(obj, "offer_escalation", json_false());
    json_object_set_new(obj, "answer", json_string(safety.text));
    json_object_set_new(obj, "lang", json_string(bot_lang_name(want)));
    json_object_set_new(obj, "safety", bot_safety_json(&safety));
    json_object_set_new(obj, "candidates", json_array());
    goto done;
  }
  if (safety.level == BOT_SAFETY_NOTE) json_object_set_new(obj, "safety", bot_safety_json(&safety));
  /* a life event told (引っ越してきました, 父が亡くなりました): its checklist —
   * after the safety layer, so a death happening now still gets 119 */
  {
    mg_result clause;
    if ((rc = answer_checklist(w, text, len, obj, &clause, err)) != 0) goto out;
    if (json_object_get(obj, "checklist")) goto done;
    if ((clause.decision == MG_DECISION_ANSWER || clause.decision == MG_DECISION_CLARIFY) && !english) {
      res = clause;
      goto decided;
    }
  }
  {
    bot_intent_hit ih;
    int matched = 0, hlen = 0;
    char hira[512];
    if (bot_intents_match(w->b->intents, &w->msg, &w->hits, &ih) == 1) {
      hit = (rules_hit){ .name = ih.name, .kind = ih.kind, .reply = ih.reply };
      matched = 1;
      /* a story whose last sentence asks a city question the FAQ answers
       * outright: the intent was met in the story (頼れる人がいなくて is no
       * request for a person), the question is the last sentence */
      if (ih.sentence < bot_msg_last_sentence(&w->msg)) {
        int answered = 0;
        if ((rc = story_answered(w, text, len, &answered, err)) != 0) goto out;
        if (answered) matched = 0;
      }
    } else if (bot_rules_match(w->b->rules, norm, (size_t)nlen, &hit) == 1 ||
               ((hlen = katakana_as_hiragana(norm, nlen, hira, sizeof hira)) > 0 &&
                bot_rules_match(w->b->rules, hira, (size_t)hlen, &hit) == 1)) {
      matched = 1;
      /* small talk and referrals never capture a message that also asks a
       * city question the FAQ answers outright */
      if (strcmp(hit.kind, "smalltalk") == 0 && bot_safety_mentions(w->b->safety, &w->hits)) {
        matched = 0; /* a danger named, even below the note: never small talk */
      } else if (!hit.firm && (strcmp(hit.kind, "smalltalk") == 0 || strcmp(hit.kind, "referral") == 0)) {
        if ((rc = faq_engine_search(w->b->engine, w->an, text, len, w->b->cfg.top_k, &res, NULL, err)) != 0) goto out;
        if (res.decision == MG_DECISION_ANSWER) matched = 0;
      } else if (strcmp(hit.kind, "hours") == 0 || strcmp(hit.kind, "handoff") == 0) {
        /* office hours or a person named in a story (役所あいてない…), the
         * question in its last sentence: the FAQ's answer to that */
        int from = last_sentence_ex(norm, nlen, 1), answered = 0;
        rules_hit h2;
        if (from > 0 && bot_rules_match(w->b->rules, norm + from, (size_t)(nlen - from), &h2) != 1 &&
            (rc = story_answered(w, text, len, &answered, err)) != 0)
          goto out;
        if (answered) matched = 0;
      }
    }
    if (matched) {
      if ((rc = answer_from_rule(w, &hit, obj, want, err)) != 0) goto out;
      json_object_set_new(obj, "candidates", json_array());
      goto done;
    }
  }
  if (english) {
    /* ask the engine in the FAQ's language; nothing known → the English
     * index alone ("washing machine" is in no table but in an entry's
     * English version); nothing there either → a person */
    if (bot_english_query(w->b->english, text, len, spell_kana, w, ja, sizeof ja, spelt, sizeof spelt) == 0) {
      res = (mg_result){ .decision = MG_DECISION_NO_ANSWER };
      if ((rc = english_pick(w, text, &res, &en_confirmed, ex, err)) != 0) goto out;
      if (res.decision == MG_DECISION_ANSWER) {
        en_text = text;
        goto decided;
      }
      json_object_set_new(obj, "decision", json_string("no_answer"));
      json_object_set_new(obj, "confidence", json_real(0));
      json_object_set_new(obj, "offer_escalation", json_true());
      json_object_set_new(obj, "candidates", json_array());
      if ((rc = put_english(w, obj, MSG_ENGLISH_UNKNOWN, err)) != 0) goto out;
      goto done;
    }
    if (ex) json_object_set_new(ex, "english_query", json_string(ja));
    if (ex && *spelt) json_object_set_new(ex, "english_readings", json_string(spelt));
    en_text = text;
    text = ja, len = (int)strlen(ja);
  } else if (!romaji && with_english_words(w, text, len, mixed, sizeof mixed)) {
    if (ex) json_object_set_new(ex, "english_words_as", json_string(mixed));
    text = mixed, len = (int)strlen(mixed);
  }
  if ((rc = faq_engine_search_terms(w->b->engine, w->an, text, len, spelt, w->b->cfg.top_k, &res, ex, err)) != 0) goto out;
  if (res.decision != MG_DECISION_ANSWER) {
    /* a long story with the question at its end: ask with the last sentence too */
    int from = last_sentence(text, len), part;
    mg_result res2;
    /* a short cry in kana after the question (無くした!!どうしょう) is no
     * question of its own: its reading would meet any entry */
    if (from > 0 && hiragana_only(text + from, len - from) && mg_utf8_chars(text + from, len - from) < 7) from = 0;
    if (from == 0 && (part = last_part(text, len)) > 0 && asks_after(w, w->msg.len - (len - part))) from = part;
    /* a story told in one breath, its clauses joined by 、 (…在宅勤務になったけん
     * 地元に戻ろうかなって考えよって、…、何か移住の支援みたいなのってあるんですか):
     * its last clause, when that clause asks */
    if (from == 0 && mg_utf8_chars(text, len) >= STORY_CHARS && (part = last_clause(text, len)) > 0 &&
        mg_utf8_chars(text + part, len - part) >= STORY_PART && asks_after(w, w->msg.len - (len - part)))
      from = part;
    if (from > 0 && (rc = faq_engine_search(w->b->engine, w->an, text + from, len - from, w->b->cfg.top_k, &res2, NULL, err)) != 0)
      goto out;
    if (from > 0 && res2.decision == MG_DECISION_ANSWER && res2.confidence > res.confidence) {
      res = res2;
      if (ex) json_object_set_new(ex, "asked_with", json_stringn(text + from, (size_t)(len - from)));
    } else if (from > 0 && res.decision == MG_DECISION_NO_ANSWER && res.n > 1 &&
               res.confidence >= LONG_CLARIFY * w->b->cfg.clarify_min) {
      /* the story's own words dilute the confidence: offer the nearest entries */
      res.decision = MG_DECISION_CLARIFY;
    } else if (from > 0 && res.decision == MG_DECISION_NO_ANSWER && res2.decision == MG_DECISION_CLARIFY &&
               res2.confidence > res.confidence && !english && mg_utf8_chars(text + from, len - from) >= STORY_PART) {
      /* the story's last sentence asks, unsure between entries: its choices
       * (…保険も切れてしもて 国保ってどうやって入ったらいいんですかね) */
      res = res2;
      if (ex) json_object_set_new(ex, "asked_with", json_stringn(text + from, (size_t)(len - from)));
    }
  }
  if (en_text && (rc = english_pick(w, en_text, &res, &en_confirmed, ex, err)) != 0) goto out;
decided:
  /* choices that share only one word with a question of several are not
   * about it (犬がソファをかじる is not dog registration) */
  if (res.decision == MG_DECISION_CLARIFY && res.qterms >= CLARIFY_MIN_QTERMS && res.matched < 2)
    res.decision = MG_DECISION_NO_ANSWER;
  /* a question put to the city itself (市でやっとらん？) is a city matter:
   * the nearest entries that share two of its words are worth offering */
  else if (res.decision == MG_DECISION_NO_ANSWER && res.n > 1 && res.matched >= 2 &&
           res.confidence >= LONG_CLARIFY * w->b->cfg.clarify_min && bot_msg_asks_city(&w->msg))
    res.decision = MG_DECISION_CLARIFY;
  {
    /* scope: unsure, and about something that is not a city matter */
    const char *reply;
    if (res.decision != MG_DECISION_NO_ANSWER &&
        bot_intents_outside(w->b->intents, &w->msg, &w->hits, res.decision == MG_DECISION_CLARIFY || (english && !en_confirmed),
                            res.confidence, &reply)) {
      hit = (rules_hit){ .name = "scope_outside", .kind = "referral", .reply = reply };
      if ((rc = answer_from_rule(w, &hit, obj, want, err)) != 0) goto out;
      json_object_set_new(obj, "candidates", json_array());
      goto done;
    }
  }
  json_object_set_new(obj, "decision", json_string(faq_decision_name(res.decision)));
  json_object_set_new(obj, "confidence", json_real(res.confidence));
  /* the entry and the candidates in one read transaction: one lock, not six */
  reading = faq_db_read_begin(w->db);
  if (res.decision == MG_DECISION_ANSWER) {
    rc = put_entry(w, obj, res.c[0].faq_id, want, err);
    if (rc == MG_ENOTFOUND) /* unpublished after the index was read: say so honestly */
      json_object_set_new(obj, "decision", json_string(faq_decision_name(MG_DECISION_NO_ANSWER)));
    else if (rc != 0)
      goto out;
    rc = 0;
  }
  if ((rc = put_candidates(w, obj, &res, want, err)) != 0) goto out;
  if (english) json_object_set_new(obj, "offer_escalation", json_true());
  /* an entry's answer has its English line already (put_entry) */
  if (want == BOT_LANG_EN && !json_object_get(obj, "english")) {
    enum msg_id line = res.decision == MG_DECISION_CLARIFY ? MSG_ENGLISH_CLARIFY : MSG_ENGLISH_UNKNOWN;
    if ((rc = put_english(w, obj, line, err)) != 0) goto out;
  }
done:
  if (fallback.level != BOT_SAFE && !json_object_get(obj, "safety") && !answered_by_faq(obj)) {
    bot_safety_localize(w->b->safety, &fallback, want);
    json_object_set_new(obj, "safety", bot_safety_json(&fallback));
    if (ex) json_object_set_new(ex, "fallback", bot_safety_cues_json(&fallback));
  }
  if (ex) json_object_set(obj, "explain", ex);
  *out = obj;
  obj = NULL;
out:
  faq_db_read_end(w->db, reading);
  json_decref(obj);
  json_decref(ex);
  free(norm);
  return rc;
}

/* ---- staff try drafts -------------------------------------------------------- */

struct ids { char **v; int n, cap; };

static int ids_add(struct ids *l, const char *id) {
  if (l->n == l->cap) {
    int cap = l->cap ? 2 * l->cap : 64;
    char **v = realloc(l->v, (size_t)cap * sizeof *v);
    if (!v) return MG_ENOMEM;
    l->v = v, l->cap = cap;
  }
  if (!(l->v[l->n] = strdup(id))) return MG_ENOMEM;
  l->n++;
  return 0;
}

static void ids_free(struct ids *l) {
  for (int i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
}

static int list_entry(void *ctx, const mg_faq_entry *e) { return ids_add(ctx, e->id); }
static int list_dept(void *ctx, const mg_department *d) { return ids_add(ctx, d->id); }

/* The newest revision of every entry, published, in a new in-memory
 * database. Ids are listed first and copied one by one: the statement cache
 * of faq/db.c holds one connection's statements per thread, so a walk of
 * one connection must not write to another. */
static int draft_copy(bot_worker *w, sqlite3 *mem, char *err) {
  struct ids depts = { 0 }, entries = { 0 };
  int rc;

  if ((rc = faq_department_list(w->db, list_dept, &depts, err)) ||
      (rc = faq_list(w->db, NULL, list_entry, &entries, err)))
    goto out;
  if ((rc = sqlite3_exec(mem, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK) { rc = mg_errf(err, MG_EDB, "try: cannot begin"); goto out; }
  for (int i = 0; i < depts.n; i++) {
    mg_department d = { 0 };
    if ((rc = faq_department_get(w->db, depts.v[i], &d, err)) == 0) rc = faq_department_put(mem, &d, err);
    faq_department_clear(&d);
    if (rc) goto out;
  }
  for (int i = 0; i < entries.n; i++) {
    mg_faq_entry *e = NULL;
    if ((rc = faq_get(w->db, entries.v[i], MG_FAQ_LATEST, &e, err)) == 0) rc = faq_put(mem, e, "try", 1, err);
    faq_entry_free(e);
    if (rc) goto out;
  }
  if (sqlite3_exec(mem, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) rc = mg_errf(err, MG_EDB, "try: %s", sqlite3_errmsg(mem));
out:
  if (rc == MG_ENOMEM) mg_errf(err, MG_ENOMEM, "out of memory");
  ids_free(&depts);
  ids_free(&entries);
  return rc;
}

int bot_answer_drafts(bot_worker *w, const char *text, int len, json_t **out, char *err) {
  sqlite3 *mem = NULL, *db = w->db;
  mg_engine *engine = NULL;
  bot_pubs *pubs = NULL;
  const bot_pub *pub = w->pub;
  bot *b = w->b, tb;
  int rc;

  *out = NULL;
  if ((rc = bot_db_open_memory(&mem, b->lang, err)) || (rc = draft_copy(w, mem, err)) ||
      (rc = faq_engine_new(&engine, b->lang, mem, &b->cfg, err)) || (rc = bot_pubs_new(&pubs, err)))
    goto out;
  /* the same pipeline, with the copy's index and entries */
  tb = *b;
  tb.engine = engine;
  tb.pubs = pubs;
  w->b = &tb, w->db = mem, w->pub = NULL;
  rc = bot_answer(w, text, len, 1, out, err);
  bot_pub_release(pubs, w->pub);
  w->b = b, w->db = db, w->pub = pub;
out:
  bot_pubs_free(pubs);
  faq_engine_free(engine);
  if (mem) { faq_db_stmt_release(mem); faq_db_close(mem); }
  return rc;
}

int bot_nearest(bot_worker *w, const char *text, int len, char *faq_id, size_t size, char *err) {
  mg_result res;
  int rc = faq_engine_search(w->b->engine, w->an, text, len, 1, &res, NULL, err);
  snprintf(faq_id, size, "%s", rc == 0 && res.n > 0 ? res.c[0].faq_id : "");
  return rc;
}

int bot_similar(bot_worker *w, const char *faq_id, int k, char (*ids)[64], int *n, char *err) {
  mg_faq_entry *e = NULL;
  mg_result res;
  mg_buf q = { 0 };
  int rc;
  *n = 0;
  if (k < 1) return 0;
  if ((rc = faq_get(w->db, faq_id, MG_FAQ_PUBLISHED, &e, err)) != 0) return rc;
  /* the question with its keywords: what the entry is about, not how its answer is worded */
  mg_buf_puts(&q, e->question);
  for (int i = 0; i < e->n_keywords; i++) {
    mg_buf_puts(&q, " ");
    mg_buf_puts(&q, e->keywords[i]);
  }
  if (q.oom || !q.p) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  if ((rc = faq_engine_search(w->b->engine, w->an, q.p, (int)q.len, k + 1 > MG_ENGINE_MAX_K ? MG_ENGINE_MAX_K : k + 1,
                             &res, NULL, err)) != 0)
    goto out;
  for (int i = 0; i < res.n && *n < k; i++) {
    if (strcmp(res.c[i].faq_id, faq_id) == 0 || res.c[i].score <= 0) continue;
    snprintf(ids[(*n)++], 64, "%s", res.c[i].faq_id);
  }
out:
  free(q.p);
  faq_entry_free(e);
  return rc;
}

int bot_answer_faq(bot_worker *w, const char *faq_id, json_t **out, char *err) {
  return bot_answer_faq_lang(w, faq_id, BOT_LANG_JA, out, err);
}

int bot_answer_faq_lang(bot_worker *w, const char *faq_id, int lang, json_t **out, char *err) {
  json_t *obj = json_pack("{s:i, s:s, s:f, s:[]}", "version", ANSWER_VERSION, "decision", "answer",
                          "confidence", 1.0, "candidates");
  int rc;

  *out = NULL;
  if (!obj) return mg_errf(err, MG_ENOMEM, "out of memory");
  if ((rc = put_entry(w, obj, faq_id, lang, err)) != 0) { json_decref(obj); return rc; }
  *out = obj;
  return 0;
}

/* ---- where an answer routes ------------------------------------------------- */

int bot_answer_department(sqlite3 *db, const json_t *ans, char *buf, size_t size, char *err) {
  const char *d = json_string_value(json_object_get(json_object_get(ans, "department"), "id"));
  const char *best = json_string_value(json_object_get(json_array_get(json_object_get(ans, "candidates"), 0), "faq_id"));
  buf[0] = '\0';
  if (d && *d) {
    snprintf(buf, size, "%s", d);
    return 0;
  }
  return best ? faq_published_department(db, best, buf, size, err) : 0;
}

struct mg_analyzer *bot_worker_analyzer(bot_worker *w) { return w->an; }
