// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// TLS-ALPN-01 (RFC 8737): the CA opens a TLS connection to port 443 of the name, sends the name
/// as SNI and offers only the ALPN protocol "acme-tls/1"; the server must answer with a
/// self-signed certificate for that name carrying the critical acmeIdentifier extension (the
/// SHA-256 of the key authorization). For an IP address (RFC 8738 section 6) the CA connects to
/// the address, the SNI is the address's reverse-DNS name ("10.2.0.192.in-addr.arpa" for
/// 192.0.2.10, the nibble form under "ip6.arpa" for IPv6) and the certificate's only
/// subjectAltName is the address as an iPAddress entry. Two ways to do that:
///
/// - TlsAlpn01Responder: for a proxy that owns port 443 itself. It holds the challenge
///   certificates and, installed on the proxy's SSL_CTX, answers validation handshakes while
///   every other handshake gets the proxy's normal certificate:
///
///   @code
///   auto responder = std::make_shared<acmecpp::TlsAlpn01Responder>();
///   SSL_CTX* ctx = ...;  // the proxy's context, with its normal certificate and key
///   acmecpp::TlsAlpn01InstallOptions options;
///   options.fallback_protocols = {"h2", "http/1.1"};  // what the proxy negotiated before
///   responder->install(ctx, options);
///   config.solvers = {responder};  // acmecpp::ManagerConfig of the CertManager
///   @endcode
///
/// - TlsAlpn01StandaloneSolver: its own TLS listener (port 443 must be free), running only while
///   challenges are presented.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>  // SSL, SSL_CTX, X509, EVP_PKEY: this API is TLS integration

#include "acmecpp/api.hpp"
#include "acmecpp/shared_challenges.hpp"
#include "acmecpp/solver.hpp"

namespace acmecpp {

namespace tlsalpn01 {
class ChallengeRegistry;  // private: lib/challenge/tlsalpn01/challenge_registry.hpp
}

/// The ALPN protocol name of TLS-ALPN-01 validation handshakes.
inline constexpr std::string_view kAcmeTlsAlpnProtocol = "acme-tls/1";

/// One challenge certificate and its key; immutable. Handed out by shared_ptr, so a handshake in
/// flight keeps it alive after the challenge was cleaned up.
struct ACMECPP_API TlsAlpn01Certificate {
  std::string identifier;  ///< the validated name (lower-case) or IP address, the only SAN
  std::shared_ptr<X509> certificate;      ///< self-signed, with the critical acmeIdentifier
  std::shared_ptr<EVP_PKEY> private_key;  ///< a fresh P-256 key made for this challenge only
};

/// The ALPN selection of a normal (non-challenge) handshake, with the arguments and return values
/// of an SSL_CTX_set_alpn_select_cb callback (SSL_TLSEXT_ERR_OK, _NOACK or _ALERT_FATAL). On OK,
/// *out must point into `in` or into memory that outlives the handshake.
using AlpnSelectFunction =
    std::function<int(SSL* ssl, const unsigned char** out, unsigned char* outlen,
                      const unsigned char* in, unsigned int inlen)>;

/// How TlsAlpn01Responder::install treats handshakes that are not TLS-ALPN-01 validations.
/// install() replaces the context's ALPN select callback (OpenSSL keeps only one and cannot tell
/// which one was set), so the selection the proxy made before must be given here.
struct ACMECPP_API TlsAlpn01InstallOptions {
  /// ALPN for normal handshakes, most preferred first, e.g. {"h2", "http/1.1"}: the first of
  /// these the client also offers is selected. Nothing in common, or an empty list: no ALPN is
  /// negotiated and the handshake goes on. Must not contain "acme-tls/1".
  std::vector<std::string> fallback_protocols;
  /// When set, used instead of fallback_protocols (e.g. the proxy's former ALPN callback).
  AlpnSelectFunction fallback_select;
  /// Refuse every handshake that is not a validation with a fatal alert: no_application_protocol
  /// when "acme-tls/1" is not offered, unrecognized_name for a name without a challenge. For a
  /// listener that serves nothing else (TlsAlpn01StandaloneSolver uses it).
  bool challenges_only = false;
};

/// Holds the challenge certificates, keyed by name, for a listener the caller owns (a proxy's
/// port-443 handler), and is the Solver that presents them. Thread-safe.
///
/// A handshake is a validation when its ClientHello offers "acme-tls/1" among its ALPN protocols
/// and its SNI is a name with a presented challenge (compared case-insensitively; for an IP
/// address, its reverse-DNS name). A ClientHello without SNI gets the challenge certificate only
/// when exactly one challenge is presented and it is for an IP address. Validators offer
/// "acme-tls/1" alone; browsers never offer it.
class ACMECPP_API TlsAlpn01Responder : public Solver {
 public:
  TlsAlpn01Responder();
  ~TlsAlpn01Responder() override;
  TlsAlpn01Responder(const TlsAlpn01Responder&) = delete;
  TlsAlpn01Responder& operator=(const TlsAlpn01Responder&) = delete;

  std::string type() const override { return "tls-alpn-01"; }
  /// Makes a fresh key and challenge certificate for task.identifier. Presenting the same task
  /// again counts (it stays until cleaned up as often). Throws ChallengeError for a wildcard
  /// task, or when the name has a challenge with another key authorization (one name can show
  /// only one certificate at a time).
  void present(const ChallengeTask& task) override;
  void cleanup(const ChallengeTask& task) noexcept override;

  /// The certificate to present in a handshake with SNI `server_name` whose client offered
  /// `alpn_protocols`; nullptr when it is not a validation (serve it normally then).
  std::shared_ptr<const TlsAlpn01Certificate> challenge_for(
      std::string_view server_name, const std::vector<std::string>& alpn_protocols) const;
  /// The same with the client's protocols in ALPN wire format (each name preceded by its length
  /// byte), as OpenSSL passes them (`in`, `inlen`) to an ALPN select callback. A malformed list
  /// is not a validation.
  std::shared_ptr<const TlsAlpn01Certificate> challenge_for(std::string_view server_name,
                                                            const unsigned char* alpn_wire,
                                                            std::size_t alpn_wire_length) const;

  /// Makes `context` answer validations; for OpenSSL servers. Sets the context's client-hello
  /// callback (SSL_CTX_set_client_hello_cb), which reads SNI and ALPN from the ClientHello and,
  /// for a validation, replaces the connection's certificates with the challenge certificate and
  /// key (SSL_use_cert_and_key, with no chain) and sends no session ticket; and the
  /// ALPN select callback, which selects "acme-tls/1" for validations and otherwise does what
  /// `options` say. Other handshakes keep the context's certificate. Both callbacks it replaces
  /// must not be needed by the caller any more. The context keeps the challenge state alive, so
  /// it may outlive this responder (it then knows only the challenges not cleaned up).
  /// If a servername callback switches the connection to another SSL_CTX (SSL_set_SSL_CTX), that
  /// replaces the certificate: skip the switch when is_challenge_handshake(ssl).
  /// Throws Error(invalid_input) for fallback protocols that are empty, longer than 255 bytes or
  /// "acme-tls/1".
  void install(SSL_CTX* context, const TlsAlpn01InstallOptions& options = {}) const;

  /// True, during and after the handshake, when install()'s callback took `ssl` for a
  /// validation.
  static bool is_challenge_handshake(const SSL* ssl);
  /// Answers validations for names presented nowhere here from `shared` too (the proofs another
  /// node's SharedChallengeSolver put there, e.g. a RedisStore's shared_challenges()), making the
  /// challenge certificate here; nullptr: only what is presented here. Looked up only for
  /// handshakes that offer "acme-tls/1", so normal handshakes never wait for it. Also takes
  /// effect on contexts installed before.
  void answer_from(std::shared_ptr<SharedChallenges> shared);

 private:
  std::shared_ptr<tlsalpn01::ChallengeRegistry> registry_;
};

/// Answers TLS-ALPN-01 on its own listening socket (OpenSSL, one thread accepting and a short-
/// lived thread per connection), started at the first present() and stopped after the last
/// cleanup(). Completes only validation handshakes (several names at once, picked by SNI);
/// anything else gets a fatal alert. Connections that do not finish their handshake within 10
/// seconds are dropped.
class ACMECPP_API TlsAlpn01StandaloneSolver : public Solver {
 public:
  /// @param address numeric interface address to bind, e.g. "::" (IPv6 and IPv4 at once,
  ///        IPV6_V6ONLY off; 0.0.0.0 where the machine has no IPv6), "0.0.0.0" or "127.0.0.1"
  /// @param port    TCP port, 443 in production
  TlsAlpn01StandaloneSolver(std::string address, std::uint16_t port);
  ~TlsAlpn01StandaloneSolver() override;
  std::string type() const override { return "tls-alpn-01"; }
  /// Throws ChallengeError as TlsAlpn01Responder::present does, and naming address:port and the
  /// reason when the listener cannot be started (e.g. "Address already in use").
  void present(const ChallengeTask& task) override;
  void cleanup(const ChallengeTask& task) noexcept override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace acmecpp
