#include "serve/server_name.hpp"

namespace acmecpp::serve {

std::string lookup_key(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string key(name);
  // Only ASCII folds: DNS names on the wire are A-labels, and std::tolower would consult the
  // locale on every handshake.
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

std::string covering_wildcard(std::string_view key) {
  const std::size_t dot = key.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == key.size()) return {};
  return "*" + std::string(key.substr(dot));
}

}  // namespace acmecpp::serve
