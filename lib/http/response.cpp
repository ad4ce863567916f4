// SPDX-License-Identifier: Apache-2.0
#include "core/ascii.hpp"
#include "http/http_client.hpp"

namespace acmecpp::http {

std::optional<std::string> Response::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    // Header names compare case-insensitively (RFC 9110 section 5.1).
    if (core::equal_ignoring_ascii_case(key, name)) return value;
  }
  return std::nullopt;
}

std::vector<std::string> Response::headers_named(const std::string& name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : headers) {
    if (core::equal_ignoring_ascii_case(key, name)) values.push_back(value);
  }
  return values;
}

}  // namespace acmecpp::http
