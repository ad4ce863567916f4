// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a CertManager counts for CertManager::metrics(): issuances and renewals by result and the
// time of the last renewal check. Atomics, because obtain()/renew() run on several threads.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "acmecpp/acme_client.hpp"
#include "acmecpp/events.hpp"
#include "acmecpp/metrics.hpp"
#include "acmecpp/store.hpp"

namespace acmecpp::manager {

class MetricsCounters {
 public:
  /// One obtain() (type issued) or renew() (type renewed) that ended as `succeeded` says.
  void count(CertificateEventType type, bool succeeded);
  /// A renewal check ran at `when`.
  void checked(std::chrono::system_clock::time_point when);

  /// The counts, the certificates stored under `resolver` and the client's request counts.
  /// Throws what the store throws when it cannot be read.
  Metrics snapshot(const Store& store, const std::string& resolver,
                   const acme::RequestStats& requests) const;

 private:
  std::atomic<std::size_t> issued_{0}, issue_failed_{0}, renewed_{0}, renew_failed_{0};
  /// system_clock ticks since the epoch; 0: never checked.
  std::atomic<std::int64_t> last_check_{0};
};

}  // namespace acmecpp::manager
