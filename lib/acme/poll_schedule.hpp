// SPDX-License-Identifier: Apache-2.0
#pragma once
// When to ask the server again about an authorization or order that is not done yet. The
// schedule follows the server: it starts soon (a local CA is done within milliseconds), backs off
// exponentially to a cap (a remote CA may take seconds), and never asks earlier than the
// server's Retry-After. Pure arithmetic on the times it is given, so tests need no clock.

#include <chrono>
#include <optional>

namespace acmecpp::acme {

class PollSchedule {
 public:
  using Clock = std::chrono::steady_clock;

  /// @param initial the first wait; each wait without Retry-After doubles it, up to `cap`
  /// @param cap     the longest wait the schedule chooses itself (Retry-After may ask for more)
  /// @param deadline when to give up
  PollSchedule(std::chrono::milliseconds initial, std::chrono::milliseconds cap,
               Clock::time_point deadline);

  /// The wait before the next request: the current backoff, or the server's Retry-After when
  /// that is longer. nullopt when the next request would come after the deadline.
  std::optional<std::chrono::milliseconds> next_wait(
      std::optional<std::chrono::seconds> retry_after, Clock::time_point now);

 private:
  std::chrono::milliseconds backoff_;
  std::chrono::milliseconds cap_;
  Clock::time_point deadline_;
};

}  // namespace acmecpp::acme
