// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reads certificates back with plain OpenSSL, independently of acmecpp's parser.

#include <string>

#include <doctest/doctest.h>
#include <openssl/pem.h>

#include "crypto/openssl_ptr.hpp"

namespace acmecpp::test {

inline crypto::X509Ptr read_x509(const std::string& pem) {
  crypto::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  crypto::X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  REQUIRE(certificate);
  return certificate;
}

}  // namespace acmecpp::test
