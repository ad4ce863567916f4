// SPDX-License-Identifier: Apache-2.0
#include "manager/name_lock_wait.hpp"

#include <algorithm>

namespace acmecpp::manager {

std::unique_ptr<NameLock> wait_for_name_lock(Store& store, const std::string& resolver,
                                             const std::string& main,
                                             std::chrono::milliseconds wait,
                                             const StopToken& stop) {
  using Delay = std::chrono::milliseconds;
  // In slices: Store::lock_name knows no stop token, and a stop need not wait for the holder.
  constexpr Delay kSlice(200);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<Delay>(deadline - std::chrono::steady_clock::now());
    auto lock = store.lock_name(resolver, main, std::max(Delay(0), std::min(left, kSlice)));
    if (lock) return lock;
    stop.throw_if_stopped("waiting for the store's lock of " + main);
    if (left <= kSlice) return nullptr;
  }
}

}  // namespace acmecpp::manager
