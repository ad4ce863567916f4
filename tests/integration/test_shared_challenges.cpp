// SPDX-License-Identifier: Apache-2.0
// Challenges any node answers (issue 15, item 3), against a real Pebble and a real
// redis-server on loopback: node A orders with no challenge listener at all, its proofs go to
// Redis (SharedChallengeSolver on its RedisStore), and node B, a proxy's port-80 or port-443
// listener that presents nothing itself, answers Pebble's validation from Redis. Also the Redis
// table itself: expiry, compare-and-delete, prefixes, an unreachable Redis.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/http01.hpp"
#include "acmecpp/redis_store.hpp"
#include "acmecpp/shared_challenge_solver.hpp"
#include "acmecpp/tlsalpn01.hpp"
#include "support/http01_listener.hpp"
#include "support/pebble_env.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_probe.hpp"
#include "support/tls_test_proxy.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;

namespace {

PebbleEnv fresh_challenges_pebble() {
  PebbleOptions options;
  options.authz_reuse_percent = 0;  // every order is validated, none reuses an earlier one
  return PebbleEnv(options);
}

/// Node A: a CertManager on Redis whose only solver puts proofs into Redis.
ManagerConfig node_a_config(const PebbleEnv& pebble, const RedisServer& server,
                            const std::string& type) {
  auto store = std::make_shared<RedisStore>(server.options());
  ManagerConfig config = pebble_manager_config(pebble, "unused", nullptr);
  config.store = store;
  config.resolver = "nodes";
  config.solvers = {std::make_shared<SharedChallengeSolver>(store->shared_challenges(), type)};
  return config;
}

/// The keys under PREFIX:challenge:* (redis-cli, outside the code under test).
std::vector<std::string> challenge_keys(const RedisServer& server, const std::string& prefix) {
  const auto result = run_process(
      {"redis-cli", "-p", std::to_string(server.port()), "--raw", "KEYS", prefix + ":challenge:*"});
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  std::vector<std::string> keys;
  std::size_t start = 0;
  while (start < result.out.size()) {
    const auto end = result.out.find('\n', start);
    const auto line = result.out.substr(start, end - start);
    if (!line.empty()) keys.push_back(line);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::string redis_cli(const RedisServer& server, const std::vector<std::string>& words) {
  std::vector<std::string> argv{"redis-cli", "-p", std::to_string(server.port()), "--raw"};
  argv.insert(argv.end(), words.begin(), words.end());
  const auto result = run_process(argv);
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  return result.out;
}

void check_names(const IssuedCertificate& issued, std::vector<std::string> names) {
  std::vector<std::string> actual = issued.info.dns_names;
  std::sort(names.begin(), names.end());
  std::sort(actual.begin(), actual.end());
  CHECK(actual == names);
}

}  // namespace

TEST_CASE("an order node A places is validated through node B's HTTP-01 handler from Redis") {
  PebbleEnv pebble = fresh_challenges_pebble();
  RedisServer server;
  // Node B: a proxy's port-80 listener (the only one Pebble can reach) presenting nothing itself.
  RedisStore node_b(server.options());
  auto handler = std::make_shared<Http01Handler>();
  handler->answer_from(node_b.shared_challenges());
  Http01Listener listener(handler, pebble.http_port());

  const std::vector<std::string> names{"nodes.example.test", "www.nodes.example.test",
                                       "api.nodes.example.test"};
  CertManager node_a(node_a_config(pebble, server, "http-01"));
  try {
    check_names(node_a.obtain(names), names);
  } catch (const Error& error) {
    FAIL("obtain failed: " << error.what() << "\nPebble log:\n" << pebble.pebble_log());
  }
  // Every proof was taken out of Redis again, and node B sees the certificate node A stored.
  CHECK(challenge_keys(server, "acme").empty());
  CHECK_FALSE(handler->response("/.well-known/acme-challenge/anything").has_value());
  const auto stored = node_b.certificates_named("nodes", "nodes.example.test");
  REQUIRE(stored.size() == 1);
  CHECK(stored.front().sans ==
        std::vector<std::string>{"www.nodes.example.test", "api.nodes.example.test"});
}

TEST_CASE("an order node A places is validated through node B's TLS-ALPN-01 responder from Redis") {
  PebbleEnv pebble = fresh_challenges_pebble();
  RedisServer server;
  RedisStore node_b(server.options());
  TlsAlpn01Responder responder;
  responder.answer_from(node_b.shared_challenges());
  TlsTestProxy proxy(responder, pebble.tls_port());

  const std::vector<std::string> names{"alpn-nodes.example.test", "www.alpn-nodes.example.test"};
  CertManager node_a(node_a_config(pebble, server, "tls-alpn-01"));
  try {
    check_names(node_a.obtain(names), names);
  } catch (const Error& error) {
    FAIL("obtain failed: " << error.what() << "\nPebble log:\n" << pebble.pebble_log());
  }
  CHECK(challenge_keys(server, "acme").empty());
  // The proxy goes on serving its own certificate to normal handshakes.
  const auto normal = tls_probe(proxy.port(), TlsTestProxy::kProxyName, {"h2"});
  CHECK(normal.completed);
  CHECK(normal.alpn == "h2");
}

TEST_CASE("Redis keeps a shared proof with its expiry and removes only the same proof") {
  RedisServer server;
  RedisStore store(server.options("edge"));
  auto table = store.shared_challenges();
  REQUIRE(table);
  CHECK(store.shared_challenges() == table);  // the same object every time

  table->put("http-01", "tok:en%1", "proof-1", 30s);
  CHECK(challenge_keys(server, "edge") ==
        std::vector<std::string>{"edge:challenge:http-01:tok%3Aen%251"});
  const auto ttl_ms = std::stol(redis_cli(server, {"PTTL", "edge:challenge:http-01:tok%3Aen%251"}));
  CHECK(ttl_ms > 25000);
  CHECK(ttl_ms <= 30000);
  CHECK(table->get("http-01", "tok:en%1") == "proof-1");
  CHECK_FALSE(table->get("tls-alpn-01", "tok:en%1").has_value());
  // Another prefix is another table.
  CHECK_FALSE(RedisStore(server.options("other"))
                  .shared_challenges()
                  ->get("http-01", "tok:en%1")
                  .has_value());

  table->remove("http-01", "tok:en%1", "proof-0");  // not the proof kept: left alone
  CHECK(table->get("http-01", "tok:en%1") == "proof-1");
  table->remove("http-01", "tok:en%1", "proof-1");
  CHECK_FALSE(table->get("http-01", "tok:en%1").has_value());

  // A proof lapses by itself (the node that put it died before its cleanup).
  table->put("tls-alpn-01", "a.example.test", "a.example.test ka", 1000ms);
  CHECK(table->get("tls-alpn-01", "a.example.test").has_value());
  std::this_thread::sleep_for(1200ms);
  CHECK_FALSE(table->get("tls-alpn-01", "a.example.test").has_value());
}

TEST_CASE("an unreachable Redis: putting a proof fails naming it, a lookup finds nothing") {
  RedisServer server;
  RedisStore store(server.options());
  auto table = store.shared_challenges();
  table->put("http-01", "token", "proof", 60s);
  server.stop();
  CHECK_FALSE(table->get("http-01", "token").has_value());  // never throws: answers 404
  table->remove("http-01", "token", "proof");               // left to the expiry
  SharedChallengeSolver solver(table, "http-01");
  ChallengeTask task;
  task.type = "http-01";
  task.identifier = "down.example.test";
  task.token = "token";
  task.key_authorization = "token.thumbprint";
  try {
    solver.present(task);
    FAIL("present() succeeded with Redis down");
  } catch (const ChallengeError& error) {
    const std::string message = error.what();
    CHECK(message.find("cannot share the http-01 proof for down.example.test") !=
          std::string::npos);
    CHECK(message.find("127.0.0.1:" + std::to_string(server.port())) != std::string::npos);
  }
  // Back again: the table works without a new store object.
  server.start();
  table->put("http-01", "token", "proof-2", 60s);
  CHECK(table->get("http-01", "token") == "proof-2");
}
