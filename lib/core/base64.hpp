// SPDX-License-Identifier: Apache-2.0
#pragma once
// Base64 (RFC 4648 section 4) for acme.json fields and base64url without padding (section 5) for
// JOSE. Decoders throw Error(invalid_input) naming the offending position.

#include <string>
#include <string_view>

namespace acmecpp::core {

std::string base64_encode(std::string_view bytes);
/// Accepts padded input; ASCII whitespace (line breaks in PEM-like input) is ignored.
std::string base64_decode(std::string_view text);
std::string base64url_encode(std::string_view bytes);
/// Accepts input with or without '=' padding.
std::string base64url_decode(std::string_view text);

}  // namespace acmecpp::core
