// SPDX-License-Identifier: Apache-2.0
// The token bucket over on-demand orders, with an injected clock so that refills need no waiting.

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "manager/token_bucket.hpp"

using namespace acmecpp::manager;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

/// A clock the test moves by hand.
struct ManualClock {
  SteadyClock::time_point now{seconds(1000)};
  SteadyNow function() {
    return [this] { return now; };
  }
};

std::size_t take_all(TokenBucket& bucket) {
  std::size_t taken = 0;
  while (bucket.try_take()) ++taken;
  return taken;
}

}  // namespace

TEST_CASE("token bucket: starts full, grants `capacity`, then refuses") {
  ManualClock clock;
  TokenBucket bucket(3, seconds(6), clock.function());
  CHECK(bucket.available() == 3);
  CHECK(take_all(bucket) == 3);
  CHECK_FALSE(bucket.try_take());
  CHECK(bucket.available() == 0);
}

TEST_CASE("token bucket: one token per refill interval, partial intervals carried over") {
  ManualClock clock;
  TokenBucket bucket(3, seconds(6), clock.function());
  take_all(bucket);
  clock.now += seconds(5);
  CHECK_FALSE(bucket.try_take());
  clock.now += seconds(1);  // 6 s since empty
  CHECK(bucket.try_take());
  CHECK_FALSE(bucket.try_take());
  clock.now += seconds(4);
  CHECK_FALSE(bucket.try_take());
  clock.now += seconds(2);  // 12 s since empty: the second token, the 4 s were not lost
  CHECK(bucket.try_take());
  clock.now += seconds(13);  // two more intervals and a bit
  CHECK(take_all(bucket) == 2);
}

TEST_CASE("token bucket: a long quiet spell refills to capacity, never beyond") {
  ManualClock clock;
  TokenBucket bucket(3, seconds(6), clock.function());
  take_all(bucket);
  clock.now += std::chrono::hours(24);
  CHECK(take_all(bucket) == 3);
  // Full for a day: no credit accumulated while full, the next token is one interval away.
  clock.now += std::chrono::hours(24);
  CHECK(take_all(bucket) == 3);
  clock.now += seconds(5);
  CHECK_FALSE(bucket.try_take());
  clock.now += seconds(1);
  CHECK(bucket.try_take());
}

TEST_CASE("token bucket: zero capacity grants nothing, a zero interval no limit") {
  ManualClock clock;
  TokenBucket empty(0, seconds(1), clock.function());
  CHECK_FALSE(empty.try_take());
  clock.now += std::chrono::hours(1);
  CHECK_FALSE(empty.try_take());

  // A zero interval puts no limit on the rate: every take is granted.
  TokenBucket unlimited(2, milliseconds(0), clock.function());
  for (int i = 0; i < 100; ++i) REQUIRE(unlimited.try_take());
}

TEST_CASE("token bucket: concurrent takers get exactly `capacity` tokens") {
  ManualClock clock;
  TokenBucket bucket(50, seconds(60), clock.function());
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (bucket.try_take()) ++granted;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(granted == 50);
}
