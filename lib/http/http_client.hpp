// SPDX-License-Identifier: Apache-2.0
#pragma once
// The transport layer: one small interface the ACME client talks through, and its libcurl
// implementation.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "acmecpp/error.hpp"
#include "acmecpp/stop_token.hpp"

namespace acmecpp::http {

/// Error(network) for a request that certainly never reached the server (name not resolved,
/// connection refused, TLS handshake failed): sending it again cannot do anything twice.
class NotSentError : public Error {
 public:
  explicit NotSentError(const std::string& message) : Error(ErrorKind::network, message) {}
};

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Response {
  long status = 0;
  Headers headers;  ///< in arrival order; names as the server sent them
  std::string body;

  /// First header with this name (case-insensitive).
  std::optional<std::string> header(const std::string& name) const;
  /// Every header with this name (case-insensitive), e.g. several "Link" headers.
  std::vector<std::string> headers_named(const std::string& name) const;
};

struct Options {
  std::string ca_bundle;  ///< PEM file of trusted CAs; empty: the system's store
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds total_timeout{60000};  ///< for one request, all included
  std::size_t max_body_bytes = 8 * 1024 * 1024;    ///< larger responses fail
  std::string user_agent;                          ///< empty: acmecpp::user_agent()
};

/// Thread-safe. Failures to reach the server throw Error(network), NotSentError when the request
/// was not sent; a status code is never an exception here (the caller decides what 4xx/5xx mean).
/// When stop is requested on `stop`, a request not yet sent and a transfer under way end at once
/// with Error(cancelled).
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Response get(const std::string& url, const Headers& headers = {},
                       const StopToken& stop = {}) = 0;
  virtual Response head(const std::string& url, const Headers& headers = {},
                        const StopToken& stop = {}) = 0;
  virtual Response post(const std::string& url, const std::string& body,
                        const Headers& headers = {}, const StopToken& stop = {}) = 0;
  /// DELETE without a body (REST APIs of DNS hosts remove records this way). Not pure, so that
  /// transports written before it existed still compile: the default throws Error(config).
  virtual Response del(const std::string& url, const Headers& headers = {},
                       const StopToken& stop = {});

  /// How many connections this client has opened so far (new TCP connections, whatever their
  /// protocol), for metrics and for tests that check keep-alive. Implementations that do not
  /// count return 0.
  virtual std::size_t connections_opened() const { return 0; }
};

/// libcurl implementation: keeps connections alive and reuses them (HTTP/2 when the server
/// offers it), verifies TLS against `ca_bundle`, enforces the timeouts and the body cap.
/// Never follows redirects; only http:// and https:// URLs are accepted. Response headers are
/// those of the final response (interim 1xx responses are dropped). Unless the caller passes
/// them, no Content-Type and no "Expect: 100-continue" are sent. Proxies configured through the
/// usual environment variables (https_proxy, no_proxy, ...) are honoured, as libcurl does.
/// Throws Error(config) for a non-positive timeout.
std::shared_ptr<HttpClient> make_curl_http_client(const Options& options);

}  // namespace acmecpp::http
