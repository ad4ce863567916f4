// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <chrono>

#include "acmecpp/certificate.hpp"
#include "acmecpp/error.hpp"
#include "certificate_fixtures.hpp"
#include "crypto/jose.hpp"
#include "crypto/self_signed.hpp"
#include "key_fixtures.hpp"

using namespace acmecpp;
using namespace acmecpp::crypto;
using acmecpp::test::read_x509;
using acmecpp::test::shared_key;
using std::chrono::system_clock;

namespace {

const X509_EXTENSION* acme_identifier_of(const X509* certificate) {
  Asn1ObjectPtr oid(OBJ_txt2obj(kAcmeIdentifierOid, 1));
  REQUIRE(oid);
  const int index = X509_get_ext_by_OBJ(certificate, oid.get(), -1);
  return index < 0 ? nullptr : X509_get_ext(certificate, index);
}

CertificateOptions challenge_options(std::optional<std::string> digest) {
  CertificateOptions options;
  options.dns_names = {"alpn.example.test"};
  options.not_before = system_clock::now();
  options.not_after = options.not_before + std::chrono::hours(1);
  options.acme_identifier_digest = std::move(digest);
  return options;
}

Error invalid_input_from(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::invalid_input);
    return e;
  }
  FAIL("expected Error(invalid_input)");
  return Error(ErrorKind::invalid_input, "");
}

}  // namespace

TEST_CASE("the TLS-ALPN-01 certificate carries the critical acmeIdentifier extension") {
  const std::string digest = sha256("token.thumbprint");
  const PrivateKey& key = shared_key(KeyType::ec256);
  X509Ptr certificate = read_x509(make_certificate_pem(key, challenge_options(digest)));
  const X509_EXTENSION* extension = acme_identifier_of(certificate.get());
  REQUIRE(extension != nullptr);
  CHECK(X509_EXTENSION_get_critical(extension) == 1);
  // RFC 8737 section 3: extnValue is the DER OCTET STRING (tag 4, length 32) of the digest.
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(const_cast<X509_EXTENSION*>(extension));
  const std::string value_bytes(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                                static_cast<std::size_t>(ASN1_STRING_length(value)));
  CHECK(value_bytes == std::string("\x04\x20", 2) + digest);
  CHECK(X509_verify(certificate.get(), key.native()) == 1);  // self-signed
  CHECK(parse_certificate(make_certificate_pem(key, challenge_options(digest))).dns_names ==
        std::vector<std::string>{"alpn.example.test"});
}

TEST_CASE("without a digest there is no acmeIdentifier extension") {
  X509Ptr certificate =
      read_x509(make_certificate_pem(shared_key(KeyType::ec256), challenge_options(std::nullopt)));
  CHECK(acme_identifier_of(certificate.get()) == nullptr);
}

TEST_CASE("a digest that is not 32 bytes is invalid input") {
  const Error error = invalid_input_from([] {
    make_certificate_pem(shared_key(KeyType::ec256), challenge_options(std::string(31, 'x')));
  });
  CHECK(std::string(error.what()).find("got 31 bytes") != std::string::npos);
}

TEST_CASE("self-signed certificates are CAs unless told otherwise, issued ones are not") {
  const PrivateKey& key = shared_key(KeyType::ec256);
  CertificateOptions options = challenge_options(std::nullopt);
  X509Ptr self_signed = read_x509(make_certificate_pem(key, options));
  CHECK(X509_check_ca(self_signed.get()) == 1);
  CHECK(X509_check_issued(self_signed.get(), self_signed.get()) == X509_V_OK);

  options.is_ca = false;
  X509Ptr end_entity = read_x509(make_certificate_pem(key, options));
  CHECK(X509_check_ca(end_entity.get()) == 0);
  CHECK((X509_get_extended_key_usage(end_entity.get()) & XKU_SSL_SERVER) != 0);
}

TEST_CASE("two certificates get different serial numbers") {
  const auto options = challenge_options(std::nullopt);
  const PrivateKey& key = shared_key(KeyType::ec256);
  CHECK(parse_certificate(make_certificate_pem(key, options)).serial_hex !=
        parse_certificate(make_certificate_pem(key, options)).serial_hex);
}

TEST_CASE("contradictory certificate options are invalid input") {
  const PrivateKey& key = shared_key(KeyType::ec256);
  invalid_input_from([&] {
    CertificateOptions options = challenge_options(std::nullopt);
    options.issuer_key = &key;  // without its certificate
    make_certificate_pem(key, options);
  });
  invalid_input_from([&] {
    CertificateOptions options = challenge_options(std::nullopt);
    options.not_after = options.not_before;
    make_certificate_pem(key, options);
  });
  invalid_input_from([&] {
    CertificateOptions options = challenge_options(std::nullopt);
    options.dns_names.clear();
    make_certificate_pem(key, options);
  });
}

TEST_CASE("an issuer key that does not match the issuer certificate is refused") {
  const PrivateKey& key = shared_key(KeyType::ec256);
  const std::string ca_pem = make_certificate_pem(key, challenge_options(std::nullopt));
  const PrivateKey& wrong_key = shared_key(KeyType::ec384);
  CertificateOptions options = challenge_options(std::nullopt);
  options.issuer_key = &wrong_key;
  options.issuer_certificate_pem = ca_pem;
  CHECK_THROWS_AS(make_certificate_pem(shared_key(KeyType::rsa2048), options), Error);
}
