// SPDX-License-Identifier: Apache-2.0
#pragma once
// The one pair of OpenSSL callbacks an SSL_CTX gets from acmecpp, whoever installs them
// (TlsAlpn01Responder::install, install_tls_server): a client-hello callback that swaps in the
// challenge certificate for TLS-ALPN-01 validations, and an ALPN select callback that answers
// "acme-tls/1" for them. Every other handshake is handed to a NormalHandshakes policy.

#include <functional>
#include <memory>

#include <openssl/ssl.h>

#include "acmecpp/tlsalpn01.hpp"
#include "challenge/tlsalpn01/client_hello.hpp"

namespace acmecpp::tlsalpn01 {

/// The challenge certificate for a ClientHello, or nullptr when it is not a validation (it does not
/// offer "acme-tls/1", or its SNI has no challenge). Called on handshake threads.
using ChallengeLookup =
    std::function<std::shared_ptr<const TlsAlpn01Certificate>(const ClientHelloOffer& offer)>;

/// What a context does with the handshakes that are not validations. Called on handshake threads,
/// so implementations must be thread-safe; they may throw (the handshake then fails with an
/// internal_error alert).
class NormalHandshakes {
 public:
  virtual ~NormalHandshakes() = default;
  /// From the client-hello callback: sets up the connection (e.g. its certificate) and returns
  /// SSL_CLIENT_HELLO_SUCCESS, or sets *alert and returns SSL_CLIENT_HELLO_ERROR.
  virtual int on_client_hello(SSL* ssl, const ClientHelloOffer& offer, int* alert) const = 0;
  /// From the ALPN select callback, with its arguments and results (see AlpnSelectFunction).
  virtual int select_alpn(SSL* ssl, const unsigned char** out, unsigned char* outlen,
                          const unsigned char* in, unsigned int inlen) const = 0;
};

/// Sets both callbacks on `context`, which from then on co-owns `challenges` and `normal` (freed
/// with the context). An empty `challenges` answers no validations. Installing again replaces the
/// behaviour; the earlier state is kept until the context is freed, so handshakes already running
/// with it stay safe. Throws Error(invalid_input) for a null context or policy.
void install_handshake_hooks(SSL_CTX* context, ChallengeLookup challenges,
                             std::shared_ptr<const NormalHandshakes> normal);

/// True when the client-hello callback took `ssl` for a validation.
bool is_challenge_handshake(const SSL* ssl);

/// Makes `certificate`, `key` and `chain` (intermediates; may be empty) the only certificate the
/// connection can present, by reference counting. The context's own certificates (e.g. an RSA one
/// next to an ECDSA one) must go: OpenSSL would otherwise pick between them by the client's
/// signature algorithms; and its extra chain certificates must not follow. False when OpenSSL
/// refuses (its error queue says why).
bool use_only_certificate(SSL* ssl, X509* certificate, EVP_PKEY* key, STACK_OF(X509) * chain);

}  // namespace acmecpp::tlsalpn01
