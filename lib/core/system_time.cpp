// SPDX-License-Identifier: Apache-2.0
#include "core/system_time.hpp"

#include <algorithm>

namespace acmecpp::core {

static_assert(std::chrono::duration_cast<std::chrono::seconds>(SystemTime::duration::max())
                      .count() > kLatestUnixSeconds + 90LL * 86400,
              "the clamped range must leave room to add a few months to its latest time");

SystemTime time_from_unix_seconds(std::int64_t unix_seconds) noexcept {
  const std::int64_t clamped = std::clamp(unix_seconds, kEarliestUnixSeconds, kLatestUnixSeconds);
  return SystemTime(std::chrono::seconds(clamped));
}

SystemTime latest_time() noexcept {
  return time_from_unix_seconds(kLatestUnixSeconds);
}

}  // namespace acmecpp::core
