// SPDX-License-Identifier: Apache-2.0
#include "support/tlsalpn01_checks.hpp"

#include <arpa/inet.h>

#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "crypto/openssl_ptr.hpp"

namespace acmecpp::testing {

std::optional<AcmeIdentifierExtension> acme_identifier_extension(const X509* certificate) {
  crypto::Asn1ObjectPtr oid(OBJ_txt2obj("1.3.6.1.5.5.7.1.31", 1));
  const int index = X509_get_ext_by_OBJ(certificate, oid.get(), -1);
  if (index < 0) return std::nullopt;
  X509_EXTENSION* extension = X509_get_ext(certificate, index);
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(extension);
  return AcmeIdentifierExtension{
      X509_EXTENSION_get_critical(extension) == 1,
      std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                  static_cast<std::size_t>(ASN1_STRING_length(data)))};
}

std::string expected_acme_identifier_value(const std::string& key_authorization) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key_authorization.data()), key_authorization.size(),
         digest);
  return std::string("\x04\x20", 2) +
         std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

std::vector<std::string> subject_alt_names(const X509* certificate) {
  crypto::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
  std::vector<std::string> entries;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* octets = name->d.iPAddress;
      const int length = ASN1_STRING_length(octets);
      char text[INET6_ADDRSTRLEN] = {};
      const bool readable = (length == 4 || length == 16) &&
                            inet_ntop(length == 4 ? AF_INET : AF_INET6,
                                      ASN1_STRING_get0_data(octets), text, sizeof text) != nullptr;
      entries.push_back(readable ? "IP:" + std::string(text) : "other");
      continue;
    }
    if (name->type != GEN_DNS) {
      entries.push_back("other");
      continue;
    }
    const ASN1_IA5STRING* dns = name->d.dNSName;
    entries.push_back("DNS:" +
                      std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                  static_cast<std::size_t>(ASN1_STRING_length(dns))));
  }
  return entries;
}

std::string certificate_pem(const X509* certificate) {
  crypto::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), const_cast<X509*>(certificate));
  return crypto::bio_to_string(bio.get());
}

ChallengeTask tls_alpn_task(const std::string& identifier, const std::string& seed) {
  ChallengeTask task;
  task.type = "tls-alpn-01";
  task.identifier = identifier;
  task.token = "tlsAlpnToken" + seed + "-_xyz";
  task.key_authorization = task.token + ".nP1qzpXGymHBrUEepNY9HCsQk7K8KhOypzEt62jcerQ";
  return task;
}

}  // namespace acmecpp::testing
