// SPDX-License-Identifier: Apache-2.0
#include <array>
#include <string>

#include "acmecpp/error.hpp"
#include "acmecpp/key.hpp"
#include "core/ascii.hpp"

namespace acmecpp {
namespace {

// One row a type: the CLI spelling, lego's certcrypto.KeyType (what Traefik writes into
// acme.json) and Traefik's configuration spelling (what lego v5 writes), which we also read.
struct KeyTypeNames {
  KeyType type;
  std::string_view cli;
  std::string_view lego;
  std::string_view traefik_config;
};

constexpr std::array<KeyTypeNames, 5> kKeyTypeNames{{
    {KeyType::ec256, "ec256", "P256", "EC256"},
    {KeyType::ec384, "ec384", "P384", "EC384"},
    {KeyType::rsa2048, "rsa2048", "2048", "RSA2048"},
    {KeyType::rsa3072, "rsa3072", "3072", "RSA3072"},
    {KeyType::rsa4096, "rsa4096", "4096", "RSA4096"},
}};

const KeyTypeNames& names_of(KeyType type) {
  for (const auto& names : kKeyTypeNames) {
    if (names.type == type) return names;
  }
  throw Error(ErrorKind::invalid_input,
              "unknown key type value " + std::to_string(static_cast<int>(type)));
}

}  // namespace

std::string to_string(KeyType type) {
  return std::string(names_of(type).cli);
}

KeyType parse_key_type(std::string_view text) {
  for (const auto& names : kKeyTypeNames) {
    if (core::equal_ignoring_ascii_case(text, names.cli)) return names.type;
  }
  throw Error(ErrorKind::invalid_input,
              "unknown key type \"" + std::string(text) +
                  "\" (expected ec256, ec384, rsa2048, rsa3072 or rsa4096)");
}

std::string to_traefik_key_type(KeyType type) {
  return std::string(names_of(type).lego);
}

std::optional<KeyType> from_traefik_key_type(std::string_view text) {
  // lego upper-cases before comparing (certcrypto.ToKeyType), so case does not matter here either.
  // "8192"/"RSA8192" are valid for Traefik but acmecpp does not generate such keys: nullopt.
  for (const auto& names : kKeyTypeNames) {
    if (core::equal_ignoring_ascii_case(text, names.lego) ||
        core::equal_ignoring_ascii_case(text, names.traefik_config)) {
      return names.type;
    }
  }
  return std::nullopt;
}

}  // namespace acmecpp
