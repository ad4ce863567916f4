// SPDX-License-Identifier: Apache-2.0
// acmectl against a real Pebble: accounts, certificates of one and ten names, key types, both
// HTTP-01 modes, and a failing challenge that must leave the store untouched.

#include <doctest/doctest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "acmecpp/certificate.hpp"
#include "acmecpp/store.hpp"
#include "acmectl_runner.hpp"
#include "support/local_http_server.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

nlohmann::json list_json(const PebbleEnv& pebble, const std::string& store) {
  const auto r = run_acmectl(pebble, store, {"list", "--json"});
  REQUIRE_MESSAGE(r.exit_code == 0, describe(r));
  return nlohmann::json::parse(r.out);
}

std::string account_url_from(const std::string& out) {
  const auto pos = out.find("account ");
  REQUIRE(pos != std::string::npos);
  auto url = out.substr(pos + 8);
  while (!url.empty() && (url.back() == '\n' || url.back() == '\r')) url.pop_back();
  return url;
}

/// A web server serving `root` on 127.0.0.1:port, like nginx in front of a webroot.
std::unique_ptr<LocalHttpServer> static_server(const std::filesystem::path& root,
                                               std::uint16_t port) {
  return std::make_unique<LocalHttpServer>(port, [&root](httplib::Server& server) {
    REQUIRE(server.set_mount_point("/", root.string()));
  });
}

}  // namespace

TEST_CASE("register creates an account, a second run finds the same one") {
  PebbleEnv pebble;
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto first = run_acmectl(pebble, store, {"register"});
  REQUIRE_MESSAGE(first.exit_code == 0, describe(first));
  CHECK(first.out.rfind("registered account ", 0) == 0);
  struct stat st {};
  REQUIRE(stat(store.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  const auto second = run_acmectl(pebble, store, {"register"});
  REQUIRE_MESSAGE(second.exit_code == 0, describe(second));
  CHECK(second.out.rfind("found existing account ", 0) == 0);
  CHECK(account_url_from(second.out) == account_url_from(first.out));

  AcmeJsonStore reread(store);
  const auto account = reread.load_account("letsencrypt");
  REQUIRE(account.has_value());
  CHECK(account->email == "ops@example.test");
  CHECK(account->uri == account_url_from(first.out));
  CHECK(account->registration_body.find("mailto:ops@example.test") != std::string::npos);
}

TEST_CASE("issue one name with the standalone HTTP-01 server, then list it") {
  PebbleEnv pebble;
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto r = issue_standalone(pebble, store, {"api.sellybase.example.test"});
  REQUIRE_MESSAGE(r.exit_code == 0, describe(r));
  CHECK(r.out.find("names=api.sellybase.example.test") != std::string::npos);

  const auto listed = list_json(pebble, store);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["main"] == "api.sellybase.example.test");
  CHECK(listed[0]["sans"].empty());
  CHECK(listed[0]["key_type"] == "ec256");
  CHECK(listed[0]["issuer"].get<std::string>().find("Pebble") != std::string::npos);
  CHECK(listed[0]["days_left"].get<long>() > 300);

  // What acmectl wrote re-reads identically: a rewrite of the same entry changes no byte.
  const std::string before = read_text_file(store);
  AcmeJsonStore reread(store);
  const auto certs = reread.certificates("letsencrypt");
  REQUIRE(certs.size() == 1);
  CHECK(parse_certificate(certs[0].certificate_pem).dns_names ==
        std::vector<std::string>{"api.sellybase.example.test"});
  reread.save_certificate("letsencrypt", certs[0]);
  CHECK(read_text_file(store) == before);
}

TEST_CASE("issue a ten-name certificate") {
  PebbleEnv pebble;
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  std::vector<std::string> names;
  for (int i = 0; i < 10; ++i) names.push_back("host" + std::to_string(i) + ".example.test");
  const auto r = issue_standalone(pebble, store, names);
  REQUIRE_MESSAGE(r.exit_code == 0, describe(r));
  AcmeJsonStore reread(store);
  const auto certs = reread.certificates("letsencrypt");
  REQUIRE(certs.size() == 1);
  CHECK(certs[0].main == "host0.example.test");
  CHECK(certs[0].sans.size() == 9);
  auto in_cert = parse_certificate(certs[0].certificate_pem).dns_names;
  std::sort(in_cert.begin(), in_cert.end());
  std::sort(names.begin(), names.end());
  CHECK(in_cert == names);
}

TEST_CASE("RSA and EC certificate keys") {
  PebbleEnv pebble;
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  for (const std::string type : {"rsa2048", "ec384"}) {
    const auto r = issue_standalone(pebble, store, {type + ".example.test"}, {"--key-type", type});
    REQUIRE_MESSAGE(r.exit_code == 0, describe(r));
  }
  const auto listed = list_json(pebble, store);
  REQUIRE(listed.size() == 2);
  CHECK(listed[0]["main"] == "rsa2048.example.test");
  CHECK(listed[0]["key_type"] == "rsa2048");
  CHECK(listed[1]["main"] == "ec384.example.test");
  CHECK(listed[1]["key_type"] == "ec384");
  AcmeJsonStore reread(store);
  CHECK(reread.certificates("letsencrypt")[0].key_pem.rfind("-----BEGIN RSA PRIVATE KEY-----", 0) ==
        0);
  CHECK(reread.certificates("letsencrypt")[1].key_pem.rfind("-----BEGIN EC PRIVATE KEY-----", 0) ==
        0);
}

TEST_CASE("webroot HTTP-01 behind a separate web server, tokens removed afterwards") {
  PebbleEnv pebble;
  TempDir dir;
  const auto webroot = dir / "www";
  std::filesystem::create_directories(webroot);
  const auto web = static_server(webroot, pebble.http_port());
  const std::string store = (dir / "acme.json").string();
  const auto r = run_acmectl(
      pebble, store,
      {"issue", "www.example.test", "static.example.test", "--webroot", webroot.string()});
  REQUIRE_MESSAGE(r.exit_code == 0, describe(r));
  const auto token_dir = webroot / ".well-known" / "acme-challenge";
  REQUIRE(std::filesystem::is_directory(token_dir));
  CHECK(std::filesystem::is_empty(token_dir));
  AcmeJsonStore reread(store);
  CHECK(reread.certificates("letsencrypt").size() == 1);
}

TEST_CASE("Pebble rejecting half of all nonces still issues") {
  PebbleOptions options;
  options.nonce_reject_percent = 50;
  PebbleEnv pebble(options);
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  for (const std::string name : {"nonce1.example.test", "nonce2.example.test"}) {
    const auto r = issue_standalone(pebble, store, {name});
    REQUIRE_MESSAGE(r.exit_code == 0, describe(r));
  }
  CHECK(AcmeJsonStore(store).certificates("letsencrypt").size() == 2);
}

TEST_CASE("a CA requiring EAB accepts the right key and rejects a wrong one clearly") {
  PebbleOptions options;
  // base64url of 32 bytes, as CAs hand them out.
  options.eab_keys = {
      {"kid-1", "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W"}};
  PebbleEnv pebble(options);
  TempDir dir;

  const std::string missing_store = (dir / "missing.json").string();
  const auto missing = run_acmectl(pebble, missing_store, {"register"});
  CHECK(missing.exit_code == 4);
  CHECK(missing.err.find("requires External Account Binding") != std::string::npos);
  // The library names its option (ManagerConfig::eab); acmectl names its flags.
  CHECK(missing.err.find("pass --eab-kid and --eab-hmac-key") != std::string::npos);
  CHECK(missing.err.find("ManagerConfig") == std::string::npos);

  const std::string wrong_store = (dir / "wrong.json").string();
  const auto wrong =
      run_acmectl(pebble, wrong_store,
                  {"register", "--eab-kid", "kid-1", "--eab-hmac-key",
                   "AAAAZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W"});
  CHECK_MESSAGE(wrong.exit_code == 6, describe(wrong));
  CHECK(wrong.err.find("acmectl: error: new account: urn:ietf:params:acme:error:unauthorized") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(wrong_store));

  const std::string right_store = (dir / "right.json").string();
  const auto right =
      run_acmectl(pebble, right_store,
                  {"register", "--eab-kid", "kid-1", "--eab-hmac-key",
                   "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W"});
  REQUIRE_MESSAGE(right.exit_code == 0, describe(right));
  CHECK(right.out.rfind("registered account ", 0) == 0);
  // The MAC key is a secret: it must not appear in anything acmectl printed.
  CHECK(right.err.find("zWNDZM6eQ") == std::string::npos);
  CHECK(wrong.err.find("AAAAZM6eQ") == std::string::npos);
}

TEST_CASE("a challenge that cannot succeed fails clearly and leaves acme.json byte-identical") {
  PebbleOptions options;
  options.authz_reuse_percent = 0;
  PebbleEnv pebble(options);
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto good = issue_standalone(pebble, store, {"kept.example.test"});
  REQUIRE_MESSAGE(good.exit_code == 0, describe(good));
  const std::string before = read_text_file(store);

  // Webroot mode with no web server on Pebble's HTTP port: Pebble's connection is refused.
  const auto webroot = dir / "www";
  std::filesystem::create_directories(webroot);
  const auto bad = run_acmectl(
      pebble, store, {"issue", "unreachable.example.test", "--webroot", webroot.string()});
  CHECK_MESSAGE(bad.exit_code == 8, describe(bad));
  CHECK(bad.err.find("http-01 for unreachable.example.test failed") != std::string::npos);
  CHECK(bad.err.find("onnection refused") != std::string::npos);  // Pebble's problem detail
  CHECK(read_text_file(store) == before);
  CHECK(std::filesystem::is_empty(webroot / ".well-known" / "acme-challenge"));
}

TEST_CASE("invalid names are refused before any request, naming the input") {
  PebbleEnv pebble;
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto r = issue_standalone(pebble, store, {"ok.example.test", "bad_name.example.test"});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("bad_name.example.test") != std::string::npos);
  // Pebble's newAccount and newOrder paths: neither was reached.
  CHECK(pebble.pebble_log().find("/sign-me-up") == std::string::npos);
  CHECK(pebble.pebble_log().find("/order-plz") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(store));
}
