// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// HTTP-01 (RFC 8555 section 8.3): three ways to serve
/// http://NAME/.well-known/acme-challenge/TOKEN.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "acmecpp/api.hpp"
#include "acmecpp/shared_challenges.hpp"
#include "acmecpp/solver.hpp"

namespace acmecpp {

/// The path prefix under which HTTP-01 tokens are served.
inline constexpr std::string_view kHttp01PathPrefix = "/.well-known/acme-challenge/";

/// True when a token consists only of base64url characters (and is not empty), so that it is
/// safe to use as a file name or path segment.
ACMECPP_API bool is_valid_challenge_token(std::string_view token);

/// Answers HTTP-01 requests from a listener the caller owns (a proxy's port-80 handler), and is
/// the Solver that puts tokens there. Thread-safe.
class ACMECPP_API Http01Handler : public Solver {
 public:
  Http01Handler();
  ~Http01Handler() override;
  std::string type() const override { return "http-01"; }
  void present(const ChallengeTask& task) override;
  void cleanup(const ChallengeTask& task) noexcept override;

  /// For a request path like "/.well-known/acme-challenge/TOKEN" (query string ignored), the
  /// body to send with status 200 and Content-Type "application/octet-stream"; nullopt when the
  /// path is not a challenge this handler currently presents, nor one the shared table of
  /// answer_from() holds (answer 404 then).
  std::optional<std::string> response(std::string_view request_path) const;
  /// Answers tokens presented nowhere here from `shared` too (the proofs another node's
  /// SharedChallengeSolver put there, e.g. a RedisStore's shared_challenges()), so that a
  /// validation the load balancer sends to this node succeeds for an order placed by another;
  /// nullptr: only what is presented here.
  void answer_from(std::shared_ptr<SharedChallenges> shared);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

/// Serves HTTP-01 on its own listening socket (a small built-in HTTP/1.1 server on one thread of
/// its own), started at the first present() and stopped after the last cleanup(). Answers 200
/// with the key authorization for a presented token, 404 for anything else.
class ACMECPP_API Http01StandaloneSolver : public Solver {
 public:
  /// @param address interface to bind, e.g. "::" (IPv6 and IPv4 at once, IPV6_V6ONLY off;
  ///        0.0.0.0 where the machine has no IPv6), "0.0.0.0" or "127.0.0.1"
  /// @param port    TCP port, 80 in production
  Http01StandaloneSolver(std::string address, std::uint16_t port);
  ~Http01StandaloneSolver() override;
  std::string type() const override { return "http-01"; }
  void present(const ChallengeTask& task) override;
  void cleanup(const ChallengeTask& task) noexcept override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Writes ROOT/.well-known/acme-challenge/TOKEN for a web server that already serves ROOT,
/// and removes it at cleanup. Tokens outside the base64url alphabet are refused.
class ACMECPP_API Http01WebrootSolver : public Solver {
 public:
  explicit Http01WebrootSolver(std::string root);
  std::string type() const override { return "http-01"; }
  void present(const ChallengeTask& task) override;
  void cleanup(const ChallengeTask& task) noexcept override;

 private:
  std::string root_;
};

}  // namespace acmecpp
