// SPDX-License-Identifier: Apache-2.0
#include "serving_certificates.hpp"

#include <chrono>

#include <openssl/x509v3.h>

#include "crypto/openssl_ptr.hpp"
#include "crypto/self_signed.hpp"

namespace acmecpp::testing {
namespace {

crypto::CertificateOptions valid_now() {
  crypto::CertificateOptions options;
  const auto now = std::chrono::system_clock::now();
  options.not_before = now - std::chrono::hours(1);
  options.not_after = now + std::chrono::hours(24 * 30);
  return options;
}

}  // namespace

LocalCa::LocalCa(const std::string& common_name) : key_(PrivateKey::generate(KeyType::ec256)) {
  crypto::CertificateOptions options = valid_now();
  options.common_name = common_name;
  options.is_ca = true;
  certificate_pem_ = crypto::make_certificate_pem(key_, options);
}

CertificateRecord LocalCa::issue(const std::vector<std::string>& names) const {
  const PrivateKey leaf_key = PrivateKey::generate(KeyType::ec256);
  crypto::CertificateOptions options = valid_now();
  options.dns_names = names;
  options.issuer_key = &key_;
  options.issuer_certificate_pem = certificate_pem_;
  options.is_ca = false;
  CertificateRecord record;
  record.main = names.front();
  record.sans.assign(names.begin() + 1, names.end());
  record.certificate_pem = crypto::make_certificate_pem(leaf_key, options) + certificate_pem_;
  record.key_pem = leaf_key.to_pem();
  return record;
}

std::vector<std::string> dns_names_of(const X509* certificate) {
  std::vector<std::string> names;
  crypto::GeneralNamesPtr sans(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
  if (!sans) return names;
  for (int i = 0; i < sk_GENERAL_NAME_num(sans.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans.get(), i);
    if (name->type != GEN_DNS) continue;
    const ASN1_STRING* text = name->d.dNSName;
    names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                       static_cast<std::size_t>(ASN1_STRING_length(text)));
  }
  return names;
}

}  // namespace acmecpp::testing
