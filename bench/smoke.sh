#!/bin/sh
# smoke.sh — `make check`'s view of the benchmark: run.sh's smoke scenario
# (a real server on a free port, 10 connections, 20 questions/s, 5 s) must
# open every connection and get answers. It says nothing about speed: timing
# targets live in docs/benchmarks.md, not in tests. Prints TAP.
echo "1..1"
: "${top_builddir:=.}" "${top_srcdir:=.}"
out=$(MADOGUCHI="${MADOGUCHI:-$top_builddir/madoguchi}" LOADGEN="$top_builddir/bench/loadgen" \
  sh "$top_srcdir/bench/run.sh" smoke 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
if [ $rc -eq 0 ]; then
  echo "ok 1 - load generator smoke run: all connections opened, questions answered"
else
  echo "not ok 1 - load generator smoke run (exit $rc)"
fi
