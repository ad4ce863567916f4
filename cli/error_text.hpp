// SPDX-License-Identifier: Apache-2.0
#pragma once
// The library's messages name its own options (ManagerConfig::agree_tos); acmectl's user sets
// them with flags (or the same names in the configuration file). in_cli_terms() says it their way.

#include <string>
#include <string_view>
#include <utility>

namespace acmectl {

/// `message` with each "set <library option>" replaced by "pass <the flags that set it>".
inline std::string in_cli_terms(std::string message) {
  static constexpr std::pair<std::string_view, std::string_view> kTerms[] = {
      {"set ManagerConfig::agree_tos", "pass --agree-tos"},
      {"set ManagerConfig::eab", "pass --eab-kid and --eab-hmac-key"},
  };
  for (const auto& [library, cli] : kTerms) {
    for (auto at = message.find(library); at != std::string::npos;
         at = message.find(library, at + cli.size())) {
      message.replace(at, library.size(), cli);
    }
  }
  return message;
}

}  // namespace acmectl
