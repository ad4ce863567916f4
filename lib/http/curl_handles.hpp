#pragma once
// RAII owners for libcurl handles, and the one-time global initialisation libcurl requires.

#include <memory>

#include <curl/curl.h>

namespace acmecpp::http {

template <auto Free>
struct CurlDeleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

using CurlEasyPtr = std::unique_ptr<CURL, CurlDeleter<curl_easy_cleanup>>;
using CurlMultiPtr = std::unique_ptr<CURLM, CurlDeleter<curl_multi_cleanup>>;
using CurlSharePtr = std::unique_ptr<CURLSH, CurlDeleter<curl_share_cleanup>>;
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlDeleter<curl_slist_free_all>>;

/// Runs curl_global_init exactly once per process (it is not thread-safe itself, so every path
/// that creates a handle goes through here first). Throws Error(network) if it fails.
/// curl_global_cleanup is deliberately never called: other code in the process may still use curl.
void ensure_curl_initialized();

/// A new easy handle; throws Error(network) if libcurl cannot allocate one.
CurlEasyPtr make_curl_easy();
/// A new multi handle; throws Error(network) if libcurl cannot allocate one.
CurlMultiPtr make_curl_multi();

}  // namespace acmecpp::http
