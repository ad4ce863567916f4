#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Starts Pebble (a test ACME server) and pebble-challtestsrv (its mock DNS server) on 127.0.0.1,
# in the background, and waits until both really serve. See pebble/README.md for the variables.
#
# Usage: start.sh STATE_DIR
# Prints the ACME directory URL on stdout and writes STATE_DIR/env (shell-sourceable). Everything
# else it has to say goes to stderr. On failure it prints the servers' log tails, stops what it
# started and exits non-zero.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 STATE_DIR" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
state_dir=$(cd "$1" && pwd)
# The paths go into a JSON file as they are; refuse the two characters that would need escaping.
if [[ $state_dir == *[\"\\]* ]]; then
  printf 'start.sh: state directory must not contain a double quote or backslash: %s\n' \
    "$state_dir" >&2
  exit 2
fi

listen_port=${PEBBLE_LISTEN_PORT:-14000}
mgmt_port=${PEBBLE_MGMT_PORT:-15000}
http_port=${PEBBLE_HTTP_PORT:-5002}
tls_port=${PEBBLE_TLS_PORT:-5001}
dns_port=${CHALLTESTSRV_DNS_PORT:-8053}
challtestsrv_mgmt_port=${CHALLTESTSRV_MGMT_PORT:-8055}
# Where Pebble resolves names (TXT for DNS-01, A/AAAA for HTTP-01 and TLS-ALPN-01): challtestsrv
# unless a test brings its own DNS server (e.g. BIND taking RFC 2136 updates).
dns_server=${PEBBLE_DNS_SERVER:-127.0.0.1:$dns_port}
eab_keys=${PEBBLE_EAB_KEYS:-}
validity_seconds=${PEBBLE_VALIDITY_SECONDS:-0} # 0: Pebble's own default (about 5 years)
startup_timeout=${PEBBLE_STARTUP_TIMEOUT:-20}
# Without this Pebble sleeps up to 15 s before each validation; tests want it off unless asked.
export PEBBLE_VA_NOSLEEP=${PEBBLE_VA_NOSLEEP:-1}

for name in listen_port mgmt_port http_port tls_port dns_port challtestsrv_mgmt_port \
  validity_seconds startup_timeout; do
  if [[ ! ${!name} =~ ^[0-9]+$ ]]; then
    echo "start.sh: $name must be a number, got '${!name}'" >&2
    exit 2
  fi
done

log() { echo "start.sh: $*" >&2; }

started_pids=()
# Stops whatever this script started and shows why it failed, then exits.
fail() {
  log "$*"
  for file in challtestsrv.log pebble.log; do
    if [[ -f $state_dir/$file ]]; then
      echo "--- last lines of $state_dir/$file ---" >&2
      tail -n 30 "$state_dir/$file" >&2
    fi
  done
  "$here/stop.sh" "$state_dir" >&2 || true
  exit 1
}

# Fills the template. Quoting the replacement keeps '&' literal under bash 5.2's patsub_replacement.
write_config() {
  local eab_required=false keys='{}'
  if [[ -n $eab_keys ]]; then
    eab_required=true
    keys=$eab_keys
  fi
  local text
  text=$(<"$here/pebble-config.json.in")
  text=${text//@PEBBLE_LISTEN_PORT@/"$listen_port"}
  text=${text//@PEBBLE_MGMT_PORT@/"$mgmt_port"}
  text=${text//@CERT_FILE@/"$state_dir/certs/cert.pem"}
  text=${text//@KEY_FILE@/"$state_dir/certs/key.pem"}
  text=${text//@PEBBLE_HTTP_PORT@/"$http_port"}
  text=${text//@PEBBLE_TLS_PORT@/"$tls_port"}
  text=${text//@EAB_REQUIRED@/"$eab_required"}
  text=${text//@EAB_KEYS@/"$keys"}
  text=${text//@VALIDITY_SECONDS@/"$validity_seconds"}
  printf '%s\n' "$text" >"$state_dir/pebble-config.json"
  # The file may hold EAB MAC keys.
  chmod 600 "$state_dir/pebble-config.json"
}

# Runs a server in the background, detached from our stdio (so that a caller reading our stdout
# sees EOF as soon as we exit) and records its PID.
spawn() {
  local name=$1
  shift
  "$@" </dev/null >"$state_dir/$name.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$state_dir/$name.pid"
  started_pids+=("$pid")
}

is_running() {
  local pid=$1 state
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ $state != Z ]]
}

# One A query over UDP; succeeds when any DNS answer with our query ID comes back.
dns_answers() {
  local reply
  reply=$(
    exec 3<>"/dev/udp/127.0.0.1/$dns_port" || exit 1
    # One datagram, escapes expanded by printf: ID 0x4a43, RD, one question "probe.test. A IN".
    local header='\x4a\x43\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00'
    local question='\x05probe\x04test\x00\x00\x01\x00\x01'
    # shellcheck disable=SC2059 # the format is ours and holds only escapes
    printf "$header$question" >&3
    timeout 1 dd bs=512 count=1 <&3 2>/dev/null | od -An -tx1 -N2
  ) || return 1
  [[ $reply == *"4a 43"* ]]
}

challtestsrv_ready() {
  curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$challtestsrv_mgmt_port/" && dns_answers
}

# --cacert proves we reached *our* Pebble: any other server on the port has another certificate.
pebble_ready() {
  curl -s -f -o /dev/null --max-time 2 --cacert "$state_dir/certs/ca.pem" \
    "https://127.0.0.1:$listen_port/dir"
}

wait_until_ready() {
  local deadline=$((SECONDS + startup_timeout))
  local challtestsrv_pid pebble_pid
  challtestsrv_pid=$(<"$state_dir/challtestsrv.pid")
  pebble_pid=$(<"$state_dir/pebble.pid")
  until challtestsrv_ready && pebble_ready; do
    check_alive "$challtestsrv_pid" "$pebble_pid"
    ((SECONDS < deadline)) || fail "servers not ready after ${startup_timeout}s"
    sleep 0.1
  done
  check_alive "$challtestsrv_pid" "$pebble_pid"
}

check_alive() {
  # challtestsrv keeps running when its DNS port is taken; its log is the only witness.
  if grep -q 'address already in use' "$state_dir/challtestsrv.log"; then
    fail "pebble-challtestsrv could not bind a port (address already in use)"
  fi
  is_running "$1" || fail "pebble-challtestsrv exited during startup"
  is_running "$2" || fail "pebble exited during startup"
}

# Optional: stop the servers when the process that asked for them dies without cleaning up
# (a crashed or killed test), so that no server outlives its test run.
spawn_watchdog() {
  local watched=$1 pebble_pid challtestsrv_pid
  pebble_pid=$(<"$state_dir/pebble.pid")
  challtestsrv_pid=$(<"$state_dir/challtestsrv.pid")
  (
    while kill -0 "$watched" 2>/dev/null && is_running "$pebble_pid"; do
      sleep 1
    done
    kill -TERM "$pebble_pid" "$challtestsrv_pid" 2>/dev/null || true
  ) </dev/null >/dev/null 2>&1 &
  echo "$!" >"$state_dir/watchdog.pid"
}

write_env_file() {
  {
    printf 'PEBBLE_DIRECTORY_URL=%q\n' "$directory_url"
    printf 'PEBBLE_CA_BUNDLE=%q\n' "$state_dir/certs/ca.pem"
    printf 'PEBBLE_ROOT_PEM=%q\n' "$state_dir/root.pem"
    printf 'PEBBLE_MANAGEMENT_URL=%q\n' "https://127.0.0.1:$mgmt_port"
    printf 'CHALLTESTSRV_MANAGEMENT_URL=%q\n' "http://127.0.0.1:$challtestsrv_mgmt_port"
    printf 'PEBBLE_LISTEN_PORT=%q\n' "$listen_port"
    printf 'PEBBLE_MGMT_PORT=%q\n' "$mgmt_port"
    printf 'PEBBLE_HTTP_PORT=%q\n' "$http_port"
    printf 'PEBBLE_TLS_PORT=%q\n' "$tls_port"
    printf 'CHALLTESTSRV_DNS_PORT=%q\n' "$dns_port"
    printf 'CHALLTESTSRV_MGMT_PORT=%q\n' "$challtestsrv_mgmt_port"
    printf 'PEBBLE_DNS_SERVER=%q\n' "$dns_server"
  } >"$state_dir/env"
}

if [[ -f $state_dir/pebble.pid || -f $state_dir/challtestsrv.pid ]]; then
  echo "start.sh: $state_dir already has running servers (pid files); run stop.sh first" >&2
  exit 2
fi

"$here/make-cert.sh" "$state_dir/certs" || fail "could not create the TLS certificates"
write_config

spawn challtestsrv pebble-challtestsrv \
  -dns01 "127.0.0.1:$dns_port" -management "127.0.0.1:$challtestsrv_mgmt_port" \
  -http01 "" -https01 "" -tlsalpn01 "" -defaultIPv4 127.0.0.1 -defaultIPv6 ""
spawn pebble pebble -config "$state_dir/pebble-config.json" -dnsserver "$dns_server"
wait_until_ready

# The issuing root is generated anew at every start: fetch this run's.
curl -s -f --max-time 5 --cacert "$state_dir/certs/ca.pem" -o "$state_dir/root.pem" \
  "https://127.0.0.1:$mgmt_port/roots/0" || fail "could not fetch the root from the management API"

if [[ -n ${PEBBLE_WATCH_PID:-} ]]; then
  spawn_watchdog "$PEBBLE_WATCH_PID"
fi

directory_url="https://127.0.0.1:$listen_port/dir"
write_env_file
echo "$directory_url"
