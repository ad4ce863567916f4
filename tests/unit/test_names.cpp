// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "acmecpp/error.hpp"
#include "acmecpp/names.hpp"
#include "core/ip_address.hpp"

using acmecpp::Error;
using acmecpp::normalize_dns_name;
using acmecpp::normalize_dns_names;

namespace {

/// The message normalize_dns_name throws for `name`, checking it is an invalid_input Error.
std::string refusal(const std::string& name) {
  try {
    const std::string accepted = normalize_dns_name(name);
    FAIL("\"" << name << "\" was accepted as \"" << accepted << "\"");
  } catch (const Error& error) {
    CHECK(error.kind() == acmecpp::ErrorKind::invalid_input);
    return error.what();
  }
  return {};
}

}  // namespace

TEST_CASE("valid names are lower-cased and lose one trailing dot") {
  CHECK(normalize_dns_name("example.com") == "example.com");
  CHECK(normalize_dns_name("WWW.Example.COM") == "www.example.com");
  CHECK(normalize_dns_name("example.com.") == "example.com");
  CHECK(normalize_dns_name("a-b.c0.example") == "a-b.c0.example");
  CHECK(normalize_dns_name("localhost") == "localhost");
  CHECK(normalize_dns_name("*.Example.com") == "*.example.com");
  CHECK(normalize_dns_name("3com.com") == "3com.com");
}

TEST_CASE("empty names and empty labels are refused") {
  CHECK(refusal("") == "invalid DNS name \"\": the name is empty");
  CHECK(refusal(".") == "invalid DNS name \".\": the name is empty");
  const std::string empty_label = "it has an empty label (two dots in a row, or a leading dot)";
  CHECK(refusal("a..example") == "invalid DNS name \"a..example\": " + empty_label);
  CHECK(refusal(".example.com") == "invalid DNS name \".example.com\": " + empty_label);
  CHECK(refusal("example.com..") == "invalid DNS name \"example.com..\": " + empty_label);
}

TEST_CASE("labels over 63 octets and names over 253 octets are refused") {
  const std::string label63(63, 'a');
  CHECK(normalize_dns_name(label63 + ".com") == label63 + ".com");
  const std::string label64(64, 'a');
  CHECK(refusal(label64 + ".com") == "invalid DNS name \"" + label64 + ".com\": label \"" +
                                         label64 + "\" is 64 octets long; at most 63 are allowed");

  // 4 labels of 61 + 3 dots + "com" = 250; one more character each way decides.
  const std::string label61(61, 'b');
  const std::string name253 = label61 + "." + label61 + "." + label61 + "." + label61 + ".a.com";
  REQUIRE(name253.size() == 253);
  CHECK(normalize_dns_name(name253) == name253);
  CHECK(normalize_dns_name(name253 + ".") == name253);
  const std::string name254 = "x" + name253;
  CHECK(refusal(name254) ==
        "invalid DNS name \"" + name254 + "\": it is 254 octets long; at most 253 are allowed");
}

TEST_CASE("characters outside letters, digits and hyphen are refused") {
  CHECK(refusal("a_b.example") ==
        "invalid DNS name \"a_b.example\": label \"a_b\" contains "
        "'_'; only letters, digits and hyphens are allowed");
  CHECK(refusal("a b.example") ==
        "invalid DNS name \"a b.example\": label \"a b\" contains "
        "' '; only letters, digits and hyphens are allowed");
  CHECK(refusal("ex\nample.com") ==
        "invalid DNS name \"ex\\x0aample.com\": label "
        "\"ex\\x0aample\" contains '\\x0a'; only letters, digits "
        "and hyphens are allowed");
  CHECK(refusal("example.com/path").find("contains '/'") != std::string::npos);
}

TEST_CASE("labels may not start or end with a hyphen") {
  CHECK(refusal("-a.example") ==
        "invalid DNS name \"-a.example\": label \"-a\" starts with a hyphen");
  CHECK(refusal("a-.example") ==
        "invalid DNS name \"a-.example\": label \"a-\" ends with a hyphen");
}

TEST_CASE("'*' is allowed only as the whole first label") {
  CHECK(normalize_dns_name("*.example.com") == "*.example.com");
  const std::string only_first =
      "'*' is only allowed as the whole first label, as in \"*.example.com\"";
  CHECK(refusal("a*.example.com") == "invalid DNS name \"a*.example.com\": " + only_first);
  CHECK(refusal("*.*.x") == "invalid DNS name \"*.*.x\": " + only_first);
  CHECK(refusal("x.*.y") == "invalid DNS name \"x.*.y\": " + only_first);
  CHECK(refusal("*a.example") == "invalid DNS name \"*a.example\": " + only_first);
  CHECK(refusal("*") ==
        "invalid DNS name \"*\": a wildcard needs a domain after \"*.\", as in \"*.example.com\"");
  CHECK(refusal("*.").find("a wildcard needs a domain") != std::string::npos);
}

TEST_CASE("IP addresses are refused as DNS names") {
  const std::string note = "it is an IP address, and IP identifiers (RFC 8738) are not DNS names";
  CHECK(refusal("127.0.0.1") == "invalid DNS name \"127.0.0.1\": " + note);
  CHECK(refusal("10.1") == "invalid DNS name \"10.1\": " + note);
  CHECK(refusal("::1") == "invalid DNS name \"::1\": " + note);
  CHECK(refusal("[2001:db8::1]") == "invalid DNS name \"[2001:db8::1]\": " + note);
  CHECK(refusal("*.192.168.0.1") == "invalid DNS name \"*.192.168.0.1\": " + note);
  CHECK(normalize_dns_name("1.2.3.example") == "1.2.3.example");  // digits are fine elsewhere
}

TEST_CASE("internationalised names become A-labels") {
  CHECK(normalize_dns_name("bücher.example") == "xn--bcher-kva.example");
  CHECK(normalize_dns_name("BÜCHER.Example.") == "xn--bcher-kva.example");
  CHECK(normalize_dns_name("*.bücher.example") == "*.xn--bcher-kva.example");
  // Non-transitional: ß stays ß ("fass.de" is a different domain).
  CHECK(normalize_dns_name("faß.de") == "xn--fa-hia.de");
  CHECK(normalize_dns_name("xn--bcher-kva.example") == "xn--bcher-kva.example");

  const std::string bad_punycode = refusal("xn--zz.example");
  CHECK(bad_punycode.find("invalid DNS name \"xn--zz.example\": it is not a valid "
                          "internationalised name (IDNA2008/UTS#46): ") == 0);
  // A zero-width joiner outside its allowed context; transitional processing would silently
  // drop it and yield another name.
  CHECK(refusal("a\u200Db.example").find("not a valid internationalised name") !=
        std::string::npos);
  CHECK(refusal("bücher..example").find("empty label") != std::string::npos);
  CHECK(refusal("bü_cher.example").find("contains '_'") != std::string::npos);
}

TEST_CASE("a list is normalised and deduplicated in first-seen order") {
  const std::vector<std::string> names = {
      "Example.COM",     "www.example.com", "example.com.",         "*.example.com",
      "WWW.example.com", "bücher.example",  "xn--bcher-kva.example"};
  CHECK(normalize_dns_names(names) == std::vector<std::string>{"example.com", "www.example.com",
                                                               "*.example.com",
                                                               "xn--bcher-kva.example"});
  CHECK_THROWS_WITH_AS(normalize_dns_names({}), "no DNS names given", Error);
  CHECK_THROWS_WITH_AS(normalize_dns_names({"example.com", "bad_name.com"}),
                       doctest::Contains("\"bad_name.com\""), Error);
}

// ---- IP addresses as identifiers (RFC 8738) ----

namespace {

/// The message normalize_identifier throws for `name`, checking it is an invalid_input Error.
std::string identifier_refusal(const std::string& name) {
  try {
    const std::string accepted = acmecpp::normalize_identifier(name);
    FAIL("accepted \"" << name << "\" as \"" << accepted << "\"");
  } catch (const Error& e) {
    CHECK(e.kind() == acmecpp::ErrorKind::invalid_input);
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("an IP address is an identifier in its canonical text") {
  using acmecpp::normalize_identifier;
  CHECK(normalize_identifier("127.0.0.1") == "127.0.0.1");
  CHECK(normalize_identifier("192.0.2.10") == "192.0.2.10");
  CHECK(normalize_identifier("::1") == "::1");
  CHECK(normalize_identifier("0:0:0:0:0:0:0:1") == "::1");
  // RFC 5952 section 4: lower case, no leading zeros, the longest zero run compressed.
  CHECK(normalize_identifier("2001:DB8:0000:0000:0000:0000:0000:0010") == "2001:db8::10");
  CHECK(normalize_identifier("2001:db8:0:0:1:0:0:1") == "2001:db8::1:0:0:1");
  CHECK(normalize_identifier("2001:db8::0:1") == "2001:db8::1");
  CHECK(normalize_identifier("2001:0db8:0:1:1:1:1:1") == "2001:db8:0:1:1:1:1:1");
  // Brackets, as in a URL, are removed from an IPv6 address.
  CHECK(normalize_identifier("[2001:db8::10]") == "2001:db8::10");
  // DNS names go through normalize_dns_name as before.
  CHECK(normalize_identifier("WWW.Example.COM.") == "www.example.com");
  CHECK(normalize_identifier("*.bücher.example") == "*.xn--bcher-kva.example");
  CHECK(acmecpp::is_ip_address("2001:db8::10"));
  CHECK(acmecpp::is_ip_address("10.0.0.1"));
  CHECK_FALSE(acmecpp::is_ip_address("[::1]"));
  CHECK_FALSE(acmecpp::is_ip_address("example.com"));
  CHECK_FALSE(acmecpp::is_ip_address("010.0.0.1"));
  CHECK_FALSE(acmecpp::is_ip_address(std::string("1.2.3.4\0", 8)));
}

TEST_CASE("what is no IP address in the strict sense is refused, naming it") {
  const std::string ipv4_rule =
      "an IPv4 address is four decimal numbers from 0 to 255 without leading zeros, as in "
      "192.0.2.10";
  CHECK(identifier_refusal("010.0.0.1") == "invalid IP address \"010.0.0.1\": " + ipv4_rule);
  CHECK(identifier_refusal("10.1") == "invalid IP address \"10.1\": " + ipv4_rule);
  CHECK(identifier_refusal("256.0.0.1") == "invalid IP address \"256.0.0.1\": " + ipv4_rule);
  CHECK(identifier_refusal("127.0.0.1.") == "invalid IP address \"127.0.0.1.\": " + ipv4_rule);
  CHECK(identifier_refusal("[127.0.0.1]") ==
        "invalid IP address \"[127.0.0.1]\": only an IPv6 address may be written in brackets");
  CHECK(identifier_refusal("[example.com]") ==
        "invalid IP address \"[example.com]\": it is not an IPv6 address");
  // Wildcards and IDNA never apply to an IP address.
  CHECK(identifier_refusal("*.192.0.2.10") ==
        "invalid IP address \"*.192.0.2.10\": a wildcard cannot cover an IP address");
  CHECK(identifier_refusal("*.::1") ==
        "invalid IP address \"*.::1\": a wildcard cannot cover an IP address");
  // A zone is not part of an identifier; the colons make it no DNS name either.
  CHECK(identifier_refusal("fe80::1%eth0").find("\"fe80::1%eth0\"") != std::string::npos);
  CHECK(identifier_refusal("1::2::3").find("\"1::2::3\"") != std::string::npos);
}

TEST_CASE("identifiers are deduplicated by their canonical text") {
  CHECK(acmecpp::normalize_identifiers(
            {"::1", "0:0::1", "[::1]", "127.0.0.1", "Example.com", "example.com"}) ==
        std::vector<std::string>{"::1", "127.0.0.1", "example.com"});
  CHECK_THROWS_WITH_AS(acmecpp::normalize_identifiers({}), "no names given", Error);
}

TEST_CASE("the reverse-DNS name of an IP address, the SNI of RFC 8738 section 6") {
  using acmecpp::core::reverse_dns_name;
  CHECK(reverse_dns_name("192.0.0.10") == "10.0.0.192.in-addr.arpa");
  CHECK(reverse_dns_name("127.0.0.1") == "1.0.0.127.in-addr.arpa");
  CHECK(reverse_dns_name("::1") ==
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa");
  // RFC 8738 section 6's own example.
  CHECK(reverse_dns_name("2001:db8::1") ==
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  CHECK_THROWS_AS(reverse_dns_name("example.com"), Error);
}
