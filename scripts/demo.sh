#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The demo: installs what is needed, builds acmectl, starts a local Pebble (Let's Encrypt's test
# CA), issues a real certificate through HTTP-01, lists it and verifies its chain with openssl.
# Everything runs on 127.0.0.1; state lives in ./demo/ (removed at the start of each run).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

bash scripts/install-deps.sh
cmake -S . -B build-demo -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACMECPP_BUILD_TESTS=OFF >/dev/null
cmake --build build-demo --target acmectl

demo="$top/demo"
if [ -d "$demo/pebble" ]; then bash pebble/stop.sh "$demo/pebble" || true; fi
rm -rf "$demo" && mkdir -p "$demo/pebble"
bash pebble/start.sh "$demo/pebble" >/dev/null
trap 'bash "$top/pebble/stop.sh" "$demo/pebble"' EXIT
# shellcheck disable=SC1091
source "$demo/pebble/env"

name=demo.example.test
echo "== acmectl issue $name (HTTP-01 on 127.0.0.1:$PEBBLE_HTTP_PORT, CA $PEBBLE_DIRECTORY_URL)"
./build-demo/acmectl issue "$name" www.$name \
  --server "$PEBBLE_DIRECTORY_URL" --ca-bundle "$PEBBLE_CA_BUNDLE" \
  --email demo@example.test --agree-tos --account-key-type ec256 \
  --store "$demo/acme.json" --http-address 127.0.0.1 --http-port "$PEBBLE_HTTP_PORT"

echo "== acmectl list"
./build-demo/acmectl list --store "$demo/acme.json"

echo "== openssl verify against Pebble's root"
jq -r '.letsencrypt.Certificates[0].certificate' "$demo/acme.json" | base64 -d > "$demo/fullchain.pem"
# The first block is the leaf; the rest are intermediates.
awk '/BEGIN CERT/{n++} n==1' "$demo/fullchain.pem" > "$demo/cert.pem"
awk '/BEGIN CERT/{n++} n>1' "$demo/fullchain.pem" > "$demo/chain.pem"
openssl verify -CAfile "$demo/pebble/root.pem" -untrusted "$demo/chain.pem" "$demo/cert.pem"
openssl x509 -in "$demo/cert.pem" -noout -subject -issuer -enddate -ext subjectAltName
echo "== demo done: the store is $demo/acme.json (mode $(stat -c %a "$demo/acme.json"))"
