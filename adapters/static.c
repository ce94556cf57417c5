/*
 * static.c — files under cfg->web_dir: the widget, the demo city page.
 *
 * lws has already URL-decoded the path. Three guards keep requests inside
 * the web root: no path segment may start with "." (so neither ".." nor
 * hidden files like .git), the resolved real path must lie under the real
 * path of the web root (a symlink cannot lead out), and only regular files
 * are served. A directory serves its index.html.
 *
 * The MIME type comes from a short table of the file types a city page
 * needs; anything else is application/octet-stream, and nosniff stops a
 * browser from guessing otherwise. Files are served by lws_serve_http_file,
 * which writes them in writeable callbacks as the socket drains.
 */
#include "adapters/server.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const struct {
  const char *ext;
  const char *type;
} mime_types[] = {
  { ".html", "text/html; charset=utf-8" },
  { ".htm", "text/html; charset=utf-8" },
  { ".js", "text/javascript; charset=utf-8" },
  { ".mjs", "text/javascript; charset=utf-8" },
  { ".css", "text/css; charset=utf-8" },
  { ".json", "application/json; charset=utf-8" },
  { ".webmanifest", "application/manifest+json" },
  { ".txt", "text/plain; charset=utf-8" },
  { ".svg", "image/svg+xml" },
  { ".png", "image/png" },
  { ".jpg", "image/jpeg" },
  { ".jpeg", "image/jpeg" },
  { ".gif", "image/gif" },
  { ".webp", "image/webp" },
  { ".ico", "image/x-icon" },
  { ".woff2", "font/woff2" },
  { ".woff", "font/woff" },
  { ".map", "application/json" },
};

static const char *mime_of(const char *path) {
  const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
  if (!dot || (slash && dot < slash)) return "application/octet-stream";
  for (size_t i = 0; i < sizeof mime_types / sizeof mime_types[0]; i++)
    if (strcasecmp(dot, mime_types[i].ext) == 0) return mime_types[i].type;
  return "application/octet-stream";
}

/* 0 when every segment of uri is a plain name. */
static int check_segments(const char *uri) {
  const char *p = uri;
  if (*p != '/') return -1;
  while (*p) {
    p++;                                   /* past '/' */
    if (*p == '.') return -1;              /* "..", ".git", "." */
    for (; *p && *p != '/'; p++)
      if ((unsigned char)*p < 0x20 || *p == '\\' || *p == 0x7f) return -1;
  }
  return 0;
}

int static_serve(srv *s, struct lws *wsi, const char *uri, int *status, size_t *bytes) {
  /* A CSP for the resident side that still lets a city embed the widget:
   * no frame-ancestors (that is only for /admin, NOTES issue 5), inline
   * styles for the demo page, and the chat socket on this origin. */
  static const char headers[] =
    "content-security-policy: " SRV_RESIDENT_CSP "\x0d\x0a"
    "x-content-type-options: nosniff\x0d\x0a"
    "cache-control: no-cache\x0d\x0a"
    "referrer-policy: same-origin\x0d\x0a";
  char want[PATH_MAX], real[PATH_MAX];
  size_t rootlen = strlen(s->web_root), ulen = strlen(uri);
  struct stat st;

  *status = 404;
  *bytes = 0;
  if (!rootlen || check_segments(uri) != 0) return 0;
  if (rootlen + ulen + sizeof "index.html" >= sizeof want) return 0;
  snprintf(want, sizeof want, "%s%s%s", s->web_root, uri, uri[ulen - 1] == '/' ? "index.html" : "");
  if (!realpath(want, real) || strncmp(real, s->web_root, rootlen) != 0 || real[rootlen] != '/') return 0;
  if (stat(real, &st) != 0) return 0;
  if (S_ISDIR(st.st_mode)) {
    size_t rl = strlen(real);
    if (rl + sizeof "/index.html" > sizeof want) return 0;
    memcpy(want, real, rl);
    memcpy(want + rl, "/index.html", sizeof "/index.html");
    if (!realpath(want, real) || strncmp(real, s->web_root, rootlen) != 0 || real[rootlen] != '/') return 0;
    if (stat(real, &st) != 0) return 0;
  }
  if (!S_ISREG(st.st_mode)) return 0;
  *status = 200;
  *bytes = (size_t)st.st_size;
  return lws_serve_http_file(wsi, real, mime_of(real), headers, (int)(sizeof headers - 1));
}
