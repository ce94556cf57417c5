/*
 * auth.h — console accounts, password login, web sessions and roles.
 *
 * Accounts (table user) have a login, a display name, a role and, for staff,
 * a department. Passwords are hashed with libsodium's crypto_pwhash_str
 * (Argon2id, interactive limits: about 130 ms and 64 MiB per hash), never
 * stored or logged in clear. Because a hash is that slow, auth_login,
 * auth_user_add and auth_user_passwd must only run on worker threads (or in
 * the CLI), never on the libwebsockets service thread.
 *
 * Repeated failures slow an attacker down without sleeping anywhere: each
 * failed login returns MG_EAUTH with *retry_after set to a growing delay in
 * seconds, which the server applies with an lws timer before it answers;
 * AUTH_MAX_FAILURES failures in a row from one client address lock that
 * (login, address) pair for AUTH_LOCK_SECONDS (MG_ERATE, *retry_after =
 * seconds left) — the same account from another address is not locked.
 * Unknown and disabled logins take the same path as a wrong password (a
 * verify against a dummy hash with the same limits, the same counting), so
 * neither response time nor delays reveal which logins exist.
 *
 * A web session is identified by 256 random bits (base64url, 43 characters)
 * sent in an HttpOnly, SameSite=Strict cookie; the database stores only a
 * BLAKE2b hash of it, so a copy of the database does not hold usable
 * sessions. Each session has its own CSRF token, which every change must
 * echo in a header (compared in constant time).
 *
 * Roles: staff act on their own department's tickets; supervisors on all
 * tickets and the statistics; admins also manage accounts. FAQ curation is
 * open to every role.
 */
#ifndef MG_AUTH_H
#define MG_AUTH_H

#include <sqlite3.h>

#define AUTH_MAX_FAILURES 5        /* failed logins in a row, per (login, address), before a lock */
#define AUTH_LOCK_SECONDS (15 * 60) /* how long a lock lasts; also how long a quiet count is kept */
#define AUTH_SESSION_SECONDS (8 * 3600) /* a session lasts one working day */
#define AUTH_TOKEN_LEN 44          /* 43 base64url characters + NUL */
#define AUTH_MIN_PASSWORD 10       /* bytes */

typedef enum auth_role { AUTH_NONE = 0, AUTH_STAFF = 1, AUTH_SUPERVISOR = 2, AUTH_ADMIN = 3 } auth_role;

typedef struct auth_user {
  long long id;
  char login[64];
  char display_name[128];
  auth_role role;
  char department_id[64];  /* "" when none (supervisors and admins may have none) */
  int disabled;
  int failed_count;        /* failures counted over all addresses (login_failure) */
  char locked_until[24];   /* UTC, the latest lock of some address; "" when none */
  char created_at[24];
} auth_user;

typedef struct auth_session {
  auth_user user;
  char csrf[AUTH_TOKEN_LEN];
  char expires_at[24];     /* UTC "YYYY-MM-DDTHH:MM:SSZ" */
} auth_session;

/* Initialise libsodium and make the dummy hash unknown logins verify
 * against (idempotent, thread-safe; the first call hashes once, ~130 ms).
 * Returns 0, MG_EIO or MG_ENOMEM. */
int bot_auth_init(char *err);

/* "staff" → AUTH_STAFF …; AUTH_NONE for anything else. */
auth_role bot_auth_role_parse(const char *s);
const char *bot_auth_role_name(auth_role r);

/* Create an account. dept is required for staff (and must exist), optional
 * otherwise (NULL or ""). Worker thread only (hashes). actor is recorded in
 * the audit log. MG_EINVAL for a bad login/role/short password, MG_ECONFLICT
 * when the login exists, MG_ENOTFOUND for an unknown department. */
int bot_auth_user_add(sqlite3 *db, const char *login, const char *display_name, const char *role, const char *dept,
                  const char *password, const char *actor, char *err);
/* Set a new password (and unlock). Worker thread only. MG_ENOTFOUND when absent. */
/* Change an account's display name, role and department (audited
 * user.update); a change of role or department ends its sessions. */
int bot_auth_user_update(sqlite3 *db, const char *login, const char *display_name, const char *role, const char *dept,
                     const char *actor, char *err);
int bot_auth_user_passwd(sqlite3 *db, const char *login, const char *password, const char *actor, char *err);
/* Disable (1) or enable (0) an account; disabling ends its sessions at once. */
int bot_auth_user_disable(sqlite3 *db, const char *login, int disabled, const char *actor, char *err);
/* Read one account. MG_ENOTFOUND when absent. */
int bot_auth_user_get(sqlite3 *db, const char *login, auth_user *out, char *err);
/* Call fn for each account in login order; u valid during the call. */
int bot_auth_user_list(sqlite3 *db, int (*fn)(void *ctx, const auth_user *u), void *ctx, char *err);

/* Check a password and open a session. Worker thread only. On success fills
 * token (the cookie value, AUTH_TOKEN_LEN bytes) and *sess and returns 0.
 * Failures: MG_EAUTH (wrong login or password, or disabled; *retry_after =
 * delay to apply before answering), MG_ERATE (the pair (login, ip) is
 * locked; *retry_after = seconds left). ip (NULL = "") keys the failure
 * count and is recorded in the audit log. */
int bot_auth_login(sqlite3 *db, const char *login, const char *password, const char *ip, char *token,
               auth_session *sess, int *retry_after, char *err);
/* Look up the session of a cookie value. MG_EAUTH when unknown, expired or
 * the account is disabled. Cheap (one hash, one query): any thread. */
int bot_auth_session_get(sqlite3 *db, const char *token, auth_session *out, char *err);
/* End the session of token (no error when it is already gone). */
int bot_auth_logout(sqlite3 *db, const char *token, char *err);

/* 1 when header equals the session's CSRF token (constant time), else 0. */
int bot_auth_csrf_ok(const auth_session *s, const char *header);
/* 1 when the session's user may act on tickets of department dept. */
int bot_auth_can_department(const auth_session *s, const char *dept);

/* Who acts in a use-case of the console (bot/curation.h, bot/console.h):
 * recorded as the author and as the audit row's actor. */
typedef struct bot_actor {
  const char *login;      /* the account's login */
  auth_role role;         /* AUTH_STAFF is confined to its department */
  const char *department; /* the account's department id, "" when none */
} bot_actor;
/* The actor of a console session (borrows s's strings). */
bot_actor bot_actor_of(const auth_session *s);
/* 1 when a may act on tickets of department dept (bot_auth_can_department). */
int bot_actor_can_department(const bot_actor *a, const char *dept);
/* 1 when the session's role is at least r. */
int bot_auth_has_role(const auth_session *s, auth_role r);

#endif
