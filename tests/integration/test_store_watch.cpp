// SPDX-License-Identifier: Apache-2.0
// Change notices between nodes (issue 15, item 4) with a real redis-server on loopback: node B
// is a started CertManager serving from a RedisStore, node A another RedisStore object (another
// node's connection) storing and removing certificates; B serves what A stores, soon, through
// the notice (the periodic re-read is minutes away), and keeps serving through a Redis restart.
// The certificates come from a local CA: what is tested is the notice, not the ordering.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/redis_store.hpp"
#include "store/redis_watch.hpp"
#include "support/eventually.hpp"
#include "support/log_lines.hpp"
#include "support/redis_server.hpp"
#include "support/serving_certificates.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char* kResolver = "nodes";

/// A CertManager that only serves (nothing managed, so it never contacts the CA).
ManagerConfig serving_node(const RedisServer& server, LogLines& log) {
  ManagerConfig config;
  config.acme.directory_url = "https://127.0.0.1:9/directory";
  config.store = std::make_shared<RedisStore>(server.options());
  config.resolver = kResolver;
  config.log = log.sink();
  return config;
}

/// Redis; node A, another node's store object, which has stored a certificate for `first`; and
/// node B, started on the same Redis.
struct TwoNodes {
  explicit TwoNodes(const std::string& first)
      : node_a(server.options()), node_b(serving_node(server, log)) {
    node_a.save_certificate(kResolver, ca.issue({first}));
    node_b.start();
  }
  RedisServer server;
  LogLines log;
  LocalCa ca;
  RedisStore node_a;
  CertManager node_b;
};

std::string logged(LogLines& log) {
  std::lock_guard<std::mutex> lock(log.mutex);
  std::string text;
  for (const auto& line : log.lines) text += line + "\n";
  return text;
}

bool serves(const CertManager& node, const std::string& name) {
  return node.certificates()->find(name) != nullptr;
}

}  // namespace

TEST_CASE("a node serving from Redis takes up what another node stores and removes") {
  TwoNodes nodes("before.example.test");
  LocalCa& ca = nodes.ca;
  RedisStore& node_a = nodes.node_a;
  CertManager& node_b = nodes.node_b;
  CHECK(serves(node_b, "before.example.test"));  // read at start

  const auto record = ca.issue({"late.example.test", "www.late.example.test"});
  const auto stored_at = std::chrono::steady_clock::now();
  node_a.save_certificate(kResolver, record);
  REQUIRE(eventually([&] { return serves(node_b, "www.late.example.test"); }, 20s));
  const auto taken_after = std::chrono::steady_clock::now() - stored_at;
  MESSAGE("served by node B "
          << std::chrono::duration_cast<std::chrono::milliseconds>(taken_after).count()
          << " ms after node A stored it");
  const auto served = node_b.certificates()->find("late.example.test");
  REQUIRE(served);
  CHECK(served->names == record.names());

  // A new certificate for the same names replaces the served one.
  const auto renewed = ca.issue({"late.example.test", "www.late.example.test"});
  node_a.save_certificate(kResolver, renewed);
  CHECK(eventually(
      [&] {
        const auto now = node_b.certificates()->find("www.late.example.test");
        return now && now != served;
      },
      20s));

  // A notice for another resolver changes nothing here; notices come in order, so once the one
  // after it was taken up, it was seen and ignored.
  node_a.save_certificate("elsewhere", ca.issue({"other-resolver.example.test"}));
  node_a.save_certificate(kResolver, ca.issue({"marker.example.test"}));
  REQUIRE(eventually([&] { return serves(node_b, "marker.example.test"); }, 20s));
  CHECK_FALSE(serves(node_b, "other-resolver.example.test"));

  // Removed from the store: no longer served, under any of its names.
  CHECK(node_a.remove_certificate(kResolver, "late.example.test"));
  CHECK(eventually(
      [&] {
        return !serves(node_b, "late.example.test") && !serves(node_b, "www.late.example.test");
      },
      20s));
  CHECK(serves(node_b, "before.example.test"));
  node_b.stop();
}

TEST_CASE("a node keeps serving through a Redis restart and takes up what is stored after it") {
  TwoNodes nodes("kept.example.test");
  RedisServer& server = nodes.server;
  LocalCa& ca = nodes.ca;
  RedisStore& node_a = nodes.node_a;
  CertManager& node_b = nodes.node_b;
  REQUIRE(serves(node_b, "kept.example.test"));

  server.stop();
  CHECK(serves(node_b, "kept.example.test"));  // what it holds stays served
  std::this_thread::sleep_for(500ms);          // the watch finds Redis gone and tries again
  server.start();  // without persistence: its data is gone, and the node must not drop its own
  // Stored after the restart: taken up through a notice, or through the re-read the watch makes
  // when it listens again (whichever comes first).
  REQUIRE(eventually(
      [&] {
        try {
          node_a.save_certificate(kResolver, ca.issue({"after.example.test"}));
          return true;
        } catch (const Error&) {
          return false;  // Redis not back yet
        }
      },
      20s));
  const bool taken_up = eventually([&] { return serves(node_b, "after.example.test"); }, 20s);
  CHECK_MESSAGE(taken_up, logged(nodes.log));
  CHECK(serves(node_b, "kept.example.test"));
  node_b.stop();
}

TEST_CASE("change notices: what every certificate write publishes, and the watch's re-read") {
  CHECK(store::change_notice("le", "a.example.test") == "le\na.example.test");
  const auto parsed = store::parse_change_notice("multi\nline\na.example.test");
  REQUIRE(parsed);
  CHECK(parsed->first == "multi\nline");
  CHECK(parsed->second == "a.example.test");
  CHECK_FALSE(store::parse_change_notice("no line break").has_value());
  CHECK_FALSE(store::parse_change_notice("\na.example.test").has_value());
  CHECK_FALSE(store::parse_change_notice("resolver\n").has_value());

  RedisServer server;
  auto options = server.options();
  options.watch_resync = 1s;
  RedisStore store(options);
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> calls;
  auto watch = store.watch_certificates([&](const std::string& resolver, const std::string& main) {
    std::lock_guard<std::mutex> lock(mutex);
    calls.emplace_back(resolver, main);
  });
  REQUIRE(watch);
  LocalCa ca;
  {
    Store::Batch batch(store);
    store.save_certificate("le", ca.issue({"One.example.test"}));
    store.save_certificate("le", ca.issue({"two.example.test"}));
    batch.commit();
  }
  const auto count = [&](const std::pair<std::string, std::string>& call) {
    std::lock_guard<std::mutex> lock(mutex);
    return std::count(calls.begin(), calls.end(), call);
  };
  CHECK(eventually([&] {
    return count({"le", "one.example.test"}) == 1 && count({"le", "two.example.test"}) == 1;
  }));
  // The re-read every watch_resync (1 s here) is a call with empty names.
  CHECK(eventually([&] { return count({"", ""}) >= 1; }, 10s));
  watch.reset();
  const auto after_reset = [&] {
    std::lock_guard<std::mutex> lock(mutex);
    return calls.size();
  }();
  store.save_certificate("le", ca.issue({"three.example.test"}));
  std::this_thread::sleep_for(300ms);
  std::lock_guard<std::mutex> lock(mutex);
  CHECK(calls.size() == after_reset);  // none after the watch is gone

  CHECK_THROWS_AS(RedisStore([] {
                    RedisOptions o;
                    o.watch_resync = 10ms;
                    return o;
                  }()),
                  Error);
}
