// SPDX-License-Identifier: Apache-2.0
#pragma once
// Certificate events as a manager's on_event callback reported them, for tests to inspect.

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <vector>

#include "acmecpp/events.hpp"

namespace acmecpp::testing {

/// Events as the callback saw them (it may run on any thread). Read `events` only once the
/// manager has stopped reporting, or through of_type().
struct EventLog {
  std::mutex mutex;
  std::vector<CertificateEvent> events;

  CertificateEventCallback callback() {
    return [this](const CertificateEvent& event) {
      std::lock_guard<std::mutex> lock(mutex);
      events.push_back(event);
    };
  }

  std::size_t of_type(CertificateEventType type) {
    std::lock_guard<std::mutex> lock(mutex);
    return static_cast<std::size_t>(std::count_if(
        events.begin(), events.end(), [type](const auto& e) { return e.type == type; }));
  }
};

}  // namespace acmecpp::testing
