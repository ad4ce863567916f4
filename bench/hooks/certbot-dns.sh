#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# certbot's --manual-auth-hook / --manual-cleanup-hook for DNS-01: certbot passes the name and
# the TXT value in CERTBOT_DOMAIN and CERTBOT_VALIDATION; challtestsrv-txt.sh does the rest.
#
#   certbot-dns.sh present|cleanup
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
exec "$here/challtestsrv-txt.sh" "${1:?present or cleanup}" \
  "_acme-challenge.${CERTBOT_DOMAIN:?}." "${CERTBOT_VALIDATION:?}"
