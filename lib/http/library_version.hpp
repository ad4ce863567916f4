// SPDX-License-Identifier: Apache-2.0
#pragma once
// The versions of the libraries the transport uses (libcurl, and the nghttp2 libcurl was built
// with), as libcurl reports them at run time.

#include <string>

namespace acmecpp::http {

/// libcurl's version, e.g. "7.88.1" (curl_version_info).
std::string curl_version();
/// The nghttp2 version libcurl reports, e.g. "1.52.0"; empty when it was built without HTTP/2.
std::string nghttp2_version();

}  // namespace acmecpp::http
