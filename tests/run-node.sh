#!/bin/sh
# Runs a node:test file with TAP output so Automake counts its test points.
exec node --test-reporter=tap "$@"
