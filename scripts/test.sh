#!/usr/bin/env bash
# Builds and runs every test. (Bootstrap version: the full one installs packages and adds the
# sanitizer build.)
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build
ctest --test-dir build --output-on-failure -j2
