// SPDX-License-Identifier: Apache-2.0
#pragma once
// A stand-in for a reverse proxy's port-443 listener: an SSL_CTX with the proxy's own
// certificate and ALPN choice, with a TlsAlpn01Responder installed, serving handshakes on
// 127.0.0.1. It shows what TlsAlpn01Responder::install does to a context that was already set up.

#include <cstdint>
#include <memory>
#include <string>

#include "acmecpp/tlsalpn01.hpp"

namespace acmecpp::tlsalpn01 {
class HandshakeListener;
}

namespace acmecpp::testing {

class TlsTestProxy {
 public:
  /// The name on the proxy's own certificate.
  static constexpr const char* kProxyName = "proxy.example.test";

  /// Listens on 127.0.0.1:port (0: a free port). The proxy's certificate is RSA, so the
  /// challenge's ECDSA certificate has to replace it rather than sit next to it; its extra
  /// chain certificate must not follow the challenge certificate either. Normal handshakes
  /// negotiate "h2" or "http/1.1".
  explicit TlsTestProxy(const TlsAlpn01Responder& responder, std::uint16_t port = 0);
  ~TlsTestProxy();
  TlsTestProxy(const TlsTestProxy&) = delete;
  TlsTestProxy& operator=(const TlsTestProxy&) = delete;

  std::uint16_t port() const;
  /// PEM of the proxy's own certificate.
  const std::string& certificate_pem() const noexcept { return certificate_pem_; }

 private:
  std::string certificate_pem_;
  std::unique_ptr<tlsalpn01::HandshakeListener> listener_;
};

}  // namespace acmecpp::testing
