/*
 * cmd_serve.c — `madoguchi serve`: flags onto the config, then the server.
 *
 * Flags override the config file and the defaults (util/mg_config.c). The
 * server itself lives in adapters/ (server.h); this file only parses.
 */
#include "cli/cmd.h"
#include "util/mg_err.h"
#include "faq/db.h"
#include "adapters/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int set_str(char *dst, size_t size, const char *flag, const char *v) {
  if (strlen(v) >= size) {
    fprintf(stderr, "madoguchi serve: %s: value too long\n", flag);
    return -1;
  }
  memcpy(dst, v, strlen(v) + 1);
  return 0;
}

int cmd_serve(int argc, char **argv, mg_config *cfg) {
  char err[MG_ERRLEN] = "";
  const char *evlib = NULL;
  int rules_given = 0, rc;

  for (int i = 1; i < argc; i++) {
    const char *f = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    char *end;
    if (!v) {
      fprintf(stderr, "madoguchi serve: unknown option or missing value: %s\n", f);
      mg_cmd_usage("serve");
      return 2;
    }
    i++;
    if (strcmp(f, "--listen") == 0) {
      if (set_str(cfg->listen_addr, sizeof cfg->listen_addr, f, v)) return 2;
    } else if (strcmp(f, "--port") == 0) {
      long port = strtol(v, &end, 10);
      if (*end || port < 0 || port > 65535) {
        fprintf(stderr, "madoguchi serve: --port: expected 0..65535, got '%s'\n", v);
        return 2;
      }
      cfg->port = (int)port;
    } else if (strcmp(f, "--metrics-port") == 0) {
      int off = strcmp(v, "off") == 0;
      long port = off ? MG_METRICS_OFF : strtol(v, &end, 10);
      if ((!off && (!*v || *end)) || port < MG_METRICS_OFF || port > 65535) {
        fprintf(stderr, "madoguchi serve: --metrics-port: expected 0..65535, -1 or off, got '%s'\n", v);
        return 2;
      }
      cfg->metrics_port = (int)port;
    } else if (strcmp(f, "--web") == 0) {
      if (set_str(cfg->web_dir, sizeof cfg->web_dir, f, v)) return 2;
    } else if (strcmp(f, "--evlib") == 0) {
      if (strcmp(v, "auto") && strcmp(v, "ev") && strcmp(v, "uv") && strcmp(v, "poll")) {
        fprintf(stderr, "madoguchi serve: --evlib: expected auto, ev, uv or poll\n");
        return 2;
      }
      evlib = v;
    } else if (strcmp(f, "--rules") == 0) {
      if (set_str(cfg->rules_path, sizeof cfg->rules_path, f, v)) return 2;
      rules_given = 1;
    } else if (strcmp(f, "--dict") == 0) {
      /* The rules and the calendar live in the dictionary folder too. */
      if (set_str(cfg->dict_dir, sizeof cfg->dict_dir, f, v)) return 2;
      if (!rules_given) snprintf(cfg->rules_path, sizeof cfg->rules_path, "%.1000s/rules.json", v);
      snprintf(cfg->calendar_path, sizeof cfg->calendar_path, "%.1000s/calendar.tsv", v);
    } else {
      fprintf(stderr, "madoguchi serve: unknown option %s\n", f);
      mg_cmd_usage("serve");
      return 2;
    }
  }
  faq_db_set_full_file(cfg->test_db_full_file);
  if ((rc = srv_run(cfg, evlib, err)) != 0) {
    fprintf(stderr, "madoguchi serve: %s\n", err);
    return 1;
  }
  return 0;
}
