// SPDX-License-Identifier: Apache-2.0
#pragma once
// The check every HTTP-01 solver makes before a token goes into a path or a file name.

#include <string>

#include "acmecpp/error.hpp"
#include "acmecpp/http01.hpp"

namespace acmecpp::http01 {

/// The challenge type's name in a SharedChallenges (proofs kept under their token).
inline constexpr const char* kSharedType = "http-01";

/// Throws ChallengeError naming the token (tokens are public; key authorizations are not) when
/// it is not plain base64url, e.g. "../etc/passwd".
inline void require_valid_token(const std::string& token) {
  if (!is_valid_challenge_token(token)) {
    throw ChallengeError("invalid HTTP-01 token \"" + token +
                         "\": only base64url characters (A-Z a-z 0-9 - _) are allowed");
  }
}

}  // namespace acmecpp::http01
