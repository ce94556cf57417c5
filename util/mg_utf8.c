/*
 * mg_utf8.c — the one strict UTF-8 reader: the WebSocket and HTTP adapters
 * reject frames with it, the dialogue and the console count the 1,000 code
 * points of a question with it, tests check masked text with it.
 */
#include "mg_utf8.h"

long mg_utf8_count(const void *text, size_t len) {
  const unsigned char *p = text;
  size_t i = 0;
  long n = 0;
  while (i < len) {
    unsigned c = p[i];
    size_t need;
    unsigned cp;
    if (c < 0x80) { i++; n++; continue; }
    if (c >= 0xc2 && c <= 0xdf) { need = 1; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { need = 2; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; cp = c & 0x07; }
    else return -1;
    if (len - i <= need) return -1;
    for (size_t k = 1; k <= need; k++) {
      unsigned cc = p[i + k];
      if ((cc & 0xc0) != 0x80) return -1;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
      return -1;
    i += need + 1;
    n++;
  }
  return n;
}
