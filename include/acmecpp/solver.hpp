// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The interface every challenge solver implements (HTTP-01, TLS-ALPN-01, DNS-01).

#include <string>

#include "acmecpp/api.hpp"
#include "acmecpp/stop_token.hpp"

namespace acmecpp {

/// Everything a solver needs to present one challenge.
struct ACMECPP_API ChallengeTask {
  std::string type;               ///< "http-01", "tls-alpn-01", "dns-01"
  std::string identifier;         ///< the DNS name (without "*.") or IP address being validated
  bool wildcard = false;          ///< the order asked for "*.<identifier>"
  std::string token;              ///< the challenge token (base64url)
  std::string key_authorization;  ///< token "." base64url(JWK thumbprint); a secret: never log it
  /// The order's stop token (CertManager passes its own): a solver's waits end when stop is
  /// requested, with Error(cancelled).
  StopToken stop;
};

/// Makes the ACME server's validation of one challenge type succeed.
/// present() and cleanup() may be called from several threads for different tasks at once.
class ACMECPP_API Solver {
 public:
  virtual ~Solver() = default;
  /// The challenge type this solver answers, e.g. "http-01".
  virtual std::string type() const = 0;
  /// Makes the proof available; throws ChallengeError when it cannot.
  virtual void present(const ChallengeTask& task) = 0;
  /// Returns once the proof presented for `task` can be seen by the CA (DNS-01 waits for the
  /// record on the zone's authoritative servers here); throws ChallengeError when it gives up,
  /// Error(cancelled) when stop is requested on task.stop.
  /// Called after every task of an order was presented, so records sharing a name are all
  /// published before any is checked. The default returns at once.
  virtual void wait_until_visible(const ChallengeTask& task) { (void)task; }
  /// Withdraws the proof. Called after every present(), whatever the outcome; must not throw.
  virtual void cleanup(const ChallengeTask& task) noexcept = 0;
};

}  // namespace acmecpp
