// SPDX-License-Identifier: Apache-2.0
#include "kept_settings.hpp"

#include <algorithm>
#include <iterator>
#include <string_view>

#include "config_file.hpp"

namespace acmectl {
namespace {

constexpr std::string_view kKept[] = {"challenge",         "challenge-for",
                                      "http-address",      "http-port",
                                      "webroot",           "tls-address",
                                      "tls-port",          "dns",
                                      "dns-option",        "dns-resolvers",
                                      "dns-authoritative", "dns-authoritative-port",
                                      "dns-skip-check",    "dns-propagation-timeout",
                                      "key-type"};

bool kept(std::string_view name) {
  return std::find(std::begin(kKept), std::end(kKept), name) != std::end(kKept);
}

/// A provider option that may hold a secret, judged by its key (upper-cased as providers read
/// it): tokens, passwords, secrets, API keys. RFC2136_TSIG_KEY is the key's name, not a secret.
bool secret_option(const std::string& option) {
  std::string key = option.substr(0, option.find('='));
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  });
  if (key == "RFC2136_TSIG_KEY") return false;
  for (const char* word : {"SECRET", "TOKEN", "PASSWORD", "PASS", "KEY", "AUTH", "CREDENTIAL"}) {
    if (key.find(word) != std::string::npos) return true;
  }
  return false;
}

std::vector<std::string> values_of(const Settings& s, const SettingMember& member) {
  return std::visit(
      [&s](auto field) -> std::vector<std::string> {
        const auto& value = s.*field;
        using Field = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<Field, std::string>) {
          if (value.empty()) return {};
          return {value};
        } else if constexpr (std::is_same_v<Field, bool>) {
          return {value ? "true" : "false"};
        } else if constexpr (std::is_same_v<Field, std::uint16_t>) {
          return {std::to_string(value)};
        } else {
          return value;
        }
      },
      member);
}

}  // namespace

KeptSettings kept_settings(const Settings& settings) {
  KeptSettings out;
  for (const auto& spec : setting_specs()) {
    if (!kept(spec.name)) continue;
    auto values = values_of(settings, spec.member);
    if (std::string_view(spec.name) == "dns-option") {
      values.erase(std::remove_if(values.begin(), values.end(), secret_option), values.end());
    }
    if (!values.empty()) out[spec.name] = std::move(values);
  }
  return out;
}

void apply_kept_settings(Settings& settings, const KeptSettings& kept_values,
                         const std::string& where) {
  ConfigFile::Scope scope;
  for (const auto& [name, values] : kept_values) {
    if (kept(name)) scope[name] = {values, where + ": " + name};
  }
  apply_scope(settings, scope);
}

}  // namespace acmectl
