/* Console accounts: Argon2id hashes, login with delays and lockout, sessions
 * stored by hash with expiry and CSRF tokens, role and department checks,
 * and the append-only audit log. Uses a real database file with the sample
 * FAQ (for departments) and the real libsodium hashing, so each login here
 * costs its ~130 ms like in production. */
#include "faq/analyze.h"
#include "bot/audit.h"
#include "bot/auth.h"
#include "bot/tables.h"
#include "faq/db.h"
#include "util/mg_config.h"
#include "util/mg_err.h"
#include "tests/tap.h"
#include "tests/testenv.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static char dir[64];

static int audits(sqlite3 *db, const char *action) {
  return test_int(db, "SELECT count(*) FROM audit_log WHERE action = ?1", action);
}

/* CPU time of this thread: the hash runs here, and unlike the wall clock it
 * does not count what the rest of a loaded machine is doing */
static int64_t cpu_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int count_users(void *ctx, const auth_user *u) {
  (*(int *)ctx)++;
  return 0;
}

/* The fixture: one database for the whole file. The tests after the roles
 * are one story told in order — accounts are added, log in, fail, lock,
 * change passwords — each starting from what the one before left, with
 * tanaka's (token) and sato's (token2) sessions carried between them. */
static sqlite3 *db;
static char token[AUTH_TOKEN_LEN], token2[AUTH_TOKEN_LEN];

static void console_migration_is_applied(void) {
  ok(bot_db_version(db) >= 2, "the console's step is applied (bot version %d)", bot_db_version(db));
}

static void role_names_parse_and_print(void) {
  is_int(bot_auth_role_parse("supervisor"), AUTH_SUPERVISOR, "role names parse");
  is_int(bot_auth_role_parse("root"), AUTH_NONE, "unknown roles do not");
  is_str(bot_auth_role_name(AUTH_ADMIN), "admin", "roles have names");
}

static void accounts_are_added_with_hashed_passwords_only(void) {
  char err[MG_ERRLEN];
  auth_user u;
  int n = 0;
  is_int(bot_auth_user_add(db, "bad login", "x", "staff", "shimin", "correct horse 1", "t", err), MG_EINVAL,
         "a login with a space is refused");
  is_int(bot_auth_user_add(db, "tanaka", "田中", "boss", "shimin", "correct horse 1", "t", err), MG_EINVAL,
         "an unknown role is refused");
  is_int(bot_auth_user_add(db, "tanaka", "田中", "staff", NULL, "correct horse 1", "t", err), MG_EINVAL,
         "staff without a department are refused");
  is_int(bot_auth_user_add(db, "tanaka", "田中", "staff", "nowhere", "correct horse 1", "t", err), MG_ENOTFOUND,
         "an unknown department is refused");
  is_int(bot_auth_user_add(db, "tanaka", "田中", "staff", "shimin", "short", "t", err), MG_EINVAL,
         "a short password is refused");
  is_int(bot_auth_user_add(db, "tanaka", "田中 花子", "staff", "shimin", "correct horse 1", "t", err), 0,
         "a staff account is added");
  is_int(bot_auth_user_add(db, "tanaka", "田中", "admin", NULL, "correct horse 2", "t", err), MG_ECONFLICT,
         "a login exists only once");
  is_int(bot_auth_user_add(db, "sato", "佐藤", "supervisor", NULL, "another pass 1", "t", err), 0,
         "a supervisor without a department is added");
  is_int(test_int(db, "SELECT count(*) FROM user WHERE pw_hash LIKE '$argon2id$%' AND pw_hash NOT LIKE '%horse%'", NULL),
         2, "passwords are stored as Argon2id hashes only");
  is_int(bot_auth_user_get(db, "tanaka", &u, err), 0, "an account can be read");
  is_str(u.department_id, "shimin", "with its department");
  is_int(u.role, AUTH_STAFF, "and its role");
  is_int(bot_auth_user_list(db, count_users, &n, err), 0, "accounts can be listed");
  is_int(n, 2, "both accounts are listed");
  is_int(audits(db, "user.add"), 2, "adding accounts is audited");
  is_int(test_int(db, "SELECT count(*) FROM audit_log WHERE after_json LIKE '%horse%' OR after_json LIKE '%argon%'",
                   NULL), 0, "the audit log holds no password or hash");
}

static void login_hands_out_a_hashed_session_with_its_csrf_token(void) {
  char err[MG_ERRLEN];
  auth_session s, s2;
  int retry = -1;
  int rc = bot_auth_login(db, "tanaka", "correct horse 1", "192.0.2.1", token, &s, &retry, err);
  is_int(rc, 0, "the right password logs in");
  is_int((int)strlen(token), AUTH_TOKEN_LEN - 1, "the session id is 256 bits in base64url");
  is_int((int)strlen(s.csrf), AUTH_TOKEN_LEN - 1, "the session has its own CSRF token");
  ok(strcmp(token, s.csrf) != 0, "the CSRF token differs from the session id");
  is_int(test_int(db, "SELECT count(*) FROM web_session WHERE id = ?1", token), 0,
         "the database does not hold the session id itself");
  is_int(test_int(db, "SELECT count(*) FROM web_session", NULL), 1, "but a hash of it");
  is_int(bot_auth_session_get(db, token, &s2, err), 0, "the session is found by its id");
  is_str(s2.user.login, "tanaka", "it belongs to the user who logged in");
  is_str(s2.csrf, s.csrf, "with the CSRF token handed out at login");
  ok(bot_auth_csrf_ok(&s2, s.csrf), "the right CSRF token passes");
  ok(!bot_auth_csrf_ok(&s2, NULL), "a missing CSRF token fails");
  ok(!bot_auth_csrf_ok(&s2, ""), "an empty CSRF token fails");
  ok(!bot_auth_csrf_ok(&s2, token), "another token of the same length fails");
  is_int(bot_auth_session_get(db, "not-a-token", &s2, err), MG_EAUTH, "a malformed session id is unknown");
  token2[0] = 'A';
  memcpy(token2, token, sizeof token2);
  token2[0] = token2[0] == 'A' ? 'B' : 'A';
  is_int(bot_auth_session_get(db, token2, &s2, err), MG_EAUTH, "a guessed session id is unknown");
  is_int(audits(db, "auth.login"), 1, "the login is audited");
}

static void staff_act_on_their_department_supervisors_on_all(void) {
  char err[MG_ERRLEN];
  auth_session s, s2;
  int retry = -1;
  bot_auth_session_get(db, token, &s2, err);
  ok(bot_auth_can_department(&s2, "shimin"), "staff act on their own department");
  ok(!bot_auth_can_department(&s2, "zeimu"), "staff do not act on another department");
  ok(!bot_auth_can_department(&s2, NULL), "nor on tickets without a department");
  ok(!bot_auth_has_role(&s2, AUTH_SUPERVISOR), "staff are not supervisors");
  is_int(bot_auth_login(db, "sato", "another pass 1", NULL, token2, &s, &retry, err), 0, "the supervisor logs in");
  ok(bot_auth_can_department(&s, "zeimu") && bot_auth_can_department(&s, "shimin"), "supervisors act on every department");
  ok(bot_auth_has_role(&s, AUTH_SUPERVISOR) && !bot_auth_has_role(&s, AUTH_ADMIN), "supervisors are not admins");
}

static void expired_and_logged_out_sessions_are_refused(void) {
  char err[MG_ERRLEN];
  auth_session s2;
  sqlite3_exec(db, "UPDATE web_session SET expires_at = '2000-01-01T00:00:00Z' WHERE user_id = "
                   "(SELECT id FROM user WHERE login = 'sato')", NULL, NULL, NULL);
  is_int(bot_auth_session_get(db, token2, &s2, err), MG_EAUTH, "an expired session is refused");
  is_int(bot_auth_logout(db, token, err), 0, "logout succeeds");
  is_int(bot_auth_session_get(db, token, &s2, err), MG_EAUTH, "a logged-out session is refused");
  is_int(bot_auth_logout(db, token, err), 0, "logging out twice is harmless");
}

/* failures, delays and lockout, per (login, address) */
static void unknown_login_fails_like_a_wrong_password(void) {
  char err[MG_ERRLEN];
  auth_session s;
  int retry = 0;

  is_int(bot_auth_login(db, "nobody", "whatever pass", "192.0.2.9", token, &s, &retry, err), MG_EAUTH,
         "an unknown login fails like a wrong password");
  is_int(retry, 1, "and asks for the first delay");
  ok(token[0] == '\0', "a failed login hands out no session");
}

static void repeated_failures_lengthen_the_delay_then_lock(void) {
  char err[MG_ERRLEN];
  auth_session s;
  auth_user u;
  int retry = 0, rc;
  for (int i = 1; i < AUTH_MAX_FAILURES; i++) {
    retry = 0;
    rc = bot_auth_login(db, "tanaka", "wrong password", "192.0.2.9", token, &s, &retry, err);
    if (!ok(rc == MG_EAUTH && retry == i, "failure %d: refused with a delay of %d s", i, i))
      diag("rc %d retry %d", rc, retry);
  }
  is_int(bot_auth_user_get(db, "tanaka", &u, err), 0, "the account can be read");
  is_int(u.failed_count, AUTH_MAX_FAILURES - 1, "and shows its failures");
  retry = 0;
  is_int(bot_auth_login(db, "tanaka", "wrong password", "192.0.2.9", token, &s, &retry, err), MG_ERATE,
         "failure %d locks the account for that address", AUTH_MAX_FAILURES);
  is_int(retry, AUTH_LOCK_SECONDS, "for %d seconds", AUTH_LOCK_SECONDS);
  retry = 0;
  is_int(bot_auth_login(db, "tanaka", "correct horse 1", "192.0.2.9", token, &s, &retry, err), MG_ERATE,
         "even the right password is refused from that address while locked");
  ok(retry > AUTH_LOCK_SECONDS - 60 && retry <= AUTH_LOCK_SECONDS, "with the time left (%d s)", retry);
  is_int(bot_auth_user_get(db, "tanaka", &u, err), 0, "the account can be read");
  ok(u.locked_until[0] != '\0', "and shows the lock (%s)", u.locked_until);
  is_int(audits(db, "auth.fail"), AUTH_MAX_FAILURES, "each failure is audited (the unknown login too)");
  is_int(audits(db, "auth.lock"), 1, "the lock is audited");
}

static void lock_holds_for_that_login_and_address_only(void) {
  char err[MG_ERRLEN];
  auth_session s, s2;
  int retry = 0;
  is_int(bot_auth_login(db, "tanaka", "correct horse 1", "198.51.100.7", token, &s, &retry, err), 0,
         "the real user logs in from another address meanwhile");
  is_int(bot_auth_session_get(db, token, &s2, err), 0, "with a working session");
  for (int i = 1; i < AUTH_MAX_FAILURES; i++)
    bot_auth_login(db, "nobody", "whatever pass", "192.0.2.10", token, &s, &retry, err);
  retry = 0;
  is_int(bot_auth_login(db, "nobody", "whatever pass", "192.0.2.10", token, &s, &retry, err), MG_ERATE,
         "an unknown login locks after %d failures too", AUTH_MAX_FAILURES);
}

static void lock_ends_and_a_quiet_failure_count_is_forgotten(void) {
  char err[MG_ERRLEN], junk[AUTH_TOKEN_LEN];
  auth_session s, s2;
  int retry = 0;
  sqlite3_exec(db, "UPDATE login_failure SET locked_until = '2000-01-01T00:00:00Z' WHERE login = 'tanaka'", NULL,
               NULL, NULL);
  is_int(bot_auth_login(db, "tanaka", "correct horse 1", "192.0.2.9", token, &s, &retry, err), 0,
         "after the lock the right password works again");
  is_int(test_int(db, "SELECT count(*) FROM login_failure WHERE login = 'tanaka'", NULL), 0,
         "and the failure count starts afresh");
  bot_auth_login(db, "tanaka", "wrong password", "192.0.2.11", junk, &s2, &retry, err);
  sqlite3_exec(db, "UPDATE login_failure SET last_at = '2000-01-01T00:00:00Z' WHERE ip = '192.0.2.11'", NULL, NULL,
               NULL);
  retry = 0;
  bot_auth_login(db, "tanaka", "wrong password", "192.0.2.11", junk, &s2, &retry, err);
  is_int(retry, 1, "a count quiet for %d minutes is forgotten", AUTH_LOCK_SECONDS / 60);
}

static void unknown_login_costs_a_hash_like_a_wrong_password(void) {
  char err[MG_ERRLEN], junk[AUTH_TOKEN_LEN];
  auth_session s2;
  int retry = 0;
  {
    int64_t t0 = cpu_us(), t_unknown, t_wrong;
    bot_auth_login(db, "nobody2", "whatever pass", "192.0.2.12", junk, &s2, &retry, err);
    t_unknown = cpu_us() - t0;
    t0 = cpu_us();
    bot_auth_login(db, "sato", "whatever pass", "192.0.2.12", junk, &s2, &retry, err);
    t_wrong = cpu_us() - t0;
    ok(t_unknown * 2 > t_wrong && t_wrong * 2 > t_unknown, "an unknown login costs a hash like a wrong password "
       "(%lld vs %lld us)", (long long)t_unknown, (long long)t_wrong);
  }
}

static void password_change_and_disabling_end_sessions(void) {
  char err[MG_ERRLEN];
  auth_session s, s2;
  int retry = -1;
  is_int(bot_auth_user_passwd(db, "tanaka", "new horse pass", "t", err), 0, "a password can be changed");
  is_int(bot_auth_session_get(db, token, &s2, err), MG_EAUTH, "which ends the old sessions");
  is_int(bot_auth_login(db, "tanaka", "correct horse 1", NULL, token, &s, &retry, err), MG_EAUTH,
         "the old password no longer works");
  is_int(bot_auth_login(db, "tanaka", "new horse pass", NULL, token, &s, &retry, err), 0, "the new one does");
  is_int(bot_auth_user_disable(db, "tanaka", 1, "t", err), 0, "an account can be disabled");
  is_int(bot_auth_session_get(db, token, &s2, err), MG_EAUTH, "which ends its sessions");
  is_int(bot_auth_login(db, "tanaka", "new horse pass", NULL, token, &s, &retry, err), MG_EAUTH,
         "a disabled account cannot log in");
  is_int(bot_auth_user_disable(db, "tanaka", 0, "t", err), 0, "and enabled again");
  is_int(bot_auth_user_passwd(db, "ghost", "new horse pass", "t", err), MG_ENOTFOUND, "unknown accounts are reported");
}

static void audit_log_is_append_only_json(void) {
  char err[MG_ERRLEN];
  ok(sqlite3_exec(db, "UPDATE audit_log SET actor = 'x'", NULL, NULL, NULL) != SQLITE_OK, "audit rows cannot be edited");
  ok(sqlite3_exec(db, "DELETE FROM audit_log", NULL, NULL, NULL) != SQLITE_OK, "audit rows cannot be deleted");
  {
    json_t *rows = NULL;
    is_int(bot_audit_list(db, "user.", "tanaka", 10, &rows, err), 0, "the audit log can be read back");
    ok(json_array_size(rows) >= 4, "with the account's changes (%zu)", json_array_size(rows));
    ok(json_is_true(json_object_get(json_object_get(json_array_get(rows, 1), "after"), "disabled")),
       "before/after are JSON (the disable shows disabled: true)");
    json_decref(rows);
  }
}

int main(void) {
  char err[MG_ERRLEN];
  mg_config cfg;
  mg_lang *lang = NULL;

  if (!test_tmpdir(dir, sizeof dir, "t_auth")) { printf("Bail out! mkdtemp\n"); return 1; }
  test_config(&cfg, dir);
  if (bot_auth_init(err) || faq_lang_new(&lang, &cfg, err) || bot_db_open(&db, &cfg, lang, err)) {
    printf("Bail out! %s\n", err);
    return 1;
  }
  RUN(console_migration_is_applied);
  RUN(role_names_parse_and_print);
  RUN(accounts_are_added_with_hashed_passwords_only);
  RUN(login_hands_out_a_hashed_session_with_its_csrf_token);
  RUN(staff_act_on_their_department_supervisors_on_all);
  RUN(expired_and_logged_out_sessions_are_refused);
  RUN(unknown_login_fails_like_a_wrong_password);
  RUN(repeated_failures_lengthen_the_delay_then_lock);
  RUN(lock_holds_for_that_login_and_address_only);
  RUN(lock_ends_and_a_quiet_failure_count_is_forgotten);
  RUN(unknown_login_costs_a_hash_like_a_wrong_password);
  RUN(password_change_and_disabling_end_sessions);
  RUN(audit_log_is_append_only_json);
  faq_db_close(db);
  faq_lang_free(lang);
  test_rmdir(dir);
  return done_testing();
}
