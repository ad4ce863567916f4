// SPDX-License-Identifier: Apache-2.0
// RFC 3339 times (ARI windows, acme.json's renewal state, order expiry): any text is refused or
// read inside the clamped range (1970 to 2262-01-01), and what is read formats and reads back
// to the same second.

#include <chrono>

#include "core/rfc3339.hpp"
#include "fuzz_support.hpp"

namespace core = acmecpp::core;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto time = core::parse_rfc3339(acmecpp::fuzz::text_of(data, size));
  if (!time) return 0;
  acmecpp::fuzz::require(time->time_since_epoch().count() >= 0 && *time <= core::latest_time(),
                         "a time outside the clamped range");
  acmecpp::fuzz::require(core::parse_rfc3339(core::format_rfc3339(*time)) == *time,
                         "format and parse do not round-trip");
  // What the renewal policy adds to such times must not overflow.
  volatile auto later = (*time + std::chrono::hours(24 * 90)).time_since_epoch().count();
  (void)later;
  return 0;
}
