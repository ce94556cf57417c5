/*
 * published.c — the published FAQ in memory (published.h explains why).
 *
 * A copy is one SELECT of every published revision (one read transaction:
 * consistent), kept sorted by id for a binary search. The holder keeps the
 * newest copy; each user counts as a reference, so a copy replaced while a
 * worker still reads it is freed by the last one to let go.
 */
#include "bot/published.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/mg_err.h"

struct bot_pub {
  unsigned long gen;
  int refs;           /* under the holder's mutex; the holder's own counts one */
  mg_faq_entry **e;   /* by id, as the listing returns them */
  int n, cap;
};

struct bot_pubs {
  pthread_mutex_t mu;
  bot_pub *cur;
};

void bot_pub_free(bot_pub *p) {
  if (!p) return;
  for (int i = 0; i < p->n; i++) faq_entry_free(p->e[i]);
  free(p->e);
  free(p);
}

static int keep(void *ctx, mg_faq_entry *e) {
  bot_pub *p = ctx;
  if (p->n == p->cap) {
    int cap = p->cap ? 2 * p->cap : 256;
    mg_faq_entry **v = realloc(p->e, (size_t)cap * sizeof *v);
    if (!v) {
      faq_entry_free(e);
      return MG_ENOMEM;
    }
    p->e = v;
    p->cap = cap;
  }
  p->e[p->n++] = e;
  return 0;
}

int bot_pub_load(sqlite3 *db, unsigned long gen, bot_pub **out, char *err) {
  mg_faq_filter f = { .published_text = 1 };
  bot_pub *p = calloc(1, sizeof *p);
  int rc;
  *out = NULL;
  if (!p) return mg_errf(err, MG_ENOMEM, "out of memory");
  p->gen = gen;
  if ((rc = faq_list_take(db, &f, keep, p, err)) != 0) {
    if (rc == MG_ENOMEM) mg_errf(err, MG_ENOMEM, "out of memory");
    bot_pub_free(p);
    return rc;
  }
  /* the listing is by id already (ORDER BY ext_id); make sure, the search depends on it */
  for (int i = 1; i < p->n; i++)
    if (strcmp(p->e[i - 1]->id, p->e[i]->id) >= 0) {
      bot_pub_free(p);
      return mg_errf(err, MG_EDB, "published FAQ: entries not in id order at %d", i);
    }
  *out = p;
  return 0;
}

int bot_pubs_new(bot_pubs **out, char *err) {
  bot_pubs *ps = calloc(1, sizeof *ps);
  *out = NULL;
  if (!ps) return mg_errf(err, MG_ENOMEM, "out of memory");
  pthread_mutex_init(&ps->mu, NULL);
  *out = ps;
  return 0;
}

void bot_pubs_free(bot_pubs *ps) {
  if (!ps) return;
  bot_pub_free(ps->cur); /* every worker has let go by now */
  pthread_mutex_destroy(&ps->mu);
  free(ps);
}

/* Take a reference to the held copy when it is of gen or newer. */
static const bot_pub *take_held(bot_pubs *ps, unsigned long gen) {
  bot_pub *p = NULL;
  pthread_mutex_lock(&ps->mu);
  if (ps->cur && ps->cur->gen >= gen) {
    p = ps->cur;
    p->refs++;
  }
  pthread_mutex_unlock(&ps->mu);
  return p;
}

int bot_pubs_get(bot_pubs *ps, sqlite3 *db, unsigned long gen, const bot_pub **out, char *err) {
  bot_pub *p, *old = NULL;
  int rc;
  if ((*out = take_held(ps, gen))) return 0;
  /* read outside the lock: two workers may both read a new generation,
   * the first to finish is kept */
  if ((rc = bot_pub_load(db, gen, &p, err)) != 0) return rc;
  pthread_mutex_lock(&ps->mu);
  if (ps->cur && ps->cur->gen >= gen) {
    bot_pub_free(p);
    p = ps->cur;
  } else {
    if (ps->cur && --ps->cur->refs == 0) old = ps->cur;
    ps->cur = p;
    p->refs = 1; /* the holder's */
  }
  p->refs++;
  pthread_mutex_unlock(&ps->mu);
  bot_pub_free(old);
  *out = p;
  return 0;
}

void bot_pub_release(bot_pubs *ps, const bot_pub *cp) {
  bot_pub *p = (bot_pub *)cp;
  int last;
  if (!p) return;
  pthread_mutex_lock(&ps->mu);
  last = --p->refs == 0;
  pthread_mutex_unlock(&ps->mu);
  if (last) bot_pub_free(p);
}

unsigned long bot_pub_generation(const bot_pub *p) { return p->gen; }

const mg_faq_entry *bot_pub_entry(const bot_pub *p, const char *id) {
  int lo = 0, hi = p->n - 1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2, c = strcmp(p->e[mid]->id, id);
    if (c == 0) return p->e[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return NULL;
}

int bot_pub_count(const bot_pub *p) { return p->n; }
const mg_faq_entry *bot_pub_at(const bot_pub *p, int i) { return p->e[i]; }
