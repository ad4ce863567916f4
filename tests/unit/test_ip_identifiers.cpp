// SPDX-License-Identifier: Apache-2.0
// IP addresses as certificate identifiers (RFC 8738) in the management layer: DNS-01 cannot
// validate one, and that is refused before anything is ordered.

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/error.hpp"
#include "manager/authorization_flow.hpp"
#include "support/memory_store.hpp"

using namespace acmecpp;

namespace {

/// A solver that only says which type it is; presenting anything is a test failure.
class TypeOnlySolver : public Solver {
 public:
  explicit TypeOnlySolver(std::string type) : type_(std::move(type)) {}
  std::string type() const override { return type_; }
  void present(const ChallengeTask& task) override { FAIL("presented " << task.identifier); }
  void cleanup(const ChallengeTask&) noexcept override {}

 private:
  std::string type_;
};

std::shared_ptr<Solver> solver(const std::string& type) {
  return std::make_shared<TypeOnlySolver>(type);
}

/// The message of the Error(config) require_solvers_for_ips throws, or "" when it accepts.
std::string refusal(const std::vector<std::string>& names, const manager::SolverChoice& choice) {
  try {
    manager::require_solvers_for_ips(names, choice);
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::config);
    return e.what();
  }
  return {};
}

const std::string kRefused192 =
    "the IP address 192.0.2.10 cannot be validated with DNS-01: an IP address is validated by "
    "http-01 or tls-alpn-01 only (RFC 8738); configure one of them for it";

}  // namespace

TEST_CASE("an IP address with only a DNS-01 solver, or DNS-01 chosen for it, is refused") {
  manager::SolverChoice dns_only{{solver("dns-01")}, {}};
  CHECK(refusal({"example.test", "192.0.2.10"}, dns_only) == kRefused192);
  CHECK(refusal({"example.test", "*.example.test"}, dns_only).empty());  // DNS names are fine

  manager::SolverChoice both{{solver("dns-01"), solver("http-01")}, {}};
  CHECK(refusal({"example.test", "192.0.2.10", "2001:db8::10"}, both).empty());
  both.per_name["2001:db8::10"] = "dns-01";
  CHECK(refusal({"192.0.2.10", "2001:db8::10"}, both) ==
        "the IP address 2001:db8::10 cannot be validated with DNS-01: an IP address is validated "
        "by http-01 or tls-alpn-01 only (RFC 8738); configure one of them for it");
  both.per_name["2001:db8::10"] = "tls-alpn-01";
  CHECK(refusal({"192.0.2.10", "2001:db8::10"}, both).empty());
  // An explicit http-01 for the address is enough even beside a DNS-01 default.
  manager::SolverChoice chosen{{solver("dns-01"), solver("http-01")}, {{"192.0.2.10", "http-01"}}};
  CHECK(refusal({"192.0.2.10"}, chosen).empty());
}

TEST_CASE("CertManager refuses DNS-01 for an IP address before any request to the CA") {
  ManagerConfig config;
  // Nothing listens there: any request would fail with Error(network), not Error(config).
  config.acme.directory_url = "https://127.0.0.1:1/directory";
  config.store = std::make_shared<testing::MemoryStore>();
  config.solvers = {solver("dns-01")};
  CertManager manager(config);
  try {
    manager.obtain(std::vector<std::string>{"www.example.test", "192.0.2.10"});
    FAIL("obtained a certificate");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::config);
    CHECK(std::string(e.what()) == kRefused192);
  }
  CHECK(config.store->certificates(config.resolver).empty());
}
