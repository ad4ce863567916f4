#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Formats every C++ source the test command checks (scripts/test.sh runs clang-format --dry-run
# --Werror over the same files), in place.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/list-sources.sh
source scripts/list-sources.sh
mapfile -d '' files < <(list_sources)
if [[ ${#files[@]} -gt 0 ]]; then
  clang-format -i "${files[@]}"
fi
