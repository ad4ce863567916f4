// SPDX-License-Identifier: Apache-2.0
#include "store/redis_challenges.hpp"

#include <utility>

namespace acmecpp::store {

RedisChallenges::RedisChallenges(RedisOptions options) : connection_(std::move(options)) {}

std::string RedisChallenges::key_of(const std::string& type, const std::string& key) const {
  return connection_.options().prefix + ":challenge:" + redis_key_part(type) + ":" +
         redis_key_part(key);
}

void RedisChallenges::put(const std::string& type, const std::string& key, const std::string& value,
                          std::chrono::milliseconds ttl) {
  connection_.command({"SET", key_of(type, key), value, "PX", std::to_string(ttl.count())});
}

std::optional<std::string> RedisChallenges::get(const std::string& type,
                                                const std::string& key) const noexcept {
  try {
    const auto reply = connection_.command({"GET", key_of(type, key)});
    if (reply->type != REDIS_REPLY_STRING) return std::nullopt;
    return reply_text(*reply);
  } catch (...) {
    return std::nullopt;  // unreachable: this node cannot answer, another may
  }
}

void RedisChallenges::remove(const std::string& type, const std::string& key,
                             const std::string& value) noexcept {
  try {
    connection_.delete_if_equal(key_of(type, key), value);  // only the proof this node put
  } catch (...) {
    // Unreachable: the proof lapses with its expiry.
  }
}

}  // namespace acmecpp::store
