#!/usr/bin/env bash
# Re-make docs/screenshots/*.png (widget, ticket page, console at 390 and
# 1280 px, the public FAQ pages) from a fresh server on the sample FAQ;
# `scripts/screenshots.sh pages` makes the pages' pictures only. Needs the test dependencies
# (scripts/install-deps.sh --with-tests) and a build (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/madoguchi ] || scripts/build.sh
export MADOGUCHI=${MADOGUCHI:-$PWD/build/madoguchi}
exec node scripts/screenshots.mjs "$@"
