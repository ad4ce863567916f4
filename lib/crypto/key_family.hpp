// SPDX-License-Identifier: Apache-2.0
#pragma once
// What kind of key an EVP_PKEY holds, in the terms acmecpp cares about: RSA (any size) or one of
// the two NIST curves ACME servers accept. Shared by keys, JWK/JWS and certificate parsing.

#include <string>

#include <openssl/types.h>

namespace acmecpp::crypto {

enum class KeyFamily { rsa, ec_p256, ec_p384, other };

KeyFamily key_family(const EVP_PKEY* key);

/// "ec256", "ec384", "rsa<bits>"; other keys by their lower-case OpenSSL name (e.g. "ed25519",
/// "ec-secp521r1").
std::string describe_key_type(const EVP_PKEY* key);

/// Bytes of one coordinate (and of r and s in a signature) for the EC families; 0 otherwise.
int ec_field_bytes(KeyFamily family);

}  // namespace acmecpp::crypto
