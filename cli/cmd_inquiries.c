/*
 * cmd_inquiries.c — `madoguchi inquiries`: the contact form's keys and the
 * city's inquiry mailbox.
 *
 *   inquiries key NAME       a new API key for the form: printed once with the
 *                            hash that goes into the configuration
 *   inquiries import MAILDIR every message in MAILDIR/new and MAILDIR/cur not
 *                            yet seen (the Seen flag "S"): parsed (bot/mime.h),
 *                            triaged and stored (bot/inquiry.h), then marked
 *                            seen as mail readers do (new/X → cur/X:2,S);
 *                            automatic mail (Auto-Submitted, RFC 3834) is
 *                            marked seen and not stored
 *
 * A message is marked seen only once it is stored (or was stored before: the
 * Message-ID is unique), so an import that stops half way is simply run
 * again. A message that cannot be read is left where it is and named on
 * stderr by its file name, never by its content.
 */
#include "cli/cmd.h"

#include "bot/inquiry.h"
#include "bot/mime.h"
#include "util/mg_err.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAIL_MAX_BYTES (10 * 1024 * 1024)

static const char help[] =
  "usage: madoguchi inquiries COMMAND ...\n"
  "  key NAME          a new API key for the contact form NAME; put the printed\n"
  "                    {\"name\", \"key_hash\"} into inquiry_api_keys (docs/config.md)\n"
  "  import MAILDIR    store every unseen message of the Maildir as an inquiry\n"
  "                    (idempotent by Message-ID; replies join their ticket)\n"
  "\n"
  "common options:\n"
  "  --db PATH       SQLite database (default ./madoguchi.db)\n"
  "  --config PATH   JSON configuration file (see docs/config.md)\n";

static int cmd_key(const char *name) {
  char key[64], hash[MG_KEY_HASHLEN], err[MG_ERRLEN];
  if (!name || !*name || strlen(name) >= 64) {
    fprintf(stderr, "madoguchi inquiries: key NAME (1 to 63 characters)\n");
    return 2;
  }
  if (bot_inquiry_key_new(key, hash, err) != 0) {
    fprintf(stderr, "madoguchi inquiries: %s\n", err);
    return 1;
  }
  printf("key: %s\n", key);
  printf("config: {\"name\": \"%s\", \"key_hash\": \"%s\"}\n", name, hash);
  printf("(the key is shown only now; the configuration keeps its hash)\n");
  return 0;
}

/* The whole file, or NULL (too big, unreadable). */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  long n;
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n <= MAIL_MAX_BYTES && fseek(f, 0, SEEK_SET) == 0 &&
      (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
    buf[n] = '\0';
    *len = (size_t)n;
  } else {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  return buf;
}

/* The Maildir name of file (in new/ or cur/) with the Seen flag: the
 * ":2,FLAGS" info kept, S added in ASCII order. Into out. */
static void seen_name(const char *file, char *out, size_t size) {
  const char *info = strstr(file, ":2,");
  char flags[64] = "";
  size_t base = info ? (size_t)(info - file) : strlen(file), k = 0;
  if (info) snprintf(flags, sizeof flags, "%s", info + 3);
  if (!strchr(flags, 'S')) {
    /* insert S keeping the flags sorted */
    char sorted[64];
    size_t i = 0;
    for (; flags[i] && flags[i] < 'S'; i++) sorted[k++] = flags[i];
    sorted[k++] = 'S';
    for (; flags[i] && k < sizeof sorted - 1; i++) sorted[k++] = flags[i];
    sorted[k] = '\0';
    snprintf(flags, sizeof flags, "%s", sorted);
  }
  snprintf(out, size, "%.*s:2,%s", (int)base, file, flags);
}

struct tally { int stored, joined, duplicate, acknowledged, automatic, failed; };

static int import_one(bot_worker *w, const char *dir, const char *sub, const char *file, struct tally *t) {
  char path[4096], to[4096], seen[1024], err[MG_ERRLEN] = "";
  bot_mail m;
  bot_inquiry in = { .source = "mail" };
  bot_inquiry_result r;
  size_t len = 0;
  char *raw;
  int rc;

  snprintf(path, sizeof path, "%s/%s/%s", dir, sub, file);
  if (!(raw = slurp(path, &len))) {
    fprintf(stderr, "madoguchi inquiries: %s/%s: cannot read (or over 10 MB)\n", sub, file);
    t->failed++;
    return 0;
  }
  rc = bot_mime_parse(raw, len, &m, err);
  free(raw);
  if (rc != 0) {
    fprintf(stderr, "madoguchi inquiries: %s/%s: %s\n", sub, file, err);
    t->failed++;
    return 0;
  }
  if (m.automatic) {
    /* an autoresponder answering our acknowledgement must not reopen the
     * ticket (or start a loop of acknowledgements): marked seen, not stored */
    bot_mail_clear(&m);
    t->automatic++;
    goto seen;
  }
  in.message_id = m.message_id;
  in.refs = (const char *const *)m.refs;
  in.n_refs = m.n_refs;
  in.subject = m.subject;
  in.name = m.from_name;
  in.email = m.from_addr;
  in.body = m.body;
  in.form_id = "mail";
  rc = bot_inquiry_submit(w, &in, &r, err);
  bot_mail_clear(&m);
  if (rc != 0) {
    fprintf(stderr, "madoguchi inquiries: %s/%s: %s\n", sub, file, err);
    t->failed++;
    return rc == MG_EFULL || rc == MG_EDB || rc == MG_EBUSY ? rc : 0;   /* the store's trouble stops the import */
  }
  if (r.duplicate) t->duplicate++;
  else if (r.joined) t->joined++, printf("%s\treply\t%s/%s\n", r.ticket_no, sub, file);
  else {
    t->stored++;
    t->acknowledged += r.acknowledged;
    printf("%s\t%s\t%s/%s\n", r.ticket_no, r.triage.department[0] ? r.triage.department : "-", sub, file);
  }
seen:
  seen_name(file, seen, sizeof seen);
  snprintf(to, sizeof to, "%s/cur/%s", dir, seen);
  if (strcmp(path, to) != 0 && rename(path, to) != 0)
    fprintf(stderr, "madoguchi inquiries: %s/%s: cannot mark seen: %s\n", sub, file, strerror(errno));
  return 0;
}

static int cmd_import(const char *dir, mg_config *cfg) {
  static const char *const subs[] = { "new", "cur" };
  char err[MG_ERRLEN] = "", path[4096];
  struct tally t = { 0 };
  bot *b = NULL;
  bot_worker *w = NULL;
  int rc = 1;

  for (int s = 0; s < 2; s++) {
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, subs[s]);
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
      fprintf(stderr, "madoguchi inquiries: %s is not a Maildir (no %s/)\n", dir, subs[s]);
      return 2;
    }
  }
  if (bot_new(&b, cfg, err) != 0 || bot_worker_new(&w, b, err) != 0) {
    fprintf(stderr, "madoguchi inquiries: %s\n", err);
    goto out;
  }
  for (int s = 0; s < 2; s++) {
    struct dirent **names = NULL;
    int n;
    snprintf(path, sizeof path, "%s/%s", dir, subs[s]);
    /* sorted: Maildir names begin with the delivery time, so oldest first,
     * and an inquiry is stored before a reply to it */
    if ((n = scandir(path, &names, NULL, alphasort)) < 0) {
      fprintf(stderr, "madoguchi inquiries: %s: %s\n", path, strerror(errno));
      goto out;
    }
    for (int i = 0; i < n; i++) {
      const char *f = names[i]->d_name;
      const char *info = strstr(f, ":2,");
      int stop = 0;
      if (f[0] != '.' && !(s == 1 && info && strchr(info + 3, 'S')) &&
          (stop = import_one(w, dir, subs[s], f, &t)) != 0) {
        for (int k = i; k < n; k++) free(names[k]);
        free(names);
        goto out;
      }
      free(names[i]);
    }
    free(names);
  }
  printf("stored %d, replies joined %d, already stored %d, acknowledged %d, automatic %d, failed %d\n", t.stored,
         t.joined, t.duplicate, t.acknowledged, t.automatic, t.failed);
  rc = t.failed ? 1 : 0;
out:
  bot_worker_free(w);
  bot_free(b);
  return rc;
}

int cmd_inquiries(int argc, char **argv, mg_config *cfg) {
  if (argc < 2 || mg_cmd_wants_help(argc, argv)) {
    fputs(help, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (strcmp(argv[1], "key") == 0 && argc == 3) return cmd_key(argv[2]);
  if (strcmp(argv[1], "import") == 0 && argc == 3) return cmd_import(argv[2], cfg);
  fputs(help, stderr);
  return 2;
}
