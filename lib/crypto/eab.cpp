// SPDX-License-Identifier: Apache-2.0
#include "core/base64.hpp"
#include "crypto/jose.hpp"

namespace acmecpp::crypto {

nlohmann::json make_eab(const std::string& eab_kid, std::string_view hmac_key,
                        const nlohmann::json& account_jwk, const std::string& new_account_url) {
  // RFC 8555 section 7.3.4: no nonce in the inner JWS; it binds the account key to the CA's kid.
  const nlohmann::json header = {{"alg", "HS256"}, {"kid", eab_kid}, {"url", new_account_url}};
  const std::string protected64 = core::base64url_encode(header.dump());
  const std::string payload64 = core::base64url_encode(account_jwk.dump());
  const std::string mac = hmac_sha256(hmac_key, protected64 + "." + payload64);
  return {{"protected", protected64},
          {"payload", payload64},
          {"signature", core::base64url_encode(mac)}};
}

}  // namespace acmecpp::crypto
