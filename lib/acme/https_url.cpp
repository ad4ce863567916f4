// SPDX-License-Identifier: Apache-2.0
#include "acme/https_url.hpp"

#include <cctype>

#include "acmecpp/error.hpp"
#include "acmecpp/printable.hpp"
#include "core/ascii.hpp"

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

std::string https_origin(std::string_view url) {
  if (!is_https_url(url)) return {};
  constexpr std::size_t kHostStart = 8;  // "https://"
  const std::size_t end = url.find_first_of("/?#", kHostStart);
  std::string authority = core::ascii_lower(url.substr(kHostStart, end - kHostStart));
  const std::size_t bracket = authority.rfind(']');
  const std::size_t colon = authority.rfind(':');
  const bool has_port =
      colon != std::string::npos && (bracket == std::string::npos || colon > bracket);
  return "https://" + authority + (has_port ? "" : ":443");
}

void require_same_origin(const std::string& url, const std::string& reference,
                         const std::string& what) {
  const std::string origin = https_origin(url);
  if (!origin.empty() && origin == https_origin(reference)) return;
  throw Error(ErrorKind::protocol, "the ACME server gave " + what + " as \"" + printable_text(url) +
                                       "\", at another origin than its directory " +
                                       printable_text(reference));
}

}  // namespace acmecpp::acme
