-- The 20 schema steps of faq/schema.c before schema_version (commit 3eb776b),
-- counted then in PRAGMA user_version, one "-- legacy step N" line before each,
-- printed from that commit's migrations array unchanged. tests/t_schema.c
-- builds databases of every old version from them.
-- legacy step 1
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE department(id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '', hours TEXT NOT NULL DEFAULT '', location TEXT NOT NULL DEFAULT '');
CREATE TABLE faq(id INTEGER PRIMARY KEY, ext_id TEXT NOT NULL UNIQUE,
  published_rev INTEGER REFERENCES faq_revision(id), created_at TEXT NOT NULL);
CREATE TABLE faq_revision(id INTEGER PRIMARY KEY, faq_id INTEGER NOT NULL REFERENCES faq(id),
  version INTEGER NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL,
  alternates TEXT NOT NULL DEFAULT '',
  keywords TEXT NOT NULL DEFAULT '',
  category TEXT NOT NULL DEFAULT '', department_id TEXT REFERENCES department(id),
  url TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
  UNIQUE(faq_id, version));
CREATE INDEX faq_revision_department ON faq_revision(department_id);
CREATE VIEW faq_published(id, ext_id, question, alternates, keywords, answer, category, department_id) AS
  SELECT f.id, f.ext_id, r.question, r.alternates, r.keywords, r.answer, r.category, r.department_id
  FROM faq f JOIN faq_revision r ON r.id = f.published_rev;
CREATE VIRTUAL TABLE faq_fts USING fts5(question, alternates, keywords, answer,
  content='faq_published', content_rowid='id', tokenize='mecab');
CREATE TRIGGER faq_ai AFTER INSERT ON faq WHEN new.published_rev IS NOT NULL BEGIN
  INSERT INTO faq_fts(rowid, question, alternates, keywords, answer)
    SELECT new.id, r.question, r.alternates, r.keywords, r.answer FROM faq_revision r
    WHERE r.id = new.published_rev;
END;
CREATE TRIGGER faq_au AFTER UPDATE OF published_rev ON faq BEGIN
  INSERT INTO faq_fts(faq_fts, rowid, question, alternates, keywords, answer)
    SELECT 'delete', old.id, r.question, r.alternates, r.keywords, r.answer FROM faq_revision r
    WHERE r.id = old.published_rev;
  INSERT INTO faq_fts(rowid, question, alternates, keywords, answer)
    SELECT new.id, r.question, r.alternates, r.keywords, r.answer FROM faq_revision r
    WHERE r.id = new.published_rev;
END;
CREATE TRIGGER faq_bd BEFORE DELETE ON faq BEGIN
  INSERT INTO faq_fts(faq_fts, rowid, question, alternates, keywords, answer)
    SELECT 'delete', old.id, r.question, r.alternates, r.keywords, r.answer FROM faq_revision r
    WHERE r.id = old.published_rev;
END;
CREATE TRIGGER faq_revision_immutable BEFORE UPDATE ON faq_revision BEGIN
  SELECT RAISE(ABORT, 'faq_revision rows are immutable: add a revision instead');
END;
-- legacy step 2
CREATE TABLE session(id TEXT PRIMARY KEY, created_at TEXT NOT NULL, last_seen_at TEXT NOT NULL,
  expires_at TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX session_expires ON session(expires_at);
CREATE TABLE message(id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES session(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK(role IN ('resident', 'bot', 'staff', 'system')),
  text TEXT NOT NULL,
  kind TEXT NOT NULL,
  faq_id TEXT, decision TEXT, confidence REAL,
  department_id TEXT,
  rule_name TEXT, rule_kind TEXT,
  choices TEXT,
  created_at TEXT NOT NULL);
CREATE INDEX message_session ON message(session_id, role, kind, id);
CREATE TABLE feedback(id INTEGER PRIMARY KEY,
  session_id TEXT REFERENCES session(id) ON DELETE SET NULL,
  answer_id INTEGER REFERENCES message(id) ON DELETE SET NULL, faq_id TEXT,
  helpful INTEGER NOT NULL CHECK(helpful IN (0, 1)),
  comment TEXT NOT NULL DEFAULT '', question TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL);
CREATE INDEX feedback_faq ON feedback(faq_id, created_at);
CREATE INDEX feedback_answer ON feedback(answer_id);
CREATE TABLE ticket(id INTEGER PRIMARY KEY, ticket_no TEXT NOT NULL UNIQUE,
  session_id TEXT REFERENCES session(id) ON DELETE SET NULL,
  question TEXT NOT NULL,
  department_id TEXT REFERENCES department(id),
  routed_by TEXT NOT NULL CHECK(routed_by IN ('engine', 'rule', 'default')),
  status TEXT NOT NULL DEFAULT 'open' CHECK(status IN ('open', 'answered', 'closed')),
  contact TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL, first_reply_at TEXT, closed_at TEXT);
CREATE INDEX ticket_status ON ticket(status, department_id);
CREATE INDEX ticket_department ON ticket(department_id, status);
CREATE INDEX ticket_session ON ticket(session_id);
CREATE TABLE ticket_seq(day TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE ticket_reply(id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
  author TEXT NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL,
  delivered_at TEXT);
CREATE INDEX ticket_reply_ticket ON ticket_reply(ticket_id, id);
CREATE INDEX ticket_reply_undelivered ON ticket_reply(ticket_id) WHERE delivered_at IS NULL;
CREATE TABLE ticket_event(id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES ticket(id) ON DELETE CASCADE, at TEXT NOT NULL,
  actor TEXT NOT NULL, action TEXT NOT NULL CHECK(action IN ('create', 'reply', 'close', 'reassign')),
  from_department TEXT, to_department TEXT, reason TEXT NOT NULL DEFAULT '');
CREATE INDEX ticket_event_ticket ON ticket_event(ticket_id, id);
CREATE TABLE audit_log(id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL,
  action TEXT NOT NULL, target TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '');
CREATE INDEX audit_log_target ON audit_log(target, id);
CREATE INDEX audit_log_action ON audit_log(action, id);
-- legacy step 3
CREATE TABLE user(id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK(role IN ('staff', 'supervisor', 'admin')),
  department_id TEXT REFERENCES department(id),
  pw_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
  failed_count INTEGER NOT NULL DEFAULT 0, locked_until TEXT,
  created_at TEXT NOT NULL,
  CHECK(role <> 'staff' OR department_id IS NOT NULL));
CREATE TABLE web_session(id TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  csrf TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX web_session_user ON web_session(user_id);
CREATE INDEX web_session_expires ON web_session(expires_at);
ALTER TABLE audit_log ADD COLUMN before_json TEXT;
ALTER TABLE audit_log ADD COLUMN after_json TEXT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- legacy step 4
CREATE INDEX message_created ON message(created_at);
CREATE INDEX feedback_created ON feedback(created_at);
CREATE INDEX ticket_created ON ticket(created_at);
-- legacy step 5
ALTER TABLE message ADD COLUMN safety TEXT;
-- legacy step 6
CREATE TABLE login_failure(login TEXT NOT NULL, ip TEXT NOT NULL,
  failed_count INTEGER NOT NULL DEFAULT 0, locked_until TEXT, last_at TEXT NOT NULL,
  PRIMARY KEY(login, ip)) WITHOUT ROWID;
CREATE INDEX login_failure_last ON login_failure(last_at);
-- legacy step 7
CREATE TABLE faq_import(id INTEGER PRIMARY KEY, by TEXT NOT NULL, file TEXT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('writing', 'done', 'rolled_back')),
  rows_total INTEGER NOT NULL, rows_done INTEGER NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL, heartbeat_at TEXT NOT NULL, finished_at TEXT);
CREATE INDEX faq_import_state ON faq_import(state);
CREATE TABLE faq_import_undo(id INTEGER PRIMARY KEY,
  import_id INTEGER NOT NULL REFERENCES faq_import(id),
  kind TEXT NOT NULL CHECK(kind IN ('faq', 'department')), key TEXT NOT NULL,
  existed INTEGER NOT NULL, prev_pub INTEGER, prev_max_rev INTEGER, prev_dept TEXT);
CREATE INDEX faq_import_undo_import ON faq_import_undo(import_id);
-- legacy step 8
CREATE TABLE phrasing_candidate(id INTEGER PRIMARY KEY,
  faq_id INTEGER NOT NULL REFERENCES faq(id), norm TEXT NOT NULL, text TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'new' CHECK(state IN ('new', 'accepted', 'rejected')),
  created_at TEXT NOT NULL, decided_at TEXT, decided_by TEXT,
  UNIQUE(faq_id, norm));
CREATE INDEX phrasing_candidate_state ON phrasing_candidate(state);
CREATE TABLE phrasing_evidence(candidate_id INTEGER NOT NULL REFERENCES phrasing_candidate(id),
  session_ref TEXT NOT NULL, addr_ref TEXT NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('choose', 'helpful', 'staff', 'eval')), at TEXT NOT NULL,
  PRIMARY KEY(candidate_id, session_ref)) WITHOUT ROWID;
-- legacy step 9
ALTER TABLE ticket ADD COLUMN lookup_hash TEXT;
ALTER TABLE ticket_reply ADD COLUMN side TEXT NOT NULL DEFAULT 'staff' CHECK(side IN ('staff', 'resident'));
-- legacy step 10
ALTER TABLE ticket ADD COLUMN notify_email TEXT;
CREATE TABLE outbox(id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
  channel TEXT NOT NULL CHECK(channel IN ('email')), recipient TEXT NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('received', 'reply')), secret TEXT,
  state TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0, next_at TEXT NOT NULL, last_error TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL, sent_at TEXT);
CREATE INDEX outbox_due ON outbox(state, next_at);
CREATE INDEX outbox_ticket ON outbox(ticket_id);
-- legacy step 11
ALTER TABLE ticket ADD COLUMN assignee TEXT;
CREATE TABLE ticket_note(id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
  author TEXT NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX ticket_note_ticket ON ticket_note(ticket_id, id);
CREATE TABLE canned_reply(id INTEGER PRIMARY KEY, department_id TEXT NOT NULL REFERENCES department(id),
  title TEXT NOT NULL, text TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL);
CREATE INDEX canned_reply_department ON canned_reply(department_id, title);
-- legacy step 12
ALTER TABLE department ADD COLUMN answer_days INTEGER CHECK(answer_days IS NULL OR answer_days BETWEEN 1 AND 60);
-- legacy step 13
CREATE TABLE unanswered_mark(key TEXT PRIMARY KEY,
  action TEXT NOT NULL CHECK(action IN ('closed', 'merged')),
  into_key TEXT CHECK((action = 'merged') = (into_key IS NOT NULL)),
  by TEXT NOT NULL, at TEXT NOT NULL);
-- legacy step 14
ALTER TABLE faq_revision ADD COLUMN online_url TEXT NOT NULL DEFAULT '';
-- legacy step 15
ALTER TABLE faq_revision ADD COLUMN related TEXT NOT NULL DEFAULT '';
-- legacy step 16
CREATE TABLE line_user(id INTEGER PRIMARY KEY, user_hash TEXT NOT NULL UNIQUE,
  user_id_raw TEXT NOT NULL,
  session_id TEXT,
  followed INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, last_seen_at TEXT NOT NULL);
CREATE INDEX line_user_seen ON line_user(last_seen_at);
CREATE TABLE line_session(session_id TEXT PRIMARY KEY REFERENCES session(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES line_user(id) ON DELETE CASCADE) WITHOUT ROWID;
CREATE INDEX line_session_user ON line_session(user_id);
CREATE TABLE line_event(event_id TEXT PRIMARY KEY, at TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX line_event_at ON line_event(at);
CREATE TABLE line_push_month(month TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE outbox_new(id INTEGER PRIMARY KEY,
  ticket_id INTEGER REFERENCES ticket(id) ON DELETE CASCADE,
  channel TEXT NOT NULL CHECK(channel IN ('email', 'line')), recipient TEXT NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('received', 'reply', 'line_reply', 'line_push')), secret TEXT,
  state TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending', 'sent', 'failed', 'held')),
  attempts INTEGER NOT NULL DEFAULT 0, next_at TEXT NOT NULL, last_error TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL, sent_at TEXT,
  line_user INTEGER REFERENCES line_user(id) ON DELETE CASCADE, payload TEXT);
INSERT INTO outbox_new(id, ticket_id, channel, recipient, kind, secret, state, attempts, next_at, last_error,
  created_at, sent_at) SELECT id, ticket_id, channel, recipient, kind, secret, state, attempts, next_at,
  last_error, created_at, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(channel, state, next_at);
CREATE INDEX outbox_ticket ON outbox(ticket_id);
CREATE INDEX outbox_line_user ON outbox(line_user);
-- legacy step 17
PRAGMA writable_schema=ON;
UPDATE sqlite_schema SET sql = replace(replace(sql,
  'CHECK(routed_by IN (''engine'', ''rule'', ''default''))', 'CHECK(routed_by IN (''engine'', ''rule'', ''default'', ''inquiry''))'),
  'CHECK(kind IN (''received'', ''reply'', ''line_reply'', ''line_push''))',
  'CHECK(kind IN (''received'', ''reply'', ''line_reply'', ''line_push'', ''inquiry''))')
  WHERE type = 'table' AND name IN ('ticket', 'outbox');
PRAGMA writable_schema=RESET;
CREATE TABLE inquiry(ticket_id INTEGER PRIMARY KEY REFERENCES ticket(id) ON DELETE CASCADE,
  source TEXT NOT NULL CHECK(source IN ('form', 'mail')), form_id TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '', suggestion TEXT NOT NULL DEFAULT '[]',
  answer_by TEXT NOT NULL DEFAULT '', triage TEXT NOT NULL DEFAULT '{}');
CREATE TABLE inquiry_message(message_id TEXT PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK(kind IN ('inquiry', 'ack', 'reply')), at TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX inquiry_message_ticket ON inquiry_message(ticket_id);
CREATE TABLE triage_example(id INTEGER PRIMARY KEY, terms TEXT NOT NULL,
  department_id TEXT NOT NULL REFERENCES department(id) ON DELETE CASCADE,
  ticket_id INTEGER REFERENCES ticket(id) ON DELETE SET NULL, at TEXT NOT NULL);
-- legacy step 18
ALTER TABLE faq_revision ADD COLUMN life_events TEXT NOT NULL DEFAULT '';
ALTER TABLE faq_revision ADD COLUMN bring TEXT NOT NULL DEFAULT '';
ALTER TABLE faq_revision ADD COLUMN deadline TEXT NOT NULL DEFAULT '';
ALTER TABLE faq_revision ADD COLUMN fee TEXT NOT NULL DEFAULT '';
ALTER TABLE message ADD COLUMN online INTEGER;
-- legacy step 19
ALTER TABLE faq_revision ADD COLUMN question_en TEXT NOT NULL DEFAULT '';
ALTER TABLE faq_revision ADD COLUMN answer_en TEXT NOT NULL DEFAULT '';
ALTER TABLE faq_revision ADD COLUMN question_easy TEXT NOT NULL DEFAULT '';
ALTER TABLE faq_revision ADD COLUMN answer_easy TEXT NOT NULL DEFAULT '';
-- legacy step 20
CREATE VIEW faq_published_en(id, question, answer) AS
  SELECT f.id, r.question_en, r.answer_en FROM faq f JOIN faq_revision r ON r.id = f.published_rev;
CREATE VIRTUAL TABLE faq_en_fts USING fts5(question, answer,
  content='faq_published_en', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');
CREATE TRIGGER faq_en_ai AFTER INSERT ON faq WHEN new.published_rev IS NOT NULL BEGIN
  INSERT INTO faq_en_fts(rowid, question, answer)
    SELECT new.id, r.question_en, r.answer_en FROM faq_revision r WHERE r.id = new.published_rev;
END;
CREATE TRIGGER faq_en_au AFTER UPDATE OF published_rev ON faq BEGIN
  INSERT INTO faq_en_fts(faq_en_fts, rowid, question, answer)
    SELECT 'delete', old.id, r.question_en, r.answer_en FROM faq_revision r WHERE r.id = old.published_rev;
  INSERT INTO faq_en_fts(rowid, question, answer)
    SELECT new.id, r.question_en, r.answer_en FROM faq_revision r WHERE r.id = new.published_rev;
END;
CREATE TRIGGER faq_en_bd BEFORE DELETE ON faq BEGIN
  INSERT INTO faq_en_fts(faq_en_fts, rowid, question, answer)
    SELECT 'delete', old.id, r.question_en, r.answer_en FROM faq_revision r WHERE r.id = old.published_rev;
END;
INSERT INTO faq_en_fts(faq_en_fts) VALUES ('rebuild');
