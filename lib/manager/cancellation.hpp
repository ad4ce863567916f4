// SPDX-License-Identifier: Apache-2.0
#pragma once
// Telling a stop from a failure: work cut short by CertManager::stop() or the caller's stop token
// (Error(cancelled)) is not counted, not recorded for the backoff and not reported as failed.
// And the CA's Retry-After carried by a failure, which the backoff honours.

#include <chrono>
#include <exception>
#include <optional>

#include "acmecpp/error.hpp"

namespace acmecpp::manager {

inline bool is_cancelled(const std::exception& e) {
  const auto* error = dynamic_cast<const Error*>(&e);
  return error != nullptr && error->kind() == ErrorKind::cancelled;
}

/// When the CA asked (Retry-After of its problem, e.g. rateLimited) to be asked again: the
/// earliest next attempt for the certificate that failed so. nullopt when it did not say.
inline std::optional<std::chrono::system_clock::time_point> ca_retry_at(const std::exception& e) {
  const auto* error = dynamic_cast<const AcmeError*>(&e);
  return error != nullptr ? error->retry_at() : std::nullopt;
}

}  // namespace acmecpp::manager
