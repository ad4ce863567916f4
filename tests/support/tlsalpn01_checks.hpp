// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reading a TLS-ALPN-01 challenge certificate back with plain OpenSSL calls, independently of
// how acmecpp built it, and the task data the tests present.

#include <optional>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "acmecpp/solver.hpp"

namespace acmecpp::testing {

struct AcmeIdentifierExtension {
  bool critical = false;
  std::string value;  ///< the extnValue bytes: DER of an OCTET STRING
};

/// The id-pe-acmeIdentifier extension (1.3.6.1.5.5.7.1.31), or nullopt.
std::optional<AcmeIdentifierExtension> acme_identifier_extension(const X509* certificate);

/// What RFC 8737 section 3 wants as extnValue: DER OCTET STRING (tag 4, length 32) of
/// SHA-256(key_authorization).
std::string expected_acme_identifier_value(const std::string& key_authorization);

/// Every subjectAltName entry as "DNS:<name>" or "IP:<address>" (inet_ntop's text), "other" for
/// any other kind.
std::vector<std::string> subject_alt_names(const X509* certificate);

/// The certificate as PEM.
std::string certificate_pem(const X509* certificate);

/// A tls-alpn-01 task with a made-up token; the key authorization depends on `seed`, so that
/// tasks differ when seeds differ.
ChallengeTask tls_alpn_task(const std::string& identifier, const std::string& seed = "1");

}  // namespace acmecpp::testing
