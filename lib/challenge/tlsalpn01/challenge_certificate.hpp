// SPDX-License-Identifier: Apache-2.0
#pragma once
// The TLS-ALPN-01 challenge certificate (RFC 8737 section 3).

#include <memory>
#include <string>

#include "acmecpp/tlsalpn01.hpp"

namespace acmecpp::tlsalpn01 {

/// A fresh P-256 key and a self-signed end-entity certificate whose only subjectAltName is
/// `identifier` (a dNSName, or an iPAddress for an IP address: RFC 8738 section 6), with the
/// critical acmeIdentifier extension holding SHA-256(key_authorization). Throws Error(crypto) when
/// OpenSSL fails.
std::shared_ptr<const TlsAlpn01Certificate> make_challenge_certificate(
    const std::string& identifier, const std::string& key_authorization);

}  // namespace acmecpp::tlsalpn01
