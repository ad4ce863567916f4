// SPDX-License-Identifier: Apache-2.0
#pragma once
// RedisStore's SharedChallenges: "P:challenge:<type>:<key>" with the proof as value and an
// expiry, on a connection of its own, so that a validation's lookup never waits behind the
// store's long reads.

#include <chrono>
#include <optional>
#include <string>

#include "acmecpp/redis_store.hpp"
#include "acmecpp/shared_challenges.hpp"
#include "store/redis_connection.hpp"

namespace acmecpp::store {

class RedisChallenges : public SharedChallenges {
 public:
  explicit RedisChallenges(RedisOptions options);

  void put(const std::string& type, const std::string& key, const std::string& value,
           std::chrono::milliseconds ttl) override;
  std::optional<std::string> get(const std::string& type,
                                 const std::string& key) const noexcept override;
  void remove(const std::string& type, const std::string& key,
              const std::string& value) noexcept override;

 private:
  std::string key_of(const std::string& type, const std::string& key) const;

  mutable RedisConnection connection_;
};

}  // namespace acmecpp::store
