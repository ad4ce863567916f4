// SPDX-License-Identifier: Apache-2.0
#pragma once
// The version of the library crypto uses (OpenSSL), as it reports itself at run time.

#include <string>

namespace acmecpp::crypto {

/// libcrypto's version, e.g. "3.0.17" (OpenSSL_version(OPENSSL_VERSION_STRING)).
std::string openssl_version();

}  // namespace acmecpp::crypto
