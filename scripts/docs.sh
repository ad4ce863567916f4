#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Generates the HTML API reference of the public headers into build-docs/html/ (Debian package
# doxygen; installed here when missing and run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v doxygen >/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends doxygen
  else
    echo "docs.sh: doxygen is not installed (apt-get install doxygen)" >&2
    exit 1
  fi
fi
doxygen docs/Doxyfile
echo "API reference: $(pwd)/build-docs/html/index.html"
