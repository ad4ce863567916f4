// SPDX-License-Identifier: Apache-2.0
#include "manager/attempt_backoff.hpp"

#include <algorithm>

#include "acmecpp/renewal.hpp"

namespace acmecpp::manager {

void AttemptBackoff::record_failure(SteadyClock::time_point now,
                                    std::optional<SteadyClock::time_point> not_before) {
  ++failures_;
  last_failure_ = now;
  not_before_ = not_before;
}

void AttemptBackoff::record_success() {
  failures_ = 0;
}

std::optional<SteadyClock::time_point> AttemptBackoff::retry_at() const {
  if (failures_ == 0) return std::nullopt;
  const auto scheduled = last_failure_ + failure_backoff(failures_);
  return not_before_ ? std::max(scheduled, *not_before_) : scheduled;
}

bool AttemptBackoff::allows(SteadyClock::time_point now) const {
  const auto at = retry_at();
  return !at || now >= *at;
}

}  // namespace acmecpp::manager
