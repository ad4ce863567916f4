// SPDX-License-Identifier: Apache-2.0
#pragma once
// A small HTTP/1.1 responder for the library's own listeners (the standalone HTTP-01 server, the
// metrics endpoint). It answers one GET or HEAD per connection from a handler and closes; no
// keep-alive, no request bodies, no TLS. It exists so that the library needs no HTTP server
// library: the one Debian packages comes only as a shared object (linked with the shared
// OpenSSL), which would keep acmectl from linking statically.
//
// One thread polls the listening socket and every connection, all non-blocking, so a client that
// connects and sends nothing costs a file descriptor, never the others' answers.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>

#include "core/listen_tcp.hpp"
#include "core/unique_fd.hpp"

namespace acmecpp::http {

struct ServerRequest {
  std::string method;  ///< "GET" or "HEAD": the handler never sees another
  std::string target;  ///< as sent, e.g. "/metrics?x=1"

  /// The target without its query string ("/metrics").
  std::string_view path() const { return std::string_view(target).substr(0, target.find('?')); }
};

struct ServerReply {
  int status = 200;          ///< 200-599 (a final response); anything else is sent as 500
  std::string content_type;  ///< no Content-Type header when empty
  std::string body;          ///< left out for HEAD (Content-Length still says its size)
};

/// Called on the listener's thread, one request at a time, so it must be quick (a lookup in
/// memory): every other connection waits meanwhile. An exception becomes a 500 whose body says
/// nothing about it.
using RequestHandler = std::function<ServerReply(const ServerRequest&)>;

struct ListenerLimits {
  /// The request line and headers, "\r\n\r\n" included; a longer head gets 431.
  std::size_t max_head_bytes = 8192;
  /// From accept to the end of the reply; a request not complete by then gets 408.
  std::chrono::milliseconds request_timeout{10000};
  /// Connections open at once (at least 1); more wait in the kernel's backlog.
  std::size_t max_connections = 512;
};

class HttpListener {
 public:
  /// Binds host:port and serves from then on. `host` is a numeric IPv4 or IPv6 address or a name
  /// (the first of its addresses that can be bound is used); port 0 lets the kernel choose. Throws
  /// std::system_error when it cannot listen (see core::listen_tcp): the code is the errno of
  /// socket/bind/listen (generic_category, e.g. EADDRINUSE), or a getaddrinfo failure
  /// (core::resolver_category()), so that callers can put `code().message()` into their own
  /// message.
  HttpListener(const std::string& host, std::uint16_t port, RequestHandler handler,
               ListenerLimits limits = {});
  /// Closes the listening socket and every connection, even idle ones, and joins the thread.
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  /// The bound port (the kernel's choice after port 0).
  std::uint16_t port() const noexcept { return listening_.port; }

 private:
  core::ListeningSocket listening_;
  core::UniqueFd wake_;  // an eventfd: written once by the destructor to end the thread's loop
  std::thread thread_;
};

/// The whole response to a complete request head (the request line and headers, without the
/// final CRLFCRLF), as a listener sends it: 400 for a malformed request line, 405 for a method
/// other than GET and HEAD, else the handler's reply (500 when it throws or its reply cannot be
/// sent as it is). Headers are not looked at, and no body is ever read. Exposed for the fuzz
/// target of the request handling (tests/fuzz).
std::string respond_to_head(std::string_view head, const RequestHandler& handler);

}  // namespace acmecpp::http
