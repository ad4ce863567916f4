#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Makes the TLS material Pebble serves its HTTPS endpoints with. Debian's pebble package ships no
# test certificates, so every test run mints its own small CA and a server certificate for
# localhost / 127.0.0.1 signed by it. Clients trust DIR/ca.pem (their --ca-bundle).
#
# Usage: make-cert.sh DIR
# Writes DIR/ca.pem, DIR/ca.key (mode 0600), DIR/cert.pem, DIR/key.pem (mode 0600).
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1
mkdir -p "$dir"

# openssl chatters on stderr even when it succeeds; show its output only when it fails.
run_quietly() {
  local output
  if ! output=$("$@" 2>&1); then
    echo "make-cert.sh: failed: $*" >&2
    echo "$output" >&2
    return 1
  fi
}

# Keys are created under a restrictive umask so they are never readable by others, not even briefly.
old_umask=$(umask)
umask 077
run_quietly openssl ecparam -name prime256v1 -genkey -noout -out "$dir/ca.key"
run_quietly openssl ecparam -name prime256v1 -genkey -noout -out "$dir/key.pem"
umask "$old_umask"
chmod 600 "$dir/ca.key" "$dir/key.pem"

run_quietly openssl req -x509 -new -key "$dir/ca.key" -sha256 -days 30 \
  -subj "/CN=acmecpp test CA for Pebble" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out "$dir/ca.pem"

# openssl x509 -req does not copy extensions from the CSR, so they come from a small extfile.
extfile="$dir/server-ext.cnf"
cat >"$extfile" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EXT
run_quietly openssl req -new -key "$dir/key.pem" -subj "/CN=localhost" -out "$dir/server.csr"
run_quietly openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
  -CAcreateserial -sha256 -days 30 -extfile "$extfile" -out "$dir/cert.pem"
rm -f "$dir/server.csr" "$extfile" "$dir/ca.srl"
