# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Starting and stopping the benchmark's own Pebble + challtestsrv (pebble/start.sh) on free
# loopback ports, and counting the requests Pebble answered.

# A TCP port on 127.0.0.1 where nothing listens now. Random, so that two benchmarks (or a test run)
# rarely pick the same one; start.sh notices a UDP clash on the DNS port and we try again.
random_free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

# start_pebble STATE_DIR: exports the env file's variables (PEBBLE_DIRECTORY_URL, ...).
start_pebble() {
  local state_dir=$1 attempt
  for attempt in 1 2 3; do
    # Fair request counts: no random nonce rejection (each would add a retry), no authorization
    # reuse (each client proves every name), no sleep before validation.
    if PEBBLE_LISTEN_PORT=$(random_free_port) PEBBLE_MGMT_PORT=$(random_free_port) \
      PEBBLE_HTTP_PORT=$(random_free_port) PEBBLE_TLS_PORT=$(random_free_port) \
      CHALLTESTSRV_DNS_PORT=$(random_free_port) CHALLTESTSRV_MGMT_PORT=$(random_free_port) \
      PEBBLE_VA_NOSLEEP=1 PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_WATCH_PID=$$ \
      "$REPO_DIR/pebble/start.sh" "$state_dir" >/dev/null 2>"$state_dir.start.log"; then
      set -a
      # shellcheck source=/dev/null
      source "$state_dir/env"
      set +a
      return 0
    fi
    say "pebble/start.sh failed (attempt $attempt), see $state_dir.start.log"
    rm -rf "$state_dir"
  done
  die "could not start Pebble"
}

stop_pebble() {
  if [[ -d ${1:-} ]]; then
    "$REPO_DIR/pebble/stop.sh" "$1" >/dev/null 2>&1 || true
  fi
}

# Requests Pebble has routed so far: it logs "<METHOD> <path> -> calling handler()" once for
# every request it hands to a handler (GET /dir, HEAD /nonce-plz, every POST).
ca_requests() {
  grep -c -- '-> calling handler()' "$PEBBLE_STATE/pebble.log" || true
}

# CPU seconds Pebble has used so far (user + system, from /proc/PID/stat), "0" when unknown.
pebble_cpu_seconds() {
  local pid stat
  pid=$(<"$PEBBLE_STATE/pebble.pid") 2>/dev/null || { echo 0; return; }
  stat=$(<"/proc/$pid/stat") 2>/dev/null || { echo 0; return; }
  # Fields after the parenthesised command name: utime is the 12th, stime the 13th.
  awk -v ticks="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / ticks }' \
    <<<"$stat"
}
