// SPDX-License-Identifier: Apache-2.0
// DNS-01 pure parts: the TXT value, the record name, server address parsing, TSIG algorithm
// names, and what Dns01Solver refuses at construction.

#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <string>

#include "acmecpp/dns01.hpp"
#include "acmecpp/dns_providers.hpp"
#include "acmecpp/error.hpp"
#include "challenge/dns01/providers/rfc2136_update.hpp"
#include "challenge/dns01/server_address.hpp"

using namespace acmecpp;

namespace {

/// base64url(SHA-256(text)) computed straight with OpenSSL's EVP and base64 encoder, so that the
/// check does not share code with the library's helpers.
std::string independent_txt_value(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  REQUIRE(EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) == 1);
  unsigned char encoded[64] = {};
  const int written = EVP_EncodeBlock(encoded, digest, static_cast<int>(length));
  std::string value(reinterpret_cast<char*>(encoded), static_cast<std::size_t>(written));
  std::replace(value.begin(), value.end(), '+', '-');
  std::replace(value.begin(), value.end(), '/', '_');
  value.erase(std::remove(value.begin(), value.end(), '='), value.end());
  return value;
}

/// A provider that is never called: the constructor checks below do not get that far.
class UnusedProvider : public DnsProvider {
 public:
  std::string name() const override { return "unused"; }
  void present(const std::string&, const std::string&) override { FAIL("present called"); }
  void cleanup(const std::string&, const std::string&) override { FAIL("cleanup called"); }
};

}  // namespace

TEST_CASE("dns01_txt_value is base64url(SHA-256(key authorization)) without padding") {
  const std::string key_authorization =
      "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";
  const std::string value = dns01_txt_value(key_authorization);
  CHECK(value == independent_txt_value(key_authorization));
  CHECK(value.size() == 43);  // 32 bytes, unpadded
  CHECK(value.find_first_of("+/=") == std::string::npos);
  // SHA-256 of the empty string, a published constant.
  CHECK(dns01_txt_value("") == "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
}

TEST_CASE("dns01_record_name prefixes _acme-challenge and makes the name absolute") {
  CHECK(dns01_record_name("example.com") == "_acme-challenge.example.com.");
  CHECK(dns01_record_name("www.example.com") == "_acme-challenge.www.example.com.");
  CHECK(dns01_record_name("*.example.com") == "_acme-challenge.example.com.");
  CHECK(dns01_record_name("example.com.") == "_acme-challenge.example.com.");
  CHECK_THROWS_AS(dns01_record_name(""), Error);
  CHECK_THROWS_AS(dns01_record_name("."), Error);
}

TEST_CASE("server addresses parse with and without port, IPv4 and IPv6") {
  using dns01::parse_server_address;
  auto parsed = parse_server_address("127.0.0.1", "test");
  CHECK(parsed.host == "127.0.0.1");
  CHECK(parsed.port == 53);
  parsed = parse_server_address("127.0.0.1:5353", "test");
  CHECK(parsed.host == "127.0.0.1");
  CHECK(parsed.port == 5353);
  CHECK(parsed.to_string() == "127.0.0.1:5353");
  parsed = parse_server_address("::1", "test");
  CHECK(parsed.host == "::1");
  CHECK(parsed.port == 53);
  parsed = parse_server_address("[::1]:8053", "test");
  CHECK(parsed.host == "::1");
  CHECK(parsed.port == 8053);
  CHECK(parsed.to_string() == "[::1]:8053");
  parsed = parse_server_address("ns1.example.com:53", "test");
  CHECK(parsed.host == "ns1.example.com");

  for (const char* bad : {"", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:x", "[::1",
                          "[::1]x", ":53"}) {
    CAPTURE(bad);
    try {
      parse_server_address(bad, "DNS-01 resolver");
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::config);
      CHECK(std::string(e.what()).find("DNS-01 resolver '" + std::string(bad) + "'") !=
            std::string::npos);
    }
  }
}

TEST_CASE("ip_address_rdf accepts IP addresses only") {
  CHECK(static_cast<bool>(dns01::ip_address_rdf("127.0.0.1")));
  CHECK(static_cast<bool>(dns01::ip_address_rdf("::1")));
  CHECK_FALSE(static_cast<bool>(dns01::ip_address_rdf("localhost")));
  CHECK_FALSE(static_cast<bool>(dns01::ip_address_rdf("300.1.1.1")));
}

TEST_CASE("TSIG algorithm names map to ldns's, unsupported ones are refused") {
  CHECK(dns01::tsig_algorithm_name("hmac-sha256") == "hmac-sha256.");
  CHECK(dns01::tsig_algorithm_name("HMAC-SHA512.") == "hmac-sha512.");
  CHECK(dns01::tsig_algorithm_name("hmac-sha1") == "hmac-sha1.");
  CHECK_THROWS_WITH_AS(dns01::tsig_algorithm_name("hmac-sha384"),
                       doctest::Contains("hmac-sha384 is not supported"), Error);
  CHECK_THROWS_WITH_AS(dns01::tsig_algorithm_name("hmac-md5"),
                       doctest::Contains("unsupported TSIG algorithm 'hmac-md5'"), Error);
}

TEST_CASE("make_rfc2136_provider refuses incomplete or malformed settings") {
  Rfc2136Options options;
  options.nameserver = "127.0.0.1:5353";
  options.tsig_key_name = "acme-key";
  options.tsig_secret = "c2VjcmV0c2VjcmV0c2VjcmV0";
  CHECK(make_rfc2136_provider(options)->name() == "rfc2136");

  auto no_secret = options;
  no_secret.tsig_secret.clear();
  CHECK_THROWS_WITH_AS(make_rfc2136_provider(no_secret), doctest::Contains("both"), Error);

  auto bad_secret = options;
  bad_secret.tsig_secret = "not base64 !!";
  try {
    make_rfc2136_provider(bad_secret);
    FAIL("accepted a secret that is not base64");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::config);
    CHECK(std::string(e.what()).find("not base64") != std::string::npos);
    CHECK(std::string(e.what()).find("not base64 !!") == std::string::npos);  // no secret
  }

  auto bad_server = options;
  bad_server.nameserver = "127.0.0.1:port";
  CHECK_THROWS_WITH_AS(make_rfc2136_provider(bad_server),
                       doctest::Contains("rfc2136 nameserver '127.0.0.1:port'"), Error);

  auto unsigned_updates = options;
  unsigned_updates.tsig_key_name.clear();
  unsigned_updates.tsig_secret.clear();
  CHECK(make_rfc2136_provider(unsigned_updates)->name() == "rfc2136");
}

TEST_CASE("Dns01Solver refuses a missing provider and malformed addresses") {
  CHECK_THROWS_AS(Dns01Solver(nullptr), Error);
  Dns01PropagationOptions options;
  options.resolvers = {"resolver.example"};
  CHECK_THROWS_WITH_AS(Dns01Solver(std::make_shared<UnusedProvider>(), options),
                       doctest::Contains("not an IP address"), Error);
  options.resolvers = {"127.0.0.1:53"};
  options.authoritative_override = {"127.0.0.1:99999"};
  CHECK_THROWS_WITH_AS(Dns01Solver(std::make_shared<UnusedProvider>(), options),
                       doctest::Contains("DNS-01 authoritative override"), Error);
  options.authoritative_override = {"127.0.0.1:5353"};
  const Dns01Solver solver(std::make_shared<UnusedProvider>(), options);
  CHECK(solver.type() == "dns-01");
}
