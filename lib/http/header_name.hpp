#pragma once
// HTTP header names compare case-insensitively (RFC 9110 section 5.1).

#include <algorithm>
#include <cctype>
#include <string_view>

namespace acmecpp::http {

inline bool same_header_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace acmecpp::http
