// SPDX-License-Identifier: Apache-2.0
#include "serve/sni_handshakes.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "acmecpp/error.hpp"
#include "challenge/tlsalpn01/alpn_selection.hpp"
#include "challenge/tlsalpn01/ssl_ptr.hpp"

namespace acmecpp::serve {
namespace {

TlsServerOptions checked(const TlsServerOptions& options) {
  if (!options.certificates) {
    throw Error(ErrorKind::invalid_input, "install_tls_server needs a CertificateCache");
  }
  if (static_cast<bool>(options.on_unknown_name_async) !=
      static_cast<bool>(options.on_handshake_ready)) {
    throw Error(ErrorKind::invalid_input,
                "install_tls_server: on_unknown_name_async and on_handshake_ready go together");
  }
  if (options.on_unknown_name_async && options.on_unknown_name) {
    throw Error(ErrorKind::invalid_input,
                "install_tls_server: set on_unknown_name or on_unknown_name_async, not both");
  }
  TlsServerOptions copy = options;
  copy.alpn_protocols =
      tlsalpn01::checked_server_protocols(options.alpn_protocols, "alpn_protocols");
  return copy;
}

/// Sets leaf, key and chain on the connection by reference counting. The stack itself is made per
/// handshake (OpenSSL keeps its own copy of a chain stack anyway); the certificates in it are only
/// up-referenced.
bool use_serving_certificate(SSL* ssl, const ServingCertificate& certificate) {
  tlsalpn01::X509StackPtr chain(
      sk_X509_new_reserve(nullptr, static_cast<int>(certificate.chain.size())));
  if (!chain) return false;
  for (const auto& intermediate : certificate.chain) {
    if (X509_up_ref(intermediate.get()) != 1) return false;
    if (sk_X509_push(chain.get(), intermediate.get()) <= 0) {
      X509_free(intermediate.get());
      return false;
    }
  }
  return tlsalpn01::use_only_certificate(ssl, certificate.leaf.get(), certificate.private_key.get(),
                                         chain.get());
}

int refuse(int* alert, int alert_code) {
  *alert = alert_code;
  return SSL_CLIENT_HELLO_ERROR;
}

// A connection whose handshake paused for an unknown name carries the address of this object in
// its ex_data, so that it pauses only once.
const char kPausedMark = 0;

int paused_mark_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

bool paused_before(const SSL* ssl) {
  const int index = paused_mark_index();
  return index >= 0 && SSL_get_ex_data(ssl, index) == &kPausedMark;
}

bool mark_paused(SSL* ssl) {
  const int index = paused_mark_index();
  return index >= 0 && SSL_set_ex_data(ssl, index, const_cast<char*>(&kPausedMark)) == 1;
}

}  // namespace

SniHandshakes::SniHandshakes(const TlsServerOptions& options) : options_(checked(options)) {}

std::shared_ptr<const ServingCertificate> SniHandshakes::certificate_for(
    const std::string& server_name) const {
  if (server_name.empty()) return nullptr;
  if (auto found = options_.certificates->find(server_name)) return found;
  return options_.on_unknown_name ? options_.on_unknown_name(server_name) : nullptr;
}

UnknownNameAnswer SniHandshakes::ask_async(SSL* ssl, const std::string& server_name) const {
  if (server_name.empty() || paused_before(ssl)) return {};
  // Marked before asking: `ready` may run on another thread before this returns.
  if (!mark_paused(ssl)) return {};
  auto ready = [resume = options_.on_handshake_ready, ssl] { resume(ssl); };
  return options_.on_unknown_name_async(server_name, std::move(ready));
}

int SniHandshakes::on_client_hello(SSL* ssl, const tlsalpn01::ClientHelloOffer& offer,
                                   int* alert) const {
  const std::string& server_name =
      offer.server_name.empty() ? options_.default_server_name : offer.server_name;
  auto certificate = certificate_for(server_name);
  if (!certificate && options_.on_unknown_name_async) {
    auto answer = ask_async(ssl, server_name);
    if (!answer.certificate && answer.pending) return SSL_CLIENT_HELLO_RETRY;
    certificate = std::move(answer.certificate);
  }
  if (certificate) {
    if (use_serving_certificate(ssl, *certificate)) return SSL_CLIENT_HELLO_SUCCESS;
    ERR_clear_error();
    return refuse(alert, SSL_AD_INTERNAL_ERROR);
  }
  // Nothing for this name: the context's own certificate if it was given one (a proxy's catch-all),
  // else the alert RFC 6066 section 3 names for it.
  if (SSL_get_certificate(ssl) != nullptr) return SSL_CLIENT_HELLO_SUCCESS;
  return refuse(alert, SSL_AD_UNRECOGNIZED_NAME);
}

int SniHandshakes::select_alpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen,
                               const unsigned char* in, unsigned int inlen) const {
  return tlsalpn01::select_preferred(options_.alpn_protocols, in, inlen, out, outlen);
}

}  // namespace acmecpp::serve
