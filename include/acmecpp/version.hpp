#pragma once
/// @file
/// The library's semantic version (set once, in CMakeLists.txt).

#include <string>

namespace acmecpp {
/// "MAJOR.MINOR.PATCH" of the library linked in.
std::string version();
/// The User-Agent the HTTP client sends: "acmecpp/VERSION".
std::string user_agent();
}  // namespace acmecpp
