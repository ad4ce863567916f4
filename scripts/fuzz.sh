#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs one libFuzzer target for a long while (issue 14 asks 10 million runs or an hour each):
#   scripts/fuzz.sh TARGET SECONDS [LIBFUZZER_ARGS...]   e.g. scripts/fuzz.sh fuzz_acme_json 3600
#   scripts/fuzz.sh --list                               the targets
# Builds build-fuzz/ first (clang, libFuzzer, ASan+UBSan; see tests/fuzz/CMakeLists.txt). New
# inputs go to build-fuzz/corpus/TARGET; a finding is saved in build-fuzz/findings/TARGET/: fix
# it, and keep the input as a seed in tests/fuzz/corpus/TARGET/ so that it stays fixed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/fuzz-common.sh
source scripts/fuzz-common.sh

if [[ ${1:-} == --list ]]; then
  fuzz_targets
  exit 0
fi
if [[ $# -lt 2 ]]; then
  echo "usage: scripts/fuzz.sh TARGET SECONDS [LIBFUZZER_ARGS...] (targets: scripts/fuzz.sh --list)" >&2
  exit 2
fi
fuzz_build || exit 1
fuzz_run "$@"
