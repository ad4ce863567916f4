// SPDX-License-Identifier: Apache-2.0
#include "core/base64.hpp"
#include "crypto/jose.hpp"

namespace acmecpp::crypto {

nlohmann::json make_key_change_jws(const PrivateKey& new_key, const std::string& key_change_url,
                                   const std::string& account_url, const nlohmann::json& old_jwk) {
  // No nonce: the outer JWS carries the replay protection (RFC 8555 section 7.3.5).
  const nlohmann::json header = {
      {"alg", jws_algorithm(new_key)}, {"jwk", public_jwk(new_key)}, {"url", key_change_url}};
  const nlohmann::json payload = {{"account", account_url}, {"oldKey", old_jwk}};
  const std::string protected64 = core::base64url_encode(header.dump());
  const std::string payload64 = core::base64url_encode(payload.dump());
  const std::string signature = sign(new_key, protected64 + "." + payload64);
  return {{"protected", protected64},
          {"payload", payload64},
          {"signature", core::base64url_encode(signature)}};
}

}  // namespace acmecpp::crypto
