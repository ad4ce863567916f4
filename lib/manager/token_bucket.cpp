// SPDX-License-Identifier: Apache-2.0
#include "manager/token_bucket.hpp"

#include <algorithm>

namespace acmecpp::manager {

SteadyNow steady_now() {
  return [] { return SteadyClock::now(); };
}

TokenBucket::TokenBucket(std::size_t capacity, std::chrono::milliseconds refill_interval,
                         SteadyNow now)
    : now_(std::move(now)),
      capacity_(capacity),
      refill_interval_(refill_interval),
      tokens_(capacity),
      last_refill_(now_()) {}

bool TokenBucket::try_take() {
  std::lock_guard<std::mutex> lock(mutex_);
  refill(now_());
  if (tokens_ == 0) return false;
  --tokens_;
  return true;
}

std::size_t TokenBucket::available() {
  std::lock_guard<std::mutex> lock(mutex_);
  refill(now_());
  return tokens_;
}

void TokenBucket::refill(SteadyClock::time_point now) {
  if (refill_interval_.count() <= 0) {
    tokens_ = capacity_;
    return;
  }
  if (now <= last_refill_) return;
  const auto earned = (now - last_refill_) / refill_interval_;  // whole intervals, >= 0
  tokens_ = std::min(capacity_, tokens_ + static_cast<std::size_t>(earned));
  // Time towards the next token is kept, except while full: a full bucket earns nothing, or a
  // long quiet spell would hand out more than `capacity` in one burst.
  last_refill_ = tokens_ == capacity_ ? now : last_refill_ + refill_interval_ * earned;
}

}  // namespace acmecpp::manager
