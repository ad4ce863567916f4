#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The command of compose.yaml's nginx: starts nginx, switches the HTTPS server on once acmectl
# has exported the certificate, and reloads nginx whenever an exported certificate changes
# (nginx reads certificate files at start and at a reload only). The exports are root-readable
# (mode 0600, owned by acmectl's uid): nginx's master process runs as root and reads them.
set -eu

certs=/certs
https_template=/etc/nginx/templates-acme/https.conf
https_conf=/etc/nginx/conf.d/https.conf

# The exported certificate files, with their change times: a different line is a new export.
exports() {
  find "$certs" -name fullchain.pem -exec stat -c '%n %Y' {} + 2>/dev/null | sort
}

https_on_if_exported() {
  if [ -f "$certs/example.com/fullchain.pem" ] && [ -f "$certs/example.com/privkey.pem" ]; then
    cp "$https_template" "$https_conf"
  fi
}

https_on_if_exported
nginx -g 'daemon off;' &
nginx_pid=$!
trap 'kill -TERM "$nginx_pid"; wait "$nginx_pid"; exit 0' TERM INT

seen=$(exports)
while kill -0 "$nginx_pid" 2>/dev/null; do
  sleep 60 &
  wait $! || true
  now=$(exports)
  if [ "$now" != "$seen" ]; then
    https_on_if_exported
    nginx -s reload
    seen=$now
  fi
done
wait "$nginx_pid"
