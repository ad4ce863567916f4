// SPDX-License-Identifier: Apache-2.0
// IP address certificates (RFC 8738) with acmectl against the real Pebble 2.4.0, which supports
// ip identifiers and validates them by connecting to the address itself on its configured
// httpPort (HTTP-01) or tlsPort (TLS-ALPN-01, SNI the reverse-DNS name): an IPv4 (127.0.0.1) and
// an IPv6 (::1) certificate over each challenge, stored as Traefik keeps them, listed and renewed
// with renew --force; DNS-01 refused for an IP before any order. The standalone servers listen on
// "::" (dual-stack) so that Pebble reaches them over IPv4 and IPv6 alike.

#include <doctest/doctest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "acmecpp/certificate.hpp"
#include "acmecpp/store.hpp"
#include "acmectl_runner.hpp"
#include "support/ari_server.hpp"
#include "support/temp_dir.hpp"
#include "support/text_count.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

PebbleOptions fresh_authorizations() {
  PebbleOptions options;
  options.authz_reuse_percent = 0;   // every order validates its addresses again
  options.nonce_reject_percent = 0;  // a badNonce retry would record one newOrder twice
  return options;
}

/// The stored entry for `main`, as acme.json holds it.
nlohmann::json stored_entry(const std::string& store, const std::string& main) {
  const auto document = nlohmann::json::parse(read_text_file(store));
  for (const auto& entry : document.at("letsencrypt").at("Certificates")) {
    if (entry.at("domain").at("main") == main) return entry;
  }
  FAIL("no entry " << main << " in " << document.dump());
  return {};
}

CertificateInfo stored_certificate(const std::string& store, const std::string& main) {
  for (const auto& c : AcmeJsonStore(store).certificates("letsencrypt")) {
    if (c.main == main) return parse_certificate(c.certificate_pem);
  }
  FAIL("no certificate " << main);
  return {};
}

std::size_t orders_in(const PebbleEnv& pebble) {
  return count_occurrences(pebble.pebble_log(), "POST /order-plz");
}

/// Issues a certificate for 127.0.0.1 and one for ::1 with `challenge_flags`, checks what was
/// stored and listed, then renews both with renew --force and checks that each was replaced.
void issue_list_renew(const PebbleEnv& pebble, const std::vector<std::string>& challenge_flags) {
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  for (const std::string ip : {"127.0.0.1", "::1"}) {
    CAPTURE(ip);
    std::vector<std::string> args{"issue", ip};
    args.insert(args.end(), challenge_flags.begin(), challenge_flags.end());
    const auto issued = run_acmectl(pebble, store, args);
    REQUIRE_MESSAGE(issued.exit_code == 0, describe(issued));
    // Traefik's layout: domain.main is the address's text, no SANs.
    const auto entry = stored_entry(store, ip);
    CHECK(entry.at("domain").value("sans", nlohmann::json::array()).empty());
    const CertificateInfo info = stored_certificate(store, ip);
    CHECK(info.ip_addresses == std::vector<std::string>{ip});  // an iPAddress SAN,
    CHECK(info.dns_names.empty());                             // no dNSName
    // (The CN is the CA's choice: Pebble writes the address there; the CSR had none.)
  }
  const auto listed = run_acmectl(pebble, store, {"list"});
  REQUIRE_MESSAGE(listed.exit_code == 0, describe(listed));
  CHECK(listed.out.find("names=127.0.0.1") != std::string::npos);
  CHECK(listed.out.find("names=::1") != std::string::npos);

  const std::string serial4 = stored_certificate(store, "127.0.0.1").serial_hex;
  const std::string serial6 = stored_certificate(store, "::1").serial_hex;
  const std::size_t orders_before = orders_in(pebble);
  // No challenge flags: renew answers on the address and port each was issued with (kept).
  const auto renewed = run_acmectl(pebble, store, {"renew", "--force"});
  REQUIRE_MESSAGE(renewed.exit_code == 0, describe(renewed));
  CHECK(renewed.out.find("renewed letsencrypt  names=127.0.0.1") != std::string::npos);
  CHECK(renewed.out.find("renewed letsencrypt  names=::1") != std::string::npos);
  CHECK(orders_in(pebble) == orders_before + 2);
  CHECK(stored_certificate(store, "127.0.0.1").serial_hex != serial4);
  CHECK(stored_certificate(store, "::1").serial_hex != serial6);
  CHECK(stored_certificate(store, "::1").ip_addresses == std::vector<std::string>{"::1"});
}

}  // namespace

TEST_CASE("IPv4 and IPv6 certificates over HTTP-01: issued, stored, listed, renewed") {
  PebbleEnv pebble(fresh_authorizations());
  issue_list_renew(pebble,
                   {"--http-address", "::", "--http-port", std::to_string(pebble.http_port())});
  // Pebble fetched the token from the addresses themselves.
  const std::string log = pebble.pebble_log();
  CHECK(log.find("http://127.0.0.1:" + std::to_string(pebble.http_port())) != std::string::npos);
  CHECK(log.find("http://[::1]:" + std::to_string(pebble.http_port())) != std::string::npos);
}

TEST_CASE("IPv4 and IPv6 certificates over TLS-ALPN-01: issued, stored, listed, renewed") {
  PebbleEnv pebble(fresh_authorizations());
  issue_list_renew(pebble, {"--challenge", "tls-alpn-01", "--tls-address", "::", "--tls-port",
                            std::to_string(pebble.tls_port())});
}

TEST_CASE("one certificate for an IPv4 address, an IPv6 address and a DNS name") {
  PebbleEnv pebble(fresh_authorizations());
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  // Written as people write them: brackets and upper case are normalised away.
  const auto issued =
      run_acmectl(pebble, store,
                  {"issue", "127.0.0.1", "[0:0:0:0:0:0:0:1]", "mixed.example.test",
                   "--http-address", "::", "--http-port", std::to_string(pebble.http_port())});
  REQUIRE_MESSAGE(issued.exit_code == 0, describe(issued));
  const auto entry = stored_entry(store, "127.0.0.1");
  CHECK(entry.at("domain").at("sans") == nlohmann::json::array({"::1", "mixed.example.test"}));
  CertificateInfo info = stored_certificate(store, "127.0.0.1");
  std::sort(info.ip_addresses.begin(), info.ip_addresses.end());
  CHECK(info.ip_addresses == std::vector<std::string>{"127.0.0.1", "::1"});
  CHECK(info.dns_names == std::vector<std::string>{"mixed.example.test"});
}

TEST_CASE("newOrder carries ip identifiers, and the profile with them") {
  // AriServer (the Boulder stand-in in front of Pebble) records each newOrder payload and offers
  // profiles, which Pebble 2.4 has not; Let's Encrypt issues IP certificates under shortlived only.
  PebbleEnv pebble(fresh_authorizations());
  AriServer ca(pebble, {"shortlived", "classic"});
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const auto issued =
      run_process({ACMECPP_ACMECTL_PATH, "issue", "127.0.0.1", "::1", "--profile", "shortlived",
                   "--server", ca.directory_url(), "--ca-bundle", pebble.ca_bundle().string(),
                   "--store", store, "--agree-tos", "--account-key-type", "ec256", "--http-address",
                   "::", "--http-port", std::to_string(pebble.http_port())},
                  [] {
                    ProcessOptions options;
                    options.timeout = std::chrono::seconds(120);
                    return options;
                  }());
  REQUIRE_MESSAGE(issued.exit_code == 0, describe(issued));
  REQUIRE(ca.new_order_payloads().size() == 1);
  const auto payload = ca.new_order_payloads().front();
  CHECK(
      payload.at("identifiers") ==
      nlohmann::json::parse(R"([{"type":"ip","value":"127.0.0.1"},{"type":"ip","value":"::1"}])"));
  CHECK(payload.value("profile", "") == "shortlived");
}

TEST_CASE("DNS-01 for an IP address is refused, naming it, before any order") {
  PebbleEnv pebble;
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  std::vector<std::string> args{"issue", "www.example.test", "127.0.0.1"};
  const auto dns = challtestsrv_dns_args(pebble);
  args.insert(args.end(), dns.begin(), dns.end());
  const auto refused = run_acmectl(pebble, store, args);
  CHECK_MESSAGE(refused.exit_code == 4, describe(refused));  // a configuration error
  CHECK(refused.err.find("the IP address 127.0.0.1 cannot be validated with DNS-01") !=
        std::string::npos);
  CHECK(orders_in(pebble) == 0);
}
