// SPDX-License-Identifier: Apache-2.0
#pragma once
// JOSE for ACME (RFC 7515/7517/7638 and RFC 8555 section 6.2): JWK of an account key, its
// thumbprint, flattened JWS in the "jwk" and "kid" forms, and External Account Binding.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "acmecpp/key.hpp"

namespace acmecpp::crypto {

/// SHA-256 digest (32 raw bytes).
std::string sha256(std::string_view data);
/// HMAC-SHA256 (32 raw bytes).
std::string hmac_sha256(std::string_view key, std::string_view data);

/// The public JWK of a key: RSA {"e","kty","n"}, EC {"crv","kty","x","y"} (coordinates padded to
/// the field size).
nlohmann::json public_jwk(const PrivateKey& key);
/// RFC 7638 thumbprint, base64url: SHA-256 over the required members in lexicographic order.
std::string jwk_thumbprint(const nlohmann::json& jwk);
std::string jwk_thumbprint(const PrivateKey& key);

/// "RS256" for RSA, "ES256" for P-256, "ES384" for P-384.
std::string jws_algorithm(const PrivateKey& key);
/// Signs `signing_input` with the key's JWS algorithm; ECDSA signatures in the raw r||s form.
std::string sign(const PrivateKey& key, std::string_view signing_input);
/// Verifies a signature made by sign() against the key's public half.
bool verify(const PrivateKey& key, std::string_view signing_input, std::string_view signature);

/// Flattened JWS JSON serialization {"protected","payload","signature"} for an ACME request.
/// With `kid` set the header names the account URL, otherwise it embeds the public JWK.
/// An empty `payload` makes a POST-as-GET (payload "").
nlohmann::json make_jws(const PrivateKey& key, const std::string& url, const std::string& nonce,
                        const std::optional<std::string>& kid, const std::string& payload);

/// The inner JWS of an account key change (RFC 8555 section 7.3.5): signed by `new_key` with its
/// "jwk" in the header, url `key_change_url` and no nonce; the payload is
/// {"account": account_url, "oldKey": old_jwk}. The caller signs it again, as the payload of an
/// ordinary request, with the old key.
nlohmann::json make_key_change_jws(const PrivateKey& new_key, const std::string& key_change_url,
                                   const std::string& account_url, const nlohmann::json& old_jwk);

/// External Account Binding JWS (RFC 8555 section 7.3.4): HS256 over the account's public JWK.
/// @param hmac_key the raw MAC key (already base64url-decoded)
nlohmann::json make_eab(const std::string& eab_kid, std::string_view hmac_key,
                        const nlohmann::json& account_jwk, const std::string& new_account_url);

/// DER of a PKCS#10 CSR signed by `key`: every name as a dNSName SAN, the first also as
/// the subject CN when it fits in 64 characters.
std::string make_csr_der(const PrivateKey& key, const std::vector<std::string>& names);

}  // namespace acmecpp::crypto
