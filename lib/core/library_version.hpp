// SPDX-License-Identifier: Apache-2.0
#pragma once
// The version of the library core uses (libidn2), as it reports itself at run time.

#include <string>

namespace acmecpp::core {

/// libidn2's version, e.g. "2.3.3" (idn2_check_version).
std::string idn2_version();

}  // namespace acmecpp::core
