#!/bin/sh
# Runs a node:test file with TAP output so Automake counts its test points.
# Without the test dependencies (npm ci could not reach the registry) the
# file is reported as skipped, with the reason, instead of failing obscurely.
root=${top_srcdir:-$(dirname "$0")/..}
for dep in ws playwright-core; do
  if [ ! -d "$root/node_modules/$dep" ]; then
    echo "1..0 # SKIP node module '$dep' is not installed (run: npm ci)"
    exit 0
  fi
done
exec node --test-reporter=tap "$@"
