/*
 * fts5_mecab.c — the FTS5 tokenizer "mecab": faq_analyze behind FTS5's v1
 * tokenizer interface (SQLite 3.40: fts5_api.xCreateTokenizer).
 *
 * The FTS5 index of the FAQ is built and queried through this tokenizer, so
 * the persisted index, the console's search and the engine (which reads the
 * index's terms back through fts5vocab) all share one analysis. Each
 * tokenizer instance owns its own mg_analyzer because a MeCab lattice is not
 * thread-safe; an instance belongs to one table on one connection, and a
 * connection is used by one thread at a time. The registered context is the
 * shared mg_lang, which must outlive the connection.
 */
#include "faq/analyze.h"
#include "util/mg_err.h"

#include <stdlib.h>

struct fts_tok {
  mg_analyzer *an;
};

struct fts_ctx {
  void *pCtx;
  int (*xToken)(void *, int, const char *, int, int, int);
};

static int fts_create(void *pCtx, const char **azArg, int nArg, Fts5Tokenizer **ppOut) {
  char err[MG_ERRLEN];
  struct fts_tok *t = calloc(1, sizeof *t);
  if (!t) return SQLITE_NOMEM;
  if (faq_analyzer_new(&t->an, pCtx, err) != 0) {
    free(t);
    return SQLITE_ERROR;
  }
  *ppOut = (Fts5Tokenizer *)t;
  return SQLITE_OK;
}

static void fts_delete(Fts5Tokenizer *p) {
  struct fts_tok *t = (struct fts_tok *)p;
  if (!t) return;
  faq_analyzer_free(t->an);
  free(t);
}

static int fts_token(void *ctx, const char *term, int len, int start, int end, int flags) {
  struct fts_ctx *c = ctx;
  return c->xToken(c->pCtx, (flags & MG_TOK_SYNONYM) ? FTS5_TOKEN_COLOCATED : 0, term, len, start, end);
}

static int fts_tokenize(Fts5Tokenizer *p, void *pCtx, int flags, const char *pText, int nText,
                        int (*xToken)(void *, int, const char *, int, int, int)) {
  struct fts_tok *t = (struct fts_tok *)p;
  struct fts_ctx c = { pCtx, xToken };
  int rc = faq_analyze(t->an, pText, nText, fts_token, &c);
  if (rc == MG_ENOMEM) return SQLITE_NOMEM;
  if (rc < 0) return SQLITE_ERROR;
  return rc; /* 0, or the SQLite code xToken returned */
}

int faq_fts5_register(sqlite3 *db, mg_lang *lang, char *err) {
  static fts5_tokenizer tok = { fts_create, fts_delete, fts_tokenize };
  fts5_api *api = NULL;
  sqlite3_stmt *st = NULL;
  int rc = 0;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "FTS5 is not available: %s", sqlite3_errmsg(db));
    goto out;
  }
  sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
  sqlite3_step(st);
  if (!api || api->iVersion < 2) {
    rc = mg_errf(err, MG_EDB, "FTS5 API not available");
    goto out;
  }
  if (api->xCreateTokenizer(api, "mecab", lang, &tok, NULL) != SQLITE_OK) {
    rc = mg_errf(err, MG_EDB, "cannot register the mecab tokenizer: %s", sqlite3_errmsg(db));
    goto out;
  }
out:
  sqlite3_finalize(st);
  return rc;
}
