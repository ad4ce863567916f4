// SPDX-License-Identifier: Apache-2.0
#include "crypto/x509_builders.hpp"

#include <arpa/inet.h>

#include "acmecpp/error.hpp"
#include "acmecpp/names.hpp"

namespace acmecpp::crypto {
namespace {

GeneralNamePtr make_dns_general_name(const std::string& dns_name) {
  Asn1Ia5StringPtr text(ASN1_IA5STRING_new());
  if (!text ||
      ASN1_STRING_set(text.get(), dns_name.data(), static_cast<int>(dns_name.size())) != 1) {
    throw_openssl_error("cannot encode DNS name \"" + dns_name + "\"");
  }
  GeneralNamePtr name(GENERAL_NAME_new());
  if (!name) throw_openssl_error("cannot allocate GENERAL_NAME");
  GENERAL_NAME_set0_value(name.get(), GEN_DNS, text.release());
  return name;
}

/// An iPAddress entry: the address's 4 or 16 bytes (RFC 5280 section 4.2.1.6).
GeneralNamePtr make_ip_general_name(const std::string& ip) {
  unsigned char bytes[16] = {};
  const bool v6 = ip.find(':') != std::string::npos;
  if (inet_pton(v6 ? AF_INET6 : AF_INET, ip.c_str(), bytes) != 1) {
    throw Error(ErrorKind::invalid_input, "\"" + ip + "\" is not an IP address");
  }
  Asn1OctetStringPtr octets(ASN1_OCTET_STRING_new());
  if (!octets || ASN1_OCTET_STRING_set(octets.get(), bytes, v6 ? 16 : 4) != 1) {
    throw_openssl_error("cannot encode IP address " + ip);
  }
  GeneralNamePtr name(GENERAL_NAME_new());
  if (!name) throw_openssl_error("cannot allocate GENERAL_NAME");
  GENERAL_NAME_set0_value(name.get(), GEN_IPADD, octets.release());
  return name;
}

}  // namespace

X509NamePtr make_common_name(const std::string& common_name) {
  X509NamePtr name(X509_NAME_new());
  if (!name ||
      X509_NAME_add_entry_by_NID(name.get(), NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1) {
    throw_openssl_error("cannot use \"" + common_name + "\" as common name");
  }
  return name;
}

X509ExtensionPtr make_san_extension(const std::vector<std::string>& entries, bool critical) {
  if (entries.empty()) {
    throw Error(ErrorKind::invalid_input, "at least one name is needed for subjectAltName");
  }
  GeneralNamesPtr names(GENERAL_NAMES_new());
  if (!names) throw_openssl_error("cannot allocate GENERAL_NAMES");
  for (const auto& entry : entries) {
    GeneralNamePtr name =
        is_ip_address(entry) ? make_ip_general_name(entry) : make_dns_general_name(entry);
    if (sk_GENERAL_NAME_push(names.get(), name.get()) <= 0) {
      throw_openssl_error("cannot add name \"" + entry + "\"");
    }
    name.release();  // the stack owns it now
  }
  X509ExtensionPtr extension(X509V3_EXT_i2d(NID_subject_alt_name, critical ? 1 : 0, names.get()));
  if (!extension) throw_openssl_error("cannot encode subjectAltName");
  return extension;
}

std::string common_name_candidate(const std::vector<std::string>& names) {
  for (const auto& name : names) {
    if (is_ip_address(name)) continue;
    return name.size() <= kMaxCommonNameLength ? name : std::string();
  }
  return {};
}

X509ExtensionPtr make_acme_identifier_extension(std::string_view digest) {
  constexpr std::size_t kSha256Size = 32;
  if (digest.size() != kSha256Size) {
    throw Error(ErrorKind::invalid_input, "acmeIdentifier needs a 32-byte SHA-256 digest, got " +
                                              std::to_string(digest.size()) + " bytes");
  }
  // The extension's extnValue wraps the DER of an OCTET STRING (RFC 8737 section 3), so the
  // digest is encoded once here and once more by the extension itself.
  Asn1OctetStringPtr inner(ASN1_OCTET_STRING_new());
  if (!inner ||
      ASN1_OCTET_STRING_set(inner.get(), reinterpret_cast<const unsigned char*>(digest.data()),
                            static_cast<int>(digest.size())) != 1) {
    throw_openssl_error("cannot build acmeIdentifier value");
  }
  unsigned char* der = nullptr;
  const int der_length = i2d_ASN1_OCTET_STRING(inner.get(), &der);
  if (der_length <= 0) throw_openssl_error("cannot encode acmeIdentifier value");
  OpenSslBytePtr der_owner(der);
  Asn1OctetStringPtr value(ASN1_OCTET_STRING_new());
  Asn1ObjectPtr oid(OBJ_txt2obj(kAcmeIdentifierOid, 1));
  if (!value || !oid || ASN1_OCTET_STRING_set(value.get(), der, der_length) != 1) {
    throw_openssl_error("cannot build acmeIdentifier extension");
  }
  X509ExtensionPtr extension(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 1, value.get()));
  if (!extension) throw_openssl_error("cannot build acmeIdentifier extension");
  return extension;
}

}  // namespace acmecpp::crypto
