// SPDX-License-Identifier: Apache-2.0
// crypto::check_issued_chain: what a CA returned for an order is checked against the certificate
// key and the order's names, and as a chain, before it is stored. Chains made locally
// (support/local_ca.hpp): a root, an intermediate it signs, and leaves the intermediate signs.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "acmecpp/error.hpp"
#include "crypto/issued_chain.hpp"
#include "support/error_message.hpp"
#include "support/local_ca.hpp"

using namespace acmecpp;
using acmecpp::crypto::check_issued_chain;
using acmecpp::testing::error_message_of;
using acmecpp::testing::LocalCa;

namespace {

struct Fixture {
  LocalCa root = LocalCa::root("acmecpp test root");
  LocalCa intermediate = root.intermediate("acmecpp test intermediate");
  PrivateKey key = PrivateKey::generate(KeyType::ec256);
  std::vector<std::string> names{"a.example.test", "*.b.example.test"};
  std::string leaf = intermediate.issue(key, names);
  std::string chain = leaf + intermediate.pem;
};

/// The message of the Error(protocol) `check` throws.
template <typename Check>
std::string refusal(Check check) {
  return error_message_of(ErrorKind::protocol, check);
}

}  // namespace

TEST_CASE("a chain for the CSR's key and exactly the ordered names is accepted") {
  const Fixture f;
  CHECK_NOTHROW(check_issued_chain(f.chain, f.key, f.names));
  CHECK_NOTHROW(check_issued_chain(f.chain + f.root.pem, f.key, f.names));  // with its root
  CHECK_NOTHROW(check_issued_chain(f.leaf, f.key, f.names));  // a lone leaf: nothing to check
  // DNS names compare without regard to case; the order of names does not matter.
  CHECK_NOTHROW(check_issued_chain(f.chain, f.key, {"*.B.example.test", "A.EXAMPLE.test"}));
  // Whitespace around and between the blocks is not junk.
  CHECK_NOTHROW(
      check_issued_chain("\n" + f.leaf + "\r\n\n" + f.intermediate.pem + "\n\n", f.key, f.names));
}

TEST_CASE("a certificate for another key is refused") {
  const Fixture f;
  const PrivateKey other = PrivateKey::generate(KeyType::ec256);
  const std::string message = refusal([&] {
    check_issued_chain(f.intermediate.issue(other, f.names) + f.intermediate.pem, f.key, f.names);
  });
  CHECK(message ==
        "the certificate the CA returned is for another key (not the one its "
        "certificate signing request was made with)");
  // Another type of key, too.
  const PrivateKey rsa = PrivateKey::generate(KeyType::rsa2048);
  CHECK(refusal([&] {
          check_issued_chain(f.intermediate.issue(rsa, f.names), f.key, f.names);
        }).find("is for another key") != std::string::npos);
}

TEST_CASE("a certificate for other names than the order's is refused, naming them") {
  const Fixture f;
  const auto leaf_for = [&](const std::vector<std::string>& names) {
    return f.intermediate.issue(f.key, names) + f.intermediate.pem;
  };
  CHECK(refusal([&] { check_issued_chain(leaf_for({"a.example.test"}), f.key, f.names); }) ==
        "the certificate the CA returned does not match the order: names *.b.example.test not "
        "covered");
  CHECK(refusal([&] {
          check_issued_chain(leaf_for({"a.example.test", "*.b.example.test", "evil.example"}),
                             f.key, f.names);
        }) ==
        "the certificate the CA returned does not match the order: names evil.example not "
        "ordered");
  CHECK(refusal([&] {
          check_issued_chain(leaf_for({"x.example.test", "y.example.test"}), f.key, f.names);
        }) ==
        "the certificate the CA returned does not match the order: names *.b.example.test, "
        "a.example.test not covered, x.example.test, y.example.test not ordered");
  // A wildcard covers only itself: x.b.example.test is not *.b.example.test, nor the reverse.
  CHECK(refusal([&] {
          check_issued_chain(leaf_for({"a.example.test", "x.b.example.test"}), f.key, f.names);
        }).find("names *.b.example.test not covered, x.b.example.test not ordered") !=
        std::string::npos);
}

TEST_CASE("a chain that is not a chain is refused") {
  const Fixture f;
  SUBCASE("the next certificate has another subject") {
    const LocalCa stranger = f.root.intermediate("some other intermediate");
    CHECK(refusal([&] { check_issued_chain(f.leaf + stranger.pem, f.key, f.names); }) ==
          "the certificate chain the CA returned is broken: certificate #1 was issued by "
          "\"CN=acmecpp test intermediate\", but certificate #2 is \"CN=some other "
          "intermediate\"");
  }
  SUBCASE("the next certificate has the right subject but another key") {
    const LocalCa impostor = f.root.intermediate("acmecpp test intermediate");
    CHECK(refusal([&] { check_issued_chain(f.leaf + impostor.pem, f.key, f.names); }) ==
          "the certificate chain the CA returned is broken: the signature of certificate #1 does "
          "not verify with the key of certificate #2");
  }
  SUBCASE("the break is further up") {
    const LocalCa other_root = LocalCa::root("acmecpp test root");
    CHECK(refusal([&] { check_issued_chain(f.chain + other_root.pem, f.key, f.names); })
              .find("the signature of certificate #2 does not verify with the key of "
                    "certificate #3") != std::string::npos);
  }
  SUBCASE("in the wrong order") {
    CHECK(refusal([&] {
            check_issued_chain(f.intermediate.pem + f.leaf, f.key, f.names);
          }).find("is for another key") != std::string::npos);
  }
}

TEST_CASE("text around or between the PEM blocks is refused, naming where it is") {
  const Fixture f;
  CHECK(refusal(
            [&] { check_issued_chain("Here is your certificate:\n" + f.chain, f.key, f.names); }) ==
        "the certificate chain the CA returned has text outside its PEM certificate blocks at "
        "byte 0 (\"Here is your certificate:\"): RFC 8555 section 9.1 allows certificates "
        "only");
  CHECK(refusal([&] {
          check_issued_chain(f.leaf + "\x1b[31m" + f.intermediate.pem, f.key, f.names);
        }).find("at byte " + std::to_string(f.leaf.size()) + " (\"\\x1b[31m") != std::string::npos);
  CHECK(refusal([&] {
          check_issued_chain(f.chain + "trailing", f.key, f.names);
        }).find("(\"trailing\")") != std::string::npos);
  CHECK(refusal([&] {
          check_issued_chain(f.chain + f.key.to_pkcs8_pem(), f.key, f.names);
        }).find("-----BEGIN PRIVATE KEY") != std::string::npos);
}

TEST_CASE("what is not a certificate chain at all is refused as the CA's fault") {
  const Fixture f;
  CHECK(refusal([&] {
          check_issued_chain("", f.key, f.names);
        }).find("is malformed: no PEM certificate found") != std::string::npos);
  CHECK(refusal([&] {
          check_issued_chain("-----BEGIN CERTIFICATE-----\nAAAA\n", f.key, f.names);
        }).find("has no END CERTIFICATE line") != std::string::npos);
  CHECK(refusal([&] {
          check_issued_chain("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                             f.key, f.names);
        }).find("certificate #1 does not decode") != std::string::npos);
}

TEST_CASE("IP addresses are compared with the leaf's iPAddress entries (RFC 8738)") {
  const Fixture f;
  const auto leaf_for = [&](const std::vector<std::string>& names) {
    return f.intermediate.issue(f.key, names) + f.intermediate.pem;
  };
  const std::vector<std::string> ordered{"192.0.2.10", "2001:db8::10", "a.example.test"};
  const std::string chain = leaf_for(ordered);
  CHECK_NOTHROW(check_issued_chain(chain, f.key, ordered));
  // The order's text and the certificate's bytes meet as canonical text.
  CHECK_NOTHROW(
      check_issued_chain(chain, f.key, {"2001:DB8:0:0::10", "192.0.2.10", "a.example.test"}));
  CHECK(refusal([&] {
          check_issued_chain(leaf_for({"192.0.2.10"}), f.key, {"192.0.2.10", "::1"});
        }) == "the certificate the CA returned does not match the order: names ::1 not covered");
  CHECK(refusal([&] {
          check_issued_chain(leaf_for({"192.0.2.10", "192.0.2.11"}), f.key, {"192.0.2.10"});
        }) ==
        "the certificate the CA returned does not match the order: names 192.0.2.11 not "
        "ordered");
  // An address ordered as an IP is not covered by a DNS name, nor the reverse.
  CHECK(refusal([&] { check_issued_chain(leaf_for({"a.example.test"}), f.key, {"192.0.2.10"}); }) ==
        "the certificate the CA returned does not match the order: names 192.0.2.10 not "
        "covered, a.example.test not ordered");
}
