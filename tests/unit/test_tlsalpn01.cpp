// SPDX-License-Identifier: Apache-2.0
// TLS-ALPN-01 without a network: the challenge certificate read back with plain OpenSSL, the
// responder's decision for (SNI, ALPN) pairs, its bookkeeping, and the wire formats it parses.

#include <doctest/doctest.h>

#include <openssl/ssl.h>

#include <functional>
#include <string>
#include <vector>

#include "acmecpp/error.hpp"
#include "acmecpp/tlsalpn01.hpp"
#include "challenge/tlsalpn01/alpn_wire.hpp"
#include "challenge/tlsalpn01/challenge_certificate.hpp"
#include "challenge/tlsalpn01/client_hello.hpp"
#include "challenge/tlsalpn01/ssl_ptr.hpp"
#include "support/tlsalpn01_checks.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using acmecpp::tlsalpn01::make_challenge_certificate;

namespace {

const std::vector<std::string> kAcmeOnly{"acme-tls/1"};

std::string wire(const std::vector<std::string>& protocols) {
  return tlsalpn01::encode_alpn_wire(protocols);
}

std::shared_ptr<const TlsAlpn01Certificate> challenge_for_wire(const TlsAlpn01Responder& responder,
                                                               const std::string& server_name,
                                                               const std::string& alpn_wire) {
  return responder.challenge_for(
      server_name, reinterpret_cast<const unsigned char*>(alpn_wire.data()), alpn_wire.size());
}

/// The exception `action` throws, which must be a ChallengeError.
ChallengeError challenge_error_from(const std::function<void()>& action) {
  try {
    action();
  } catch (const ChallengeError& error) {
    return error;
  }
  FAIL("expected a ChallengeError");
  return ChallengeError("");
}

ErrorKind error_kind_from(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.kind();
  }
  FAIL("expected an acmecpp::Error");
  return ErrorKind::config;
}

}  // namespace

TEST_CASE("the challenge certificate proves the key authorization for exactly its name") {
  const ChallengeTask task = tls_alpn_task("alpn.example.test");
  const auto challenge = make_challenge_certificate(task.identifier, task.key_authorization);
  REQUIRE(bool(challenge));
  X509* certificate = challenge->certificate.get();
  CHECK(challenge->identifier == "alpn.example.test");

  const auto extension = acme_identifier_extension(certificate);
  REQUIRE(extension.has_value());
  CHECK(extension->critical);
  CHECK(extension->value == expected_acme_identifier_value(task.key_authorization));
  CHECK(subject_alt_names(certificate) == std::vector<std::string>{"DNS:alpn.example.test"});

  CHECK(X509_check_ca(certificate) == 0);                              // an end-entity certificate
  CHECK(X509_verify(certificate, challenge->private_key.get()) == 1);  // self-signed
  CHECK(X509_check_private_key(certificate, challenge->private_key.get()) == 1);
  CHECK(EVP_PKEY_get_base_id(challenge->private_key.get()) == EVP_PKEY_EC);
  CHECK(EVP_PKEY_get_bits(challenge->private_key.get()) == 256);
  CHECK(X509_cmp_current_time(X509_get0_notBefore(certificate)) < 0);
  CHECK(X509_cmp_current_time(X509_get0_notAfter(certificate)) > 0);
}

TEST_CASE("every challenge certificate has a key of its own") {
  const ChallengeTask task = tls_alpn_task("alpn.example.test");
  const auto first = make_challenge_certificate(task.identifier, task.key_authorization);
  const auto second = make_challenge_certificate(task.identifier, task.key_authorization);
  CHECK(EVP_PKEY_eq(first->private_key.get(), second->private_key.get()) != 1);
}

TEST_CASE("the responder takes a handshake only for acme-tls/1 and a presented name") {
  TlsAlpn01Responder responder;
  CHECK(responder.type() == "tls-alpn-01");
  const ChallengeTask task = tls_alpn_task("alpn.example.test");
  CHECK_FALSE(bool(responder.challenge_for("alpn.example.test", kAcmeOnly)));  // nothing yet
  responder.present(task);

  const auto challenge = responder.challenge_for("alpn.example.test", kAcmeOnly);
  REQUIRE(bool(challenge));
  CHECK(acme_identifier_extension(challenge->certificate.get())->value ==
        expected_acme_identifier_value(task.key_authorization));
  // SNI is compared without regard to case.
  CHECK(responder.challenge_for("ALPN.Example.TEST", kAcmeOnly).get() == challenge.get());
  // acme-tls/1 among other protocols still asks for the challenge.
  CHECK(responder.challenge_for("alpn.example.test", {"h2", "acme-tls/1"}).get() ==
        challenge.get());

  CHECK_FALSE(bool(responder.challenge_for("alpn.example.test", {})));
  CHECK_FALSE(bool(responder.challenge_for("alpn.example.test", {"h2", "http/1.1"})));
  CHECK_FALSE(bool(responder.challenge_for("alpn.example.test", {"acme-tls/2"})));
  CHECK_FALSE(bool(responder.challenge_for("other.example.test", kAcmeOnly)));
  CHECK_FALSE(bool(responder.challenge_for("", kAcmeOnly)));
  CHECK_FALSE(bool(responder.challenge_for("www.alpn.example.test", kAcmeOnly)));

  responder.cleanup(task);
  CHECK_FALSE(bool(responder.challenge_for("alpn.example.test", kAcmeOnly)));
  // A certificate handed out before the cleanup stays usable (a handshake may still need it).
  CHECK(X509_check_private_key(challenge->certificate.get(), challenge->private_key.get()) == 1);
  responder.cleanup(task);  // a second cleanup is harmless
}

TEST_CASE("the responder reads ALPN lists in OpenSSL's wire format") {
  TlsAlpn01Responder responder;
  responder.present(tls_alpn_task("wire.example.test"));
  CHECK(bool(challenge_for_wire(responder, "wire.example.test", wire(kAcmeOnly))));
  CHECK(bool(challenge_for_wire(responder, "wire.example.test", wire({"h2", "acme-tls/1"}))));
  CHECK_FALSE(bool(challenge_for_wire(responder, "wire.example.test", wire({"h2", "http/1.1"}))));
  CHECK_FALSE(bool(challenge_for_wire(responder, "wire.example.test", "")));
  CHECK_FALSE(bool(challenge_for_wire(responder, "unknown.example.test", wire(kAcmeOnly))));
  // Malformed lists are not validations: a length running past the end, a zero length.
  const std::string overlong = std::string("\x0b") + "acme-tls/1";
  const std::string zero_length = std::string("\0", 1) + wire(kAcmeOnly);
  CHECK_FALSE(bool(challenge_for_wire(responder, "wire.example.test", overlong)));
  CHECK_FALSE(bool(challenge_for_wire(responder, "wire.example.test", zero_length)));
  CHECK_FALSE(bool(responder.challenge_for("wire.example.test", nullptr, 0)));
}

TEST_CASE("the responder lower-cases the identifier it puts into the certificate") {
  TlsAlpn01Responder responder;
  responder.present(tls_alpn_task("Mixed.Example.Test"));
  const auto challenge = responder.challenge_for("mixed.example.test", kAcmeOnly);
  REQUIRE(bool(challenge));
  CHECK(challenge->identifier == "mixed.example.test");
  CHECK(subject_alt_names(challenge->certificate.get()) ==
        std::vector<std::string>{"DNS:mixed.example.test"});
}

TEST_CASE("the responder counts presentations of the same task") {
  TlsAlpn01Responder responder;
  const ChallengeTask task = tls_alpn_task("count.example.test");
  responder.present(task);
  const auto first = responder.challenge_for("count.example.test", kAcmeOnly);
  responder.present(task);
  CHECK(responder.challenge_for("count.example.test", kAcmeOnly).get() ==
        first.get());  // not remade
  responder.cleanup(task);
  CHECK(responder.challenge_for("count.example.test", kAcmeOnly).get() == first.get());
  responder.cleanup(task);
  CHECK_FALSE(bool(responder.challenge_for("count.example.test", kAcmeOnly)));
}

TEST_CASE("a name shows one challenge: a second key authorization is refused") {
  TlsAlpn01Responder responder;
  const ChallengeTask task = tls_alpn_task("busy.example.test", "1");
  const ChallengeTask other = tls_alpn_task("BUSY.example.test", "2");
  responder.present(task);
  const ChallengeError error = challenge_error_from([&] { responder.present(other); });
  const std::string message = error.what();
  CHECK(message.find("busy.example.test") != std::string::npos);
  CHECK(message.find(other.key_authorization) == std::string::npos);  // a secret
  CHECK(message.find(task.key_authorization) == std::string::npos);
  // Cleaning up the refused task (cleanup follows every present) leaves the first one alone.
  responder.cleanup(other);
  const auto shown = responder.challenge_for("busy.example.test", kAcmeOnly);
  REQUIRE(bool(shown));
  CHECK(acme_identifier_extension(shown->certificate.get())->value ==
        expected_acme_identifier_value(task.key_authorization));
}

TEST_CASE("a wildcard name cannot be validated with TLS-ALPN-01") {
  TlsAlpn01Responder responder;
  ChallengeTask task = tls_alpn_task("example.test");
  task.wildcard = true;
  const ChallengeError error = challenge_error_from([&] { responder.present(task); });
  CHECK(std::string(error.what()).find("*.example.test") != std::string::npos);
  CHECK_FALSE(bool(responder.challenge_for("example.test", kAcmeOnly)));
  responder.cleanup(task);
}

TEST_CASE("install refuses a null context and unusable fallback protocols") {
  TlsAlpn01Responder responder;
  CHECK(error_kind_from([&] { responder.install(nullptr); }) == ErrorKind::invalid_input);
  tlsalpn01::SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
  REQUIRE(context != nullptr);
  TlsAlpn01InstallOptions options;
  options.fallback_protocols = {"h2", "acme-tls/1"};
  CHECK(error_kind_from([&] { responder.install(context.get(), options); }) ==
        ErrorKind::invalid_input);
  options.fallback_protocols = {""};
  CHECK(error_kind_from([&] { responder.install(context.get(), options); }) ==
        ErrorKind::invalid_input);
  options.fallback_protocols = {std::string(256, 'p')};
  CHECK(error_kind_from([&] { responder.install(context.get(), options); }) ==
        ErrorKind::invalid_input);
  // Installing twice is fine; the context frees both states with itself (ASan would tell).
  options.fallback_protocols = {"http/1.1"};
  responder.install(context.get(), options);
  responder.install(context.get(), options);
}

TEST_CASE("ALPN wire format: parse and encode") {
  using tlsalpn01::parse_alpn_wire;
  const std::string two = wire({"h2", "http/1.1"});  // the parsed names are views into it
  const auto parsed = parse_alpn_wire(two);
  REQUIRE(parsed.has_value());
  CHECK(*parsed == std::vector<std::string_view>{"h2", "http/1.1"});
  CHECK(wire({"h2"}) == std::string("\x02h2"));
  CHECK(parse_alpn_wire("")->empty());
  CHECK_FALSE(parse_alpn_wire("\x03h2").has_value());
  CHECK_FALSE(parse_alpn_wire(std::string("\x02h2\0", 4)).has_value());
  CHECK(tlsalpn01::offers_acme_tls(wire({"h2", "acme-tls/1"})));
  CHECK_FALSE(tlsalpn01::offers_acme_tls(wire({"acme-tls/10"})));
}

TEST_CASE("ClientHello extensions: server_name and ALPN bodies") {
  using tlsalpn01::parse_alpn_extension;
  using tlsalpn01::parse_server_name_extension;
  // server_name_list length 0x0014, host_name (0) of length 0x0011.
  const std::string sni = std::string("\x00\x14\x00\x00\x11", 5) + "alpn.example.test";
  CHECK(parse_server_name_extension(sni) == "alpn.example.test");
  // An entry of an unknown name type before the host_name is skipped.
  const std::string with_other = std::string("\x00\x19\x07\x00\x02", 5) + "xy" +
                                 std::string("\x00\x00\x11", 3) + "alpn.example.test";
  CHECK(parse_server_name_extension(with_other) == "alpn.example.test");
  CHECK(parse_server_name_extension("").empty());
  CHECK(parse_server_name_extension(sni.substr(0, sni.size() - 1)).empty());  // truncated
  CHECK(parse_server_name_extension(std::string("\x00\x05\x00\x00\x09", 5) + "abc").empty());

  const std::string list = wire(kAcmeOnly);
  const std::string alpn = std::string("\x00", 1) + char(list.size()) + list;
  CHECK(parse_alpn_extension(alpn) == list);
  CHECK(parse_alpn_extension(alpn + "x").empty());  // the length must cover the body exactly
  CHECK(parse_alpn_extension("\x00").empty());
}

TEST_CASE("an IP address's challenge certificate names it as an iPAddress, not a dNSName") {
  for (const std::string ip : {"192.0.2.10", "2001:db8::10"}) {
    CAPTURE(ip);
    const ChallengeTask task = tls_alpn_task(ip);
    const auto challenge = make_challenge_certificate(task.identifier, task.key_authorization);
    CHECK(challenge->identifier == ip);
    CHECK(subject_alt_names(challenge->certificate.get()) == std::vector<std::string>{"IP:" + ip});
    // No CN: the address is only in the subjectAltName, which is then critical.
    CHECK(X509_NAME_entry_count(X509_get_subject_name(challenge->certificate.get())) == 0);
    const int san = X509_get_ext_by_NID(challenge->certificate.get(), NID_subject_alt_name, -1);
    REQUIRE(san >= 0);
    CHECK(X509_EXTENSION_get_critical(X509_get_ext(challenge->certificate.get(), san)) == 1);
    CHECK(acme_identifier_extension(challenge->certificate.get())->value ==
          expected_acme_identifier_value(task.key_authorization));
  }
}

TEST_CASE("an IP address's challenge is found by its reverse-DNS SNI (RFC 8738 section 6)") {
  TlsAlpn01Responder responder;
  const ChallengeTask v4 = tls_alpn_task("192.0.2.10");
  responder.present(v4);
  const auto found = responder.challenge_for("10.2.0.192.in-addr.arpa", kAcmeOnly);
  REQUIRE(bool(found));
  CHECK(found->identifier == "192.0.2.10");
  CHECK(responder.challenge_for("10.2.0.192.IN-ADDR.ARPA.", kAcmeOnly).get() == found.get());
  // The address itself is no SNI (RFC 6066 section 3), and neither is another address's name.
  CHECK_FALSE(bool(responder.challenge_for("192.0.2.10", kAcmeOnly)));
  CHECK_FALSE(bool(responder.challenge_for("11.2.0.192.in-addr.arpa", kAcmeOnly)));
  // No SNI at all: the one presented challenge, since it is for an IP address.
  CHECK(responder.challenge_for("", kAcmeOnly).get() == found.get());
  CHECK_FALSE(bool(responder.challenge_for("", {"h2"})));  // still only for acme-tls/1

  // An IPv6 address written otherwise is the same identifier: the nibble name of RFC 3596.
  const ChallengeTask v6 = tls_alpn_task("2001:DB8:0:0::1", "2");
  responder.present(v6);
  const auto found6 = responder.challenge_for(
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", kAcmeOnly);
  REQUIRE(bool(found6));
  CHECK(found6->identifier == "2001:db8::1");
  // Two challenges presented: no SNI is ambiguous and finds nothing.
  CHECK_FALSE(bool(responder.challenge_for("", kAcmeOnly)));

  responder.cleanup(v4);
  CHECK_FALSE(bool(responder.challenge_for("10.2.0.192.in-addr.arpa", kAcmeOnly)));
  responder.cleanup(v6);
  CHECK_FALSE(bool(responder.challenge_for(
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", kAcmeOnly)));
}

TEST_CASE("no SNI finds no challenge for a DNS name") {
  TlsAlpn01Responder responder;
  responder.present(tls_alpn_task("alpn.example.test"));
  CHECK_FALSE(bool(responder.challenge_for("", kAcmeOnly)));
}
