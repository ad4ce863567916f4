// SPDX-License-Identifier: Apache-2.0
#pragma once
// ALPN protocol lists in wire format (RFC 7301 section 3.1): each protocol name preceded by its
// length in one byte, as in the ClientHello and in OpenSSL's ALPN callbacks.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace acmecpp::tlsalpn01 {

/// The names in `wire`, in order (views into it); nullopt when malformed: an empty name, or a
/// length running past the end. An empty list is well-formed.
std::optional<std::vector<std::string_view>> parse_alpn_wire(std::string_view wire);

/// `protocols` in wire format. Throws Error(invalid_input) naming an empty name or one longer
/// than 255 bytes.
std::string encode_alpn_wire(const std::vector<std::string>& protocols);

/// True when the well-formed list `wire` contains "acme-tls/1".
bool offers_acme_tls(std::string_view wire);

/// The wire bytes as OpenSSL passes them.
inline std::string_view wire_view(const unsigned char* data, std::size_t length) {
  return length == 0 ? std::string_view()
                     : std::string_view(reinterpret_cast<const char*>(data), length);
}

}  // namespace acmecpp::tlsalpn01
