// SPDX-License-Identifier: Apache-2.0
#include "store/redis_watch.hpp"

#include <algorithm>

namespace acmecpp::store {

namespace {

constexpr auto kFirstBackoff = std::chrono::milliseconds(100);
constexpr auto kLongestBackoff = std::chrono::milliseconds(5000);

}  // namespace

std::string change_notice(const std::string& resolver, const std::string& main) {
  return resolver + "\n" + main;
}

std::optional<std::pair<std::string, std::string>> parse_change_notice(const std::string& payload) {
  // The main name is a DNS name or an IP address: the last line break ends the resolver.
  const auto end = payload.rfind('\n');
  if (end == std::string::npos || end == 0 || end + 1 == payload.size()) return std::nullopt;
  return std::make_pair(payload.substr(0, end), payload.substr(end + 1));
}

RedisWatch::RedisWatch(RedisOptions options, std::string channel, CertificateChangeCallback changed)
    : connection_(options),
      channel_(std::move(channel)),
      changed_(std::move(changed)),
      resync_(options.watch_resync) {
  auto over = first_attempt_.get_future();
  thread_ = std::thread([this] { run(); });
  over.wait_for(options.connect_timeout + options.command_timeout);
}

RedisWatch::~RedisWatch() {
  stop_.request_stop();
  thread_.join();
}

void RedisWatch::first_attempt_over() noexcept {
  if (first_attempt_told_) return;
  first_attempt_told_ = true;
  first_attempt_.set_value();
}

void RedisWatch::notify(const std::string& resolver, const std::string& main) noexcept {
  try {
    changed_(resolver, main);
  } catch (...) {
    // The callback must not throw; if it does, the watch goes on (no exception leaves a thread).
  }
}

void RedisWatch::run() noexcept {
  const StopToken stop = stop_.token();
  auto backoff = kFirstBackoff;
  bool listened_before = false;
  while (!stop.stop_requested()) {
    auto next_resync = std::chrono::steady_clock::now() + resync_;
    try {
      connection_.listen(
          channel_,
          [&] {
            // After an outage: the notices sent meanwhile are lost, read everything again.
            if (listened_before) notify({}, {});
            listened_before = true;
            backoff = kFirstBackoff;
            first_attempt_over();
          },
          [&](const std::string& payload) {
            if (const auto notice = parse_change_notice(payload)) {
              notify(notice->first, notice->second);
            }
          },
          [&] {
            if (stop.stop_requested()) return false;
            const auto now = std::chrono::steady_clock::now();
            if (now >= next_resync) {
              // The safety net: a notice lost in flight is caught up with at the latest now.
              next_resync = now + resync_;
              notify({}, {});
            }
            return true;
          });
    } catch (...) {
      // Redis unreachable or the connection broke: try again after the backoff.
    }
    first_attempt_over();
    if (!stop.wait_for(backoff)) return;
    backoff = std::min(backoff * 2,
                       std::chrono::duration_cast<std::chrono::milliseconds>(kLongestBackoff));
  }
}

}  // namespace acmecpp::store
