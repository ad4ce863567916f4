// SPDX-License-Identifier: Apache-2.0
// Challenges answered from a shared table: SharedChallengeSolver puts the proofs in, and
// Http01Handler and TlsAlpn01Responder answer from it (answer_from()). The table here is an
// in-memory SharedChallenges, to see exactly what goes in and what is asked for; the Redis
// table, and nodes validated through each other against Pebble, are in
// integration/test_shared_challenges.cpp.

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "acmecpp/error.hpp"
#include "acmecpp/http01.hpp"
#include "acmecpp/shared_challenge_solver.hpp"
#include "acmecpp/tlsalpn01.hpp"
#include "support/tlsalpn01_checks.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;

namespace {

/// A SharedChallenges in memory that records what was asked of it.
class MemoryChallenges : public SharedChallenges {
 public:
  void put(const std::string& type, const std::string& key, const std::string& value,
           std::chrono::milliseconds ttl) override {
    std::lock_guard<std::mutex> lock(mutex);
    if (unreachable) throw Error(ErrorKind::storage, "Redis at redis://10.0.0.5:6379 is down");
    entries[{type, key}] = value;
    ttls[{type, key}] = ttl;
  }
  std::optional<std::string> get(const std::string& type,
                                 const std::string& key) const noexcept override {
    std::lock_guard<std::mutex> lock(mutex);
    ++lookups;
    const auto found = entries.find({type, key});
    if (unreachable || found == entries.end()) return std::nullopt;
    return found->second;
  }
  void remove(const std::string& type, const std::string& key,
              const std::string& value) noexcept override {
    std::lock_guard<std::mutex> lock(mutex);
    const auto found = entries.find({type, key});
    if (found != entries.end() && found->second == value) entries.erase(found);
  }

  mutable std::mutex mutex;
  std::map<std::pair<std::string, std::string>, std::string> entries;
  std::map<std::pair<std::string, std::string>, std::chrono::milliseconds> ttls;
  mutable int lookups = 0;
  bool unreachable = false;
};

const std::vector<std::string> kAcmeOnly{"acme-tls/1"};
const std::string kToken = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
const std::string kPath = "/.well-known/acme-challenge/" + kToken;

ChallengeTask http_task(const std::string& key_authorization = kToken + ".thumbprint") {
  ChallengeTask task;
  task.type = "http-01";
  task.identifier = "api.example.test";
  task.token = kToken;
  task.key_authorization = key_authorization;
  return task;
}

}  // namespace

TEST_CASE("HTTP-01 through a shared table: the presenting node has no listener, another answers") {
  auto table = std::make_shared<MemoryChallenges>();
  SharedChallengeSolver solver(table, "http-01", 90s);
  CHECK(solver.type() == "http-01");
  Http01Handler other_node;
  CHECK_FALSE(other_node.response(kPath).has_value());  // not asked yet: nothing to answer

  solver.present(http_task());
  CHECK(table->entries.at({"http-01", kToken}) == kToken + ".thumbprint");
  CHECK(table->ttls.at({"http-01", kToken}) == 90s);
  CHECK_FALSE(other_node.response(kPath).has_value());  // it does not read the table yet
  other_node.answer_from(table);
  CHECK(other_node.response(kPath) == kToken + ".thumbprint");
  CHECK(other_node.response(kPath + "?x=1") == kToken + ".thumbprint");
  CHECK_FALSE(other_node.response("/.well-known/acme-challenge/other").has_value());
  CHECK_FALSE(other_node.response("/.well-known/acme-challenge/../../etc").has_value());

  solver.cleanup(http_task());
  CHECK(table->entries.empty());
  CHECK_FALSE(other_node.response(kPath).has_value());
}

TEST_CASE("a handler answers what it presents itself without asking the shared table") {
  auto table = std::make_shared<MemoryChallenges>();
  Http01Handler node;
  node.answer_from(table);
  node.present(http_task("local.proof"));
  table->entries[{"http-01", kToken}] = "shared.proof";
  CHECK(node.response(kPath) == "local.proof");
  CHECK(table->lookups == 0);
  node.cleanup(http_task("local.proof"));
  CHECK(node.response(kPath) == "shared.proof");
  CHECK(table->lookups == 1);
  node.answer_from(nullptr);
  CHECK_FALSE(node.response(kPath).has_value());
}

TEST_CASE("a shared proof is removed only by the task that put it") {
  auto table = std::make_shared<MemoryChallenges>();
  SharedChallengeSolver solver(table, "http-01");
  solver.present(http_task("first.proof"));
  // Another node put its own proof under the key since (not with ACME tokens, but with
  // TLS-ALPN-01's names): the first node's cleanup must leave it.
  table->entries[{"http-01", kToken}] = "second.proof";
  solver.cleanup(http_task("first.proof"));
  CHECK(table->entries.at({"http-01", kToken}) == "second.proof");
}

TEST_CASE("TLS-ALPN-01 through a shared table: another node makes the challenge certificate") {
  auto table = std::make_shared<MemoryChallenges>();
  SharedChallengeSolver solver(table, "tls-alpn-01");
  auto task = tls_alpn_task("Alpn.Example.Test");
  solver.present(task);
  REQUIRE(table->entries.count({"tls-alpn-01", "alpn.example.test"}) == 1);
  CHECK(table->entries.at({"tls-alpn-01", "alpn.example.test"}) ==
        "alpn.example.test " + task.key_authorization);
  CHECK(table->ttls.at({"tls-alpn-01", "alpn.example.test"}) == SharedChallengeSolver::kDefaultTtl);

  TlsAlpn01Responder other_node;
  CHECK_FALSE(bool(other_node.challenge_for("alpn.example.test", kAcmeOnly)));
  other_node.answer_from(table);
  // A normal handshake never asks the table.
  CHECK_FALSE(bool(other_node.challenge_for("alpn.example.test", {"h2", "http/1.1"})));
  CHECK(table->lookups == 0);

  const auto challenge = other_node.challenge_for("ALPN.example.test.", kAcmeOnly);
  REQUIRE(bool(challenge));
  CHECK(challenge->identifier == "alpn.example.test");
  CHECK(subject_alt_names(challenge->certificate.get()) ==
        std::vector<std::string>{"DNS:alpn.example.test"});
  const auto extension = acme_identifier_extension(challenge->certificate.get());
  REQUIRE(extension.has_value());
  CHECK(extension->critical);
  CHECK(extension->value == expected_acme_identifier_value(task.key_authorization));
  // The validator connects several times: the certificate is made once for each proof.
  CHECK(other_node.challenge_for("alpn.example.test", kAcmeOnly).get() == challenge.get());
  CHECK_FALSE(bool(other_node.challenge_for("other.example.test", kAcmeOnly)));

  // A new proof for the name (a new order) gets a new certificate.
  solver.cleanup(task);
  CHECK_FALSE(bool(other_node.challenge_for("alpn.example.test", kAcmeOnly)));
  const auto next_task = tls_alpn_task("alpn.example.test", "2");
  solver.present(next_task);
  const auto next = other_node.challenge_for("alpn.example.test", kAcmeOnly);
  REQUIRE(bool(next));
  CHECK(next.get() != challenge.get());
  CHECK(acme_identifier_extension(next->certificate.get())->value ==
        expected_acme_identifier_value(next_task.key_authorization));
}

TEST_CASE("TLS-ALPN-01 for an IP address is shared under its reverse-DNS name") {
  auto table = std::make_shared<MemoryChallenges>();
  SharedChallengeSolver solver(table, "tls-alpn-01");
  const auto task = tls_alpn_task("192.0.2.10");
  solver.present(task);
  REQUIRE(table->entries.count({"tls-alpn-01", "10.2.0.192.in-addr.arpa"}) == 1);
  TlsAlpn01Responder other_node;
  other_node.answer_from(table);
  const auto challenge = other_node.challenge_for("10.2.0.192.in-addr.arpa", kAcmeOnly);
  REQUIRE(bool(challenge));
  CHECK(subject_alt_names(challenge->certificate.get()) ==
        std::vector<std::string>{"IP:192.0.2.10"});
}

TEST_CASE("a shared TLS-ALPN-01 proof made for another name is never served") {
  auto table = std::make_shared<MemoryChallenges>();
  TlsAlpn01Responder node;
  node.answer_from(table);
  const auto task = tls_alpn_task("victim.example.test");
  // Whoever wrote the table: the certificate's name must be the SNI asked for.
  table->entries[{"tls-alpn-01", "victim.example.test"}] =
      "attacker.example.test " + task.key_authorization;
  CHECK_FALSE(bool(node.challenge_for("victim.example.test", kAcmeOnly)));
  const std::vector<std::string> malformed_values{
      "", "victim.example.test", " x", "victim.example.test  x", "victim.example.test a b"};
  for (const auto& malformed : malformed_values) {
    CAPTURE(malformed);
    table->entries[{"tls-alpn-01", "victim.example.test"}] = malformed;
    CHECK_FALSE(bool(node.challenge_for("victim.example.test", kAcmeOnly)));
  }
}

TEST_CASE("SharedChallengeSolver refuses what it cannot share, naming it") {
  auto table = std::make_shared<MemoryChallenges>();
  const auto message_of = [](auto action) {
    try {
      action();
    } catch (const Error& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  CHECK(message_of([] {
          SharedChallengeSolver(nullptr, "http-01");
        }).find("needs a shared table") != std::string::npos);
  CHECK(message_of([&] { SharedChallengeSolver(table, "dns-01"); }).find("\"dns-01\"") !=
        std::string::npos);
  CHECK(message_of([&] { SharedChallengeSolver(table, "http-01", 500ms); }).find("500 ms") !=
        std::string::npos);

  SharedChallengeSolver http(table, "http-01");
  auto bad_token = http_task();
  bad_token.token = "../../etc/passwd";
  CHECK_THROWS_AS(http.present(bad_token), ChallengeError);
  http.cleanup(bad_token);  // after a refused present(), as the engine does: nothing happens
  CHECK(table->entries.empty());

  SharedChallengeSolver alpn(table, "tls-alpn-01");
  auto wildcard = tls_alpn_task("example.test");
  wildcard.wildcard = true;
  CHECK(message_of([&] { alpn.present(wildcard); }).find("wildcard") != std::string::npos);

  table->unreachable = true;
  const auto down = message_of([&] { http.present(http_task()); });
  CHECK(down.find("cannot share the http-01 proof for api.example.test") != std::string::npos);
  CHECK(down.find("10.0.0.5") != std::string::npos);
  CHECK_THROWS_AS(http.present(http_task()), ChallengeError);
}
