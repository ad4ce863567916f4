// SPDX-License-Identifier: Apache-2.0
#include "crypto/key_family.hpp"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include "core/ascii.hpp"

namespace acmecpp::crypto {
namespace {

// Keys loaded from SEC1 name their curve "prime256v1", generated ones may say "P-256": both
// spellings resolve to the same NID.
std::string ec_group_name(const EVP_PKEY* key) {
  char name[80] = {};
  size_t length = 0;
  if (EVP_PKEY_get_group_name(key, name, sizeof name, &length) != 1) return {};
  return std::string(name, length);
}

int curve_nid(const std::string& group_name) {
  const int nid = OBJ_txt2nid(group_name.c_str());
  return nid != NID_undef ? nid : EC_curve_nist2nid(group_name.c_str());
}

}  // namespace

KeyFamily key_family(const EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return KeyFamily::rsa;
    case EVP_PKEY_EC: {
      const int nid = curve_nid(ec_group_name(key));
      if (nid == NID_X9_62_prime256v1) return KeyFamily::ec_p256;
      if (nid == NID_secp384r1) return KeyFamily::ec_p384;
      return KeyFamily::other;
    }
    default:
      return KeyFamily::other;
  }
}

std::string describe_key_type(const EVP_PKEY* key) {
  switch (key_family(key)) {
    case KeyFamily::rsa:
      return "rsa" + std::to_string(EVP_PKEY_get_bits(key));
    case KeyFamily::ec_p256:
      return "ec256";
    case KeyFamily::ec_p384:
      return "ec384";
    case KeyFamily::other:
      break;
  }
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC)
    return "ec-" + core::ascii_lower(ec_group_name(key));
  const char* name = EVP_PKEY_get0_type_name(key);
  return name != nullptr ? core::ascii_lower(name) : "unknown";
}

int ec_field_bytes(KeyFamily family) {
  switch (family) {
    case KeyFamily::ec_p256:
      return 32;
    case KeyFamily::ec_p384:
      return 48;
    default:
      return 0;
  }
}

}  // namespace acmecpp::crypto
