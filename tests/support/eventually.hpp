// SPDX-License-Identifier: Apache-2.0
#pragma once
// Waiting in a test for something another thread or process brings about.

#include <chrono>
#include <thread>

namespace acmecpp::testing {

/// Polls `condition` until it holds or `timeout` passed; returns its last value.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace acmecpp::testing
