/*
 * termmap.h — a small string → integer map (open addressing, FNV-1a).
 *
 * The analysis word lists (stopwords, variants, synonyms) and the engine's
 * vocabulary are all "is this exact byte string known, and what is its id"
 * lookups on short keys, done many times per question. One arena-backed
 * table serves them all: keys are copied into the map, ids are dense
 * (0, 1, 2, … in insertion order), and nothing is ever removed, so a built
 * map is read-only and may be shared between threads.
 */
#ifndef MG_TERMMAP_H
#define MG_TERMMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct mg_termmap mg_termmap;

/* New empty map; NULL on allocation failure. Free with faq_termmap_free. */
mg_termmap *faq_termmap_new(void);
void faq_termmap_free(mg_termmap *m);
/* Id of key, or -1 when absent. */
int faq_termmap_get(const mg_termmap *m, const char *key, int len);
/* Id of key, inserting it when absent (new ids are dense). -1 on ENOMEM. */
int faq_termmap_put(mg_termmap *m, const char *key, int len);
/* Number of keys. */
int faq_termmap_count(const mg_termmap *m);
/* The key of id (NUL-terminated, owned by the map), its length in *len (may be NULL). */
const char *faq_termmap_key(const mg_termmap *m, int id, int *len);

/* 64-bit FNV-1a of bytes, continuing from h (start with MG_FNV_OFFSET). */
#define MG_FNV_OFFSET 0xcbf29ce484222325ULL
uint64_t faq_fnv1a(uint64_t h, const void *data, size_t len);

#endif
