// SPDX-License-Identifier: Apache-2.0
#pragma once
// acmectl's stderr lines begin with an RFC 3339 UTC timestamp with milliseconds
// ("2026-12-04T15:02:03.123Z acmectl: info: ..."). Tests that compare what follows use these.
// Header-only.

#include <regex>
#include <sstream>
#include <string>

namespace acmecpp::testing {

/// "2026-12-04T15:02:03.123Z", exactly.
inline const std::regex& log_timestamp_pattern() {
  static const std::regex pattern(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  return pattern;
}

/// `text` with the timestamp and its space taken off the front of each line. A line without one
/// is kept whole, so that comparing the result with "acmectl: ..." fails for it.
inline std::string without_timestamps(const std::string& text) {
  static const std::regex prefix(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z )");
  std::istringstream in(text);
  std::string result;
  for (std::string line; std::getline(in, line);) {
    std::smatch match;
    if (std::regex_search(line, match, prefix)) line = match.suffix().str();
    result += line;
    if (!in.eof()) result += '\n';
  }
  return result;
}

}  // namespace acmecpp::testing
