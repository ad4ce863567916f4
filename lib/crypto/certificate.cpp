#include "acmecpp/certificate.hpp"

#include <arpa/inet.h>

#include <cctype>

#include <openssl/pem.h>

#include "acmecpp/error.hpp"
#include "crypto/key_family.hpp"
#include "crypto/openssl_ptr.hpp"

namespace acmecpp {
namespace {

using namespace crypto;

constexpr std::string_view kBeginCertificate = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kEndCertificate = "-----END CERTIFICATE-----";

X509Ptr decode_certificate(std::string_view pem_block, std::size_t index) {
  BioPtr bio(BIO_new_mem_buf(pem_block.data(), static_cast<int>(pem_block.size())));
  X509Ptr certificate(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!certificate) {
    throw_openssl_error("certificate #" + std::to_string(index + 1) + " of the chain is malformed");
  }
  return certificate;
}

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

std::string one_line_rfc2253(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  // Without ESC_MSB, non-ASCII characters stay readable UTF-8 instead of \XX escapes.
  const unsigned long flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) {
    throw_openssl_error("cannot print certificate name");
  }
  return bio_to_string(bio.get());
}

std::string ip_address_text(const ASN1_OCTET_STRING* address) {
  const int family = ASN1_STRING_length(address) == 4 ? AF_INET : AF_INET6;
  if (family == AF_INET6 && ASN1_STRING_length(address) != 16) return "<malformed IP address>";
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, ASN1_STRING_get0_data(address), text, sizeof text);
  return text;
}

void read_subject_alt_names(const X509* certificate, CertificateInfo& info) {
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) info.dns_names.push_back(asn1_string_utf8(name->d.dNSName));
    if (name->type == GEN_IPADD) info.ip_addresses.push_back(ip_address_text(name->d.iPAddress));
  }
}

// ASN1_TIME_diff against the epoch avoids timegm() and works for any date ASN.1 can express.
std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* time) {
  Asn1TimePtr epoch(ASN1_TIME_set(nullptr, 0));
  int days = 0;
  int seconds = 0;
  if (!epoch || ASN1_TIME_diff(&days, &seconds, epoch.get(), time) != 1) {
    throw_openssl_error("certificate has an invalid validity date");
  }
  const auto since_epoch = std::chrono::hours(24) * days + std::chrono::seconds(seconds);
  return std::chrono::system_clock::from_time_t(0) +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(since_epoch);
}

std::string serial_hex(const X509* certificate) {
  BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr));
  OpenSslCharPtr hex(serial ? BN_bn2hex(serial.get()) : nullptr);
  if (!hex) throw_openssl_error("cannot read certificate serial number");
  // BN_bn2hex prints whole bytes in upper case ("0A"); we want "a".
  std::string text(hex.get());
  const bool negative = !text.empty() && text.front() == '-';
  std::string digits = text.substr(negative ? 1 : 0);
  const auto first_significant = digits.find_first_not_of('0');
  digits = first_significant == std::string::npos ? "0" : digits.substr(first_significant);
  for (char& c : digits) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return (negative ? "-" : "") + digits;
}

std::string public_key_type(const X509* certificate) {
  const EVP_PKEY* key = X509_get0_pubkey(certificate);
  if (key == nullptr) throw_openssl_error("cannot read certificate public key");
  return describe_key_type(key);
}

CertificateInfo describe(const X509* certificate) {
  CertificateInfo info;
  info.common_name = common_name_of(X509_get_subject_name(certificate));
  read_subject_alt_names(certificate, info);
  info.not_before = to_time_point(X509_get0_notBefore(certificate));
  info.not_after = to_time_point(X509_get0_notAfter(certificate));
  info.serial_hex = serial_hex(certificate);
  info.issuer = one_line_rfc2253(X509_get_issuer_name(certificate));
  info.issuer_common_name = common_name_of(X509_get_issuer_name(certificate));
  info.key_type = public_key_type(certificate);
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
  return describe(decode_certificate(blocks.front(), 0).get());
}

std::vector<CertificateInfo> parse_certificate_chain(std::string_view pem_bundle) {
  const auto blocks = split_pem_chain(pem_bundle);
  std::vector<CertificateInfo> chain;
  chain.reserve(blocks.size());
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    chain.push_back(describe(decode_certificate(blocks[i], i).get()));
  }
  return chain;
}

}  // namespace acmecpp
