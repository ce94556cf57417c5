/*
 * mg_log.c — JSON-lines logs on stderr (see mg_log.h).
 *
 * Lines are built with Jansson so every string is escaped correctly, then
 * written with one fputs under flockfile: a line is never torn by another
 * thread's line. Time is UTC with milliseconds (the log reader converts).
 */
#include "util/mg_log.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/random.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static void stamp(char *buf, size_t len) {
  struct timeval tv;
  struct tm tm;
  gettimeofday(&tv, NULL);
  gmtime_r(&tv.tv_sec, &tm);
  snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
}

static atomic_int min_level = MG_LOG_INFO;
static _Thread_local uint64_t current_req;
static atomic_uint_fast64_t next_req;

int mg_log_level_parse(const char *name) {
  static const char *const names[] = { "debug", "info", "warn", "error" };
  for (int i = 0; i < 4; i++)
    if (name && strcmp(name, names[i]) == 0) return i;
  return -1;
}

void mg_log_set_level(int level) { atomic_store(&min_level, level); }
int mg_log_enabled(int level) { return level >= atomic_load(&min_level); }
void mg_log_request(uint64_t id) { current_req = id; }

/* the first id: a random high half, so the ids of two runs differ */
static void seed_req(void) {
  uint32_t r = 0;
  if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) r = (uint32_t)time(NULL);
  atomic_store(&next_req, ((uint64_t)(r | 1) << 32) + 1);
}

uint64_t mg_log_new_request_id(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, seed_req);
  return atomic_fetch_add(&next_req, 1);
}

/* "req" of the line: the request the calling thread is working on. */
static void put_req(json_t *j, uint64_t req) {
  char hex[17];
  if (!req) return;
  snprintf(hex, sizeof hex, "%016llx", (unsigned long long)req);
  json_object_set_new(j, "req", json_string(hex));
}

static void emit(json_t *line) {
  char *s;
  if (!line) return;
  s = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
  json_decref(line);
  if (!s) return;
  flockfile(stderr);
  fputs(s, stderr);
  fputc('\n', stderr);
  fflush(stderr);
  funlockfile(stderr);
  free(s);
}

static json_t *begin(const char *level) {
  char t[96];
  stamp(t, sizeof t);
  return json_pack("{s:s,s:s}", "time", t, "level", level);
}

void mg_log_mask_ip(const char *ip, char *out, size_t outlen) {
  unsigned char a[16];
  char buf[INET6_ADDRSTRLEN];
  if (!ip || !*ip) goto unknown;
  if (strncmp(ip, "::ffff:", 7) == 0 && strchr(ip + 7, '.')) ip += 7;
  if (inet_pton(AF_INET, ip, a) == 1) {
    snprintf(out, outlen, "%u.%u.%u.0/24", a[0], a[1], a[2]);
    return;
  }
  if (inet_pton(AF_INET6, ip, a) == 1) {
    memset(a + 6, 0, 10);
    if (!inet_ntop(AF_INET6, a, buf, sizeof buf)) goto unknown;
    snprintf(out, outlen, "%s/48", buf);
    return;
  }
unknown:
  snprintf(out, outlen, "-");
}

void mg_log_access(const char *kind, const char *method, const char *path, int status,
                   size_t bytes, double duration_ms, const char *ip, uint64_t req) {
  json_t *j;
  char net[64];
  if (!mg_log_enabled(MG_LOG_INFO) || !(j = begin("info"))) return;
  put_req(j, req ? req : current_req);
  mg_log_mask_ip(ip, net, sizeof net);
  json_object_set_new(j, "kind", json_string(kind));
  if (method) json_object_set_new(j, "method", json_string(method));
  if (path) json_object_set_new(j, "path", json_string(path));
  if (status) json_object_set_new(j, "status", json_integer(status));
  json_object_set_new(j, "bytes", json_integer((json_int_t)bytes));
  json_object_set_new(j, "duration_ms", json_real(duration_ms));
  json_object_set_new(j, "client", json_string(net));
  emit(j);
}

static void vline(int level, const char *component, const char *fmt, va_list ap) {
  static const char *const names[] = { "debug", "info", "warn", "error" };
  char msg[1024];
  json_t *j, *m;
  if (!mg_log_enabled(level) || !(j = begin(names[level]))) return;
  vsnprintf(msg, sizeof msg, fmt, ap);
  json_object_set_new(j, "component", json_string(component));
  put_req(j, current_req);
  /* A message may quote bytes that are not UTF-8 (an lws log line); keep it
   * readable rather than dropping the line. */
  m = json_string(msg);
  json_object_set_new(j, "message", m ? m : json_string("(not UTF-8)"));
  emit(j);
}

#define LEVEL_FN(name, level)                                   \
  void name(const char *component, const char *fmt, ...) {      \
    va_list ap;                                                 \
    va_start(ap, fmt);                                          \
    vline(level, component, fmt, ap);                           \
    va_end(ap);                                                 \
  }
LEVEL_FN(mg_log_error, MG_LOG_ERROR)
LEVEL_FN(mg_log_warn, MG_LOG_WARN)
LEVEL_FN(mg_log_info, MG_LOG_INFO)
LEVEL_FN(mg_log_debug, MG_LOG_DEBUG)
