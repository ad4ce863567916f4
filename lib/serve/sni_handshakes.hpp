// SPDX-License-Identifier: Apache-2.0
#pragma once
// What install_tls_server does with handshakes that are not TLS-ALPN-01 validations: serve the
// certificate the cache holds for the SNI name, and negotiate ALPN from the server's list.

#include <string>

#include "acmecpp/tls_server.hpp"
#include "challenge/tlsalpn01/handshake_hooks.hpp"

namespace acmecpp::serve {

class SniHandshakes : public tlsalpn01::NormalHandshakes {
 public:
  /// Keeps copies of the options (the context co-owns this object, hence them). Throws
  /// Error(invalid_input) for missing certificates or an invalid ALPN protocol name.
  explicit SniHandshakes(const TlsServerOptions& options);

  int on_client_hello(SSL* ssl, const tlsalpn01::ClientHelloOffer& offer,
                      int* alert) const override;
  int select_alpn(SSL* ssl, const unsigned char** out, unsigned char* outlen,
                  const unsigned char* in, unsigned int inlen) const override;

 private:
  std::shared_ptr<const ServingCertificate> certificate_for(const std::string& server_name) const;
  /// on_unknown_name_async for a handshake that has not paused before (else: nothing).
  UnknownNameAnswer ask_async(SSL* ssl, const std::string& server_name) const;

  TlsServerOptions options_;
};

}  // namespace acmecpp::serve
