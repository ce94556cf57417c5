/*
 * fuzz_dialogue.c — libFuzzer target for what a stranger can send on /ws:
 * one client message of madoguchi.v1 (docs/protocol.md), bytes as received.
 *
 * The input goes through the checks the WebSocket adapter makes before it
 * hands a message on (adapters/ws_chat.c on_message: frame size, UTF-8 with
 * srv_utf8_count, JSON object with JSON_REJECT_DUPLICATES), then to
 * dialogue_handle on a worker with the real rules, calendar, engine and
 * sample FAQ, and every reply is turned into a frame with srv_msg_json, as
 * ws_chat_work does. The adapter's list of known `type`s is left out on
 * purpose: dialogue_handle checks the type itself, so the fuzzer reaches
 * that check too.
 *
 * The database is created once, in a temporary directory (on /dev/shm when
 * there is one: tickets are committed with synchronous=FULL), by
 * LLVMFuzzerInitialize, which also says hello once; every input then
 * arrives on a connection that holds that session, so ask, choose,
 * feedback and escalate reach their handlers instead of "hello first".
 * The transcript therefore grows from input to input, as a long
 * conversation would.
 *
 * Oracles besides the sanitizers: dialogue_handle returns 0 (a bad message
 * is an `error` reply, never a failure); every message gets at least one
 * reply; each reply is an object whose `type` is a server→client type, an
 * `error` has a stable code from util/mg_err.h and a message; a reply that
 * names the client's id (`reply_to`) names it exactly; every reply
 * serialises to a frame.
 *
 * ./configure CC=clang --enable-fuzzing [--enable-asan]; then e.g.
 * `tests/fuzz/fuzz_dialogue -max_total_time=120 -dict=... CORPUS_DIR`.
 * MG_DICT_DIR, MG_MECAB_DICDIR, MG_USERDIC and MG_SAMPLE override the data
 * files as in `make check`; by default those of the source tree are used.
 */
#include "bot/answer.h"
#include "bot/dialogue.h"
#include "util/mg_config.h"
#include "util/mg_err.h"
#include "adapters/server.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256];
static bot *B;
static bot_worker *W;
static dlg_conn conn0;   /* the connection after hello: its session */

static const char *const server_types[] = { "welcome", "answer", "clarify", "no_answer", "ticket",
                                            "staff_reply", "feedback_ok", "ticket_reply_ok", "checklist", "error" };

static void cleanup(void) {
  char path[300];
  static const char *const files[] = { "f.db", "f.db-wal", "f.db-shm", "f.db-journal" };
  bot_worker_free(W);
  bot_free(B);
  W = NULL;
  B = NULL;
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    unlink(path);
  }
  rmdir(dir);
}

static void die(const char *what, const char *err) {
  fprintf(stderr, "fuzz_dialogue: %s: %s\n", what, err);
  abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  mg_config cfg;
  char err[MG_ERRLEN] = "";
  const char *v, *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
  json_t *hello, *out = NULL;
  (void)argc;
  (void)argv;

  snprintf(dir, sizeof dir, "%s/mg-fuzz-dialogue-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir)) die("mkdtemp", dir);
  mg_config_defaults(&cfg);
  if ((v = getenv("MG_DICT_DIR")) && *v) {
    snprintf(cfg.dict_dir, sizeof cfg.dict_dir, "%s", v);
    snprintf(cfg.rules_path, sizeof cfg.rules_path, "%s/rules.json", v);
    snprintf(cfg.calendar_path, sizeof cfg.calendar_path, "%s/calendar.tsv", v);
  }
  if ((v = getenv("MG_MECAB_DICDIR")) && *v) snprintf(cfg.mecab_dicdir, sizeof cfg.mecab_dicdir, "%s", v);
  if ((v = getenv("MG_USERDIC")) && *v && access(v, R_OK) == 0) snprintf(cfg.userdic, sizeof cfg.userdic, "%s", v);
  if ((v = getenv("MG_SAMPLE")) && *v) snprintf(cfg.sample_path, sizeof cfg.sample_path, "%s", v);
  snprintf(cfg.db_path, sizeof cfg.db_path, "%s/f.db", dir);
  atexit(cleanup);
  if (bot_new(&B, &cfg, err) != 0) die("bot_new", err);
  if (bot_worker_new(&W, B, err) != 0) die("bot_worker_new", err);

  hello = json_pack("{s:s}", "type", "hello");
  if (!hello || bot_dialogue_handle(W, &conn0, hello, &out, err) != 0 || !conn0.session[0]) die("hello", err);
  json_decref(hello);
  json_decref(out);
  return 0;
}

static int known(const char *type, const char *const *list, size_t n) {
  for (size_t i = 0; type && i < n; i++)
    if (strcmp(type, list[i]) == 0) return 1;
  return 0;
}

/* A stable error code from util/mg_err.h: mg_err_code of some MG_E*. */
static int stable_code(const char *code) {
  static const int codes[] = { MG_EBADUTF8, MG_EBADJSON, MG_EUNKNOWNTYPE, MG_EMISSING, MG_ETOOLONG,
                               MG_EBINARY, MG_EFRAME, MG_ERATE, MG_ESESSION, MG_EEMPTY,
                               MG_ENOTFOUND, MG_EBUSY, MG_EFULL, MG_ETICKETS, MG_ENOTICKET, MG_ECLOSED, MG_EINVAL };
  for (size_t i = 0; code && i < sizeof codes / sizeof codes[0]; i++)
    if (strcmp(code, mg_err_code(codes[i])) == 0) return 1;
  return 0;
}

static void check_reply(const json_t *m, const json_t *msg, const uint8_t *data, size_t size) {
  const char *type = json_string_value(json_object_get(m, "type"));
  const char *reply_to = json_string_value(json_object_get(m, "reply_to"));
  const char *id = json_string_value(json_object_get(msg, "id"));
  const char *answer_id = json_string_value(json_object_get(msg, "answer_id"));
  srv_msg *frame;
  char *text = json_dumps(m, JSON_COMPACT);

  if (!json_is_object(m) || !known(type, server_types, sizeof server_types / sizeof server_types[0]) ||
      (strcmp(type, "error") == 0 &&
       (!stable_code(json_string_value(json_object_get(m, "code"))) ||
        !json_string_length(json_object_get(m, "message")))) ||
      (reply_to && !(id && strcmp(reply_to, id) == 0) && !(answer_id && strcmp(reply_to, answer_id) == 0)) ||
      !(frame = srv_msg_json(m))) {
    fprintf(stderr, "fuzz_dialogue: bad reply %s\nto %.*s\n", text ? text : "(unprintable)", (int)size, data);
    abort();
  }
  free(frame);
  free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  dlg_conn conn = conn0;
  json_t *msg, *out = NULL, *m;
  char err[MG_ERRLEN] = "";
  size_t i;
  int rc;

  /* What the adapter refuses before the dialogue sees it. */
  if (size > SRV_MAX_FRAME || mg_utf8_count(data, size) < 0) return 0;
  msg = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
  if (!json_is_object(msg)) {
    json_decref(msg);
    return 0;
  }
  rc = bot_dialogue_handle(W, &conn, msg, &out, err);
  if (rc != 0) {
    fprintf(stderr, "fuzz_dialogue: dialogue_handle = %d (%s) on %.*s\n", rc, err, (int)size, data);
    abort();
  }
  if (json_array_size(out) == 0) {
    fprintf(stderr, "fuzz_dialogue: no reply to %.*s\n", (int)size, data);
    abort();
  }
  json_array_foreach(out, i, m) check_reply(m, msg, data, size);
  json_decref(out);
  json_decref(msg);
  return 0;
}
