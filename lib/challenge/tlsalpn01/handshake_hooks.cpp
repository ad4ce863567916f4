#include "challenge/tlsalpn01/handshake_hooks.hpp"

#include <openssl/err.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "acmecpp/error.hpp"
#include "challenge/tlsalpn01/alpn_wire.hpp"
#include "challenge/tlsalpn01/client_hello.hpp"
#include "challenge/tlsalpn01/ssl_ptr.hpp"
#include "crypto/openssl_ptr.hpp"

namespace acmecpp::tlsalpn01 {
namespace {

/// What install() hands to the SSL_CTX: the callbacks' argument.
struct Hooks {
  std::shared_ptr<const ChallengeRegistry> registry;
  std::vector<std::string> fallback_protocols;
  AlpnSelectFunction fallback_select;
  bool challenges_only = false;
  std::unique_ptr<Hooks> replaced;  // an earlier install() on the same context
};

/// Called by OpenSSL when the context is freed: takes back what install() gave it.
void free_hooks(void* /*context*/, void* hooks, CRYPTO_EX_DATA* /*data*/, int /*index*/,
                long /*argl*/, void* /*argp*/) {
  std::unique_ptr<Hooks> owned(static_cast<Hooks*>(hooks));
}

int hooks_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_hooks);
  if (index < 0) crypto::throw_openssl_error("cannot reserve SSL_CTX data for TLS-ALPN-01");
  return index;
}

// A connection taken for a validation carries the address of this object in its ex_data.
const char kChallengeMark = 0;

int challenge_mark_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

bool mark_challenge(SSL* ssl, bool is_challenge) {
  const int index = challenge_mark_index();
  return index >= 0 &&
         SSL_set_ex_data(ssl, index, is_challenge ? const_cast<char*>(&kChallengeMark) : nullptr) ==
             1;
}

/// Makes `certificate` the only certificate the connection can present. The context's own
/// certificates (e.g. an RSA one next to our ECDSA one) must go: OpenSSL would otherwise pick
/// between them by the client's signature algorithms. The empty chain keeps the context's extra
/// chain certificates out of the handshake.
bool use_only(SSL* ssl, const TlsAlpn01Certificate& certificate) {
  SSL_certs_clear(ssl);
  X509StackPtr no_chain(sk_X509_new_null());
  return no_chain && SSL_use_certificate(ssl, certificate.certificate.get()) == 1 &&
         SSL_use_PrivateKey(ssl, certificate.private_key.get()) == 1 &&
         SSL_set1_chain(ssl, no_chain.get()) == 1;
}

int refuse(int* alert, int alert_code) {
  *alert = alert_code;
  return SSL_CLIENT_HELLO_ERROR;
}

int decide_on_client_hello(SSL* ssl, int* alert, const Hooks& hooks) {
  const ClientHelloOffer offer = read_client_hello(ssl);
  const bool wants_acme = offers_acme_tls(offer.alpn_wire);
  const auto certificate = wants_acme ? hooks.registry->find(offer.server_name) : nullptr;
  if (certificate) {
    if (!use_only(ssl, *certificate) || !mark_challenge(ssl, true)) {
      ERR_clear_error();
      return refuse(alert, SSL_AD_INTERNAL_ERROR);
    }
    // The validator closes right after the handshake; a ticket would only be written to a
    // closing socket (and could resume a session holding the challenge certificate).
    SSL_set_num_tickets(ssl, 0);
    return SSL_CLIENT_HELLO_SUCCESS;
  }
  // A second ClientHello (after a HelloRetryRequest) is judged afresh.
  if (!mark_challenge(ssl, false)) return refuse(alert, SSL_AD_INTERNAL_ERROR);
  if (!hooks.challenges_only) return SSL_CLIENT_HELLO_SUCCESS;
  return refuse(alert, wants_acme ? SSL_AD_UNRECOGNIZED_NAME : SSL_AD_NO_APPLICATION_PROTOCOL);
}

int on_client_hello(SSL* ssl, int* alert, void* hooks) {
  try {
    return decide_on_client_hello(ssl, alert, *static_cast<const Hooks*>(hooks));
  } catch (...) {
    // A C callback must not let exceptions through (only allocation can throw here).
    return refuse(alert, SSL_AD_INTERNAL_ERROR);
  }
}

/// Points *out at `protocol` inside the client's list `in`; false when the client did not offer
/// it. OpenSSL copies the selection before `in` goes away.
bool select_offered(std::string_view protocol, const unsigned char* in, unsigned int inlen,
                    const unsigned char** out, unsigned char* outlen) {
  const auto offered = parse_alpn_wire(wire_view(in, inlen));
  if (!offered) return false;
  const auto found = std::find(offered->begin(), offered->end(), protocol);
  if (found == offered->end()) return false;
  *out = reinterpret_cast<const unsigned char*>(found->data());
  *outlen = static_cast<unsigned char>(found->size());
  return true;
}

int select_for_normal_handshake(SSL* ssl, const unsigned char** out, unsigned char* outlen,
                                const unsigned char* in, unsigned int inlen, const Hooks& hooks) {
  // Unreachable for a challenges-only context: its client-hello callback refused already.
  if (hooks.challenges_only) return SSL_TLSEXT_ERR_ALERT_FATAL;
  if (hooks.fallback_select) return hooks.fallback_select(ssl, out, outlen, in, inlen);
  for (const auto& protocol : hooks.fallback_protocols) {
    if (select_offered(protocol, in, inlen, out, outlen)) return SSL_TLSEXT_ERR_OK;
  }
  // Like most servers: no protocol in common is no ALPN, not a failed handshake.
  return SSL_TLSEXT_ERR_NOACK;
}

int on_alpn_select(SSL* ssl, const unsigned char** out, unsigned char* outlen,
                   const unsigned char* in, unsigned int inlen, void* hooks) {
  try {
    if (is_challenge_handshake(ssl)) {
      return select_offered(kAcmeTlsAlpnProtocol, in, inlen, out, outlen)
                 ? SSL_TLSEXT_ERR_OK
                 : SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    return select_for_normal_handshake(ssl, out, outlen, in, inlen,
                                       *static_cast<const Hooks*>(hooks));
  } catch (...) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;  // from the caller's fallback_select, or allocation
  }
}

std::vector<std::string> checked_fallback_protocols(const TlsAlpn01InstallOptions& options) {
  encode_alpn_wire(options.fallback_protocols);  // throws for empty or over-long names
  for (const auto& protocol : options.fallback_protocols) {
    if (protocol == kAcmeTlsAlpnProtocol) {
      throw Error(ErrorKind::invalid_input,
                  "\"acme-tls/1\" cannot be a fallback ALPN protocol: it is only for validations");
    }
  }
  return options.fallback_protocols;
}

}  // namespace

void install_handshake_hooks(SSL_CTX* context, std::shared_ptr<const ChallengeRegistry> registry,
                             const TlsAlpn01InstallOptions& options) {
  if (context == nullptr) {
    throw Error(ErrorKind::invalid_input, "TLS-ALPN-01 install() needs an SSL_CTX, got null");
  }
  auto hooks = std::make_unique<Hooks>();
  hooks->registry = std::move(registry);
  hooks->fallback_protocols = checked_fallback_protocols(options);
  hooks->fallback_select = options.fallback_select;
  hooks->challenges_only = options.challenges_only;

  const int index = hooks_index();
  if (challenge_mark_index() < 0) {
    crypto::throw_openssl_error("cannot reserve SSL data for TLS-ALPN-01");
  }
  auto* previous = static_cast<Hooks*>(SSL_CTX_get_ex_data(context, index));
  if (SSL_CTX_set_ex_data(context, index, hooks.get()) != 1) {
    crypto::throw_openssl_error("cannot attach TLS-ALPN-01 state to the SSL_CTX");
  }
  hooks->replaced.reset(previous);
  Hooks* installed = hooks.release();  // owned by the context now: free_hooks deletes it
  SSL_CTX_set_client_hello_cb(context, on_client_hello, installed);
  SSL_CTX_set_alpn_select_cb(context, on_alpn_select, installed);
}

bool is_challenge_handshake(const SSL* ssl) {
  const int index = challenge_mark_index();
  return ssl != nullptr && index >= 0 && SSL_get_ex_data(ssl, index) == &kChallengeMark;
}

}  // namespace acmecpp::tlsalpn01
