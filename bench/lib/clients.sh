# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# How each client obtains one certificate: `client_issue CLIENT CHALLENGE DIR NAME...` runs the
# client once under `timed`, with its account and certificates kept in DIR (a fresh DIR means a
# new account). All of them talk to the benchmark's Pebble, answer challenges on 127.0.0.1 and
# make EC P-256 certificate keys.

BENCH_EMAIL=bench@example.com

# Why CLIENT cannot run CHALLENGE at all (printed), or status 1 when it can.
client_lacks() {
  local client=$1 challenge=$2
  if [[ $client == certbot && $challenge == tls-alpn-01 ]]; then
    echo "not supported (certbot has no TLS-ALPN-01 plugin)"
    return 0
  fi
  return 1
}

client_issue() {
  local client=$1
  shift
  "issue_with_$client" "$@"
}

# --- acmectl ------------------------------------------------------------------------------------

acmectl_challenge_args() {
  case $1 in
    http-01) echo "--http-address 127.0.0.1 --http-port $PEBBLE_HTTP_PORT" ;;
    tls-alpn-01) echo "--challenge tls-alpn-01 --tls-address 127.0.0.1 --tls-port $PEBBLE_TLS_PORT" ;;
    # The propagation check asks challtestsrv itself (it is the only "authoritative" server here),
    # like lego's single look-up through --dns.resolvers below.
    dns-01)
      echo "${BENCH_ACMECTL_DNS_ARGS:-"--challenge dns-01 --dns challtestsrv \
        --dns-option CHALLTESTSRV_URL=$CHALLTESTSRV_MANAGEMENT_URL \
        --dns-resolvers 127.0.0.1:$CHALLTESTSRV_DNS_PORT \
        --dns-authoritative 127.0.0.1:$CHALLTESTSRV_DNS_PORT"}"
      ;;
  esac
}

issue_with_acmectl() {
  local challenge=$1 dir=$2
  shift 2
  local -a challenge_args
  read -r -a challenge_args <<<"$(acmectl_challenge_args "$challenge")"
  timed "$ACMECTL" issue "$@" --server "$PEBBLE_DIRECTORY_URL" --ca-bundle "$PEBBLE_CA_BUNDLE" \
    --store "$dir/acme.json" --agree-tos --email "$BENCH_EMAIL" --account-key-type ec256 \
    --key-type ec256 "${challenge_args[@]}"
}

# acmectl refused the challenge's flags (usage error, unknown challenge or provider) rather than
# failing at the CA: the feature is not there yet. Reads the run's log.
acmectl_rejected_flags() {
  local status=$1
  [[ $status -eq 2 ]] ||
    grep -qE 'unknown challenge|unknown DNS provider|were not expected|not (yet )?supported' \
      "$RUN_LOG"
}

# --- lego ---------------------------------------------------------------------------------------

issue_with_lego() {
  local challenge=$1 dir=$2
  shift 2
  local -a args=(--server "$PEBBLE_DIRECTORY_URL" --email "$BENCH_EMAIL" --accept-tos
    --path "$dir" --key-type ec256)
  local name
  for name in "$@"; do args+=(--domains "$name"); done
  case $challenge in
    http-01) args+=(--http --http.port "127.0.0.1:$PEBBLE_HTTP_PORT") ;;
    tls-alpn-01) args+=(--tls --tls.port "127.0.0.1:$PEBBLE_TLS_PORT") ;;
    # --dns.disable-cp: one TXT look-up through the resolver instead of a search for the zone's
    # SOA and NS set, which challtestsrv does not serve. The polling interval is lowered from
    # lego's 2 s to its 1 s minimum, since lego sleeps one interval before its first look.
    dns-01)
      args+=(--dns exec --dns.resolvers "127.0.0.1:$CHALLTESTSRV_DNS_PORT" --dns.disable-cp)
      ;;
  esac
  LEGO_CA_CERTIFICATES=$PEBBLE_CA_BUNDLE EXEC_PATH="$BENCH_DIR/hooks/challtestsrv-txt.sh" \
    EXEC_POLLING_INTERVAL=1 EXEC_PROPAGATION_TIMEOUT=60 timed lego "${args[@]}" run
}

# --- certbot ------------------------------------------------------------------------------------

issue_with_certbot() {
  local challenge=$1 dir=$2
  shift 2
  local -a args=(certonly --non-interactive --agree-tos -m "$BENCH_EMAIL" --no-eff-email
    --server "$PEBBLE_DIRECTORY_URL" --config-dir "$dir/config" --work-dir "$dir/work"
    --logs-dir "$dir/logs" --key-type ecdsa --elliptic-curve secp256r1)
  local name
  for name in "$@"; do args+=(-d "$name"); done
  case $challenge in
    http-01)
      args+=(--standalone --preferred-challenges http --http-01-address 127.0.0.1
        --http-01-port "$PEBBLE_HTTP_PORT")
      ;;
    dns-01)
      args+=(--manual --preferred-challenges dns
        --manual-auth-hook "$BENCH_DIR/hooks/certbot-dns.sh present"
        --manual-cleanup-hook "$BENCH_DIR/hooks/certbot-dns.sh cleanup")
      ;;
  esac
  REQUESTS_CA_BUNDLE=$PEBBLE_CA_BUNDLE timed certbot "${args[@]}"
}
