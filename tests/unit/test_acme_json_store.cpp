// SPDX-License-Identifier: Apache-2.0
// Changes through AcmeJsonStore: add, replace, remove certificates, save accounts — touching only
// what they concern, keeping unknown members, other resolvers and the file's spelling.

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "acmecpp/error.hpp"
#include "acmecpp/store.hpp"
#include "support/store_test_files.hpp"

using acmecpp::AccountRecord;
using acmecpp::AcmeJsonStore;
using acmecpp::CertificateRecord;
using acmecpp::ErrorKind;
using Json = nlohmann::ordered_json;
using store_test::copy_fixture;
using store_test::read_json;
using store_test::TempDir;

namespace {

CertificateRecord make_certificate(const std::string& main, std::vector<std::string> sans = {}) {
  CertificateRecord record;
  record.main = main;
  record.sans = std::move(sans);
  record.certificate_pem = "-----BEGIN CERTIFICATE-----\n" + main + "\n-----END CERTIFICATE-----\n";
  record.key_pem = "-----BEGIN PRIVATE KEY-----\n" + main + "\n-----END PRIVATE KEY-----\n";
  return record;
}

AccountRecord make_account(const std::string& email) {
  AccountRecord account;
  account.email = email;
  account.uri = "https://acme.example.test/acme/acct/99";
  account.registration_body = R"({"status":"valid","contact":["mailto:)" + email + R"("]})";
  account.private_key_der = std::string("\x30\x82\x01\x02\x00\xff", 6);
  account.key_type = "P384";
  return account;
}

std::vector<std::string> keys_of(const Json& object) {
  std::vector<std::string> keys;
  for (const auto& member : object.items()) keys.push_back(member.key());
  return keys;
}

Json without(Json object, const std::string& key) {
  object.erase(key);
  return object;
}

}  // namespace

TEST_CASE("a new certificate is appended in Traefik's spelling, the others stay as they were") {
  TempDir dir;
  const std::string path = copy_fixture(dir, "traefik-rsa.acme.json");
  const Json before = read_json(path);
  AcmeJsonStore store(path);

  store.save_certificate("letsencrypt", make_certificate("c.example.test", {"*.c.example.test"}));

  const Json after = read_json(path);
  const Json& entries = after["letsencrypt"]["Certificates"];
  REQUIRE(entries.size() == 3);
  CHECK(entries[0] == before["letsencrypt"]["Certificates"][0]);
  CHECK(entries[1] == before["letsencrypt"]["Certificates"][1]);
  CHECK(after["letsencrypt"]["Account"] == before["letsencrypt"]["Account"]);
  const Json& added = entries[2];
  CHECK(keys_of(added) == std::vector<std::string>{"domain", "certificate", "key", "Store"});
  CHECK(keys_of(added["domain"]) == std::vector<std::string>{"main", "sans"});
  CHECK(added["domain"]["sans"] == Json::array({"*.c.example.test"}));
  CHECK(added["Store"] == "default");
  // Base64 of the PEM text, as Go encodes a []byte.
  CHECK(added["certificate"] ==
        "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCmMuZXhhbXBsZS50ZXN0Ci0tLS0tRU5E"
        "IENFUlRJRklDQVRFLS0tLS0K");

  const auto certificates = store.certificates("letsencrypt");
  REQUIRE(certificates.size() == 3);
  CHECK(certificates[2].certificate_pem == make_certificate("c.example.test").certificate_pem);
  CHECK(certificates[2].key_pem == make_certificate("c.example.test").key_pem);
}

TEST_CASE("a certificate with the same main name (ignoring case) is replaced in place") {
  TempDir dir;
  const std::string path = copy_fixture(dir, "unknown-fields.acme.json");
  const Json before = read_json(path);
  AcmeJsonStore store(path);

  auto replacement = make_certificate("A.Example.Test", {"new.a.example.test"});
  replacement.store = "internal";
  store.save_certificate("le", replacement);

  const Json after = read_json(path);
  const Json& entries = after["le"]["Certificates"];
  REQUIRE(entries.size() == 2);
  const Json& entry = entries[0];
  // Unknown members of the entry and of its domain survive, in their place.
  CHECK(keys_of(entry) == keys_of(before["le"]["Certificates"][0]));
  CHECK(entry["ocspStaple"].is_null());
  CHECK(entry["x-renewed-by"] == "somebody else");
  CHECK(entry["domain"]["comment"] == "primary site");
  CHECK(entry["domain"]["main"] == "A.Example.Test");
  CHECK(entry["domain"]["sans"] == Json::array({"new.a.example.test"}));
  CHECK(entry["Store"] == "internal");
  CHECK(entries[1] == before["le"]["Certificates"][1]);
  CHECK(after["other"] == before["other"]);
  CHECK(without(after["le"], "Certificates") == without(before["le"], "Certificates"));

  const auto certificates = store.certificates("le");
  REQUIRE(certificates.size() == 2);
  CHECK(certificates[0].certificate_pem == replacement.certificate_pem);
  CHECK(certificates[0].store == "internal");
}

TEST_CASE("removing a certificate removes that entry only, a missing one leaves the file alone") {
  TempDir dir;
  const std::string path = copy_fixture(dir, "unknown-fields.acme.json");
  const Json before = read_json(path);
  AcmeJsonStore store(path);

  CHECK(store.remove_certificate("le", "EXAMPLE.test"));
  const Json after = read_json(path);
  REQUIRE(after["le"]["Certificates"].size() == 1);
  CHECK(after["le"]["Certificates"][0] == before["le"]["Certificates"][0]);
  CHECK(after["other"] == before["other"]);

  const std::string content = store_test::read_file(path);
  CHECK_FALSE(store.remove_certificate("le", "example.test"));
  CHECK_FALSE(store.remove_certificate("other", "a.example.test"));
  CHECK_FALSE(store.remove_certificate("absent", "a.example.test"));
  CHECK_FALSE(store.remove_certificate("le", ""));
  CHECK(store_test::read_file(path) == content);
}

TEST_CASE("save_account keeps the certificates and unknown members of its resolver") {
  TempDir dir;
  const std::string path = copy_fixture(dir, "unknown-fields.acme.json");
  const Json before = read_json(path);
  AcmeJsonStore store(path);

  store.save_account("le", make_account("new@example.test"));

  const Json after = read_json(path);
  const Json& account = after["le"]["Account"];
  CHECK(keys_of(account) == keys_of(before["le"]["Account"]));
  CHECK(account["Email"] == "new@example.test");
  CHECK(account["Comment"] == "kept by acmecpp");
  CHECK(account["KeyType"] == "P384");
  CHECK(account["Registration"]["x-extra"] == before["le"]["Account"]["Registration"]["x-extra"]);
  CHECK(account["Registration"]["uri"] == "https://acme.example.test/acme/acct/99");
  CHECK(account["Registration"]["body"]["contact"] == Json::array({"mailto:new@example.test"}));
  CHECK(after["le"]["Certificates"] == before["le"]["Certificates"]);
  CHECK(after["le"]["x-extension"] == before["le"]["x-extension"]);
  CHECK(after["other"] == before["other"]);

  const auto loaded = store.load_account("le");
  REQUIRE(loaded.has_value());
  CHECK(loaded->private_key_der == make_account("x").private_key_der);
  CHECK(store.certificates("le").size() == 2);
}

TEST_CASE("save_account creates a missing resolver after the others, as Traefik lays it out") {
  TempDir dir;
  const std::string path = copy_fixture(dir, "multi-resolver.acme.json");
  const Json before = read_json(path);
  AcmeJsonStore store(path);

  store.save_account("new", make_account("admin@example.test"));

  const Json after = read_json(path);
  CHECK(keys_of(after) ==
        std::vector<std::string>{"le-prod", "le-staging", "empty", "zerossl", "new"});
  for (const char* resolver : {"le-prod", "le-staging", "empty", "zerossl"}) {
    CHECK(after[resolver] == before[resolver]);
  }
  CHECK(keys_of(after["new"]) == std::vector<std::string>{"Account", "Certificates"});
  CHECK(after["new"]["Certificates"].is_null());
  CHECK(keys_of(after["new"]["Account"]) ==
        std::vector<std::string>{"Email", "Registration", "PrivateKey", "KeyType"});
  CHECK(keys_of(after["new"]["Account"]["Registration"]) ==
        std::vector<std::string>{"body", "uri"});
  CHECK(store.load_account("new")->email == "admin@example.test");
}

TEST_CASE("an account without registration is written with a null Registration") {
  TempDir dir;
  AcmeJsonStore store(dir.file("acme.json"));
  AccountRecord account;
  account.email = "a@example.test";
  account.private_key_der = "der";
  store.save_account("le", account);
  CHECK(read_json(dir.file("acme.json"))["le"]["Account"]["Registration"].is_null());
  const auto loaded = store.load_account("le");
  REQUIRE(loaded.has_value());
  CHECK(loaded->uri.empty());
  CHECK(loaded->registration_body.empty());
}

TEST_CASE("certificates go into a null or missing Certificates member") {
  TempDir dir;
  const std::string path = copy_fixture(dir, "multi-resolver.acme.json");
  AcmeJsonStore store(path);
  store.save_certificate("le-staging", make_certificate("s.example.test"));
  store.save_certificate("empty", make_certificate("e.example.test"));
  store.save_account("empty", make_account("e@example.test"));

  const Json after = read_json(path);
  CHECK(after["le-staging"]["Certificates"].size() == 1);
  CHECK(keys_of(after["empty"]) == std::vector<std::string>{"Certificates", "Account"});
  CHECK(store.certificates("le-staging")[0].main == "s.example.test");
  CHECK(store.certificates("empty")[0].main == "e.example.test");
  CHECK(store.load_account("empty")->email == "e@example.test");
}

TEST_CASE("a rewrite keeps the member spelling the file used") {
  TempDir dir;
  const std::string path = copy_fixture(dir, "lowercase-members.acme.json");
  const Json before = read_json(path);
  AcmeJsonStore store(path);

  store.save_account("le", make_account("new@example.test"));
  store.save_certificate("le", make_certificate("EXAMPLE.TEST", {"x.example.test"}));

  const Json after = read_json(path);
  CHECK(keys_of(after["le"]) == std::vector<std::string>{"account", "certificates"});
  CHECK(keys_of(after["le"]["account"]) == keys_of(before["le"]["account"]));
  CHECK(after["le"]["account"]["email"] == "new@example.test");
  CHECK(keys_of(after["le"]["account"]["registration"]) == std::vector<std::string>{"BODY", "URI"});
  REQUIRE(after["le"]["certificates"].size() == 1);
  const Json& entry = after["le"]["certificates"][0];
  CHECK(keys_of(entry) == keys_of(before["le"]["certificates"][0]));
  CHECK(keys_of(entry["Domain"]) == std::vector<std::string>{"Main", "SANS"});
  CHECK(entry["Domain"]["SANS"] == Json::array({"x.example.test"}));
}

TEST_CASE("invalid records are refused before the file is touched") {
  TempDir dir;
  const std::string path = copy_fixture(dir, "traefik-rsa.acme.json");
  const std::string content = store_test::read_file(path);
  AcmeJsonStore store(path);

  CHECK_THROWS_WITH_AS(store.save_certificate("letsencrypt", make_certificate("")),
                       "a certificate to store needs a main domain name", acmecpp::Error);
  auto account = make_account("a@example.test");
  account.registration_body = "{not json";
  try {
    store.save_account("letsencrypt", account);
    FAIL("an invalid registration body was accepted");
  } catch (const acmecpp::Error& error) {
    CHECK(error.kind() == ErrorKind::invalid_input);
  }
  account = make_account("\xff@example.test");
  try {
    store.save_account("letsencrypt", account);
    FAIL("an e-mail that is not UTF-8 was accepted");
  } catch (const acmecpp::Error& error) {
    CHECK(error.kind() == ErrorKind::invalid_input);
  }
  CHECK(store_test::read_file(path) == content);
}
