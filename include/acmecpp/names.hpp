// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Validation and normalisation of the DNS names a certificate is requested for.

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

}  // namespace acmecpp
