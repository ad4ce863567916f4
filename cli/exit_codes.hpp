// SPDX-License-Identifier: Apache-2.0
#pragma once
// acmectl's documented exit codes (README.md, "Exit codes"): one per error kind.

#include "acmecpp/error.hpp"

namespace acmectl {

enum ExitCode : int {
  kSuccess = 0,
  kUnexpected = 1,
  kUsage = 2,
  kInvalidInput = 3,
  kConfig = 4,
  kNetwork = 5,
  kServerProblem = 6,
  kProtocol = 7,
  kChallenge = 8,
  kStorage = 9,
  kCrypto = 10,
  kSomeFailed = 11,  ///< renew, issue --batch: at least one certificate could not be obtained
  kSomeRenewalsFailed = kSomeFailed,  ///< the name it had when only renew could fail in part
  kHookFailed = 12,                   ///< a hook failed or timed out; the certificates were kept
  kCancelled = 13,                    ///< stopped (e.g. by a signal) before it finished
  kCaTimeout = 14,  ///< the CA did not finish in time (order/authorization never left its state)
  kStoreBusy = 15,  ///< another process held the store's lock longer than --lock-timeout
};

inline int exit_code_for(acmecpp::ErrorKind kind) {
  switch (kind) {
    case acmecpp::ErrorKind::invalid_input:
      return kInvalidInput;
    case acmecpp::ErrorKind::config:
      return kConfig;
    case acmecpp::ErrorKind::network:
      return kNetwork;
    case acmecpp::ErrorKind::server_problem:
      return kServerProblem;
    case acmecpp::ErrorKind::protocol:
      return kProtocol;
    case acmecpp::ErrorKind::challenge:
      return kChallenge;
    case acmecpp::ErrorKind::storage:
      return kStorage;
    case acmecpp::ErrorKind::crypto:
      return kCrypto;
    case acmecpp::ErrorKind::cancelled:
      return kCancelled;
    case acmecpp::ErrorKind::ca_timeout:
      return kCaTimeout;
    case acmecpp::ErrorKind::busy:
      return kStoreBusy;
  }
  return kUnexpected;
}

}  // namespace acmectl
