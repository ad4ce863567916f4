#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The one test command (CI runs exactly this): installs the Debian packages, checks formatting,
# builds twice (RelWithDebInfo with -Werror; Debug with ASan+UBSan) and runs every test on both,
# then builds and runs the concurrency test under ThreadSanitizer, then runs every fuzz target
# briefly.
# Runs every step even after a failure, prints a summary and exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

jobs=${ACMECPP_TEST_JOBS:-2}
failures=()
started=$SECONDS

# step NAME COMMAND...: runs COMMAND, reports its duration, remembers a failure.
step() {
  local name=$1 begin=$SECONDS
  shift
  echo "=== $name"
  if "$@"; then
    echo "=== $name: ok ($((SECONDS - begin)) s)"
    return 0
  fi
  echo "=== $name: FAILED ($((SECONDS - begin)) s)"
  failures+=("$name")
  return 1
}

# shellcheck source=scripts/list-sources.sh
source scripts/list-sources.sh

format_check() {
  local files=()
  mapfile -d '' files < <(list_sources)
  [[ ${#files[@]} -gt 0 ]] || return 0
  clang-format --dry-run --Werror "${files[@]}" || {
    echo "formatting differs from .clang-format: run bash scripts/format.sh" >&2
    return 1
  }
}

# build_and_test DIR CMAKE_ARGS...: configure, build, run every test in parallel.
build_and_test() {
  local dir=$1
  shift
  step "configure $dir" cmake -S . -B "$dir" -G Ninja "$@" &&
    step "build $dir" cmake --build "$dir" &&
    step "test $dir" ctest --test-dir "$dir" --output-on-failure --no-tests=error -j "$jobs" \
      --timeout 600
}

step "install dependencies" bash scripts/install-deps.sh || {
  echo "cannot continue without the packages" >&2
  exit 1
}
step "clang-format check" format_check
step "licence headers (SPDX)" bash scripts/license-headers.sh --check
step "API reference (doxygen, warnings are errors)" bash scripts/docs.sh
build_and_test build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACMECPP_WERROR=ON -DACMECPP_BUILD_TESTS=ON
# Debug compiles faster than an optimised build, and the heavy lifting in the tests (OpenSSL,
# Pebble) happens outside the instrumented code anyway.
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
  build_and_test build-asan -DCMAKE_BUILD_TYPE=Debug -DACMECPP_WERROR=ON -DACMECPP_SANITIZE=ON -DACMECPP_BUILD_TESTS=ON

# ThreadSanitizer, for the serving layer's concurrency test only (tests/tsan): a tree of its own,
# since TSan cannot share a process with ASan, and only the one target, to keep the step short.
# tests/tsan/suppressions.txt says why each entry is there.
tsan_options="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan/suppressions.txt"
step "configure build-tsan" cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DACMECPP_WERROR=ON -DACMECPP_TSAN=ON -DACMECPP_BUILD_TESTS=ON &&
  step "build build-tsan (tsan_tests)" cmake --build build-tsan --target tsan_tests &&
  TSAN_OPTIONS=$tsan_options step "test build-tsan" ./build-tsan/tests/tsan_tests

# Every fuzz target briefly (10 s each) over its seed corpus, in build-fuzz/ (clang, libFuzzer,
# ASan+UBSan): the defects the seeds hold stay fixed, and the fuzz tree keeps building (it once
# broke unnoticed while it was left out of this command). About 2 minutes of runs plus the
# fuzz tree's build (~75 files); ACMECPP_TEST_FUZZ=0 leaves it out for a quicker local run.
# scripts/fuzz.sh makes the long runs.
# shellcheck source=scripts/fuzz-common.sh
source scripts/fuzz-common.sh
fuzz_short_run() {
  fuzz_build || return 1
  local target failed=0
  for target in $(fuzz_targets); do
    fuzz_run "$target" 10 || failed=1
  done
  return "$failed"
}
if [[ ${ACMECPP_TEST_FUZZ:-1} == 1 ]]; then
  step "fuzz targets, 10 s each (build-fuzz)" fuzz_short_run
fi

echo "=== total $((SECONDS - started)) s"
if [[ ${#failures[@]} -gt 0 ]]; then
  printf '=== FAILED: %s\n' "${failures[@]}"
  exit 1
fi
echo "=== all passed"
