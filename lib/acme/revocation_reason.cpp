// SPDX-License-Identifier: Apache-2.0
#include "acmecpp/error.hpp"
#include "acmecpp/revocation.hpp"
#include "core/ascii.hpp"

namespace acmecpp {
namespace {

constexpr RevocationReason kReasons[] = {
    RevocationReason::unspecified,
    RevocationReason::key_compromise,
    RevocationReason::superseded,
    RevocationReason::cessation_of_operation,
};

// "Key-Compromise" and "keycompromise" are the same name: only letters count, lower-cased.
std::string letters_lowered(std::string_view text) {
  std::string folded;
  for (const char c : text) {
    if (c == '-' || c == '_') continue;
    folded += core::ascii_lower(c);
  }
  return folded;
}

std::string accepted_names() {
  std::string names;
  for (const auto reason : kReasons) {
    if (!names.empty()) names += ", ";
    names += std::string(to_string(reason)) + " (" + std::to_string(int(reason)) + ")";
  }
  return names;
}

bool is_decimal(std::string_view text) {
  if (text.empty() || text.size() > 3) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(RevocationReason reason) {
  switch (reason) {
    case RevocationReason::unspecified:
      return "unspecified";
    case RevocationReason::key_compromise:
      return "keyCompromise";
    case RevocationReason::superseded:
      return "superseded";
    case RevocationReason::cessation_of_operation:
      return "cessationOfOperation";
  }
  return "unknown";
}

RevocationReason revocation_reason_from_code(int code) {
  for (const auto reason : kReasons) {
    if (int(reason) == code) return reason;
  }
  throw Error(ErrorKind::invalid_input, "unknown revocation reason code " + std::to_string(code) +
                                            "; accepted: " + accepted_names());
}

RevocationReason parse_revocation_reason(std::string_view text) {
  if (is_decimal(text)) return revocation_reason_from_code(std::stoi(std::string(text)));
  const std::string wanted = letters_lowered(text);
  for (const auto reason : kReasons) {
    if (!wanted.empty() && letters_lowered(to_string(reason)) == wanted) return reason;
  }
  throw Error(ErrorKind::invalid_input, "unknown revocation reason \"" + std::string(text) +
                                            "\"; accepted: " + accepted_names());
}

std::vector<RevocationReason> all_revocation_reasons() {
  return {std::begin(kReasons), std::end(kReasons)};
}

}  // namespace acmecpp
