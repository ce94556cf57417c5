/*
 * mg_log.h — JSON-lines logs on stderr.
 *
 * One line per event, one JSON object per line, so `jq` and any log shipper
 * read them without a grammar. Lines are written whole under stdio's stream
 * lock, so worker threads and the service thread never interleave.
 *
 * Personal data stays out: callers never pass message text, full session
 * ids, or client addresses beyond what an access log needs (mg_log_mask_ip
 * reduces an address to its /24 (IPv4) or /48 (IPv6) network).
 */
#ifndef MG_LOG_H
#define MG_LOG_H

#include <stddef.h>
#include <stdint.h>

/* Levels, lowest first; lines below the level set (config log_level,
 * default info) are not written. */
enum { MG_LOG_DEBUG, MG_LOG_INFO, MG_LOG_WARN, MG_LOG_ERROR };
/* "debug", "info", "warn", "error" → the level; -1 for anything else. */
int mg_log_level_parse(const char *name);
void mg_log_set_level(int level);
int mg_log_enabled(int level);

/* Request ids: one per HTTP request or chat message, made where the socket
 * received it, carried in the job to the worker. A thread that works on a
 * request sets it (0: none); every line that thread writes meanwhile
 * carries it as "req" (16 hex digits), so one request's lines are found
 * together with grep. */
uint64_t mg_log_new_request_id(void);
void mg_log_request(uint64_t id);

/* Access log line: one HTTP request or one WebSocket connection event.
 * kind is "http", "ws_open", "ws_close", "ws_refused" (an upgrade turned
 * down) or "metrics" (the metrics listener); ip is the full client address
 * (masked here); path must carry no query string. status 0 is omitted.
 * req: the request's id (0: the thread's current one, if any). */
void mg_log_access(const char *kind, const char *method, const char *path, int status,
                   size_t bytes, double duration_ms, const char *ip, uint64_t req);

/* A line at a level ("error", "warn", "info", "debug"): component names
 * the module ("server", "ws", "lws"), the rest is a printf-style message
 * that must hold no personal data. */
void mg_log_error(const char *component, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mg_log_warn(const char *component, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mg_log_info(const char *component, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mg_log_debug(const char *component, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write ip reduced to its network ("203.0.113.0/24", "2001:db8:1::/48")
 * into out (outlen bytes); "-" when ip is empty or unparsable. */
void mg_log_mask_ip(const char *ip, char *out, size_t outlen);

#endif
