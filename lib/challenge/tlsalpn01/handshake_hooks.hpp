#pragma once
// The OpenSSL callbacks behind TlsAlpn01Responder::install: a client-hello callback that swaps
// in the challenge certificate for validation handshakes, and an ALPN select callback that
// answers "acme-tls/1" for them and defers to the caller's choice for all others.

#include <memory>

#include <openssl/ssl.h>

#include "acmecpp/tlsalpn01.hpp"
#include "challenge/tlsalpn01/challenge_registry.hpp"

namespace acmecpp::tlsalpn01 {

/// Sets both callbacks on `context`, which from then on co-owns `registry` (the state is freed
/// with the context). Installing again replaces the behaviour; the earlier state is kept until
/// the context is freed, so handshakes already running with it stay safe.
void install_handshake_hooks(SSL_CTX* context, std::shared_ptr<const ChallengeRegistry> registry,
                             const TlsAlpn01InstallOptions& options);

/// True when the client-hello callback took `ssl` for a validation.
bool is_challenge_handshake(const SSL* ssl);

}  // namespace acmecpp::tlsalpn01
