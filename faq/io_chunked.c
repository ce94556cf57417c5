/*
 * io_chunked.c — writing a large import in short transactions, all or
 * nothing all the same.
 *
 * One transaction for a whole import holds SQLite's write lock while MeCab
 * indexes every published entry: 20,000 rows held it for seconds, and every
 * resident's transcript line and ticket waited behind it. Here an import
 * writes CHUNK rows per transaction and lets other writers in between, and
 * an undo journal keeps it all or nothing:
 *
 *   1. check the whole set first, without writing (the errors a row can
 *      have are known before the first write: ids, empty fields, unknown
 *      departments);
 *   2. a first transaction registers the import (faq_import, state
 *      'writing') and applies the departments, journaling each one's old
 *      row (faq_import_undo);
 *   3. each chunk journals, for every entry it changes, what undoes it —
 *      the published revision and the newest revision before the import,
 *      or that the entry is new — and bumps rows_done and the heartbeat;
 *   4. a last transaction writes the municipality's meta data, marks the
 *      import 'done' and drops its journal.
 *
 * A failure between (disk full, a constraint) undoes every chunk written so
 * far from the journal, newest first, before the error is returned. A
 * process that dies mid-import leaves state 'writing' with a heartbeat that
 * stops moving: faq_io_recover undoes it (the server runs it at start-up and
 * before each import; the CLI before each import). While an import runs a
 * resident may meet entries already updated — each one whole, never half a
 * revision — and the engine does not rebuild its index until the import is
 * done or undone (faq_io_importing).
 */
#include "faq/io_int.h"
#include "faq/db.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_ROWS 200   /* rows per transaction: ≈ 10–40 ms of indexing */
#define STALE_SECS 60    /* a 'writing' import whose heartbeat is older is dead */

enum {
  S_RUNNING, S_STALE, S_START, S_PROGRESS, S_DONE, S_STATE,
  S_BEFORE, S_UNDO_FAQ, S_UNDO_DEPT, S_UNDO_LIST, S_UNDO_DEL, S_UNDO_CLEAR,
  S_RESTORE_PUB, S_DROP_NEWER, S_UNPUBLISH, S_DROP_REVS, S_DROP_FAQ, S_DROP_DEPT,
  S_N
};

#define NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

static const char *const sql[S_N] = {
  [S_RUNNING] = "SELECT id FROM faq_import WHERE state = 'writing' LIMIT 1",
  [S_STALE] = "SELECT id FROM faq_import WHERE state = 'writing'"
              " AND heartbeat_at <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || ?1 || ' seconds')",
  [S_START] = "INSERT INTO faq_import(by, file, state, rows_total, started_at, heartbeat_at)"
              " VALUES (?1, ?2, 'writing', ?3, " NOW ", " NOW ")",
  [S_PROGRESS] = "UPDATE faq_import SET rows_done = ?2, heartbeat_at = " NOW " WHERE id = ?1",
  [S_DONE] = "UPDATE faq_import SET state = 'done', rows_done = rows_total, finished_at = " NOW " WHERE id = ?1",
  [S_STATE] = "UPDATE faq_import SET state = ?2, finished_at = " NOW " WHERE id = ?1",
  [S_BEFORE] = "SELECT f.id, f.published_rev, (SELECT coalesce(max(r.id), 0) FROM faq_revision r WHERE r.faq_id = f.id)"
               " FROM faq f WHERE f.ext_id = ?1",
  [S_UNDO_FAQ] = "INSERT INTO faq_import_undo(import_id, kind, key, existed, prev_pub, prev_max_rev)"
                 " VALUES (?1, 'faq', ?2, ?3, ?4, ?5)",
  [S_UNDO_DEPT] = "INSERT INTO faq_import_undo(import_id, kind, key, existed, prev_dept)"
                  " VALUES (?1, 'department', ?2, ?3, ?4)",
  /* newest first: entries before the departments they may name */
  [S_UNDO_LIST] = "SELECT id, kind, key, existed, prev_pub, prev_max_rev, prev_dept FROM faq_import_undo"
                  " WHERE import_id = ?1 ORDER BY kind = 'department', id DESC LIMIT ?2",
  [S_UNDO_DEL] = "DELETE FROM faq_import_undo WHERE id = ?1",
  [S_UNDO_CLEAR] = "DELETE FROM faq_import_undo WHERE import_id = ?1",
  [S_RESTORE_PUB] = "UPDATE faq SET published_rev = ?2 WHERE ext_id = ?1 AND published_rev IS NOT ?2",
  [S_DROP_NEWER] = "DELETE FROM faq_revision WHERE faq_id = (SELECT id FROM faq WHERE ext_id = ?1) AND id > ?2",
  [S_UNPUBLISH] = "UPDATE faq SET published_rev = NULL WHERE ext_id = ?1 AND published_rev IS NOT NULL",
  [S_DROP_REVS] = "DELETE FROM faq_revision WHERE faq_id = (SELECT id FROM faq WHERE ext_id = ?1)",
  [S_DROP_FAQ] = "DELETE FROM faq WHERE ext_id = ?1",
  /* a department the import made, unless a revision names it (drop_department) */
  [S_DROP_DEPT] = "DELETE FROM department WHERE id = ?1"
                  " AND NOT EXISTS (SELECT 1 FROM faq_revision WHERE department_id = ?1)",
};

static int prep(sqlite3 *db, int q, sqlite3_stmt **st, char *err) { return faq_db_stmt(db, sql[q], st, err); }

static int fail(sqlite3 *db, const char *what, char *err) {
  int code = sqlite3_extended_errcode(db);
  return mg_errf(err, (code & 0xff) == SQLITE_FULL ? MG_EFULL : MG_EDB, "import: %s: %s", what, sqlite3_errmsg(db));
}

/* Run statement q with integer/text binds given by fmt ('i' int64, 's' text,
 * 'n' NULL) to completion. */
static int run(sqlite3 *db, int q, char *err, const char *fmt, ...) {
  sqlite3_stmt *st = NULL;
  va_list ap;
  int rc = prep(db, q, &st, err);
  if (rc) return rc;
  va_start(ap, fmt);
  for (int i = 0; fmt[i]; i++) {
    if (fmt[i] == 'i') sqlite3_bind_int64(st, i + 1, va_arg(ap, sqlite3_int64));
    else if (fmt[i] == 's') sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, i + 1);
  }
  va_end(ap);
  rc = sqlite3_step(st);
  rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : fail(db, sql[q], err);
  faq_db_stmt_done(st);
  return rc;
}

/* Each transaction of an import holds the process's write lock, and gives
 * the threads that queued meanwhile (residents' transcripts, tickets) their
 * turn before the next one begins. */
static int begin(sqlite3 *db, char *err) {
  faq_db_write_lock();
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK) return 0;
  faq_db_write_unlock();
  return fail(db, "begin", err);
}

static int end(sqlite3 *db, int rc, char *err) {
  if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) rc = fail(db, "commit", err);
  if (rc != 0 && !sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  faq_db_write_unlock();
  faq_db_write_yield();
  return rc;
}

/* ---- checking before writing ------------------------------------------------ */

static int check(sqlite3 *db, const mg_io_set *s, const char *file, mg_io_report *rep, char *err);

/* A row's problem, worded as the store words it, placed as io.c places it:
 * at the row's line (CSV, JSON with lines) or naming the entry. */
static void row_error(mg_io_report *rep, const char *file, const mg_io_row *r, const char *msg) {
  if (r->line > 0) faq_io_report_error(rep, file, r->line, "%s", msg);
  else faq_io_report_error(rep, file, 0, "ID「%s」: %s", r->e.id, msg);
}

/* Does department d of the file differ from the database (or is it new)? */
static int dept_changes(sqlite3 *db, const mg_department *d, int *changes, char *err) {
  mg_department old;
  int rc = faq_department_get(db, d->id, &old, err);
  *changes = 1;
  if (rc == MG_ENOTFOUND) return 0;
  if (rc) return rc;
#define DIFF(f) (d->f && *d->f && strcmp(d->f, old.f ? old.f : "") != 0)
  *changes = DIFF(name) || DIFF(phone) || DIFF(email) || DIFF(hours) || DIFF(location);
#undef DIFF
  faq_department_clear(&old);
  return 0;
}

/* A staff member's import touches their own department only (o->department). */
static int check_department(sqlite3 *db, const mg_io_set *s, const char *mine, const char *file, mg_io_report *rep,
                            char *err) {
  for (int i = 0; i < s->n_depts; i++) {
    int changes, rc;
    if (strcmp(s->depts[i].id, mine) == 0) continue;
    if ((rc = dept_changes(db, &s->depts[i], &changes, err))) return rc;
    if (changes)
      faq_io_report_error(rep, file, s->dept_lines[i], "部署「%s」の情報は、その部署の職員か管理職だけが変更できます",
                         s->depts[i].id);
  }
  for (int i = 0; i < s->n_rows; i++) {
    const mg_io_row *r = &s->rows[i];
    const char *d = r->e.department_id ? r->e.department_id : "";
    mg_faq_entry *old = NULL;
    char msg[MG_ERRLEN] = "";
    int rc = faq_get(db, r->e.id, MG_FAQ_LATEST, &old, err);
    if (rc && rc != MG_ENOTFOUND) return rc;
    if (old && strcmp(old->department_id ? old->department_id : "", mine) != 0)
      snprintf(msg, sizeof msg, "%s は部署「%s」のFAQです。あなたは変更できません", r->e.id,
               old->department_id && *old->department_id ? old->department_id : "(none)");
    else if (strcmp(d, mine) != 0)
      snprintf(msg, sizeof msg, "%s: 部署「%s」はあなたの部署（%s）ではありません", r->e.id, *d ? d : "(none)", mine);
    faq_entry_free(old);
    if (msg[0]) row_error(rep, file, r, msg);
  }
  return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Related ids: each must be an id, not the row's own, and name a row of the
 * file (any row: rows may name each other, in any order) or an entry in the
 * database. One error per row lists every bad id of it. */
static int check_related(sqlite3 *db, const mg_io_set *s, const char *file, mg_io_report *rep, char *err) {
  const mg_io_set *all = s->ids ? s->ids : s;
  const char **ids = malloc(((size_t)all->n_rows + 1) * sizeof *ids);
  int n = 0, rc = 0;
  if (!ids) return mg_errf(err, MG_ENOMEM, "out of memory");
  for (int i = 0; i < all->n_rows; i++)
    if (all->rows[i].e.id) ids[n++] = all->rows[i].e.id;
  qsort(ids, (size_t)n, sizeof *ids, cmp_str);
  for (int i = 0; rc == 0 && i < s->n_rows; i++) {
    const mg_io_row *r = &s->rows[i];
    char msg[MG_ERRLEN] = "", unknown[MG_ERRLEN] = "";
    size_t ulen = 0;
    for (int k = 0; k < r->e.n_related && !msg[0]; k++) {
      const char *id = r->e.related[k];
      if (!faq_valid_id(id))
        snprintf(msg, sizeof msg, "「関連FAQ」の「%s」はIDとして使えません（半角英数字と - _ . で1〜64文字）", id);
      else if (r->e.id && strcmp(id, r->e.id) == 0)
        snprintf(msg, sizeof msg, "「関連FAQ」に自分自身のID「%s」は入れられません", id);
      else if (!bsearch(&id, ids, (size_t)n, sizeof *ids, cmp_str)) {
        mg_faq_entry *e = NULL;
        int got = faq_get(db, id, MG_FAQ_LATEST, &e, err);
        faq_entry_free(e);
        if (got == MG_ENOTFOUND) {
          int w = snprintf(unknown + ulen, sizeof unknown - ulen, "%s「%s」", ulen ? "、" : "", id);
          if (w > 0 && (size_t)w < sizeof unknown - ulen) ulen += (size_t)w;
        } else if (got) rc = got;
      }
    }
    if (!msg[0] && ulen)
      snprintf(msg, sizeof msg, "「関連FAQ」の%sは、このファイルにもデータベースにもないIDです", unknown);
    if (msg[0]) row_error(rep, file, r, msg);
  }
  free(ids);
  return rc;
}

int faq_io_check(sqlite3 *db, const mg_io_set *s, const mg_io_opts *o, const char *file, mg_io_report *rep, char *err) {
  int rc = check(db, s, file, rep, err);
  if (rc == 0) rc = check_related(db, s, file, rep, err);
  if (rc == 0 && o && o->department) rc = check_department(db, s, o->department, file, rep, err);
  return rc;
}

static int check(sqlite3 *db, const mg_io_set *s, const char *file, mg_io_report *rep, char *err) {
  for (int i = 0; i < s->n_rows; i++) {
    const mg_io_row *r = &s->rows[i];
    const mg_faq_entry *e = &r->e;
    const char *d = e->department_id;
    char msg[MG_ERRLEN];
    int line;
    msg[0] = '\0';
    if (!faq_valid_id(e->id))
      snprintf(msg, sizeof msg, "IDの「%s」は使えません（半角英数字と - _ . で1〜64文字）", e->id ? e->id : "");
    else if (!e->question || !*e->question) snprintf(msg, sizeof msg, "%s: 質問が空です", e->id);
    else if (!e->answer || !*e->answer) snprintf(msg, sizeof msg, "%s: 回答が空です", e->id);
    else if (d && *d && !faq_io_set_find_dept((mg_io_set *)s, d, &line)) {
      mg_department old;
      int rc = faq_department_get(db, d, &old, err);
      if (rc == MG_ENOTFOUND) snprintf(msg, sizeof msg, "部署ID「%s」は登録されていません", d);
      else if (rc) return rc;
      else faq_department_clear(&old);
    }
    if (msg[0]) row_error(rep, file, r, msg);
  }
  return 0;
}

/* ---- undo ------------------------------------------------------------------ */

/* Drop department key, which the import made, unless something names it by
 * now. faq's revisions are asked by name; the other modules' rows that may
 * name a department (tickets, staff accounts, canned replies, bot/) are
 * not faq's to know: their foreign keys (faq_db_open turns them on) refuse
 * the delete, SQLite undoes that one statement, and the department stays. */
static int drop_department(sqlite3 *db, const char *key, char *err) {
  int rc = run(db, S_DROP_DEPT, err, "s", key);
  if (rc && sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_FOREIGNKEY) {
    err[0] = '\0';
    rc = 0;
  }
  return rc;
}

static int undo_one(sqlite3 *db, sqlite3_stmt *row, char *err) {
  const char *kind = (const char *)sqlite3_column_text(row, 1), *key = (const char *)sqlite3_column_text(row, 2);
  int existed = sqlite3_column_int(row, 3), rc = 0;
  if (strcmp(kind, "faq") == 0) {
    if (existed) {
      if (sqlite3_column_type(row, 4) == SQLITE_NULL) rc = run(db, S_UNPUBLISH, err, "s", key);
      else rc = run(db, S_RESTORE_PUB, err, "si", key, sqlite3_column_int64(row, 4));
      if (!rc) rc = run(db, S_DROP_NEWER, err, "si", key, sqlite3_column_int64(row, 5));
    } else {
      if (!(rc = run(db, S_UNPUBLISH, err, "s", key)) && !(rc = run(db, S_DROP_REVS, err, "s", key)))
        rc = run(db, S_DROP_FAQ, err, "s", key);
    }
  } else if (!existed) {
    rc = drop_department(db, key, err);
  } else {
    json_t *j = json_loads((const char *)sqlite3_column_text(row, 6), 0, NULL);
    mg_department d = {
      .id = (char *)key,
      .name = (char *)json_string_value(json_object_get(j, "name")),
      .phone = (char *)json_string_value(json_object_get(j, "phone")),
      .email = (char *)json_string_value(json_object_get(j, "email")),
      .hours = (char *)json_string_value(json_object_get(j, "hours")),
      .location = (char *)json_string_value(json_object_get(j, "location")),
    };
    rc = j && d.name ? faq_department_put(db, &d, err) : mg_errf(err, MG_EDB, "import undo: bad journal row for %s", key);
    json_decref(j);
  }
  return rc ? rc : run(db, S_UNDO_DEL, err, "i", sqlite3_column_int64(row, 0));
}

/* Undo import id from its journal, CHUNK_ROWS rows per transaction. */
static int undo(sqlite3 *db, sqlite3_int64 id, char *err) {
  for (;;) {
    sqlite3_stmt *st = NULL;
    int rc, n = 0;
    if ((rc = begin(db, err))) return rc;
    if (!(rc = prep(db, S_UNDO_LIST, &st, err))) {
      sqlite3_bind_int64(st, 1, id);
      sqlite3_bind_int(st, 2, CHUNK_ROWS);
      while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        rc = undo_one(db, st, err);
        n++;
      }
      faq_db_stmt_done(st);
    }
    if (rc == 0 && n == 0) rc = run(db, S_STATE, err, "is", id, "rolled_back");
    if ((rc = end(db, rc, err)) || n == 0) return rc;
  }
}

int faq_io_recover(sqlite3 *db, int stale_secs, int *undone, char *err) {
  if (undone) *undone = 0;
  for (;;) {
    sqlite3_stmt *st = NULL;
    sqlite3_int64 id = 0;
    int rc = prep(db, S_STALE, &st, err);
    if (rc) return rc;
    sqlite3_bind_int(st, 1, stale_secs < 0 ? STALE_SECS : stale_secs);
    if (sqlite3_step(st) == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
    faq_db_stmt_done(st);
    if (!id) return 0;
    if ((rc = undo(db, id, err))) return rc;
    if (undone) (*undone)++;
  }
}

int faq_io_importing(sqlite3 *db) {
  sqlite3_stmt *st = NULL;
  int busy = 0;
  char err[MG_ERRLEN];
  if (prep(db, S_RUNNING, &st, err)) return 0;
  busy = sqlite3_step(st) == SQLITE_ROW;
  faq_db_stmt_done(st);
  return busy;
}

/* ---- writing ------------------------------------------------------------------ */

static int dept_json(const mg_department *d, char **out) {
  json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", d->name ? d->name : "", "phone", d->phone ? d->phone : "",
                        "email", d->email ? d->email : "", "hours", d->hours ? d->hours : "", "location",
                        d->location ? d->location : "");
  *out = j ? json_dumps(j, JSON_COMPACT) : NULL;
  json_decref(j);
  return *out ? 0 : MG_ENOMEM;
}

/* The first transaction: register the import, apply and journal departments. */
static int start(sqlite3 *db, const mg_io_set *s, const mg_io_opts *o, const char *file, sqlite3_int64 *id,
                 mg_io_report *rep, char *err) {
  int rc = begin(db, err);
  if (rc) return rc;
  if (faq_io_importing(db)) {
    rc = mg_errf(err, MG_EBUSY, "another import is running; try again when it has finished");
    goto out;
  }
  if ((rc = run(db, S_START, err, "ssi", o && o->by ? o->by : "import", file, (sqlite3_int64)s->n_rows))) goto out;
  *id = sqlite3_last_insert_rowid(db);
  for (int i = 0; rc == 0 && i < s->n_depts; i++) {
    mg_department old;
    char *prev = NULL;
    int changed, got = faq_department_get(db, s->depts[i].id, &old, err);
    if (got && got != MG_ENOTFOUND) { rc = got; break; }
    if (got == 0) {
      rc = dept_json(&old, &prev);
      faq_department_clear(&old);
      if (rc) { rc = mg_errf(err, rc, "out of memory"); break; }
    }
    rc = faq_io_apply_dept(db, &s->depts[i], &changed, err);
    if (rc == MG_EINVAL) {
      faq_io_report_error(rep, file, s->dept_lines[i], "%s", err);
      rc = 0;
    } else if (rc == 0 && changed) {
      rep->departments++;
      rc = prev ? run(db, S_UNDO_DEPT, err, "isis", *id, s->depts[i].id, (sqlite3_int64)1, prev)
                : run(db, S_UNDO_DEPT, err, "isin", *id, s->depts[i].id, (sqlite3_int64)0);
    }
    free(prev);
  }
  if (rc == 0 && rep->n_errors) rc = mg_errf(err, MG_ECSV, "%s: 誤りが%d件あるため、何も取り込んでいません", file, rep->n_errors);
out:
  return end(db, rc, err);
}

/* One row: journal what undoes it, then write it through the store. */
static int put_row(sqlite3 *db, sqlite3_int64 id, const mg_io_row *r, const mg_io_opts *o, mg_io_report *rep,
                   char *err) {
  sqlite3_stmt *st = NULL;
  sqlite3_int64 pub = 0, maxrev = 0;
  int exists = 0, pub_null = 1, changed = 0, rc = prep(db, S_BEFORE, &st, err);
  if (rc) return rc;
  sqlite3_bind_text(st, 1, r->e.id, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW) {
    exists = 1;
    pub_null = sqlite3_column_type(st, 1) == SQLITE_NULL;
    pub = sqlite3_column_int64(st, 1);
    maxrev = sqlite3_column_int64(st, 2);
  }
  faq_db_stmt_done(st);
  rc = faq_put_ex(db, &r->e, o && o->by ? o->by : "import", r->publish && !(o && o->draft), &changed, err);
  if (rc) return rc;
  rep->entries++;
  if (!changed) {
    rep->unchanged++;
    return 0;
  }
  if (exists) rep->revised++;
  else rep->added++;
  if (!exists) return run(db, S_UNDO_FAQ, err, "isinn", id, r->e.id, (sqlite3_int64)0);
  return pub_null ? run(db, S_UNDO_FAQ, err, "isini", id, r->e.id, (sqlite3_int64)1, maxrev)
                  : run(db, S_UNDO_FAQ, err, "isiii", id, r->e.id, (sqlite3_int64)1, pub, maxrev);
}

int faq_io_apply_chunked(sqlite3 *db, const mg_io_set *s, const mg_io_opts *o, const char *file, mg_io_report *rep,
                        char *err) {
  int chunk = o && o->chunk_rows > 0 ? o->chunk_rows : CHUNK_ROWS, rc, chunks = 0;
  sqlite3_int64 id = 0;

  if ((rc = faq_io_check(db, s, o, file, rep, err))) return rc;
  if (rep->n_errors) return mg_errf(err, MG_ECSV, "%s: 誤りが%d件あるため、何も取り込んでいません", file, rep->n_errors);
  if ((rc = faq_io_recover(db, -1, NULL, err))) return rc;
  if ((rc = start(db, s, o, file, &id, rep, err))) {
    if (id) undo(db, id, (char[MG_ERRLEN]){ 0 });
    return rc;
  }
  for (int i = 0; i < s->n_rows; i += chunk) {
    if (o && o->test_stop_after_chunks > 0 && chunks++ == o->test_stop_after_chunks)
      return mg_errf(err, MG_EIO, "import stopped after %d chunks (test hook)", o->test_stop_after_chunks);
    if ((rc = begin(db, err))) break;
    for (int k = i; rc == 0 && k < s->n_rows && k < i + chunk; k++) rc = put_row(db, id, &s->rows[k], o, rep, err);
    if (rc == 0) rc = run(db, S_PROGRESS, err, "ii", id, (sqlite3_int64)(i + chunk < s->n_rows ? i + chunk : s->n_rows));
    if ((rc = end(db, rc, err))) break;
  }
  if (rc == 0 && !(rc = begin(db, err))) {
    rc = faq_io_apply_meta(db, s, err);
    if (rc == 0) rc = run(db, S_DONE, err, "i", id);
    if (rc == 0) rc = run(db, S_UNDO_CLEAR, err, "i", id);
    rc = end(db, rc, err);
  }
  if (rc != 0) {
    char uerr[MG_ERRLEN], first[MG_ERRLEN];
    snprintf(first, sizeof first, "%s", err);
    if (undo(db, id, uerr) != 0)
      mg_errf(err, rc, "%s (undoing it failed too: %s; it is undone at the next start)", first, uerr);
    rep->added = rep->revised = rep->unchanged = rep->entries = rep->departments = 0;
  }
  return rc;
}
