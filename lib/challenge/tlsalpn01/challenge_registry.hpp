// SPDX-License-Identifier: Apache-2.0
#pragma once
// The challenge certificates presented right now, by name: what TlsAlpn01Responder holds and
// what the handshake callbacks installed on an SSL_CTX look up (they share it by shared_ptr, so
// an SSL_CTX may outlive the responder).

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "acmecpp/solver.hpp"
#include "acmecpp/tlsalpn01.hpp"

namespace acmecpp::tlsalpn01 {

/// Thread-safe.
class ChallengeRegistry {
 public:
  /// Makes and keeps the certificate for task.identifier (lower-cased; an IP address under its
  /// reverse-DNS name, the SNI of RFC 8738 section 6), or counts one more presentation of the same
  /// task. Throws ChallengeError for a wildcard or empty identifier, a
  /// name presented with another key authorization, or a certificate that cannot be made.
  void add(const ChallengeTask& task);
  /// Undoes one add() of this task; does nothing for a task it does not hold (one whose add()
  /// failed, or one for the same name with another key authorization).
  void remove(const ChallengeTask& task) noexcept;
  /// The certificate for an SNI name (any case, a trailing dot ignored), or nullptr. An empty name
  /// (no SNI) finds the only presented challenge when it is for an IP address.
  std::shared_ptr<const TlsAlpn01Certificate> find(std::string_view server_name) const;

 private:
  struct Presented {
    std::string key_authorization;
    std::shared_ptr<const TlsAlpn01Certificate> certificate;
    int references = 0;
  };

  mutable std::mutex mutex_;
  std::map<std::string, Presented, std::less<>> by_name_;
};

}  // namespace acmecpp::tlsalpn01
