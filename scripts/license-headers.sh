#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every source file of the project names its licence in an SPDX line near its top (LICENSE holds
# the text). Code, build files and scripts; not data (fixtures, fuzz seeds, PEM files, JSON
# templates: JSON has no comments) nor docs.
#   scripts/license-headers.sh          adds the line where it is missing
#   scripts/license-headers.sh --check  lists the files without it and fails (test.sh runs this)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

readonly tag="SPDX-License-Identifier: Apache-2.0"

# The files, NUL-separated: git's view (tracked plus new, not ignored).
licensed_files() {
  git ls-files -z --cached --others --exclude-standard -- \
    '*.cpp' '*.hpp' '*.h' '*.cmake' '*CMakeLists.txt' '*.sh' '*.in' '.ci/run' \
    ':!:tests/fuzz/corpus/*' ':!:fixtures/*' ':!:*.json.in'
}

has_tag() { head -n 5 "$1" | grep -q "$tag"; }

comment_for() {
  case $1 in
    *.cpp | *.hpp | *.h | *.hpp.in) echo "// $tag" ;;
    *) echo "# $tag" ;;
  esac
}

# add FILE: the line goes first, or second after a #! line.
add() {
  local file=$1 line tmp
  line=$(comment_for "$file")
  tmp=$(mktemp) || return 1
  if head -n 1 "$file" | grep -q '^#!'; then
    { head -n 1 "$file" && echo "$line" && tail -n +2 "$file"; } >"$tmp"
  else
    { echo "$line" && cat "$file"; } >"$tmp"
  fi
  # Keep the file's mode (scripts stay executable).
  cat "$tmp" >"$file" && rm -f "$tmp"
}

missing=()
while IFS= read -r -d '' file; do
  [[ -f $file ]] || continue
  has_tag "$file" || missing+=("$file")
done < <(licensed_files)

if [[ ${1:-} == --check ]]; then
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "no \"$tag\" line near the top:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    echo "run bash scripts/license-headers.sh to add it" >&2
    exit 1
  fi
  exit 0
fi
for file in "${missing[@]}"; do
  add "$file"
done
echo "added the SPDX line to ${#missing[@]} files"
