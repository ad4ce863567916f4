// SPDX-License-Identifier: Apache-2.0
#pragma once
// Certificates made locally, without a CA: the TLS-ALPN-01 challenge certificate (RFC 8737), and
// CA + leaf chains for tests and benchmarks.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "acmecpp/key.hpp"
#include "crypto/x509_builders.hpp"  // kAcmeIdentifierOid

namespace acmecpp::crypto {

/// What goes into a certificate made by make_certificate_pem.
struct CertificateOptions {
  /// subjectAltName entries, in order: dNSName, or iPAddress for an IP address; may be empty when
  /// common_name is set.
  std::vector<std::string> dns_names;
  /// Subject CN; when empty, the first DNS name (never an IP address) if it fits X.509's 64
  /// characters.
  std::string common_name;
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  /// notAfter 99991231235959Z instead of not_after: RFC 5280 section 4.1.2.5's "no well-defined
  /// expiration date", a year system_clock cannot hold.
  bool no_expiration = false;
  /// The signer; nullptr makes the certificate self-signed by the subject key.
  const PrivateKey* issuer_key = nullptr;
  /// PEM of the signer's certificate (its subject becomes our issuer); required with issuer_key.
  std::string issuer_certificate_pem;
  /// When set (32 raw bytes: SHA-256 of the key authorization), adds the critical RFC 8737
  /// acmeIdentifier extension whose value is the DER OCTET STRING of these bytes.
  std::optional<std::string> acme_identifier_digest;
  /// CA:TRUE with keyCertSign, or an end-entity (serverAuth) certificate. Unset: self-signed
  /// certificates are CAs, issued ones are not.
  std::optional<bool> is_ca;
};

/// Builds, signs (SHA-256) and returns one certificate as PEM, with a random 127-bit serial.
/// Throws Error(invalid_input) for contradictory options, Error(crypto) when OpenSSL fails.
std::string make_certificate_pem(const PrivateKey& subject_key, const CertificateOptions& options);

/// The same with positional arguments: self-signed when no issuer is given.
std::string make_certificate_pem(
    const PrivateKey& subject_key, const std::vector<std::string>& dns_names,
    std::chrono::system_clock::time_point not_before,
    std::chrono::system_clock::time_point not_after, const PrivateKey* issuer_key = nullptr,
    const std::string* issuer_cert_pem = nullptr,
    const std::optional<std::string>& acme_identifier_digest = std::nullopt);

}  // namespace acmecpp::crypto
