#!/usr/bin/env bash
# One command for a new machine: install dependencies, build, and start
# madoguchi on its bundled sample FAQ at http://localhost:8080/ (Ctrl-C stops).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/madoguchi serve --db "${MADOGUCHI_DB:-madoguchi.db}" "$@"
