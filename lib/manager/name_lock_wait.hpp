// SPDX-License-Identifier: Apache-2.0
#pragma once
// The one wait for a store's name lock, shared by the maintenance engine and on-demand issuance:
// up to the configured lock wait (ManagerConfig::lock_wait), and cut short by a stop.

#include <chrono>
#include <memory>
#include <string>

#include "acmecpp/stop_token.hpp"
#include "acmecpp/store.hpp"

namespace acmecpp::manager {

/// store.lock_name(resolver, main, wait), asked in slices of at most 200 ms so that `stop` ends
/// the wait soon even while another holder keeps the lock: then Error(cancelled) naming the
/// name. nullptr when the lock is still held by another after `wait`.
std::unique_ptr<NameLock> wait_for_name_lock(Store& store, const std::string& resolver,
                                             const std::string& main,
                                             std::chrono::milliseconds wait, const StopToken& stop);

}  // namespace acmecpp::manager
