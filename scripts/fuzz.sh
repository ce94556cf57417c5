#!/usr/bin/env bash
# Build the libFuzzer targets with clang-14, ASan and UBSan in ./build-fuzz
# and run each on a scratch copy of its committed seed corpus
# (tests/fuzz/corpus/<target>/; libFuzzer adds new inputs to the copy, never
# to the source tree). One line per target: execs, cov, ft, crashes.
#
#   scripts/fuzz.sh                 every target, 20 s each (the CI form)
#   scripts/fuzz.sh 3600 2 csv      csv only, one hour, -jobs=2 (the long form)
#
# Exit status 1 when a target crashed, leaked or broke an oracle; its
# reproducer is left in build-fuzz/artifacts/<target>/.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
jobs=${2:-1}
shift 2 2>/dev/null || shift $#
targets=${*:-"text rules concepts csv dialogue line mime"}
top=$PWD

command -v clang-14 >/dev/null || { echo "fuzz: clang-14 missing (apt install clang-14 libclang-rt-14-dev)"; exit 1; }
[ -x configure ] || ./autogen.sh >/dev/null
mkdir -p build-fuzz
cd build-fuzz
[ -f Makefile ] || ../configure -q CC=clang-14 --enable-fuzzing --enable-asan --enable-ubsan >/dev/null || exit 1
progs=
for t in $targets; do progs="$progs tests/fuzz/fuzz_$t"; done
make -j"$(nproc)" $progs >make.out 2>&1 || { tail -30 make.out; exit 1; }

export MG_DICT_DIR=$top/dict MG_SAMPLE=$top/faq/sample/saijo-faq.json
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
status=0
for t in $targets; do
  work=corpus/$t
  art=artifacts/$t
  rm -rf "$work" "$art" && mkdir -p "$work" "$art"   # a reproducer left by an earlier run is not this run's
  cp "$top/tests/fuzz/corpus/$t/"* "$work/"
  log=fuzz_$t.log
  rm -f fuzz-*.log
  if [ "$jobs" -gt 1 ]; then
    tests/fuzz/fuzz_"$t" -max_total_time="$secs" -jobs="$jobs" -workers="$jobs" -max_len=8192 \
      -artifact_prefix="$art/" "$work" >"$log" 2>&1
    rc=$?
    cat fuzz-*.log >>"$log" 2>/dev/null
  else
    tests/fuzz/fuzz_"$t" -max_total_time="$secs" -max_len=8192 -artifact_prefix="$art/" "$work" >"$log" 2>&1
    rc=$?
  fi
  # the last status line of each job: "#execs DONE|pulse cov: N ft: N ..."
  execs=$(grep -hoE '^#[0-9]+' "$log" fuzz-*.log 2>/dev/null | tr -d '#' | sort -n | tail -1)
  cov=$(grep -hoE 'cov: [0-9]+' "$log" | awk '{print $2}' | sort -n | tail -1)
  ft=$(grep -hoE 'ft: [0-9]+' "$log" | awk '{print $2}' | sort -n | tail -1)
  crashes=$(ls "$art" | wc -l)
  if [ "$jobs" -gt 1 ]; then
    execs=$(grep -hoE '^#[0-9]+\s+DONE' fuzz-*.log 2>/dev/null | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}')
  fi
  echo "fuzz_$t: ${secs}s x $jobs job(s), execs ${execs:-0}, cov ${cov:-0}, ft ${ft:-0}, crashes $crashes"
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    status=1
    grep -E 'ERROR|SUMMARY|==[0-9]+==' "$log" | head -20
  fi
done
exit $status
