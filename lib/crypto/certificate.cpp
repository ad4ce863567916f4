// SPDX-License-Identifier: Apache-2.0
#include "acmecpp/certificate.hpp"

#include <arpa/inet.h>

#include <cctype>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "acmecpp/error.hpp"
#include "crypto/certificate_fields.hpp"
#include "crypto/openssl_ptr.hpp"

namespace acmecpp {
namespace {

using namespace crypto;

constexpr std::string_view kBeginCertificate = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kEndCertificate = "-----END CERTIFICATE-----";

std::string asn1_string_utf8(const ASN1_STRING* value) {
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, value);
  if (length < 0) throw_openssl_error("cannot convert certificate text to UTF-8");
  OpenSslBytePtr owner(utf8);
  return std::string(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
}

std::string common_name_of(const X509_NAME* name) {
  const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) return {};
  return asn1_string_utf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index)));
}

std::string ip_address_text(const ASN1_OCTET_STRING* address) {
  const int family = ASN1_STRING_length(address) == 4 ? AF_INET : AF_INET6;
  if (family == AF_INET6 && ASN1_STRING_length(address) != 16) return "<malformed IP address>";
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, ASN1_STRING_get0_data(address), text, sizeof text);
  return text;
}

void read_subject_alt_names(const DerSpan& extensions, CertificateInfo& info) {
  const DerSpan value = find_extension_value(extensions, NID_subject_alt_name);
  if (value.empty()) return;
  const unsigned char* at = value.data;
  GeneralNamesPtr names(d2i_GENERAL_NAMES(nullptr, &at, value.size));
  if (!names) {
    ERR_clear_error();  // an undecodable subjectAltName lists no names, as X509_get_ext_d2i has it
    return;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) info.dns_names.push_back(asn1_string_utf8(name->d.dNSName));
    if (name->type == GEN_IPADD) info.ip_addresses.push_back(ip_address_text(name->d.iPAddress));
  }
}

// From the DER fields, without d2i_X509 (see certificate_fields.hpp for why).
CertificateInfo describe(std::string_view pem_block, std::size_t index) {
  const std::string what =
      "certificate #" + std::to_string(index + 1) + " of the chain is malformed";
  const std::string der = certificate_der_of_pem_block(pem_block, what);
  const CertificateFields fields = locate_certificate_fields(der, what);
  CertificateInfo info;
  info.common_name = common_name_of(decode_name(fields.subject).get());
  read_subject_alt_names(fields.extensions, info);
  info.not_before = decode_time(fields.not_before);
  info.not_after = decode_time(fields.not_after);
  info.serial_hex = decode_serial_hex(fields.serial);
  const X509NamePtr issuer = decode_name(fields.issuer);
  info.issuer = one_line_rfc2253(issuer.get());
  info.issuer_common_name = common_name_of(issuer.get());
  info.key_type = public_key_type(fields.public_key);
  return info;
}

}  // namespace

std::vector<std::string> split_pem_chain(std::string_view pem_bundle) {
  std::vector<std::string> blocks;
  std::size_t begin = pem_bundle.find(kBeginCertificate);
  while (begin != std::string_view::npos) {
    const std::size_t end = pem_bundle.find(kEndCertificate, begin);
    if (end == std::string_view::npos) {
      throw Error(ErrorKind::crypto, "certificate PEM block at offset " + std::to_string(begin) +
                                         " has no END CERTIFICATE line");
    }
    const std::size_t after = end + kEndCertificate.size();
    blocks.emplace_back(pem_bundle.substr(begin, after - begin));
    blocks.back() += '\n';
    begin = pem_bundle.find(kBeginCertificate, after);
  }
  if (blocks.empty())
    throw Error(ErrorKind::crypto,
                "no PEM certificate found (expected " + std::string(kBeginCertificate) + ")");
  return blocks;
}

CertificateInfo parse_certificate(std::string_view pem) {
  const auto blocks = split_pem_chain(pem);
  return describe(blocks.front(), 0);
}

std::vector<CertificateInfo> parse_certificate_chain(std::string_view pem_bundle) {
  const auto blocks = split_pem_chain(pem_bundle);
  std::vector<CertificateInfo> chain;
  chain.reserve(blocks.size());
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    chain.push_back(describe(blocks[i], i));
  }
  return chain;
}

}  // namespace acmecpp
