// SPDX-License-Identifier: Apache-2.0
// Revocation against a real Pebble, signed by the account and by the certificate's own key;
// Pebble's management API (/cert-status-by-serial/<hex>) says what Pebble now thinks.

#include <doctest/doctest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/revocation.hpp"
#include "support/http01_listener.hpp"
#include "support/pebble_env.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

nlohmann::json certificate_status(const PebbleEnv& pebble, const std::string& serial_hex) {
  httplib::Client client(pebble.management_url());
  client.set_ca_cert_path(pebble.ca_bundle().string());
  const auto res = client.Get(("/cert-status-by-serial/" + serial_hex).c_str());
  REQUIRE(res);
  INFO("management API answered " << res->status << ": " << res->body);
  REQUIRE(res->status == 200);
  return nlohmann::json::parse(res->body);
}

}  // namespace

TEST_CASE("a certificate revoked by the account is reported revoked, with its reason") {
  PebbleEnv pebble;
  TempDir dir;
  auto handler = std::make_shared<Http01Handler>();
  Http01Listener listener(handler, pebble.http_port());
  CertManager manager(pebble_manager_config(pebble, dir / "acme.json", handler));
  const auto issued = manager.obtain({"revoke.example.test"});
  CHECK(certificate_status(pebble, issued.info.serial_hex).value("Status", "") == "Valid");

  manager.revoke(issued.record, int(RevocationReason::key_compromise));

  const auto after = certificate_status(pebble, issued.info.serial_hex);
  CHECK(after.value("Status", "") == "Revoked");
  CHECK(after.value("Reason", -1) == 1);
  // A second revocation is refused: the server says it is already revoked.
  try {
    manager.revoke(issued.record);
    FAIL("a revoked certificate was revoked again");
  } catch (const AcmeError& e) {
    CHECK(e.problem().is("alreadyRevoked"));
  }
}

TEST_CASE("a certificate's own key can revoke it without the account") {
  PebbleEnv pebble;
  TempDir dir;
  auto handler = std::make_shared<Http01Handler>();
  Http01Listener listener(handler, pebble.http_port());
  CertManager manager(pebble_manager_config(pebble, dir / "acme.json", handler));
  const auto issued = manager.obtain({"self-revoke.example.test"});

  acme::ClientOptions options;
  options.directory_url = pebble.directory_url();
  options.ca_bundle = pebble.ca_bundle().string();
  acme::Client stranger(options);  // no account at all
  stranger.revoke_certificate_with_key(issued.record.certificate_pem,
                                       PrivateKey::from_pem(issued.record.key_pem),
                                       int(RevocationReason::superseded));
  const auto status = certificate_status(pebble, issued.info.serial_hex);
  CHECK(status.value("Status", "") == "Revoked");
  CHECK(status.value("Reason", -1) == 4);
}

TEST_CASE("a key that is not the certificate's cannot revoke it") {
  PebbleEnv pebble;
  TempDir dir;
  auto handler = std::make_shared<Http01Handler>();
  Http01Listener listener(handler, pebble.http_port());
  CertManager manager(pebble_manager_config(pebble, dir / "acme.json", handler));
  const auto issued = manager.obtain({"wrong-key.example.test"});
  acme::ClientOptions options;
  options.directory_url = pebble.directory_url();
  options.ca_bundle = pebble.ca_bundle().string();
  acme::Client stranger(options);
  CHECK_THROWS_AS(stranger.revoke_certificate_with_key(issued.record.certificate_pem,
                                                       PrivateKey::generate(KeyType::ec256)),
                  AcmeError);
  CHECK(certificate_status(pebble, issued.info.serial_hex).value("Status", "") == "Valid");
}
