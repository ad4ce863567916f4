// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The library's semantic version (set once, in CMakeLists.txt).

#include <string>

#include "acmecpp/api.hpp"

namespace acmecpp {
/// "MAJOR.MINOR.PATCH" of the library linked in.
ACMECPP_API std::string version();
/// The User-Agent the HTTP client sends: "acmecpp/VERSION".
ACMECPP_API std::string user_agent();
}  // namespace acmecpp
