#include "manager/attempt_backoff.hpp"

#include "acmecpp/renewal.hpp"

namespace acmecpp::manager {

void AttemptBackoff::record_failure(SteadyClock::time_point now) {
  ++failures_;
  last_failure_ = now;
}

void AttemptBackoff::record_success() {
  failures_ = 0;
}

std::optional<SteadyClock::time_point> AttemptBackoff::retry_at() const {
  if (failures_ == 0) return std::nullopt;
  return last_failure_ + failure_backoff(failures_);
}

bool AttemptBackoff::allows(SteadyClock::time_point now) const {
  const auto at = retry_at();
  return !at || now >= *at;
}

}  // namespace acmecpp::manager
