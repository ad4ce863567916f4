// SPDX-License-Identifier: Apache-2.0
#include "manager/order_options.hpp"

#include <algorithm>

#include "acmecpp/error.hpp"

namespace acmecpp::manager {

acme::OrderOptions order_options_for(const acme::Directory& directory, const std::string& profile) {
  acme::OrderOptions options;
  if (profile.empty()) return options;
  const auto& offered = directory.profiles;
  if (std::find(offered.begin(), offered.end(), profile) != offered.end()) {
    options.profile = profile;
    return options;
  }
  if (offered.empty()) {
    throw Error(ErrorKind::config, "certificate profile \"" + profile +
                                       "\" requested, but the ACME server offers no profiles");
  }
  std::string names;
  for (const auto& name : offered) names += (names.empty() ? "" : ", ") + name;
  throw Error(ErrorKind::config, "the ACME server does not offer certificate profile \"" + profile +
                                     "\"; it offers: " + names);
}

}  // namespace acmecpp::manager
