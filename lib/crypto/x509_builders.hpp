// SPDX-License-Identifier: Apache-2.0
#pragma once
// Pieces of CSRs and locally made certificates: a subject that is just a CN, a subjectAltName
// listing DNS names and IP addresses, and TLS-ALPN-01's acmeIdentifier extension.

#include <string>
#include <string_view>
#include <vector>

#include "crypto/openssl_ptr.hpp"

namespace acmecpp::crypto {

/// id-pe-acmeIdentifier (RFC 8737 section 6.1).
constexpr const char* kAcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";

/// X.509 limits a CN to 64 characters (ub-common-name, RFC 5280 appendix A).
constexpr std::size_t kMaxCommonNameLength = 64;

/// A name holding only CN=`common_name` (UTF-8); throws Error(crypto) when OpenSSL refuses it.
X509NamePtr make_common_name(const std::string& common_name);

/// A subjectAltName extension with one entry per name, in order: an iPAddress for an IP address
/// (as is_ip_address in acmecpp/names.hpp tells, RFC 8738 section 3), a dNSName for anything
/// else. RFC 5280 section 4.2.1.6 wants it critical when the subject is empty. Throws
/// Error(invalid_input) when `entries` is empty.
X509ExtensionPtr make_san_extension(const std::vector<std::string>& entries, bool critical = false);

/// The name that may be the subject's CN: the first DNS name of `names` (IP addresses never are:
/// RFC 8738 leaves them to the subjectAltName), or "" when there is none or it is longer than
/// X.509 allows.
std::string common_name_candidate(const std::vector<std::string>& names);

/// The critical RFC 8737 acmeIdentifier extension (OID 1.3.6.1.5.5.7.1.31) holding `digest`
/// (32 raw bytes) as a DER OCTET STRING. Throws Error(invalid_input) for any other length.
X509ExtensionPtr make_acme_identifier_extension(std::string_view digest);

}  // namespace acmecpp::crypto
