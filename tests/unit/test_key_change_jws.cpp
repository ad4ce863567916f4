// SPDX-License-Identifier: Apache-2.0
// The inner JWS of a key change (RFC 8555 section 7.3.5), checked by verifying it.

#include <doctest/doctest.h>

#include "core/base64.hpp"
#include "crypto/jose.hpp"

using namespace acmecpp;

TEST_CASE("the key-change inner JWS is signed by the new key and names account and old key") {
  const auto old_key = PrivateKey::generate(KeyType::ec256);
  for (const auto type : {KeyType::ec256, KeyType::ec384, KeyType::rsa2048}) {
    const auto new_key = PrivateKey::generate(type);
    const auto jws =
        crypto::make_key_change_jws(new_key, "https://ca.test/key-change", "https://ca.test/acct/7",
                                    crypto::public_jwk(old_key));
    const std::string protected64 = jws.at("protected");
    const std::string payload64 = jws.at("payload");
    const auto header = nlohmann::json::parse(core::base64url_decode(protected64));
    const auto payload = nlohmann::json::parse(core::base64url_decode(payload64));
    CHECK(header.at("alg") == crypto::jws_algorithm(new_key));
    CHECK(header.at("jwk") == crypto::public_jwk(new_key));
    CHECK(header.at("url") == "https://ca.test/key-change");
    CHECK_FALSE(header.contains("nonce"));
    CHECK_FALSE(header.contains("kid"));
    CHECK(payload.at("account") == "https://ca.test/acct/7");
    CHECK(payload.at("oldKey") == crypto::public_jwk(old_key));
    const std::string signature = core::base64url_decode(jws.at("signature").get<std::string>());
    CHECK(crypto::verify(new_key, protected64 + "." + payload64, signature));
    CHECK_FALSE(crypto::verify(old_key, protected64 + "." + payload64, signature));
  }
}
