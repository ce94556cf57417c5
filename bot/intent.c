/*
 * intent.c — dict/intents.json: intents and the scope decision (intent.h).
 */
#include "bot/intent.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/mg_err.h"
#include "util/mg_utf8.h"
#include "dict/json.h"

#define MAX_INTENTS 32
#define MAX_IDS 8

struct intent {
  char *name, *kind, *reply;
  int ids[MAX_IDS], nids;
};

struct bot_intents {
  struct intent in[MAX_INTENTS];
  int n;
  int outside[MAX_IDS], noutside;
  int city[MAX_IDS], ncity;
  double below;       /* an answer under this confidence may still be "outside" */
  char *outside_reply;
};

static int names(const bot_concepts *c, json_t *arr, int *ids, int *n, const char *path, const char *where, char *err) {
  if (json_is_array(arr) && json_array_size(arr) == 0)
    return mg_errf(err, MG_ECONFIG, "%s: %s: a list of 1 to %d concept names", path, where, MAX_IDS);
  return bot_concepts_ids(c, arr, ids, n, MAX_IDS, path, where, err);
}

static char *text(json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s && *s ? strdup(s) : NULL;
}

int bot_intents_load(bot_intents **out, const char *path, const bot_concepts *c, char *err) {
  bot_intents *in = calloc(1, sizeof *in);
  json_t *root = NULL, *list, *v, *scope;
  size_t i;
  int rc = 0;

  *out = NULL;
  if (!in) return mg_errf(err, MG_ENOMEM, "out of memory");
  if ((rc = dict_json_load(&root, path, err)) != 0) goto out;
  list = json_object_get(root, "intents");
  if (!json_is_array(list) || json_array_size(list) > MAX_INTENTS) {
    rc = mg_errf(err, MG_ECONFIG, "%s: \"intents\" is a list of at most %d intents", path, MAX_INTENTS);
    goto out;
  }
  json_array_foreach(list, i, v) {
    struct intent *t = &in->in[in->n++];
    t->name = text(v, "name"), t->kind = text(v, "kind"), t->reply = text(v, "reply");
    if (!t->name || !t->kind || !t->reply) {
      rc = mg_errf(err, MG_ECONFIG, "%s: intent %zu: needs \"name\", \"kind\" and \"reply\"", path, i + 1);
      goto out;
    }
    if ((rc = names(c, json_object_get(v, "all"), t->ids, &t->nids, path, t->name, err)) != 0) goto out;
  }
  scope = json_object_get(root, "scope");
  if (!json_is_object(scope)) { rc = mg_errf(err, MG_ECONFIG, "%s: needs a \"scope\" object", path); goto out; }
  if ((rc = names(c, json_object_get(scope, "outside"), in->outside, &in->noutside, path, "scope.outside", err)) != 0 ||
      (rc = names(c, json_object_get(scope, "city"), in->city, &in->ncity, path, "scope.city", err)) != 0)
    goto out;
  in->below = json_number_value(json_object_get(scope, "answer_below"));
  if (!(in->outside_reply = text(scope, "reply"))) { rc = mg_errf(err, MG_ECONFIG, "%s: scope needs a \"reply\"", path); goto out; }
  *out = in;
  in = NULL;
out:
  json_decref(root);
  bot_intents_free(in);
  return rc;
}

void bot_intents_free(bot_intents *in) {
  if (!in) return;
  for (int i = 0; i < in->n; i++) {
    free(in->in[i].name);
    free(in->in[i].kind);
    free(in->in[i].reply);
  }
  free(in->outside_reply);
  free(in);
}

int bot_intents_match(const bot_intents *in, const bot_msg *msg, const bot_hits *h, bot_intent_hit *hit) {
  for (int i = 0; i < in->n; i++) {
    const struct intent *t = &in->in[i];
    int sent = bot_hits_together_last(h, msg, t->ids, t->nids);
    if (sent < 0) continue;
    hit->name = t->name, hit->kind = t->kind, hit->reply = t->reply, hit->sentence = sent;
    return 1;
  }
  return 0;
}

/* 1 when one of ids was met by lemma or kana, or by a reading of at least
 * min_reading characters. */
static int any(const bot_hits *h, const int *ids, int n, int min_reading) {
  for (int i = 0; i < n; i++)
    if (bot_hits_sure(h, ids[i]) || (h->how[ids[i]] == BOT_BY_READING && h->chars[ids[i]] >= min_reading)) return 1;
  return 0;
}

/* The code point that ends before byte i of s, or 0 at the start. */
static uint32_t before(const char *s, int i) {
  uint32_t cp = 0;
  int j = i;
  if (i <= 0) return 0;
  while (j > 0 && ((unsigned char)s[j - 1] & 0xC0) == 0x80) j--;
  if (j > 0) j--;
  return mg_utf8_decode(s + j, (size_t)(i - j), &cp) > 0 ? cp : 0;
}

static int word_char(uint32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x30A0 && cp <= 0x30FF) || (cp >= '0' && cp <= '9') ||
         (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

static int ends_with(const char *s, int i, const char *w) {
  int n = (int)strlen(w);
  return i >= n && memcmp(s + i - n, w, (size_t)n) == 0;
}

int bot_msg_asks_city(const bot_msg *msg) {
  /* particles after which 市 is the city doing or giving something; の only
   * when not another town's (隣の市の, 他の市の) */
  static const char *const after[] = { "で", "が", "に", "から", "の" };
  static const char *const other[] = { "他の", "隣の", "となりの", "ほかの", "よその", "別の", "近くの" };
  const char *s = msg->text, *p = s;
  while ((p = strstr(p, "市")) != NULL) {
    int i = (int)(p - s), k = i + (int)strlen("市");
    p += strlen("市");
    if (word_char(before(s, i))) continue; /* 西条市, 市役所's own 市 is not bare */
    for (size_t a = 0; a < sizeof after / sizeof *after; a++) {
      if (strncmp(s + k, after[a], strlen(after[a])) != 0) continue;
      if (a == 4) {
        size_t o = 0;
        while (o < sizeof other / sizeof *other && !ends_with(s, i, other[o])) o++;
        if (o < sizeof other / sizeof *other) break;
        /* 市の人, 市の職員: a person asked for, not the city's service */
        if (strncmp(s + k + strlen("の"), "人", strlen("人")) == 0 || strncmp(s + k + strlen("の"), "職員", strlen("職員")) == 0) break;
      }
      return 1;
    }
  }
  return 0;
}

int bot_intents_outside(const bot_intents *in, const bot_msg *msg, const bot_hits *h, int clarify, double confidence,
                        const char **reply) {
  if (!clarify && confidence >= in->below) return 0;
  /* a resident who asks what the city does (市で持っていってくれる？) asks a
   * city matter, whatever else the message is about */
  if (bot_msg_asks_city(msg)) return 0;
  /* an outside topic by a reading of three kana (てんき) counts; a city
   * word must be surer to keep the FAQ's choices */
  if (!any(h, in->outside, in->noutside, 3) || any(h, in->city, in->ncity, 4)) return 0;
  *reply = in->outside_reply;
  return 1;
}
