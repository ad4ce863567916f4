// SPDX-License-Identifier: Apache-2.0
#include "core/library_version.hpp"

#include <idn2.h>

namespace acmecpp::core {

std::string idn2_version() {
  const char* version = idn2_check_version(nullptr);
  return version ? version : "";
}

}  // namespace acmecpp::core
