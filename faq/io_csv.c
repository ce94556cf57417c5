/*
 * io_csv.c — the FAQ as CSV in the conventions of the national standard
 * open data sets (docs/faq-format.md has the layout).
 *
 * The parser is written here: Debian ships no C library that parses CSV
 * well (libcsv is unmaintained and leaves line numbers, encodings and
 * strictness to the caller), and RFC 4180 is small. It reads the whole file
 * (they are small), fixes the encoding first — a UTF-8 BOM is dropped; text
 * that is not valid UTF-8 but is valid CP932 (Shift_JIS as Excel writes it)
 * is converted with iconv(3); --encoding forces either — and then splits
 * records: quoted cells with doubled quotes, CRLF or LF (or CR) line ends,
 * newlines inside quoted cells. Every record knows the line it starts on, so
 * each problem is reported as "FILE:LINE: reason"; reading goes on after a
 * bad row (up to MG_IO_MAX_ERRORS) so one run shows a city every mistake.
 *
 * A column map renames the city's own header names to ours
 * ("Question=質問,Answer=回答" or a JSON object in a file). Columns we do
 * not know are ignored. Export writes UTF-8 with a BOM and CRLF record ends
 * (newlines inside cells stay LF, as Excel writes them), so Excel opens it.
 */
#include "faq/io_int.h"
#include "util/mg_utf8.h"

#include <errno.h>
#include <iconv.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILE (64 * 1024 * 1024)
#define KW_SEP "\xe3\x80\x81" /* 「、」 */

enum col {
  C_CODE, C_ID, C_MUNI, C_Q, C_A, C_ALT, C_KW, C_REL, C_CAT, C_DEPT, C_DEPT_NAME, C_PHONE, C_EMAIL, C_HOURS,
  C_LOCATION, C_URL, C_DATE, C_STATUS,
  C_KEPT, /* online_url and the checklist fields, in faq_kept_field's order (FAQ_N_KEPT of them) */
  C_Q_EN = C_KEPT + FAQ_N_KEPT, C_A_EN, C_Q_EASY, C_A_EASY, /* the translations, in MG_FAQ_TR_* order */
  N_COLS
};
static const char *const col_name[N_COLS] = {
  "全国地方公共団体コード", "ID", "地方公共団体名", "質問", "回答", "別の聞き方", "キーワード", "関連FAQ", "分類",
  "担当部署ID", "担当部署名", "電話番号", "メールアドレス", "受付時間", "所在地", "URL", "更新日", "公開状態",
  "オンライン申請URL", "ライフイベント", "持ち物", "期限", "手数料",
  /* the translations (mg_faq_entry.tr, in MG_FAQ_TR_* order), after the standard's columns */
  "質問（英語）", "回答（英語）", "質問（やさしい日本語）", "回答（やさしい日本語）",
};
static const char STATUS_PUBLISHED[] = "公開", STATUS_DRAFT[] = "下書き";

/* ---- reading the file and fixing its encoding --------------------------- */

static int read_all(const char *path, char **buf, size_t *len, char *err) {
  FILE *f = fopen(path, "rb");
  size_t cap = 65536, n = 0;
  char *b = NULL;
  int rc = 0;
  if (!f) return mg_errf(err, MG_EIO, "%s: %s", path, strerror(errno));
  for (;;) {
    char *nb = realloc(b, cap + 1);
    if (!nb) { rc = mg_errf(err, MG_ENOMEM, "out of memory"); goto out; }
    b = nb;
    n += fread(b + n, 1, cap - n, f);
    if (n < cap) break;
    if (cap >= MAX_FILE) { rc = mg_errf(err, MG_EIO, "%s: larger than %d MB", path, MAX_FILE >> 20); goto out; }
    cap *= 2;
  }
  if (ferror(f)) rc = mg_errf(err, MG_EIO, "%s: %s", path, strerror(errno));
  b[n] = '\0';
out:
  fclose(f);
  if (rc) { free(b); b = NULL; }
  *buf = b, *len = n;
  return rc;
}

/* Offset of the first byte that is not valid UTF-8, or len when all is. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    uint32_t cp;
    int k = mg_utf8_decode(s + i, len - i, &cp);
    if (!k || cp == 0) return i; /* a NUL is no more text than a bad byte */
    i += (size_t)k;
  }
  return len;
}

static int line_at(const char *s, size_t off) {
  int line = 1;
  for (size_t i = 0; i < off; i++) line += s[i] == '\n';
  return line;
}

/* Convert CP932 in into a new UTF-8 buffer; *bad = offset of the first
 * byte that is not CP932 on failure. */
static int from_cp932(const char *in, size_t len, char **out, size_t *outlen, size_t *bad) {
  iconv_t cd = iconv_open("UTF-8", "CP932");
  size_t cap = len * 3 + 1, inleft = len, outleft = cap;
  char *ip = (char *)in, *buf, *op;
  int rc = 0;
  if (cd == (iconv_t)-1) return MG_EIO;
  if (!(op = buf = malloc(cap + 1))) { iconv_close(cd); return MG_ENOMEM; }
  if (iconv(cd, &ip, &inleft, &op, &outleft) == (size_t)-1) {
    *bad = (size_t)(ip - in);
    rc = MG_EBADUTF8;
    free(buf);
    buf = NULL;
  } else {
    *op = '\0';
    *outlen = (size_t)(op - buf);
  }
  iconv_close(cd);
  *out = buf;
  return rc;
}

/* Make *buf UTF-8 without BOM (replacing it when converted). */
static int fix_encoding(const char *path, const char *enc, char **buf, size_t *len, mg_io_report *rep, char *err) {
  size_t bad = 0, utf8_bad, n;
  char *conv;
  int rc;
  int force_sjis = enc && (strcasecmp(enc, "cp932") == 0 || strcasecmp(enc, "shift_jis") == 0 || strcasecmp(enc, "sjis") == 0);
  if (enc && !force_sjis && strcasecmp(enc, "utf-8") && strcasecmp(enc, "utf8"))
    return mg_errf(err, MG_EINVAL, "unknown encoding '%s' (utf-8 or cp932)", enc);
  if (!force_sjis && *len >= 3 && memcmp(*buf, "\xef\xbb\xbf", 3) == 0) {
    memmove(*buf, *buf + 3, *len - 2);
    *len -= 3;
  }
  if (!force_sjis && (bad = utf8_invalid_at((unsigned char *)*buf, *len)) == *len) return 0;
  if (!force_sjis && enc) {
    faq_io_report_error(rep, path, line_at(*buf, bad), "UTF-8 として読めません（%zu バイト目）", bad + 1);
    return mg_errf(err, MG_EBADUTF8, "%s: not valid UTF-8", path);
  }
  utf8_bad = bad;
  rc = from_cp932(*buf, *len, &conv, &n, &bad);
  if (rc == MG_EBADUTF8) {
    /* Detected: point at the first byte that breaks UTF-8, the likelier intent. */
    if (!force_sjis) bad = utf8_bad;
    faq_io_report_error(rep, path, line_at(*buf, bad), force_sjis ? "CP932 として読めません（%zu バイト目）"
                       : "UTF-8 としても CP932（Shift_JIS）としても読めません（%zu バイト目）", bad + 1);
    return mg_errf(err, MG_EBADUTF8, "%s: unknown text encoding", path);
  }
  if (rc) return mg_errf(err, rc, "%s: cannot convert from CP932", path);
  free(*buf);
  *buf = conv, *len = n;
  return 0;
}

/* ---- records ------------------------------------------------------------ */

struct csv {
  const char *file;
  const char *p, *end;
  int line;               /* line of *p */
  mg_io_report *rep;
  char **cells; int n, cap;
};

static void cells_clear(struct csv *c) {
  for (int i = 0; i < c->n; i++) free(c->cells[i]);
  c->n = 0;
}

static int cell_push(struct csv *c, const char *s, size_t len) {
  char *v;
  if (c->n == c->cap) {
    int cap = c->cap ? c->cap * 2 : 32;
    char **nc = realloc(c->cells, sizeof *nc * cap);
    if (!nc) return MG_ENOMEM;
    c->cells = nc, c->cap = cap;
  }
  if (!(v = malloc(len + 1))) return MG_ENOMEM;
  memcpy(v, s, len);
  v[len] = '\0';
  c->cells[c->n++] = v;
  return 0;
}

/* Consume a line end at c->p if there is one; returns 1 when consumed. */
static int eat_eol(struct csv *c) {
  if (c->p < c->end && *c->p == '\r') {
    c->p++;
    if (c->p < c->end && *c->p == '\n') c->p++;
  } else if (c->p < c->end && *c->p == '\n') c->p++;
  else return 0;
  c->line++;
  return 1;
}

/* A quoted cell starting at the quote; newlines inside become LF. */
static int quoted_cell(struct csv *c, char **tmp, size_t *tcap) {
  int start = c->line;
  size_t n = 0;
  c->p++;
  for (;;) {
    if (c->p >= c->end) {
      faq_io_report_error(c->rep, c->file, start, "引用符（\"）が閉じていません: この行で始まったセルが終わっていません");
      return MG_ECSV;
    }
    if (n + 2 > *tcap) {
      char *nt = realloc(*tmp, *tcap = *tcap * 2 + 64);
      if (!nt) return MG_ENOMEM;
      *tmp = nt;
    }
    if (*c->p == '"') {
      if (c->p + 1 < c->end && c->p[1] == '"') { (*tmp)[n++] = '"'; c->p += 2; continue; }
      c->p++;
      break;
    }
    if (*c->p == '\r' || *c->p == '\n') { eat_eol(c); (*tmp)[n++] = '\n'; continue; }
    (*tmp)[n++] = *c->p++;
  }
  if (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n') {
    faq_io_report_error(c->rep, c->file, c->line, "閉じた引用符の後に文字があります（セルの中の \" は \"\" と書いてください）");
    while (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n') c->p++;
  }
  return cell_push(c, *tmp, n);
}

static int plain_cell(struct csv *c) {
  const char *s = c->p;
  while (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n') {
    if (*c->p == '"') {
      faq_io_report_error(c->rep, c->file, c->line, "引用符で囲まれていないセルの中に \" があります（セル全体を \" で囲んでください）");
      break;
    }
    c->p++;
  }
  while (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n') c->p++;
  return cell_push(c, s, (size_t)(c->p - s));
}

/* Read the next record into c->cells. Returns 1 when one was read, 0 at the
 * end, or a negative MG_E* (MG_ECSV: an unterminated quote, reading stops).
 * *line is the line the record starts on. Blank lines are skipped. */
static int next_record(struct csv *c, int *line) {
  char *tmp = NULL;
  size_t tcap = 0;
  int rc = 0;
  cells_clear(c);
  while (c->p < c->end && eat_eol(c)) {}
  if (c->p >= c->end) return 0;
  *line = c->line;
  for (;;) {
    rc = c->p < c->end && *c->p == '"' ? quoted_cell(c, &tmp, &tcap) : plain_cell(c);
    if (rc) break;
    if (c->p < c->end && *c->p == ',') { c->p++; continue; }
    eat_eol(c);
    rc = 1;
    break;
  }
  free(tmp);
  return rc;
}

/* ---- header and column map ---------------------------------------------- */

static int col_of(const char *name) {
  for (int i = 0; i < N_COLS; i++)
    if (strcmp(col_name[i], name) == 0) return i;
  return -1;
}

struct colmap { char *from[64], *to[64]; int n; };

static void colmap_free(struct colmap *m) {
  for (int i = 0; i < m->n; i++) free(m->from[i]), free(m->to[i]);
  m->n = 0;
}

static int colmap_add(struct colmap *m, const char *from, size_t flen, const char *to, size_t tlen, char *err) {
  if (m->n == 64) return mg_errf(err, MG_EINVAL, "--map: more than 64 columns");
  m->from[m->n] = strndup(from, flen);
  m->to[m->n] = strndup(to, tlen);
  if (!m->from[m->n] || !m->to[m->n]) return mg_errf(err, MG_ENOMEM, "out of memory");
  m->n++;
  if (col_of(m->to[m->n - 1]) < 0)
    return mg_errf(err, MG_EINVAL, "--map: '%s' is not one of our columns (see docs/faq-format.md)", m->to[m->n - 1]);
  return 0;
}

/* "Theirs=ours,Theirs2=ours2" or the name of a JSON file {"Theirs": "ours"}. */
static int colmap_parse(struct colmap *m, const char *spec, char *err) {
  int rc = 0;
  if (!spec || !*spec) return 0;
  if (access(spec, R_OK) == 0) {
    json_error_t jerr;
    json_t *root = json_load_file(spec, JSON_REJECT_DUPLICATES, &jerr), *v;
    const char *k;
    if (!root) return mg_errf(err, MG_EINVAL, "--map %s:%d: %s", spec, jerr.line, jerr.text);
    if (!json_is_object(root)) rc = mg_errf(err, MG_EINVAL, "--map %s: must be a JSON object", spec);
    json_object_foreach(root, k, v) {
      if (rc) break;
      if (!json_is_string(v)) rc = mg_errf(err, MG_EINVAL, "--map %s: value of \"%s\" must be a string", spec, k);
      else rc = colmap_add(m, k, strlen(k), json_string_value(v), strlen(json_string_value(v)), err);
    }
    json_decref(root);
    return rc;
  }
  for (const char *p = spec; *p && rc == 0;) {
    const char *comma = strchr(p, ','), *stop = comma ? comma : p + strlen(p);
    const char *eq = memchr(p, '=', (size_t)(stop - p));
    if (!eq || eq == p || eq + 1 == stop)
      return mg_errf(err, MG_EINVAL, "--map: expected Theirs=ours near '%.*s' (or a JSON file name)", (int)(stop - p), p);
    rc = colmap_add(m, p, (size_t)(eq - p), eq + 1, (size_t)(stop - eq - 1), err);
    p = comma ? comma + 1 : stop;
  }
  return rc;
}

/* Trim ASCII white space and U+3000 (full-width space) in place. */
static void trim(char *s) {
  char *a = s, *z;
  for (;;) {
    if (*a == ' ' || *a == '\t' || *a == '\r' || *a == '\n') a++;
    else if (strncmp(a, "\xe3\x80\x80", 3) == 0) a += 3;
    else break;
  }
  z = a + strlen(a);
  for (;;) {
    if (z > a && (z[-1] == ' ' || z[-1] == '\t' || z[-1] == '\r' || z[-1] == '\n')) z--;
    else if (z - a >= 3 && strncmp(z - 3, "\xe3\x80\x80", 3) == 0) z -= 3;
    else break;
  }
  memmove(s, a, (size_t)(z - a));
  s[z - a] = '\0';
}

/* Fill idx[col] = cell index (-1 when absent) from the header in c->cells. */
static int read_header(struct csv *c, const struct colmap *m, int line, int idx[N_COLS]) {
  int bad = 0;
  for (int i = 0; i < N_COLS; i++) idx[i] = -1;
  for (int i = 0; i < c->n; i++) {
    const char *name = c->cells[i];
    trim(c->cells[i]);
    for (int k = 0; k < m->n; k++)
      if (strcmp(m->from[k], name) == 0) name = m->to[k];
    int col = col_of(name);
    if (col < 0) continue; /* a column of the city's own: ignored */
    if (idx[col] >= 0) {
      faq_io_report_error(c->rep, c->file, line, "列「%s」が2回あります", col_name[col]);
      bad = 1;
    }
    idx[col] = i;
  }
  for (int col = C_ID; col <= C_A; col++)
    if (col != C_MUNI && idx[col] < 0) {
      faq_io_report_error(c->rep, c->file, line, "必須の列「%s」がありません（列名が違うときは --map で対応付けてください）",
                         col_name[col]);
      bad = 1;
    }
  return bad ? MG_ECSV : 0;
}

/* ---- rows --------------------------------------------------------------- */

struct rowctx {
  struct csv *c;
  mg_io_set *s;
  const int *idx;
  int line;
};

/* Spreadsheets run a cell that starts with one of these as a formula
 * (CSV injection), so export writes such text behind an apostrophe, which
 * Excel hides and import takes off again: text survives the round trip. */
static const char formula_lead[] = "=+-@\t\r";

static int is_formula_lead(char ch) { return ch && strchr(formula_lead, ch) != NULL; }

static const char *cell(struct rowctx *r, int col) {
  const char *v = r->idx[col] >= 0 && r->idx[col] < r->c->n ? r->c->cells[r->idx[col]] : "";
  return v[0] == '\'' && is_formula_lead(v[1]) ? v + 1 : v;
}

static char *dup_nonempty(const char *s) { return *s ? strdup(s) : NULL; }

/* Split at newlines and (for keywords) 「、」 into a new vector. */
static int split_list(const char *s, int kw, char ***out) {
  char *t = strdup(s), *p;
  int n;
  if (!t) return MG_ENOMEM;
  while (kw && (p = strstr(t, KW_SEP))) { *p = '\n'; memmove(p + 1, p + 3, strlen(p + 3) + 1); }
  n = faq_strv_split(t, out);
  free(t);
  for (int i = 0; i < n; i++) trim((*out)[i]);
  return n;
}

/* The 6-digit local government code ends in a check digit (JIS X 0402). */
static int valid_code(const char *s) {
  int sum = 0;
  if (strlen(s) != 6 || strspn(s, "0123456789") != 6) return 0;
  for (int i = 0; i < 5; i++) sum += (s[i] - '0') * (6 - i);
  return (11 - sum % 11) % 10 == s[5] - '0';
}

static void check_same(struct rowctx *r, char **have, const char *v, const char *what) {
  if (!*v) return;
  if (!*have) *have = strdup(v);
  else if (strcmp(*have, v))
    faq_io_report_error(r->c->rep, r->c->file, r->line, "「%s」の「%s」が前の行（「%s」）と違います", what, v, *have);
}

static void row_municipality(struct rowctx *r) {
  const char *code = cell(r, C_CODE);
  if (*code && !valid_code(code))
    faq_io_report_error(r->c->rep, r->c->file, r->line, "「%s」の「%s」は検査数字付きの6桁のコードではありません",
                       col_name[C_CODE], code);
  else check_same(r, &r->s->code, code, col_name[C_CODE]);
  check_same(r, &r->s->name, cell(r, C_MUNI), col_name[C_MUNI]);
}

/* One department field: take it, or report a conflict with an earlier row. */
static void dept_field(struct rowctx *r, char **have, int col, int first_line) {
  const char *v = cell(r, col);
  if (!*v) return;
  if (!*have) *have = strdup(v);
  else if (strcmp(*have, v))
    faq_io_report_error(r->c->rep, r->c->file, r->line, "「%s」の「%s」が%d行目（「%s」）と違います", col_name[col], v,
                       first_line, *have);
}

static void row_department(struct rowctx *r) {
  const char *id = cell(r, C_DEPT);
  mg_department *d;
  int first = r->line, any = 0;
  for (int col = C_DEPT_NAME; col <= C_LOCATION; col++) any |= *cell(r, col) != '\0';
  if (!*id) {
    if (any) faq_io_report_error(r->c->rep, r->c->file, r->line, "部署の情報がありますが「%s」がありません", col_name[C_DEPT]);
    return;
  }
  if (!faq_valid_id(id)) {
    faq_io_report_error(r->c->rep, r->c->file, r->line, "「%s」の「%s」は使えません（半角英数字と - _ . で1〜64文字）", col_name[C_DEPT], id);
    return;
  }
  if (!any) return; /* refers to a department defined elsewhere or already stored */
  if (!(d = faq_io_set_find_dept(r->s, id, &first))) {
    if (!(d = faq_io_set_add_dept(r->s, r->line))) return;
    d->id = strdup(id);
  }
  dept_field(r, &d->name, C_DEPT_NAME, first);
  dept_field(r, &d->phone, C_PHONE, first);
  dept_field(r, &d->email, C_EMAIL, first);
  dept_field(r, &d->hours, C_HOURS, first);
  dept_field(r, &d->location, C_LOCATION, first);
}

static int row_status(struct rowctx *r) {
  const char *st = cell(r, C_STATUS);
  if (!*st || strcmp(st, STATUS_PUBLISHED) == 0) return 1;
  if (strcmp(st, STATUS_DRAFT) == 0) return 0;
  faq_io_report_error(r->c->rep, r->c->file, r->line, "「%s」の「%s」は使えません（「%s」か「%s」）", col_name[C_STATUS], st,
                     STATUS_PUBLISHED, STATUS_DRAFT);
  return 0;
}

static void row_entry(struct rowctx *r, int ncols) {
  mg_io_report *rep = r->c->rep;
  const char *id = cell(r, C_ID), *date = cell(r, C_DATE), *file = r->c->file;
  char ts[32];
  int dup_line;
  mg_io_row *row;
  for (int i = 0; i < r->c->n; i++) trim(r->c->cells[i]);
  if (r->c->n != ncols)
    faq_io_report_error(rep, file, r->line, "セルが%d個ありますが、見出しは%d列です", r->c->n, ncols);
  if (!*id) faq_io_report_error(rep, file, r->line, "「%s」が空です", col_name[C_ID]);
  else if (!faq_valid_id(id))
    faq_io_report_error(rep, file, r->line, "「%s」の「%s」は使えません（半角英数字と - _ . で1〜64文字）", col_name[C_ID], id);
  else if (faq_io_set_has_id(r->s, id, r->s->n_rows, &dup_line))
    faq_io_report_error(rep, file, r->line, "「%s」の「%s」は%d行目で使われています", col_name[C_ID], id, dup_line);
  if (!*cell(r, C_Q)) faq_io_report_error(rep, file, r->line, "「%s」が空です", col_name[C_Q]);
  if (!*cell(r, C_A)) faq_io_report_error(rep, file, r->line, "「%s」が空です", col_name[C_A]);
  if (*date && faq_io_date_in(date, ts))
    faq_io_report_error(rep, file, r->line, "「%s」の「%s」は日付として読めません（YYYY-MM-DD）", col_name[C_DATE], date);
  row_municipality(r);
  row_department(r);
  if (!(row = faq_io_set_add_row(r->s))) return;
  row->line = r->line;
  row->publish = row_status(r);
  row->e.id = strdup(id);
  row->e.question = strdup(cell(r, C_Q));
  row->e.answer = strdup(cell(r, C_A));
  row->e.n_alternates = split_list(cell(r, C_ALT), 0, &row->e.alternates);
  row->e.n_keywords = split_list(cell(r, C_KW), 1, &row->e.keywords);
  row->e.n_related = split_list(cell(r, C_REL), 1, &row->e.related); /* ids: 「、」 or lines, as keywords */
  if (row->e.n_alternates < 0) row->e.n_alternates = 0;
  if (row->e.n_keywords < 0) row->e.n_keywords = 0;
  if (row->e.n_related < 0) row->e.n_related = 0;
  row->e.category = dup_nonempty(cell(r, C_CAT));
  row->e.department_id = dup_nonempty(cell(r, C_DEPT));
  row->e.url = dup_nonempty(cell(r, C_URL));
  for (int i = 0; i < FAQ_N_KEPT; i++) /* a file without the column: the entry keeps its own (NULL) */
    if (r->idx[C_KEPT + i] >= 0) *faq_kept_field(&row->e, i) = strdup(cell(r, C_KEPT + i));
  row->e.updated_at = *date && faq_io_date_in(date, ts) == 0 ? strdup(ts) : NULL;
  /* a file without a translation's column keeps the entry's (NULL) */
  for (int t = 0; t < MG_FAQ_NTR; t++)
    if (r->idx[C_Q_EN + t] >= 0) row->e.tr[t] = strdup(cell(r, C_Q_EN + t));
}

/* Parse buf (UTF-8) into s, reporting problems in rep. */
static int parse(const char *path, const char *buf, size_t len, const struct colmap *m, mg_io_set *s,
                 mg_io_report *rep) {
  struct csv c = { .file = path, .p = buf, .end = buf + len, .line = 1, .rep = rep };
  int idx[N_COLS], line = 0, ncols, rc;
  rc = next_record(&c, &line);
  if (rc == 0) faq_io_report_error(rep, path, 1, "ファイルが空です（1行目に見出しが必要です）");
  if (rc <= 0 || (rc = read_header(&c, m, line, idx))) goto out;
  ncols = c.n;
  while (rep->n_errors < MG_IO_MAX_ERRORS && (rc = next_record(&c, &line)) == 1) {
    struct rowctx r = { &c, s, idx, line };
    row_entry(&r, ncols);
  }
  if (rc == 0 && c.p < c.end) rep->truncated = 1; /* stopped at the error limit */
out:
  cells_clear(&c);
  free(c.cells);
  return rc < 0 ? rc : 0;
}

/* faq_io_check on the rows of s that have no error in rep yet (a shallow
 * copy of the set: the rows themselves stay s's). */
static int check_clean_rows(sqlite3 *db, const mg_io_set *s, const mg_io_opts *o, const char *path, mg_io_report *rep,
                            char *err) {
  mg_io_set clean = *s;
  char at[32];
  clean.ids = s; /* a related id may name a row with an error: it is in the file all the same */
  int rc;
  if (!(clean.rows = malloc(((size_t)s->n_rows + 1) * sizeof *clean.rows))) return mg_errf(err, MG_ENOMEM, "out of memory");
  clean.n_rows = 0;
  for (int i = 0; i < s->n_rows; i++) {
    int bad = 0;
    snprintf(at, sizeof at, " %d行目: ", s->rows[i].line);
    for (int k = 0; k < rep->n_errors && !bad; k++) bad = strstr(rep->errors[k], at) != NULL;
    if (!bad) clean.rows[clean.n_rows++] = s->rows[i];
  }
  rc = faq_io_check(db, &clean, o, path, rep, err);
  free(clean.rows);
  return rc;
}

int faq_io_import_csv(sqlite3 *db, const char *path, const mg_io_opts *o, mg_io_report *rep, char *err) {
  struct colmap m = { .n = 0 };
  mg_io_set s = { 0 };
  char *buf = NULL;
  size_t len = 0;
  int rc;
  if ((rc = colmap_parse(&m, o ? o->map : NULL, err))) goto out;
  if ((rc = read_all(path, &buf, &len, err))) goto out;
  if ((rc = fix_encoding(path, o ? o->encoding : NULL, &buf, &len, rep, err))) goto out;
  rc = parse(path, buf, len, &m, &s, rep);
  if (rc == MG_ENOMEM) { mg_errf(err, rc, "out of memory"); goto out; }
  if (rep->n_errors) {
    /* list every bad row at once: rows without a problem so far get the database's checks too */
    if (!rep->truncated && (rc = check_clean_rows(db, &s, o, path, rep, err))) goto out;
    faq_io_report_sort(rep);
    rc = mg_errf(err, MG_ECSV, "%s: 誤りが%d件あるため、何も取り込んでいません", path, rep->n_errors);
    goto out;
  }
  rc = faq_io_apply(db, &s, o, path, rep, err);
out:
  colmap_free(&m);
  faq_io_set_free(&s);
  free(buf);
  return rc;
}

/* ---- export ------------------------------------------------------------- */

void faq_io_csv_cell(FILE *out, const char *s, int first) {
  const char *lead = "";
  if (!first) fputc(',', out);
  if (!s) s = "";
  if (is_formula_lead(s[0]) || (s[0] == '\'' && is_formula_lead(s[1]))) lead = "'";
  if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && (!*s || s[strlen(s) - 1] != ' ')) {
    fputs(lead, out);
    fputs(s, out);
    return;
  }
  fputc('"', out);
  fputs(lead, out);
  for (; *s; s++) {
    if (*s == '"') fputc('"', out);
    if (*s != '\r') fputc(*s, out);
  }
  fputc('"', out);
}

/* Join v with sep into a new string. */
static char *join(char *const *v, int n, const char *sep) {
  size_t len = 1;
  char *s, *p;
  for (int i = 0; i < n; i++) len += strlen(v[i]) + strlen(sep);
  if (!(p = s = malloc(len))) return NULL;
  *p = '\0';
  for (int i = 0; i < n; i++) p = stpcpy(i ? stpcpy(p, sep) : p, v[i]);
  return s;
}

struct ectx { FILE *out; const char *code, *name; };

static int write_row(void *ctx, const mg_faq_entry *e, int published) {
  struct ectx *x = ctx;
  char date[16], *alt = join(e->alternates, e->n_alternates, "\n"), *kw = join(e->keywords, e->n_keywords, KW_SEP);
  char *rel = join(e->related, e->n_related, KW_SEP);
  const char *v[N_COLS] = {
    x->code, e->id, x->name, e->question, e->answer, alt, kw, rel, e->category, e->department_id, e->dept.name,
    e->dept.phone, e->dept.email, e->dept.hours, e->dept.location, e->url, date,
    published ? STATUS_PUBLISHED : STATUS_DRAFT,
  };
  for (int i = 0; i < FAQ_N_KEPT; i++) v[C_KEPT + i] = *faq_kept_field((mg_faq_entry *)e, i);
  for (int t = 0; t < MG_FAQ_NTR; t++) v[C_Q_EN + t] = e->tr[t];
  faq_io_date_out(e->updated_at, date);
  if (!alt || !kw || !rel) { free(alt); free(kw); free(rel); return MG_ENOMEM; }
  for (int i = 0; i < N_COLS; i++) faq_io_csv_cell(x->out, v[i], i == 0);
  fputs("\r\n", x->out);
  free(alt);
  free(kw);
  free(rel);
  return ferror(x->out) ? MG_EIO : 0;
}

int faq_io_export_csv(sqlite3 *db, FILE *out, const mg_io_opts *o, char *err) {
  char *code = NULL, *name = NULL, ignored[MG_ERRLEN];
  struct ectx x = { out, "", "" };
  int rc;
  faq_meta_get(db, "municipality_code", &code, ignored);
  faq_meta_get(db, "municipality_name", &name, ignored);
  x.code = code ? code : "", x.name = name ? name : "";
  if (!(o && o->no_bom)) fputs("\xef\xbb\xbf", out);
  for (int i = 0; i < N_COLS; i++) faq_io_csv_cell(out, col_name[i], i == 0);
  fputs("\r\n", out);
  rc = faq_io_walk(db, o, write_row, &x, err);
  if (rc == MG_ENOMEM) mg_errf(err, rc, "out of memory");
  else if (rc == MG_EIO) mg_errf(err, rc, "writing CSV failed");
  free(code);
  free(name);
  return rc;
}
