// SPDX-License-Identifier: Apache-2.0
#include "acmecpp/version.hpp"

#include "version_config.hpp"

namespace acmecpp {
std::string version() {
  return ACMECPP_VERSION_STRING;
}
std::string user_agent() {
  return std::string("acmecpp/") + ACMECPP_VERSION_STRING;
}
}  // namespace acmecpp
