# tap.sh — what the shell tests share (sourced, not run): TAP lines and the
# exit status. `check DESCRIPTION COMMAND…` is one test point that passes
# when COMMAND succeeds (its output discarded); `refused COMMAND…` succeeds
# when COMMAND fails; `tap_done` prints the plan and exits non-zero after
# any failure.
n=0; failed=0
check() { # check DESCRIPTION COMMAND...
  desc=$1; shift
  n=$((n + 1))
  if "$@" >/dev/null 2>&1; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; failed=1; fi
}
refused() { ! "$@"; }
tap_done() {
  echo "1..$n"
  exit $failed
}
