// SPDX-License-Identifier: Apache-2.0
#pragma once
// JWS (RFC 7518 section 3.4) carries ECDSA signatures as raw r||s, each padded to the curve's
// size; OpenSSL produces and expects DER ECDSA-Sig-Value. These convert between the two.

#include <optional>
#include <string>
#include <string_view>

namespace acmecpp::crypto {

/// DER ECDSA-Sig-Value to r||s with each half `field_bytes` long. Throws Error(crypto) on bad DER.
std::string ecdsa_der_to_raw(std::string_view der, int field_bytes);

/// r||s back to DER; nullopt when `raw` is not exactly 2 * field_bytes long.
std::optional<std::string> ecdsa_raw_to_der(std::string_view raw, int field_bytes);

}  // namespace acmecpp::crypto
