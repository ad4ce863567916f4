// SPDX-License-Identifier: Apache-2.0
#include <openssl/evp.h>

#include "crypto/jose.hpp"
#include "crypto/openssl_ptr.hpp"

namespace acmecpp::crypto {

std::string sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw_openssl_error("SHA-256 failed");
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  // EVP_Q_mac is OpenSSL 3's one-shot MAC; HMAC_CTX and friends are deprecated.
  static const unsigned char kEmpty = 0;
  const void* key_bytes = key.empty() ? &kEmpty : static_cast<const void*>(key.data());
  const auto* data_bytes =
      data.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(data.data());
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t length = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key_bytes, key.size(), data_bytes,
                data.size(), mac, sizeof mac, &length) == nullptr) {
    throw_openssl_error("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(mac), length);
}

}  // namespace acmecpp::crypto
