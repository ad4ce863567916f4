# SPDX-License-Identifier: Apache-2.0
# The reverse proxy of compose.yaml: Debian 12's nginx (1.22), from Debian's packages only.
FROM debian:12
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx \
 && rm -rf /var/lib/apt/lists/* \
 && rm -f /etc/nginx/sites-enabled/default \
 && ln -sf /dev/stdout /var/log/nginx/access.log \
 && ln -sf /dev/stderr /var/log/nginx/error.log
COPY nginx.conf /etc/nginx/conf.d/acme.conf
COPY https.conf /etc/nginx/templates-acme/https.conf
COPY nginx-certificates.sh /usr/local/bin/nginx-certificates
EXPOSE 80 443
CMD ["/usr/local/bin/nginx-certificates"]
