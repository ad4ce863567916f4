// SPDX-License-Identifier: Apache-2.0
#include "crypto/library_version.hpp"

#include <openssl/crypto.h>

namespace acmecpp::crypto {

std::string openssl_version() {
  return OpenSSL_version(OPENSSL_VERSION_STRING);
}

}  // namespace acmecpp::crypto
