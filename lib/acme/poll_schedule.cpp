// SPDX-License-Identifier: Apache-2.0
#include "acme/poll_schedule.hpp"

#include <algorithm>

namespace acmecpp::acme {

PollSchedule::PollSchedule(std::chrono::milliseconds initial, std::chrono::milliseconds cap,
                           Clock::time_point deadline)
    : backoff_(std::max(initial, std::chrono::milliseconds(1))),
      cap_(std::max(cap, backoff_)),
      deadline_(deadline) {}

std::optional<std::chrono::milliseconds> PollSchedule::next_wait(
    std::optional<std::chrono::seconds> retry_after, Clock::time_point now) {
  // A Retry-After of 0 ("now") must not turn the loop into a busy one: the backoff still applies.
  std::chrono::milliseconds wait = backoff_;
  if (retry_after) wait = std::max<std::chrono::milliseconds>(wait, *retry_after);
  backoff_ = std::min(backoff_ * 2, cap_);
  if (now + wait > deadline_) return std::nullopt;
  return wait;
}

}  // namespace acmecpp::acme
