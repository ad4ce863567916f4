// SPDX-License-Identifier: Apache-2.0
#pragma once
// Gathers a response from libcurl's header and write callbacks.

#include <cstddef>
#include <exception>
#include <string_view>

#include "http/http_client.hpp"

namespace acmecpp::http {

/// Receives header lines and body chunks as libcurl delivers them. Keeps only the headers of the
/// last response seen (interim 1xx responses come first and are dropped) and refuses body bytes
/// beyond a limit. The static callbacks never let an exception escape into libcurl's C code.
class ResponseCollector {
 public:
  explicit ResponseCollector(std::size_t max_body_bytes) : max_body_bytes_(max_body_bytes) {}

  /// CURLOPT_HEADERFUNCTION; userdata is the collector.
  static std::size_t on_header(char* data, std::size_t size, std::size_t count,
                               void* userdata) noexcept;
  /// CURLOPT_WRITEFUNCTION; userdata is the collector. Returns 0 (abort) past the body limit.
  static std::size_t on_body(char* data, std::size_t size, std::size_t count,
                             void* userdata) noexcept;

  void add_header_line(std::string_view line);
  /// False when the chunk would take the body past the limit (nothing is appended then).
  bool add_body(std::string_view chunk);

  bool body_too_large() const noexcept { return body_too_large_; }
  /// An exception a callback caught (e.g. std::bad_alloc), to rethrow after the transfer.
  std::exception_ptr callback_failure() const noexcept { return callback_failure_; }
  Response& response() noexcept { return response_; }

 private:
  std::size_t max_body_bytes_;
  bool body_too_large_ = false;
  std::exception_ptr callback_failure_;
  Response response_;
};

}  // namespace acmecpp::http
