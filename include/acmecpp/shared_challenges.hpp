// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Challenge proofs kept where every node sharing a store can read them (SharedChallenges), so
/// that the CA's validation request may reach any node: the node that ordered needs no listener,
/// and the one the load balancer picks answers. A Store hands its own out
/// (Store::shared_challenges(): RedisStore has one); SharedChallengeSolver (in
/// shared_challenge_solver.hpp) puts the proofs there, and Http01Handler and TlsAlpn01Responder
/// answer from there (their answer_from()).

#include <chrono>
#include <optional>
#include <string>

#include "acmecpp/api.hpp"

namespace acmecpp {

/// A small shared table of challenge proofs, each under a challenge type ("http-01",
/// "tls-alpn-01") and a key (the HTTP-01 token; the SNI a TLS-ALPN-01 validator sends), kept for
/// a limited time. Implementations are thread-safe and shared by every node of one store.
class ACMECPP_API SharedChallenges {
 public:
  virtual ~SharedChallenges();

  /// Keeps `value` under (`type`, `key`) for `ttl` at most, replacing what was kept there.
  /// Throws Error(storage) when it cannot be kept.
  virtual void put(const std::string& type, const std::string& key, const std::string& value,
                   std::chrono::milliseconds ttl) = 0;
  /// What is kept under (`type`, `key`); nullopt when nothing is, and also when the place cannot
  /// be reached (a lookup made while answering a validation never throws).
  virtual std::optional<std::string> get(const std::string& type,
                                         const std::string& key) const noexcept = 0;
  /// Removes (`type`, `key`) if it still holds `value` (another node may have put its own proof
  /// there since); an unreachable place is left to the entry's expiry.
  virtual void remove(const std::string& type, const std::string& key,
                      const std::string& value) noexcept = 0;
};

}  // namespace acmecpp
