// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// When a certificate should be renewed. Pure functions of the certificate's validity, what the
/// store recorded (ARI window, failures) and the current time, which the caller passes in so
/// that the decision can be tested without waiting.

#include <chrono>
#include <limits>
#include <string>

#include "acmecpp/api.hpp"
#include "acmecpp/store.hpp"

namespace acmecpp {

/// The default rule renews when fewer than this many days remain (for certificates long-lived
/// enough for it; see renewal_margin()).
inline constexpr int kDefaultRenewalDays = 30;
/// Passed as `days` (the default everywhere): the default rule. Any other value is taken as it
/// is.
inline constexpr int kAutomaticRenewalDays = std::numeric_limits<int>::min();

/// How long before expiry a certificate falls due when there is no ARI window.
/// - `days` given (0 or more): exactly `days` whatever the lifetime, at most the whole lifetime
///   (then the certificate is always due);
/// - kAutomaticRenewalDays: kDefaultRenewalDays, but at most a third of the lifetime, and at
///   most half of it for lifetimes under 10 days. So a 90-day certificate renews with 30 days
///   left, a 45-day one with 15, a 6-day one with 3.
/// Throws Error(invalid_input) for other negative `days`.
ACMECPP_API std::chrono::seconds renewal_margin(std::chrono::seconds lifetime,
                                                int days = kAutomaticRenewalDays);

/// The wait after `failures` renewal attempts failed in a row: 1 min, 10 min, 100 min, then one
/// day for every further failure. Zero for no failure.
ACMECPP_API std::chrono::seconds failure_backoff(int failures);

struct ACMECPP_API RenewalDecision {
  bool due = false;
  /// When the certificate falls (or fell) due; while backing off, when the next try is allowed.
  std::chrono::system_clock::time_point renew_at;
  std::string reason;  ///< one line for people, e.g. "ARI window 2025-01-02T00:00:00Z ..."
};

/// Decides for a certificate valid from `not_before` to `not_after`:
/// - an ARI window in `state` wins: due once `now` reaches ari_selected_time (the window's start
///   when none was chosen); the caller must clear ARI fields recorded for another certificate;
/// - otherwise due once less than renewal_margin(lifetime, days) remains;
/// - an expired certificate is always due;
/// - after failed attempts, not due before last_failure + failure_backoff(failed_attempts), nor
///   before retry_not_before (the CA's Retry-After, e.g. of a rate limit).
ACMECPP_API RenewalDecision decide_renewal(std::chrono::system_clock::time_point not_before,
                                           std::chrono::system_clock::time_point not_after,
                                           const RenewalState& state,
                                           std::chrono::system_clock::time_point now,
                                           int days = kAutomaticRenewalDays);

}  // namespace acmecpp
