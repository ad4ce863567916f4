// SPDX-License-Identifier: Apache-2.0
// CertManager serving a proxy against a real Pebble: manage() + start() fill certificates() in
// the background, a stored certificate is served without an order, due certificates are renewed
// while handshakes keep finding one, and on-demand issuance is allowed, refused, deduplicated and
// rate-limited. Orders are counted in Pebble's log ("POST /order-plz", one line per request).

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "core/ascii.hpp"
#include "support/event_log.hpp"
#include "support/eventually.hpp"
#include "support/issuing_fixture.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

namespace {

std::string serial_in_store(const IssuingFixture& f, const std::string& main) {
  for (const auto& record : AcmeJsonStore(f.store_path()).certificates("proxy")) {
    if (record.main == main) return parse_certificate(record.certificate_pem).serial_hex;
  }
  return "";
}

bool same_serial(const std::string& a, const std::string& b) {
  return core::equal_ignoring_ascii_case(a, b);
}

}  // namespace

TEST_CASE(
    "manage + start: missing certificates are obtained and served, stored ones need no order") {
  IssuingFixture f(counting_pebble_options());
  EventLog events;
  auto config = f.config();
  config.on_event = events.callback();
  {
    CertManager manager(config);
    manager.manage({"one.example.test", "www.one.example.test"});
    manager.manage({"two.example.test"});
    manager.start();
    const auto cache = manager.certificates();
    REQUIRE(eventually(
        [&] { return cache->find("www.one.example.test") && cache->find("two.example.test"); }));
    const auto one = cache->find("one.example.test");
    REQUIRE(one);
    CHECK(one == cache->find("WWW.one.example.test"));
    CHECK(one->names == std::vector<std::string>{"one.example.test", "www.one.example.test"});
    CHECK(same_serial(one->serial_hex, serial_in_store(f, "one.example.test")));
    CHECK(events.of_type(CertificateEventType::issued) == 2);
    CHECK(events.of_type(CertificateEventType::failed) == 0);
    CHECK(f.pebble.new_order_requests() == 2);
    const auto before = SteadyClock::now();
    manager.stop();
    CHECK(SteadyClock::now() - before < 2s);
  }

  // A new manager over the same store serves both as soon as start() returns, without an order.
  const std::size_t orders_before = f.pebble.new_order_requests();
  config.store = std::make_shared<AcmeJsonStore>(f.store_path());
  CertManager again(config);
  again.manage({"one.example.test", "www.one.example.test"});
  again.manage({"two.example.test"});
  again.start();
  const auto cache = again.certificates();
  REQUIRE(cache->find("one.example.test"));
  REQUIRE(cache->find("two.example.test"));
  CHECK(same_serial(cache->find("two.example.test")->serial_hex,
                    serial_in_store(f, "two.example.test")));
  // start() twice is a mistake the caller hears of.
  CHECK_THROWS_AS(again.start(), Error);
  // The first pass has run (and found nothing to do) well within this.
  std::this_thread::sleep_for(2s);
  CHECK(f.pebble.new_order_requests() == orders_before);
  CHECK(events.of_type(CertificateEventType::issued) == 2);
  // A name managed after start() is obtained at once, not at the next check (12 h away).
  again.manage({"three.example.test"});
  CHECK(eventually([&] { return cache->find("three.example.test") != nullptr; }));
  CHECK(f.pebble.new_order_requests() == orders_before + 1);
}

TEST_CASE("background renewal: the served certificate is replaced, never missing meanwhile") {
  PebbleOptions options = counting_pebble_options();
  options.validity_seconds = 16;  // due with half of it left (renewal_margin for short lifetimes)
  IssuingFixture f(options);
  EventLog events;
  auto config = f.config();
  config.on_event = events.callback();
  config.check_interval = 1s;
  CertManager manager(config);
  manager.manage({"renewed.example.test"});
  manager.start();
  const auto cache = manager.certificates();
  REQUIRE(eventually([&] { return cache->find("renewed.example.test") != nullptr; }));
  const std::string first_serial = cache->find("renewed.example.test")->serial_hex;

  // A handshake's view, as fast as it can ask, until the serial changed.
  std::atomic<std::size_t> lookups{0}, misses{0};
  std::string new_serial;
  const bool replaced = eventually(
      [&] {
        for (int i = 0; i < 1000; ++i) {
          const auto served = cache->find("renewed.example.test");
          ++lookups;
          if (!served) {
            ++misses;
            continue;
          }
          if (served->serial_hex != first_serial) {
            new_serial = served->serial_hex;
            return true;
          }
        }
        return false;
      },
      60s);
  manager.stop();
  MESSAGE("lookups while renewing: " << lookups.load());
  REQUIRE(replaced);
  CHECK(misses == 0);
  CHECK(events.of_type(CertificateEventType::renewed) >= 1);
  CHECK(events.of_type(CertificateEventType::failed) == 0);
  // What is served is what is stored (or the store already moved on to a later renewal).
  CHECK_FALSE(same_serial(serial_in_store(f, "renewed.example.test"), first_serial));
}

TEST_CASE(
    "on-demand: an allowed name is issued once and served, refused names never reach the CA") {
  IssuingFixture f(counting_pebble_options());
  auto config = f.config();
  config.on_demand.allow = [](std::string_view name) {
    return name.size() > 17 && name.substr(name.size() - 17) == ".ondemand.example";
  };
  config.on_demand.wait = 30s;
  CertManager manager(config);

  const auto issued = manager.certificate_for("Shop.ondemand.example");
  REQUIRE(issued);
  CHECK(issued->names == std::vector<std::string>{"shop.ondemand.example"});
  CHECK(manager.certificate_for("shop.ondemand.example") == issued);
  CHECK(manager.certificates()->find("shop.ondemand.example") == issued);
  CHECK(same_serial(issued->serial_hex, serial_in_store(f, "shop.ondemand.example")));
  CHECK(f.pebble.new_order_requests() == 1);

  // Not allowed, junk, or a wildcard: refused at once, no order.
  const auto before = SteadyClock::now();
  CHECK(manager.certificate_for("other.example.test") == nullptr);
  CHECK(manager.certificate_for("bad_name.ondemand.example") == nullptr);
  CHECK(manager.certificate_for("*.ondemand.example") == nullptr);
  CHECK(manager.certificate_for("") == nullptr);
  CHECK(SteadyClock::now() - before < 1s);
  CHECK(f.pebble.new_order_requests() == 1);

  // Without a policy nothing unknown is ever ordered.
  auto plain = f.config();
  CertManager without_policy(plain);
  CHECK(without_policy.certificate_for("x.ondemand.example") == nullptr);
  CHECK(f.pebble.new_order_requests() == 1);
}

TEST_CASE("on-demand: handshakes asking for one name at once order it once") {
  IssuingFixture f(counting_pebble_options());
  auto config = f.config();
  config.on_demand.allow = [](std::string_view) { return true; };
  config.on_demand.wait = 60s;
  CertManager manager(config);
  std::vector<std::shared_ptr<const ServingCertificate>> results(20);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = manager.certificate_for("same.example.test"); });
  }
  for (auto& thread : threads) thread.join();
  REQUIRE(results[0]);
  for (const auto& result : results) CHECK(result == results[0]);
  CHECK(f.pebble.new_order_requests() == 1);
}

TEST_CASE("on-demand: a flood of 1000 random names is held to the token bucket") {
  IssuingFixture f(counting_pebble_options());
  auto config = f.config();
  config.on_demand.allow = [](std::string_view name) {
    return name.size() > 14 && name.substr(name.size() - 14) == ".flood.example";
  };
  config.on_demand.wait = 0ms;  // handshakes never wait: refusals and starts alike return at once
  config.on_demand.burst = 3;
  config.on_demand.refill_interval = 500ms;
  std::mutex refusals_mutex;
  std::vector<std::string> refusals;  // the log lines that refuse a name
  config.log = [&](LogLevel, std::string_view line) {
    if (line.find("refused") == std::string_view::npos) return;
    std::lock_guard<std::mutex> lock(refusals_mutex);
    refusals.emplace_back(line);
  };
  const auto begin = SteadyClock::now();
  CertManager manager(config);

  // 8 threads, 125 names each, spread over about 2.5 s so that refills count; every name is
  // asked twice in a row (a refusal is logged once per name).
  constexpr int kThreads = 8, kPerThread = 125;
  std::vector<std::vector<double>> millis(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 random(static_cast<unsigned>(t) * 7919U + 1U);
      for (int i = 0; i < kPerThread; ++i) {
        const std::string name = "n" + std::to_string(random()) + ".flood.example";
        for (int ask = 0; ask < 2; ++ask) {
          const auto start = SteadyClock::now();
          manager.certificate_for(name);
          millis[t].push_back(
              std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count());
        }
        std::this_thread::sleep_for(20ms);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto flood_time = SteadyClock::now() - begin;
  // Let the issuances started finish: the store stops growing.
  std::size_t stored = 0;
  eventually(
      [&, stable_since = SteadyClock::now()]() mutable {
        const auto now_stored = AcmeJsonStore(f.store_path()).certificates("proxy").size();
        if (now_stored != stored) {
          stored = now_stored;
          stable_since = SteadyClock::now();
        }
        return SteadyClock::now() - stable_since > 3s;
      },
      60s);
  manager.stop();

  std::vector<double> all;
  for (const auto& list : millis) all.insert(all.end(), list.begin(), list.end());
  std::sort(all.begin(), all.end());
  const double median = all[all.size() / 2], worst = all.back();
  const auto refills = static_cast<std::size_t>(flood_time / config.on_demand.refill_interval);
  const std::size_t allowed = config.on_demand.burst + refills;
  const std::size_t made = f.pebble.new_order_requests();
  MESSAGE("flood: " << all.size() << " asks in "
                    << std::chrono::duration<double>(flood_time).count() << " s, orders " << made
                    << " (bound " << allowed << "), stored " << stored << ", refusals logged "
                    << refusals.size() << ", median " << median << " ms, worst " << worst << " ms");
  CHECK(made <= allowed);
  CHECK(made > config.on_demand.burst);  // the refills let more through than the burst
  CHECK(stored == made);                 // every order started was completed and stored
  // Every name not ordered was refused and logged, each once though asked twice (a name
  // refused at its first ask may get a refilled token at its second).
  std::sort(refusals.begin(), refusals.end());
  CHECK(std::adjacent_find(refusals.begin(), refusals.end()) == refusals.end());
  CHECK(refusals.size() + made >= 1000);
  CHECK(refusals.size() <= 1000);
  CHECK(median < 5.0);
  CHECK(worst < 1000.0);
}
