// SPDX-License-Identifier: Apache-2.0
#pragma once
// The in-memory backoff after failed attempts to obtain a certificate that is not stored yet
// (a stored certificate's failed renewals are counted in its RenewalState instead, which
// survives a restart). Same schedule as renewals: failure_backoff() in acmecpp/renewal.hpp.

#include <chrono>
#include <optional>

#include "manager/token_bucket.hpp"

namespace acmecpp::manager {

/// Not thread-safe: the owner guards it.
class AttemptBackoff {
 public:
  /// `not_before`: the earliest next attempt the CA asked for (Retry-After), if it said.
  void record_failure(SteadyClock::time_point now,
                      std::optional<SteadyClock::time_point> not_before = std::nullopt);
  /// Forgets the failures.
  void record_success();

  int failures() const { return failures_; }
  /// When the next attempt is allowed; nullopt when nothing failed.
  std::optional<SteadyClock::time_point> retry_at() const;
  /// Whether an attempt may be made at `now`.
  bool allows(SteadyClock::time_point now) const;

 private:
  int failures_ = 0;
  SteadyClock::time_point last_failure_{};
  std::optional<SteadyClock::time_point> not_before_;
};

}  // namespace acmecpp::manager
