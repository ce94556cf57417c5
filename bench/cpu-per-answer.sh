#!/bin/sh
# cpu-per-answer.sh — the server's CPU per answered question, by thread.
#
# Starts the open-loop scenario of run.sh (RATE questions/s over 1,000
# connections, no idle ones), and 9 s in reads each server thread's CPU
# time (/proc/PID/task/*/stat) and the transcript's last message id, again
# 10 s later: ticks per thread (10 ms each; in creation order: the service
# thread, the transcript writer, the workers, the checkpointer), answers in
# those 10 s (two transcript lines each) and µs of server CPU per answer.
# Run it from the build directory; needs the sqlite3 command.
#
#   ../bench/cpu-per-answer.sh [RATE]        (default 3000; MADOGUCHI= another binary)
set -u
here=$(cd "$(dirname "$0")" && pwd)
rate=${1:-3000}
command -v sqlite3 >/dev/null || { echo "cpu-per-answer.sh: needs the sqlite3 command (apt install sqlite3)" >&2; exit 2; }
RATE=$rate IDLE=0 OPEN_MPS=20 BENCH_SECONDS=22 "$here/run.sh" open >"${TMPDIR:-/tmp}/cpu-per-answer.out" 2>&1 &
bench=$!
sleep 9
pid=$(pgrep -n -f "serve --config ${TMPDIR:-/tmp}/madoguchi-bench")
db=$(ls -t "${TMPDIR:-/tmp}"/madoguchi-bench.*/open/bench.db 2>/dev/null | head -1)
if [ -z "$pid" ] || [ -z "$db" ]; then
  echo "cpu-per-answer.sh: the server did not start (see ${TMPDIR:-/tmp}/cpu-per-answer.out)" >&2
  wait $bench
  exit 1
fi
last() { sqlite3 "file:$db?mode=ro" "SELECT max(id) FROM message"; }
ticks() { for t in /proc/"$pid"/task/*; do awk '{print $14 + $15}' "$t/stat"; done; }
m1=$(last); ticks >/tmp/cpa.$$.1
sleep 10
ticks >/tmp/cpa.$$.2; m2=$(last)
paste /tmp/cpa.$$.1 /tmp/cpa.$$.2 | awk -v n=$(( (m2 - m1) / 2 )) '
  { d = $2 - $1; total += d; line = line d " " }
  END { printf "threads %s\ntotal %d ticks for %d answers: %.0f us of server CPU per answer\n", line, total, n, total * 10000 / n }'
rm -f /tmp/cpa.$$.1 /tmp/cpa.$$.2
wait $bench
grep -E '^latency|^CPU pressure' "${TMPDIR:-/tmp}/cpu-per-answer.out"
