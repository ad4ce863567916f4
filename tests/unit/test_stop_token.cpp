// SPDX-License-Identifier: Apache-2.0
// The stop token every long wait observes (include/acmecpp/stop_token.hpp): waits end when stop
// is requested from another thread, callbacks run exactly once, a callback's registration waits
// for it. Built into tsan_tests too, so that a ThreadSanitizer tree checks it.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "acmecpp/error.hpp"
#include "acmecpp/stop_token.hpp"
#include "support/stop_later.hpp"

using acmecpp::StopCallback;
using acmecpp::StopSource;
using acmecpp::StopToken;
using acmecpp::testing::StopLater;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

TEST_CASE("a stop token's wait lasts its duration when nobody asks to stop") {
  StopSource source;
  const auto started = Clock::now();
  CHECK(source.token().wait_for(30ms));
  CHECK(Clock::now() - started >= 30ms);
  CHECK_FALSE(source.token().stop_requested());
}

TEST_CASE("a stop token's wait ends as soon as another thread requests stop") {
  StopSource source;
  const StopToken token = source.token();
  const auto started = Clock::now();
  {
    StopLater stop(source, 100ms);
    CHECK_FALSE(token.wait_for(std::chrono::minutes(10)));
  }
  const auto waited = Clock::now() - started;
  CHECK(waited >= 100ms);
  CHECK(waited < 1s);
  CHECK(token.stop_requested());
  // Once stopped, every wait returns at once, also until a deadline and for "for ever".
  CHECK_FALSE(token.wait_until(Clock::now() + std::chrono::hours(1)));
  CHECK_FALSE(token.wait_for(Clock::duration::max()));
  CHECK(Clock::now() - started < 1s);
}

TEST_CASE("every waiter on a stop token wakes, and a copy of the token sees the stop") {
  StopSource source;
  std::atomic<int> woken{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < 8; ++i) {
    waiters.emplace_back([token = source.token(), &woken] {
      if (!token.wait_for(std::chrono::minutes(10))) ++woken;
    });
  }
  std::this_thread::sleep_for(50ms);
  const auto started = Clock::now();
  CHECK(source.request_stop());
  for (auto& t : waiters) t.join();
  CHECK(Clock::now() - started < 1s);
  CHECK(woken == 8);
}

TEST_CASE("a default stop token never stops and its waits sleep") {
  const StopToken token;
  CHECK_FALSE(token.stop_possible());
  CHECK_FALSE(token.stop_requested());
  CHECK(token.wait_for(10ms));
  CHECK_NOTHROW(token.throw_if_stopped("nothing"));
  // A callback on it never runs.
  bool ran = false;
  {
    const StopCallback callback(token, [&ran] { ran = true; });
  }
  CHECK_FALSE(ran);
}

TEST_CASE("a stop is requested once however many threads ask, and callbacks run once") {
  StopSource source;
  std::atomic<int> first_calls{0};
  std::atomic<int> a{0};
  std::atomic<int> b{0};
  const StopCallback callback_a(source.token(), [&a] { ++a; });
  const StopCallback callback_b(source.token(), [&b] { ++b; });
  std::vector<std::thread> askers;
  for (int i = 0; i < 8; ++i) {
    askers.emplace_back([source, &first_calls]() mutable {
      if (source.request_stop()) ++first_calls;
    });
  }
  for (auto& t : askers) t.join();
  CHECK(first_calls == 1);
  CHECK(a == 1);
  CHECK(b == 1);
  CHECK_FALSE(source.request_stop());
  CHECK(a == 1);
}

TEST_CASE("a stop callback registered after the stop runs at once, one removed before never") {
  StopSource source;
  int removed_runs = 0;
  {
    const StopCallback removed(source.token(), [&removed_runs] { ++removed_runs; });
  }
  source.request_stop();
  CHECK(removed_runs == 0);
  int late_runs = 0;
  const StopCallback late(source.token(), [&late_runs] { ++late_runs; });
  CHECK(late_runs == 1);
}

TEST_CASE("removing a stop callback waits until it has returned on the stopping thread") {
  StopSource source;
  std::atomic<bool> entered{false};
  std::atomic<bool> finished{false};
  std::optional<StopCallback> callback;
  callback.emplace(source.token(), [&] {
    entered = true;
    std::this_thread::sleep_for(200ms);
    finished = true;
  });
  std::thread stopper([source]() mutable { source.request_stop(); });
  while (!entered) std::this_thread::yield();
  callback.reset();  // must not return while the callback still runs
  CHECK(finished);
  stopper.join();
}

TEST_CASE("a stop callback may remove its own registration") {
  StopSource source;
  std::optional<StopCallback> callback;
  bool ran = false;
  callback.emplace(source.token(), [&] {
    ran = true;
    callback.reset();  // would deadlock if the destructor waited for itself
  });
  source.request_stop();
  CHECK(ran);
  CHECK_FALSE(callback.has_value());
}

TEST_CASE("throw_if_stopped throws Error(cancelled) saying what was stopped") {
  StopSource source;
  CHECK_NOTHROW(source.token().throw_if_stopped("polling"));
  source.request_stop();
  try {
    source.token().throw_if_stopped("polling order https://ca.test/order/1");
    FAIL("expected Error(cancelled)");
  } catch (const acmecpp::Error& e) {
    CHECK(e.kind() == acmecpp::ErrorKind::cancelled);
    CHECK(std::string(e.what()) == "cancelled: polling order https://ca.test/order/1");
  }
}
