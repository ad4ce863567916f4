// SPDX-License-Identifier: Apache-2.0
#include "challenge/tlsalpn01/fallback_handshakes.hpp"

#include <utility>

#include "challenge/tlsalpn01/alpn_selection.hpp"
#include "challenge/tlsalpn01/alpn_wire.hpp"
#include "challenge/tlsalpn01/challenge_registry.hpp"

namespace acmecpp::tlsalpn01 {

FallbackHandshakes::FallbackHandshakes(const TlsAlpn01InstallOptions& options)
    : fallback_protocols_(
          checked_server_protocols(options.fallback_protocols, "fallback ALPN protocols")),
      fallback_select_(options.fallback_select),
      challenges_only_(options.challenges_only) {}

int FallbackHandshakes::on_client_hello(SSL* /*ssl*/, const ClientHelloOffer& offer,
                                        int* alert) const {
  if (!challenges_only_) return SSL_CLIENT_HELLO_SUCCESS;  // the context's own certificate
  *alert =
      offers_acme_tls(offer.alpn_wire) ? SSL_AD_UNRECOGNIZED_NAME : SSL_AD_NO_APPLICATION_PROTOCOL;
  return SSL_CLIENT_HELLO_ERROR;
}

int FallbackHandshakes::select_alpn(SSL* ssl, const unsigned char** out, unsigned char* outlen,
                                    const unsigned char* in, unsigned int inlen) const {
  // Unreachable for a challenges-only context: its client-hello callback refused already.
  if (challenges_only_) return SSL_TLSEXT_ERR_ALERT_FATAL;
  if (fallback_select_) return fallback_select_(ssl, out, outlen, in, inlen);
  return select_preferred(fallback_protocols_, in, inlen, out, outlen);
}

ChallengeLookup challenges_in(std::shared_ptr<const ChallengeRegistry> registry) {
  return [registry = std::move(registry)](const ClientHelloOffer& offer) {
    return offers_acme_tls(offer.alpn_wire) ? registry->find(offer.server_name) : nullptr;
  };
}

}  // namespace acmecpp::tlsalpn01
