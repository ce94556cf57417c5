/*
 * adapters.c — the table of adapters server.c walks (server.h,
 * srv_adapter). Each row is defined in its adapter's own file; a new
 * channel (a mail gateway, another messenger) is one new file and one row.
 *
 * The order is the order of protocols[] (the first row's protocol is
 * protocol[0], which takes every request no mount takes), of the mounts
 * (/faq and /sitemap.xml, then the console's), of the start hooks (mail
 * before LINE: curl_global_init runs on the main thread before any other
 * thread uses libcurl) and of the stop hooks (LINE's curl_global_cleanup
 * after mail's thread is gone).
 */
#include "adapters/server.h"

const srv_adapter *const srv_adapters[] = {
  &http_api_adapter,
  &ws_chat_adapter,
  &pages_http_adapter,
  &admin_http_adapter,
  &mail_adapter,
  &line_adapter,
  NULL,
};
