// SPDX-License-Identifier: Apache-2.0
// RenewalState in acme.json: written under the entry's "acmecpp" member, read back equal, left
// out when empty, and Traefik's own fields untouched.

#include <doctest/doctest.h>

#include "acmecpp/error.hpp"
#include "acmecpp/store.hpp"
#include "support/store_test_files.hpp"

using namespace acmecpp;
using Json = nlohmann::ordered_json;
using std::chrono::seconds;
using store_test::copy_fixture;
using store_test::read_json;
using store_test::TempDir;

namespace {

using TimePoint = std::chrono::system_clock::time_point;

TimePoint at(long long unix_seconds) {
  return TimePoint(seconds(unix_seconds));
}

CertificateRecord certificate(const std::string& main) {
  CertificateRecord record;
  record.main = main;
  record.certificate_pem = "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n";
  record.key_pem = "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n";
  return record;
}

RenewalState full_state() {
  RenewalState state;
  state.ari_cert_id = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";
  state.ari_window_start = at(1735790400);
  state.ari_window_end = at(1735876800);
  state.ari_selected_time = at(1735800000);
  state.ari_checked_at = at(1735700000);
  state.ari_retry_after = seconds(21600);
  state.ari_explanation_url = "https://ca.example.test/ari";
  state.failed_attempts = 3;
  state.last_failure = at(1735710000);
  state.last_error = "challenge failed: connection refused";
  state.profile = "shortlived";
  state.settings = {{"challenge", {"dns-01"}},
                    {"dns-option", {"RFC2136_NAMESERVER=127.0.0.1:53", "RFC2136_TSIG_KEY=k"}}};
  state.retry_not_before = at(1735720000);
  state.account_url = "https://ca.example.test/acme/acct/1234";
  return state;
}

const Json& entry_named(const Json& document, const std::string& resolver,
                        const std::string& main) {
  for (const auto& entry : document.at(resolver).at("Certificates")) {
    if (entry.at("domain").at("main") == main) return entry;
  }
  FAIL("no entry " << main);
  static const Json none;
  return none;
}

}  // namespace

TEST_CASE("renewal state round-trips through acme.json under \"acmecpp\"") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  AcmeJsonStore store(path);
  auto record = certificate("ari.example.test");
  record.renewal = full_state();
  store.save_certificate("le", record);

  const auto read = AcmeJsonStore(path).certificates("le");
  REQUIRE(read.size() == 1);
  CHECK(read[0].renewal == full_state());

  const Json document = read_json(path);
  const Json& entry = entry_named(document, "le", "ari.example.test");
  const Json& member = entry.at("acmecpp");
  CHECK(member.at("ari").at("certID") == "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
  CHECK(member.at("ari").at("windowStart") == "2025-01-02T04:00:00Z");
  CHECK(member.at("ari").at("retryAfterSeconds") == 21600);
  CHECK(member.at("failures").at("count") == 3);
  CHECK(member.at("profile") == "shortlived");
  CHECK(member.at("settings").at("challenge") == "dns-01");  // one value: a string
  CHECK(member.at("settings").at("dns-option").size() == 2);
  CHECK(member.at("failures").at("retryNotBefore") == "2025-01-01T08:26:40Z");
  CHECK(member.at("account") == "https://ca.example.test/acme/acct/1234");
  // Traefik's fields come first, as Traefik writes them; ours follows.
  std::vector<std::string> keys;
  for (const auto& item : entry.items()) keys.push_back(item.key());
  CHECK(keys == std::vector<std::string>{"domain", "certificate", "key", "Store", "acmecpp"});
}

TEST_CASE("an empty renewal state writes no member and clearing it removes the member") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  AcmeJsonStore store(path);
  auto record = certificate("plain.example.test");
  store.save_certificate("le", record);
  CHECK_FALSE(entry_named(read_json(path), "le", "plain.example.test").contains("acmecpp"));

  record.renewal.failed_attempts = 1;
  store.save_certificate("le", record);
  CHECK(entry_named(read_json(path), "le", "plain.example.test").at("acmecpp") ==
        Json::parse(R"({"failures": {"count": 1}})"));

  record.renewal = {};
  store.save_certificate("le", record);
  CHECK_FALSE(entry_named(read_json(path), "le", "plain.example.test").contains("acmecpp"));
}

TEST_CASE("a Traefik file gains only the member, and rewriting it unchanged changes nothing") {
  TempDir dir;
  const std::string path = copy_fixture(dir, "traefik-rsa.acme.json");
  AcmeJsonStore store(path);
  const auto resolver = store.resolvers().front();
  auto records = store.certificates(resolver);
  REQUIRE_FALSE(records.empty());
  const std::string before = store_test::read_file(path);
  store.save_certificate(resolver, records.front());
  CHECK(store_test::read_file(path) == before);

  const Json original = read_json(path);
  records.front().renewal = full_state();
  store.save_certificate(resolver, records.front());
  Json changed = read_json(path);
  CHECK(store.certificates(resolver).front().renewal == full_state());
  for (auto& entry : changed.at(resolver).at("Certificates")) entry.erase("acmecpp");
  CHECK(changed == original);
}

TEST_CASE("a damaged acmecpp member is reported with its place") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  AcmeJsonStore(path).save_certificate("le", certificate("bad.example.test"));
  Json document = read_json(path);
  document["le"]["Certificates"][0]["acmecpp"] = {{"ari", {{"windowStart", "soon"}}}};
  store_test::write_file(path, document.dump());
  CHECK_THROWS_WITH_AS(AcmeJsonStore(path).certificates("le"),
                       doctest::Contains("acmecpp.ari: field \"windowStart\" is not an RFC 3339"),
                       Error);
  document["le"]["Certificates"][0]["acmecpp"] = "yes";
  store_test::write_file(path, document.dump());
  CHECK_THROWS_WITH_AS(AcmeJsonStore(path).certificates("le"),
                       doctest::Contains("field \"acmecpp\" must be an object"), Error);
}
