// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Private keys for ACME accounts and certificates.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <openssl/types.h>

#include "acmecpp/api.hpp"

namespace acmecpp {

/// The key types acmecpp generates. Any RSA or P-256/P-384 key can be loaded.
enum class KeyType { ec256, ec384, rsa2048, rsa3072, rsa4096 };

/// CLI spelling: "ec256", "ec384", "rsa2048", "rsa3072", "rsa4096".
ACMECPP_API std::string to_string(KeyType type);
/// Parses the CLI spelling (case-insensitive); throws Error(invalid_input) naming the value.
ACMECPP_API KeyType parse_key_type(std::string_view text);
/// Traefik/lego spelling used in acme.json's "KeyType": "P256", "P384", "2048", "3072", "4096".
ACMECPP_API std::string to_traefik_key_type(KeyType type);
/// Reads Traefik's spelling (also "EC256", "RSA4096", ...); nullopt when unknown.
ACMECPP_API std::optional<KeyType> from_traefik_key_type(std::string_view text);

/// An RSA or ECDSA private key. Cheap to copy (shared, immutable).
class ACMECPP_API PrivateKey {
 public:
  /// Generates a new key; throws Error(crypto) when OpenSSL fails.
  static PrivateKey generate(KeyType type);
  /// Reads PEM with label "RSA PRIVATE KEY" (PKCS#1), "EC PRIVATE KEY" (SEC1) or "PRIVATE KEY"
  /// (PKCS#8). Throws Error(crypto) naming what was wrong.
  static PrivateKey from_pem(std::string_view pem);
  /// Reads DER in PKCS#1 (RSA), SEC1 (EC) or PKCS#8 form.
  static PrivateKey from_der(std::string_view der);
  /// Takes shared ownership of an OpenSSL key (its reference count is incremented).
  static PrivateKey from_native(EVP_PKEY* key);

  /// PEM in the traditional form lego and Traefik write: PKCS#1 for RSA, SEC1 for EC.
  std::string to_pem() const;
  /// PEM in PKCS#8 form ("PRIVATE KEY").
  std::string to_pkcs8_pem() const;
  /// DER in the traditional form: PKCS#1 for RSA (what Traefik stores for accounts), SEC1 for EC.
  std::string to_der() const;

  /// The key's type; RSA sizes other than 2048/3072/4096 report the nearest generated type below.
  KeyType type() const;
  bool is_rsa() const;
  /// Size of the key in bits (RSA modulus, EC field).
  int bits() const;

  /// The underlying OpenSSL key, for TLS integration. Owned by this object.
  EVP_PKEY* native() const { return key_.get(); }

 private:
  explicit PrivateKey(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {}
  std::shared_ptr<EVP_PKEY> key_;
};

}  // namespace acmecpp
