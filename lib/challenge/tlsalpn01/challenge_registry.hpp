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

#include "acmecpp/shared_challenges.hpp"
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
  /// (no SNI) finds the only presented challenge when it is for an IP address. A name presented
  /// nowhere here is looked up in the shared table, when there is one (answer_from()).
  std::shared_ptr<const TlsAlpn01Certificate> find(std::string_view server_name) const;
  /// Answers from `shared` too, for the names nothing is presented for here; nullptr: only here.
  void answer_from(std::shared_ptr<SharedChallenges> shared);

 private:
  /// The certificate for a proof another node put into the shared table, made here once for
  /// each key authorization (a validator connects several times), or nullptr.
  std::shared_ptr<const TlsAlpn01Certificate> find_shared(const std::string& server_name) const;

  struct MadeFromShared {
    std::string key_authorization;
    std::shared_ptr<const TlsAlpn01Certificate> certificate;
  };

  struct Presented {
    std::string key_authorization;
    std::shared_ptr<const TlsAlpn01Certificate> certificate;
    int references = 0;
  };

  mutable std::mutex mutex_;
  std::map<std::string, Presented, std::less<>> by_name_;
  std::shared_ptr<SharedChallenges> shared_;
  mutable std::map<std::string, MadeFromShared, std::less<>> made_from_shared_;
};

}  // namespace acmecpp::tlsalpn01
