/*
 * termmap.c — open-addressing hash map from byte strings to dense ids.
 *
 * Keys live in one growing arena (offsets, not pointers, so the arena may be
 * reallocated); the slot table holds ids and is doubled at 50 % load, which
 * keeps probe chains short for the few thousand to tens of thousands of keys
 * madoguchi stores.
 */
#include "faq/termmap.h"

#include <stdlib.h>
#include <string.h>

struct mg_termmap {
  int *slots;         /* id + 1, 0 = empty */
  size_t nslots;      /* power of two */
  size_t *off;        /* key offsets into arena, by id */
  int *klen;          /* key lengths, by id */
  uint32_t *hash;     /* key hashes, by id (for rehashing) */
  int n, cap;         /* ids used / allocated */
  char *arena;        /* NUL-terminated keys */
  size_t alen, acap;
};

uint64_t faq_fnv1a(uint64_t h, const void *data, size_t len) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

static uint32_t hash_key(const char *key, int len) {
  uint64_t h = faq_fnv1a(MG_FNV_OFFSET, key, (size_t)len);
  return (uint32_t)(h ^ (h >> 32));
}

mg_termmap *faq_termmap_new(void) {
  mg_termmap *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  m->nslots = 64;
  m->slots = calloc(m->nslots, sizeof *m->slots);
  if (!m->slots) { free(m); return NULL; }
  return m;
}

void faq_termmap_free(mg_termmap *m) {
  if (!m) return;
  free(m->slots);
  free(m->off);
  free(m->klen);
  free(m->hash);
  free(m->arena);
  free(m);
}

int faq_termmap_count(const mg_termmap *m) { return m->n; }

const char *faq_termmap_key(const mg_termmap *m, int id, int *len) {
  if (id < 0 || id >= m->n) return NULL;
  if (len) *len = m->klen[id];
  return m->arena + m->off[id];
}

static int find(const mg_termmap *m, const char *key, int len, uint32_t h, size_t *slot) {
  size_t mask = m->nslots - 1, i = h & mask;
  for (;;) {
    int v = m->slots[i];
    if (v == 0) { *slot = i; return -1; }
    v--;
    if (m->hash[v] == h && m->klen[v] == len && memcmp(m->arena + m->off[v], key, (size_t)len) == 0) {
      *slot = i;
      return v;
    }
    i = (i + 1) & mask;
  }
}

int faq_termmap_get(const mg_termmap *m, const char *key, int len) {
  size_t slot;
  if (!m || len < 0) return -1;
  return find(m, key, len, hash_key(key, len), &slot);
}

static int grow_slots(mg_termmap *m) {
  size_t n = m->nslots * 2, mask = n - 1;
  int *s = calloc(n, sizeof *s);
  if (!s) return -1;
  for (int id = 0; id < m->n; id++) {
    size_t i = m->hash[id] & mask;
    while (s[i]) i = (i + 1) & mask;
    s[i] = id + 1;
  }
  free(m->slots);
  m->slots = s;
  m->nslots = n;
  return 0;
}

int faq_termmap_put(mg_termmap *m, const char *key, int len) {
  uint32_t h = hash_key(key, len);
  size_t slot;
  int id = find(m, key, len, h, &slot);
  if (id >= 0) return id;
  if (m->n == m->cap) {
    int cap = m->cap ? m->cap * 2 : 64;
    size_t *off = realloc(m->off, (size_t)cap * sizeof *off);
    if (!off) return -1;
    m->off = off;
    int *kl = realloc(m->klen, (size_t)cap * sizeof *kl);
    if (!kl) return -1;
    m->klen = kl;
    uint32_t *hs = realloc(m->hash, (size_t)cap * sizeof *hs);
    if (!hs) return -1;
    m->hash = hs;
    m->cap = cap;
  }
  if (m->alen + (size_t)len + 1 > m->acap) {
    size_t cap = m->acap ? m->acap * 2 : 4096;
    while (cap < m->alen + (size_t)len + 1) cap *= 2;
    char *a = realloc(m->arena, cap);
    if (!a) return -1;
    m->arena = a;
    m->acap = cap;
  }
  id = m->n++;
  m->off[id] = m->alen;
  m->klen[id] = len;
  m->hash[id] = h;
  memcpy(m->arena + m->alen, key, (size_t)len);
  m->arena[m->alen + (size_t)len] = '\0';
  m->alen += (size_t)len + 1;
  m->slots[slot] = id + 1;
  if ((size_t)m->n * 2 > m->nslots && grow_slots(m) != 0) return -1;
  return id;
}
