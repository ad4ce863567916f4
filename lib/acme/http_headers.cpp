// SPDX-License-Identifier: Apache-2.0
#include "acme/http_headers.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <iomanip>
#include <sstream>

#include "core/ascii.hpp"
#include "core/system_time.hpp"

namespace acmecpp::acme {
namespace {

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

/// Splits a Link header value into single links, respecting <...> and quoted strings.
std::vector<std::string> split_links(const std::string& value) {
  std::vector<std::string> parts;
  std::string current;
  bool in_uri = false, in_quotes = false;
  for (char c : value) {
    if (c == '<' && !in_quotes) in_uri = true;
    if (c == '>' && !in_quotes) in_uri = false;
    if (c == '"' && !in_uri) in_quotes = !in_quotes;
    if (c == ',' && !in_uri && !in_quotes) {
      parts.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  parts.push_back(current);
  return parts;
}

/// True when the link's parameters include rel=<rel> (the rel value may list several relations).
bool link_has_rel(const std::string& params, const std::string& rel) {
  std::istringstream in(params);
  std::string param;
  while (std::getline(in, param, ';')) {
    param = trim(param);
    const auto eq = param.find('=');
    if (eq == std::string::npos ||
        !core::equal_ignoring_ascii_case(trim(param.substr(0, eq)), "rel"))
      continue;
    std::string value = trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    std::istringstream rels(value);
    std::string one;
    while (rels >> one) {
      if (core::equal_ignoring_ascii_case(one, rel)) return true;
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> links_with_rel(const std::vector<std::string>& link_headers,
                                        const std::string& rel) {
  std::vector<std::string> targets;
  for (const auto& header : link_headers) {
    for (const auto& raw : split_links(header)) {
      const std::string link = trim(raw);
      const auto open = link.find('<');
      const auto close = link.find('>', open == std::string::npos ? 0 : open);
      if (open != 0 || close == std::string::npos) continue;
      if (link_has_rel(link.substr(close + 1), rel)) {
        targets.push_back(link.substr(open + 1, close - open - 1));
      }
    }
  }
  return targets;
}

std::optional<std::chrono::seconds> parse_retry_after(const std::string& raw,
                                                      std::chrono::system_clock::time_point now) {
  const std::string value = trim(raw);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (value.size() > 9) return core::kLongestWait;
    return std::chrono::seconds(std::stol(value));
  }
  // IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
  std::tm tm{};
  std::istringstream in(value);
  in.imbue(std::locale::classic());
  in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S GMT");
  if (in.fail()) return std::nullopt;
  // A date beyond 2262 would wrap around in system_clock: clamped (core/system_time.hpp).
  const auto when = core::time_from_unix_seconds(timegm(&tm));
  if (when <= now) return std::chrono::seconds(0);
  return std::min(std::chrono::duration_cast<std::chrono::seconds>(when - now), core::kLongestWait);
}

}  // namespace acmecpp::acme
