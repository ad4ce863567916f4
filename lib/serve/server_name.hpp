// SPDX-License-Identifier: Apache-2.0
#pragma once
// How the serving layer spells a name for lookups: SNI names and certificate names are compared
// case-insensitively and a trailing dot means the same name, so both sides are folded to one key.

#include <string>
#include <string_view>

namespace acmecpp::serve {

/// ASCII lower-case, without one trailing dot. No validation: an SNI name that no certificate
/// names simply finds nothing, and a handshake must not throw.
std::string lookup_key(std::string_view name);

/// The wildcard that covers `key` ("a.example.com" -> "*.example.com"); empty when `key` has no
/// parent domain to stand for (no dot, or an empty first label).
std::string covering_wildcard(std::string_view key);

}  // namespace acmecpp::serve
