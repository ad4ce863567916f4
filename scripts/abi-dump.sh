#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Writes the ABI of the public API of a shared libacmecpp (abidw, Debian's abigail-tools): its
# functions in namespace acmecpp (tests/abi/acmecpp.suppr drops the rest) and the types of
# include/acmecpp/ they use. The one place these options live: the unit test
# test_exported_symbols.cpp compares a fresh dump of each build with tests/abi/libacmecpp.abi.
#
# Usage: scripts/abi-dump.sh LIBRARY [OUT]   OUT defaults to tests/abi/libacmecpp.abi (the baseline).
# Record a new baseline at a release (what it added is kept from then on) and with a new major
# version when the ABI had to break; LIBRARY is build/tests/shared/libacmecpp.so.* (built with
# unit_tests) or a shared build's libacmecpp.so.*.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: scripts/abi-dump.sh LIBRARY [OUT]" >&2
  exit 2
fi
library=$1
out=${2:-$root/tests/abi/libacmecpp.abi}
abidw --no-corpus-path --no-show-locs --drop-private-types --exported-interfaces-only \
  --suppressions "$root/tests/abi/acmecpp.suppr" --headers-dir "$root/include/acmecpp" \
  --out-file "$out" "$library"
# Without the build tree's paths, so that every tree and machine writes the same file.
sed -i -e "s| comp-dir-path='[^']*'||" -e "s|<abi-instr \\(.*\\) path='[^']*/lib/|<abi-instr \\1 path='lib/|" "$out"
