// SPDX-License-Identifier: Apache-2.0
#include "http/curl_handles.hpp"

#include <mutex>
#include <string>

#include "acmecpp/error.hpp"

namespace acmecpp::http {

void ensure_curl_initialized() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK) {
    throw Error(ErrorKind::network,
                std::string("cannot initialise libcurl: ") + curl_easy_strerror(result));
  }
}

CurlEasyPtr make_curl_easy() {
  ensure_curl_initialized();
  CurlEasyPtr easy(curl_easy_init());
  if (!easy) throw Error(ErrorKind::network, "cannot create a libcurl easy handle");
  return easy;
}

CurlMultiPtr make_curl_multi() {
  ensure_curl_initialized();
  CurlMultiPtr multi(curl_multi_init());
  if (!multi) throw Error(ErrorKind::network, "cannot create a libcurl multi handle");
  return multi;
}

}  // namespace acmecpp::http
