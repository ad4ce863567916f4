// SPDX-License-Identifier: Apache-2.0
#pragma once
// The certificate identifier of ACME Renewal Information (RFC 9773 section 4.1), and the DER of
// a certificate as revokeCert wants it (RFC 8555 section 7.6).

#include <string>
#include <string_view>

namespace acmecpp::crypto {

/// base64url(AKI keyIdentifier) "." base64url(serial), where the serial is the content octets of
/// its DER INTEGER (tag and length stripped, leading zero kept). Reads the first certificate of a
/// PEM bundle. Throws Error(crypto) when it is not a certificate or has no Authority Key
/// Identifier with a keyIdentifier.
std::string ari_certificate_id(std::string_view certificate_pem);

/// DER of the first certificate of `pem_or_der`: PEM (a chain: the leaf is taken) or already DER.
/// Throws Error(crypto) when it is neither.
std::string certificate_der(std::string_view pem_or_der);

}  // namespace acmecpp::crypto
