// SPDX-License-Identifier: Apache-2.0
// Each fixture (fixtures/README.md) loads with the values it was made from, and rewriting what
// was read leaves the file as it was.

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "acmecpp/store.hpp"
#include "support/store_test_files.hpp"

using acmecpp::AcmeJsonStore;
using acmecpp::CertificateRecord;
using store_test::copy_fixture;
using store_test::read_fixture;
using store_test::TempDir;

namespace {

const std::string kBeginCertificate = "-----BEGIN CERTIFICATE-----\n";

std::string pem(const std::string& name) {
  return read_fixture("pem/" + name);
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

void check_certificate(const CertificateRecord& record, const std::string& pem_name,
                       const std::string& key_label) {
  CAPTURE(pem_name);
  CHECK(starts_with(record.certificate_pem, kBeginCertificate));
  CHECK(record.certificate_pem == pem(pem_name + ".chain.pem"));
  CHECK(starts_with(record.key_pem, "-----BEGIN " + key_label + "-----\n"));
  CHECK(record.key_pem == pem(pem_name + ".key.pem"));
}

}  // namespace

TEST_CASE("traefik-rsa fixture: PKCS#1 RSA account, RSA and EC certificate keys") {
  TempDir dir;
  AcmeJsonStore store(copy_fixture(dir, "traefik-rsa.acme.json"));
  CHECK(store.resolvers() == std::vector<std::string>{"letsencrypt"});

  const auto account = store.load_account("letsencrypt");
  REQUIRE(account.has_value());
  CHECK(account->email == "admin@example.test");
  CHECK(account->uri == "https://acme.example.test/acme/acct/1");
  CHECK(nlohmann::json::parse(account->registration_body) ==
        nlohmann::json::parse(R"({"status":"valid","contact":["mailto:admin@example.test"]})"));
  CHECK(account->private_key_der == pem("account-rsa.der"));
  CHECK(account->key_type == "4096");

  const auto certificates = store.certificates("letsencrypt");
  REQUIRE(certificates.size() == 2);
  CHECK(certificates[0].main == "a.example.test");
  CHECK(certificates[0].sans == std::vector<std::string>{"www.a.example.test"});
  CHECK(certificates[0].names() ==
        std::vector<std::string>{"a.example.test", "www.a.example.test"});
  CHECK(certificates[0].store == "default");
  check_certificate(certificates[0], "a.example.test", "RSA PRIVATE KEY");
  CHECK(certificates[1].main == "b.example.test");
  CHECK(certificates[1].sans.empty());
  check_certificate(certificates[1], "b.example.test", "EC PRIVATE KEY");
}

TEST_CASE("ec-account fixture: SEC1 EC account key and a PKCS#8 wildcard certificate") {
  TempDir dir;
  AcmeJsonStore store(copy_fixture(dir, "ec-account.acme.json"));
  const auto account = store.load_account("pebble");
  REQUIRE(account.has_value());
  CHECK(account->private_key_der == pem("account-ec.der"));
  CHECK(account->key_type == "P256");
  CHECK(account->uri == "https://acme.example.test/acme/acct/2");

  const auto certificates = store.certificates("pebble");
  REQUIRE(certificates.size() == 1);
  CHECK(certificates[0].main == "example.test");
  CHECK(certificates[0].sans == std::vector<std::string>{"*.example.test"});
  check_certificate(certificates[0], "wildcard.example.test", "PRIVATE KEY");
}

TEST_CASE("multi-resolver fixture: null certificates, empty resolver, null account") {
  TempDir dir;
  AcmeJsonStore store(copy_fixture(dir, "multi-resolver.acme.json"));
  CHECK(store.resolvers() == std::vector<std::string>{"le-prod", "le-staging", "empty", "zerossl"});

  CHECK(store.load_account("le-prod")->private_key_der == pem("account-rsa.der"));
  REQUIRE(store.certificates("le-prod").size() == 1);
  check_certificate(store.certificates("le-prod")[0], "a.example.test", "RSA PRIVATE KEY");

  CHECK(store.load_account("le-staging")->private_key_der == pem("account-ec.der"));
  CHECK(store.certificates("le-staging").empty());

  CHECK_FALSE(store.load_account("empty").has_value());
  CHECK(store.certificates("empty").empty());

  CHECK_FALSE(store.load_account("zerossl").has_value());
  const auto zerossl = store.certificates("zerossl");
  REQUIRE(zerossl.size() == 1);
  CHECK(zerossl[0].store == "internal");
  check_certificate(zerossl[0], "b.example.test", "EC PRIVATE KEY");

  CHECK_FALSE(store.load_account("absent").has_value());
  CHECK(store.certificates("absent").empty());
}

TEST_CASE("unknown-fields fixture loads its known fields") {
  TempDir dir;
  AcmeJsonStore store(copy_fixture(dir, "unknown-fields.acme.json"));
  CHECK(store.resolvers() == std::vector<std::string>{"le", "other"});
  const auto account = store.load_account("le");
  REQUIRE(account.has_value());
  CHECK(account->private_key_der == pem("account-rsa.der"));
  const auto body = nlohmann::json::parse(account->registration_body);
  CHECK(body["termsOfServiceAgreed"] == true);
  CHECK(body["orders"] == "https://acme.example.test/acme/orders/5");
  const auto certificates = store.certificates("le");
  REQUIRE(certificates.size() == 2);
  check_certificate(certificates[0], "a.example.test", "RSA PRIVATE KEY");
  check_certificate(certificates[1], "wildcard.example.test", "PRIVATE KEY");
  REQUIRE(store.certificates("other").size() == 1);
}

TEST_CASE("member names are matched ignoring case, as Go's encoding/json does") {
  TempDir dir;
  AcmeJsonStore store(copy_fixture(dir, "lowercase-members.acme.json"));
  const auto account = store.load_account("le");
  REQUIRE(account.has_value());
  CHECK(account->email == "admin@example.test");
  CHECK(account->uri == "https://acme.example.test/acme/acct/6");
  CHECK(account->registration_body == R"({"status":"valid"})");
  CHECK(account->private_key_der == pem("account-ec.der"));
  CHECK(account->key_type == "P256");
  const auto certificates = store.certificates("le");
  REQUIRE(certificates.size() == 1);
  CHECK(certificates[0].main == "example.test");
  CHECK(certificates[0].sans == std::vector<std::string>{"*.example.test"});
  CHECK(certificates[0].store == "default");
  check_certificate(certificates[0], "wildcard.example.test", "PRIVATE KEY");
}

TEST_CASE(
    "saving back every account and certificate unchanged leaves each fixture byte-identical") {
  for (const char* name :
       {"traefik-rsa.acme.json", "ec-account.acme.json", "multi-resolver.acme.json",
        "unknown-fields.acme.json", "lowercase-members.acme.json"}) {
    CAPTURE(name);
    TempDir dir;
    const std::string path = copy_fixture(dir, name);
    const std::string original = read_fixture(name);
    AcmeJsonStore store(path);
    int saves = 0;
    for (const auto& resolver : store.resolvers()) {
      if (auto account = store.load_account(resolver)) {
        store.save_account(resolver, *account);
        ++saves;
      }
      for (const auto& certificate : store.certificates(resolver)) {
        store.save_certificate(resolver, certificate);
        ++saves;
      }
    }
    CHECK(saves > 0);
    CHECK(store_test::read_json(path) == nlohmann::ordered_json::parse(original));
    // The fixtures are in Traefik's layout, which is what the store writes.
    CHECK(store_test::read_file(path) == original);
  }
}
