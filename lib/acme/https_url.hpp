// SPDX-License-Identifier: Apache-2.0
#pragma once
// RFC 8555 section 6.1: every ACME request goes over HTTPS. A URL the server hands out that is not
// https:// (in its directory, a Location or Link header, an order, an authorization or a
// challenge) is refused where it arrives, before any request is sent to it; the client's request
// functions check every URL once more before sending.

#include <string>
#include <string_view>

namespace acmecpp::acme {

/// True when `url` starts with "https://" (scheme case-insensitive) and names a host.
bool is_https_url(std::string_view url);

/// Returns `url` when it is an https:// URL; otherwise throws Error(protocol) saying that the
/// server gave `what` (e.g. "the directory's newOrder") as a URL that is not HTTPS, and that
/// nothing was sent to it. An empty `url` passes (optional members are checked by their users).
const std::string& require_https_url(const std::string& url, const std::string& what);

/// "https://host:port" of an https:// URL, host lower-cased and the port always written (443
/// when the URL has none); "" for a URL that is not https://.
std::string https_origin(std::string_view url);

/// Throws Error(protocol) unless `url` has the origin of `reference` (the directory's URL): the
/// server gave `what` at another origin. An order is kept in the store and resumed at its URL
/// (issue 12): one at a host that does not answer would fail every later run until it expired.
void require_same_origin(const std::string& url, const std::string& reference,
                         const std::string& what);

}  // namespace acmecpp::acme
