// SPDX-License-Identifier: Apache-2.0
#pragma once
// Certificates for the serving-layer tests: a locally made CA that signs leaves, so that a
// stored record holds a real two-certificate chain (leaf, then its issuer) like a CA's answer.

#include <string>
#include <vector>

#include "acmecpp/key.hpp"
#include "acmecpp/store.hpp"

namespace acmecpp::testing {

class LocalCa {
 public:
  /// A fresh P-256 CA key and self-signed CA certificate named `common_name`.
  explicit LocalCa(const std::string& common_name = "acmecpp test CA");

  /// A stored-certificate record for `names` (first = main): leaf + this CA as the PEM chain, and
  /// a fresh P-256 key as key_pem.
  CertificateRecord issue(const std::vector<std::string>& names) const;

  const std::string& certificate_pem() const { return certificate_pem_; }

 private:
  PrivateKey key_;
  std::string certificate_pem_;
};

/// The subjectAltName dNSNames of a certificate, read with plain OpenSSL.
std::vector<std::string> dns_names_of(const X509* certificate);

}  // namespace acmecpp::testing
