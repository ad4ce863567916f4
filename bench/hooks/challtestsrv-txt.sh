#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Publishes or withdraws a DNS-01 TXT record through pebble-challtestsrv's management API, with
# lego's "exec" provider contract:
#
#   challtestsrv-txt.sh present _acme-challenge.example.test. VALUE
#   challtestsrv-txt.sh cleanup _acme-challenge.example.test. VALUE
#
# CHALLTESTSRV_MANAGEMENT_URL (from pebble/start.sh's env file) says where the API is. cleanup
# clears every value at the name: the benchmark never shares a name between two orders.
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 present|cleanup FQDN VALUE" >&2
  exit 2
fi
action=$1 fqdn=$2 value=$3
url=${CHALLTESTSRV_MANAGEMENT_URL:?CHALLTESTSRV_MANAGEMENT_URL must be set}
# challtestsrv keys its records by the absolute name.
[[ $fqdn == *. ]] || fqdn="$fqdn."

case $action in
  present) curl -sSf --max-time 5 -d "{\"host\":\"$fqdn\",\"value\":\"$value\"}" "$url/set-txt" ;;
  cleanup) curl -sSf --max-time 5 -d "{\"host\":\"$fqdn\"}" "$url/clear-txt" ;;
  *)
    echo "$0: unknown action '$action' (present or cleanup)" >&2
    exit 2
    ;;
esac
