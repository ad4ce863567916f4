// SPDX-License-Identifier: Apache-2.0
// acmectl with each challenge type against Pebble: TLS-ALPN-01 with its standalone responder,
// DNS-01 through pebble-challtestsrv (wildcard and apex in one certificate) and through a real
// BIND server with RFC 2136 updates, and a certificate whose names use different challenges.

#include <doctest/doctest.h>

#include <algorithm>

#include "acmecpp/certificate.hpp"
#include "acmecpp/store.hpp"
#include "acmectl_runner.hpp"
#include "support/bind_env.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

std::vector<std::string> sorted_names_in_store(const std::string& store) {
  const auto certs = AcmeJsonStore(store).certificates("letsencrypt");
  REQUIRE(certs.size() == 1);
  auto names = parse_certificate(certs[0].certificate_pem).dns_names;
  std::sort(names.begin(), names.end());
  return names;
}

PebbleOptions fresh_authorizations() {
  PebbleOptions options;
  options.authz_reuse_percent = 0;
  return options;
}

}  // namespace

TEST_CASE("acmectl issue --challenge tls-alpn-01 with its standalone responder") {
  PebbleEnv pebble(fresh_authorizations());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto r = run_acmectl(
      pebble, store,
      {"issue", "alpn.example.test", "www.alpn.example.test", "--challenge", "tls-alpn-01",
       "--tls-address", "127.0.0.1", "--tls-port", std::to_string(pebble.tls_port())});
  REQUIRE_MESSAGE(r.exit_code == 0, describe(r));
  CHECK(r.err.find("presenting tls-alpn-01") != std::string::npos);
  CHECK(sorted_names_in_store(store) ==
        std::vector<std::string>{"alpn.example.test", "www.alpn.example.test"});
}

TEST_CASE("acmectl issue --challenge dns-01 via challtestsrv: wildcard and apex together") {
  PebbleEnv pebble(fresh_authorizations());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  std::vector<std::string> args{"issue", "*.example.test", "example.test"};
  const auto dns = challtestsrv_dns_args(pebble);
  args.insert(args.end(), dns.begin(), dns.end());
  const auto r = run_acmectl(pebble, store, args);
  REQUIRE_MESSAGE(r.exit_code == 0, describe(r));
  CHECK(sorted_names_in_store(store) == std::vector<std::string>{"*.example.test", "example.test"});
  // Both TXT values were withdrawn afterwards.
  const auto txt = run_process({"dig", "@127.0.0.1", "-p", std::to_string(pebble.dns_port()), "TXT",
                                "_acme-challenge.example.test", "+short"});
  REQUIRE(txt.exit_code == 0);
  CHECK(txt.out.empty());
}

TEST_CASE("one certificate, two challenges: HTTP-01 for the apex, DNS-01 for the wildcard") {
  PebbleEnv pebble(fresh_authorizations());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  std::vector<std::string> args = issue_args(pebble, {"mixed.example.test", "*.mixed.example.test"},
                                             {"--challenge-for", "*.mixed.example.test=dns-01"});
  const auto dns = challtestsrv_dns_args(pebble);
  args.insert(args.end(), dns.begin() + 2, dns.end());  // keep http-01 as the default challenge
  const auto r = run_acmectl(pebble, store, args);
  REQUIRE_MESSAGE(r.exit_code == 0, describe(r));
  CHECK(r.err.find("mixed.example.test: presenting http-01") != std::string::npos);
  CHECK(r.err.find("*.mixed.example.test: presenting dns-01") != std::string::npos);
  CHECK(sorted_names_in_store(store) ==
        std::vector<std::string>{"*.mixed.example.test", "mixed.example.test"});
}

TEST_CASE("acmectl issue --dns rfc2136 against a real BIND that Pebble resolves with") {
  BindEnv bind;
  PebbleOptions options = fresh_authorizations();
  options.dns_server = "127.0.0.1:" + std::to_string(bind.port());
  PebbleEnv pebble(options);
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const std::string port = std::to_string(bind.port());
  ProcessOptions env;
  env.env = {{"RFC2136_NAMESERVER", "127.0.0.1:" + port},
             {"RFC2136_TSIG_KEY", bind.key_name()},
             {"RFC2136_TSIG_ALGORITHM", bind.key_algorithm() + "."},
             {"RFC2136_TSIG_SECRET", bind.key_secret()}};
  env.timeout = std::chrono::seconds(120);
  const auto r = run_process(
      acmectl_argv(pebble, store,
                   {"issue", "*.example.test", "example.test", "--challenge", "dns-01", "--dns",
                    "rfc2136", "--dns-resolvers", "127.0.0.1:" + port, "--dns-authoritative-port",
                    port, "--dns-propagation-timeout", "30"}),
      env);
  REQUIRE_MESSAGE(r.exit_code == 0, describe(r));
  CHECK(sorted_names_in_store(store) == std::vector<std::string>{"*.example.test", "example.test"});
  CHECK(bind.txt("_acme-challenge.example.test").empty());
  // The TSIG secret came from the environment and appears nowhere in acmectl's output.
  CHECK(r.err.find(bind.key_secret()) == std::string::npos);
}

TEST_CASE("DNS-01 settings mistakes are named") {
  PebbleEnv pebble;
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto no_provider =
      run_acmectl(pebble, store, {"issue", "a.example.test", "--challenge", "dns-01"});
  CHECK(no_provider.exit_code == 3);
  CHECK(no_provider.err.find("dns-01 needs --dns PROVIDER") != std::string::npos);
  const auto missing = run_acmectl(
      pebble, store, {"issue", "a.example.test", "--challenge", "dns-01", "--dns", "rfc2136"});
  CHECK(missing.exit_code == 4);
  CHECK(missing.err.find("DNS provider rfc2136 needs RFC2136_NAMESERVER") != std::string::npos);
  const auto bad_challenge =
      run_acmectl(pebble, store, {"issue", "a.example.test", "--challenge", "smtp-01"});
  CHECK(bad_challenge.exit_code == 3);
  CHECK(bad_challenge.err.find("unknown challenge \"smtp-01\"") != std::string::npos);
}
