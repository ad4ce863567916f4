// SPDX-License-Identifier: Apache-2.0
#include <openssl/err.h>

#include "acmecpp/error.hpp"
#include "core/base64.hpp"
#include "crypto/ecdsa_signature.hpp"
#include "crypto/jose.hpp"
#include "crypto/key_family.hpp"
#include "crypto/openssl_ptr.hpp"

namespace acmecpp::crypto {
namespace {

KeyFamily supported_family(const PrivateKey& key) {
  const KeyFamily family = key_family(key.native());
  if (family == KeyFamily::other) {
    throw Error(ErrorKind::crypto,
                "no JWS algorithm for key type " + describe_key_type(key.native()));
  }
  return family;
}

// RS256 and ES256 hash with SHA-256, ES384 with SHA-384 (RFC 7518 section 3.1).
const EVP_MD* digest_for(KeyFamily family) {
  return family == KeyFamily::ec_p384 ? EVP_sha384() : EVP_sha256();
}

EvpMdCtxPtr new_digest_context() {
  EvpMdCtxPtr context(EVP_MD_CTX_new());
  if (!context) throw_openssl_error("cannot allocate digest context");
  return context;
}

const unsigned char* bytes_of(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

// What OpenSSL signs: DER for ECDSA, the plain PKCS#1 v1.5 signature for RSA.
std::string sign_native(const PrivateKey& key, KeyFamily family, std::string_view input) {
  auto context = new_digest_context();
  if (EVP_DigestSignInit(context.get(), nullptr, digest_for(family), nullptr, key.native()) != 1) {
    throw_openssl_error("cannot start signing");
  }
  size_t length = 0;
  if (EVP_DigestSign(context.get(), nullptr, &length, bytes_of(input), input.size()) != 1) {
    throw_openssl_error("cannot size signature");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     bytes_of(input), input.size()) != 1) {
    throw_openssl_error("signing failed");
  }
  signature.resize(length);
  return signature;
}

bool verify_native(const PrivateKey& key, KeyFamily family, std::string_view input,
                   std::string_view signature) {
  auto context = new_digest_context();
  if (EVP_DigestVerifyInit(context.get(), nullptr, digest_for(family), nullptr, key.native()) !=
      1) {
    throw_openssl_error("cannot start verifying");
  }
  const int result = EVP_DigestVerify(context.get(), bytes_of(signature), signature.size(),
                                      bytes_of(input), input.size());
  // A bad signature may leave decoding errors queued; they are the answer "no", not a failure.
  ERR_clear_error();
  return result == 1;
}

std::string encode_json(const nlohmann::json& value) {
  return core::base64url_encode(value.dump());
}

}  // namespace

std::string jws_algorithm(const PrivateKey& key) {
  switch (supported_family(key)) {
    case KeyFamily::ec_p256:
      return "ES256";
    case KeyFamily::ec_p384:
      return "ES384";
    default:
      return "RS256";
  }
}

std::string sign(const PrivateKey& key, std::string_view signing_input) {
  const KeyFamily family = supported_family(key);
  std::string signature = sign_native(key, family, signing_input);
  if (family == KeyFamily::rsa) return signature;
  return ecdsa_der_to_raw(signature, ec_field_bytes(family));
}

bool verify(const PrivateKey& key, std::string_view signing_input, std::string_view signature) {
  const KeyFamily family = supported_family(key);
  if (family == KeyFamily::rsa) return verify_native(key, family, signing_input, signature);
  const auto der = ecdsa_raw_to_der(signature, ec_field_bytes(family));
  return der && verify_native(key, family, signing_input, *der);
}

nlohmann::json make_jws(const PrivateKey& key, const std::string& url, const std::string& nonce,
                        const std::optional<std::string>& kid, const std::string& payload) {
  nlohmann::json header = {{"alg", jws_algorithm(key)}, {"nonce", nonce}, {"url", url}};
  // RFC 8555 section 6.2: "jwk" and "kid" are mutually exclusive.
  if (kid) {
    header["kid"] = *kid;
  } else {
    header["jwk"] = public_jwk(key);
  }
  const std::string protected64 = encode_json(header);
  // POST-as-GET (RFC 8555 section 6.3) sends the empty string, not an encoded "{}".
  const std::string payload64 = core::base64url_encode(payload);
  const std::string signature = sign(key, protected64 + "." + payload64);
  return {{"protected", protected64},
          {"payload", payload64},
          {"signature", core::base64url_encode(signature)}};
}

}  // namespace acmecpp::crypto
