// SPDX-License-Identifier: Apache-2.0
#pragma once
// Requests a stop from a thread of its own after a delay, as a signal or a proxy's shutdown would
// while a call waits. Header-only: tsan_tests uses it without the other support files.

#include <chrono>
#include <thread>

#include "acmecpp/stop_token.hpp"

namespace acmecpp::testing {

/// Requests stop on `source` after `delay`; the destructor joins the thread.
class StopLater {
 public:
  StopLater(StopSource source, std::chrono::steady_clock::duration delay)
      : thread_([source, delay]() mutable {
          std::this_thread::sleep_for(delay);
          source.request_stop();
        }) {}
  ~StopLater() { thread_.join(); }
  StopLater(const StopLater&) = delete;
  StopLater& operator=(const StopLater&) = delete;

 private:
  std::thread thread_;
};

}  // namespace acmecpp::testing
