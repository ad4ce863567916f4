// SPDX-License-Identifier: Apache-2.0
#pragma once
// One HTTP request performed on one curl easy handle.

#include <atomic>
#include <cstddef>
#include <string>

#include "http/curl_handles.hpp"
#include "http/http_client.hpp"

namespace acmecpp::http {

enum class Method { get, head, post, del };

/// "GET", "HEAD", "POST" or "DELETE".
const char* to_string(Method method) noexcept;

struct Request {
  Method method = Method::get;
  const std::string& url;
  const std::string& body;  ///< sent only for POST
  const Headers& headers;
};

/// What every request of one client has in common.
struct TransferSettings {
  const Options& options;  ///< user_agent already defaulted
  CURLSH* share = nullptr;
  std::atomic<std::size_t>* connections_opened = nullptr;  ///< incremented after each transfer
};

/// Configures `easy` from scratch for `request`, performs it on `multi` and returns the final
/// response. The handle is reset afterwards; `multi` keeps its live connections for the next
/// request. Throws Error(network) when the server cannot be reached, the transfer fails or times
/// out, or the body exceeds options.max_body_bytes; Error(cancelled) when stop is requested on
/// `stop` before or during the transfer (it is woken at once, not at curl's next timeout).
Response perform_transfer(CURL* easy, CURLM* multi, const TransferSettings& settings,
                          const Request& request, const StopToken& stop);

}  // namespace acmecpp::http
