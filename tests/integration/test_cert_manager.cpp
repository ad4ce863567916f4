// SPDX-License-Identifier: Apache-2.0
// The library's CertManager against a real Pebble: the proxy-side HTTP-01 handler, concurrent
// authorizations, preferred chains, and the request count of one issuance.

#include <doctest/doctest.h>

#include "support/issuing_fixture.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

/// The CN of a PEM certificate fetched from Pebble's management API.
std::string management_root_cn(const PebbleEnv& pebble, int index) {
  const auto url = pebble.management_url();
  httplib::Client client(url);
  client.set_ca_cert_path(pebble.ca_bundle().string());
  const auto res = client.Get("/roots/" + std::to_string(index));
  REQUIRE(res);
  REQUIRE(res->status == 200);
  return parse_certificate(res->body).common_name;
}

}  // namespace

TEST_CASE("a proxy's own listener answers HTTP-01 through Http01Handler") {
  PebbleOptions options;
  options.authz_reuse_percent = 0;
  IssuingFixture f(options);
  auto config = f.config();
  CertManager manager(config);
  const auto issued = manager.obtain({"proxy.example.test", "www.proxy.example.test"});
  CHECK(issued.record.main == "proxy.example.test");
  CHECK(issued.record.sans == std::vector<std::string>{"www.proxy.example.test"});
  CHECK(issued.info.dns_names.size() == 2);
  // Every token was withdrawn after validation.
  CHECK_FALSE(f.http01->response("/.well-known/acme-challenge/anything").has_value());
  const auto stored = AcmeJsonStore(f.store_path()).certificates("proxy");
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].certificate_pem == issued.record.certificate_pem);
}

TEST_CASE("an issuance with a stored account makes few requests") {
  PebbleOptions options;
  options.nonce_reject_percent = 0;
  options.authz_reuse_percent = 0;
  IssuingFixture f(options);
  auto config = f.config();
  {
    CertManager first(config);
    first.ensure_account();
  }
  config.store = std::make_shared<AcmeJsonStore>(f.store_path());
  CertManager manager(config);
  manager.obtain({"count.example.test"});
  // newNonce, newOrder, authz, challenge, finalize, certificate, and the polls of the order: until
  // Pebble's validation is done ("ready") and until it has signed ("valid"), one each when the
  // first poll (15 ms) finds it done. No directory (kept beside the store by the first manager),
  // no account lookup. test_request_economy.cpp takes this apart.
  const auto stats = manager.request_stats();
  MESSAGE("requests for one name with a stored account: " << stats.requests);
  CHECK(stats.requests <= 8);
  CHECK(stats.bad_nonce_retries == 0);
}

TEST_CASE("rejected nonces are retried with fresh ones") {
  PebbleOptions options;
  options.nonce_reject_percent = 50;
  IssuingFixture f(options);
  auto config = f.config();
  CertManager manager(config);
  manager.obtain({"nonce-a.example.test"});
  manager.obtain({"nonce-b.example.test"});
  // About 20 signed requests at 50 %: the chance that none was rejected is below one in a million.
  CHECK(manager.request_stats().bad_nonce_retries > 0);
  CHECK(AcmeJsonStore(f.store_path()).certificates("proxy").size() == 2);
}

TEST_CASE("preferred chain picks the alternate whose top is issued by the named root") {
  PebbleOptions options;
  options.extra_env = {{"PEBBLE_ALTERNATE_ROOTS", "1"}};
  IssuingFixture f(options);
  const std::string default_root = management_root_cn(f.pebble, 0);
  const std::string alternate_root = management_root_cn(f.pebble, 1);
  REQUIRE(default_root != alternate_root);

  auto config = f.config();
  config.preferred_chain = alternate_root;
  CertManager manager(config);
  const auto chain =
      parse_certificate_chain(manager.obtain({"chain.example.test"}).record.certificate_pem);
  REQUIRE(chain.size() >= 2);
  CHECK(chain.back().issuer_common_name == alternate_root);

  config.preferred_chain = "No Such Root";
  config.store = std::make_shared<AcmeJsonStore>(f.store_path());
  CertManager fallback(config);
  const auto default_chain =
      parse_certificate_chain(fallback.obtain({"chain2.example.test"}).record.certificate_pem);
  CHECK(default_chain.back().issuer_common_name == default_root);
}
