// SPDX-License-Identifier: Apache-2.0
#pragma once
// IP addresses as certificate identifiers (RFC 8738): the canonical text and the reverse-DNS name
// a TLS-ALPN-01 validator sends as SNI.

#include <optional>
#include <string>
#include <string_view>

namespace acmecpp::core {

/// The canonical text of an IP address (IPv4 dotted quad, IPv6 as RFC 5952 section 4 writes it),
/// or nothing when `text` is not one (see is_ip_address in acmecpp/names.hpp).
std::optional<std::string> canonical_ip_address(std::string_view text);

/// The reverse-DNS name of an IP address, without the trailing dot: "10.0.0.192.in-addr.arpa" for
/// 192.0.0.10 (RFC 1034 section 5.2.1), 32 nibbles then "ip6.arpa" for IPv6 (RFC 3596 section
/// 2.5). RFC 8738 section 6 makes it the SNI of a TLS-ALPN-01 validation. Throws
/// Error(invalid_input) when `ip` is not an IP address.
std::string reverse_dns_name(std::string_view ip);

}  // namespace acmecpp::core
