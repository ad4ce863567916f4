// SPDX-License-Identifier: Apache-2.0
#include "support/tls_test_proxy.hpp"

#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <chrono>

#include "acmecpp/error.hpp"
#include "acmecpp/key.hpp"
#include "challenge/tlsalpn01/handshake_listener.hpp"
#include "challenge/tlsalpn01/ssl_ptr.hpp"
#include "crypto/openssl_ptr.hpp"
#include "crypto/self_signed.hpp"

namespace acmecpp::testing {
namespace {

crypto::X509Ptr read_pem_certificate(const std::string& pem) {
  crypto::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  crypto::X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!certificate) throw Error(ErrorKind::crypto, "test proxy: unreadable certificate PEM");
  return certificate;
}

std::string self_signed_pem(const PrivateKey& key, const std::string& name, bool is_ca) {
  crypto::CertificateOptions options;
  options.dns_names = {name};
  options.not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
  options.not_after = options.not_before + std::chrono::hours(48);
  options.is_ca = is_ca;
  return crypto::make_certificate_pem(key, options);
}

tlsalpn01::SslCtxPtr make_proxy_context(const PrivateKey& key, const std::string& certificate_pem) {
  tlsalpn01::SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
  if (!context) throw Error(ErrorKind::crypto, "test proxy: SSL_CTX_new failed");
  crypto::X509Ptr certificate = read_pem_certificate(certificate_pem);
  // An unrelated CA certificate as "chain", the way proxies add their intermediates.
  const PrivateKey chain_key = PrivateKey::generate(KeyType::ec256);
  crypto::X509Ptr chain =
      read_pem_certificate(self_signed_pem(chain_key, "chain.example.test", true));
  if (SSL_CTX_use_certificate(context.get(), certificate.get()) != 1 ||
      SSL_CTX_use_PrivateKey(context.get(), key.native()) != 1 ||
      SSL_CTX_add_extra_chain_cert(context.get(), chain.get()) != 1) {
    throw Error(ErrorKind::crypto, "test proxy: cannot set its certificate");
  }
  chain.release();  // SSL_CTX_add_extra_chain_cert took ownership
  return context;
}

}  // namespace

TlsTestProxy::TlsTestProxy(const TlsAlpn01Responder& responder, std::uint16_t port) {
  const PrivateKey key = PrivateKey::generate(KeyType::rsa2048);
  certificate_pem_ = self_signed_pem(key, kProxyName, false);
  tlsalpn01::SslCtxPtr context = make_proxy_context(key, certificate_pem_);
  TlsAlpn01InstallOptions options;
  options.fallback_protocols = {"h2", "http/1.1"};
  responder.install(context.get(), options);
  listener_ = std::make_unique<tlsalpn01::HandshakeListener>("127.0.0.1", port, std::move(context));
}

TlsTestProxy::~TlsTestProxy() = default;

std::uint16_t TlsTestProxy::port() const {
  return listener_->port();
}

}  // namespace acmecpp::testing
