// SPDX-License-Identifier: Apache-2.0
#pragma once
// The account lock: registering a resolver's account is guarded across processes (and nodes
// sharing a store) by a name lock of the store on a name no DNS name can be, so every Store
// gives it without a method of its own.

#include <chrono>
#include <memory>
#include <string>

#include "acmecpp/store.hpp"

namespace acmecpp::store {

/// The name the account lock locks ('@' is in no DNS name).
inline constexpr const char* kAccountLockName = "@account";

/// The exclusive right to register the account of `resolver`, as Store::lock_name gives it;
/// nullptr when another holder keeps it longer than `timeout`.
inline std::unique_ptr<NameLock> lock_account(Store& store, const std::string& resolver,
                                              std::chrono::milliseconds timeout) {
  return store.lock_name(resolver, kAccountLockName, timeout);
}

}  // namespace acmecpp::store
