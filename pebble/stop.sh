#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stops the servers pebble/start.sh started in STATE_DIR, by their recorded PIDs only: TERM, then
# KILL after a grace period. Removes the pid files. Safe to run twice or after a failed start.
#
# Usage: stop.sh STATE_DIR
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 STATE_DIR" >&2
  exit 2
fi
state_dir=$1
grace_seconds=${PEBBLE_STOP_GRACE_SECONDS:-5}

# A zombie (dead, not yet reaped by whoever adopted it) counts as stopped.
is_running() {
  local pid=$1 state
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ $state != Z ]]
}

# The PID must still name the program we started: after a crash the number may have been reused
# by an unrelated process, which must not be killed.
still_ours() {
  local pid=$1 expected=$2
  is_running "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$expected"
}

# name of pid file -> a word its process's command line contains
declare -A markers=([watchdog]=start.sh [pebble]=pebble [challtestsrv]=pebble-challtestsrv)

pids=()
for name in watchdog pebble challtestsrv; do
  pid_file=$state_dir/$name.pid
  [[ -f $pid_file ]] || continue
  pid=$(<"$pid_file")
  if [[ $pid =~ ^[0-9]+$ ]] && still_ours "$pid" "${markers[$name]}"; then
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
  fi
done

deadline=$((SECONDS + grace_seconds))
for pid in "${pids[@]}"; do
  while is_running "$pid" && ((SECONDS < deadline)); do
    sleep 0.05
  done
  if is_running "$pid"; then
    echo "stop.sh: process $pid ignored TERM for ${grace_seconds}s, sending KILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
done

rm -f "$state_dir/watchdog.pid" "$state_dir/pebble.pid" "$state_dir/challtestsrv.pid"
