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

/* Access log line: one HTTP request or one WebSocket connection event.
 * kind is "http", "ws_open", "ws_close" or "ws_refused" (an upgrade turned
 * down); ip is the full client address
 * (masked here); path must carry no query string. status 0 is omitted. */
void mg_log_access(const char *kind, const char *method, const char *path, int status,
                   size_t bytes, double duration_ms, const char *ip);

/* Error (level "error") or information (level "info") line: component names
 * the module ("server", "ws", "lws"), the rest is a printf-style message
 * that must hold no personal data. */
void mg_log_error(const char *component, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mg_log_info(const char *component, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write ip reduced to its network ("203.0.113.0/24", "2001:db8:1::/48")
 * into out (outlen bytes); "-" when ip is empty or unparsable. */
void mg_log_mask_ip(const char *ip, char *out, size_t outlen);

#endif
