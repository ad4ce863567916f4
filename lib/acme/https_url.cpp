// SPDX-License-Identifier: Apache-2.0
#include "acme/https_url.hpp"

#include <cctype>

#include "acmecpp/error.hpp"
#include "acmecpp/printable.hpp"

namespace acmecpp::acme {

bool is_https_url(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (url.size() <= kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(url[i])) != kScheme[i]) return false;
  }
  const char host_start = url[kScheme.size()];
  return host_start != '/' && host_start != '?' && host_start != '#';
}

const std::string& require_https_url(const std::string& url, const std::string& what) {
  if (url.empty() || is_https_url(url)) return url;
  throw Error(ErrorKind::protocol, "the ACME server gave " + what + " as \"" + printable_text(url) +
                                       "\", which is not an https:// URL (RFC 8555 section 6.1 "
                                       "requires HTTPS); nothing was sent to it");
}

}  // namespace acmecpp::acme
