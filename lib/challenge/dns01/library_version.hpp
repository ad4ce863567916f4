// SPDX-License-Identifier: Apache-2.0
#pragma once
// The version of the library DNS-01 uses (ldns), as it reports itself at run time.

#include <string>

namespace acmecpp::dns01 {

/// ldns's version, e.g. "1.8.3" (ldns_version).
std::string ldns_version();

}  // namespace acmecpp::dns01
