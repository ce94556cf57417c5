/*
 * learn.c — candidate phrasings and their evidence (see learn.h).
 *
 * A candidate is keyed by (entry, normalised text): NFKC with case folding
 * and without spaces or final punctuation, so 「住民票ほしい！」 and
 * 「住民票 ほしい」 are one candidate. Evidence is keyed by (candidate,
 * session), so one resident repeating a question counts once; the address
 * hash is kept beside it so that many sessions from one address still count
 * as one address. Accepting writes through the store (faq_put_ex) like
 * any console edit: the entry's history shows who added which phrasing.
 */
#include "faq/learn.h"
#include "faq/analyze.h"
#include "faq/db.h"
#include "util/mg_err.h"
#include "util/mg_utf8.h"
#include "faq/store.h"

#include <stdlib.h>
#include <string.h>

enum {
  S_CAND_UPSERT, S_CAND_ID, S_EVIDENCE, S_LIST, S_COUNT, S_GET, S_DECIDE, S_N
};

#define NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
/* the filter S_LIST and S_COUNT share: ?1 department or NULL, ?2 sessions, ?3 addresses */
#define LIST_FROM                                                                                       \
  " FROM phrasing_candidate c JOIN faq f ON f.id = c.faq_id JOIN faq_revision r ON r.id = f.published_rev" \
  " JOIN (SELECT candidate_id, count(*) AS sessions, count(DISTINCT addr_ref) AS addresses,"           \
  "        min(at) AS first_at, max(at) AS last_at FROM phrasing_evidence GROUP BY candidate_id) e"     \
  "   ON e.candidate_id = c.id"                                                                          \
  " WHERE c.state = 'new' AND (?1 IS NULL OR r.department_id = ?1) AND e.sessions >= ?2 AND e.addresses >= ?3"

static const char *const sql[S_N] = {
  [S_CAND_UPSERT] = "INSERT INTO phrasing_candidate(faq_id, norm, text, state, created_at)"
                    " SELECT id, ?2, ?3, 'new', " NOW " FROM faq WHERE ext_id = ?1 AND published_rev IS NOT NULL"
                    " ON CONFLICT(faq_id, norm) DO NOTHING",
  [S_CAND_ID] = "SELECT c.id FROM phrasing_candidate c JOIN faq f ON f.id = c.faq_id WHERE f.ext_id = ?1 AND c.norm = ?2",
  [S_EVIDENCE] = "INSERT INTO phrasing_evidence(candidate_id, session_ref, addr_ref, kind, at)"
                 " VALUES (?1, ?2, ?3, ?4, " NOW ") ON CONFLICT DO NOTHING",
  [S_LIST] = "SELECT c.id, f.ext_id, r.question, r.department_id, c.text, c.state, e.sessions, e.addresses,"
             " e.first_at, e.last_at" LIST_FROM " ORDER BY e.sessions DESC, c.id LIMIT ?5 OFFSET ?4",
  [S_COUNT] = "SELECT count(*)" LIST_FROM,
  [S_GET] = "SELECT f.ext_id, coalesce(r.department_id, ''), c.text, c.state FROM phrasing_candidate c"
            " JOIN faq f ON f.id = c.faq_id LEFT JOIN faq_revision r ON r.id = f.published_rev WHERE c.id = ?1",
  [S_DECIDE] = "UPDATE phrasing_candidate SET state = ?2, decided_at = " NOW ", decided_by = ?3"
               " WHERE id = ?1 AND state = 'new'",
};

static int prep(sqlite3 *db, int q, sqlite3_stmt **st, char *err) { return faq_db_stmt(db, sql[q], st, err); }

static int db_fail(sqlite3 *db, const char *what, char *err) {
  return mg_errf(err, MG_EDB, "learn: %s: %s", what, sqlite3_errmsg(db));
}

/* The dedup key: normalised, without spaces and trailing punctuation. */
char *faq_learn_key(const char *text) {
  int n = 0;
  char *s = faq_normalize(text, (int)strlen(text), &n), *w = s;
  if (!s) return NULL;
  for (int i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n') *w++ = s[i];
  while (w > s && (w[-1] == '?' || w[-1] == '!' || w[-1] == '.')) w--;
  /* 。 and 、 survive NFKC: drop a final 。 too */
  while (w - s >= 3 && memcmp(w - 3, "\xE3\x80\x82", 3) == 0) w -= 3;
  *w = '\0';
  return s;
}

/* Is key already the entry's question or one of its alternates? */
static int known_phrasing(const mg_faq_entry *e, const char *key) {
  int same = 0;
  char *k = faq_learn_key(e->question);
  same = k && strcmp(k, key) == 0;
  free(k);
  for (int i = 0; !same && i < e->n_alternates; i++) {
    k = faq_learn_key(e->alternates[i]);
    same = k && strcmp(k, key) == 0;
    free(k);
  }
  return same;
}

int faq_learn_note(sqlite3 *db, const char *faq_id, const char *text, const char *session_ref, const char *addr_ref,
                   const char *kind, sqlite3_int64 *cand_id, int *noted, char *err) {
  mg_faq_entry *e = NULL;
  sqlite3_stmt *st = NULL;
  sqlite3_int64 id = 0;
  char *key = NULL;
  long chars = text ? mg_utf8_count(text, strlen(text)) : -1;
  int rc;

  *noted = 0;
  if (cand_id) *cand_id = 0;
  if (chars <= 0 || chars > FAQ_LEARN_MAX_TEXT) return 0;
  if ((rc = faq_get(db, faq_id, MG_FAQ_PUBLISHED, &e, err))) return rc;
  if (!(key = faq_learn_key(text))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  if (!*key || known_phrasing(e, key)) goto out;
  if ((rc = prep(db, S_CAND_UPSERT, &st, err))) goto out;
  sqlite3_bind_text(st, 1, faq_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
  rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(db, "candidate", err);
  faq_db_stmt_done(st);
  if (rc || (rc = prep(db, S_CAND_ID, &st, err))) goto out;
  sqlite3_bind_text(st, 1, faq_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
  faq_db_stmt_done(st);
  if (!id) { rc = db_fail(db, "candidate id", err); goto out; }
  if ((rc = prep(db, S_EVIDENCE, &st, err))) goto out;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, session_ref, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, addr_ref ? addr_ref : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
  rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(db, "evidence", err);
  faq_db_stmt_done(st);
  if (rc == 0) {
    *noted = 1;
    if (cand_id) *cand_id = id;
  }
out:
  free(key);
  faq_entry_free(e);
  return rc;
}

static void bind_filter(sqlite3_stmt *st, const char *dept, int min_sessions, int min_addresses) {
  if (dept && *dept) sqlite3_bind_text(st, 1, dept, -1, SQLITE_STATIC);
  else sqlite3_bind_null(st, 1);
  sqlite3_bind_int(st, 2, min_sessions);
  sqlite3_bind_int(st, 3, min_addresses);
}

int faq_learn_list(sqlite3 *db, const char *dept, int min_sessions, int min_addresses, int offset, int limit,
                   int (*fn)(void *ctx, const faq_learn_candidate *c), void *ctx, int *total, char *err) {
  sqlite3_stmt *st = NULL;
  int rc;
  if ((rc = prep(db, S_COUNT, &st, err))) return rc;
  bind_filter(st, dept, min_sessions, min_addresses);
  *total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
  faq_db_stmt_done(st);
  if ((rc = prep(db, S_LIST, &st, err))) return rc;
  bind_filter(st, dept, min_sessions, min_addresses);
  sqlite3_bind_int(st, 4, offset < 0 ? 0 : offset);
  sqlite3_bind_int(st, 5, limit <= 0 ? 50 : limit);
  while (rc == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    faq_learn_candidate c = {
      .id = sqlite3_column_int64(st, 0),
      .faq_id = (const char *)sqlite3_column_text(st, 1),
      .question = (const char *)sqlite3_column_text(st, 2),
      .department_id = (const char *)sqlite3_column_text(st, 3),
      .text = (const char *)sqlite3_column_text(st, 4),
      .state = (const char *)sqlite3_column_text(st, 5),
      .sessions = sqlite3_column_int(st, 6),
      .addresses = sqlite3_column_int(st, 7),
      .first_at = (const char *)sqlite3_column_text(st, 8),
      .last_at = (const char *)sqlite3_column_text(st, 9),
    };
    rc = fn(ctx, &c);
  }
  rc = rc == SQLITE_DONE ? 0 : rc > 0 ? db_fail(db, "list", err) : rc;
  faq_db_stmt_done(st);
  return rc;
}

static char *dup_col(sqlite3_stmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st, i);
  return strdup(t ? (const char *)t : "");
}

/* faq_id, department, text and state of candidate id. */
static int get(sqlite3 *db, sqlite3_int64 id, char **faq_id, char **dept, char **text, char **state, char *err) {
  sqlite3_stmt *st = NULL;
  int rc = prep(db, S_GET, &st, err);
  *faq_id = *dept = *text = *state = NULL;
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, id);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *faq_id = dup_col(st, 0), *dept = dup_col(st, 1), *text = dup_col(st, 2), *state = dup_col(st, 3);
    rc = *faq_id && *dept && *text && *state ? 0 : mg_errf(err, MG_ENOMEM, "out of memory");
  } else rc = rc == SQLITE_DONE ? mg_errf(err, MG_ENOTFOUND, "no candidate %lld", (long long)id) : db_fail(db, "get", err);
  faq_db_stmt_done(st);
  return rc;
}

int faq_learn_get(sqlite3 *db, sqlite3_int64 id, char **faq_id, char **dept, char **text, char *err) {
  char *state = NULL;
  int rc = get(db, id, faq_id, dept, text, &state, err);
  free(state);
  return rc;
}

static int decide(sqlite3 *db, sqlite3_int64 id, const char *state, const char *by, char *err) {
  sqlite3_stmt *st = NULL;
  int rc = prep(db, S_DECIDE, &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, by ? by : "unknown", -1, SQLITE_STATIC);
  rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(db, "decide", err);
  if (rc == 0 && sqlite3_changes(db) == 0) rc = mg_errf(err, MG_ECONFLICT, "candidate %lld was already decided", (long long)id);
  faq_db_stmt_done(st);
  return rc;
}

struct accept { sqlite3_int64 id; const char *by; };

static int accept_tx(sqlite3 *db, void *ctx, char *err) {
  struct accept *a = ctx;
  char *faq_id = NULL, *dept = NULL, *text = NULL, *state = NULL, **alts = NULL;
  mg_faq_entry *e = NULL;
  int rc;
  if ((rc = get(db, a->id, &faq_id, &dept, &text, &state, err))) goto out;
  if (strcmp(state, "new") != 0) { rc = mg_errf(err, MG_ECONFLICT, "candidate %lld was already %s", (long long)a->id, state); goto out; }
  if ((rc = faq_get(db, faq_id, MG_FAQ_PUBLISHED, &e, err))) goto out;
  if (!(alts = realloc(e->alternates, sizeof *alts * (size_t)(e->n_alternates + 1)))) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
  e->alternates = alts;
  e->alternates[e->n_alternates++] = text;
  text = NULL;
  free(e->updated_at); /* the new revision is dated now */
  e->updated_at = NULL;
  if ((rc = faq_put(db, e, a->by, 1, err))) goto out;
  rc = decide(db, a->id, "accepted", a->by, err);
out:
  free(faq_id);
  free(dept);
  free(text);
  free(state);
  faq_entry_free(e);
  return rc;
}

int faq_learn_accept(sqlite3 *db, sqlite3_int64 id, const char *by, char *err) {
  struct accept a = { id, by };
  return faq_db_tx(db, accept_tx, &a, err);
}

int faq_learn_reject(sqlite3 *db, sqlite3_int64 id, const char *by, char *err) { return decide(db, id, "rejected", by, err); }
