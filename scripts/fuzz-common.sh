# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# The fuzz tree (tests/fuzz): building it and running one target. Sourced by fuzz.sh and test.sh.
# Needs clang (Debian's clang package ships libFuzzer and the sanitizer runtimes).

FUZZ_DIR=${ACMECPP_FUZZ_DIR:-build-fuzz}

# fuzz_build: configures and builds every target in $FUZZ_DIR (clang, libFuzzer, ASan+UBSan).
fuzz_build() {
  if ! command -v clang++ >/dev/null; then
    echo "fuzzing needs clang++ (apt-get install clang)" >&2
    return 1
  fi
  cmake -S . -B "$FUZZ_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DACMECPP_FUZZ=ON -DACMECPP_BUILD_TESTS=OFF -DACMECPP_BUILD_EXAMPLES=OFF >/dev/null &&
    cmake --build "$FUZZ_DIR" --target fuzz_targets
}

# fuzz_targets: the names of the targets, one a line (tests/fuzz/fuzz_*.cpp).
fuzz_targets() {
  local source
  for source in tests/fuzz/fuzz_*.cpp; do
    basename "$source" .cpp
  done
}

# fuzz_run TARGET SECONDS [LIBFUZZER_ARGS...]: runs TARGET for SECONDS over its seed corpus
# (tests/fuzz/corpus/TARGET, only read) and the inputs earlier runs found ($FUZZ_DIR/corpus/TARGET,
# where new ones go). A finding is saved in $FUZZ_DIR/findings/TARGET/ and fails the run; the last
# line says how many inputs were run.
fuzz_run() {
  local target=$1 seconds=$2
  shift 2
  local binary=$FUZZ_DIR/tests/fuzz/$target found=$FUZZ_DIR/corpus/$target
  local findings=$FUZZ_DIR/findings/$target log
  [[ -x $binary ]] || {
    echo "no fuzz target $binary (fuzz_build first)" >&2
    return 1
  }
  mkdir -p "$found" "$findings"
  log=$(mktemp)
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
    "$binary" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$findings/" \
    "$@" "$found" "tests/fuzz/corpus/$target" >"$log" 2>&1
  local status=$?
  local runs
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [[ $status -ne 0 ]]; then
    tail -n 60 "$log" >&2
    echo "$target: FINDING after ${runs:-?} runs (input saved in $findings/)" >&2
  else
    echo "$target: ${runs:-?} runs in $seconds s, no finding"
  fi
  rm -f "$log"
  return "$status"
}
