/*
 * auth.c — accounts, password login, sessions (see auth.h for the design).
 *
 * Times are compared inside SQLite (strftime('now') in UTC) so every process
 * sharing the database agrees on them. The statements are prepared per call:
 * logins and account changes are rare, and each worker passes its own
 * connection. Password hashing never runs inside a transaction, so a 130 ms
 * hash never holds the database's write lock.
 *
 * Failed logins are counted per (login, client address) in login_failure
 * (migration 6), not per account: the 1, 2, 3, 4 s delays and the lock on
 * the AUTH_MAX_FAILURES-th failure apply to that pair only, so whoever
 * guesses from one address cannot lock the real user out from another
 * (attack review F10). Unknown and disabled logins take exactly the path of
 * a wrong password — a verify against a dummy hash made with the same
 * Argon2id limits, a login_failure row, an audit row — so neither the
 * response time nor the delays tell which logins exist. Rows whose last
 * failure is older than AUTH_LOCK_SECONDS (and that hold no lock) are
 * deleted on the next failure, so a pair's count starts afresh after a
 * quiet quarter of an hour and the table stays small. Rate limits that
 * look at the address alone or the account alone live in the server
 * (adapters/admin_http.c), in front of the hashing thread.
 */
#include "bot/auth.h"
#include "bot/audit.h"
#include "faq/store.h"
#include "util/mg_err.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define NOW "strftime('%Y-%m-%dT%H:%M:%SZ','now')"

enum {
  S_USER_BY_LOGIN, S_USER_LIST, S_USER_INSERT, S_USER_PASSWD, S_USER_DISABLE, S_USER_UPDATE,
  S_FAIL, S_FAIL_PURGE, S_FAIL_CLEAR, S_LOCK_LEFT, S_SUCCESS, S_SESSION_PURGE, S_SESSION_INSERT, S_SESSION_GET,
  S_SESSION_DELETE, S_SESSION_DELETE_USER, S_COUNT
};
/* failed_count and locked_until sum up the account's (login, address) pairs */
#define USER_COLS "u.id, u.login, u.display_name, u.role, coalesce(u.department_id, ''), u.disabled," \
  " (SELECT coalesce(sum(f.failed_count), 0) FROM login_failure f WHERE f.login = u.login)," \
  " coalesce((SELECT max(f.locked_until) FROM login_failure f WHERE f.login = u.login AND f.locked_until > " NOW \
  "), ''), u.created_at"
static const char *const sql[S_COUNT] = {
  [S_USER_BY_LOGIN] = "SELECT " USER_COLS ", u.pw_hash FROM user u WHERE u.login = ?1",
  [S_USER_LIST] = "SELECT " USER_COLS " FROM user u ORDER BY u.login",
  [S_USER_INSERT] = "INSERT INTO user(login, display_name, role, department_id, pw_hash, created_at)"
                    " VALUES(?1, ?2, ?3, nullif(?4, ''), ?5, " NOW ")",
  [S_USER_PASSWD] = "UPDATE user SET pw_hash = ?2, failed_count = 0, locked_until = NULL WHERE login = ?1",
  [S_USER_DISABLE] = "UPDATE user SET disabled = ?2 WHERE login = ?1",
  [S_USER_UPDATE] = "UPDATE user SET display_name = ?2, role = ?3, department_id = ?4 WHERE login = ?1",
  /* one more failure of (login, ip); the AUTH_MAX_FAILURES-th locks the pair and starts counting afresh */
  [S_FAIL] = "INSERT INTO login_failure(login, ip, failed_count, locked_until, last_at)"
             " VALUES(?1, ?2, CASE WHEN 1 >= ?3 THEN 0 ELSE 1 END, CASE WHEN 1 >= ?3"
             "   THEN strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+' || ?4 || ' seconds') END, " NOW ")"
             " ON CONFLICT(login, ip) DO UPDATE SET"
             " locked_until = CASE WHEN failed_count + 1 >= ?3"
             "   THEN strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+' || ?4 || ' seconds') ELSE locked_until END,"
             " failed_count = CASE WHEN failed_count + 1 >= ?3 THEN 0 ELSE failed_count + 1 END,"
             " last_at = " NOW
             " RETURNING failed_count, locked_until IS NOT NULL AND locked_until > " NOW,
  /* forget pairs quiet for ?1 seconds that hold no lock */
  [S_FAIL_PURGE] = "DELETE FROM login_failure WHERE last_at <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || ?1"
                   " || ' seconds') AND coalesce(locked_until, '') <= " NOW,
  [S_FAIL_CLEAR] = "DELETE FROM login_failure WHERE login = ?1",
  [S_LOCK_LEFT] = "SELECT CAST(strftime('%s', locked_until) AS INTEGER) - CAST(strftime('%s', 'now') AS INTEGER)"
                  " FROM login_failure WHERE login = ?1 AND ip = ?2 AND locked_until > " NOW,
  [S_SUCCESS] = "DELETE FROM login_failure WHERE login = ?1 AND ip = ?2",
  [S_SESSION_PURGE] = "DELETE FROM web_session WHERE expires_at <= " NOW,
  [S_SESSION_INSERT] = "INSERT INTO web_session(id, user_id, csrf, created_at, expires_at) VALUES(?1, ?2, ?3, " NOW
                       ", strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+' || ?4 || ' seconds')) RETURNING expires_at",
  [S_SESSION_GET] = "SELECT " USER_COLS ", s.csrf, s.expires_at FROM web_session s JOIN user u ON u.id = s.user_id"
                    " WHERE s.id = ?1 AND s.expires_at > " NOW " AND u.disabled = 0",
  [S_SESSION_DELETE] = "DELETE FROM web_session WHERE id = ?1 RETURNING user_id",
  [S_SESSION_DELETE_USER] = "DELETE FROM web_session WHERE user_id = (SELECT id FROM user WHERE login = ?1)",
};

static int prep(sqlite3 *db, int which, sqlite3_stmt **st, char *err) {
  if (sqlite3_prepare_v2(db, sql[which], -1, st, NULL) != SQLITE_OK)
    return mg_errf(err, MG_EDB, "auth: %s", sqlite3_errmsg(db));
  return 0;
}

/* Run a statement that returns no rows (or ignores them) with text params. */
static int exec_text(sqlite3 *db, int which, const char *a, const char *b, char *err) {
  sqlite3_stmt *st = NULL;
  int rc = prep(db, which, &st, err), step;
  if (rc) return rc;
  if (a) sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
  if (b) sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {}
  if (step != SQLITE_DONE) rc = mg_errf(err, MG_EDB, "auth: %s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc;
}

/* A hash of a random password with the limits of real ones: unknown logins
 * verify against it, so they cost what a wrong password costs. Made once. */
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy[crypto_pwhash_STRBYTES];
static int dummy_ok;

static void make_dummy(void) {
  unsigned char pw[24];
  if (sodium_init() < 0) return;
  randombytes_buf(pw, sizeof pw);
  dummy_ok = crypto_pwhash_str(dummy, (const char *)pw, sizeof pw, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
  sodium_memzero(pw, sizeof pw);
}

int bot_auth_init(char *err) {
  if (sodium_init() < 0) return mg_errf(err, MG_EIO, "libsodium could not be initialised");
  pthread_once(&dummy_once, make_dummy);
  if (!dummy_ok) return mg_errf(err, MG_ENOMEM, "password hashing ran out of memory");
  return 0;
}

static const char *const role_names[] = { [AUTH_NONE] = "", [AUTH_STAFF] = "staff",
                                          [AUTH_SUPERVISOR] = "supervisor", [AUTH_ADMIN] = "admin" };

auth_role bot_auth_role_parse(const char *s) {
  for (int r = AUTH_STAFF; r <= AUTH_ADMIN; r++)
    if (s && strcmp(s, role_names[r]) == 0) return (auth_role)r;
  return AUTH_NONE;
}

const char *bot_auth_role_name(auth_role r) {
  return r >= AUTH_STAFF && r <= AUTH_ADMIN ? role_names[r] : "";
}

static void copy(char *dst, size_t n, const unsigned char *src) {
  snprintf(dst, n, "%s", src ? (const char *)src : "");
}

/* Fill u from the USER_COLS columns starting at column 0. */
static void read_user(sqlite3_stmt *st, auth_user *u) {
  memset(u, 0, sizeof *u);
  u->id = sqlite3_column_int64(st, 0);
  copy(u->login, sizeof u->login, sqlite3_column_text(st, 1));
  copy(u->display_name, sizeof u->display_name, sqlite3_column_text(st, 2));
  u->role = bot_auth_role_parse((const char *)sqlite3_column_text(st, 3));
  copy(u->department_id, sizeof u->department_id, sqlite3_column_text(st, 4));
  u->disabled = sqlite3_column_int(st, 5);
  u->failed_count = sqlite3_column_int(st, 6);
  copy(u->locked_until, sizeof u->locked_until, sqlite3_column_text(st, 7));
  copy(u->created_at, sizeof u->created_at, sqlite3_column_text(st, 8));
}

/* Logins are short ASCII names: letters, digits, '.', '_', '-', '@'. */
static int valid_login(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n >= sizeof ((auth_user *)0)->login) return 0;
  for (size_t i = 0; i < n; i++)
    if (!isalnum((unsigned char)s[i]) && !strchr("._-@", s[i])) return 0;
  return 1;
}

static int hash_password(const char *pw, char out[crypto_pwhash_STRBYTES], char *err) {
  if (!pw || strlen(pw) < AUTH_MIN_PASSWORD)
    return mg_errf(err, MG_EINVAL, "パスワードは%d文字（バイト）以上にしてください", AUTH_MIN_PASSWORD);
  if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return mg_errf(err, MG_ENOMEM, "password hashing ran out of memory");
  return 0;
}

int bot_auth_user_get(sqlite3 *db, const char *login, auth_user *out, char *err) {
  sqlite3_stmt *st = NULL;
  int rc = prep(db, S_USER_BY_LOGIN, &st, err), step;
  if (rc) return rc;
  sqlite3_bind_text(st, 1, login ? login : "", -1, SQLITE_STATIC);
  step = sqlite3_step(st);
  if (step == SQLITE_ROW) read_user(st, out);
  else if (step == SQLITE_DONE) rc = mg_errf(err, MG_ENOTFOUND, "no user '%s'", login ? login : "");
  else rc = mg_errf(err, MG_EDB, "auth: %s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc;
}

static json_t *user_json(const auth_user *u) {
  return json_pack("{ss ss ss ss sb}", "login", u->login, "display_name", u->display_name, "role",
                   bot_auth_role_name(u->role), "department", u->department_id, "disabled", u->disabled);
}

/* What an account says about its holder: a name, a role, and for staff a
 * department that exists. The messages are the console's (Japanese). */
static int check_profile(sqlite3 *db, const char *display_name, auth_role r, const char *dept, char *err) {
  int rc;
  if (!display_name || !*display_name) return mg_errf(err, MG_EINVAL, "表示名を入力してください");
  if (r == AUTH_NONE) return mg_errf(err, MG_EINVAL, "役割は職員・管理職・システム管理者のどれかです");
  if (r == AUTH_STAFF && (!dept || !*dept)) return mg_errf(err, MG_EINVAL, "職員には部署が必要です");
  if (!dept || !*dept) return 0;
  if ((rc = faq_department_exists(db, dept, err)) == MG_ENOTFOUND)
    return mg_errf(err, MG_ENOTFOUND, "部署「%s」はありません", dept);
  return rc;
}

int bot_auth_user_add(sqlite3 *db, const char *login, const char *display_name, const char *role, const char *dept,
                  const char *password, const char *actor, char *err) {
  char hash[crypto_pwhash_STRBYTES];
  sqlite3_stmt *st = NULL;
  auth_user u;
  auth_role r = bot_auth_role_parse(role);
  int rc, step;
  if (!valid_login(login))
    return mg_errf(err, MG_EINVAL, "ログインIDは半角英数字と . _ - @ で1〜63文字です");
  if ((rc = check_profile(db, display_name, r, dept, err))) return rc;
  if ((rc = hash_password(password, hash, err))) return rc;
  if ((rc = prep(db, S_USER_INSERT, &st, err))) goto out;
  sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, display_name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, bot_auth_role_name(r), -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, dept ? dept : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, hash, -1, SQLITE_STATIC);
  step = sqlite3_step(st);
  if (step == SQLITE_CONSTRAINT) { rc = mg_errf(err, MG_ECONFLICT, "ログインID「%s」はすでにあります", login); goto out; }
  if (step != SQLITE_DONE) { rc = mg_errf(err, MG_EDB, "auth: %s", sqlite3_errmsg(db)); goto out; }
  if ((rc = bot_auth_user_get(db, login, &u, err))) goto out;
  {
    json_t *after = user_json(&u);
    rc = bot_audit_write(db, actor, "user.add", login, NULL, after, NULL, err);
    json_decref(after);
  }
out:
  sodium_memzero(hash, sizeof hash);
  sqlite3_finalize(st);
  return rc;
}

int bot_auth_user_passwd(sqlite3 *db, const char *login, const char *password, const char *actor, char *err) {
  char hash[crypto_pwhash_STRBYTES];
  auth_user u;
  int rc;
  if ((rc = bot_auth_user_get(db, login, &u, err))) return rc;
  if ((rc = hash_password(password, hash, err))) return rc;
  if ((rc = exec_text(db, S_USER_PASSWD, login, hash, err))) goto out;
  /* a new password also lifts the locks of every address */
  if ((rc = exec_text(db, S_FAIL_CLEAR, login, NULL, err))) goto out;
  /* a new password ends the sessions opened with the old one */
  if ((rc = exec_text(db, S_SESSION_DELETE_USER, login, NULL, err))) goto out;
  rc = bot_audit_write(db, actor, "user.passwd", login, NULL, NULL, NULL, err);
out:
  sodium_memzero(hash, sizeof hash);
  return rc;
}

int bot_auth_user_update(sqlite3 *db, const char *login, const char *display_name, const char *role, const char *dept,
                     const char *actor, char *err) {
  sqlite3_stmt *st = NULL;
  auth_user u, after;
  auth_role r = bot_auth_role_parse(role);
  int rc;
  if ((rc = bot_auth_user_get(db, login, &u, err))) return rc;
  if ((rc = check_profile(db, display_name, r, dept, err))) return rc;
  if ((rc = prep(db, S_USER_UPDATE, &st, err))) return rc;
  sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, display_name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, bot_auth_role_name(r), -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, dept ? dept : "", -1, SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_DONE) { rc = mg_errf(err, MG_EDB, "auth: %s", sqlite3_errmsg(db)); goto out; }
  /* new rights take effect at the next login, not in a session opened with the old ones */
  if ((u.role != r || strcmp(u.department_id, dept ? dept : "") != 0) &&
      (rc = exec_text(db, S_SESSION_DELETE_USER, login, NULL, err)))
    goto out;
  if ((rc = bot_auth_user_get(db, login, &after, err))) goto out;
  {
    json_t *b = user_json(&u), *a = user_json(&after);
    rc = bot_audit_write(db, actor, "user.update", login, b, a, NULL, err);
    json_decref(b);
    json_decref(a);
  }
out:
  sqlite3_finalize(st);
  return rc;
}

int bot_auth_user_disable(sqlite3 *db, const char *login, int disabled, const char *actor, char *err) {
  sqlite3_stmt *st = NULL;
  auth_user u;
  int rc;
  if ((rc = bot_auth_user_get(db, login, &u, err))) return rc;
  if ((rc = prep(db, S_USER_DISABLE, &st, err))) return rc;
  sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, disabled ? 1 : 0);
  if (sqlite3_step(st) != SQLITE_DONE) { rc = mg_errf(err, MG_EDB, "auth: %s", sqlite3_errmsg(db)); goto out; }
  if (disabled && (rc = exec_text(db, S_SESSION_DELETE_USER, login, NULL, err))) goto out;
  {
    json_t *before = json_pack("{sb}", "disabled", u.disabled), *after = json_pack("{sb}", "disabled", disabled);
    rc = bot_audit_write(db, actor, disabled ? "user.disable" : "user.enable", login, before, after, NULL, err);
    json_decref(before);
    json_decref(after);
  }
out:
  sqlite3_finalize(st);
  return rc;
}

int bot_auth_user_list(sqlite3 *db, int (*fn)(void *ctx, const auth_user *u), void *ctx, char *err) {
  sqlite3_stmt *st = NULL;
  auth_user u;
  int rc = prep(db, S_USER_LIST, &st, err), step;
  if (rc) return rc;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    read_user(st, &u);
    if ((rc = fn(ctx, &u))) goto out;
  }
  if (step != SQLITE_DONE) rc = mg_errf(err, MG_EDB, "auth: %s", sqlite3_errmsg(db));
out:
  sqlite3_finalize(st);
  return rc;
}

/* The stored form of a session id: hex BLAKE2b-256 of the token. */
static void token_hash(const char *token, char hex[65]) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
  sodium_bin2hex(hex, 65, h, sizeof h);
}

static void random_token(char out[AUTH_TOKEN_LEN]) {
  unsigned char b[32];
  randombytes_buf(b, sizeof b);
  sodium_bin2base64(out, AUTH_TOKEN_LEN, b, sizeof b, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(b, sizeof b);
}

static int valid_token(const char *t) {
  if (!t || strlen(t) != AUTH_TOKEN_LEN - 1) return 0;
  for (const char *p = t; *p; p++)
    if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') return 0;
  return 1;
}

/* Seconds the pair (login, ip) stays locked (0 when not locked). */
static int lock_left(sqlite3 *db, const char *login, const char *ip) {
  sqlite3_stmt *st = NULL;
  int left = 0;
  if (prep(db, S_LOCK_LEFT, &st, NULL)) return 0;
  sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, ip, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW) left = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return left > 0 ? left : 0;
}

/* Count one failure of (login, ip), known account or not; returns MG_EAUTH
 * with a delay, or MG_ERATE when it locked the pair. */
static int login_failed(sqlite3 *db, const char *login, int known, const char *ip, int *retry_after, char *err) {
  sqlite3_stmt *st = NULL;
  int count = 0, locked = 0, rc, step;
  json_t *detail;
  if ((rc = prep(db, S_FAIL_PURGE, &st, err))) return rc;
  sqlite3_bind_int(st, 1, AUTH_LOCK_SECONDS);
  step = sqlite3_step(st);
  sqlite3_finalize(st);
  st = NULL;
  if (step != SQLITE_DONE) return mg_errf(err, MG_EDB, "auth: %s", sqlite3_errmsg(db));
  if ((rc = prep(db, S_FAIL, &st, err))) return rc;
  sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, ip, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 3, AUTH_MAX_FAILURES);
  sqlite3_bind_int(st, 4, AUTH_LOCK_SECONDS);
  step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    count = sqlite3_column_int(st, 0);
    locked = sqlite3_column_int(st, 1);
  }
  sqlite3_finalize(st);
  if (step != SQLITE_ROW) return mg_errf(err, MG_EDB, "auth: %s", sqlite3_errmsg(db));
  detail = json_pack("{ss si sb sb}", "ip", ip, "failures", locked ? AUTH_MAX_FAILURES : count, "locked", locked,
                     "known", known);
  rc = bot_audit_write(db, login, locked ? "auth.lock" : "auth.fail", login, NULL, detail, NULL, err);
  json_decref(detail);
  if (rc) return rc;
  *retry_after = locked ? AUTH_LOCK_SECONDS : count;
  return locked ? mg_errf(err, MG_ERATE, "too many failed logins: locked for %d minutes", AUTH_LOCK_SECONDS / 60)
                : mg_errf(err, MG_EAUTH, "wrong login or password");
}

int bot_auth_login(sqlite3 *db, const char *login, const char *password, const char *ip, char *token,
               auth_session *sess, int *retry_after, char *err) {
  char hash[crypto_pwhash_STRBYTES] = "", thash[65], key[sizeof ((auth_user *)0)->login];
  sqlite3_stmt *st = NULL;
  auth_user u;
  int found = 0, rc = 0, step, left, good;
  *retry_after = 0;
  token[0] = '\0';
  if (!password) password = "";
  if (!ip) ip = "";
  if ((rc = bot_auth_init(err))) return rc;
  /* the pair's key; a login that cannot exist is still counted (cut to size) */
  snprintf(key, sizeof key, "%s", login ? login : "");
  if (valid_login(login)) {
    if ((rc = prep(db, S_USER_BY_LOGIN, &st, err))) return rc;
    sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
      read_user(st, &u);
      copy(hash, sizeof hash, sqlite3_column_text(st, 9));
      found = 1;
    } else if (step != SQLITE_DONE) rc = mg_errf(err, MG_EDB, "auth: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    st = NULL;
    if (rc) return rc;
  }
  if ((left = lock_left(db, key, ip)) > 0) {
    *retry_after = left;
    return mg_errf(err, MG_ERATE, "too many failed logins: locked for %d more seconds", left);
  }
  /* unknown logins verify against the dummy: the same Argon2id work, so
   * the time does not reveal which logins exist */
  good = crypto_pwhash_str_verify(found ? hash : dummy, password, strlen(password)) == 0;
  if (!found || !good || u.disabled) {
    rc = login_failed(db, key, found, ip, retry_after, err);
    goto out;
  }
  if ((rc = exec_text(db, S_SUCCESS, key, ip, err))) goto out;
  if ((rc = exec_text(db, S_SESSION_PURGE, NULL, NULL, err))) goto out;
  memset(sess, 0, sizeof *sess);
  sess->user = u;
  sess->user.failed_count = 0;
  sess->user.locked_until[0] = '\0';
  random_token(token);
  random_token(sess->csrf);
  token_hash(token, thash);
  if ((rc = prep(db, S_SESSION_INSERT, &st, err))) goto out;
  sqlite3_bind_text(st, 1, thash, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, u.id);
  sqlite3_bind_text(st, 3, sess->csrf, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 4, AUTH_SESSION_SECONDS);
  if (sqlite3_step(st) != SQLITE_ROW) { rc = mg_errf(err, MG_EDB, "auth: %s", sqlite3_errmsg(db)); goto out; }
  copy(sess->expires_at, sizeof sess->expires_at, sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  st = NULL;
  {
    json_t *detail = json_pack("{ss}", "ip", ip);
    rc = bot_audit_write(db, u.login, "auth.login", u.login, NULL, detail, NULL, err);
    json_decref(detail);
  }
out:
  sqlite3_finalize(st);
  sodium_memzero(hash, sizeof hash);
  if (rc) token[0] = '\0';
  return rc;
}

int bot_auth_session_get(sqlite3 *db, const char *token, auth_session *out, char *err) {
  char thash[65];
  sqlite3_stmt *st = NULL;
  int rc, step;
  if (!valid_token(token)) return mg_errf(err, MG_EAUTH, "no session");
  token_hash(token, thash);
  if ((rc = prep(db, S_SESSION_GET, &st, err))) return rc;
  sqlite3_bind_text(st, 1, thash, -1, SQLITE_STATIC);
  step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    memset(out, 0, sizeof *out);
    read_user(st, &out->user);
    copy(out->csrf, sizeof out->csrf, sqlite3_column_text(st, 9));
    copy(out->expires_at, sizeof out->expires_at, sqlite3_column_text(st, 10));
  } else if (step == SQLITE_DONE) rc = mg_errf(err, MG_EAUTH, "the session is unknown or expired");
  else rc = mg_errf(err, MG_EDB, "auth: %s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc;
}

int bot_auth_logout(sqlite3 *db, const char *token, char *err) {
  char thash[65];
  if (!valid_token(token)) return 0;
  token_hash(token, thash);
  return exec_text(db, S_SESSION_DELETE, thash, NULL, err);
}

int bot_auth_csrf_ok(const auth_session *s, const char *header) {
  size_t n = strlen(s->csrf);
  if (!header || n == 0 || strlen(header) != n) return 0;
  return sodium_memcmp(s->csrf, header, n) == 0;
}

/* Supervisors and admins act on every department, staff on their own. */
static int can_department(auth_role role, const char *mine, const char *dept) {
  if (role >= AUTH_SUPERVISOR) return 1;
  return role == AUTH_STAFF && dept && mine && *mine && strcmp(dept, mine) == 0;
}

int bot_auth_can_department(const auth_session *s, const char *dept) {
  return can_department(s->user.role, s->user.department_id, dept);
}

bot_actor bot_actor_of(const auth_session *s) {
  return (bot_actor){ .login = s->user.login, .role = s->user.role, .department = s->user.department_id };
}

int bot_actor_can_department(const bot_actor *a, const char *dept) {
  return can_department(a->role, a->department, dept);
}

int bot_auth_has_role(const auth_session *s, auth_role r) {
  return s->user.role >= r;
}
