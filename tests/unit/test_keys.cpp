// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <openssl/ec.h>
#include <openssl/pem.h>

#include "acmecpp/error.hpp"
#include "acmecpp/key.hpp"
#include "core/base64.hpp"
#include "crypto/openssl_ptr.hpp"
#include "key_fixtures.hpp"
#include "support/error_message.hpp"

using namespace acmecpp;
using acmecpp::test::kAllKeyTypes;
using acmecpp::test::shared_key;
using acmecpp::testing::error_message_of;

namespace {

int expected_bits(KeyType type) {
  switch (type) {
    case KeyType::ec256:
      return 256;
    case KeyType::ec384:
      return 384;
    case KeyType::rsa2048:
      return 2048;
    case KeyType::rsa3072:
      return 3072;
    case KeyType::rsa4096:
      return 4096;
  }
  return 0;
}

bool same_key(const PrivateKey& a, const PrivateKey& b) {
  return EVP_PKEY_eq(a.native(), b.native()) == 1 && a.to_der() == b.to_der();
}

// The base64 body of the first PEM block, decoded.
std::string pem_body_der(const std::string& pem) {
  const auto body_start = pem.find('\n') + 1;
  const auto body_end = pem.find("-----END");
  return core::base64_decode(pem.substr(body_start, body_end - body_start));
}

// Skips a DER SEQUENCE header and returns the offset of its first element.
std::size_t first_element_offset(const std::string& der) {
  REQUIRE(der.size() > 2);
  REQUIRE(static_cast<unsigned char>(der[0]) == 0x30);
  const auto length_byte = static_cast<unsigned char>(der[1]);
  return 2 + ((length_byte & 0x80) ? (length_byte & 0x7f) : 0);
}

// PKCS#1 RSAPrivateKey starts INTEGER 0, INTEGER n; SEC1 ECPrivateKey starts INTEGER 1, OCTET
// STRING; PKCS#8 starts INTEGER 0, SEQUENCE (the algorithm). This tells the three apart.
std::string der_form(const std::string& der) {
  const std::size_t at = first_element_offset(der);
  const std::string version = der.substr(at, 3);
  const auto next_tag = static_cast<unsigned char>(der.at(at + 3));
  if (version == std::string("\x02\x01\x00", 3) && next_tag == 0x02) return "pkcs1";
  if (version == std::string("\x02\x01\x01", 3) && next_tag == 0x04) return "sec1";
  if (version == std::string("\x02\x01\x00", 3) && next_tag == 0x30) return "pkcs8";
  return "unknown";
}

std::string native_pem(EVP_PKEY* key) {
  crypto::BioPtr bio(BIO_new(BIO_s_mem()));
  REQUIRE(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  return crypto::bio_to_string(bio.get());
}

}  // namespace

TEST_CASE("every key type generates with its type and size") {
  for (const KeyType type : kAllKeyTypes) {
    CAPTURE(to_string(type));
    const PrivateKey& key = shared_key(type);
    CHECK(key.type() == type);
    CHECK(key.bits() == expected_bits(type));
    const bool rsa = type != KeyType::ec256 && type != KeyType::ec384;
    CHECK(key.is_rsa() == rsa);
    CHECK(EVP_PKEY_get_base_id(key.native()) == (rsa ? EVP_PKEY_RSA : EVP_PKEY_EC));
  }
}

TEST_CASE("two generated keys differ") {
  CHECK_FALSE(same_key(PrivateKey::generate(KeyType::ec256), PrivateKey::generate(KeyType::ec256)));
}

TEST_CASE("keys round-trip through traditional PEM, PKCS#8 PEM and DER") {
  for (const KeyType type : kAllKeyTypes) {
    CAPTURE(to_string(type));
    const PrivateKey& key = shared_key(type);
    const bool rsa = key.is_rsa();

    const std::string pem = key.to_pem();
    CHECK(pem.rfind(rsa ? "-----BEGIN RSA PRIVATE KEY-----\n" : "-----BEGIN EC PRIVATE KEY-----\n",
                    0) == 0);
    CHECK(der_form(pem_body_der(pem)) == (rsa ? "pkcs1" : "sec1"));
    CHECK(same_key(PrivateKey::from_pem(pem), key));

    const std::string pkcs8 = key.to_pkcs8_pem();
    CHECK(pkcs8.rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
    CHECK(der_form(pem_body_der(pkcs8)) == "pkcs8");
    CHECK(same_key(PrivateKey::from_pem(pkcs8), key));

    const std::string der = key.to_der();
    CHECK(der_form(der) == (rsa ? "pkcs1" : "sec1"));
    CHECK(der == pem_body_der(pem));
    CHECK(same_key(PrivateKey::from_der(der), key));
    CHECK(same_key(PrivateKey::from_der(pem_body_der(pkcs8)), key));
    CHECK(PrivateKey::from_der(der).type() == type);
  }
}

TEST_CASE("from_pem skips the EC PARAMETERS block openssl ecparam writes") {
  const PrivateKey& key = shared_key(KeyType::ec256);
  const std::string with_parameters =
      "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" +
      key.to_pem();
  CHECK(same_key(PrivateKey::from_pem(with_parameters), key));
}

TEST_CASE("a copied key shares the same OpenSSL key") {
  const PrivateKey key = PrivateKey::generate(KeyType::ec256);
  const PrivateKey copy = key;  // NOLINT(performance-unnecessary-copy-initialization)
  CHECK(copy.native() == key.native());
}

TEST_CASE("from_native takes a reference of its own") {
  crypto::EvpPkeyPtr native(EVP_EC_gen("P-384"));
  REQUIRE(native);
  const PrivateKey key = PrivateKey::from_native(native.get());
  const std::string expected = key.to_der();
  native.reset();  // our reference is gone; the PrivateKey's must survive (ASan would notice)
  CHECK(key.type() == KeyType::ec384);
  CHECK(key.to_der() == expected);
}

TEST_CASE("an RSA size we do not generate reports the nearest type and its real size") {
  crypto::EvpPkeyPtr native(EVP_RSA_gen(1024));
  REQUIRE(native);
  const PrivateKey key = PrivateKey::from_native(native.get());
  CHECK(key.bits() == 1024);
  CHECK(key.type() == KeyType::rsa2048);
  CHECK(key.is_rsa());
}

TEST_CASE("garbage is refused with Error(crypto) and a message naming the problem") {
  CHECK(error_message_of(ErrorKind::crypto, [] {
          PrivateKey::from_pem("not a key at all");
        }).find("no PEM block found") != std::string::npos);
  CHECK(error_message_of(ErrorKind::crypto, [] {
          PrivateKey::from_pem("");
        }).find("no PEM block found") != std::string::npos);

  const std::string certificate_label =
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  const std::string message =
      error_message_of(ErrorKind::crypto, [&] { PrivateKey::from_pem(certificate_label); });
  CHECK(message.find("\"CERTIFICATE\" is not a private key") != std::string::npos);

  const std::string broken_body =
      "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\n-----END RSA PRIVATE KEY-----\n";
  const std::string broken =
      error_message_of(ErrorKind::crypto, [&] { PrivateKey::from_pem(broken_body); });
  CHECK(broken.find("cannot decode PKCS#1 RSA private key") != std::string::npos);
  CHECK(broken.find("MIIBOgIBAAJBAKj34GkxFhD9") == std::string::npos);  // no key bytes echoed

  CHECK(error_message_of(ErrorKind::crypto, [] {
          PrivateKey::from_der("\x30\x03\x02\x01\x00");
        }).find("DER is not a PKCS#1, SEC1 or PKCS#8 private key") != std::string::npos);
  CHECK(error_message_of(ErrorKind::crypto, [] { PrivateKey::from_der(""); }).find("DER is not") !=
        std::string::npos);
}

TEST_CASE("a PEM label that does not match the key inside is refused") {
  const std::string ec_der_as_rsa = "-----BEGIN RSA PRIVATE KEY-----\n" +
                                    core::base64_encode(shared_key(KeyType::ec256).to_der()) +
                                    "\n-----END RSA PRIVATE KEY-----\n";
  CHECK_THROWS_AS(PrivateKey::from_pem(ec_der_as_rsa), Error);
}

TEST_CASE("trailing bytes after a DER key are refused") {
  const std::string der = shared_key(KeyType::ec256).to_der() + "junk";
  CHECK(error_message_of(ErrorKind::crypto, [&] {
          PrivateKey::from_der(der);
        }).find("4 unexpected bytes") != std::string::npos);
}

TEST_CASE("encrypted keys are refused without prompting for a passphrase") {
  crypto::BioPtr bio(BIO_new(BIO_s_mem()));
  char passphrase[] = "secret";
  REQUIRE(PEM_write_bio_PKCS8PrivateKey(bio.get(), shared_key(KeyType::ec256).native(),
                                        EVP_aes_128_cbc(), passphrase, 6, nullptr, nullptr) == 1);
  const std::string pem = crypto::bio_to_string(bio.get());
  REQUIRE(pem.find("ENCRYPTED PRIVATE KEY") != std::string::npos);
  CHECK(error_message_of(ErrorKind::crypto, [&] { PrivateKey::from_pem(pem); }).find("encrypted") !=
        std::string::npos);
}

TEST_CASE("keys other than RSA and EC P-256/P-384 are refused") {
  crypto::EvpPkeyPtr p521(EVP_EC_gen("P-521"));
  REQUIRE(p521);
  CHECK(error_message_of(ErrorKind::crypto, [&] {
          PrivateKey::from_native(p521.get());
        }).find("unsupported key type ec-secp521r1") != std::string::npos);
  CHECK(error_message_of(ErrorKind::crypto, [&] {
          PrivateKey::from_pem(native_pem(p521.get()));
        }).find("unsupported key type") != std::string::npos);

  crypto::EvpPkeyPtr ed25519(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  REQUIRE(ed25519);
  CHECK(error_message_of(ErrorKind::crypto, [&] {
          PrivateKey::from_pem(native_pem(ed25519.get()));
        }).find("unsupported key type ed25519") != std::string::npos);
  CHECK_THROWS_AS(PrivateKey::from_native(nullptr), Error);
}
