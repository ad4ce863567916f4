// SPDX-License-Identifier: Apache-2.0
#include "http/library_version.hpp"

#include <curl/curl.h>

namespace acmecpp::http {

namespace {

/// What libcurl tells about itself; needs no curl_global_init.
const curl_version_info_data& curl_info() {
  return *curl_version_info(CURLVERSION_NOW);
}

}  // namespace

std::string curl_version() {
  const char* version = curl_info().version;
  return version ? version : "";
}

std::string nghttp2_version() {
  const auto& info = curl_info();
  // The field exists from CURLVERSION_SIXTH on; an older libcurl run with newer headers has none.
  if (info.age < CURLVERSION_SIXTH || !info.nghttp2_version) return "";
  return info.nghttp2_version;
}

}  // namespace acmecpp::http
