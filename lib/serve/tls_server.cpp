// SPDX-License-Identifier: Apache-2.0
#include "acmecpp/tls_server.hpp"

#include <utility>

#include "challenge/tlsalpn01/client_hello.hpp"
#include "challenge/tlsalpn01/handshake_hooks.hpp"
#include "serve/sni_handshakes.hpp"

namespace acmecpp {
namespace {

/// The responder's validations, through its public lookup; the lookup co-owns the responder so the
/// context can outlive the caller's copy.
tlsalpn01::ChallengeLookup challenges_of(std::shared_ptr<const TlsAlpn01Responder> responder) {
  if (!responder) return {};
  return [responder = std::move(responder)](const tlsalpn01::ClientHelloOffer& offer) {
    const auto* wire = reinterpret_cast<const unsigned char*>(offer.alpn_wire.data());
    return responder->challenge_for(offer.server_name, wire, offer.alpn_wire.size());
  };
}

}  // namespace

void install_tls_server(SSL_CTX* context, const TlsServerOptions& options) {
  auto normal = std::make_shared<const serve::SniHandshakes>(options);  // checks the options
  tlsalpn01::install_handshake_hooks(context, challenges_of(options.challenges), std::move(normal));
}

}  // namespace acmecpp
