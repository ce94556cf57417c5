/*
 * inquiry.c — triage and storage of residents' inquiries (see inquiry.h).
 *
 * Triage is votes, not rules of its own: every question the pipeline is
 * asked (the subject, the whole cleaned text, each sentence) votes for the
 * department its answer routes to and for the entries it found, weighted by
 * the engine's confidence. A sentence-level vote matters because an e-mail
 * says its matter in one sentence among many ("先月引っ越してきました。…
 * ごみの収集日を教えてください。"); the whole text keeps the context. The
 * subject is weighted up: residents name the matter there. What the text
 * says about the writer — greetings, closings, signature, contact lines —
 * is dropped first (dict/inquiry.json), so it cannot vote.
 *
 * Learning: when staff re-route an inquiry, its terms (the engine's
 * analysis of the masked text) are stored with the department it belonged
 * to. A new inquiry whose terms overlap an example enough (Jaccard) gets
 * that department's vote, as strong as the pipeline's best.
 */
#define _GNU_SOURCE /* asprintf */
#include "bot/inquiry.h"
#include "bot/lang.h"
#include "bot/messages.h"

#include "bot/calendar.h"
#include "bot/mask.h"
#include "bot/outbox.h"
#include "faq/analyze.h"
#include "faq/db.h"
#include "faq/store.h"
#include "dict/json.h"
#include "util/mg_err.h"
#include "util/mg_time.h"
#include "util/mg_utf8.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SENTENCES 40
#define MAX_VOTES 256
#define MAX_EXAMPLES 5000
#define QUERY_MAX_BYTES 3000     /* MG_TEXT_MAX characters of Japanese */
#define W_SUBJECT 1.5
#define W_WHOLE 1.0
#define W_SENTENCE 1.0
#define LEARN_MIN_SIM 0.35

enum {
  I_MSG_FIND, I_MSG_ADD, I_ADD, I_OF_TICKET, I_ACK, I_LEARN_SRC, I_LEARN_ADD, I_EXAMPLES, I_N
};
static const char *const inquiry_sql[I_N] = {
  [I_MSG_FIND] = "SELECT t.ticket_no FROM inquiry_message m JOIN ticket t ON t.id = m.ticket_id WHERE m.message_id = ?1",
  [I_MSG_ADD] = "INSERT INTO inquiry_message(message_id, ticket_id, kind, at) VALUES (?1, ?2, ?3, ?4)",
  [I_ADD] = "INSERT INTO inquiry(ticket_id, source, form_id, subject, suggestion, answer_by, triage)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  [I_OF_TICKET] = "SELECT i.source, i.form_id, i.subject, i.answer_by, i.suggestion, i.triage"
                  " FROM inquiry i JOIN ticket t ON t.id = i.ticket_id WHERE t.ticket_no = ?1",
  [I_ACK] = "SELECT m.message_id, i.answer_by, t.department_id FROM ticket t JOIN inquiry i ON i.ticket_id = t.id"
            " JOIN inquiry_message m ON m.ticket_id = t.id AND m.kind = 'ack' WHERE t.ticket_no = ?1",
  [I_LEARN_SRC] = "SELECT t.id, t.question FROM ticket t JOIN inquiry i ON i.ticket_id = t.id WHERE t.ticket_no = ?1",
  [I_LEARN_ADD] = "INSERT INTO triage_example(terms, department_id, ticket_id, at) VALUES (?1, ?2, ?3, ?4)",
  [I_EXAMPLES] = "SELECT terms, department_id FROM triage_example ORDER BY id DESC LIMIT " "5000",
};

static int prep(sqlite3 *db, int which, sqlite3_stmt **st, char *err) {
  return faq_db_stmt(db, inquiry_sql[which], st, err);
}

static int db_fail(sqlite3 *db, int s, const char *what, char *err) {
  return mg_errf(err, faq_db_err(s), "inquiry: %s: %s", what, sqlite3_errmsg(db));
}

/* ---- the words that say nothing about the matter ------------------------------ */

typedef struct noise {
  json_t *root;            /* dict/inquiry.json */
  json_t *phrases;         /* greetings and closings */
  json_t *labels;          /* contact line labels: 氏名, 電話, … */
} noise;

/* Read per inquiry, not cached: inquiries come a few a minute, and a city's
 * edit of the file applies to the next one without a reload. A missing or
 * broken file drops nothing (the triage still works, a little worse). */
static void noise_load(noise *n, const char *dict_dir) {
  char path[MG_PATHLEN + 32];
  char err[MG_ERRLEN];
  snprintf(path, sizeof path, "%s/inquiry.json", dict_dir);
  if (dict_json_load(&n->root, path, err) != 0) n->root = NULL; /* see above: err is dropped */
  n->phrases = json_object_get(n->root, "greetings");
  n->labels = json_object_get(n->root, "contact_labels");
}

/* Characters that carry meaning: letters, digits, kana, kanji (not
 * punctuation or spaces). */
static int meaningful_chars(const char *s, size_t len) {
  int n = 0;
  size_t i = 0;
  while (i < len) {
    uint32_t cp;
    int k = mg_utf8_decode(s + i, len - i, &cp);
    if (k <= 0) { i++; continue; }
    if ((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
        (cp >= 0x3041 && cp <= 0x30FA) || cp == 0x30FC || (cp >= 0x4E00 && cp <= 0x9FFF) ||
        (cp >= 0xFF10 && cp <= 0xFF5A))
      n++;
    i += (size_t)k;
  }
  return n;
}

/* A line of dashes, equals signs or box-drawing bars: a signature follows. */
static int is_rule_line(const char *s, size_t len) {
  int marks = 0;
  size_t i = 0;
  while (i < len) {
    uint32_t cp;
    int k = mg_utf8_decode(s + i, len - i, &cp);
    if (k <= 0) return 0;
    if (cp == '-' || cp == '=' || cp == '*' || cp == '_' || cp == 0x2015 || cp == 0x2500 || cp == 0x2501 ||
        cp == 0xFF0D || cp == 0xFF3F || cp == 0xFF1D || cp == 0x2014 || cp == 0x30FC)
      marks++;
    else if (cp != ' ' && cp != 0x3000 && cp != '\t')
      return 0;
    i += (size_t)k;
  }
  return marks >= 2;
}

/* A contact line: a label ("電話：…"), an address or a phone number. */
static int is_contact_line(const noise *n, const char *s, size_t len) {
  size_t i;
  json_t *v;
  char line[512];
  snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line - 1 ? len : sizeof line - 1), s);
  if (memchr(s, '@', len) || strstr(line, "＠")) return 1;
  json_array_foreach(n->labels, i, v) {
    const char *l = json_string_value(v);
    const char *p = l ? strstr(line, l) : NULL;
    /* the label begins the line, perhaps after a bracket or a space */
    if (p && p - line <= 3) {
      p += strlen(l);
      if (strncmp(p, ":", 1) == 0 || strncmp(p, "：", 3) == 0 || strncmp(p, " ", 1) == 0 ||
          strncmp(p, "　", 3) == 0 || strncmp(p, "】", 3) == 0)
        return 1;
    }
  }
  return 0;
}

/* A sentence made of a greeting or closing and little else. */
static int is_greeting(const noise *n, const char *s, size_t len) {
  size_t i;
  json_t *v;
  int rest = meaningful_chars(s, len);
  char buf[1024];
  if (rest == 0) return 1;
  snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf - 1 ? len : sizeof buf - 1), s);
  json_array_foreach(n->phrases, i, v) {
    const char *g = json_string_value(v);
    if (g && strstr(buf, g)) rest -= meaningful_chars(g, strlen(g));
  }
  return rest < 6 && rest < meaningful_chars(s, len);
}

/* Append sentence [s, s+len) trimmed, with a newline. */
static void put_sentence(char **o, const char *s, size_t len) {
  while (len && (*s == ' ' || *s == '\t' || *s == '\r')) s++, len--;
  while (len >= 3 && memcmp(s, "　", 3) == 0) s += 3, len -= 3;
  while (len && (s[len - 1] == ' ' || s[len - 1] == '\r')) len--;
  if (!len) return;
  memcpy(*o, s, len);
  *o += len;
  *(*o)++ = '\n';
}

static char *clean_with(const noise *n, const char *body) {
  size_t blen = strlen(body), nlines = 0, li = 0;
  const char *p = body;
  /* each sentence kept is at least one byte and gets its own newline */
  char *out = malloc(2 * blen + 2), *o = out;
  if (!out) return NULL;
  /* count lines, find where a signature starts (a rule line after some text) */
  size_t sig = (size_t)-1;
  for (const char *q = body; ; nlines++) {
    const char *e = strchr(q, '\n');
    size_t len = e ? (size_t)(e - q) : strlen(q);
    if (is_rule_line(q, len) && nlines > 0 && sig == (size_t)-1) sig = nlines;
    if (!e) break;
    q = e + 1;
  }
  for (li = 0; li <= nlines && *p; li++) {
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (li >= sig) break;
    if (!is_contact_line(n, p, len)) {
      /* split into sentences at 。！？!? */
      size_t start = 0, i = 0;
      while (i < len) {
        uint32_t cp;
        int k = mg_utf8_decode(p + i, len - i, &cp);
        if (k <= 0) k = 1, cp = 0;
        i += (size_t)k;
        if (cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F || cp == '!' || cp == '?' || i == len) {
          if (!is_greeting(n, p + start, i - start)) put_sentence(&o, p + start, i - start);
          start = i;
        }
      }
    }
    if (!e) break;
    p = e + 1;
  }
  *o = '\0';
  return out;
}

char *bot_inquiry_clean(const mg_config *cfg, const char *body) {
  noise n;
  char *out;
  noise_load(&n, cfg->dict_dir);
  out = clean_with(&n, body ? body : "");
  json_decref(n.root);
  return out;
}

/* ---- votes ----------------------------------------------------------------------- */

typedef struct votes {
  struct vote { char id[64]; double v; } dept[64], faq[MAX_VOTES];
  int ndept, nfaq;
} votes;

static void vote(struct vote *arr, int *n, int max, const char *id, double v) {
  for (int i = 0; i < *n; i++)
    if (strcmp(arr[i].id, id) == 0) { arr[i].v += v; return; }
  if (*n >= max || !*id) return;
  snprintf(arr[*n].id, sizeof arr[*n].id, "%s", id);
  arr[(*n)++].v = v;
}

static int by_votes(const void *a, const void *b) {
  double x = ((const struct vote *)a)->v, y = ((const struct vote *)b)->v;
  return x < y ? 1 : x > y ? -1 : strcmp(((const struct vote *)a)->id, ((const struct vote *)b)->id);
}

/* Ask the pipeline about text; its department and entries vote with weight. */
static int ask(bot_worker *w, const char *text, size_t len, double weight, votes *vs, char *err) {
  json_t *ans = NULL, *c;
  char dept[64];
  size_t i;
  int rc;
  double conf;
  if (len > QUERY_MAX_BYTES) {
    /* cut at a character boundary */
    len = QUERY_MAX_BYTES;
    while (len && ((unsigned char)text[len] & 0xC0) == 0x80) len--;
  }
  if (meaningful_chars(text, len) < 2) return 0;
  if ((rc = bot_answer(w, text, (int)len, 0, &ans, err)) != 0) return rc;
  conf = json_number_value(json_object_get(ans, "confidence"));
  if ((rc = bot_answer_department(bot_worker_db(w), ans, dept, sizeof dept, err)) != 0) goto out;
  /* a rule that routes (an emergency, a named department) is sure of itself */
  if (json_object_get(ans, "rule") && json_object_get(ans, "department")) conf = conf > 0.7 ? conf : 0.7;
  if (!dept[0]) {
    /* a rule answered without a department (office hours, small talk) or
     * nothing matched: the nearest published entry still says where the
     * matter belongs, with half the weight of an answer */
    char near[64];
    if ((rc = bot_nearest(w, text, (int)len, near, sizeof near, err)) != 0) goto out;
    if (near[0]) {
      if ((rc = faq_published_department(bot_worker_db(w), near, dept, sizeof dept, err)) != 0) goto out;
      conf = 0.5 * (conf > 0.3 ? conf : 0.3);
      vote(vs->faq, &vs->nfaq, MAX_VOTES, near, weight * conf);
    }
  }
  vote(vs->dept, &vs->ndept, 64, dept, weight * conf);
  json_array_foreach(json_object_get(ans, "candidates"), i, c) {
    const char *id = json_string_value(json_object_get(c, "faq_id"));
    double cc = json_number_value(json_object_get(c, "confidence"));
    if (id) vote(vs->faq, &vs->nfaq, MAX_VOTES, id, weight * cc / (double)(i + 1));
  }
  if (json_string_value(json_object_get(ans, "faq_id")) && json_array_size(json_object_get(ans, "candidates")) == 0)
    vote(vs->faq, &vs->nfaq, MAX_VOTES, json_string_value(json_object_get(ans, "faq_id")), weight * conf);
out:
  json_decref(ans);
  return rc;
}

/* ---- terms, for learning ------------------------------------------------------------ */

typedef struct terms { char *buf; size_t len, cap; int n; } terms;

static int add_term(void *ctx, const char *term, int len, int start, int end, int flags) {
  terms *t = ctx;
  char key[130];
  (void)start, (void)end, (void)flags;
  if (len <= 3 || len > 120) return 0;   /* one kana or letter says little */
  snprintf(key, sizeof key, " %.*s ", len, term);
  if (t->buf && strstr(t->buf, key)) return 0;
  if (t->len + (size_t)len + 3 > t->cap) {
    size_t cap = (t->cap + (size_t)len + 3) * 2;
    char *nb = realloc(t->buf, cap);
    if (!nb) return MG_ENOMEM;
    if (!t->buf) nb[0] = ' ', nb[1] = '\0', t->len = 1;
    t->buf = nb, t->cap = cap;
  }
  memcpy(t->buf + t->len, term, (size_t)len);
  t->len += (size_t)len;
  t->buf[t->len++] = ' ';
  t->buf[t->len] = '\0';
  t->n++;
  return 0;
}

static int terms_of(bot_worker *w, const char *text, terms *t) {
  memset(t, 0, sizeof *t);
  return faq_analyze(bot_worker_analyzer(w), text, (int)strlen(text), add_term, t);
}

/* |a ∩ b| / |a ∪ b| of two " t1 t2 … " lists. */
static double jaccard(const terms *a, const char *b) {
  int nb = 0, both = 0;
  const char *p = b;
  char key[130];
  while (*p) {
    const char *e;
    while (*p == ' ') p++;
    if (!*p) break;
    e = strchr(p, ' ');
    if (!e) e = p + strlen(p);
    nb++;
    snprintf(key, sizeof key, " %.*s ", (int)(e - p), p);
    if (a->buf && strstr(a->buf, key)) both++;
    p = e;
  }
  return a->n + nb - both > 0 ? (double)both / (a->n + nb - both) : 0;
}

/* The nearest taught example votes for its department. */
static int learned_vote(bot_worker *w, const char *clean, votes *vs, int *learned, char *err) {
  sqlite3 *db = bot_worker_db(w);
  sqlite3_stmt *st = NULL;
  terms t;
  double best = 0, top = 0;
  char dept[64] = "";
  int rc, s;
  *learned = 0;
  if ((rc = prep(db, I_EXAMPLES, &st, err)) != 0) return rc;
  if ((rc = terms_of(w, clean, &t)) != 0) { rc = mg_errf(err, rc, "inquiry: cannot analyse"); goto out; }
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    double j = jaccard(&t, (const char *)sqlite3_column_text(st, 0));
    if (j > best) best = j, snprintf(dept, sizeof dept, "%s", (const char *)sqlite3_column_text(st, 1));
  }
  if (s != SQLITE_DONE) { rc = db_fail(db, s, "examples", err); goto out; }
  if (best >= LEARN_MIN_SIM) {
    for (int i = 0; i < vs->ndept; i++) top = vs->dept[i].v > top ? vs->dept[i].v : top;
    vote(vs->dept, &vs->ndept, 64, dept, (top > 0 ? top : 1.0) * (0.5 + best));
    *learned = 1;
  }
out:
  free(t.buf);
  faq_db_stmt_done(st);
  return rc;
}

int bot_triage_run(bot_worker *w, const char *subject, const char *body, bot_triage *out, char *err) {
  const mg_config *cfg = bot_config(bot_worker_bot(w));
  noise n;
  votes *vs = calloc(1, sizeof *vs);
  char *clean = NULL, *csubj = NULL;
  double total = 0;
  int rc = 0;

  memset(out, 0, sizeof *out);
  if (!vs) return mg_errf(err, MG_ENOMEM, "inquiry: out of memory");
  noise_load(&n, cfg->dict_dir);
  if (!(clean = clean_with(&n, body ? body : "")) || !(csubj = clean_with(&n, subject ? subject : ""))) {
    rc = mg_errf(err, MG_ENOMEM, "inquiry: out of memory");
    goto out;
  }
  if (*csubj && (rc = ask(w, csubj, strlen(csubj), W_SUBJECT, vs, err)) != 0) goto out;
  if ((rc = ask(w, clean, strlen(clean), W_WHOLE, vs, err)) != 0) goto out;
  {
    /* each sentence: together they weigh as much as the whole text once more */
    int ns = 0;
    for (const char *p = clean; *p && ns < MAX_SENTENCES; ns++) {
      const char *e = strchr(p, '\n');
      p = e ? e + 1 : p + strlen(p);
    }
    out->sentences = ns;
    for (const char *p = clean; *p && ns > 0;) {
      const char *e = strchr(p, '\n');
      size_t len = e ? (size_t)(e - p) : strlen(p);
      if ((rc = ask(w, p, len, W_SENTENCE / sqrt((double)ns), vs, err)) != 0) goto out;
      p = e ? e + 1 : p + len;
    }
  }
  if ((rc = learned_vote(w, clean, vs, &out->learned, err)) != 0) goto out;

  qsort(vs->dept, (size_t)vs->ndept, sizeof vs->dept[0], by_votes);
  for (int i = 0; i < vs->ndept; i++) total += vs->dept[i].v;
  if (vs->ndept && vs->dept[0].v > 0) {
    memcpy(out->department, vs->dept[0].id, sizeof out->department);
    out->share = total > 0 ? vs->dept[0].v / total : 0;
  }
  /* the suggested entries: the chosen department's first, by their votes */
  {
    char d[64];
    for (int i = 0; i < vs->nfaq; i++) {
      if ((rc = faq_published_department(bot_worker_db(w), vs->faq[i].id, d, sizeof d, err)) != 0) goto out;
      if (*out->department && strcmp(d, out->department) == 0) vs->faq[i].v *= 1.5;
    }
  }
  qsort(vs->faq, (size_t)vs->nfaq, sizeof vs->faq[0], by_votes);
  for (int i = 0; i < vs->nfaq && out->n_faq < BOT_TRIAGE_TOP; i++)
    snprintf(out->faq[out->n_faq++], sizeof out->faq[0], "%.63s", vs->faq[i].id);
out:
  json_decref(n.root);
  free(clean);
  free(csubj);
  free(vs);
  return rc;
}

/* ---- storing ------------------------------------------------------------------------ */

/* What the creation hook writes (ticket_new.also). */
typedef struct store_ctx {
  const bot_inquiry *in;
  const char *subject;       /* masked */
  const char *suggestion;    /* JSON */
  const char *triage;        /* JSON */
  const char *answer_by;
  const char *ack_id;        /* "" = no acknowledgement */
  const char *kind;          /* the inquiry's own message: "inquiry" or "reply" */
} store_ctx;

static int add_message(sqlite3 *db, const char *id, sqlite3_int64 ticket, const char *kind, const char *at, char *err) {
  sqlite3_stmt *st = NULL;
  int rc, s;
  if ((rc = prep(db, I_MSG_ADD, &st, err)) != 0) return rc;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, ticket);
  sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
  s = sqlite3_step(st);
  if (s == SQLITE_CONSTRAINT) rc = mg_errf(err, MG_ECONFLICT, "inquiry: this message was stored before");
  else if (s != SQLITE_DONE) rc = db_fail(db, s, "message", err);
  faq_db_stmt_done(st);
  return rc;
}

static int store_also(sqlite3 *db, sqlite3_int64 ticket, const char *ticket_no, const char *at, void *arg, char *err) {
  store_ctx *c = arg;
  sqlite3_stmt *st = NULL;
  int rc, s;
  (void)ticket_no;
  if (c->in->message_id && *c->in->message_id && (rc = add_message(db, c->in->message_id, ticket, c->kind, at, err)) != 0)
    return rc;
  if (strcmp(c->kind, "reply") == 0) return 0;
  if (*c->ack_id && (rc = add_message(db, c->ack_id, ticket, "ack", at, err)) != 0) return rc;
  if ((rc = prep(db, I_ADD, &st, err)) != 0) return rc;
  sqlite3_bind_int64(st, 1, ticket);
  sqlite3_bind_text(st, 2, c->in->source, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, c->in->form_id ? c->in->form_id : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, c->subject, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, c->suggestion, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, c->answer_by, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 7, c->triage, -1, SQLITE_STATIC);
  if ((s = sqlite3_step(st)) != SQLITE_DONE) rc = db_fail(db, s, "store", err);
  faq_db_stmt_done(st);
  return rc;
}

/* The ticket a Message-ID belongs to into ticket_no ("" when none). */
static int find_message(sqlite3 *db, const char *id, char *ticket_no, char *err) {
  int rc = faq_db_text(db, inquiry_sql[I_MSG_FIND], id, ticket_no, TICKET_NOLEN, err);
  return rc == MG_ENOTFOUND ? 0 : rc;
}

/* The suggested reply: [{faq_id, question, answer}] of the triage's entries. */
static json_t *suggestion_of(sqlite3 *db, const bot_triage *t) {
  json_t *arr = json_array();
  for (int i = 0; arr && i < t->n_faq; i++) {
    mg_faq_entry *e = NULL;
    char err[MG_ERRLEN];
    if (faq_get(db, t->faq[i], MG_FAQ_PUBLISHED, &e, err) == 0)
      json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "faq_id", t->faq[i], "question", e->question,
                                           "answer", e->answer));
    faq_entry_free(e);
  }
  return arr;
}

/* The name of department dept into buf, "" when there is none. */
static int dept_name(sqlite3 *db, const char *dept, char *buf, size_t size, char *err) {
  int rc = faq_department_name(db, dept, buf, size, err);
  return rc == MG_ENOTFOUND ? 0 : rc;
}

/* When staff owe the answer: the department's answer_days (else the
 * configuration's) working days after now, as the overdue view counts. */
static int answer_by(bot_worker *w, const char *dept, time_t now, char *buf, size_t size, char *err) {
  const bot *b = bot_worker_bot(w);
  int days = bot_config(b)->answer_days, rc;
  time_t due;
  buf[0] = '\0';
  rc = faq_department_answer_days(bot_worker_db(w), dept, &days, err);
  if (rc == 0 && (due = bot_cal_add_working_days(bot_calendar(b), now, days)) != (time_t)-1) bot_cal_format(bot_messages(b), BOT_LANG_JA, due, buf, size);
  return rc;
}

/* Checks a form's or a mail's field: valid UTF-8, at most max characters. */
static int field_ok(const char *s, long max, int *err_code) {
  long n;
  if (!s) return 1;
  n = mg_utf8_count(s, strlen(s));
  if (n < 0) { *err_code = MG_EBADUTF8; return 0; }
  if (n > max) { *err_code = MG_ETOOLONG; return 0; }
  return 1;
}

static int blank(const char *s) {
  return !s || meaningful_chars(s, strlen(s)) == 0;
}

int bot_inquiry_submit(bot_worker *w, const bot_inquiry *in, bot_inquiry_result *out, char *err) {
  const mg_config *cfg = bot_config(bot_worker_bot(w));
  sqlite3 *db = bot_worker_db(w);
  char *question = NULL, *contact = NULL, *subject = NULL, *sugg_text = NULL, *triage_text = NULL;
  char lookup[TICKET_SECRETLEN], ack_id[200] = "";
  json_t *sugg = NULL, *tri = NULL;
  time_t now = in->now ? in->now : time(NULL);
  store_ctx sc = { .in = in, .ack_id = ack_id, .kind = "inquiry" };
  ticket_new tn = { 0 };
  int rc = 0, code = 0;

  memset(out, 0, sizeof *out);
  if (!in->body || !in->source) return mg_errf(err, MG_EMISSING, "inquiry: the body is missing");
  if (!field_ok(in->body, cfg->inquiry_max_chars, &code))
    return mg_errf(err, code == MG_EBADUTF8 ? code : MG_EINQUIRYLONG, "inquiry: the body is %s",
                   code == MG_EBADUTF8 ? "not UTF-8" : "too long");
  if (!field_ok(in->subject, 200, &code) || !field_ok(in->name, 100, &code) || !field_ok(in->email, 254, &code) ||
      !field_ok(in->phone, 40, &code) || !field_ok(in->form_id, 64, &code) || !field_ok(in->message_id, 900, &code))
    return mg_errf(err, code == MG_EBADUTF8 ? code : MG_EINVAL, "inquiry: a field is %s",
                   code == MG_EBADUTF8 ? "not UTF-8" : "too long");
  if (blank(in->body)) return mg_errf(err, MG_EMISSING, "inquiry: the body is empty");

  /* the same mail twice: nothing to do */
  if (in->message_id && *in->message_id) {
    if ((rc = find_message(db, in->message_id, out->ticket_no, err)) != 0) return rc;
    if (out->ticket_no[0]) { out->duplicate = 1; return 0; }
  }
  /* a reply to a thread we know joins it (unless the ticket is closed) */
  for (int i = 0; i < in->n_refs; i++) {
    char no[TICKET_NOLEN];
    ticket_new also = { .also = store_also, .also_arg = &sc };
    if ((rc = find_message(db, in->refs[i], no, err)) != 0) return rc;
    if (!no[0]) continue;
    sc.kind = "reply";
    rc = bot_ticket_mail_line(db, no, in->body, &also, err);
    if (rc == MG_ECLOSED) { sc.kind = "inquiry"; break; }
    if (rc == 0) { snprintf(out->ticket_no, sizeof out->ticket_no, "%s", no); out->joined = 1; }
    return rc;
  }

  if ((rc = bot_triage_run(w, in->subject, in->body, &out->triage, err)) != 0) goto out;
  if (out->triage.department[0] &&
      ((rc = answer_by(w, out->triage.department, now, out->answer_by, sizeof out->answer_by, err)) != 0 ||
       (rc = dept_name(db, out->triage.department, out->department_name, sizeof out->department_name, err)) != 0))
    goto out;
  if (asprintf(&question, "%s%s%s", in->subject && *in->subject ? in->subject : "",
               in->subject && *in->subject ? "\n\n" : "", in->body) < 0)
    question = NULL;
  if (asprintf(&contact, "%s%s%s%s%s", in->name ? in->name : "", in->name && *in->name ? " " : "",
               in->email ? in->email : "", in->email && *in->email ? " " : "", in->phone ? in->phone : "") < 0)
    contact = NULL;
  subject = bot_mask_text(in->subject ? in->subject : "", in->subject ? strlen(in->subject) : 0);
  sugg = suggestion_of(db, &out->triage);
  tri = json_pack("{s:s, s:f, s:i, s:b}", "department", out->triage.department, "share", out->triage.share,
                  "sentences", out->triage.sentences, "learned", out->triage.learned);
  if (!question || !contact || !subject || !sugg || !tri || !(sugg_text = json_dumps(sugg, JSON_COMPACT)) ||
      !(triage_text = json_dumps(tri, JSON_COMPACT))) {
    rc = mg_errf(err, MG_ENOMEM, "inquiry: out of memory");
    goto out;
  }
  /* acknowledged only where mail can leave: a relay and an address */
  if (cfg->smtp_url[0] && in->email && bot_outbox_email_ok(in->email)) {
    unsigned char rnd[16];
    char hex[33];
    const char *domain = strchr(cfg->smtp_from, '@');
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    snprintf(ack_id, sizeof ack_id, "%s.ack%s", hex, domain ? domain : "@madoguchi.invalid");
    tn.notify_email = in->email;
    tn.notice_kind = "inquiry";
    tn.lookup_out = lookup;
    out->acknowledged = 1;
  }
  sc.subject = subject;
  sc.suggestion = sugg_text;
  sc.triage = triage_text;
  sc.answer_by = out->answer_by;
  tn.question = question;
  tn.department_id = out->triage.department[0] ? out->triage.department : NULL;
  tn.routed_by = "inquiry";
  tn.contact = contact;
  tn.actor = "resident";
  tn.now = now;
  tn.also = store_also;
  tn.also_arg = &sc;
  rc = bot_ticket_create(db, &tn, out->ticket_no, err);
  if (rc == MG_ECONFLICT && in->message_id) {
    /* another import stored the same mail a moment ago */
    if ((rc = find_message(db, in->message_id, out->ticket_no, err)) == 0) out->duplicate = 1;
  }
out:
  if (rc) out->acknowledged = 0;
  sodium_memzero(lookup, sizeof lookup);
  free(question);
  if (contact) sodium_memzero(contact, strlen(contact));
  free(contact);
  free(subject);
  free(sugg_text);
  free(triage_text);
  json_decref(sugg);
  json_decref(tri);
  return rc;
}

/* ---- reading back ------------------------------------------------------------------- */

int bot_inquiry_of_ticket(sqlite3 *db, const char *ticket_no, json_t **out, char *err) {
  sqlite3_stmt *st = NULL;
  int rc, s;
  *out = NULL;
  if ((rc = prep(db, I_OF_TICKET, &st, err)) != 0) return rc;
  sqlite3_bind_text(st, 1, ticket_no, -1, SQLITE_STATIC);
  if ((s = sqlite3_step(st)) == SQLITE_ROW) {
    json_t *sugg = json_loads((const char *)sqlite3_column_text(st, 4), 0, NULL);
    json_t *tri = json_loads((const char *)sqlite3_column_text(st, 5), 0, NULL);
    *out = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "source", (const char *)sqlite3_column_text(st, 0), "form_id",
                     (const char *)sqlite3_column_text(st, 1), "subject", (const char *)sqlite3_column_text(st, 2),
                     "answer_by", (const char *)sqlite3_column_text(st, 3), "suggestion", sugg ? sugg : json_array(),
                     "triage", tri ? tri : json_object());
    if (!*out) rc = mg_errf(err, MG_ENOMEM, "inquiry: out of memory");
  } else if (s != SQLITE_DONE) {
    rc = db_fail(db, s, "read", err);
  }
  faq_db_stmt_done(st);
  return rc;
}

int bot_inquiry_ack(sqlite3 *db, const char *ticket_no, bot_inquiry_ack_info *a, char *err) {
  sqlite3_stmt *st = NULL;
  int rc, s;
  if ((rc = prep(db, I_ACK, &st, err)) != 0) return rc;
  sqlite3_bind_text(st, 1, ticket_no, -1, SQLITE_STATIC);
  if ((s = sqlite3_step(st)) == SQLITE_ROW) {
    snprintf(a->message_id, sizeof a->message_id, "%s", (const char *)sqlite3_column_text(st, 0));
    snprintf(a->answer_by, sizeof a->answer_by, "%s", (const char *)sqlite3_column_text(st, 1));
    /* the department's name from faq/ ("" when the ticket has none) */
    a->department[0] = '\0';
    if (sqlite3_column_text(st, 2))
      rc = dept_name(db, (const char *)sqlite3_column_text(st, 2), a->department, sizeof a->department, err);
  } else {
    rc = s == SQLITE_DONE ? mg_errf(err, MG_ENOTFOUND, "inquiry %s: no acknowledgement", ticket_no)
                          : db_fail(db, s, "ack", err);
  }
  faq_db_stmt_done(st);
  return rc;
}

/* ---- learning ----------------------------------------------------------------------- */

int bot_triage_learn(bot_worker *w, const char *ticket_no, const char *department, char *err) {
  sqlite3 *db = bot_worker_db(w);
  sqlite3_stmt *st = NULL;
  sqlite3_int64 id = 0;
  char *question = NULL, *clean = NULL, at[MG_TIMELEN];
  terms t = { 0 };
  int rc, s;

  if ((rc = prep(db, I_LEARN_SRC, &st, err)) != 0) return rc;
  sqlite3_bind_text(st, 1, ticket_no, -1, SQLITE_STATIC);
  if ((s = sqlite3_step(st)) == SQLITE_ROW) {
    id = sqlite3_column_int64(st, 0);
    question = strdup((const char *)sqlite3_column_text(st, 1));
  } else if (s != SQLITE_DONE) {
    rc = db_fail(db, s, "learn", err);
  }
  faq_db_stmt_done(st);
  st = NULL;
  if (rc || !id) goto out;   /* not an inquiry: nothing to learn */
  if (!question || !(clean = bot_inquiry_clean(bot_config(bot_worker_bot(w)), question))) { rc = mg_errf(err, MG_ENOMEM, "inquiry: out of memory"); goto out; }
  if ((rc = terms_of(w, clean, &t)) != 0) { rc = mg_errf(err, rc, "inquiry: cannot analyse"); goto out; }
  if (!t.buf) goto out;
  mg_time_utc(time(NULL), at);
  if ((rc = prep(db, I_LEARN_ADD, &st, err)) != 0) goto out;
  sqlite3_bind_text(st, 1, t.buf, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, department, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, id);
  sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
  if ((s = sqlite3_step(st)) != SQLITE_DONE) rc = db_fail(db, s, "learn", err);
out:
  faq_db_stmt_done(st);
  free(question);
  free(clean);
  free(t.buf);
  return rc;
}

/* ---- API keys ----------------------------------------------------------------------- */

static void key_hash(const char *key, char *hex) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, (const unsigned char *)key, strlen(key), NULL, 0);
  sodium_bin2hex(hex, MG_KEY_HASHLEN, h, sizeof h);
}

int bot_inquiry_key_new(char *key, char *hash, char *err) {
  unsigned char rnd[32];
  if (sodium_init() < 0) return mg_errf(err, MG_EIO, "libsodium: cannot start");
  randombytes_buf(rnd, sizeof rnd);
  sodium_bin2base64(key, 64, rnd, sizeof rnd, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(rnd, sizeof rnd);
  key_hash(key, hash);
  return 0;
}

const char *bot_inquiry_key_check(const mg_config *cfg, const char *key) {
  char hex[MG_KEY_HASHLEN];
  const char *name = NULL;
  if (!key || !*key) return NULL;
  key_hash(key, hex);
  for (int i = 0; i < cfg->n_inquiry_api_keys; i++)
    if (sodium_memcmp(hex, cfg->inquiry_api_keys[i].key_hash, MG_KEY_HASHLEN - 1) == 0 && !name)
      name = cfg->inquiry_api_keys[i].name;
  return name;
}
