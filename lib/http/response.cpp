#include "http/header_name.hpp"
#include "http/http_client.hpp"

namespace acmecpp::http {

std::optional<std::string> Response::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (same_header_name(key, name)) return value;
  }
  return std::nullopt;
}

std::vector<std::string> Response::headers_named(const std::string& name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : headers) {
    if (same_header_name(key, name)) values.push_back(value);
  }
  return values;
}

}  // namespace acmecpp::http
