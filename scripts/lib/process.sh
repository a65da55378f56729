# shellcheck shell=bash
# Sourced helpers for the scripts' own child processes: stop one gracefully, run one so that a
# signal reaches the caller's trap at once, and a hard time limit for a whole script.

# PID [seconds=10]: TERM, wait up to SECONDS for a graceful exit (in-flight requests finish), KILL.
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < ${2:-10} * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# COMMAND...: runs it in the background and waits for it (CHILD_PID is set meanwhile).
run_child() {
  local rc=0
  "$@" &
  CHILD_PID=$!
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=
  return "$rc"
}

# SECONDS TAG: TERM this script (its EXIT trap stops everything) after SECONDS; sets WATCHDOG_PID.
start_watchdog() {
  local seconds=$1 tag=$2 self=$$
  (
    trap 'kill "$sp" 2>/dev/null; exit 0' TERM
    sleep "$seconds" &
    sp=$!
    wait "$sp"
    echo "[$tag] time limit of $seconds s reached, stopping" >&2
    kill -TERM "$self"
  ) &
  # shellcheck disable=SC2034 # read by the sourcing script
  WATCHDOG_PID=$!
}
