/*
 * tables.c — bot's tables as an ordered list of steps (bot/tables.h), and
 * opening the database with them.
 *
 * Step N is schema_version's "bot" N. Each step names only bot's own
 * tables (tests/sql_owners.sh); a foreign key may point at faq's
 * department, which is not a use. The steps were once numbers in one
 * global list in faq/schema.c, counted in PRAGMA user_version; "(old N)"
 * says which, and faq/schema.c maps a database from then to its versions.
 * A shipped step is never edited: a later feature appends one.
 */
#include "bot/tables.h"
#include "faq/analyze.h"
#include "faq/db.h"
#include "util/mg_err.h"

static const char *const steps[] = {
  /* 1 (old 2) — the chat service: sessions, masked transcripts, feedback, staff
   * tickets and the audit log (bot/session.c, bot/ticket.c). Free text is
   * masked before it is written; ticket.contact alone is kept as the
   * resident typed it, shown only to the ticket's department, each read
   * logged in audit_log. Times are UTC ISO-8601; ticket numbers and
   * ticket_seq.day use the Asia/Tokyo date. */
  "CREATE TABLE session(id TEXT PRIMARY KEY, created_at TEXT NOT NULL, last_seen_at TEXT NOT NULL,\n"
  "  expires_at TEXT NOT NULL) WITHOUT ROWID;\n"
  "CREATE INDEX session_expires ON session(expires_at);\n"
  "CREATE TABLE message(id INTEGER PRIMARY KEY,\n"
  "  session_id TEXT NOT NULL REFERENCES session(id) ON DELETE CASCADE,\n"
  "  role TEXT NOT NULL CHECK(role IN ('resident', 'bot', 'staff', 'system')),\n"
  "  text TEXT NOT NULL,\n"                 /* masked */
  "  kind TEXT NOT NULL,\n"                 /* ask, choose, escalate, answer, clarify, no_answer, ticket, staff_reply */
  "  faq_id TEXT, decision TEXT, confidence REAL,\n"
  "  department_id TEXT,\n"                 /* routing for escalation: the answer's or best candidate's */
  "  rule_name TEXT, rule_kind TEXT,\n"
  "  choices TEXT,\n"                       /* clarify: JSON [{faq_id, question}] offered */
  "  created_at TEXT NOT NULL);\n"
  "CREATE INDEX message_session ON message(session_id, role, kind, id);\n"
  "CREATE TABLE feedback(id INTEGER PRIMARY KEY,\n"
  "  session_id TEXT REFERENCES session(id) ON DELETE SET NULL,\n"
  "  answer_id INTEGER REFERENCES message(id) ON DELETE SET NULL, faq_id TEXT,\n"
  "  helpful INTEGER NOT NULL CHECK(helpful IN (0, 1)),\n"
  "  comment TEXT NOT NULL DEFAULT '', question TEXT NOT NULL DEFAULT '',\n"  /* both masked */
  "  created_at TEXT NOT NULL);\n"
  "CREATE INDEX feedback_faq ON feedback(faq_id, created_at);\n"
  "CREATE INDEX feedback_answer ON feedback(answer_id);\n"
  "CREATE TABLE ticket(id INTEGER PRIMARY KEY, ticket_no TEXT NOT NULL UNIQUE,\n"
  "  session_id TEXT REFERENCES session(id) ON DELETE SET NULL,\n"
  "  question TEXT NOT NULL,\n"             /* masked */
  "  department_id TEXT REFERENCES department(id),\n"
  "  routed_by TEXT NOT NULL CHECK(routed_by IN ('engine', 'rule', 'default')),\n"
  "  status TEXT NOT NULL DEFAULT 'open' CHECK(status IN ('open', 'answered', 'closed')),\n"
  "  contact TEXT NOT NULL DEFAULT '',\n"   /* UNMASKED: the resident's choice; reads are audited */
  "  created_at TEXT NOT NULL, first_reply_at TEXT, closed_at TEXT);\n"
  "CREATE INDEX ticket_status ON ticket(status, department_id);\n"
  "CREATE INDEX ticket_department ON ticket(department_id, status);\n"
  "CREATE INDEX ticket_session ON ticket(session_id);\n"
  "CREATE TABLE ticket_seq(day TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;\n"
  "CREATE TABLE ticket_reply(id INTEGER PRIMARY KEY,\n"
  "  ticket_id INTEGER NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,\n"
  "  author TEXT NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL,\n"
  "  delivered_at TEXT);\n"                 /* NULL until handed to the resident's session */
  "CREATE INDEX ticket_reply_ticket ON ticket_reply(ticket_id, id);\n"
  "CREATE INDEX ticket_reply_undelivered ON ticket_reply(ticket_id) WHERE delivered_at IS NULL;\n"
  "CREATE TABLE ticket_event(id INTEGER PRIMARY KEY,\n"
  "  ticket_id INTEGER NOT NULL REFERENCES ticket(id) ON DELETE CASCADE, at TEXT NOT NULL,\n"
  "  actor TEXT NOT NULL, action TEXT NOT NULL CHECK(action IN ('create', 'reply', 'close', 'reassign')),\n"
  "  from_department TEXT, to_department TEXT, reason TEXT NOT NULL DEFAULT '');\n"
  "CREATE INDEX ticket_event_ticket ON ticket_event(ticket_id, id);\n"
  "CREATE TABLE audit_log(id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL,\n"
  "  action TEXT NOT NULL, target TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '');\n"
  "CREATE INDEX audit_log_target ON audit_log(target, id);\n"
  "CREATE INDEX audit_log_action ON audit_log(action, id);\n",

  /* 2 (old 3) — the staff console (bot/auth.c, bot/audit.c): accounts with an
   * Argon2id password hash and a failed-login count, web sessions stored by
   * the hash of their id, and before/after state on audit_log, which becomes
   * append-only. */
  "CREATE TABLE user(id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,\n"
  "  role TEXT NOT NULL CHECK(role IN ('staff', 'supervisor', 'admin')),\n"
  "  department_id TEXT REFERENCES department(id),\n"
  "  pw_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,\n"
  "  failed_count INTEGER NOT NULL DEFAULT 0, locked_until TEXT,\n"
  "  created_at TEXT NOT NULL,\n"
  "  CHECK(role <> 'staff' OR department_id IS NOT NULL));\n"
  "CREATE TABLE web_session(id TEXT PRIMARY KEY,\n"   /* hex BLAKE2b of the cookie value, never the value */
  "  user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,\n"
  "  csrf TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL) WITHOUT ROWID;\n"
  "CREATE INDEX web_session_user ON web_session(user_id);\n"
  "CREATE INDEX web_session_expires ON web_session(expires_at);\n"
  "ALTER TABLE audit_log ADD COLUMN before_json TEXT;\n"
  "ALTER TABLE audit_log ADD COLUMN after_json TEXT;\n"
  "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN\n"
  "  SELECT RAISE(ABORT, 'audit_log is append-only');\n"
  "END;\n"
  "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN\n"
  "  SELECT RAISE(ABORT, 'audit_log is append-only');\n"
  "END;\n",

  /* 3 (old 4) — the console's statistics and unanswered view read the transcript,
   * feedback and tickets by time range; without these a dashboard scans
   * every stored line. Timestamps only grow, so each index is appended at
   * its right edge and costs the chat's write path little. */
  "CREATE INDEX message_created ON message(created_at);\n"
  "CREATE INDEX feedback_created ON feedback(created_at);\n"
  "CREATE INDEX ticket_created ON ticket(created_at);\n",

  /* 4 (old 5) — the safety layer's decision on each bot line (level, numbers and
   * the cues that fired, as JSON) for the supervisor's review. */
  "ALTER TABLE message ADD COLUMN safety TEXT;\n",

  /* 5 (old 6) — failed console logins are counted per (login, client address)
   * (bot/auth.c, attack review F10): a stranger's wrong passwords lock only
   * the stranger's address out of an account, never the real user on
   * another. Unknown logins get rows too, so they behave like known ones.
   * user.failed_count and user.locked_until are no longer written. */
  "CREATE TABLE login_failure(login TEXT NOT NULL, ip TEXT NOT NULL,\n"
  "  failed_count INTEGER NOT NULL DEFAULT 0, locked_until TEXT, last_at TEXT NOT NULL,\n"
  "  PRIMARY KEY(login, ip)) WITHOUT ROWID;\n"
  "CREATE INDEX login_failure_last ON login_failure(last_at);\n",

  /* 6 (old 9) — a ticket is a thread (bot/ticket.c): the resident answers staff, in
   * the chat or at /t/<number> with the lookup secret they were shown once
   * (only its BLAKE2b hash is kept); ticket_reply rows carry their side. A
   * resident's line is delivered when written (delivered_at is set), so it
   * is never pending for the resident's own session. */
  "ALTER TABLE ticket ADD COLUMN lookup_hash TEXT;\n"
  "ALTER TABLE ticket_reply ADD COLUMN side TEXT NOT NULL DEFAULT 'staff' CHECK(side IN ('staff', 'resident'));\n",

  /* 7 (old 10) — notices that leave the process (bot/outbox.c): a resident may ask
   * for an e-mail when staff reply (ticket.notify_email: the address as
   * given, never shown to staff); each notice is queued in the transaction
   * that causes it and sent by one delivery thread (adapters/mail.c). */
  "ALTER TABLE ticket ADD COLUMN notify_email TEXT;\n"
  "CREATE TABLE outbox(id INTEGER PRIMARY KEY,\n"
  "  ticket_id INTEGER NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,\n"
  "  channel TEXT NOT NULL CHECK(channel IN ('email')), recipient TEXT NOT NULL,\n"
  "  kind TEXT NOT NULL CHECK(kind IN ('received', 'reply')), secret TEXT,\n"
  "  state TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending', 'sent', 'failed')),\n"
  "  attempts INTEGER NOT NULL DEFAULT 0, next_at TEXT NOT NULL, last_error TEXT NOT NULL DEFAULT '',\n"
  "  created_at TEXT NOT NULL, sent_at TEXT);\n"
  "CREATE INDEX outbox_due ON outbox(state, next_at);\n"
  "CREATE INDEX outbox_ticket ON outbox(ticket_id);\n",

  /* 8 (old 11) — ticket work (bot/ticket.c): who in the department has a ticket,
   * staff's internal notes (never shown to the resident), and each
   * department's canned replies. */
  "ALTER TABLE ticket ADD COLUMN assignee TEXT;\n"
  "CREATE TABLE ticket_note(id INTEGER PRIMARY KEY,\n"
  "  ticket_id INTEGER NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,\n"
  "  author TEXT NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL);\n"
  "CREATE INDEX ticket_note_ticket ON ticket_note(ticket_id, id);\n"
  "CREATE TABLE canned_reply(id INTEGER PRIMARY KEY, department_id TEXT NOT NULL REFERENCES department(id),\n"
  "  title TEXT NOT NULL, text TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL);\n"
  "CREATE INDEX canned_reply_department ON canned_reply(department_id, title);\n",

  /* 9 (old 13) — staff marks on unanswered questions (bot/unanswered.c): a key is
   * "m<message id>" (a no_answer reply) or "f<feedback id>" (not helpful);
   * closed ones leave the list, merged ones join the group of into_key. */
  "CREATE TABLE unanswered_mark(key TEXT PRIMARY KEY,\n"
  "  action TEXT NOT NULL CHECK(action IN ('closed', 'merged')),\n"
  "  into_key TEXT CHECK((action = 'merged') = (into_key IS NOT NULL)),\n"
  "  by TEXT NOT NULL, at TEXT NOT NULL);\n",

  /* 10 (old 16) — the LINE channel (bot/line_store.c, adapters/line.c, docs/channels.md).
   * line_user is the one place the raw LINE user id is kept (for the push
   * API); no console API reads it, logs carry user_hash (a keyed BLAKE2b).
   * line_session maps every chat session a LINE user has had to that user,
   * so a staff reply to an old ticket still finds them. line_event remembers
   * webhook event ids (redeliveries are answered once); line_push_month
   * counts pushes per Asia/Tokyo month (the plan's quota). The outbox is
   * rebuilt: a LINE reply has no ticket, LINE rows carry their messages
   * (payload, erased once sent) and their user, and a push over the quota
   * is held (state 'held') where staff see it. */
  "CREATE TABLE line_user(id INTEGER PRIMARY KEY, user_hash TEXT NOT NULL UNIQUE,\n"
  "  user_id_raw TEXT NOT NULL,\n"          /* the LINE user id: delivery only */
  "  session_id TEXT,\n"                    /* the current chat session */
  "  followed INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, last_seen_at TEXT NOT NULL);\n"
  "CREATE INDEX line_user_seen ON line_user(last_seen_at);\n"
  "CREATE TABLE line_session(session_id TEXT PRIMARY KEY REFERENCES session(id) ON DELETE CASCADE,\n"
  "  user_id INTEGER NOT NULL REFERENCES line_user(id) ON DELETE CASCADE) WITHOUT ROWID;\n"
  "CREATE INDEX line_session_user ON line_session(user_id);\n"
  "CREATE TABLE line_event(event_id TEXT PRIMARY KEY, at TEXT NOT NULL) WITHOUT ROWID;\n"
  "CREATE INDEX line_event_at ON line_event(at);\n"
  "CREATE TABLE line_push_month(month TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;\n"
  "CREATE TABLE outbox_new(id INTEGER PRIMARY KEY,\n"
  "  ticket_id INTEGER REFERENCES ticket(id) ON DELETE CASCADE,\n"
  "  channel TEXT NOT NULL CHECK(channel IN ('email', 'line')), recipient TEXT NOT NULL,\n"
  "  kind TEXT NOT NULL CHECK(kind IN ('received', 'reply', 'line_reply', 'line_push')), secret TEXT,\n"
  "  state TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending', 'sent', 'failed', 'held')),\n"
  "  attempts INTEGER NOT NULL DEFAULT 0, next_at TEXT NOT NULL, last_error TEXT NOT NULL DEFAULT '',\n"
  "  created_at TEXT NOT NULL, sent_at TEXT,\n"
  "  line_user INTEGER REFERENCES line_user(id) ON DELETE CASCADE, payload TEXT);\n"
  "INSERT INTO outbox_new(id, ticket_id, channel, recipient, kind, secret, state, attempts, next_at, last_error,\n"
  "  created_at, sent_at) SELECT id, ticket_id, channel, recipient, kind, secret, state, attempts, next_at,\n"
  "  last_error, created_at, sent_at FROM outbox;\n"
  "DROP TABLE outbox;\n"
  "ALTER TABLE outbox_new RENAME TO outbox;\n"
  "CREATE INDEX outbox_due ON outbox(channel, state, next_at);\n"
  "CREATE INDEX outbox_ticket ON outbox(ticket_id);\n"
  "CREATE INDEX outbox_line_user ON outbox(line_user);\n",

  /* 11 (old 17) — inquiries from the contact form and the mailbox (bot/inquiry.c,
   * issue 17 item 2). An inquiry is a ticket (routed_by 'inquiry') plus what
   * only inquiries have: where it came from, the mail's Message-ID (unique:
   * importing a mailbox twice stores nothing twice), the Message-ID of our
   * acknowledgement (a resident's reply to it joins the ticket), the answer
   * date promised in it and the suggested reply (the best FAQ entries, as
   * JSON). message_id holds every id a ticket is known by — the inquiry's,
   * the acknowledgement's, later replies' — so a reply to any of them finds
   * its ticket. triage_example is what staff taught by re-routing an
   * inquiry: its masked text's terms and the department it belonged to.
   * ticket.routed_by and outbox.kind gain 'inquiry' (the acknowledgement
   * is a notice of its own kind): SQLite cannot ALTER a CHECK, and
   * loosening one is the schema edit its documentation allows through
   * writable_schema (the file format is unchanged); RESET makes this
   * connection re-read the schema, the CREATEs below move the schema
   * cookie for every other connection. */
  "PRAGMA writable_schema=ON;\n"
  "UPDATE sqlite_schema SET sql = replace(replace(sql,\n"
  "  'CHECK(routed_by IN (''engine'', ''rule'', ''default''))', 'CHECK(routed_by IN (''engine'', ''rule'', ''default'', ''inquiry''))'),\n"
  "  'CHECK(kind IN (''received'', ''reply'', ''line_reply'', ''line_push''))',\n"
  "  'CHECK(kind IN (''received'', ''reply'', ''line_reply'', ''line_push'', ''inquiry''))')\n"
  "  WHERE type = 'table' AND name IN ('ticket', 'outbox');\n"
  "PRAGMA writable_schema=RESET;\n"
  "CREATE TABLE inquiry(ticket_id INTEGER PRIMARY KEY REFERENCES ticket(id) ON DELETE CASCADE,\n"
  "  source TEXT NOT NULL CHECK(source IN ('form', 'mail')), form_id TEXT NOT NULL DEFAULT '',\n"
  "  subject TEXT NOT NULL DEFAULT '', suggestion TEXT NOT NULL DEFAULT '[]',\n"
  "  answer_by TEXT NOT NULL DEFAULT '', triage TEXT NOT NULL DEFAULT '{}');\n"
  "CREATE TABLE inquiry_message(message_id TEXT PRIMARY KEY,\n"
  "  ticket_id INTEGER NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,\n"
  "  kind TEXT NOT NULL CHECK(kind IN ('inquiry', 'ack', 'reply')), at TEXT NOT NULL) WITHOUT ROWID;\n"
  "CREATE INDEX inquiry_message_ticket ON inquiry_message(ticket_id);\n"
  "CREATE TABLE triage_example(id INTEGER PRIMARY KEY, terms TEXT NOT NULL,\n"
  "  department_id TEXT NOT NULL REFERENCES department(id) ON DELETE CASCADE,\n"
  "  ticket_id INTEGER REFERENCES ticket(id) ON DELETE SET NULL, at TEXT NOT NULL);\n",

  /* 12 (old 18, item 4 of issue 16) — whether a bot line showed an online application (1) or
   * sent the resident to a counter (0); NULL for lines that were neither
   * or predate this step */
  "ALTER TABLE message ADD COLUMN online INTEGER;\n",

  /* 13 — append bot's next step here (never edit the steps above). */
};
#define N_STEPS ((int)(sizeof steps / sizeof steps[0]))

int bot_db_schema_max(void) { return N_STEPS; }

int bot_db_version(sqlite3 *db) { return faq_db_module_version(db, "bot"); }

int bot_db_migrate(sqlite3 *db, char *err) { return faq_db_migrate_module(db, "bot", steps, N_STEPS, err); }

/* bot's pending steps on a connection with a temporary language. A step
 * that renames a table (old 16's outbox) makes SQLite re-read every
 * trigger, faq's on its index too, which need the mecab tokenizer; the
 * commands that open without a language (faq_db_open explains) get it
 * here, as a new file does in faq_db_open. */
static int migrate_with_lang(const mg_config *cfg, char *err) {
  mg_lang *lang = NULL;
  sqlite3 *db = NULL;
  int rc;
  if ((rc = faq_lang_new(&lang, cfg, err))) goto out;
  rc = bot_db_open(&db, cfg, lang, err);
out:
  faq_db_close(db);
  faq_lang_free(lang);
  return rc;
}

int bot_db_open(sqlite3 **out, const mg_config *cfg, struct mg_lang *lang, char *err) {
  sqlite3 *db = NULL;
  int rc, v;
  if ((rc = faq_db_open(&db, cfg, lang, err))) goto out;
  if (!lang && (v = bot_db_version(db)) >= 0 && v < N_STEPS) {
    faq_db_close(db);
    db = NULL;
    if ((rc = migrate_with_lang(cfg, err)) || (rc = faq_db_open(&db, cfg, NULL, err))) goto out;
  }
  rc = bot_db_migrate(db, err);
out:
  if (rc) { faq_db_close(db); db = NULL; }
  *out = db;
  return rc;
}

void bot_db_thread_done(sqlite3 *db) { faq_db_stmt_release(db); }
void bot_db_close(sqlite3 *db) { faq_db_close(db); }
int bot_db_touch(sqlite3 *db, char *err) { return faq_db_touch(db, err); }

int bot_db_open_memory(sqlite3 **out, struct mg_lang *lang, char *err) {
  sqlite3 *db = NULL;
  int rc;
  if ((rc = faq_db_open_memory(&db, lang, err))) goto out;
  rc = bot_db_migrate(db, err);
out:
  if (rc) { faq_db_close(db); db = NULL; }
  *out = db;
  return rc;
}
