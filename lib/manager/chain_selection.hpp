// SPDX-License-Identifier: Apache-2.0
#pragma once
// Choosing among the chains a CA offers (RFC 8555 section 7.4.2, Link rel="alternate").

#include <string>
#include <vector>

namespace acmecpp::manager {

/// Index of the first chain whose topmost certificate's issuer common name equals
/// `preferred_issuer` (case-insensitive), as certbot's and lego's --preferred-chain do; 0 (the
/// server's default) when none matches or no preference is set.
std::size_t select_chain(const std::vector<std::string>& chains_pem,
                         const std::string& preferred_issuer);

}  // namespace acmecpp::manager
