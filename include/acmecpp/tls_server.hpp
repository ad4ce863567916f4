// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// One call that makes a proxy's port-443 SSL_CTX serve managed certificates by SNI and answer
/// TLS-ALPN-01 validations on the same listener.
///
/// @code
/// auto cache = std::make_shared<acmecpp::CertificateCache>();   // or manager.certificates()
/// auto alpn = std::make_shared<acmecpp::TlsAlpn01Responder>();  // also a solver of the manager
/// acmecpp::TlsServerOptions options;
/// options.certificates = cache;
/// options.challenges = alpn;
/// options.alpn_protocols = {"h2", "http/1.1"};
/// acmecpp::install_tls_server(ctx, options);
/// @endcode

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>  // SSL_CTX: this API is TLS integration

#include "acmecpp/api.hpp"
#include "acmecpp/certificate_cache.hpp"
#include "acmecpp/tlsalpn01.hpp"

namespace acmecpp {

/// Asked, on the handshake's thread, for a name the cache does not know (and that is not a
/// validation). Returns the certificate to serve or nullptr; must not block for long (a manager
/// with on-demand issuance waits at most its configured bound). Must be thread-safe.
using UnknownNameFunction =
    std::function<std::shared_ptr<const ServingCertificate>(std::string_view server_name)>;

/// Asked, on the handshake's thread, for a name the cache does not know (and that is not a
/// validation); must not block. Returns the certificate, or pending (and later calls `ready`
/// once, from any thread, without holding locks the handshake's thread may need), or neither.
/// Must be thread-safe.
using AsyncUnknownNameFunction =
    std::function<UnknownNameAnswer(std::string_view server_name, std::function<void()> ready)>;

/// Told, on any thread, that the paused handshake of `ssl` may continue: the program calls
/// SSL_do_handshake (or SSL_accept) on it again from the thread that owns it. It must not call
/// into `ssl` from this function, and `ssl` may have been freed meanwhile (the client went away):
/// look it up among the program's live connections, and ignore it when it is not one of them.
/// A call for a connection that is not paused (its address reused) is harmless: its
/// SSL_do_handshake just asks for more input. Must be thread-safe and must not throw, and must
/// stay callable until the lookup no longer calls `ready` (for CertManager: until stop()
/// returned, so stop the manager before the loop goes away).
using HandshakeReadyFunction = std::function<void(SSL* ssl)>;

struct ACMECPP_API TlsServerOptions {
  /// Where certificates are looked up by SNI; required.
  std::shared_ptr<const CertificateCache> certificates;
  /// Answers "acme-tls/1" validation handshakes when set (the same responder is a solver of the
  /// manager that obtains the certificates).
  std::shared_ptr<const TlsAlpn01Responder> challenges;
  /// ALPN for normal handshakes, most preferred first: the first the client also offers is
  /// selected; none in common or an empty list: no ALPN. Must not contain "acme-tls/1".
  std::vector<std::string> alpn_protocols{"http/1.1"};
  /// For names the cache does not know; unset: such handshakes use the context's own
  /// certificate when it has one, and otherwise fail with an unrecognized_name alert. Blocks the
  /// handshake's thread while it runs: a program serving many connections on one thread uses
  /// on_unknown_name_async instead.
  UnknownNameFunction on_unknown_name;
  /// The asynchronous form of on_unknown_name, for event-loop servers; set together with
  /// on_handshake_ready, and not with on_unknown_name. When it answers pending, the client-hello
  /// callback returns SSL_CLIENT_HELLO_RETRY: SSL_do_handshake returns -1 with SSL_get_error()
  /// SSL_ERROR_WANT_CLIENT_HELLO_CB, and the thread serves other connections meanwhile. Once
  /// `ready` is called, on_handshake_ready(ssl) tells the program to call SSL_do_handshake
  /// again; the callback then looks in `certificates` once more and, when the name is still not
  /// there, goes on as for an unknown name without asking again (the context's certificate or
  /// the unrecognized_name alert). A handshake pauses at most once.
  AsyncUnknownNameFunction on_unknown_name_async;
  /// Where a paused handshake is reported ready to continue; required with
  /// on_unknown_name_async.
  HandshakeReadyFunction on_handshake_ready;
  /// The name looked up when the client sends no SNI (e.g. "example.com"); empty: use the
  /// context's own certificate, or fail as for an unknown name.
  std::string default_server_name;
};

/// Installs on `context` a client-hello callback (SSL_CTX_set_client_hello_cb) and an ALPN select
/// callback. For each handshake, from the ClientHello's SNI and ALPN: a TLS-ALPN-01 validation
/// gets its challenge certificate; otherwise the certificate found for the SNI name is set on the
/// connection (leaf, key and chain, by reference counting: nothing is copied or parsed). The
/// context keeps the options alive. Replaces callbacks the context had (both kinds), so call it
/// once, after the rest of the context's setup. Throws Error(invalid_input) for missing
/// certificates, an invalid ALPN protocol name, on_unknown_name_async without
/// on_handshake_ready (or the other way round), or both on_unknown_name and
/// on_unknown_name_async.
ACMECPP_API void install_tls_server(SSL_CTX* context, const TlsServerOptions& options);

}  // namespace acmecpp
