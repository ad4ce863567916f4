// SPDX-License-Identifier: Apache-2.0
// CertManager::metrics(): the library's own figures after a real issuance from Pebble.

#include <doctest/doctest.h>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/metrics.hpp"
#include "support/issuing_fixture.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

TEST_CASE("CertManager::metrics counts issuances, requests and checks, and lists the store") {
  IssuingFixture fixture;
  CertManager manager(fixture.config());
  const Metrics before = manager.metrics();
  CHECK(before.certificates.empty());
  CHECK(before.issuances.success == 0);
  CHECK_FALSE(before.last_check.has_value());

  const auto issued = manager.obtain({"metrics.example.test"});
  CHECK_THROWS_AS(manager.obtain({"bad_name.example.test"}), Error);
  Metrics after = manager.metrics();
  REQUIRE(after.certificates.size() == 1);
  CHECK(after.certificates[0].resolver == "proxy");
  CHECK(after.certificates[0].name == "metrics.example.test");
  CHECK(after.certificates[0].not_after == issued.info.not_after);
  CHECK(after.issuances.success == 1);
  CHECK(after.issuances.failure == 1);
  CHECK(after.renewals.success == 0);
  const auto stats = manager.request_stats();
  CHECK(after.acme_requests == stats.by_result);
  CHECK(after.acme_requests["2xx"] > 0);
  CHECK(after.bad_nonce_retries == stats.bad_nonce_retries);
  CHECK_FALSE(after.last_check.has_value());

  const auto checked_from = std::chrono::system_clock::now();
  manager.check_renewal(issued.record, checked_from);
  after = manager.metrics();
  REQUIRE(after.last_check.has_value());
  CHECK(*after.last_check >= checked_from);
  const std::string text = render_prometheus(after);
  CHECK(text.find("acmecpp_certificate_not_after_timestamp_seconds{resolver=\"proxy\","
                  "name=\"metrics.example.test\"}") != std::string::npos);
}
