// SPDX-License-Identifier: Apache-2.0
#include "challenge/dns01/library_version.hpp"

#include <ldns/ldns.h>

namespace acmecpp::dns01 {

std::string ldns_version() {
  const char* version = ::ldns_version();
  return version ? version : "";
}

}  // namespace acmecpp::dns01
