// SPDX-License-Identifier: Apache-2.0
#pragma once
// Counting lines of a kind in a server's log (Pebble logs one line per request).

#include <cstddef>
#include <string_view>

namespace acmecpp::testing {

/// How often `what` occurs in `text`, overlapping occurrences included.
inline std::size_t count_occurrences(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace acmecpp::testing
