// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// SharedChallengeSolver: HTTP-01 or TLS-ALPN-01 proofs put into a SharedChallenges (a Redis
/// store's, say) instead of a local listener, for whichever node the CA's validation reaches.

#include <chrono>
#include <memory>
#include <string>

#include "acmecpp/api.hpp"
#include "acmecpp/shared_challenges.hpp"
#include "acmecpp/solver.hpp"

namespace acmecpp {

/// Presents HTTP-01 or TLS-ALPN-01 challenges by putting their proofs into `shared`, where the
/// Http01Handler or TlsAlpn01Responder of every node answering from it (answer_from()) finds
/// them; cleanup() takes them out again. The node that orders needs no listener of its own:
///
/// @code
///   auto store = std::make_shared<acmecpp::RedisStore>(acmecpp::parse_redis_url(url));
///   config.store = store;
///   config.solvers = {std::make_shared<acmecpp::SharedChallengeSolver>(
///       store->shared_challenges(), "http-01")};
///   // on every node, the handler of its port-80 listener:
///   http01_handler->answer_from(store->shared_challenges());
/// @endcode
///
/// HTTP-01 proofs are kept under the token, with the key authorization as value; TLS-ALPN-01
/// proofs under the SNI the validator sends (the lower-cased name; for an IP address its
/// reverse-DNS name, RFC 8738 section 6), with "IDENTIFIER KEY_AUTHORIZATION" as value, so that
/// the answering node makes the challenge certificate itself.
class ACMECPP_API SharedChallengeSolver : public Solver {
 public:
  /// How long a proof is kept when cleanup() never comes (the presenting node died): longer than
  /// a CA takes to validate, short enough that nothing stale piles up.
  static constexpr std::chrono::milliseconds kDefaultTtl{std::chrono::minutes(10)};

  /// Throws Error(invalid_input) when `shared` is null or `type` is neither "http-01" nor
  /// "tls-alpn-01" (a DNS-01 record lives in DNS, where every node already sees it), or `ttl` is
  /// under a second.
  SharedChallengeSolver(std::shared_ptr<SharedChallenges> shared, std::string type,
                        std::chrono::milliseconds ttl = kDefaultTtl);

  std::string type() const override { return type_; }
  /// Throws ChallengeError for a token outside the base64url alphabet, a wildcard for
  /// TLS-ALPN-01, or when the proof cannot be kept (naming the name and why).
  void present(const ChallengeTask& task) override;
  void cleanup(const ChallengeTask& task) noexcept override;

 private:
  const std::shared_ptr<SharedChallenges> shared_;
  const std::string type_;
  const std::chrono::milliseconds ttl_;
};

}  // namespace acmecpp
