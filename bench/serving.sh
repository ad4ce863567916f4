#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Serving benchmark: the library's TLS server path (bench/serve_bench.cpp, on install_tls_server())
# next to HAProxy and nginx, holding 1, 1,000 and 10,000 ECDSA P-256 certificates (make_store, a
# local CA), under the same load from bench/tls_load.cpp: new TCP connections, full TLS 1.3
# handshakes, SNI drawn at random from every name. Then every certificate swapped under load, and
# on-demand issuance against a private Pebble. Writes its table into bench/RESULTS.md (between the
# "serving" markers) and prints it. See bench/README.md, "Serving".
#
# Usage: bench/serving.sh [--seconds S] [--rounds N] [--sizes "1 1000 10000"] [--servers "acmecpp haproxy nginx"]
#                         [--workers N] [--threads N] [--swap-seconds S] [--no-swap] [--no-on-demand]
#                         [--on-demand-runs "10000 0 10000-async"] [--build-dir DIR] [--results FILE] [--keep]
# --on-demand-runs: the on-demand measurements, each a wait in ms, "-async" for a serve_bench
# that pauses the handshake (--on-demand-async, CertManager::certificate_async) instead of
# blocking its worker in certificate_for().
set -Eeuo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
COMMAND_LINE="bench/serving.sh $*"

say() { echo "$*" >&2; }
die() {
  echo "serving.sh: $*" >&2
  exit 1
}

# shellcheck source=bench/lib/pebble.sh
source "$BENCH_DIR/lib/pebble.sh"

SECONDS_PER_ROW=10 SIZES="1 1000 10000" SERVERS="acmecpp haproxy nginx" WORKERS=1 THREADS=4
SWAP_SECONDS=60 ON_DEMAND=1 SWAP=1 KEEP=0 ROUNDS=3 ON_DEMAND_RUNS="10000 0 10000-async"
ALL_PIDS=() KEYS=()
declare -A PORT_OF READY_OF MEMORY_OF
BUILD_DIR=$REPO_DIR/build-bench RESULTS=$BENCH_DIR/RESULTS.md
while [[ $# -gt 0 ]]; do
  case $1 in
    --seconds | --rounds | --sizes | --servers | --workers | --threads | --swap-seconds | --build-dir | --results | --on-demand-runs)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case $1 in
        --seconds) SECONDS_PER_ROW=$2 ;;
        --rounds) ROUNDS=$2 ;;
        --sizes) SIZES=$2 ;;
        --servers) SERVERS=$2 ;;
        --workers) WORKERS=$2 ;;
        --threads) THREADS=$2 ;;
        --swap-seconds) SWAP_SECONDS=$2 ;;
        --build-dir) BUILD_DIR=$(realpath -m "$2") ;;
        --results) RESULTS=$(realpath -m "$2") ;;
        --on-demand-runs) ON_DEMAND_RUNS=$2 ;;
      esac
      shift
      ;;
    --no-on-demand) ON_DEMAND=0 ;;
    --no-swap) SWAP=0 ;;
    --keep) KEEP=1 ;;
    -h | --help)
      sed -n '2,/^set -Eeuo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown option $1 (--help lists them)" ;;
  esac
  shift
done

# The peers come from Debian's packages; the script names what is missing instead of failing
# later. Their system services are never used: each runs from its own configuration here.
check_packages() {
  local server missing=()
  for server in $SERVERS; do
    case $server in
      acmecpp) ;;
      haproxy) command -v haproxy >/dev/null || [[ -x /usr/sbin/haproxy ]] || missing+=(haproxy) ;;
      nginx) command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx) ;;
      *) die "unknown server $server (acmecpp, haproxy, nginx)" ;;
    esac
  done
  command -v jq >/dev/null || missing+=(jq)
  [[ ${#missing[@]} -eq 0 ]] || die "needs the Debian package(s) ${missing[*]}: apt-get install ${missing[*]}"
  [[ $ON_DEMAND -eq 0 ]] || command -v pebble >/dev/null || die "needs the Debian package pebble (or --no-on-demand)"
}

build_programs() {
  # A build directory that exists keeps its configuration (add -DACMECPP_BUILD_BENCH=ON to it);
  # a new one is configured for Release.
  mkdir -p "$BUILD_DIR"
  local log=$BUILD_DIR/serving-build.log
  if [[ ! -f $BUILD_DIR/CMakeCache.txt ]] &&
    ! cmake -S "$REPO_DIR" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DACMECPP_BUILD_BENCH=ON -DACMECPP_BUILD_TESTS=OFF >"$log" 2>&1; then
    die "configuring failed, see $log"
  fi
  BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt")
  say "building serve_bench, tls_load, make_store and acmectl in $BUILD_DIR ($BUILD_TYPE)"
  if ! cmake --build "$BUILD_DIR" --target serve_bench tls_load make_store acmectl >>"$log" 2>&1; then
    die "build failed, see $log"
  fi
  SERVE_BENCH=$BUILD_DIR/bench/serve_bench TLS_LOAD=$BUILD_DIR/bench/tls_load
  MAKE_STORE=$BUILD_DIR/bench/make_store ACMECTL=$BUILD_DIR/acmectl
}

# --- the certificates -----------------------------------------------------------------------

# store-N.json, names-N.txt (every name: main and SAN) and pem-N/ (acmectl export --format
# haproxy: key and full chain in one file a name, which nginx reads for both certificate and key).
prepare_set() {
  local count=$1 tag=$2
  local store=$WORK/$tag.json
  "$MAKE_STORE" "$store" "$count" --due 0 >/dev/null
  jq -r '.letsencrypt.Certificates[] | .domain.main, (.domain.sans // [])[]' "$store" \
    >"$WORK/$tag.names"
  "$ACMECTL" --store "$store" export --out "$WORK/$tag.pem" --format haproxy >/dev/null
}

# The local CA of a store: the second certificate of its first chain.
store_ca() {
  jq -r '.letsencrypt.Certificates[0].certificate' "$1" | base64 -d |
    awk '/BEGIN CERTIFICATE/ { n++ } n == 2 { print }'
}

# --- the servers ----------------------------------------------------------------------------

# haproxy_config DIR PORT PEMDIR: one crt-list line a certificate (the first is the default).
haproxy_config() {
  local dir=$1 port=$2 pem_dir=$3 file
  : >"$dir/crt-list"
  for file in "$pem_dir"/*.pem; do echo "$file" >>"$dir/crt-list"; done
  cat >"$dir/haproxy.cfg" <<EOF
global
  nbthread $WORKERS
  maxconn 4096
  log stderr format raw local0 err
defaults
  mode http
  timeout connect 5s
  timeout client 10s
  timeout server 10s
frontend bench
  bind 127.0.0.1:$port ssl crt-list $dir/crt-list alpn h2,http/1.1
  http-request return status 200 content-type text/plain string ok
EOF
}

# nginx_config DIR PORT PEMDIR: one server block a certificate (names from its file name and,
# for the ones make_store gives a www. SAN, that too); the first is the default server.
nginx_config() {
  local dir=$1 port=$2 pem_dir=$3 file name default=" default_server"
  mkdir -p "$dir/logs"
  {
    cat <<EOF
worker_processes $WORKERS;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events { worker_connections 8192; }
http {
  access_log off;
  server_names_hash_max_size 65536;
  server_names_hash_bucket_size 128;
  ssl_protocols TLSv1.2 TLSv1.3;
EOF
    for file in "$pem_dir"/*.pem; do
      name=${file##*/}
      name=${name%.pem}
      echo "  server { listen 127.0.0.1:$port ssl$default; server_name $name www.$name;" \
        "ssl_certificate $file; ssl_certificate_key $file; return 200 ok; }"
      default=""
    done
    echo "}"
  } >"$dir/nginx.conf"
}

# start_server SERVER COUNT TAG PORT [SWAP_TAG]: starts it in the background; SERVER_PID is the
# process to signal (HAProxy's and nginx's master). START_NS: when it was started.
start_server() {
  local server=$1 tag=$2 port=$3 swap_tag=${4:-}
  local dir=$WORK/run-$server-$tag
  rm -rf "$dir"
  mkdir -p "$dir"
  SERVER_DIR=$dir
  case $server in
    acmecpp)
      local -a swap=()
      [[ -z $swap_tag ]] || swap=(--swap-store "$WORK/$swap_tag.json")
      START_NS=$(date +%s%N)
      "$SERVE_BENCH" --store "$WORK/$tag.json" --port "$port" --workers "$WORKERS" "${swap[@]}" \
        >"$dir/out.log" 2>&1 &
      SERVER_PID=$!
      ;;
    haproxy)
      # Through a symlink, so that a swap is: point it at the renewed files, reload.
      ln -s "$WORK/$tag.pem" "$dir/certs"
      haproxy_config "$dir" "$port" "$dir/certs"
      START_NS=$(date +%s%N)
      haproxy -W -db -f "$dir/haproxy.cfg" >"$dir/out.log" 2>&1 &
      SERVER_PID=$!
      ;;
    nginx)
      ln -s "$WORK/$tag.pem" "$dir/certs"
      nginx_config "$dir" "$port" "$dir/certs"
      START_NS=$(date +%s%N)
      nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" -g "daemon off;" \
        >"$dir/out.log" 2>&1 &
      SERVER_PID=$!
      ;;
  esac
}

# Stops the server and its workers. A master still busy reading 10,000 certificates for a reload
# does not act on SIGTERM, and SIGKILL would orphan its workers: they are stopped by PID too.
stop_server() {
  [[ -n ${SERVER_PID:-} ]] || return 0
  local -a pids
  mapfile -t pids < <(server_pids)
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "${pids[@]}" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# swap_server SERVER: every certificate replaced by its renewed one, the server's own way.
swap_server() {
  case $1 in
    acmecpp) kill -HUP "$SERVER_PID" ;;
    haproxy)
      ln -sfn "$WORK/renewed.pem" "$SERVER_DIR/certs"
      kill -USR2 "$SERVER_PID"
      ;;
    nginx)
      ln -sfn "$WORK/renewed.pem" "$SERVER_DIR/certs"
      kill -HUP "$SERVER_PID"
      ;;
  esac
}

# The server's processes: the one started and its children (HAProxy's and nginx's workers).
server_pids() {
  echo "$SERVER_PID"
  pgrep -P "$SERVER_PID" || true
}

# "RSS_MiB PSS_MiB HWM_MiB": VmRSS and Pss summed over the processes, the largest VmHWM.
server_memory() {
  local pid rss=0 pss=0 hwm=0 value
  for pid in $(server_pids); do
    value=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    rss=$((rss + ${value:-0}))
    value=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
    pss=$((pss + ${value:-0}))
    value=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    [[ ${value:-0} -le $hwm ]] || hwm=$value
  done
  awk -v r="$rss" -v p="$pss" -v h="$hwm" 'BEGIN { printf "%.1f %.1f %.1f", r/1024, p/1024, h/1024 }'
}

# The value of KEY in a line of key=value pairs.
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

# wait_serving TAG PORT: probes the last name of the set until a handshake gets its certificate
# (all three servers load every certificate before they accept); prints seconds since START_NS.
wait_serving() {
  local last probe_pid
  last=$(tail -n 1 "$WORK/$1.names")
  "$TLS_LOAD" --connect "127.0.0.1:$2" --probe "$last" --timeout 300 >"$SERVER_DIR/probe.out" &
  probe_pid=$!
  while kill -0 "$probe_pid" 2>/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      kill "$probe_pid" 2>/dev/null || true
      die "the server stopped before serving $last: $(tail -n 3 "$SERVER_DIR/out.log")"
    fi
    sleep 0.05
  done
  wait "$probe_pid" || die "server never served $last (see $SERVER_DIR)"
  awk -v done_ns="$(field done_ns "$(<"$SERVER_DIR/probe.out")")" -v start="$START_NS" \
    'BEGIN { printf "%.2f", (done_ns - start) / 1e9 }'
}

# --- the rows -------------------------------------------------------------------------------

row() { printf '%s\n' "$*" >>"$ROWS"; }

# Starts SERVER holding COUNT certificates and leaves it running for the rounds: how long until
# it serves every name, and its memory a second later (nothing else runs meanwhile).
start_and_measure() {
  local server=$1 count=$2 tag=set-$2 port ready memory
  port=$(random_free_port)
  start_server "$server" "$tag" "$port"
  ready=$(wait_serving "$tag" "$port")
  sleep 1
  memory=$(server_memory)
  say "  $server, $count certificates: serving after ${ready} s, memory (RSS PSS HWM) $memory"
  ALL_PIDS+=("$SERVER_PID")
  KEYS+=("$server-$count")
  PORT_OF[$server-$count]=$port
  READY_OF[$server-$count]=$ready
  echo "ready-$server-$count $ready" >>"$WORK/figures"
  MEMORY_OF[$server-$count]=$memory
  SERVER_PID=""
}

# ROUNDS rounds; in each, every running server gets the load for SECONDS_PER_ROW, one after the
# other (the order turns every round), so that a change of the machine's load in the middle of
# the run touches all of them alike. Each row reports the median of its rounds.
run_rounds() {
  local round index key server count load n=${#KEYS[@]}
  for ((round = 0; round < ROUNDS; round++)); do
    for ((index = 0; index < n; index++)); do
      key=${KEYS[$(((index + round) % n))]}
      count=${key##*-}
      load=$("$TLS_LOAD" --connect "127.0.0.1:${PORT_OF[$key]}" --names "$WORK/set-$count.names" \
        --seconds "$SECONDS_PER_ROW" --threads "$THREADS")
      say "  round $((round + 1)) $key: $load"
      echo "$key $(field per_second "$load") $(field p50_ms "$load") $(field p99_ms "$load") $(field failed "$load")" \
        >>"$WORK/rounds"
    done
  done
  for key in "${KEYS[@]}"; do
    server=${key%-*} count=${key##*-}
    local per_second p50 p99 failed rss pss hwm
    per_second=$(column_median "$key" 2) p50=$(column_median "$key" 3)
    p99=$(column_median "$key" 4)
    failed=$(awk -v key="$key" '$1 == key { f += $5 } END { print f + 0 }' "$WORK/rounds")
    read -r rss pss hwm <<<"${MEMORY_OF[$key]}"
    row "| $count | $server | $per_second | $p50 | $p99 | $failed | $rss | $pss | $hwm | ${READY_OF[$key]} |"
    echo "$server $count $per_second $pss" >>"$WORK/figures"
  done
}

# column_median KEY N: the median of column N of KEY's rounds.
column_median() {
  awk -v key="$1" -v n="$2" '$1 == key { print $n }' "$WORK/rounds" | sort -g |
    awk '{ value[NR] = $1 } END { print value[int((NR + 1) / 2)] }'
}

stop_all() {
  local pid
  for pid in "${ALL_PIDS[@]}"; do
    SERVER_PID=$pid
    stop_server
  done
  ALL_PIDS=()
}

measure_swap() {
  local server=$1 count=$2 tag=set-$2 port load
  port=$(random_free_port)
  start_server "$server" "$tag" "$port" renewed
  wait_serving "$tag" "$port" >/dev/null
  "$TLS_LOAD" --connect "127.0.0.1:$port" --names "$WORK/$tag.names" --seconds "$SWAP_SECONDS" \
    --threads "$THREADS" --renewed-ca "$WORK/renewed-ca.pem" >"$SERVER_DIR/load.out" &
  local load_pid=$!
  sleep 3
  swap_server "$server"
  wait "$load_pid"
  load=$(<"$SERVER_DIR/load.out")
  say "  $server swap: $load"
  echo "swap-failed-$server $(field failed "$load")" >>"$WORK/figures"
  local swap_note=""
  [[ $server != acmecpp ]] || swap_note=$(grep -o 'swapped.*' "$SERVER_DIR/out.log" | head -1)
  stop_server
  row "| $count, all swapped at 3 s | $server | $(field per_second "$load") |" \
    "$(field p50_ms "$load") | $(field p99_ms "$load") | $(field failed "$load") | | | |" \
    "renewed served: $(field renewed "$load"), last old one at $(field last_old_s "$load") s ${swap_note:+($swap_note)} |"
}

# --- on demand ------------------------------------------------------------------------------

# measure_on_demand RUN: RUN is WAIT_MS or WAIT_MS-async. serve_bench as a CertManager whose
# certificate_for() waits up to WAIT_MS for an on-demand issuance (0: the handshake fails at once,
# a later one is served); with -async its handshakes pause instead (certificate_async) for at
# most WAIT_MS, and the worker serves the other connections meanwhile.
measure_on_demand() {
  local run=$1 wait_ms=${1%-async} port load flood_names=$WORK/flood.names i start label
  local async_flag=() mode="wait $wait_ms ms"
  if [[ $run == *-async ]]; then
    async_flag=(--on-demand-async)
    mode="async, wait $wait_ms ms"
  fi
  PEBBLE_STATE=$WORK/pebble-$run
  # start_pebble exported the last instance's variables; this one must resolve through its own
  # challtestsrv, not the stopped one's.
  unset PEBBLE_DNS_SERVER
  start_pebble "$PEBBLE_STATE"
  port=$PEBBLE_TLS_PORT # Pebble validates TLS-ALPN-01 there: the same listener serves it
  SERVER_DIR=$WORK/run-on-demand-$run
  mkdir -p "$SERVER_DIR"
  cp "$WORK/set-1000.json" "$SERVER_DIR/store.json"
  START_NS=$(date +%s%N)
  "$SERVE_BENCH" --store "$SERVER_DIR/store.json" --port "$port" --workers "$WORKERS" \
    --directory "$PEBBLE_DIRECTORY_URL" --ca-bundle "$PEBBLE_CA_BUNDLE" \
    --on-demand-suffix .ondemand.test --on-demand-wait-ms "$wait_ms" "${async_flag[@]}" \
    >"$SERVER_DIR/out.log" 2>&1 &
  SERVER_PID=$!
  wait_serving set-1000 "$port" >/dev/null
  # The first name also registers the account; the second is what every later new name costs.
  # "served after": from the first handshake for the name to the one that got its certificate.
  local name result served
  for name in first second; do
    start=$(date +%s%N)
    result=$("$TLS_LOAD" --connect "127.0.0.1:$port" --probe "$name.ondemand.test" --timeout 60)
    served=$(awk -v d="$(field done_ns "$result")" -v s="$start" 'BEGIN { printf "%.3f", (d - s) / 1e9 }')
    say "  on demand ($mode), $name name: $result, served after $served s"
    label="$name new name"
    [[ $name != first ]] || label="first new name (the account is registered then)"
    row "| on demand, $mode: $label | acmecpp | | $(field last_ms "$result") | | $(($(field attempts "$result") - 1)) | | | | served $served s after its first handshake; handshakes: $(field attempts "$result") |"
    echo "on-demand-$run-$name $served" >>"$WORK/figures"
  done

  # A flood of 1,000 unknown names: half the allow() callback refuses, half it allows (those meet
  # the rate limit: burst 10, then one every 6 s, at most 16 pending).
  : >"$flood_names"
  for i in $(seq 1 500); do
    echo "flood-$i.refused.test" >>"$flood_names"
    echo "flood-$i.ondemand.test" >>"$flood_names"
  done
  load=$("$TLS_LOAD" --connect "127.0.0.1:$port" --names "$WORK/set-1000.names" \
    --seconds "$SECONDS_PER_ROW" --threads "$THREADS")
  say "  known names alone: $load"
  row "| on demand, $mode: 1,000 known, no flood | acmecpp | $(field per_second "$load") | $(field p50_ms "$load") | $(field p99_ms "$load") | $(field failed "$load") | | | | |"
  echo "flood-base-$run $(field per_second "$load")" >>"$WORK/figures"
  load=$("$TLS_LOAD" --connect "127.0.0.1:$port" --names "$WORK/set-1000.names" \
    --seconds "$SECONDS_PER_ROW" --threads "$THREADS" --flood-names "$flood_names" \
    --flood-threads "$THREADS")
  say "  known names during the flood: $load"
  row "| on demand, $mode: 1,000 known, flood of 1,000 unknown | acmecpp | $(field per_second "$load") | $(field p50_ms "$load") | $(field p99_ms "$load") | $(field failed "$load") | | | | flood handshakes: $(field flood_ok "$load") served, $(field flood_failed "$load") refused; $(grep -c -- 'POST /order-plz' "$PEBBLE_STATE/pebble.log" || true) orders reached Pebble in all |"
  echo "flood-$run $(field per_second "$load")" >>"$WORK/figures"
  stop_server
  stop_pebble "$PEBBLE_STATE"
  PEBBLE_STATE=""
}

# --- the goals ------------------------------------------------------------------------------

goals() {
  awk '
    { v[$1 " " $2] = $3; m[$1 " " $2] = $4 }
    $1 ~ /^flood-base-/ { w = substr($1, 12); base[w] = $2 }
    $1 ~ /^flood-[0-9]/ { w = substr($1, 7); flood[w] = $2 }
    $1 ~ /^ready-/ { ready[substr($1, 7)] = $2 }
    $1 ~ /^swap-failed-/ { swap[substr($1, 13)] = $2 }
    $1 ~ /^on-demand-.*-second$/ { od[$1] = $2 }
    function verdict(ok) { return ok ? "holds" : "does not hold" }
    function run_label(w) { return w ~ /-async$/ ? "async, wait " substr(w, 1, length(w) - 6) " ms" : "wait " w " ms" }
    END {
      if (("acmecpp 10000" in v) && ("acmecpp 1" in v)) {
        r = v["acmecpp 10000"] / v["acmecpp 1"]
        printf "- 10,000 certificates vs 1: %.0f %% of the one-certificate rate (goal >= 95 %%): %s\n", 100 * r, verdict(r >= 0.95)
      }
      if (("acmecpp 10000" in v) && ("haproxy 10000" in v)) {
        r = v["acmecpp 10000"] / v["haproxy 10000"]
        printf "- 10,000 certificates vs HAProxy: %.0f %% of its rate (goal >= 100 %%): %s\n", 100 * r, verdict(r >= 1)
      }
      split("acmecpp haproxy nginx", s, " ")
      for (i = 1; i <= 3; i++) {
        if ((s[i] " 10000" in m) && (s[i] " 1" in m)) {
          per[s[i]] = (m[s[i] " 10000"] - m[s[i] " 1"]) * 1024 / 9999
          printf "- memory per certificate, %s: %.1f KiB (PSS, 10,000 minus 1, over 9,999)\n", s[i], per[s[i]]
        }
      }
      if (("acmecpp" in per) && ("haproxy" in per))
        printf "- memory per certificate no more than HAProxy'"'"'s: %s\n", verdict(per["acmecpp"] <= per["haproxy"])
      if ("acmecpp-10000" in ready)
        printf "- start to serving 10,000 certificates: %s s (goal <= 1 s): %s\n", ready["acmecpp-10000"], verdict(ready["acmecpp-10000"] <= 1)
      for (k in swap) printf "- swapping every certificate under load, %s: %d failed handshakes (goal 0): %s\n", k, swap[k], verdict(swap[k] == 0)
      for (k in od) printf "- %s: served %s s after its first handshake (goal <= 0.2 s): %s\n", k, od[k], verdict(od[k] <= 0.2)
      for (w in base) if (base[w] > 0 && (w in flood))
        printf "- known names during the flood (%s): %.0f %% of their rate (goal >= 90 %%): %s\n", run_label(w), 100 * flood[w] / base[w], verdict(flood[w] / base[w] >= 0.9)
    }' "$WORK/figures"
}

write_results() {
  local table=$WORK/table.md
  {
    echo "<!-- serving:begin (bench/serving.sh writes this section; bench.sh keeps it) -->"
    echo "## Serving"
    echo
    echo "Written by \`bench/serving.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Command: \`$COMMAND_LINE\`."
    echo "Load: \`tls_load --threads $THREADS --seconds $SECONDS_PER_ROW\`, $ROUNDS rounds over all servers, medians (new connection and full TLS 1.3"
    echo "handshake each time, SNI at random over every name of the set); $WORKERS worker thread(s) or"
    echo "process(es) per server; acmecpp built $BUILD_TYPE; $(nproc) CPUs shared by server and load; load average $LOAD_AT_START at the"
    echo "start, $(load_average) at the end. Versions: $(haproxy -v 2>/dev/null | head -1 | cut -d' ' -f1-3),"
    echo "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), $(openssl version | cut -d' ' -f1-2)."
    echo
    echo "| certificates | server | handshakes/s | p50 ms | p99 ms | failed | RSS MiB | PSS MiB | HWM MiB | start to serving all names, s / notes |"
    echo "|---|---|--:|--:|--:|--:|--:|--:|--:|---|"
    cat "$ROWS"
    echo
    echo "Goals (issue 16):"
    echo
    goals
    echo "<!-- serving:end -->"
  } >"$table"
  cat "$table"
  if [[ -f $RESULTS ]] && grep -q '<!-- serving:begin' "$RESULTS"; then
    awk -v table="$table" '
      /<!-- serving:begin/ { while ((getline line < table) > 0) print line; skip = 1; next }
      /<!-- serving:end/ { skip = 0; next }
      !skip { print }' "$RESULTS" >"$RESULTS.new"
    mv "$RESULTS.new" "$RESULTS"
  else
    { [[ ! -f $RESULTS ]] || { cat "$RESULTS"; echo; }; cat "$table"; } >"$RESULTS.new"
    mv "$RESULTS.new" "$RESULTS"
  fi
  say "written to $RESULTS"
}

load_average() { cut -d' ' -f1 /proc/loadavg; }

cleanup() {
  stop_server
  stop_all
  stop_pebble "${PEBBLE_STATE:-}"
  if [[ $KEEP -eq 1 ]]; then say "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}

main() {
  trap 'say "failed at line $LINENO: $BASH_COMMAND"' ERR
  check_packages
  build_programs
  WORK=$(mktemp -d /tmp/acmecpp-serving.XXXXXX)
  trap cleanup EXIT
  ROWS=$WORK/rows.md
  : >"$ROWS"
  : >"$WORK/figures"
  LOAD_AT_START=$(load_average)
  local count server
  say "making the certificate sets (make_store, acmectl export)"
  for count in $SIZES; do prepare_set "$count" "set-$count"; done
  local biggest=${SIZES##* }
  prepare_set "$biggest" renewed
  store_ca "$WORK/renewed.json" >"$WORK/renewed-ca.pem"
  for count in $SIZES; do
    for server in $SERVERS; do start_and_measure "$server" "$count"; done
  done
  run_rounds
  stop_all
  if [[ $SWAP -eq 1 ]]; then
    for server in $SERVERS; do measure_swap "$server" "$biggest"; done
  fi
  if [[ $ON_DEMAND -eq 1 && " $SIZES " =~ " 1000 " ]]; then
    for run in $ON_DEMAND_RUNS; do measure_on_demand "$run"; done
  fi
  write_results
}

main
