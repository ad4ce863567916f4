// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <cctype>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "acmecpp/certificate.hpp"
#include "acmecpp/certificate_cache.hpp"
#include "acmecpp/error.hpp"
#include "support/error_message.hpp"
#include "support/serving_certificates.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using acmecpp::testing::dns_names_of;
using acmecpp::testing::error_message_of;
using acmecpp::testing::LocalCa;

namespace {

const LocalCa& test_ca() {
  static const LocalCa ca;
  return ca;
}

std::shared_ptr<const ServingCertificate> serving(const std::vector<std::string>& names) {
  return ServingCertificate::from_record(test_ca().issue(names));
}

// The first name of the leaf the cache answers with, "" for none: says which certificate it was.
std::string found_leaf_name(const CertificateCache& cache, std::string_view server_name) {
  const auto found = cache.find(server_name);
  if (!found) return "";
  const auto names = dns_names_of(found->leaf.get());
  return names.empty() ? "(no dNSName)" : names.front();
}

}  // namespace

TEST_CASE("cache: from_record parses leaf, key and chain once") {
  const CertificateRecord record = test_ca().issue({"www.example.test", "example.test"});
  const auto certificate = ServingCertificate::from_record(record);
  CHECK(certificate->names == std::vector<std::string>{"www.example.test", "example.test"});
  CHECK(dns_names_of(certificate->leaf.get()) == certificate->names);
  CHECK(X509_check_private_key(certificate->leaf.get(), certificate->private_key.get()) == 1);
  REQUIRE(certificate->chain.size() == 1);
  // The chain's first element is the leaf's issuer: the CA that signed it.
  CHECK(X509_check_issued(certificate->chain.front().get(), certificate->leaf.get()) == X509_V_OK);
  const CertificateInfo info = parse_certificate(record.certificate_pem);
  CHECK(certificate->not_after == info.not_after);
  std::string upper = info.serial_hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(certificate->serial_hex == upper);
}

TEST_CASE("cache: certificates of one CA share a single parsed copy of its certificate") {
  // A server holding thousands of certificates from one CA keeps its intermediate once, not once
  // per certificate (memory and load time; bench/serving.sh measures both).
  const auto first = serving({"first.example.test"});
  const auto second = serving({"second.example.test"});
  REQUIRE(first->chain.size() == 1);
  REQUIRE(second->chain.size() == 1);
  CHECK(first->chain.front().get() == second->chain.front().get());

  const LocalCa other_ca;
  const auto third = ServingCertificate::from_record(other_ca.issue({"third.example.test"}));
  REQUIRE(third->chain.size() == 1);
  CHECK(third->chain.front().get() != first->chain.front().get());
  CHECK(X509_check_issued(third->chain.front().get(), third->leaf.get()) == X509_V_OK);
  CHECK(X509_check_issued(first->chain.front().get(), second->leaf.get()) == X509_V_OK);
}

TEST_CASE("cache: from_record errors name the main name, never the key") {
  CertificateRecord record = test_ca().issue({"broken.example.test"});

  SUBCASE("certificate PEM that is not one") {
    record.certificate_pem =
        "-----BEGIN CERTIFICATE-----\nnot base64 at all\n"
        "-----END CERTIFICATE-----\n";
    const std::string message = error_message_of(ErrorKind::invalid_input,
                                                 [&] { ServingCertificate::from_record(record); });
    CHECK(message.find("broken.example.test") != std::string::npos);
    CHECK(message.find("certificate chain") != std::string::npos);
  }
  SUBCASE("no certificate at all") {
    record.certificate_pem = "";
    const std::string message = error_message_of(ErrorKind::invalid_input,
                                                 [&] { ServingCertificate::from_record(record); });
    CHECK(message.find("broken.example.test") != std::string::npos);
  }
  SUBCASE("key PEM that is not one") {
    record.key_pem = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ5dGVz\n-----END PRIVATE KEY-----\n";
    const std::string message = error_message_of(ErrorKind::invalid_input,
                                                 [&] { ServingCertificate::from_record(record); });
    CHECK(message.find("broken.example.test") != std::string::npos);
    CHECK(message.find("private key") != std::string::npos);
    CHECK(message.find("c2VjcmV0LWJ5dGVz") == std::string::npos);
  }
  SUBCASE("key of another certificate") {
    record.key_pem = test_ca().issue({"other.example.test"}).key_pem;
    const std::string message = error_message_of(ErrorKind::invalid_input,
                                                 [&] { ServingCertificate::from_record(record); });
    CHECK(message.find("broken.example.test") != std::string::npos);
    CHECK(message.find("does not match") != std::string::npos);
    CHECK(message.find("BEGIN") == std::string::npos);
  }
}

TEST_CASE("cache: find by exact name, case-insensitive, trailing dot ignored") {
  CertificateCache cache;
  cache.put(serving({"Www.Example.TEST", "api.example.test"}));
  CHECK(found_leaf_name(cache, "www.example.test") == "Www.Example.TEST");
  CHECK(found_leaf_name(cache, "WWW.EXAMPLE.TEST") == "Www.Example.TEST");
  CHECK(found_leaf_name(cache, "www.example.test.") == "Www.Example.TEST");
  CHECK(found_leaf_name(cache, "API.example.test.") == "Www.Example.TEST");
  CHECK(cache.find("example.test") == nullptr);
  CHECK(cache.find("www.example.test..") == nullptr);
  CHECK(cache.find("") == nullptr);
  CHECK(cache.find(".") == nullptr);
  CHECK(cache.size() == 2);
}

TEST_CASE("cache: a wildcard covers exactly one label, an exact name wins over it") {
  CertificateCache cache;
  cache.put(serving({"*.example.test"}));
  cache.put(serving({"exact.example.test"}));
  CHECK(found_leaf_name(cache, "a.example.test") == "*.example.test");
  CHECK(found_leaf_name(cache, "A.EXAMPLE.TEST.") == "*.example.test");
  CHECK(found_leaf_name(cache, "exact.example.test") == "exact.example.test");
  CHECK(cache.find("example.test") == nullptr);
  CHECK(cache.find("a.b.example.test") == nullptr);
  CHECK(cache.find(".example.test") == nullptr);
  CHECK(cache.find("a.other.test") == nullptr);
}

TEST_CASE("cache: put replaces what the names pointed to, remove keeps the other names") {
  CertificateCache cache;
  const auto first = serving({"a.example.test", "b.example.test"});
  cache.put(first);
  const auto in_flight = cache.find("a.example.test");
  const auto second = serving({"a.example.test"});
  cache.put(second);
  CHECK(cache.find("a.example.test") == second);
  CHECK(cache.find("b.example.test") == first);
  // A handshake that found the old one keeps a usable certificate after the swap.
  REQUIRE(in_flight == first);
  CHECK(X509_check_private_key(in_flight->leaf.get(), in_flight->private_key.get()) == 1);

  cache.remove({"A.example.test."});
  CHECK(cache.find("a.example.test") == nullptr);
  CHECK(cache.find("b.example.test") == first);
  CHECK(cache.size() == 1);
  cache.remove({"not.there.test"});
  CHECK(cache.size() == 1);
  CHECK_THROWS_AS(cache.put(nullptr), Error);
}

TEST_CASE("cache: load from an acme.json skips a corrupt entry and reports it") {
  acmecpp::testing::TempDir dir;
  AcmeJsonStore store((dir / "acme.json").string());
  store.save_certificate("le", test_ca().issue({"one.example.test", "*.one.example.test"}));
  CertificateRecord corrupt = test_ca().issue({"corrupt.example.test"});
  corrupt.key_pem = test_ca().issue({"someone.else.test"}).key_pem;
  store.save_certificate("le", corrupt);
  store.save_certificate("le", test_ca().issue({"two.example.test"}));
  store.save_certificate("other", test_ca().issue({"other.example.test"}));

  CertificateCache cache;
  cache.put(serving({"stale.example.test"}));
  const std::vector<std::string> skipped = cache.load(store, "le");
  CHECK(skipped == std::vector<std::string>{"corrupt.example.test"});
  CHECK(found_leaf_name(cache, "one.example.test") == "one.example.test");
  CHECK(found_leaf_name(cache, "x.one.example.test") == "one.example.test");
  CHECK(found_leaf_name(cache, "two.example.test") == "two.example.test");
  CHECK(cache.find("corrupt.example.test") == nullptr);
  CHECK(cache.find("other.example.test") == nullptr);  // another resolver's
  CHECK(cache.find("stale.example.test") == nullptr);  // load replaces the whole content
  CHECK(cache.size() == 3);
}

TEST_CASE(
    "cache: add keeps what is there and replaces only the names it brings, replace keeps none") {
  CertificateCache cache;
  cache.put(serving({"kept.example.test"}));
  cache.put(serving({"renewed.example.test", "www.renewed.example.test"}));
  const auto before = cache.find("www.renewed.example.test");
  CertificateRecord corrupt = test_ca().issue({"corrupt.example.test"});
  corrupt.key_pem = test_ca().issue({"someone.else.test"}).key_pem;
  const auto skipped = cache.add(
      {test_ca().issue({"renewed.example.test"}), corrupt, test_ca().issue({"new.example.test"})});
  CHECK(skipped == std::vector<std::string>{"corrupt.example.test"});
  CHECK(found_leaf_name(cache, "kept.example.test") == "kept.example.test");
  CHECK(found_leaf_name(cache, "new.example.test") == "new.example.test");
  const auto renewed = cache.find("renewed.example.test");
  REQUIRE(renewed != nullptr);
  CHECK(renewed != before);
  // A name only the old certificate had still finds the old one.
  CHECK(cache.find("www.renewed.example.test") == before);
  CHECK(cache.find("corrupt.example.test") == nullptr);
  CHECK(cache.size() == 4);

  CHECK(cache.replace({test_ca().issue({"only.example.test"})}).empty());
  CHECK(cache.size() == 1);
  CHECK(cache.find("kept.example.test") == nullptr);
  CHECK(found_leaf_name(cache, "only.example.test") == "only.example.test");
}

TEST_CASE("cache: load of a large store parses on several threads and keeps the store's order") {
  // Enough records for load() to share the parsing among threads (64 or more a thread), with
  // corrupt entries in different shares and a name held by two entries: the later one wins, as
  // it does when one thread adds them in order.
  constexpr int kCount = 300;
  acmecpp::testing::TempDir dir;
  AcmeJsonStore store((dir / "acme.json").string());
  std::vector<std::string> expected_skipped;
  std::string previous_key;
  {
    Store::Batch batch(store);
    for (int i = 0; i < kCount; ++i) {
      const std::string name = "n" + std::to_string(i) + ".example.test";
      CertificateRecord record = test_ca().issue({name});
      if (i == 5 || i == 150 || i == 290) {
        record.key_pem = previous_key;  // does not match the certificate
        expected_skipped.push_back(name);
      }
      previous_key = record.key_pem;
      store.save_certificate("le", record);
    }
    store.save_certificate("le", test_ca().issue({"last.example.test", "n7.example.test"}));
    batch.commit();
  }

  CertificateCache cache;
  CHECK(cache.load(store, "le") == expected_skipped);
  CHECK(cache.size() == kCount - expected_skipped.size() + 1);
  for (int i = 0; i < kCount; ++i) {
    const std::string name = "n" + std::to_string(i) + ".example.test";
    if (i == 7) {
      CHECK(found_leaf_name(cache, name) == "last.example.test");
    } else if (i == 5 || i == 150 || i == 290) {
      CHECK(cache.find(name) == nullptr);
    } else {
      CHECK(found_leaf_name(cache, name) == name);
    }
  }
}
