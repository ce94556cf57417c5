/*
 * checklist.c — the life events of dict/life_events.json and the
 * procedures that belong to them (checklist.h).
 *
 * The file is checked whole at load, so a mistake stops start-up (or a
 * reload) with the file and the place named instead of a resident meeting a
 * question with no buttons: every event needs a name, a slug and known
 * questions; every question ids and 2–4 options with a label and a 'who'.
 * The procedures are read from the published FAQ on each call (the page
 * cache keeps the rendered page until the FAQ changes).
 */
#include "bot/checklist.h"
#include "bot/messages.h"
#include "bot/published.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mg_err.h"
#include "dict/json.h"

#define MAX_EVENTS 16
#define MAX_QUESTIONS 32
#define PAGE_PATH "/faq/checklists/"

struct bot_checklists {
  bot_cl_question q[MAX_QUESTIONS];
  int nq;
  bot_cl_event ev[MAX_EVENTS];
  int nev;
  char *w_and, *w_not;  /* "words": how conditions join and negate in a resident's words */
};

static char *text(json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s && *s ? strdup(s) : NULL;
}

/* [a-z0-9_] (dash too when dash), 1..BOT_CL_KEY-1 characters. */
static int valid_ident(const char *s, int dash) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n >= BOT_CL_KEY) return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || (dash && *s == '-'))) return 0;
  return 1;
}

static int load_question(bot_cl_question *q, const char *id, json_t *o, const char *path, char *err) {
  json_t *opts = json_object_get(o, "options"), *v;
  size_t i;
  if (!valid_ident(id, 0)) return mg_errf(err, MG_ECONFIG, "%s: question \"%s\": ids are a-z, 0-9 and _", path, id);
  q->id = strdup(id);
  q->text = text(o, "text");
  if (!q->id || !q->text) return mg_errf(err, MG_ECONFIG, "%s: question %s needs \"text\"", path, id);
  if (!json_is_array(opts) || json_array_size(opts) < 2 || json_array_size(opts) > BOT_CL_MAX_OPTS)
    return mg_errf(err, MG_ECONFIG, "%s: question %s: \"options\" is a list of 2 to %d", path, id, BOT_CL_MAX_OPTS);
  json_array_foreach(opts, i, v) {
    bot_cl_option *op = &q->opt[q->nopt++];
    op->value = text(v, "value"), op->label = text(v, "label"), op->who = text(v, "who");
    if (!valid_ident(op->value, 0) || !op->label || !op->who)
      return mg_errf(err, MG_ECONFIG, "%s: question %s, option %zu: needs \"value\" (a-z, 0-9, _), \"label\" and \"who\"",
                     path, id, i + 1);
  }
  return 0;
}

static const bot_cl_question *question(const bot_checklists *cl, const char *id) {
  for (int i = 0; i < cl->nq; i++)
    if (strcmp(cl->q[i].id, id) == 0) return &cl->q[i];
  return NULL;
}

static int load_event(bot_checklists *cl, bot_cl_event *ev, json_t *o, size_t at, const bot_concepts *c,
                      const char *path, char *err) {
  json_t *qs = json_object_get(o, "questions"), *sets = json_object_get(o, "concepts"), *v;
  char where[96];
  size_t i;
  int rc;
  ev->name = text(o, "name"), ev->slug = text(o, "slug"), ev->title = text(o, "title"), ev->intro = text(o, "intro");
  if (!ev->name || strlen(ev->name) >= BOT_CL_NAME || !valid_ident(ev->slug, 1) || !ev->title || !ev->intro)
    return mg_errf(err, MG_ECONFIG, "%s: event %zu needs \"name\", \"slug\" (a-z, 0-9, - and _), \"title\" and \"intro\"",
                   path, at + 1);
  for (int k = 0; k < cl->nev; k++)
    if (strcmp(cl->ev[k].slug, ev->slug) == 0 || strcmp(cl->ev[k].name, ev->name) == 0)
      return mg_errf(err, MG_ECONFIG, "%s: event %s: its name or slug is used twice", path, ev->slug);
  if (!json_is_array(qs) || json_array_size(qs) < 1 || json_array_size(qs) > BOT_CL_MAX_QS)
    return mg_errf(err, MG_ECONFIG, "%s: event %s: \"questions\" is a list of 1 to %d ids", path, ev->slug, BOT_CL_MAX_QS);
  json_array_foreach(qs, i, v) {
    const bot_cl_question *q = json_is_string(v) ? question(cl, json_string_value(v)) : NULL;
    if (!q) return mg_errf(err, MG_ECONFIG, "%s: event %s: question %zu is not in \"questions\"", path, ev->slug, i + 1);
    ev->q[ev->nq++] = q;
  }
  if (!c) return 0;
  if (!json_is_array(sets) || json_array_size(sets) < 1 || json_array_size(sets) > 4)
    return mg_errf(err, MG_ECONFIG, "%s: event %s: \"concepts\" is a list of 1 to 4 lists of concept names", path, ev->slug);
  json_array_foreach(sets, i, v) {
    snprintf(where, sizeof where, "event %s, concepts %zu", ev->slug, i + 1);
    if ((rc = bot_concepts_ids(c, v, ev->sets[i], &ev->setn[i], 4, path, where, err)) != 0) return rc;
    if (ev->setn[i] == 0) return mg_errf(err, MG_ECONFIG, "%s: %s is empty", path, where);
    ev->nsets++;
  }
  return 0;
}

int bot_checklists_load(bot_checklists **out, const char *path, const bot_concepts *c, char *err) {
  bot_checklists *cl = calloc(1, sizeof *cl);
  json_t *root = NULL, *qs, *evs, *v;
  const char *key;
  size_t i;
  int rc = 0;
  *out = NULL;
  if (!cl) return mg_errf(err, MG_ENOMEM, "out of memory");
  if ((rc = dict_json_load(&root, path, err)) != 0) goto out;
  qs = json_object_get(root, "questions"), evs = json_object_get(root, "events");
  if (!json_is_object(qs) || json_object_size(qs) > MAX_QUESTIONS || !json_is_array(evs) ||
      json_array_size(evs) == 0 || json_array_size(evs) > MAX_EVENTS) {
    rc = mg_errf(err, MG_ECONFIG, "%s: needs \"questions\" (at most %d) and \"events\" (1 to %d)", path, MAX_QUESTIONS,
                 MAX_EVENTS);
    goto out;
  }
  {
    json_t *words = json_object_get(root, "words");
    if (!(cl->w_and = text(words, "and")) || !(cl->w_not = text(words, "other_than")) || !strstr(cl->w_not, "{label}")) {
      rc = mg_errf(err, MG_ECONFIG, "%s: \"words\" needs \"and\" and \"other_than\" (with {label}) as non-empty strings", path);
      goto out;
    }
  }
  json_object_foreach(qs, key, v)
    if ((rc = load_question(&cl->q[cl->nq++], key, v, path, err)) != 0) goto out;
  json_array_foreach(evs, i, v) {
    if ((rc = load_event(cl, &cl->ev[cl->nev], v, i, c, path, err)) != 0) { cl->nev++; goto out; }
    cl->ev[cl->nev].w_and = cl->w_and;
    cl->ev[cl->nev].w_not = cl->w_not;
    cl->nev++;
  }
  *out = cl;
  cl = NULL;
out:
  json_decref(root);
  bot_checklists_free(cl);
  return rc;
}

void bot_checklists_free(bot_checklists *cl) {
  if (!cl) return;
  for (int i = 0; i < cl->nq; i++) {
    free(cl->q[i].id);
    free(cl->q[i].text);
    for (int k = 0; k < cl->q[i].nopt; k++) {
      free(cl->q[i].opt[k].value);
      free(cl->q[i].opt[k].label);
      free(cl->q[i].opt[k].who);
    }
  }
  for (int i = 0; i < cl->nev; i++) {
    free(cl->ev[i].name);
    free(cl->ev[i].slug);
    free(cl->ev[i].title);
    free(cl->ev[i].intro);
  }
  free(cl->w_and);
  free(cl->w_not);
  free(cl);
}

int bot_checklists_count(const bot_checklists *cl) { return cl ? cl->nev : 0; }

const bot_cl_event *bot_checklists_event(const bot_checklists *cl, int i) {
  return cl && i >= 0 && i < cl->nev ? &cl->ev[i] : NULL;
}

const bot_cl_event *bot_checklists_find(const bot_checklists *cl, const char *slug) {
  for (int i = 0; cl && slug && i < cl->nev; i++)
    if (strcmp(cl->ev[i].slug, slug) == 0) return &cl->ev[i];
  return NULL;
}

const bot_cl_question *bot_cl_event_question(const bot_cl_event *ev, const char *id) {
  for (int i = 0; i < ev->nq; i++)
    if (strcmp(ev->q[i]->id, id) == 0) return ev->q[i];
  return NULL;
}

const bot_cl_event *bot_checklists_match(const bot_checklists *cl, const bot_msg *msg, const bot_hits *h) {
  for (int i = 0; cl && i < cl->nev; i++)
    for (int s = 0; s < cl->ev[i].nsets; s++)
      if (bot_hits_together(h, msg, cl->ev[i].sets[s], cl->ev[i].setn[s])) return &cl->ev[i];
  return NULL;
}

/* The option of q with value v, or NULL. */
static const bot_cl_option *option(const bot_cl_question *q, const char *v) {
  for (int i = 0; q && i < q->nopt; i++)
    if (strcmp(q->opt[i].value, v) == 0) return &q->opt[i];
  return NULL;
}

void bot_cl_words(const bot_cl_event *ev, const bot_cl_term *t, int n, char *out, size_t size) {
  size_t w = 0;
  if (size) out[0] = '\0';
  for (int i = 0; i < n && w < size; i++) {
    const bot_cl_question *q = bot_cl_event_question(ev, t[i].key);
    const bot_cl_option *o = option(q, t[i].value);
    const char *who = o ? o->who : t[i].key;
    int k;
    /* "not yes" of a two-way question reads as its other option */
    if (t[i].neg && q && q->nopt == 2 && o) who = q->opt[o == &q->opt[0] ? 1 : 0].who;
    if (t[i].neg && !(q && q->nopt == 2 && o)) {
      const char *name = "label", *label = o ? o->label : t[i].value;
      char *s = bot_msg_fill(ev->w_not, 1, &name, &label);
      k = snprintf(out + w, size - w, "%s%s", i ? ev->w_and : "", s ? s : label);
      free(s);
    } else k = snprintf(out + w, size - w, "%s%s", i ? ev->w_and : "", who);
    if (k < 0) break;
    w += (size_t)k;
  }
}

int bot_cl_check(const bot_checklists *cl, const char *life_events, char *err) {
  const char *p = life_events;
  while (p && *p) {
    const char *nl = strchr(p, '\n'), *cond;
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    char line[256], name[BOT_CL_NAME];
    const bot_cl_event *ev = NULL;
    bot_cl_term t[BOT_CL_MAX_TERMS];
    int n;
    if (len >= sizeof line) return mg_errf(err, MG_EINVAL, "ライフイベントの1行が長すぎます（%zu文字まで）", sizeof line - 1);
    memcpy(line, p, len);
    line[len] = '\0';
    p = nl ? nl + 1 : NULL;
    if (!line[strspn(line, " \t\r")]) continue;
    if (bot_cl_line(line, name, sizeof name, &cond)) return mg_errf(err, MG_EINVAL, "ライフイベント「%s」が読めません", line);
    for (int i = 0; cl && i < cl->nev && !ev; i++)
      if (strcmp(cl->ev[i].name, name) == 0) ev = &cl->ev[i];
    if (!ev) return mg_errf(err, MG_EINVAL, "ライフイベント「%s」はありません（dict/life_events.json の name）", name);
    if ((n = bot_cl_cond_parse(cond, t, BOT_CL_MAX_TERMS, err)) < 0) return n;
    for (int i = 0; i < n; i++) {
      const bot_cl_question *q = bot_cl_event_question(ev, t[i].key);
      if (!q) return mg_errf(err, MG_EINVAL, "「%s」の質問に「%s」はありません", name, t[i].key);
      if (!option(q, t[i].value))
        return mg_errf(err, MG_EINVAL, "質問「%s」の答えに「%s」はありません", t[i].key, t[i].value);
    }
  }
  return 0;
}

/* ---- procedures from the published FAQ --------------------------------- */

struct walk {
  const bot_cl_event *ev;
  const char *answers;
  int (*fn)(void *ctx, const bot_cl_item *it);
  void *ctx;
};

/* The condition text of e's line for ev that ranks best under answers. */
static void best_cond(const char *life_events, const bot_cl_event *ev, const char *answers, char *out, size_t size) {
  const char *p = life_events;
  int best = -1;
  out[0] = '\0';
  while (p && *p) {
    const char *nl = strchr(p, '\n'), *cond, *start = p;
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    char line[256], name[BOT_CL_NAME];
    p = nl ? nl + 1 : NULL;
    if (len >= sizeof line) continue;
    memcpy(line, start, len);
    line[len] = '\0';
    if (bot_cl_line(line, name, sizeof name, &cond) == 0 && strcmp(name, ev->name) == 0) {
      int r = bot_cl_applies(line, ev->name, answers), rk = r == BOT_CL_YES ? 2 : r == BOT_CL_UNKNOWN ? 1 : 0;
      if (rk > best) {
        best = rk;
        snprintf(out, size, "%s", cond ? cond : "");
      }
    }
  }
}

static int walk_one(void *ctx, const mg_faq_entry *e) {
  struct walk *w = ctx;
  char cond[256];
  int r;
  if (!e->life_events || !*e->life_events) return 0;
  r = bot_cl_applies(e->life_events, w->ev->name, w->answers);
  if (r < 0 || r == BOT_CL_NO) return 0;
  best_cond(e->life_events, w->ev, w->answers, cond, sizeof cond);
  bot_cl_item it = { .e = e, .cond = cond, .applies = r };
  return w->fn(w->ctx, &it);
}

int bot_cl_procedures(sqlite3 *db, const bot_cl_event *ev, const char *answers,
                      int (*fn)(void *ctx, const bot_cl_item *it), void *ctx, char *err) {
  mg_faq_filter f = { .published_text = 1, .life_events_with = ev->name };
  struct walk w = { ev, answers, fn, ctx };
  return faq_list(db, &f, walk_one, &w, err);
}

/* ---- the chat's reply ---------------------------------------------------- */

struct reply_walk { json_t *items; const bot_cl_event *ev; };

static int reply_item(void *ctx, const bot_cl_item *it) {
  struct reply_walk *rw = ctx;
  bot_cl_term t[BOT_CL_MAX_TERMS];
  char attr[256], who[512], err[MG_ERRLEN];
  int n = bot_cl_cond_parse(it->cond, t, BOT_CL_MAX_TERMS, err);
  if (n < 0) n = 0;
  bot_cl_terms_attr(t, n, attr, sizeof attr);
  bot_cl_words(rw->ev, t, n, who, sizeof who);
  return json_array_append_new(rw->items, json_pack("{s:s, s:s, s:s, s:s}", "faq_id", it->e->id, "title",
                                                    it->e->question, "if", attr, "who", who)) ? MG_ENOMEM : 0;
}

json_t *bot_cl_reply(const bot_pub *pub, const bot_cl_event *ev, const char *base, char *err) {
  json_t *qs = json_array(), *items = json_array(), *o = NULL;
  for (int i = 0; qs && i < ev->nq; i++) {
    json_t *opts = json_array();
    for (int k = 0; opts && k < ev->q[i]->nopt; k++)
      json_array_append_new(opts, json_pack("{s:s, s:s}", "value", ev->q[i]->opt[k].value, "label", ev->q[i]->opt[k].label));
    json_array_append_new(qs, json_pack("{s:s, s:s, s:o*}", "id", ev->q[i]->id, "text", ev->q[i]->text, "options", opts));
  }
  if (!qs || !items) { mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  struct reply_walk rw = { items, ev };
  {
    struct walk w = { ev, NULL, reply_item, &rw };
    for (int i = 0; i < bot_pub_count(pub); i++)
      if (walk_one(&w, bot_pub_at(pub, i)) != 0) {
        mg_errf(err, MG_ENOMEM, "out of memory");
        goto out;
      }
  }
  o = json_pack("{s:s, s:s, s:s, s:s, s:O, s:O}", "type", "checklist", "event", ev->slug, "title", ev->title, "intro",
                ev->intro, "questions", qs, "items", items);
  if (o && base && *base) {
    size_t n = strlen(base);
    char *url;
    while (n && base[n - 1] == '/') n--;
    if ((url = malloc(n + sizeof PAGE_PATH + strlen(ev->slug)))) {
      sprintf(url, "%.*s" PAGE_PATH "%s", (int)n, base, ev->slug);
      json_object_set_new(o, "url", json_string(url));
      free(url);
    }
  }
  if (!o) mg_errf(err, MG_ENOMEM, "out of memory");
out:
  json_decref(qs);
  json_decref(items);
  return o;
}
