#!/usr/bin/env bash
# The long form of scripts/fuzz.sh: fuzz each target until it has used a
# CPU budget (default one CPU-hour), measured with getrusage over the fuzzer
# and its -jobs workers, not with the wall clock. Runs at the lowest
# priority, so it can share a machine with other work; it simply takes longer.
#
#   scripts/fuzz-long.sh                       every target, 3600 CPU-s, -jobs=2
#   FUZZ_CPU=600 scripts/fuzz-long.sh csv      csv only, 10 CPU-minutes
#
# The corpus grows in build-fuzz/long/<target>/ (seeded from
# tests/fuzz/corpus/<target>/) and survives between runs, so an interrupted
# run resumes where it stopped. One line per target at the end:
# CPU seconds, execs (summed over chunks and jobs), cov, ft, crashes.
set -uo pipefail
cd "$(dirname "$0")/.."
budget=${FUZZ_CPU:-3600}
jobs=${FUZZ_JOBS:-2}
chunk=${FUZZ_CHUNK:-600}          # wall seconds per libFuzzer run
targets=${*:-"text rules concepts csv dialogue"}
top=$PWD

# build (and smoke-test for a second) with the same flags as the CI form
scripts/fuzz.sh 1 1 $targets >/dev/null || { echo "fuzz-long: build or smoke run failed"; exit 1; }
cd build-fuzz
export MG_DICT_DIR=$top/dict MG_SAMPLE=$top/faq/sample/saijo-faq.json
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
status=0
for t in $targets; do
  work=long/$t art=long/artifacts-$t state=long/$t.state
  mkdir -p "$work" "$art"
  [ -n "$(ls -A "$work")" ] || cp "$top/tests/fuzz/corpus/$t/"* "$work/"
  cpu=0 execs=0
  [ -f "$state" ] && read -r cpu execs <"$state"
  while awk -v c="$cpu" -v b="$budget" 'BEGIN { exit !(c < b) }'; do
    rm -f fuzz-*.log
    nice -n 19 /usr/bin/time -f '%U %S' -o long/time.out \
      tests/fuzz/fuzz_"$t" -max_total_time="$chunk" -jobs="$jobs" -workers="$jobs" \
      -max_len=8192 -artifact_prefix="$art/" "$work" >long/$t.log 2>&1
    rc=$?
    cat fuzz-*.log >>long/$t.log 2>/dev/null
    used=$(tail -1 long/time.out | awk '{print $1 + $2}')
    n=$(grep -hoE '^#[0-9]+\s+DONE' long/$t.log | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}')
    cpu=$(awk -v a="$cpu" -v b="$used" 'BEGIN { print a + b }')
    execs=$((execs + n))
    echo "$cpu $execs" >"$state"
    cov=$(grep -hoE 'cov: [0-9]+' long/$t.log | awk '{print $2}' | sort -n | tail -1)
    ft=$(grep -hoE 'ft: [0-9]+' long/$t.log | awk '{print $2}' | sort -n | tail -1)
    echo "fuzz_$t: chunk done, cpu ${cpu}s of ${budget}s, execs $execs, cov ${cov:-0}, ft ${ft:-0}" >&2
    # a slow unit at nice 19 on a busy machine is often the scheduler, not
    # the code: each is timed again at normal priority; one that runs in
    # under a second is set aside (long/slow-under-load/) with its time,
    # one that is still slow stays an artifact and stops the run
    for u in "$art"/slow-unit-*; do
      [ -f "$u" ] || continue
      ms=$(tests/fuzz/fuzz_"$t" "$u" 2>&1 | sed -n 's/^Executed .* in \([0-9]*\) ms$/\1/p')
      if [ "${ms:-99999}" -lt 1000 ]; then
        mkdir -p long/slow-under-load && mv "$u" long/slow-under-load/
        echo "fuzz_$t: $(basename "$u") was slow under load only: ${ms} ms at normal priority (set aside)" >&2
      fi
    done
    if [ "$rc" -ne 0 ] || [ -n "$(ls -A "$art")" ]; then status=1; break; fi
  done
  cov=$(grep -hoE 'cov: [0-9]+' long/$t.log 2>/dev/null | awk '{print $2}' | sort -n | tail -1)
  ft=$(grep -hoE 'ft: [0-9]+' long/$t.log 2>/dev/null | awk '{print $2}' | sort -n | tail -1)
  echo "fuzz_$t: cpu ${cpu}s x $jobs job(s), execs $execs, cov ${cov:-?}, ft ${ft:-?}, corpus $(ls "$work" | wc -l), crashes $(ls "$art" | wc -l)"
done
exit $status
