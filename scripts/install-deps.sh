#!/usr/bin/env bash
# Install everything madoguchi needs to build, run and test on Debian 12
# (bookworm). Idempotent: packages already present are skipped by apt.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

BUILD_DEPS="build-essential autoconf automake libtool pkg-config libsqlite3-dev \
  libpcre2-dev libjansson-dev libwebsockets-dev libmecab-dev libstemmer-dev mecab-utils mecab-ipadic-utf8 \
  libutf8proc-dev libsodium-dev libcurl4-openssl-dev libgmime-3.0-dev libxml2-dev"
# libgmime-3.0-dev and libxml2-dev: the inquiry mailbox (bot/mime.c) — MIME, Japanese
# charsets, RFC 2047 headers, and the text of HTML-only mail.
# Tests: a real WebSocket client (node + ws) and a real browser (Debian's chromium).
# A node/npm that came from elsewhere (e.g. NodeSource, which bundles npm and
# conflicts with Debian's npm package) is used as it is.
# fonts-noto-cjk: Chromium has no Japanese font otherwise, and layout, line breaks and
# screenshots would be measured on missing-glyph boxes (tests/browser/widget_font.mjs).
# python3-aiosmtpd: the local SMTP sink the e-mail tests start (tests/integration/mail.mjs).
TEST_DEPS="chromium ca-certificates sqlite3 fonts-noto-cjk python3-aiosmtpd tidy"  # tidy: the public pages are checked with tidy -errors
# groff-base (groff), man-db (man: systemd-analyze verify opens the unit's
# Documentation= pages with it) and systemd (systemd-analyze): tests/install.sh renders
# the man pages and verifies and rates the systemd unit; none needs a running systemd.
TEST_DEPS="$TEST_DEPS groff-base man-db systemd"
# debhelper (dh, dh_autoreconf, dpkg-dev) and lintian: tests/deb.sh builds the Debian
# package from debian/ and checks it; curl asks the installed service for /healthz and /metrics.
TEST_DEPS="$TEST_DEPS debhelper lintian curl"
# libFuzzer (scripts/fuzz.sh): clang and its runtime, which is only a Recommends.
TEST_DEPS="$TEST_DEPS clang-14 libclang-rt-14-dev"
command -v node >/dev/null || TEST_DEPS="$TEST_DEPS nodejs"
command -v npm >/dev/null || TEST_DEPS="$TEST_DEPS npm"

want=$BUILD_DEPS
[ "${1:-}" = --with-tests ] && want="$want $TEST_DEPS"
missing=
for p in $want; do
  [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" = "ii " ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ "${1:-}" = --with-tests ]; then
  # npm needs the registry; without it the C tests still run and the
  # node-based tests report themselves skipped (tests/run-node.sh).
  if ! { [ -d node_modules/playwright-core ] && [ -d node_modules/ws ]; }; then
    npm ci --no-audit --no-fund --loglevel=error \
      || echo "install-deps: npm ci failed: integration and browser tests will be skipped" >&2
  fi
fi
exit 0
