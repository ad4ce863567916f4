// SPDX-License-Identifier: Apache-2.0
// The request handling of the library's HTTP listener (standalone HTTP-01, metrics): any request
// head gets one well-formed HTTP/1.1 response, and the handler sees only GET or HEAD with a
// target of visible ASCII. The handler answers with the target, as the HTTP-01 handler answers
// with what the token names.

#include <stdexcept>
#include <string>

#include "fuzz_support.hpp"
#include "http/http_listener.hpp"

namespace http = acmecpp::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view head = acmecpp::fuzz::text_of(data, size);
  bool handled = false;
  bool threw = false;
  const auto handler = [&handled, &threw](const http::ServerRequest& request) {
    handled = true;
    acmecpp::fuzz::require(request.method == "GET" || request.method == "HEAD",
                           "the handler sees another method than GET or HEAD");
    for (const char c : request.target) {
      acmecpp::fuzz::require(c > 0x20 && c < 0x7f, "the handler sees a target with a control");
    }
    if (request.path() == "/throw") {
      threw = true;
      throw std::runtime_error("the exception's text");
    }
    return http::ServerReply{200, "text/plain", std::string(request.target)};
  };
  const std::string response = http::respond_to_head(head, handler);
  acmecpp::fuzz::require(response.rfind("HTTP/1.1 ", 0) == 0, "a response without a status line");
  const auto end = response.find("\r\n\r\n");
  acmecpp::fuzz::require(end != std::string::npos, "a response without the end of its head");
  acmecpp::fuzz::require(!threw || (response.rfind("HTTP/1.1 500 ", 0) == 0 &&
                                    response.find("exception's text") == std::string::npos),
                         "a handler's exception is not a 500 that says nothing of it");
  acmecpp::fuzz::require(handled || response.rfind("HTTP/1.1 200", 0) != 0,
                         "a 200 the handler did not give");
  return 0;
}
