// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "acmecpp/error.hpp"
#include "crypto/jose.hpp"
#include "crypto/openssl_ptr.hpp"
#include "key_fixtures.hpp"

using namespace acmecpp;
using namespace acmecpp::crypto;
using acmecpp::test::shared_key;

namespace {

X509ReqPtr decode_csr(const std::string& der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  X509ReqPtr request(d2i_X509_REQ(nullptr, &cursor, static_cast<long>(der.size())));
  REQUIRE(request);
  CHECK(cursor == reinterpret_cast<const unsigned char*>(der.data()) + der.size());
  return request;
}

std::string subject_cn(X509_REQ* request) {
  const X509_NAME* subject = X509_REQ_get_subject_name(request);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return {};
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     static_cast<std::size_t>(ASN1_STRING_length(value)));
}

struct SanExtension {
  std::vector<std::string> dns_names;
  bool critical = false;
};

SanExtension san_of(X509_REQ* request) {
  SanExtension san;
  STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(request);
  REQUIRE(extensions != nullptr);
  X509ExtensionStackPtr owner(extensions);
  const int index = X509v3_get_ext_by_NID(extensions, NID_subject_alt_name, -1);
  REQUIRE(index >= 0);
  X509_EXTENSION* extension = sk_X509_EXTENSION_value(extensions, index);
  san.critical = X509_EXTENSION_get_critical(extension) == 1;
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(extension)));
  REQUIRE(names);
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    REQUIRE(name->type == GEN_DNS);
    san.dns_names.emplace_back(
        reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName)),
        static_cast<std::size_t>(ASN1_STRING_length(name->d.dNSName)));
  }
  return san;
}

/// Whether the subjectAltName extension is marked critical.
bool san_of_critical(X509_REQ* request) {
  STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(request);
  REQUIRE(extensions != nullptr);
  X509ExtensionStackPtr owner(extensions);
  const int index = X509v3_get_ext_by_NID(extensions, NID_subject_alt_name, -1);
  REQUIRE(index >= 0);
  return X509_EXTENSION_get_critical(sk_X509_EXTENSION_value(extensions, index)) == 1;
}

}  // namespace

TEST_CASE("a CSR lists every name as a dNSName SAN, the first as CN, and is signed") {
  const std::vector<std::string> names = {"example.test", "www.example.test", "*.api.example.test"};
  for (const KeyType type : {KeyType::ec256, KeyType::ec384, KeyType::rsa2048}) {
    CAPTURE(to_string(type));
    const PrivateKey& key = shared_key(type);
    X509ReqPtr request = decode_csr(make_csr_der(key, names));
    CHECK(subject_cn(request.get()) == "example.test");
    const SanExtension san = san_of(request.get());
    CHECK(san.dns_names == names);
    CHECK_FALSE(san.critical);
    CHECK(X509_REQ_get_version(request.get()) == X509_REQ_VERSION_1);
    CHECK(X509_REQ_verify(request.get(), key.native()) == 1);
    CHECK(EVP_PKEY_eq(X509_REQ_get0_pubkey(request.get()), key.native()) == 1);
    CHECK(X509_REQ_get_signature_nid(request.get()) ==
          (key.is_rsa() ? NID_sha256WithRSAEncryption : NID_ecdsa_with_SHA256));
    CHECK(X509_REQ_verify(request.get(), PrivateKey::generate(KeyType::ec256).native()) != 1);
    ERR_clear_error();  // the failed verification above queued its reasons
  }
}

TEST_CASE("a first name longer than 64 characters leaves the subject empty and the SAN critical") {
  const std::string long_name = std::string(60, 'a') + ".example.test";
  REQUIRE(long_name.size() > 64);
  X509ReqPtr request = decode_csr(make_csr_der(shared_key(KeyType::ec256), {long_name, "b.test"}));
  CHECK(subject_cn(request.get()).empty());
  CHECK(X509_NAME_entry_count(X509_REQ_get_subject_name(request.get())) == 0);
  const SanExtension san = san_of(request.get());
  CHECK(san.dns_names == std::vector<std::string>{long_name, "b.test"});
  CHECK(san.critical);
}

TEST_CASE("a CSR without names is invalid input") {
  try {
    make_csr_der(shared_key(KeyType::ec256), {});
    FAIL("a CSR without names was made");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::invalid_input);
  }
}

namespace {

/// Every subjectAltName entry as "DNS:<name>" or "IP:<inet_ntop text>".
std::vector<std::string> san_entries(X509_REQ* request) {
  std::vector<std::string> entries;
  STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(request);
  REQUIRE(extensions != nullptr);
  X509ExtensionStackPtr owner(extensions);
  const int index = X509v3_get_ext_by_NID(extensions, NID_subject_alt_name, -1);
  REQUIRE(index >= 0);
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(sk_X509_EXTENSION_value(extensions, index))));
  REQUIRE(names);
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_IPADD) {
      const int length = ASN1_STRING_length(name->d.iPAddress);
      REQUIRE((length == 4 || length == 16));
      char text[INET6_ADDRSTRLEN] = {};
      REQUIRE(inet_ntop(length == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(name->d.iPAddress),
                        text, sizeof text) != nullptr);
      entries.push_back("IP:" + std::string(text));
    } else {
      REQUIRE(name->type == GEN_DNS);
      entries.push_back(
          "DNS:" +
          std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName)),
                      static_cast<std::size_t>(ASN1_STRING_length(name->d.dNSName))));
    }
  }
  return entries;
}

}  // namespace

TEST_CASE("IP addresses go into iPAddress SANs and never become the CN (RFC 8738)") {
  const PrivateKey& key = shared_key(KeyType::ec256);
  SUBCASE("only addresses: no CN, the SAN critical") {
    X509ReqPtr request = decode_csr(make_csr_der(key, {"192.0.2.10", "2001:db8::10"}));
    CHECK(san_entries(request.get()) ==
          std::vector<std::string>{"IP:192.0.2.10", "IP:2001:db8::10"});
    CHECK(X509_NAME_entry_count(X509_REQ_get_subject_name(request.get())) == 0);
    CHECK(san_of_critical(request.get()));
  }
  SUBCASE("an address first, then a DNS name: the DNS name is the CN") {
    X509ReqPtr request = decode_csr(make_csr_der(key, {"::1", "host.example.test", "127.0.0.1"}));
    CHECK(san_entries(request.get()) ==
          std::vector<std::string>{"IP:::1", "DNS:host.example.test", "IP:127.0.0.1"});
    CHECK(subject_cn(request.get()) == "host.example.test");
    CHECK_FALSE(san_of_critical(request.get()));
  }
}
