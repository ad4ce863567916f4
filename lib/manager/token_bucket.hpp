// SPDX-License-Identifier: Apache-2.0
#pragma once
// A token bucket: at most `capacity` takes at once, refilled by one token every
// `refill_interval`. Used to bound how many on-demand orders a flood of handshakes can start.

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>

namespace acmecpp::manager {

using SteadyClock = std::chrono::steady_clock;
/// Where the time comes from; injected so that tests need not wait.
using SteadyNow = std::function<SteadyClock::time_point()>;

/// The real monotonic clock.
SteadyNow steady_now();

/// Thread-safe. Starts full.
class TokenBucket {
 public:
  /// A zero `refill_interval` refills at once (no limit at all); a zero `capacity` never grants
  /// anything.
  TokenBucket(std::size_t capacity, std::chrono::milliseconds refill_interval,
              SteadyNow now = steady_now());

  /// Takes one token; false when none is left.
  bool try_take();
  /// Tokens that try_take() would grant now.
  std::size_t available();

 private:
  void refill(SteadyClock::time_point now);

  std::mutex mutex_;
  SteadyNow now_;
  std::size_t capacity_;
  std::chrono::milliseconds refill_interval_;
  std::size_t tokens_;
  SteadyClock::time_point last_refill_;
};

}  // namespace acmecpp::manager
