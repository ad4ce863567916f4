// SPDX-License-Identifier: Apache-2.0
#include "serve/server_name.hpp"

#include "core/ascii.hpp"

namespace acmecpp::serve {

std::string lookup_key(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  // Only ASCII folds: DNS names on the wire are A-labels.
  return core::ascii_lower(name);
}

std::string covering_wildcard(std::string_view key) {
  const std::size_t dot = key.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == key.size()) return {};
  return "*" + std::string(key.substr(dot));
}

}  // namespace acmecpp::serve
