/* The adapters' small pure parts: the strict UTF-8 check every WebSocket
 * text frame and POST body goes through, the protocol's error message, and
 * the log's address masking (no full client address in any log line). */
#include "util/mg_err.h"
#include "util/mg_log.h"
#include "adapters/server.h"
#include "tests/tap.h"

#include <stdlib.h>

static long u8(const char *s) { return mg_utf8_count((const unsigned char *)s, strlen(s)); }

static void utf8_count_accepts_only_strict_utf8(void) {
  is_int(u8(""), 0, "empty text has no code points");
  is_int(u8("abc"), 3, "ASCII counts one per byte");
  is_int(u8("住民票"), 3, "three-byte characters count once");
  is_int(u8("\xf0\x9f\x98\x80"), 1, "four-byte characters count once");
  is_int(u8("\xc2\x80"), 1, "smallest two-byte character is valid");
  is_int(u8("\xc0\xaf"), -1, "overlong two-byte form is invalid");
  is_int(u8("\xe0\x80\xaf"), -1, "overlong three-byte form is invalid");
  is_int(u8("\xf0\x80\x80\xaf"), -1, "overlong four-byte form is invalid");
  is_int(u8("\xed\xa0\x80"), -1, "UTF-16 surrogate is invalid");
  is_int(u8("\xf4\x90\x80\x80"), -1, "code point past U+10FFFF is invalid");
  is_int(u8("\xe3\x81"), -1, "character cut off at the end is invalid");
  is_int(u8("\xe3\x41\x81"), -1, "missing continuation byte is invalid");
  is_int(u8("\x80"), -1, "lone continuation byte is invalid");
  is_int(u8("\xff"), -1, "0xff is never UTF-8");
  is_int(mg_utf8_count((const unsigned char *)"a\0b", 3), 3, "NUL is a code point (JSON rejects it later)");
}

static void error_message_carries_the_stable_code_and_reply_to(void) {
  srv_msg *m = srv_msg_error(MG_ERATE, "q1");
  ok(m && strstr(SRV_MSG_TEXT(m), "\"code\":\"rate_limited\"") && strstr(SRV_MSG_TEXT(m), "\"reply_to\":\"q1\""),
     "error message carries the stable code and reply_to");
  ok(m && strlen(SRV_MSG_TEXT(m)) == m->len, "message length matches its text");
  free(m);
}

static void own_failures_are_reported_as_internal(void) {
  srv_msg *m = srv_msg_error(SRV_EINTERNAL, NULL);
  ok(m && strstr(SRV_MSG_TEXT(m), "\"code\":\"internal\"") && !strstr(SRV_MSG_TEXT(m), "reply_to"),
     "our own failures are reported as internal, without reply_to when unknown");
  free(m);
}

static void log_masks_client_addresses_to_their_network(void) {
  char net[64];
  mg_log_mask_ip("203.0.113.45", net, sizeof net);
  is_str(net, "203.0.113.0/24", "IPv4 is logged as its /24");
  mg_log_mask_ip("::ffff:198.51.100.9", net, sizeof net);
  is_str(net, "198.51.100.0/24", "IPv4-mapped IPv6 is logged as the IPv4 /24");
  mg_log_mask_ip("2001:db8:1234:5678::1", net, sizeof net);
  is_str(net, "2001:db8:1234::/48", "IPv6 is logged as its /48");
  mg_log_mask_ip("not an address", net, sizeof net);
  is_str(net, "-", "anything else is logged as -");
  mg_log_mask_ip("", net, sizeof net);
  is_str(net, "-", "no address is logged as -");
}

int main(void) {
  RUN(utf8_count_accepts_only_strict_utf8);
  RUN(error_message_carries_the_stable_code_and_reply_to);
  RUN(own_failures_are_reported_as_internal);
  RUN(log_masks_client_addresses_to_their_network);
  return done_testing();
}
