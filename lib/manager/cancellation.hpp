#pragma once
// Telling a stop from a failure: work cut short by CertManager::stop() or the caller's stop token
// (Error(cancelled)) is not counted, not recorded for the backoff and not reported as failed.

#include <exception>

#include "acmecpp/error.hpp"

namespace acmecpp::manager {

inline bool is_cancelled(const std::exception& e) {
  const auto* error = dynamic_cast<const Error*>(&e);
  return error != nullptr && error->kind() == ErrorKind::cancelled;
}

}  // namespace acmecpp::manager
