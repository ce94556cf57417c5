/*
 * mg_config.c — defaults, JSON config file, data directory discovery.
 *
 * The config file is a flat JSON object whose keys are the field names of
 * struct mg_config; unknown keys are an error (a typo must not be silently
 * ignored by a city's operator).
 */
#include "util/mg_config.h"
#include "util/mg_err.h"
#include "util/mg_log.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef MG_DATADIR
#define MG_DATADIR "/usr/local/share/madoguchi"
#endif
#ifndef MG_SRCDIR
#define MG_SRCDIR "."
#endif
#ifndef MG_BUILDDIR
#define MG_BUILDDIR "."
#endif
#ifndef MG_MECAB_DICDIR
#define MG_MECAB_DICDIR "/var/lib/mecab/dic/ipadic-utf8"
#endif

static int has_rules(const char *dir) {
  char p[MG_PATHLEN + 32];
  snprintf(p, sizeof p, "%s/dict/rules.json", dir);
  return access(p, R_OK) == 0;
}

static void join(char *out, const char *dir, const char *rel) {
  snprintf(out, MG_PATHLEN, "%s/%s", dir, rel);
}

void mg_config_set_data_dir(mg_config *cfg, const char *dir) {
  snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", dir);
  join(cfg->dict_dir, dir, "dict");
  /* the bundled sample's file name (a fictional Saijo FAQ), only a default: a city sets sample_path or imports its own */
  join(cfg->sample_path, dir, "faq/sample/saijo-faq.json");
  join(cfg->rules_path, dir, "dict/rules.json");
  join(cfg->calendar_path, dir, "dict/calendar.tsv");
  join(cfg->web_dir, dir, "web");
  join(cfg->page_template, dir, "faq/sample/page-template.html");
  join(cfg->page_accessibility, dir, "faq/sample/accessibility.html");
  /* The user dictionary is built, not shipped: installed beside the data,
   * or in the build tree when running from a checkout. */
  join(cfg->userdic, dir, "dict/user.dic");
  if (access(cfg->userdic, R_OK) != 0) join(cfg->userdic, MG_BUILDDIR, "dict/user.dic");
  if (access(cfg->userdic, R_OK) != 0) cfg->userdic[0] = '\0';
}

void mg_config_defaults(mg_config *cfg) {
  const char *env = getenv("MADOGUCHI_DATA");
  memset(cfg, 0, sizeof *cfg);
  if (env && *env) mg_config_set_data_dir(cfg, env);
  else if (has_rules(MG_SRCDIR)) mg_config_set_data_dir(cfg, MG_SRCDIR);
  else mg_config_set_data_dir(cfg, MG_DATADIR);
  snprintf(cfg->db_path, sizeof cfg->db_path, "madoguchi.db");
  snprintf(cfg->mecab_dicdir, sizeof cfg->mecab_dicdir, "%s", MG_MECAB_DICDIR);
  snprintf(cfg->listen_addr, sizeof cfg->listen_addr, "127.0.0.1");
  cfg->port = 8080;
  /* Metrics on a port of their own, on loopback: the chat port faces the
   * residents (through nginx), the numbers are for the city's monitoring. */
  snprintf(cfg->metrics_listen, sizeof cfg->metrics_listen, "127.0.0.1");
  cfg->metrics_port = 9464;
  cfg->max_conns_per_ip = 20;
  cfg->max_conns_per_ip_http = 64;
  cfg->max_pending_conns = 2048;
  cfg->max_header_wait_secs = 10;
  cfg->max_msgs_per_sec = 5;
  cfg->ws_ping_secs = 30;
  cfg->ws_hangup_secs = 70;
  cfg->session_ttl_hours = 72;
  cfg->retention_days = 365;
  cfg->max_tickets_per_session = 5;
  cfg->max_tickets_per_ip_hour = 20;
  cfg->ticket_lookup_days = 30;
  cfg->answer_days = 3;
  cfg->inquiry_max_chars = 10000;
  snprintf(cfg->smtp_tls, sizeof cfg->smtp_tls, "starttls");
  cfg->mail_poll_secs = 2;
  snprintf(cfg->line_api_base, sizeof cfg->line_api_base, "https://api.line.me");
  snprintf(cfg->line_webhook_path, sizeof cfg->line_webhook_path, "/line/webhook");
  cfg->line_push_quota = 200;   /* LINE's free (communication) plan */
  snprintf(cfg->log_level, sizeof cfg->log_level, "info");
  cfg->learn_min_sessions = 3;
  cfg->learn_min_addresses = 2;
  cfg->workers = 2;
  cfg->auth_hash_threads = 1;
  cfg->auth_hash_queue = 16;
  snprintf(cfg->office_open, sizeof cfg->office_open, "08:30");
  snprintf(cfg->office_close, sizeof cfg->office_close, "17:15");
  cfg->top_k = 5;
  cfg->answer_min = 0.75;
  cfg->clarify_min = 0.4;
  cfg->clarify_margin = 0.9;
}

/* Field table: one row per key, so loading and docs/config.md agree. */
enum kind { K_STR, K_INT, K_NUM, K_BOOL };
struct field {
  const char *key;
  enum kind kind;
  size_t off;
  size_t size;
};
#define S(f) { #f, K_STR, offsetof(mg_config, f), sizeof(((mg_config *)0)->f) }
#define I(f) { #f, K_INT, offsetof(mg_config, f), 0 }
#define N(f) { #f, K_NUM, offsetof(mg_config, f), 0 }
#define B(f) { #f, K_BOOL, offsetof(mg_config, f), 0 }
static const struct field fields[] = {
  S(db_path), S(dict_dir), S(mecab_dicdir), S(userdic), S(sample_path), S(rules_path),
  S(calendar_path), S(web_dir), S(listen_addr), I(port), S(metrics_listen), S(trusted_proxy),
  I(max_conns_per_ip), I(max_conns_per_ip_http), I(max_pending_conns),
  N(max_header_wait_secs), I(max_msgs_per_sec), N(ws_ping_secs), N(ws_hangup_secs), I(session_ttl_hours), I(retention_days),
  I(learn_min_sessions), I(learn_min_addresses), I(max_tickets_per_session), I(max_tickets_per_ip_hour),
  I(ticket_lookup_days), I(answer_days), I(inquiry_max_chars),
  I(workers), I(auth_hash_threads), I(auth_hash_queue), S(office_open), S(office_close), I(top_k), N(answer_min),
  N(clarify_min), N(clarify_margin), S(test_db_full_file), S(smtp_url), S(smtp_from), S(smtp_user),
  S(smtp_password), S(smtp_tls), S(outbound_proxy), S(public_base_url), N(mail_poll_secs), S(log_level),
  B(pages), S(page_template), S(page_accessibility), S(pages_chat_url),
  S(line_channel_secret), S(line_channel_access_token), S(line_api_base), S(line_webhook_path), I(line_push_quota),
};
#undef S
#undef I
#undef N
#undef B

static int set_field(mg_config *cfg, const char *key, json_t *v, char *err) {
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    const struct field *f = &fields[i];
    char *p = (char *)cfg + f->off;
    if (strcmp(f->key, key) != 0) continue;
    switch (f->kind) {
    case K_STR:
      if (!json_is_string(v)) return mg_errf(err, MG_ECONFIG, "config key \"%s\": expected a string", key);
      if (json_string_length(v) >= f->size) return mg_errf(err, MG_ECONFIG, "config key \"%s\": too long", key);
      memcpy(p, json_string_value(v), json_string_length(v) + 1);
      return 0;
    case K_INT:
      if (!json_is_integer(v)) return mg_errf(err, MG_ECONFIG, "config key \"%s\": expected an integer", key);
      *(int *)p = (int)json_integer_value(v);
      return 0;
    case K_NUM:
      if (!json_is_number(v)) return mg_errf(err, MG_ECONFIG, "config key \"%s\": expected a number", key);
      *(double *)p = json_number_value(v);
      return 0;
    case K_BOOL:
      if (!json_is_boolean(v)) return mg_errf(err, MG_ECONFIG, "config key \"%s\": expected true or false", key);
      *(int *)p = json_is_true(v);
      return 0;
    }
  }
  return mg_errf(err, MG_ECONFIG, "unknown config key \"%s\"", key);
}

int mg_config_load(mg_config *cfg, const char *path, char *err) {
  json_error_t je;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je), *v;
  const char *key;
  int rc = 0;

  if (!root) return mg_errf(err, MG_ECONFIG, "%s:%d:%d: %s", path, je.line, je.column, je.text);
  if (!json_is_object(root)) {
    rc = mg_errf(err, MG_ECONFIG, "%s: the config must be a JSON object", path);
    goto out;
  }
  /* data_dir first: the other paths derive from it unless given too. */
  if ((v = json_object_get(root, "data_dir"))) {
    if (!json_is_string(v)) { rc = mg_errf(err, MG_ECONFIG, "%s: data_dir must be a string", path); goto out; }
    mg_config_set_data_dir(cfg, json_string_value(v));
  }
  json_object_foreach(root, key, v) {
    if (strcmp(key, "data_dir") == 0) continue;
    if (strcmp(key, "allowed_origins") == 0) {
      size_t i;
      json_t *o;
      if (!json_is_array(v) || json_array_size(v) > MG_MAX_ORIGINS) {
        rc = mg_errf(err, MG_ECONFIG, "%s: allowed_origins must be an array of at most %d strings", path, MG_MAX_ORIGINS);
        goto out;
      }
      cfg->n_allowed_origins = 0;
      json_array_foreach(v, i, o) {
        if (!json_is_string(o) || json_string_length(o) >= sizeof cfg->allowed_origins[0]) {
          rc = mg_errf(err, MG_ECONFIG, "%s: allowed_origins[%zu] must be a short string", path, i);
          goto out;
        }
        snprintf(cfg->allowed_origins[cfg->n_allowed_origins++], sizeof cfg->allowed_origins[0], "%s", json_string_value(o));
      }
      continue;
    }
    if (strcmp(key, "inquiry_api_keys") == 0) {
      size_t i;
      json_t *o;
      if (!json_is_array(v) || json_array_size(v) > MG_MAX_INQUIRY_KEYS) {
        rc = mg_errf(err, MG_ECONFIG, "%s: inquiry_api_keys must be an array of at most %d keys", path, MG_MAX_INQUIRY_KEYS);
        goto out;
      }
      cfg->n_inquiry_api_keys = 0;
      json_array_foreach(v, i, o) {
        const char *name = json_string_value(json_object_get(o, "name"));
        const char *hash = json_string_value(json_object_get(o, "key_hash"));
        struct mg_inquiry_key *k = &cfg->inquiry_api_keys[cfg->n_inquiry_api_keys];
        if (!name || !*name || strlen(name) >= sizeof k->name || !hash || strlen(hash) != MG_KEY_HASHLEN - 1 ||
            strspn(hash, "0123456789abcdef") != MG_KEY_HASHLEN - 1) {
          rc = mg_errf(err, MG_ECONFIG, "%s: inquiry_api_keys[%zu] must be {\"name\", \"key_hash\"} as `madoguchi inquiries key NAME` prints it", path, i);
          goto out;
        }
        snprintf(k->name, sizeof k->name, "%s", name);
        snprintf(k->key_hash, sizeof k->key_hash, "%s", hash);
        cfg->n_inquiry_api_keys++;
      }
      continue;
    }
    if (strcmp(key, "metrics_port") == 0) {
      /* a port, or "off" (the same as -1) for no metrics listener */
      if (json_is_string(v) && strcmp(json_string_value(v), "off") == 0) {
        cfg->metrics_port = MG_METRICS_OFF;
      } else if (json_is_integer(v) && json_integer_value(v) >= MG_METRICS_OFF && json_integer_value(v) <= 65535) {
        cfg->metrics_port = (int)json_integer_value(v);
      } else {
        rc = mg_errf(err, MG_ECONFIG, "%s: metrics_port must be a port (0 = any free one), -1 or \"off\"", path);
        goto out;
      }
      continue;
    }
    if ((rc = set_field(cfg, key, v, err)) != 0) {
      char tmp[MG_ERRLEN];
      snprintf(tmp, sizeof tmp, "%s: %s", path, err ? err : "");
      if (err) memcpy(err, tmp, MG_ERRLEN);
      goto out;
    }
  }
  if (!(cfg->ws_ping_secs > 0) || !(cfg->ws_hangup_secs > cfg->ws_ping_secs))
    rc = mg_errf(err, MG_ECONFIG, "%s: need 0 < ws_ping_secs < ws_hangup_secs", path);
  else if (cfg->max_pending_conns < 1 || cfg->max_pending_conns > MG_MAX_PENDING_CONNS)
    rc = mg_errf(err, MG_ECONFIG, "%s: max_pending_conns must be 1 to %d", path, MG_MAX_PENDING_CONNS);
  else if (!(cfg->max_header_wait_secs >= 1) || cfg->max_header_wait_secs > 3600)
    rc = mg_errf(err, MG_ECONFIG, "%s: max_header_wait_secs must be 1 to 3600", path);
  /* lws would share one listening socket between the two vhosts, and
   * /metrics would be answered on the residents' port */
  else if (cfg->metrics_port > 0 && cfg->metrics_port == cfg->port)
    rc = mg_errf(err, MG_ECONFIG, "%s: metrics_port must differ from port (%d)", path, cfg->port);
  else if (cfg->inquiry_max_chars < 1 || cfg->inquiry_max_chars > 50000)
    rc = mg_errf(err, MG_ECONFIG, "%s: inquiry_max_chars must be 1 to 50000", path);
  else if (cfg->smtp_url[0] && strncmp(cfg->smtp_url, "smtp://", 7) != 0 && strncmp(cfg->smtp_url, "smtps://", 8) != 0)
    rc = mg_errf(err, MG_ECONFIG, "%s: smtp_url must start with smtp:// or smtps://", path);
  else if (cfg->smtp_url[0] && (!cfg->smtp_from[0] || !strchr(cfg->smtp_from, '@') || strpbrk(cfg->smtp_from, " <>\r\n")))
    rc = mg_errf(err, MG_ECONFIG, "%s: smtp_url needs smtp_from, a plain address such as noreply@city.example", path);
  else if (cfg->smtp_url[0] && strncmp(cfg->public_base_url, "https://", 8) != 0 &&
           strncmp(cfg->public_base_url, "http://", 7) != 0)
    rc = mg_errf(err, MG_ECONFIG, "%s: smtp_url needs public_base_url (https://…), the address of this server in the links it mails", path);
  /* canonical URLs and the sitemap name this address, never the Host header */
  else if (cfg->pages && strncmp(cfg->public_base_url, "https://", 8) != 0 &&
           strncmp(cfg->public_base_url, "http://", 7) != 0)
    rc = mg_errf(err, MG_ECONFIG, "%s: pages needs public_base_url (https://…), the address residents reach the pages at", path);
  else if (cfg->pages_chat_url[0] && strncmp(cfg->pages_chat_url, "https://", 8) != 0 &&
           strncmp(cfg->pages_chat_url, "http://", 7) != 0 &&
           (cfg->pages_chat_url[0] != '/' || cfg->pages_chat_url[1] == '/'))
    rc = mg_errf(err, MG_ECONFIG, "%s: pages_chat_url must be an http(s):// URL or a path starting with /", path);
  else if (strcmp(cfg->smtp_tls, "starttls") != 0 && strcmp(cfg->smtp_tls, "none") != 0)
    rc = mg_errf(err, MG_ECONFIG, "%s: smtp_tls must be starttls or none", path);
  else if (!(cfg->mail_poll_secs >= 0.1) || cfg->mail_poll_secs > 3600)
    rc = mg_errf(err, MG_ECONFIG, "%s: mail_poll_secs must be 0.1 to 3600", path);
  else if (cfg->line_channel_secret[0] && cfg->line_channel_access_token[0] &&
           strncmp(cfg->line_api_base, "https://", 8) != 0 && strncmp(cfg->line_api_base, "http://", 7) != 0)
    rc = mg_errf(err, MG_ECONFIG, "%s: line_api_base must be an http(s):// URL", path);
  else if (cfg->line_webhook_path[0] != '/' || strpbrk(cfg->line_webhook_path, "?# "))
    rc = mg_errf(err, MG_ECONFIG, "%s: line_webhook_path must be a path starting with /", path);
  else if (cfg->line_push_quota < 0)
    rc = mg_errf(err, MG_ECONFIG, "%s: line_push_quota must be 0 (no limit) or more", path);
  else if (mg_log_level_parse(cfg->log_level) < 0)
    rc = mg_errf(err, MG_ECONFIG, "%s: log_level must be debug, info, warn or error", path);
  if (rc == 0) { /* absolute, so a reload finds it whatever the working directory */
    char *abs = realpath(path, NULL);
    snprintf(cfg->config_path, sizeof cfg->config_path, "%s", abs ? abs : path);
    free(abs);
  }
out:
  json_decref(root);
  return rc;
}

/* Read only by the answer pipeline (bot/, under the bot's read lock) or
 * atomic (log_level): a reload can hand them over. */
static const char *const reloadable[] = {
  "log_level", "top_k", "answer_min", "clarify_min", "clarify_margin", "learn_min_sessions",
  "learn_min_addresses", "max_tickets_per_session", "max_tickets_per_ip_hour", "session_ttl_hours",
};

int mg_config_reloadable(const char *key) {
  for (size_t i = 0; i < sizeof reloadable / sizeof reloadable[0]; i++)
    if (strcmp(key, reloadable[i]) == 0) return 1;
  return 0;
}

static const struct field *field_of(const char *key) {
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    if (strcmp(fields[i].key, key) == 0) return &fields[i];
  return NULL;
}

static size_t field_size(const struct field *f) {
  return f->kind == K_STR ? f->size : f->kind == K_INT ? sizeof(int) : sizeof(double);
}

int mg_config_changed(const mg_config *a, const mg_config *b, mg_config_key_fn fn, void *ctx) {
  int n = 0;
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    const struct field *f = &fields[i];
    const char *x = (const char *)a + f->off, *y = (const char *)b + f->off;
    int differ = f->kind == K_STR ? strcmp(x, y) != 0 : memcmp(x, y, field_size(f)) != 0;
    if (differ) n++, fn(ctx, f->key);
  }
  if (a->metrics_port != b->metrics_port) n++, fn(ctx, "metrics_port");
  int origins = a->n_allowed_origins != b->n_allowed_origins;
  for (int i = 0; !origins && i < a->n_allowed_origins; i++)
    origins = strcmp(a->allowed_origins[i], b->allowed_origins[i]) != 0;
  if (origins) n++, fn(ctx, "allowed_origins");
  return n;
}

int mg_config_copy_key(mg_config *dst, const mg_config *src, const char *key) {
  const struct field *f = field_of(key);
  if (!f) return MG_EINVAL;
  memcpy((char *)dst + f->off, (const char *)src + f->off, field_size(f));
  return 0;
}
