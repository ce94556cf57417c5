#!/bin/sh
# run.sh — benchmark scenarios for the madoguchi chat service.
#
# For each scenario this starts `madoguchi serve` on a free loopback port with
# a fresh temporary database (the sample FAQ is loaded on first run) and a
# bench configuration, waits for its "listening on" line, runs bench/loadgen
# against it, reads the server's peak memory (VmHWM) and CPU time from /proc,
# and stops it with SIGTERM. Nothing here asserts on speed: the figures are
# for docs/benchmarks.md; only the smoke scenario fails when nothing works.
#
#   bench/run.sh [smoke|open|closed|all] ...     (default: all = open closed)
#
#   smoke   10 connections, 20 questions/s, 5 s — does the chain work at all
#   open    open loop: 3,000 questions/s over 1,000 connections for 30 s,
#           while 10,000 idle connections stay open (the issue's target)
#   closed  closed loop: 1,000 connections, each re-asks when answered, 30 s
#
# Environment: MADOGUCHI (server binary, default ./madoguchi), LOADGEN
# (default ./bench/loadgen), QUESTIONS (default the questions.txt beside this
# script), RATE, CONNS, IDLE, BENCH_SECONDS override the open/closed figures,
# LG_EVLIB=poll|ev|uv picks the load generator's event loop (default ev: epoll, so
# 10,000 idle descriptors cost nothing per wake-up), BENCH_OUT=DIR
# keeps each run's output there, OPEN_MPS sets max_msgs_per_sec for the open
# loop (default 5, the production default: 3 questions/s per connection fits,
# so rate_limited errors there mean replies or reads arrived in bursts).
# LG_ARGS adds load generator options (e.g. --timeline). Run it from the build
# directory.
set -u

here=$(cd "$(dirname "$0")" && pwd)
MADOGUCHI=${MADOGUCHI:-./madoguchi}
LOADGEN=${LOADGEN:-./bench/loadgen}
QUESTIONS=${QUESTIONS:-$here/questions.txt}
RATE=${RATE:-3000}
CONNS=${CONNS:-1000}
IDLE=${IDLE:-10000}
SECONDS_RUN=${BENCH_SECONDS:-30}
LG_EVLIB=${LG_EVLIB:-ev}
OPEN_MPS=${OPEN_MPS:-5}

for f in "$MADOGUCHI" "$LOADGEN"; do
  if [ ! -x "$f" ]; then
    echo "run.sh: $f not found or not executable (run from the build directory, or set MADOGUCHI/LOADGEN)" >&2
    exit 2
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/madoguchi-bench.XXXXXX") || exit 2
srv_pid=
cleanup() {
  if [ -n "$srv_pid" ]; then kill -TERM "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server NAME MSGS_PER_SEC: sets srv_pid and port, or returns 1.
start_server() {
  dir=$tmp/$1
  mkdir -p "$dir"
  cat >"$dir/config.json" <<EOF
{
  "db_path": "$dir/bench.db",
  "listen_addr": "127.0.0.1",
  "port": 0,
  "metrics_port": 0,
  "max_conns_per_ip": 12000,
  "max_conns_per_ip_http": 12000,
  "max_msgs_per_sec": $2
}
EOF
  "$MADOGUCHI" serve --config "$dir/config.json" >"$dir/server.out" 2>"$dir/server.err" &
  srv_pid=$!
  port=
  i=0
  while [ $i -lt 600 ]; do    # at most 60 s: a new database indexes the sample FAQ first
    port=$(sed -n 's/^madoguchi: listening on http:\/\/[^:]*:\([0-9]*\)\/.*/\1/p' "$dir/server.out" 2>/dev/null)
    [ -n "$port" ] && return 0
    kill -0 "$srv_pid" 2>/dev/null || break
    sleep 0.1
    i=$((i + 1))
  done
  echo "run.sh: the server did not start; its output:" >&2
  cat "$dir/server.out" "$dir/server.err" >&2
  kill -TERM "$srv_pid" 2>/dev/null
  wait "$srv_pid" 2>/dev/null
  srv_pid=
  return 1
}

# cpu_ticks PID: user + system clock ticks so far.
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

stop_server() {
  hwm=$(awk '/^VmHWM/ { print $2 " " $3 }' "/proc/$srv_pid/status" 2>/dev/null)
  kill -TERM "$srv_pid" 2>/dev/null
  i=0
  while kill -0 "$srv_pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  if kill -0 "$srv_pid" 2>/dev/null; then
    echo "run.sh: the server did not stop within 30 s of SIGTERM" >&2
    kill -KILL "$srv_pid" 2>/dev/null
  fi
  wait "$srv_pid" 2>/dev/null
  srv_pid=
}

# scenario NAME MSGS_PER_SEC LOADGEN-ARGS...
scenario() {
  name=$1 mps=$2
  shift 2
  echo "== $name"
  start_server "$name" "$mps" || return 1
  echo "server pid $srv_pid, port $port"
  echo "loadgen --url ws://127.0.0.1:$port/ws --questions $QUESTIONS --evlib $LG_EVLIB $*"
  hz=$(getconf CLK_TCK)
  c0=$(cpu_ticks "$srv_pid")
  t0=$(date +%s.%N)
  # The load generator shares the machine: report its CPU time too.
  timer=
  [ -x /usr/bin/time ] && timer="/usr/bin/time -f loadgen_cpu=%U+%S -o $tmp/$name/loadgen.time"
  # shellcheck disable=SC2086 # LG_ARGS is a list of words
  $timer "$LOADGEN" --url "ws://127.0.0.1:$port/ws" --questions "$QUESTIONS" --evlib "$LG_EVLIB" ${LG_ARGS:-} "$@" \
    >"$tmp/$name/loadgen.out"
  lg_rc=$?
  t1=$(date +%s.%N)
  c1=$(cpu_ticks "$srv_pid")
  stop_server
  cat "$tmp/$name/loadgen.out"
  awk -v a="$c0" -v b="$c1" -v hz="$hz" -v t0="$t0" -v t1="$t1" -v hwm="$hwm" 'BEGIN {
    printf "server peak RSS      %s\n", hwm
    printf "server CPU           %.1f s over %.1f s wall (%.0f%% of one core)\n",
      (b - a) / hz, t1 - t0, 100 * (b - a) / hz / (t1 - t0) }'
  # Other work on the machine shows as CPU pressure (share of time something waited for a CPU).
  [ -r /proc/pressure/cpu ] && awk '/^some/ { sub("avg60=", "", $3); print "CPU pressure         " $3 "% over the last minute (other work on the machine included)" }' /proc/pressure/cpu
  sed -n 's/^loadgen_cpu=\(.*\)+\(.*\)/loadgen CPU          \1 s user + \2 s system/p' "$tmp/$name/loadgen.time" 2>/dev/null
  if [ -n "${BENCH_OUT:-}" ]; then
    mkdir -p "$BENCH_OUT"
    cp "$tmp/$name/loadgen.out" "$BENCH_OUT/$name.out"
    cp "$tmp/$name/server.err" "$BENCH_OUT/$name.server.err"
  fi
  return $lg_rc
}

rc=0
[ $# -eq 0 ] && set -- all
set -- $(for s in "$@"; do if [ "$s" = all ]; then echo open closed; else echo "$s"; fi; done)
for s in "$@"; do
  case $s in
  smoke)
    scenario smoke 5 --conns 10 --rate 20 --seconds 5 --warmup 1 --drain 5 || rc=1
    # The chain works: every connection opened and questions were answered.
    if ! grep -q '"opened":10,"failed":0' "$tmp/smoke/loadgen.out" 2>/dev/null ||
       grep -q '"answered":0,' "$tmp/smoke/loadgen.out" 2>/dev/null; then
      echo "run.sh: smoke run failed" >&2
      rc=1
    fi
    ;;
  open)
    scenario open "$OPEN_MPS" --conns "$CONNS" --idle "$IDLE" --rate "$RATE" --seconds "$SECONDS_RUN" \
      --warmup 5 --drain 10 --connect-timeout 300 || rc=1
    ;;
  closed)
    scenario closed 100000 --conns "$CONNS" --closed --seconds "$SECONDS_RUN" --warmup 5 --drain 10 \
      --connect-timeout 300 || rc=1
    ;;
  *)
    echo "usage: $0 [smoke|open|closed|all] ..." >&2
    exit 2
    ;;
  esac
done
exit $rc
