// SPDX-License-Identifier: Apache-2.0
#pragma once
// ASCII case folding, the one implementation: DNS names (A-labels), HTTP header names, hex digits
// and the words of options compare without regard to case. Only 'A'..'Z' fold: std::tolower and
// strcasecmp consult the C locale, which a program embedding the library may have set to one
// (Turkish, say) that folds 'I' to something other than 'i'.

#include <string>
#include <string_view>

namespace acmecpp::core {

constexpr char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

/// `text` with every ASCII upper-case letter lowered; other bytes (UTF-8 included) unchanged.
inline std::string ascii_lower(std::string_view text) {
  std::string lowered(text);
  for (char& c : lowered) c = ascii_lower(c);
  return lowered;
}

/// True when `a` and `b` are equal once both are ASCII-lowered.
constexpr bool equal_ignoring_ascii_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace acmecpp::core
