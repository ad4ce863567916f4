// SPDX-License-Identifier: Apache-2.0
#pragma once
// RedisStore's change notices: every write of certificates publishes "<resolver>\n<main>" on
// "P:changes" in the same MULTI/EXEC, and a RedisWatch listens there on a connection and a thread
// of its own, reconnecting with backoff after an outage (then, and periodically, it asks its
// user to read everything again: notices sent meanwhile are lost, pub/sub keeps none).

#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "acmecpp/redis_store.hpp"
#include "acmecpp/stop_token.hpp"
#include "acmecpp/store.hpp"
#include "store/redis_connection.hpp"

namespace acmecpp::store {

/// The payload of a notice for the certificate `main` of `resolver`.
std::string change_notice(const std::string& resolver, const std::string& main);
/// The (resolver, main) of a notice; nullopt when it is not one.
std::optional<std::pair<std::string, std::string>> parse_change_notice(const std::string& payload);

class RedisWatch : public StoreWatch {
 public:
  /// Starts listening on `channel`; returns once it listens, or once its first attempt failed
  /// (it keeps trying then, every 100 ms doubling to 5 s).
  RedisWatch(RedisOptions options, std::string channel, CertificateChangeCallback changed);
  /// Stops listening and waits for the thread (at most a connect timeout).
  ~RedisWatch() override;
  RedisWatch(const RedisWatch&) = delete;
  RedisWatch& operator=(const RedisWatch&) = delete;

 private:
  void run() noexcept;
  /// The constructor may return: on the thread, once.
  void first_attempt_over() noexcept;
  void notify(const std::string& resolver, const std::string& main) noexcept;

  RedisConnection connection_;
  const std::string channel_;
  const CertificateChangeCallback changed_;
  const std::chrono::milliseconds resync_;
  StopSource stop_;  // the one cancellable wait (the backoff) and the listen loop's question
  std::promise<void> first_attempt_;
  bool first_attempt_told_ = false;  // only the thread touches it
  std::thread thread_;               // last: started when everything it uses is there
};

}  // namespace acmecpp::store
