// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <chrono>

#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "acmecpp/certificate.hpp"
#include "acmecpp/error.hpp"
#include "certificate_fixtures.hpp"
#include "crypto/openssl_ptr.hpp"
#include "crypto/self_signed.hpp"
#include "key_fixtures.hpp"

using namespace acmecpp;
using namespace acmecpp::crypto;
using acmecpp::test::read_x509;
using acmecpp::test::shared_key;
using std::chrono::system_clock;

namespace {

using X509StorePtr = core::CHandle<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = core::CHandle<X509_STORE_CTX, X509_STORE_CTX_free>;

// A CA (P-384) and a leaf (P-256) it signed, as the tests and a benchmark generator build them.
struct Chain {
  system_clock::time_point not_before = system_clock::now() - std::chrono::hours(1);
  system_clock::time_point not_after = not_before + std::chrono::hours(24 * 90);
  std::string ca_pem;
  std::string leaf_pem;
};

Chain make_chain(KeyType leaf_type = KeyType::ec256) {
  Chain chain;
  CertificateOptions ca;
  ca.common_name = "acmecpp Test CA";
  ca.not_before = chain.not_before - std::chrono::hours(24);
  ca.not_after = chain.not_after + std::chrono::hours(24);
  chain.ca_pem = make_certificate_pem(shared_key(KeyType::ec384), ca);

  const PrivateKey& ca_key = shared_key(KeyType::ec384);
  chain.leaf_pem = make_certificate_pem(shared_key(leaf_type), {"example.test", "www.example.test"},
                                        chain.not_before, chain.not_after, &ca_key, &chain.ca_pem);
  return chain;
}

bool within_a_second(system_clock::time_point a, system_clock::time_point b) {
  return (a > b ? a - b : b - a) < std::chrono::seconds(1);
}

// Serial number straight from the DER INTEGER's magnitude bytes.
std::string serial_from_der(const X509* certificate) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(certificate);
  static const char* digits = "0123456789abcdef";
  std::string hex;
  const unsigned char* bytes = ASN1_STRING_get0_data(serial);
  for (int i = 0; i < ASN1_STRING_length(serial); ++i) {
    hex += digits[bytes[i] >> 4];
    hex += digits[bytes[i] & 15];
  }
  return hex.substr(hex.find_first_not_of('0'));
}

int verify_chain(const std::string& leaf_pem, const std::string& ca_pem) {
  X509StorePtr store(X509_STORE_new());
  X509Ptr ca = read_x509(ca_pem);
  X509Ptr leaf = read_x509(leaf_pem);
  REQUIRE(X509_STORE_add_cert(store.get(), ca.get()) == 1);
  X509StoreCtxPtr context(X509_STORE_CTX_new());
  REQUIRE(X509_STORE_CTX_init(context.get(), store.get(), leaf.get(), nullptr) == 1);
  const int result = X509_verify_cert(context.get());
  return result == 1 ? X509_V_OK : X509_STORE_CTX_get_error(context.get());
}

std::string pem_of(X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  REQUIRE(PEM_write_bio_X509(bio.get(), certificate) == 1);
  return bio_to_string(bio.get());
}

// A certificate with IP SANs, built with plain OpenSSL so the parser meets what it did not make.
std::string certificate_with_ip_addresses() {
  const PrivateKey& key = shared_key(KeyType::ec256);
  X509Ptr certificate = read_x509(make_certificate_pem(
      key, {"ip.test"}, system_clock::now(), system_clock::now() + std::chrono::hours(1)));
  X509V3_CTX context;
  X509V3_set_ctx(&context, certificate.get(), certificate.get(), nullptr, nullptr, 0);
  X509ExtensionPtr san(X509V3_EXT_nconf_nid(nullptr, &context, NID_subject_alt_name,
                                            "DNS:ip.test,IP:127.0.0.1,IP:::1,IP:2001:db8::7"));
  REQUIRE(san);
  const int old = X509_get_ext_by_NID(certificate.get(), NID_subject_alt_name, -1);
  X509_EXTENSION_free(X509_delete_ext(certificate.get(), old));
  REQUIRE(X509_add_ext(certificate.get(), san.get(), -1) == 1);
  REQUIRE(X509_sign(certificate.get(), key.native(), EVP_sha256()) > 0);
  return pem_of(certificate.get());
}

}  // namespace

TEST_CASE("split_pem_chain returns each certificate block in order") {
  const Chain chain = make_chain();
  const auto blocks =
      split_pem_chain("leading text\n" + chain.leaf_pem + "\n\n" + chain.ca_pem + "trailing");
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0] == chain.leaf_pem);
  CHECK(blocks[1] == chain.ca_pem);
}

TEST_CASE("split_pem_chain refuses text without certificates and unterminated blocks") {
  CHECK_THROWS_AS(split_pem_chain(""), Error);
  CHECK_THROWS_AS(split_pem_chain(shared_key(KeyType::ec256).to_pem()), Error);
  try {
    split_pem_chain("xx-----BEGIN CERTIFICATE-----\nMIIB\n");
    FAIL("an unterminated block was accepted");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::crypto);
    CHECK(std::string(e.what()).find("offset 2") != std::string::npos);
  }
}

TEST_CASE("parse_certificate_chain reads names, dates, serial, issuer and key type") {
  const Chain chain = make_chain();
  const auto infos = parse_certificate_chain(chain.leaf_pem + chain.ca_pem);
  REQUIRE(infos.size() == 2);

  const CertificateInfo& leaf = infos[0];
  CHECK(leaf.common_name == "example.test");
  CHECK(leaf.dns_names == std::vector<std::string>{"example.test", "www.example.test"});
  CHECK(leaf.ip_addresses.empty());
  CHECK(within_a_second(leaf.not_before, chain.not_before));
  CHECK(within_a_second(leaf.not_after, chain.not_after));
  CHECK(leaf.serial_hex == serial_from_der(read_x509(chain.leaf_pem).get()));
  CHECK(leaf.serial_hex.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(leaf.serial_hex.size() == 32);  // 127 random bits with the top one set
  CHECK(leaf.issuer == "CN=acmecpp Test CA");
  CHECK(leaf.issuer_common_name == "acmecpp Test CA");
  CHECK(leaf.key_type == "ec256");

  const CertificateInfo& ca = infos[1];
  CHECK(ca.common_name == "acmecpp Test CA");
  CHECK(ca.dns_names.empty());
  CHECK(ca.issuer_common_name == "acmecpp Test CA");
  CHECK(ca.key_type == "ec384");
  CHECK(ca.serial_hex != leaf.serial_hex);

  CHECK(parse_certificate(chain.leaf_pem + chain.ca_pem).serial_hex == leaf.serial_hex);
}

TEST_CASE("the CA + leaf chain passes OpenSSL's chain verification") {
  const Chain chain = make_chain(KeyType::rsa2048);
  CHECK(verify_chain(chain.leaf_pem, chain.ca_pem) == X509_V_OK);
  CHECK(parse_certificate(chain.leaf_pem).key_type == "rsa2048");
  // And a leaf is not accepted as a CA for another certificate.
  const PrivateKey& leaf_key = shared_key(KeyType::rsa2048);
  const std::string grandchild =
      make_certificate_pem(shared_key(KeyType::ec256), {"other.test"}, system_clock::now(),
                           system_clock::now() + std::chrono::hours(1), &leaf_key, &chain.leaf_pem);
  CHECK(verify_chain(grandchild, chain.leaf_pem) != X509_V_OK);
}

TEST_CASE("IP address SANs are read in textual form") {
  const CertificateInfo info = parse_certificate(certificate_with_ip_addresses());
  CHECK(info.dns_names == std::vector<std::string>{"ip.test"});
  CHECK(info.ip_addresses == std::vector<std::string>{"127.0.0.1", "::1", "2001:db8::7"});
}

TEST_CASE("dates after 2049 (GeneralizedTime) and a full issuer DN are read") {
  CertificateOptions options;
  options.dns_names = {"far.test"};
  options.not_before = system_clock::from_time_t(946684800);  // 2000-01-01T00:00:00Z
  options.not_after = system_clock::from_time_t(2840140800);  // 2060-01-01T00:00:00Z
  const std::string pem = make_certificate_pem(shared_key(KeyType::rsa3072), options);
  const CertificateInfo info = parse_certificate(pem);
  CHECK(info.not_before == options.not_before);
  CHECK(info.not_after == options.not_after);
  CHECK(info.key_type == "rsa3072");

  X509Ptr certificate = read_x509(pem);
  X509NamePtr issuer(X509_NAME_new());
  X509_NAME_add_entry_by_txt(issuer.get(), "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Exämple, Inc."), -1, -1, 0);
  X509_NAME_add_entry_by_txt(issuer.get(), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Exämple CA"), -1, -1, 0);
  REQUIRE(X509_set_issuer_name(certificate.get(), issuer.get()) == 1);
  // Re-signing re-encodes; otherwise OpenSSL writes the cached original DER.
  REQUIRE(X509_sign(certificate.get(), shared_key(KeyType::rsa3072).native(), EVP_sha256()) > 0);
  const CertificateInfo renamed = parse_certificate(pem_of(certificate.get()));
  CHECK(renamed.issuer == "CN=Exämple CA,O=Exämple\\, Inc.");
  CHECK(renamed.issuer_common_name == "Exämple CA");
}

TEST_CASE("a malformed certificate block is Error(crypto) naming its position") {
  const Chain chain = make_chain();
  const std::string broken = "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n";
  try {
    parse_certificate_chain(chain.leaf_pem + broken);
    FAIL("a malformed certificate was parsed");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::crypto);
    CHECK(std::string(e.what()).find("certificate #2") != std::string::npos);
  }
  CHECK_THROWS_AS(parse_certificate("no certificate here"), Error);
}
