// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Validation and normalisation of the names a certificate is requested for: DNS names, and IP
/// addresses (RFC 8738).

#include <string>
#include <string_view>
#include <vector>

#include "acmecpp/api.hpp"

namespace acmecpp {

/// Returns the A-label, lower-case form of one name, or throws Error(invalid_input) naming the
/// name and the rule it breaks: empty label, label over 63 octets, name over 253 octets, a
/// character outside letters, digits and hyphen, a label starting or ending with a hyphen, or `*`
/// anywhere but as the whole first label. Internationalised names (U-labels) are converted with
/// libidn2 (IDNA 2008 with the UTS#46 mapping); a name it cannot convert is refused. A single
/// trailing dot is accepted and removed.
ACMECPP_API std::string normalize_dns_name(std::string_view name);

/// Normalises every name and removes duplicates (case-insensitively), keeping first-seen order.
/// Throws on the first invalid name, or when the list is empty.
ACMECPP_API std::vector<std::string> normalize_dns_names(const std::vector<std::string>& names);

/// True when `text` is an IP address as an identifier holds it: IPv4 as four decimal numbers
/// without leading zeros ("192.0.2.10"), or IPv6 in any RFC 4291 text form ("2001:DB8::10"),
/// without brackets or a zone.
ACMECPP_API bool is_ip_address(std::string_view text);

/// One name of a certificate: an IP address becomes its canonical text (IPv6 as RFC 5952 section 4
/// writes it, "2001:db8::10"; brackets around an IPv6 address, as in a URL, are removed);
/// anything else goes through normalize_dns_name. Wildcards and IDNA never apply to an IP
/// address: "*.192.0.2.10" is refused, and so is a dotted-number name that is no IPv4 address
/// ("10.1", "010.0.0.1"). Throws Error(invalid_input) naming the name.
ACMECPP_API std::string normalize_identifier(std::string_view name);

/// normalize_identifier for each name, duplicates removed, first-seen order kept ("::1" and
/// "0:0::1" are one). Throws on the first invalid name, or when the list is empty.
ACMECPP_API std::vector<std::string> normalize_identifiers(const std::vector<std::string>& names);

}  // namespace acmecpp
