// SPDX-License-Identifier: Apache-2.0
#pragma once
// RAII owners for libcurl handles, and the one-time global initialisation libcurl requires.

#include <memory>

#include <curl/curl.h>

#include "core/c_handle.hpp"

namespace acmecpp::http {

using CurlEasyPtr = core::CHandle<CURL, curl_easy_cleanup>;
using CurlMultiPtr = core::CHandle<CURLM, curl_multi_cleanup>;
using CurlSharePtr = core::CHandle<CURLSH, curl_share_cleanup>;
using CurlSlistPtr = core::CHandle<curl_slist, curl_slist_free_all>;

/// Runs curl_global_init exactly once per process (it is not thread-safe itself, so every path
/// that creates a handle goes through here first). Throws Error(network) if it fails.
/// curl_global_cleanup is deliberately never called: other code in the process may still use curl.
void ensure_curl_initialized();

/// A new easy handle; throws Error(network) if libcurl cannot allocate one.
CurlEasyPtr make_curl_easy();
/// A new multi handle; throws Error(network) if libcurl cannot allocate one.
CurlMultiPtr make_curl_multi();

}  // namespace acmecpp::http
