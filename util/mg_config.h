/*
 * mg_config.h — configuration in one place.
 *
 * One struct, filled from built-in defaults, then a JSON config file, then
 * command-line flags, and passed down explicitly (no globals). Paths default
 * to the data directory: $MADOGUCHI_DATA, else the source tree the binary was
 * built from (so `./madoguchi` works in a checkout), else the installed
 * $(pkgdatadir). docs/config.md documents every key.
 */
#ifndef MG_CONFIG_H
#define MG_CONFIG_H

#define MG_PATHLEN 1024
#define MG_MAX_ORIGINS 16
#define MG_MAX_INQUIRY_KEYS 16
#define MG_KEY_HASHLEN 65         /* hex of a 32-byte hash + NUL */
#define MG_MAX_PENDING_CONNS 16384
#define MG_METRICS_OFF (-1)       /* metrics_port: no /metrics listener */

typedef struct mg_config {
  char data_dir[MG_PATHLEN];     /* root of dict/, faq/sample/, web/ */
  char db_path[MG_PATHLEN];      /* SQLite database file (created on first run) */
  char dict_dir[MG_PATHLEN];     /* synonyms, variants, stopwords, rules, calendar */
  char mecab_dicdir[MG_PATHLEN]; /* MeCab system dictionary directory (-d) */
  char userdic[MG_PATHLEN];      /* compiled MeCab user dictionary (may be empty) */
  char sample_path[MG_PATHLEN];  /* FAQ loaded into a new, empty database */
  char rules_path[MG_PATHLEN];   /* intent rules (JSON) */
  char calendar_path[MG_PATHLEN];/* office holidays */
  char web_dir[MG_PATHLEN];      /* static files: widget, demo page, console */

  /* server */
  char listen_addr[64];          /* interface address; "" = all */
  int port;                      /* TCP port */
  char metrics_listen[64];       /* interface of the Prometheus /metrics listener; "" = all */
  int metrics_port;              /* its TCP port, never the chat's; 0 = a free one, MG_METRICS_OFF = none */
  char allowed_origins[MG_MAX_ORIGINS][256]; /* Origin values allowed on /ws and CORS */
  int n_allowed_origins;         /* 0 = same-origin only */
  char trusted_proxy[64];        /* peer address whose X-Forwarded-For is believed */
  int max_conns_per_ip;          /* open chat connections per client address */
  int max_conns_per_ip_http;     /* open TCP connections per peer address that are not chats */
  int max_pending_conns;         /* connections still sending their first request headers */
  double max_header_wait_secs;   /* from accept to complete first request headers */
  int max_msgs_per_sec;          /* messages per second per connection */
  double ws_ping_secs;           /* chat silent this long: PING (8-byte payload, echo checked) */
  double ws_hangup_secs;         /* chat silent this long, PONG included: dropped */
  int session_ttl_hours;         /* idle sessions expire after this */
  int retention_days;            /* transcripts are deleted after this */
  int max_tickets_per_session;   /* escalations one chat session may make */
  int max_tickets_per_ip_hour;   /* escalations per client network (/24) and hour */
  int ticket_lookup_days;        /* a closed ticket's thread stays readable by its secret this long */
  int answer_days;               /* staff answer an open ticket within this many working days
                                    (department.answer_days overrides it) */
  int learn_min_sessions;        /* a candidate phrasing is shown to staff from this many sessions… */
  int learn_min_addresses;       /* …and this many client addresses (faq/learn.h) */
  int workers;                   /* engine/database worker threads */
  int auth_hash_threads;         /* password hashing threads, apart from the workers */
  int auth_hash_queue;           /* logins that may wait for them; more get 503 */
  char office_open[6];           /* "08:30" Asia/Tokyo, weekdays */
  char office_close[6];          /* "17:15" */

  /* engine */
  int top_k;                     /* candidates returned */
  double answer_min;             /* confidence at or above: answer */
  double clarify_min;            /* confidence at or above (but not answer): clarify */
  double clarify_margin;         /* runner-up within this ratio of the best: clarify */

  /* test hooks (docs/config.md); empty = off */
  char test_db_full_file[MG_PATHLEN]; /* while this file exists, writes fail as on a full disk */
  /* e-mail notices (adapters/mail.c); no smtp_url = no e-mail offered */
  char smtp_url[512];            /* smtp://host:port or smtps://host:port (the relay) */
  char smtp_from[256];           /* envelope and From: address */
  char smtp_user[256];           /* relay login, "" = none */
  char smtp_password[256];       /* never logged */
  char smtp_tls[16];             /* "starttls" (required) or "none"; smtps:// is TLS anyway */
  char outbound_proxy[512];      /* proxy for outbound connections, "" = direct */
  char public_base_url[512];     /* how residents reach this server, e.g. https://chat.city.example */
  /* public FAQ pages (adapters/pages.c, docs/public-pages.md) */
  int pages;                     /* 1: serve /faq/… and /sitemap.xml (needs public_base_url) */
  char page_template[MG_PATHLEN];/* the city's header and footer around every page */
  char page_accessibility[MG_PATHLEN]; /* the accessibility statement (HTML fragment) */
  char pages_chat_url[512];      /* 「職員に質問する」 links here; "" = public_base_url + "/" */
  double mail_poll_secs;         /* how often the delivery thread looks for due notices */
  /* the LINE channel (adapters/line.c, docs/channels.md): off unless both
   * the secret and the token are set; neither is ever logged */
  char line_channel_secret[128]; /* signs the webhooks (X-Line-Signature) */
  char line_channel_access_token[1024]; /* bearer token of the reply and push APIs */
  char line_api_base[512];       /* the platform's API, https://api.line.me (tests: a stand-in) */
  char line_webhook_path[128];   /* where LINE posts its webhooks, "/line/webhook" */
  int line_push_quota;           /* pushes per Asia/Tokyo month before they are held; 0 = no limit */
  char log_level[8];             /* "debug", "info" (default), "warn" or "error" (util/mg_log.h) */
  char config_path[MG_PATHLEN];  /* the file mg_config_load read last (absolute), "" = none */
  /* inquiries (bot/inquiry.h): the contact form's API keys, only their hashes */
  struct mg_inquiry_key {
    char name[64];               /* which form ("contact-form"), for the ticket and the logs */
    char key_hash[MG_KEY_HASHLEN]; /* `madoguchi inquiries key NAME` prints key and hash */
  } inquiry_api_keys[MG_MAX_INQUIRY_KEYS];
  int n_inquiry_api_keys;        /* 0 = POST /api/v1/inquiries refuses every request */
  int inquiry_max_chars;         /* longest inquiry body, in characters */
} mg_config;

/* Fill cfg with defaults (data_dir discovered as described above). */
void mg_config_defaults(mg_config *cfg);
/* Overlay keys from a JSON file. Returns 0 or MG_ECONFIG/MG_EIO with err set. */
int mg_config_load(mg_config *cfg, const char *path, char *err);
/* Re-derive the data-relative paths after data_dir changed (keeps explicit ones). */
void mg_config_set_data_dir(mg_config *cfg, const char *dir);

/* Reloading (SIGHUP): the keys whose values differ between a and b, one
 * call of fn each (allowed_origins and metrics_port included); returns how
 * many. mg_config_reloadable says whether a running server takes a key's
 * new value (the ones read only by the answer pipeline's workers, and
 * log_level) or needs a restart; mg_config_copy_key copies one key's
 * value from src to dst (0, or MG_EINVAL for a key it does not know). */
typedef void (*mg_config_key_fn)(void *ctx, const char *key);
int mg_config_changed(const mg_config *a, const mg_config *b, mg_config_key_fn fn, void *ctx);
int mg_config_reloadable(const char *key);
int mg_config_copy_key(mg_config *dst, const mg_config *src, const char *key);

#endif
