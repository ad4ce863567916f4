#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmarks acmectl against a private Pebble, next to lego and certbot when they are installed:
# wall time (median, min, max over several runs), peak RSS and requests made to the CA for each
# scenario, written to bench/RESULTS.md as a markdown table and printed. See bench/README.md.
#
# Usage: bench/bench.sh [--quick | --full] [--big] [--install] [--clients LIST] [--runs N]
#                       [--acmectl PATH] [--build-dir DIR] [--results FILE] [--keep]
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
COMMAND_LINE="bench/bench.sh $*"

say() { echo "$*"; }
die() {
  echo "bench.sh: $*" >&2
  exit 1
}

# shellcheck source=bench/lib/pebble.sh
source "$BENCH_DIR/lib/pebble.sh"
# shellcheck source=bench/lib/measure.sh
source "$BENCH_DIR/lib/measure.sh"
# shellcheck source=bench/lib/clients.sh
source "$BENCH_DIR/lib/clients.sh"
# shellcheck source=bench/lib/scenarios.sh
source "$BENCH_DIR/lib/scenarios.sh"
# shellcheck source=bench/lib/report.sh
source "$BENCH_DIR/lib/report.sh"

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
  cat <<'TEXT'
Options:
  --quick          (default) a few minutes: 3 runs a scenario; lego and certbot skip the
                   50-name and 50-in-a-row scenarios (minutes a run for them)
  --full           5 runs a single-name scenario, 3 a larger one, every client everywhere
  --big            add 1,000 certificates in a row (1 run; lego needs about 1.5 h for it,
                   so consider --clients acmectl) and 1,000 in one acmectl issue --batch
  --install        apt-get install lego, certbot and hyperfine first
  --clients LIST   comma-separated, from acmectl,lego,certbot (default: those installed)
  --runs N         runs for every issuing scenario, overriding the mode
  --acmectl PATH   the acmectl to measure (default: a Release build in --build-dir)
  --build-dir DIR  where acmectl and make_store are built (default: build-bench)
  --results FILE   where the markdown goes (default: bench/RESULTS.md)
  --keep           keep the work directory (logs, stores) and print its path
TEXT
}

MODE=quick BIG=0 INSTALL=0 KEEP=0 RUNS_OVERRIDE="" CLIENTS_OPTION="" ACMECTL=""
BUILD_DIR=$REPO_DIR/build-bench RESULTS=$BENCH_DIR/RESULTS.md
parse_options() {
  while [[ $# -gt 0 ]]; do
    case $1 in
      --quick) MODE=quick ;;
      --full) MODE=full ;;
      --big) BIG=1 ;;
      --install) INSTALL=1 ;;
      --keep) KEEP=1 ;;
      --clients | --runs | --acmectl | --build-dir | --results)
        [[ $# -ge 2 ]] || die "$1 needs a value"
        case $1 in
          --clients) CLIENTS_OPTION=${2//,/ } ;;
          --runs) RUNS_OVERRIDE=$2 ;;
          --acmectl) ACMECTL=$(realpath "$2") ;;
          --build-dir) BUILD_DIR=$(realpath -m "$2") ;;
          --results) RESULTS=$(realpath -m "$2") ;;
        esac
        shift
        ;;
      -h | --help)
        usage
        exit 0
        ;;
      *) die "unknown option $1 (--help lists them)" ;;
    esac
    shift
  done
  if [[ -n $RUNS_OVERRIDE && ! $RUNS_OVERRIDE =~ ^[1-9][0-9]*$ ]]; then
    die "--runs needs a positive number, got '$RUNS_OVERRIDE'"
  fi
}

set_run_counts() {
  RUNS_SINGLE=3 RUNS_MULTI=3 RUNS_LIST=20 RUNS_VERSION=20
  if [[ $MODE == full ]]; then
    RUNS_SINGLE=5 RUNS_MULTI=3 RUNS_LIST=50 RUNS_VERSION=100
  fi
  if [[ -n $RUNS_OVERRIDE ]]; then
    RUNS_SINGLE=$RUNS_OVERRIDE RUNS_MULTI=$RUNS_OVERRIDE
  fi
  # Scenarios that take lego or certbot minutes a run: --quick leaves them to acmectl.
  SLOW_SCENARIOS="names50 row50 row1000"
}

install_packages() {
  local -a wanted=()
  [[ $INSTALL -eq 1 ]] && wanted+=(lego certbot hyperfine)
  [[ -x /usr/bin/time ]] || wanted+=(time) # GNU time measures peak RSS; always needed
  [[ ${#wanted[@]} -gt 0 ]] || return 0
  [[ $(id -u) -eq 0 ]] || die "need Debian packages ${wanted[*]}: run as root or install them"
  say "installing ${wanted[*]}"
  apt-get install -y "${wanted[@]}" >/dev/null || die "apt-get install ${wanted[*]} failed"
}

choose_clients() {
  local client
  if [[ -n $CLIENTS_OPTION ]]; then
    for client in $CLIENTS_OPTION; do
      case $client in
        acmectl) ;;
        lego | certbot) command -v "$client" >/dev/null || die "$client is not installed" ;;
        *) die "unknown client $client (acmectl, lego, certbot)" ;;
      esac
    done
    CLIENTS=$CLIENTS_OPTION
    return
  fi
  CLIENTS=acmectl
  for client in lego certbot; do
    if command -v "$client" >/dev/null; then
      CLIENTS="$CLIENTS $client"
    else
      say "$client is not installed: measuring without it (--install adds it)"
    fi
  done
}

# A Release build: the figures are for what users run, not for a debug build.
build_programs() {
  local -a targets=(make_store library_floor)
  [[ -n $ACMECTL ]] || targets+=(acmectl)
  say "building ${targets[*]} in $BUILD_DIR (Release)"
  mkdir -p "$BUILD_DIR"
  local build_log=$BUILD_DIR/bench-build.log
  if ! cmake -S "$REPO_DIR" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DACMECPP_BUILD_BENCH=ON -DACMECPP_BUILD_TESTS=OFF >"$build_log" 2>&1 ||
    ! cmake --build "$BUILD_DIR" --target "${targets[@]}" >>"$build_log" 2>&1; then
    die "build failed, see $build_log"
  fi
  [[ -n $ACMECTL ]] || ACMECTL=$BUILD_DIR/acmectl
  MAKE_STORE=$BUILD_DIR/bench/make_store
  LIBRARY_FLOOR=$BUILD_DIR/bench/library_floor
}

cleanup() {
  stop_pebble "${PEBBLE_STATE:-}"
  if [[ $KEEP -eq 1 ]]; then
    say "work directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
}

run_all_scenarios() {
  local challenge tag account
  for challenge in http-01 tls-alpn-01 dns-01; do
    tag=${challenge//-/}
    for account in new existing; do
      run_scenario "$tag-$account" "1 name, ${challenge^^}, $account account" "$RUNS_SINGLE" \
        "$account" issue_single "$challenge"
    done
  done
  run_scenario names50 "one certificate for 50 names (HTTP-01)" "$RUNS_MULTI" existing \
    issue_many_names http-01 50
  run_scenario row50 "50 certificates in a row (HTTP-01)" "$RUNS_MULTI" existing \
    issue_in_a_row http-01 50
  if [[ $BIG -eq 1 ]]; then
    run_scenario row1000 "1,000 certificates in a row (HTTP-01)" 1 existing \
      issue_in_a_row http-01 1000
  fi
  run_batch_scenario batch50 50 4 "$RUNS_MULTI"
  if [[ $BIG -eq 1 ]]; then
    run_batch_scenario batch1000 1000 8 1
  fi
  run_store_scenarios 20 "$RUNS_LIST"
  run_store_scenarios 10000 "$RUNS_LIST"
  run_version_scenario "$RUNS_VERSION"
  run_floor_scenario "$RUNS_LIST"
}

main() {
  parse_options "$@"
  set_run_counts
  install_packages
  choose_clients
  build_programs
  WORK=$(mktemp -d /tmp/acmecpp-bench.XXXXXX)
  trap cleanup EXIT
  SUMMARY=$WORK/summary.tsv NOTES=$WORK/notes.tsv LABELS=$WORK/labels.tsv
  RUN_LOG=$WORK/run.log RUN_TIME_FILE=$WORK/run.time
  : >"$SUMMARY"
  : >"$NOTES"
  : >"$LABELS"
  PEBBLE_STATE=$WORK/pebble
  LOAD_AT_START=$(load_average)
  start_pebble "$PEBBLE_STATE"
  say "Pebble at $PEBBLE_DIRECTORY_URL; clients: $CLIENTS; mode $MODE"
  run_all_scenarios
  write_report
}

main "$@"
