// SPDX-License-Identifier: Apache-2.0
#pragma once
// One accepted connection of the standalone TLS-ALPN-01 server: the TLS server handshake and a
// polite close, nothing else (RFC 8737 section 3: the validator closes after the handshake).

#include <chrono>

#include <openssl/ssl.h>

#include "core/unique_fd.hpp"

namespace acmecpp::tlsalpn01 {

/// Runs the server handshake of `context` on the non-blocking `socket` until it completes,
/// fails (the context's callbacks send the alert), `deadline` passes or `stop_fd` becomes
/// readable; then closes. Never throws: a failed handshake is the client's business.
void serve_handshake(SSL_CTX* context, core::UniqueFd socket, int stop_fd,
                     std::chrono::steady_clock::time_point deadline) noexcept;

}  // namespace acmecpp::tlsalpn01
