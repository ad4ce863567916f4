// SPDX-License-Identifier: Apache-2.0
#pragma once
// Pieces of CSRs and locally made certificates: a subject that is just a CN, a subjectAltName
// listing DNS names, and TLS-ALPN-01's acmeIdentifier extension.

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

/// A subjectAltName extension with one dNSName per entry, in order. RFC 5280 section 4.2.1.6 wants
/// it critical when the subject is empty. Throws Error(invalid_input) when `dns_names` is empty.
X509ExtensionPtr make_dns_san_extension(const std::vector<std::string>& dns_names,
                                        bool critical = false);

/// The critical RFC 8737 acmeIdentifier extension (OID 1.3.6.1.5.5.7.1.31) holding `digest`
/// (32 raw bytes) as a DER OCTET STRING. Throws Error(invalid_input) for any other length.
X509ExtensionPtr make_acme_identifier_extension(std::string_view digest);

}  // namespace acmecpp::crypto
