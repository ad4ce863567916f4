// SPDX-License-Identifier: Apache-2.0
// TLS-ALPN-01 against a real Pebble, which connects to 127.0.0.1:<tls_port> for every name
// (challtestsrv resolves all names to 127.0.0.1) and validates each one from three concurrent
// connections: with the standalone solver, and with a proxy's context serving the responder.

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/tlsalpn01.hpp"
#include "support/pebble_env.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_probe.hpp"
#include "support/tls_test_proxy.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

const std::vector<std::string> kAcmeOnly{"acme-tls/1"};

PebbleEnv fresh_challenges_pebble() {
  PebbleOptions options;
  options.authz_reuse_percent = 0;  // every order must be validated, not reuse an earlier one
  return PebbleEnv(options);
}

ManagerConfig config_for(const PebbleEnv& pebble, const std::filesystem::path& store_path,
                         std::shared_ptr<Solver> solver) {
  ManagerConfig config;
  config.acme.directory_url = pebble.directory_url();
  config.acme.ca_bundle = pebble.ca_bundle().string();
  config.email = "tls-alpn@example.test";
  config.agree_tos = true;
  config.account_key_type = KeyType::ec256;
  config.store = std::make_shared<AcmeJsonStore>(store_path.string());
  config.resolver = "tlsalpn";
  config.solvers = {std::move(solver)};
  return config;
}

std::vector<std::string> five_names(const std::string& label) {
  std::vector<std::string> names;
  for (int i = 1; i <= 5; ++i) names.push_back(label + std::to_string(i) + ".example.test");
  return names;
}

/// Obtains a certificate for `names` and checks it names exactly them.
void obtain_and_check(CertManager& manager, const std::vector<std::string>& names,
                      const PebbleEnv& pebble) {
  CAPTURE(names.front());
  try {
    const IssuedCertificate issued = manager.obtain(names);
    CHECK(issued.record.main == names.front());
    std::vector<std::string> expected = names;
    std::vector<std::string> actual = issued.info.dns_names;
    std::sort(expected.begin(), expected.end());
    std::sort(actual.begin(), actual.end());
    CHECK(actual == expected);
  } catch (const Error& error) {
    FAIL("obtain failed: " << error.what() << "\nPebble log:\n" << pebble.pebble_log());
  }
}

}  // namespace

TEST_CASE("Pebble validates TLS-ALPN-01 against the standalone solver") {
  PebbleEnv pebble = fresh_challenges_pebble();
  TempDir dir;
  auto solver = std::make_shared<TlsAlpn01StandaloneSolver>("127.0.0.1", pebble.tls_port());
  CertManager manager(config_for(pebble, dir / "acme.json", solver));

  obtain_and_check(manager, {"alpn-one.example.test"}, pebble);
  CHECK_FALSE(tcp_port_accepts(pebble.tls_port()));  // stopped after the last cleanup
  obtain_and_check(manager, five_names("alpn-standalone"), pebble);
  CHECK_FALSE(tcp_port_accepts(pebble.tls_port()));
  CHECK(AcmeJsonStore((dir / "acme.json").string()).certificates("tlsalpn").size() == 2);
}

TEST_CASE("Pebble validates TLS-ALPN-01 against a proxy's context with the responder installed") {
  PebbleEnv pebble = fresh_challenges_pebble();
  TempDir dir;
  auto responder = std::make_shared<TlsAlpn01Responder>();
  TlsTestProxy proxy(*responder, pebble.tls_port());
  CertManager manager(config_for(pebble, dir / "acme.json", responder));

  obtain_and_check(manager, {"proxy-one.example.test"}, pebble);
  const auto names = five_names("alpn-proxy");
  obtain_and_check(manager, names, pebble);
  // Every challenge was withdrawn, and the proxy goes on serving its own certificate.
  for (const auto& name : names) CHECK_FALSE(bool(responder->challenge_for(name, kAcmeOnly)));
  const auto normal = tls_probe(proxy.port(), TlsTestProxy::kProxyName, {"h2"});
  CHECK(normal.completed);
  CHECK(normal.alpn == "h2");
}
