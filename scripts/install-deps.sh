#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs every Debian package acmecpp needs to build and test. Idempotent and quick when all is
# there: dpkg-query decides, and apt is not touched unless something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-format
  libssl-dev libcurl4-openssl-dev nlohmann-json3-dev libcpp-httplib-dev libfmt-dev libcli11-dev
  doctest-dev libidn2-dev libldns-dev libyaml-cpp-dev
  # hiredis: the Redis store (RedisStore); redis-server: the tests start a real one on loopback
  libhiredis-dev redis-server
  bind9 bind9-dnsutils jq
  # libcurl.pc names these for a --static link (the packaging test links the consumer statically)
  libnghttp2-dev librtmp-dev libssh2-1-dev libpsl-dev libkrb5-dev libldap-dev libzstd-dev
  libunistring-dev
  # a static acmectl (cmake/StaticAcmectl.cmake) links Debian's libldap.a, which needs libsasl2.so
  libsasl2-dev
  pebble openssl curl
  # the API reference of the public headers (scripts/docs.sh; test.sh checks it builds cleanly)
  doxygen
  # abidw/abidiff: the ABI of the shared library against tests/abi/ (unit/test_exported_symbols.cpp)
  abigail-tools
  # libFuzzer and its sanitizer runtimes: the test command runs every fuzz target briefly
  clang
  # promtool checks the Prometheus text of `acmectl run --metrics-listen` in the tests
  prometheus
  # packaging (cmake/Packaging.cmake, tests/integration/test_service_packaging.cpp): help2man makes
  # acmectl(1) from its --help; man-db and groff render it in the test; systemd-analyze verifies
  # the units (systemd need not be running)
  help2man man-db groff-base systemd
  # nginx -t checks the configuration of the compose example's proxy (packaging/docker/)
  nginx
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install-deps.sh: installing ${missing[*]}" >&2
sudo_if_needed=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_if_needed=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
# Package lists may be missing (fresh container) or stale; refresh them only when a first
# install attempt fails, to stay fast on machines that already have usable lists.
if ! "${sudo_if_needed[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
  "${sudo_if_needed[@]}" apt-get update -qq
  "${sudo_if_needed[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
