// SPDX-License-Identifier: Apache-2.0
#pragma once
// Keys shared by the crypto unit tests. RSA 4096 generation takes seconds (more under ASan), so
// each type is generated once per test run and reused.

#include <map>
#include <string>

#include "acmecpp/key.hpp"

namespace acmecpp::test {

inline const PrivateKey& shared_key(KeyType type) {
  static std::map<KeyType, PrivateKey> keys;
  auto it = keys.find(type);
  if (it == keys.end()) it = keys.emplace(type, PrivateKey::generate(type)).first;
  return it->second;
}

inline constexpr KeyType kAllKeyTypes[] = {KeyType::ec256, KeyType::ec384, KeyType::rsa2048,
                                           KeyType::rsa3072, KeyType::rsa4096};

}  // namespace acmecpp::test
