# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# list_sources: every C++ source of the project, NUL-separated. Git's view (tracked plus new, not
# ignored) in a checkout, a plain find otherwise. Sourced by test.sh and format.sh.
list_sources() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard -- \
      'include/*.hpp' 'include/*.cpp' 'lib/*.hpp' 'lib/*.cpp' 'cli/*.hpp' 'cli/*.cpp' \
      'tests/*.hpp' 'tests/*.cpp' 'bench/*.hpp' 'bench/*.cpp' 'examples/*.cpp'
  else
    find include lib cli tests bench examples -type f \( -name '*.hpp' -o -name '*.cpp' \) -print0
  fi
}
