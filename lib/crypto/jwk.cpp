// SPDX-License-Identifier: Apache-2.0
#include <openssl/core_names.h>

#include "acmecpp/error.hpp"
#include "core/base64.hpp"
#include "crypto/jose.hpp"
#include "crypto/key_family.hpp"
#include "crypto/openssl_ptr.hpp"

namespace acmecpp::crypto {
namespace {

BignumPtr bignum_param(const EVP_PKEY* key, const char* name) {
  BIGNUM* value = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &value) != 1) {
    throw_openssl_error(std::string("cannot read key parameter ") + name);
  }
  return BignumPtr(value);
}

// Unsigned big-endian bytes, base64url-encoded. width 0 keeps the minimal length (RSA n and e,
// RFC 7518 section 6.3.1); EC coordinates are padded to the field size (section 6.2.1.2).
std::string encode_bignum(const BIGNUM* value, int width) {
  const int length = width > 0 ? width : BN_num_bytes(value);
  std::string bytes(static_cast<std::size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(bytes.data());
  const int written = width > 0 ? BN_bn2binpad(value, out, width) : BN_bn2bin(value, out);
  if (written != length) throw_openssl_error("cannot encode key parameter");
  return core::base64url_encode(bytes);
}

nlohmann::json rsa_jwk(const EVP_PKEY* key) {
  return {{"kty", "RSA"},
          {"n", encode_bignum(bignum_param(key, OSSL_PKEY_PARAM_RSA_N).get(), 0)},
          {"e", encode_bignum(bignum_param(key, OSSL_PKEY_PARAM_RSA_E).get(), 0)}};
}

nlohmann::json ec_jwk(const EVP_PKEY* key, KeyFamily family) {
  const int width = ec_field_bytes(family);
  return {{"kty", "EC"},
          {"crv", family == KeyFamily::ec_p256 ? "P-256" : "P-384"},
          {"x", encode_bignum(bignum_param(key, OSSL_PKEY_PARAM_EC_PUB_X).get(), width)},
          {"y", encode_bignum(bignum_param(key, OSSL_PKEY_PARAM_EC_PUB_Y).get(), width)}};
}

// RFC 7638 section 3.2: the members that define the key, per key type.
std::vector<std::string> required_members(const std::string& kty) {
  if (kty == "RSA") return {"e", "kty", "n"};
  if (kty == "EC") return {"crv", "kty", "x", "y"};
  if (kty == "OKP") return {"crv", "kty", "x"};
  if (kty == "oct") return {"k", "kty"};
  throw Error(ErrorKind::crypto, "cannot compute the thumbprint of a JWK with kty \"" + kty + "\"");
}

std::string member_string(const nlohmann::json& jwk, const std::string& name) {
  const auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) {
    throw Error(ErrorKind::crypto, "JWK has no string member \"" + name + "\"");
  }
  return it->get<std::string>();
}

}  // namespace

nlohmann::json public_jwk(const PrivateKey& key) {
  const KeyFamily family = key_family(key.native());
  switch (family) {
    case KeyFamily::rsa:
      return rsa_jwk(key.native());
    case KeyFamily::ec_p256:
    case KeyFamily::ec_p384:
      return ec_jwk(key.native(), family);
    case KeyFamily::other:
      break;
  }
  throw Error(ErrorKind::crypto, "no JWK for key type " + describe_key_type(key.native()));
}

std::string jwk_thumbprint(const nlohmann::json& jwk) {
  if (!jwk.is_object()) throw Error(ErrorKind::crypto, "JWK is not a JSON object");
  // nlohmann::json keeps object members sorted, so dump() yields exactly RFC 7638's canonical form:
  // required members only, lexicographic order, no whitespace.
  nlohmann::json canonical = nlohmann::json::object();
  for (const auto& name : required_members(member_string(jwk, "kty"))) {
    canonical[name] = member_string(jwk, name);
  }
  return core::base64url_encode(sha256(canonical.dump()));
}

std::string jwk_thumbprint(const PrivateKey& key) {
  return jwk_thumbprint(public_jwk(key));
}

}  // namespace acmecpp::crypto
