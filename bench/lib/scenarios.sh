# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# The scenarios: what each client does in one run, and the loop over clients and runs that
# records the figures (measure.sh) or says why a client did not take part.

NAME_SEQUENCE=0

# A name no order has used yet in this Pebble, so nothing can be reused or cached.
fresh_name() {
  NAME_SEQUENCE=$((NAME_SEQUENCE + 1))
  FRESH_NAME="$1-$NAME_SEQUENCE.bench.test"
}

fresh_dir() {
  FRESH_DIR=$(mktemp -d "$WORK/account.XXXXXX")
}

# --- workloads: one run each; they must run in this shell (not a subshell) to keep the sequence -

issue_single() {
  local client=$1 challenge=$2 dir=$3
  fresh_name "${client:0:1}"
  client_issue "$client" "$challenge" "$dir" "$FRESH_NAME"
}

issue_many_names() {
  local client=$1 challenge=$2 dir=$3 count=$4 i
  local -a names=()
  fresh_name "${client:0:1}"
  for ((i = 1; i <= count; i++)); do names+=("n$i.$FRESH_NAME"); done
  client_issue "$client" "$challenge" "$dir" "${names[@]}"
}

issue_in_a_row() {
  local client=$1 challenge=$2 dir=$3 count=$4 i
  for ((i = 1; i <= count; i++)); do
    issue_single "$client" "$challenge" "$dir" || return
  done
}

# --- the loop -----------------------------------------------------------------------------------

# run_scenario ID LABEL RUNS ACCOUNT WORKLOAD CHALLENGE [ARGS...]
# ACCOUNT is "new" (a fresh account directory every run) or "existing" (one directory per
# client, its account made by an unmeasured first issuance).
run_scenario() {
  local id=$1 label=$2 runs=$3 account=$4 workload=$5 challenge=$6
  shift 6
  printf '%s\t%s\n' "$id" "$label" >>"$LABELS"
  say ""
  say "== $label"
  local client
  for client in $CLIENTS; do
    run_client_scenario "$id" "$runs" "$account" "$client" "$workload" "$challenge" "$@" || true
  done
}

run_client_scenario() {
  local id=$1 runs=$2 account=$3 client=$4 workload=$5 challenge=$6
  shift 6
  local reason
  if reason=$(client_lacks "$client" "$challenge"); then
    note "$id" "$client" "$reason"
    return
  fi
  if [[ $client != acmectl && " $SLOW_SCENARIOS " == *" $id "* && $MODE == quick ]]; then
    note "$id" "$client" "skipped in --quick (minutes a run; --full runs it)"
    return
  fi
  local dir="" runs_file="$WORK/runs.$id.$client" run
  : >"$runs_file"
  if [[ $account == existing ]]; then
    fresh_dir
    dir=$FRESH_DIR
    measure_run issue_single "$client" "$challenge" "$dir" || {
      explain_failure "$id" "$client" "$challenge" "$?" "account set-up"
      return
    }
  fi
  for ((run = 1; run <= runs; run++)); do
    if [[ $account == new ]]; then
      fresh_dir
      dir=$FRESH_DIR
    fi
    measure_run "$workload" "$client" "$challenge" "$dir" "$@" || {
      explain_failure "$id" "$client" "$challenge" "$?" "run $run"
      return
    }
    echo "$RUN_SECONDS $RUN_RSS_KIB $RUN_REQUESTS $RUN_PEBBLE_CPU" >>"$runs_file"
    say "  $client run $run/$runs: $RUN_SECONDS s, peak RSS $((RUN_RSS_KIB / 1024)) MiB," \
      "$RUN_REQUESTS requests"
  done
  summarize "$id" "$client" "$runs_file"
}

# A failed run ends the client's scenario. acmectl refusing the flags means the feature is still
# missing; anything else is a real failure, shown with the end of the client's output.
explain_failure() {
  local id=$1 client=$2 challenge=$3 status=$4 what=$5
  if [[ $client == acmectl ]] && acmectl_rejected_flags "$status"; then
    note "$id" "$client" "$challenge not yet supported by this acmectl"
    say "    ($(grep -m1 -E 'error|not expected' "$RUN_LOG" || true))"
    return
  fi
  note "$id" "$client" "FAILED at $what (exit $status)"
  cp "$RUN_LOG" "$WORK/failed.$id.$client.log"
  tail -n 15 "$RUN_LOG" | sed 's/^/    | /' >&2
}

# --- acmectl only: the store and start-up -------------------------------------------------------

# run_store_scenarios COUNT RUNS: `acmectl list` and `acmectl renew` (nothing due, so no order)
# over a generated store of COUNT certificates: reading and judging every certificate.
run_store_scenarios() {
  local count=$1 runs=$2 store="$WORK/store-$1.json"
  "$MAKE_STORE" "$store" "$count" --due 0 >/dev/null || die "make_store failed"
  run_store_command "list$count" "$runs" "\`acmectl list\` over $count certificates (none due)" \
    list --store "$store"
  run_store_command "renew$count" "$runs" "\`acmectl renew\` over $count certificates (none due)" \
    renew --store "$store" --server "$PEBBLE_DIRECTORY_URL" --ca-bundle "$PEBBLE_CA_BUNDLE"
}

# run_store_command ID RUNS LABEL ARGS...: one acmectl command, RUNS times. These take
# milliseconds, so they are timed like start-up (measure_quick): the shell's own fork and exec
# around a run would be a large share of the figure otherwise.
run_store_command() {
  local id=$1 runs=$2 label=$3
  shift 3
  printf '%s\t%s\n' "$id" "$label" >>"$LABELS"
  say ""
  say "== $label"
  measure_quick "$id" acmectl "$runs" "$ACMECTL" "$@"
}

# issue_batch CLIENT CHALLENGE DIR COUNT CONCURRENCY: one `acmectl issue --batch` of COUNT fresh
# single-name certificates, CONCURRENCY orders at once.
issue_batch() {
  local client=$1 challenge=$2 dir=$3 count=$4 concurrency=$5 i file
  file=$(mktemp "$WORK/batch.XXXXXX")
  for ((i = 1; i <= count; i++)); do
    fresh_name "${client:0:1}"
    echo "$FRESH_NAME" >>"$file"
  done
  local -a challenge_args
  read -r -a challenge_args <<<"$(acmectl_challenge_args "$challenge")"
  timed "$ACMECTL" issue --batch "$file" --concurrency "$concurrency" \
    --server "$PEBBLE_DIRECTORY_URL" --ca-bundle "$PEBBLE_CA_BUNDLE" --store "$dir/acme.json" \
    --agree-tos --email "$BENCH_EMAIL" --account-key-type ec256 --key-type ec256 \
    "${challenge_args[@]}"
}

# run_batch_scenario ID COUNT CONCURRENCY RUNS: acmectl only (lego and certbot order one
# certificate a process).
run_batch_scenario() {
  local id=$1 count=$2 concurrency=$3 runs=$4
  printf '%s\t%s\n' "$id" \
    "$count certificates in one \`acmectl issue --batch\`, --concurrency $concurrency (HTTP-01)" \
    >>"$LABELS"
  say ""
  say "== $count certificates in one batch, $concurrency at once"
  run_client_scenario "$id" "$runs" existing acmectl issue_batch http-01 "$count" "$concurrency" ||
    true
  local client
  for client in $CLIENTS; do
    [[ $client == acmectl ]] || note "$id" "$client" "no batch mode (one certificate a process)"
  done
}

# Start-up: hyperfine when installed (many runs, warm-up, no shell in between), else a loop.
run_version_scenario() {
  local runs=$1 client
  printf '%s\t%s\n' version "\`--version\` start-up" >>"$LABELS"
  say ""
  say "== --version start-up ($runs runs)"
  for client in $CLIENTS; do
    local -a command
    case $client in
      acmectl) command=("$ACMECTL" --version) ;;
      *) command=("$client" --version) ;;
    esac
    measure_quick version "$client" "$runs" "${command[@]}"
  done
}

# The floor (bench/README.md): what OpenSSL and libcurl alone take for the least an issuance
# needs, linked as acmectl is. Its row compares with acmectl's single-name rows.
run_floor_scenario() {
  local runs=$1
  printf '%s\t%s\n' floor "library floor: P-256 key, one signature, one HTTPS GET of the directory (OpenSSL + libcurl, no acmecpp)" >>"$LABELS"
  say ""
  say "== library floor ($runs runs)"
  measure_quick floor library_floor "$runs" "$LIBRARY_FLOOR" "$PEBBLE_DIRECTORY_URL" \
    "$PEBBLE_CA_BUNDLE"
}

# measure_quick ID CLIENT RUNS COMMAND...: for commands that take milliseconds. One run under GNU
# time gives the peak RSS and the CA requests; hyperfine, when installed, gives the times (RUNS
# runs after 3 warm-ups, started without a shell, its own overhead subtracted); else RUNS
# measured runs in a loop.
measure_quick() {
  local id=$1 client=$2 runs=$3
  shift 3
  local runs_file="$WORK/runs.$id.$client" run rss requests cpu
  : >"$runs_file"
  measure_run timed "$@" || {
    explain_failure "$id" "$client" "" "$?" "the measured run"
    return
  }
  rss=$RUN_RSS_KIB
  requests=$RUN_REQUESTS
  cpu=$RUN_PEBBLE_CPU
  if command -v hyperfine >/dev/null; then
    # hyperfine's summary: median, min, max in seconds; RSS and requests from the run above.
    hyperfine --shell=none --warmup 3 --runs "$runs" --export-csv "$WORK/hyperfine.csv" \
      --style none "$*" >>"$WORK/hyperfine.log" 2>&1 || die "hyperfine failed on: $*"
    local median min max
    IFS=, read -r median min max < <(awk -F, 'NR == 2 { print $4 "," $7 "," $8 }' \
      "$WORK/hyperfine.csv")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$client" "$runs" "$median" "$min" \
      "$max" "$rss" "$requests" "$requests" "$requests" "$cpu" >>"$SUMMARY"
    say "  $client: median $median s over $runs runs (hyperfine), peak RSS $((rss / 1024)) MiB"
    return
  fi
  for ((run = 1; run <= runs; run++)); do
    measure_run timed "$@" || {
      explain_failure "$id" "$client" "" "$?" "run $run"
      return
    }
    echo "$RUN_SECONDS $rss $RUN_REQUESTS" >>"$runs_file"
  done
  summarize "$id" "$client" "$runs_file"
  say "  $client: $(awk '{print $1}' "$runs_file" | stats | awk '{print "median " $1 " s"}')" \
    "over $runs runs (loop; install hyperfine for finer figures)"
}
