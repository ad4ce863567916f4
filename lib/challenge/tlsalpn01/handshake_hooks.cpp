// SPDX-License-Identifier: Apache-2.0
#include "challenge/tlsalpn01/handshake_hooks.hpp"

#include <openssl/err.h>

#include <utility>

#include "acmecpp/error.hpp"
#include "challenge/tlsalpn01/alpn_selection.hpp"
#include "challenge/tlsalpn01/ssl_ptr.hpp"
#include "crypto/openssl_ptr.hpp"

namespace acmecpp::tlsalpn01 {
namespace {

/// What install_handshake_hooks() hands to the SSL_CTX: the callbacks' argument.
struct Hooks {
  ChallengeLookup challenges;
  std::shared_ptr<const NormalHandshakes> normal;
  std::unique_ptr<Hooks> replaced;  // an earlier install on the same context
};

/// Called by OpenSSL when the context is freed: takes back what install gave it.
void free_hooks(void* /*context*/, void* hooks, CRYPTO_EX_DATA* /*data*/, int /*index*/,
                long /*argl*/, void* /*argp*/) {
  std::unique_ptr<Hooks> owned(static_cast<Hooks*>(hooks));
}

int hooks_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_hooks);
  if (index < 0) crypto::throw_openssl_error("cannot reserve SSL_CTX data for acmecpp's hooks");
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

int refuse(int* alert, int alert_code) {
  *alert = alert_code;
  return SSL_CLIENT_HELLO_ERROR;
}

int answer_validation(SSL* ssl, int* alert, const TlsAlpn01Certificate& certificate) {
  X509StackPtr no_chain(sk_X509_new_null());
  if (!no_chain ||
      !use_only_certificate(ssl, certificate.certificate.get(), certificate.private_key.get(),
                            no_chain.get()) ||
      !mark_challenge(ssl, true)) {
    ERR_clear_error();
    return refuse(alert, SSL_AD_INTERNAL_ERROR);
  }
  // The validator closes right after the handshake; a ticket would only be written to a closing
  // socket (and could resume a session holding the challenge certificate).
  SSL_set_num_tickets(ssl, 0);
  return SSL_CLIENT_HELLO_SUCCESS;
}

int decide_on_client_hello(SSL* ssl, int* alert, const Hooks& hooks) {
  const ClientHelloOffer offer = read_client_hello(ssl);
  const auto certificate = hooks.challenges ? hooks.challenges(offer) : nullptr;
  if (certificate) return answer_validation(ssl, alert, *certificate);
  // A second ClientHello (after a HelloRetryRequest) is judged afresh.
  if (!mark_challenge(ssl, false)) return refuse(alert, SSL_AD_INTERNAL_ERROR);
  return hooks.normal->on_client_hello(ssl, offer, alert);
}

int on_client_hello(SSL* ssl, int* alert, void* hooks) {
  try {
    return decide_on_client_hello(ssl, alert, *static_cast<const Hooks*>(hooks));
  } catch (...) {
    // A C callback must not let exceptions through (the policy's, or allocation).
    ERR_clear_error();
    return refuse(alert, SSL_AD_INTERNAL_ERROR);
  }
}

int on_alpn_select(SSL* ssl, const unsigned char** out, unsigned char* outlen,
                   const unsigned char* in, unsigned int inlen, void* hooks) {
  try {
    if (is_challenge_handshake(ssl)) {
      return select_offered(kAcmeTlsAlpnProtocol, in, inlen, out, outlen)
                 ? SSL_TLSEXT_ERR_OK
                 : SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    return static_cast<const Hooks*>(hooks)->normal->select_alpn(ssl, out, outlen, in, inlen);
  } catch (...) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;  // from the policy (a caller's function),
                                        // or allocation
  }
}

}  // namespace

void install_handshake_hooks(SSL_CTX* context, ChallengeLookup challenges,
                             std::shared_ptr<const NormalHandshakes> normal) {
  if (context == nullptr) {
    throw Error(ErrorKind::invalid_input,
                "installing TLS handshake hooks needs an SSL_CTX, got null");
  }
  if (!normal) throw Error(ErrorKind::invalid_input, "TLS handshake hooks need a policy");
  auto hooks = std::make_unique<Hooks>();
  hooks->challenges = std::move(challenges);
  hooks->normal = std::move(normal);

  const int index = hooks_index();
  if (challenge_mark_index() < 0) {
    crypto::throw_openssl_error("cannot reserve SSL data for TLS-ALPN-01");
  }
  auto* previous = static_cast<Hooks*>(SSL_CTX_get_ex_data(context, index));
  if (SSL_CTX_set_ex_data(context, index, hooks.get()) != 1) {
    crypto::throw_openssl_error("cannot attach acmecpp's handshake state to the SSL_CTX");
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

bool use_only_certificate(SSL* ssl, X509* certificate, EVP_PKEY* key, STACK_OF(X509) * chain) {
  SSL_certs_clear(ssl);
  // override = 1: replace whatever the connection holds for this key type. The chain's certificates
  // are up-referenced, not copied; a non-null (even empty) chain also keeps the context's extra
  // chain certificates out of the handshake.
  return SSL_use_cert_and_key(ssl, certificate, key, chain, 1) == 1;
}

}  // namespace acmecpp::tlsalpn01
