// SPDX-License-Identifier: Apache-2.0
#pragma once
// What TlsAlpn01Responder::install does with handshakes that are not validations: leave the
// context's certificate alone and negotiate ALPN as TlsAlpn01InstallOptions say, or, for a
// challenges-only listener, refuse them.

#include "acmecpp/tlsalpn01.hpp"
#include "challenge/tlsalpn01/handshake_hooks.hpp"

namespace acmecpp::tlsalpn01 {

class ChallengeRegistry;

class FallbackHandshakes : public NormalHandshakes {
 public:
  /// Throws Error(invalid_input) for fallback protocols that are empty, longer than 255 bytes or
  /// "acme-tls/1".
  explicit FallbackHandshakes(const TlsAlpn01InstallOptions& options);

  int on_client_hello(SSL* ssl, const ClientHelloOffer& offer, int* alert) const override;
  int select_alpn(SSL* ssl, const unsigned char** out, unsigned char* outlen,
                  const unsigned char* in, unsigned int inlen) const override;

 private:
  std::vector<std::string> fallback_protocols_;
  AlpnSelectFunction fallback_select_;
  bool challenges_only_ = false;
};

/// The validations `registry` answers: a ClientHello offering "acme-tls/1" for a name with a
/// presented challenge. The lookup co-owns the registry.
ChallengeLookup challenges_in(std::shared_ptr<const ChallengeRegistry> registry);

}  // namespace acmecpp::tlsalpn01
