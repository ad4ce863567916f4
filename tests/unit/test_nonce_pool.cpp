// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <set>
#include <thread>
#include <vector>

#include "acme/nonce_pool.hpp"

using acmecpp::acme::NoncePool;

TEST_CASE("nonce pool hands out the freshest nonce once") {
  NoncePool pool(3);
  CHECK_FALSE(pool.take().has_value());
  pool.put("first");
  pool.put("second");
  CHECK(pool.size() == 2);
  CHECK(pool.take() == "second");
  CHECK(pool.take() == "first");
  CHECK_FALSE(pool.take().has_value());
}

TEST_CASE("nonce pool drops the oldest when full and refuses non-base64url values") {
  NoncePool pool(2);
  pool.put("a1");
  pool.put("b2");
  pool.put("c3");
  CHECK(pool.size() == 2);
  pool.put("bad nonce");
  pool.put("");
  pool.put("x+y/");
  CHECK(pool.size() == 2);
  CHECK(pool.take() == "c3");
  CHECK(pool.take() == "b2");
  pool.put("z9");
  pool.clear();
  CHECK(pool.size() == 0);
}

TEST_CASE("nonce pool never hands the same nonce to two threads") {
  NoncePool pool(1000);
  for (int i = 0; i < 1000; ++i) pool.put("n" + std::to_string(i));
  std::vector<std::vector<std::string>> taken(4);
  std::vector<std::thread> threads;
  for (auto& bucket : taken) {
    threads.emplace_back([&pool, &bucket] {
      while (auto nonce = pool.take()) bucket.push_back(*nonce);
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  std::size_t count = 0;
  for (const auto& bucket : taken) {
    count += bucket.size();
    all.insert(bucket.begin(), bucket.end());
  }
  CHECK(count == 1000);
  CHECK(all.size() == 1000);
}
