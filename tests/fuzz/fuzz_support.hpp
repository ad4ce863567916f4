// SPDX-License-Identifier: Apache-2.0
#pragma once
// What every fuzz target shares: the input as text, and a finding that is not a crash (two
// parsers disagreeing, a round trip that changes a value) reported so libFuzzer stops on it.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace acmecpp::fuzz {

inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

/// Aborts (libFuzzer then saves the input) when `condition` is false.
inline void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz finding: %s\n", what);
  std::abort();
}

}  // namespace acmecpp::fuzz
