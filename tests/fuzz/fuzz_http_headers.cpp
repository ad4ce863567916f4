// SPDX-License-Identifier: Apache-2.0
// The response headers ACME relies on: Link (RFC 8288) with any relation, and Retry-After
// (delta-seconds or an HTTP-date, far future included). The first byte picks which.

#include <chrono>
#include <string>
#include <vector>

#include "acme/http_headers.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string value(acmecpp::fuzz::text_of(data + 1, size - 1));
  if (data[0] & 1) {
    // Several header values, one a line, as a response may carry several Link headers.
    std::vector<std::string> headers;
    std::size_t start = 0;
    for (std::size_t end; (end = value.find('\n', start)) != std::string::npos; start = end + 1) {
      headers.push_back(value.substr(start, end - start));
    }
    headers.push_back(value.substr(start));
    for (const char* rel : {"alternate", "index", "up", "next"}) {
      for (const auto& target : acmecpp::acme::links_with_rel(headers, rel)) {
        acmecpp::fuzz::require(target.find('>') == std::string::npos, "a link target holds '>'");
      }
    }
  } else {
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1735790400));
    if (const auto wait = acmecpp::acme::parse_retry_after(value, now)) {
      acmecpp::fuzz::require(wait->count() >= 0, "a negative Retry-After");
      // Added to the present, as the client does, it must not overflow.
      volatile auto ticks = (std::chrono::system_clock::now() + *wait).time_since_epoch().count();
      (void)ticks;
    }
  }
  return 0;
}
