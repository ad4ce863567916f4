// SPDX-License-Identifier: Apache-2.0
#pragma once
// A certificate authority made on the spot (crypto::make_certificate_pem): a root, intermediates
// it signs, and leaves for any key and names. For tests of chain checks, and for the hostile-CA
// stand-in's wrong certificates.

#include <chrono>
#include <string>
#include <vector>

#include "acmecpp/key.hpp"
#include "crypto/self_signed.hpp"

namespace acmecpp::testing {

struct LocalCa {
  PrivateKey key = PrivateKey::generate(KeyType::ec256);
  std::string pem;

  /// A self-signed root with subject CN=`name`.
  static LocalCa root(const std::string& name) {
    LocalCa ca;
    ca.pem = crypto::make_certificate_pem(ca.key, options(name, {}, nullptr));
    return ca;
  }

  /// A CA certificate with subject CN=`name`, signed by this one.
  LocalCa intermediate(const std::string& name) const {
    LocalCa ca;
    auto o = options(name, {}, this);
    o.is_ca = true;
    ca.pem = crypto::make_certificate_pem(ca.key, o);
    return ca;
  }

  /// An end-entity certificate for `subject`'s public key and `dns_names`, signed by this one.
  std::string issue(const PrivateKey& subject, const std::vector<std::string>& dns_names) const {
    return crypto::make_certificate_pem(subject, options({}, dns_names, this));
  }

 private:
  static crypto::CertificateOptions options(const std::string& common_name,
                                            const std::vector<std::string>& dns_names,
                                            const LocalCa* issuer) {
    crypto::CertificateOptions o;
    o.common_name = common_name;
    o.dns_names = dns_names;
    o.not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
    o.not_after = std::chrono::system_clock::now() + std::chrono::hours(24);
    if (issuer != nullptr) {
      o.issuer_key = &issuer->key;
      o.issuer_certificate_pem = issuer->pem;
    }
    return o;
  }
};

}  // namespace acmecpp::testing
