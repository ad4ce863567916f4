// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// What acmecpp reads out of an X.509 certificate.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "acmecpp/api.hpp"

namespace acmecpp {

/// Facts about one certificate (the leaf of a chain).
struct ACMECPP_API CertificateInfo {
  std::string common_name;                ///< subject CN, may be empty
  std::vector<std::string> dns_names;     ///< subjectAltName dNSName entries, in order
  std::vector<std::string> ip_addresses;  ///< subjectAltName iPAddress entries, textual
  /// Validity. system_clock ends in 2262: a later time (notAfter 9999-12-31, "no well-defined
  /// expiration") reads as 2262-01-01T00:00:00Z, one before 1970 as 1970-01-01T00:00:00Z.
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  std::string serial_hex;          ///< serial number, lower-case hex without leading zeros
  std::string issuer;              ///< issuer as one line, RFC 2253 ("CN=...,O=...")
  std::string issuer_common_name;  ///< issuer CN, may be empty
  std::string key_type;            ///< "ec256", "ec384", "rsa2048", ... or "rsa<bits>"
};

/// Splits a PEM bundle into its certificates (each a complete PEM block, in file order).
/// Throws Error(crypto) when the text holds no certificate.
ACMECPP_API std::vector<std::string> split_pem_chain(std::string_view pem_bundle);

/// Parses the first certificate of a PEM bundle; throws Error(crypto) when it is not one.
ACMECPP_API CertificateInfo parse_certificate(std::string_view pem);

/// Parses every certificate of a PEM bundle, leaf first.
ACMECPP_API std::vector<CertificateInfo> parse_certificate_chain(std::string_view pem_bundle);

}  // namespace acmecpp
