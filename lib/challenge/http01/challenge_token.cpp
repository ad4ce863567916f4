// SPDX-License-Identifier: Apache-2.0
#include <algorithm>

#include "acmecpp/http01.hpp"

namespace acmecpp {

namespace {

bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

bool is_valid_challenge_token(std::string_view token) {
  return !token.empty() && std::all_of(token.begin(), token.end(), is_base64url_char);
}

}  // namespace acmecpp
