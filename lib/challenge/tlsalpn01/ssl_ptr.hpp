// SPDX-License-Identifier: Apache-2.0
#pragma once
// RAII owners for the OpenSSL TLS handles TLS-ALPN-01 uses (the crypto layer's openssl_ptr.hpp
// covers libcrypto only).

#include <memory>

#include <openssl/ssl.h>

#include "crypto/openssl_ptr.hpp"

namespace acmecpp::tlsalpn01 {

using SslCtxPtr = core::CHandle<SSL_CTX, SSL_CTX_free>;
using SslPtr = core::CHandle<SSL, SSL_free>;

/// A stack of certificates owns its elements, so it is freed with pop_free (a macro).
struct X509StackDeleter {
  void operator()(STACK_OF(X509) * stack) const noexcept { sk_X509_pop_free(stack, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;

}  // namespace acmecpp::tlsalpn01
