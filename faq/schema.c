/*
 * schema.c — the database schema as an ordered list of migrations.
 *
 * PRAGMA user_version is the number of migrations applied. Each step runs in
 * its own BEGIN IMMEDIATE transaction and re-reads user_version inside it, so
 * two processes opening a new file at once cannot both apply a step. A
 * shipped step is never edited: a later feature appends one to `migrations`
 * (the next index is the next version).
 *
 * The FTS5 index faq_fts is an external-content table over the view
 * faq_published, so it holds only the published revision of each entry.
 * Triggers on faq keep it in sync: a revision's text never changes (a
 * trigger rejects UPDATE on faq_revision), so moving published_rev is the
 * only event that changes what is indexed; the old text is deleted from the
 * index using the old revision row. These triggers re-tokenize that old text
 * with the current analysis, which is why db.c rebuilds the index whenever
 * the analysis fingerprint changes (see docs/architecture.md).
 */
#include "faq/db.h"
#include "util/mg_err.h"

#include <stdio.h>

static const char *const migrations[] = {
  /* 1 — the FAQ (docs/architecture.md "Database") */
  "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
  "CREATE TABLE department(id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT NOT NULL DEFAULT '',\n"
  "  email TEXT NOT NULL DEFAULT '', hours TEXT NOT NULL DEFAULT '', location TEXT NOT NULL DEFAULT '');\n"
  "CREATE TABLE faq(id INTEGER PRIMARY KEY, ext_id TEXT NOT NULL UNIQUE,\n"
  "  published_rev INTEGER REFERENCES faq_revision(id), created_at TEXT NOT NULL);\n"
  "CREATE TABLE faq_revision(id INTEGER PRIMARY KEY, faq_id INTEGER NOT NULL REFERENCES faq(id),\n"
  "  version INTEGER NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL,\n"
  "  alternates TEXT NOT NULL DEFAULT '',\n"
  "  keywords TEXT NOT NULL DEFAULT '',\n"
  "  category TEXT NOT NULL DEFAULT '', department_id TEXT REFERENCES department(id),\n"
  "  url TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,\n"
  "  UNIQUE(faq_id, version));\n"
  "CREATE INDEX faq_revision_department ON faq_revision(department_id);\n"
  "CREATE VIEW faq_published(id, ext_id, question, alternates, keywords, answer, category, department_id) AS\n"
  "  SELECT f.id, f.ext_id, r.question, r.alternates, r.keywords, r.answer, r.category, r.department_id\n"
  "  FROM faq f JOIN faq_revision r ON r.id = f.published_rev;\n"
  "CREATE VIRTUAL TABLE faq_fts USING fts5(question, alternates, keywords, answer,\n"
  "  content='faq_published', content_rowid='id', tokenize='mecab');\n"
  "CREATE TRIGGER faq_ai AFTER INSERT ON faq WHEN new.published_rev IS NOT NULL BEGIN\n"
  "  INSERT INTO faq_fts(rowid, question, alternates, keywords, answer)\n"
  "    SELECT new.id, r.question, r.alternates, r.keywords, r.answer FROM faq_revision r\n"
  "    WHERE r.id = new.published_rev;\n"
  "END;\n"
  "CREATE TRIGGER faq_au AFTER UPDATE OF published_rev ON faq BEGIN\n"
  "  INSERT INTO faq_fts(faq_fts, rowid, question, alternates, keywords, answer)\n"
  "    SELECT 'delete', old.id, r.question, r.alternates, r.keywords, r.answer FROM faq_revision r\n"
  "    WHERE r.id = old.published_rev;\n"
  "  INSERT INTO faq_fts(rowid, question, alternates, keywords, answer)\n"
  "    SELECT new.id, r.question, r.alternates, r.keywords, r.answer FROM faq_revision r\n"
  "    WHERE r.id = new.published_rev;\n"
  "END;\n"
  "CREATE TRIGGER faq_bd BEFORE DELETE ON faq BEGIN\n"
  "  INSERT INTO faq_fts(faq_fts, rowid, question, alternates, keywords, answer)\n"
  "    SELECT 'delete', old.id, r.question, r.alternates, r.keywords, r.answer FROM faq_revision r\n"
  "    WHERE r.id = old.published_rev;\n"
  "END;\n"
  "CREATE TRIGGER faq_revision_immutable BEFORE UPDATE ON faq_revision BEGIN\n"
  "  SELECT RAISE(ABORT, 'faq_revision rows are immutable: add a revision instead');\n"
  "END;\n",

  /* 2 — the chat service: sessions, masked transcripts, feedback, staff
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

  /* 3 — the staff console (bot/auth.c, bot/audit.c): accounts with an
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

  /* 4 — the console's statistics and unanswered view read the transcript,
   * feedback and tickets by time range; without these a dashboard scans
   * every stored line. Timestamps only grow, so each index is appended at
   * its right edge and costs the chat's write path little. */
  "CREATE INDEX message_created ON message(created_at);\n"
  "CREATE INDEX feedback_created ON feedback(created_at);\n"
  "CREATE INDEX ticket_created ON ticket(created_at);\n",

  /* 5 — the safety layer's decision on each bot line (level, numbers and
   * the cues that fired, as JSON) for the supervisor's review. */
  "ALTER TABLE message ADD COLUMN safety TEXT;\n",

  /* 6 — failed console logins are counted per (login, client address)
   * (bot/auth.c, attack review F10): a stranger's wrong passwords lock only
   * the stranger's address out of an account, never the real user on
   * another. Unknown logins get rows too, so they behave like known ones.
   * user.failed_count and user.locked_until are no longer written. */
  "CREATE TABLE login_failure(login TEXT NOT NULL, ip TEXT NOT NULL,\n"
  "  failed_count INTEGER NOT NULL DEFAULT 0, locked_until TEXT, last_at TEXT NOT NULL,\n"
  "  PRIMARY KEY(login, ip)) WITHOUT ROWID;\n"
  "CREATE INDEX login_failure_last ON login_failure(last_at);\n",

  /* 7 — imports written in chunks (faq/io_chunked.c): each import, its
   * progress and heartbeat, and the journal that undoes it until it is done. */
  "CREATE TABLE faq_import(id INTEGER PRIMARY KEY, by TEXT NOT NULL, file TEXT NOT NULL,\n"
  "  state TEXT NOT NULL CHECK(state IN ('writing', 'done', 'rolled_back')),\n"
  "  rows_total INTEGER NOT NULL, rows_done INTEGER NOT NULL DEFAULT 0,\n"
  "  started_at TEXT NOT NULL, heartbeat_at TEXT NOT NULL, finished_at TEXT);\n"
  "CREATE INDEX faq_import_state ON faq_import(state);\n"
  "CREATE TABLE faq_import_undo(id INTEGER PRIMARY KEY,\n"
  "  import_id INTEGER NOT NULL REFERENCES faq_import(id),\n"
  "  kind TEXT NOT NULL CHECK(kind IN ('faq', 'department')), key TEXT NOT NULL,\n"
  "  existed INTEGER NOT NULL, prev_pub INTEGER, prev_max_rev INTEGER, prev_dept TEXT);\n"
  "CREATE INDEX faq_import_undo_import ON faq_import_undo(import_id);\n",

  /* 8 — the learning loop (faq/learn.c): residents' questions that ended on
   * an entry, as candidate phrasings (masked text, deduplicated on its
   * normalised form) with one evidence row per session and a keyed hash of
   * the client address, so one address cannot make a phrasing alone. */
  "CREATE TABLE phrasing_candidate(id INTEGER PRIMARY KEY,\n"
  "  faq_id INTEGER NOT NULL REFERENCES faq(id), norm TEXT NOT NULL, text TEXT NOT NULL,\n"
  "  state TEXT NOT NULL DEFAULT 'new' CHECK(state IN ('new', 'accepted', 'rejected')),\n"
  "  created_at TEXT NOT NULL, decided_at TEXT, decided_by TEXT,\n"
  "  UNIQUE(faq_id, norm));\n"
  "CREATE INDEX phrasing_candidate_state ON phrasing_candidate(state);\n"
  "CREATE TABLE phrasing_evidence(candidate_id INTEGER NOT NULL REFERENCES phrasing_candidate(id),\n"
  "  session_ref TEXT NOT NULL, addr_ref TEXT NOT NULL,\n"
  "  kind TEXT NOT NULL CHECK(kind IN ('choose', 'helpful', 'staff', 'eval')), at TEXT NOT NULL,\n"
  "  PRIMARY KEY(candidate_id, session_ref)) WITHOUT ROWID;\n",

  /* 9 — a ticket is a thread (bot/ticket.c): the resident answers staff, in
   * the chat or at /t/<number> with the lookup secret they were shown once
   * (only its BLAKE2b hash is kept); ticket_reply rows carry their side. A
   * resident's line is delivered when written (delivered_at is set), so it
   * is never pending for the resident's own session. */
  "ALTER TABLE ticket ADD COLUMN lookup_hash TEXT;\n"
  "ALTER TABLE ticket_reply ADD COLUMN side TEXT NOT NULL DEFAULT 'staff' CHECK(side IN ('staff', 'resident'));\n",

  /* 10 — notices that leave the process (bot/outbox.c): a resident may ask
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

  /* 11 — ticket work (bot/ticket.c): who in the department has a ticket,
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

  /* 12 — each department's answer target in working days (NULL: the
   * configuration's answer_days), for the overdue view (bot/ticket.c). */
  "ALTER TABLE department ADD COLUMN answer_days INTEGER CHECK(answer_days IS NULL OR answer_days BETWEEN 1 AND 60);\n",

  /* 13 — staff marks on unanswered questions (bot/unanswered.c): a key is
   * "m<message id>" (a no_answer reply) or "f<feedback id>" (not helpful);
   * closed ones leave the list, merged ones join the group of into_key. */
  "CREATE TABLE unanswered_mark(key TEXT PRIMARY KEY,\n"
  "  action TEXT NOT NULL CHECK(action IN ('closed', 'merged')),\n"
  "  into_key TEXT CHECK((action = 'merged') = (into_key IS NOT NULL)),\n"
  "  by TEXT NOT NULL, at TEXT NOT NULL);\n",

  /* 14 — the URL of an entry's online application (行かない窓口): answers and
   * the public pages show it first when there is one (issue 16, item 4). */
  "ALTER TABLE faq_revision ADD COLUMN online_url TEXT NOT NULL DEFAULT '';\n",
  /* 15 — related entries (issue 12): a revision may list entries a resident
   * would want next ("転入届" → "転出届", "住民票"), by ext_id, one per line
   * like alternates and keywords. Ids are not foreign keys: an entry named
   * may be unpublished or removed later, and is then simply not shown. */
  "ALTER TABLE faq_revision ADD COLUMN related TEXT NOT NULL DEFAULT '';\n",

  /* 16 — the LINE channel (bot/line_store.c, adapters/line.c, docs/channels.md).
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
  /* 17 — inquiries from the contact form and the mailbox (bot/inquiry.c,
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

  /* 18 — life-event checklists (issue 16, item 2): a procedure is an FAQ
   * entry that names the life events it belongs to, one per line with an
   * optional condition on the resident's answers ("転入 if car"), and says
   * what to bring, by when and what it costs. Revisions, drafts, publish and
   * the department card come with the entry (docs/public-pages.md). */
  "ALTER TABLE faq_revision ADD COLUMN life_events TEXT NOT NULL DEFAULT '';\n"
  "ALTER TABLE faq_revision ADD COLUMN bring TEXT NOT NULL DEFAULT '';\n"
  "ALTER TABLE faq_revision ADD COLUMN deadline TEXT NOT NULL DEFAULT '';\n"
  "ALTER TABLE faq_revision ADD COLUMN fee TEXT NOT NULL DEFAULT '';\n"
  /* and (item 4) whether a bot line showed an online application (1) or
   * sent the resident to a counter (0); NULL for lines that were neither
   * or predate this step */
  "ALTER TABLE message ADD COLUMN online INTEGER;\n",

  /* 19 — English and やさしい日本語 versions of an entry (issue 17, item 3):
   * part of the revision, so a translation is drafted, reviewed and
   * published with the Japanese text it translates. "" means none: the
   * resident who chose that language is answered in Japanese (docs/languages.md). */
  "ALTER TABLE faq_revision ADD COLUMN question_en TEXT NOT NULL DEFAULT '';\n"
  "ALTER TABLE faq_revision ADD COLUMN answer_en TEXT NOT NULL DEFAULT '';\n"
  "ALTER TABLE faq_revision ADD COLUMN question_easy TEXT NOT NULL DEFAULT '';\n"
  "ALTER TABLE faq_revision ADD COLUMN answer_easy TEXT NOT NULL DEFAULT '';\n",

  /* 20 — an English index over the published entries' English versions
   * (faq/store.c faq_search_en): an English question is compared with
   * English text by FTS5's own porter stemmer, beside the Japanese index
   * that the English-to-Japanese table reaches (docs/languages.md). Kept
   * in step with faq_fts by the same three moments: insert, publish,
   * delete. */
  "CREATE VIEW faq_published_en(id, question, answer) AS\n"
  "  SELECT f.id, r.question_en, r.answer_en FROM faq f JOIN faq_revision r ON r.id = f.published_rev;\n"
  "CREATE VIRTUAL TABLE faq_en_fts USING fts5(question, answer,\n"
  "  content='faq_published_en', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');\n"
  "CREATE TRIGGER faq_en_ai AFTER INSERT ON faq WHEN new.published_rev IS NOT NULL BEGIN\n"
  "  INSERT INTO faq_en_fts(rowid, question, answer)\n"
  "    SELECT new.id, r.question_en, r.answer_en FROM faq_revision r WHERE r.id = new.published_rev;\n"
  "END;\n"
  "CREATE TRIGGER faq_en_au AFTER UPDATE OF published_rev ON faq BEGIN\n"
  "  INSERT INTO faq_en_fts(faq_en_fts, rowid, question, answer)\n"
  "    SELECT 'delete', old.id, r.question_en, r.answer_en FROM faq_revision r WHERE r.id = old.published_rev;\n"
  "  INSERT INTO faq_en_fts(rowid, question, answer)\n"
  "    SELECT new.id, r.question_en, r.answer_en FROM faq_revision r WHERE r.id = new.published_rev;\n"
  "END;\n"
  "CREATE TRIGGER faq_en_bd BEFORE DELETE ON faq BEGIN\n"
  "  INSERT INTO faq_en_fts(faq_en_fts, rowid, question, answer)\n"
  "    SELECT 'delete', old.id, r.question_en, r.answer_en FROM faq_revision r WHERE r.id = old.published_rev;\n"
  "END;\n"
  "INSERT INTO faq_en_fts(faq_en_fts) VALUES ('rebuild');\n",

  /* 21 — append the next migration here (never edit the steps above). */
};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int faq_db_schema_max(void) { return N_MIGRATIONS; }

int faq_db_version(sqlite3 *db) {
  sqlite3_stmt *st = NULL;
  int v = -1;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* Apply step i (0-based) inside the caller's transaction, when still pending. */
static int apply_step(sqlite3 *db, void *ctx, char *err) {
  int i = *(int *)ctx;
  char pragma[64], *msg = NULL;
  if (faq_db_version(db) > i) return 0; /* another process got there first */
  if (sqlite3_exec(db, migrations[i], NULL, NULL, &msg) != SQLITE_OK) {
    mg_errf(err, MG_EDB, "migration %d: %s", i + 1, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return MG_EDB;
  }
  snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", i + 1);
  if (sqlite3_exec(db, pragma, NULL, NULL, NULL) != SQLITE_OK)
    return mg_errf(err, MG_EDB, "migration %d: %s", i + 1, sqlite3_errmsg(db));
  return 0;
}

int faq_db_migrate(sqlite3 *db, char *err) {
  int v = faq_db_version(db);
  if (v < 0) return mg_errf(err, MG_EDB, "reading the schema version: %s", sqlite3_errmsg(db));
  if (v > N_MIGRATIONS)
    return mg_errf(err, MG_EDB, "the database has schema version %d, newer than this program (%d)", v, N_MIGRATIONS);
  for (int i = v; i < N_MIGRATIONS; i++) {
    int rc = faq_db_tx(db, apply_step, &i, err);
    if (rc) return rc;
  }
  return 0;
}
