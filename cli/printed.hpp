// SPDX-License-Identifier: Apache-2.0
#pragma once
// The last step before acmectl prints a line to the terminal: whatever outside text reached it
// (a CA's problem, a server's header, a hook's or DNS provider's output) is escaped and bounded.
// The library escapes such text where it enters a message; escaping again changes nothing there
// (acmecpp::printable_text is idempotent below its bound), so this is a safety net only.

#include <string>
#include <string_view>

#include "acmecpp/printable.hpp"

namespace acmectl {

inline std::string printed(std::string_view line) {
  return acmecpp::printable_text(line, acmecpp::kPrintableLineLimit);
}

}  // namespace acmectl
