// SPDX-License-Identifier: Apache-2.0
// JWKs from outside (a CA's or a stored account's public key as JSON): the RFC 7638 thumbprint
// either refuses the key with acmecpp::Error or is 43 base64url characters (a SHA-256), and the
// same for the same members in any order and with extra members (RFC 7638 §3.3 ignores them).

#include <nlohmann/json.hpp>

#include <string>

#include "acmecpp/error.hpp"
#include "crypto/jose.hpp"
#include "fuzz_support.hpp"

namespace crypto = acmecpp::crypto;

namespace {

bool is_base64url(const std::string& text) {
  for (const char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto jwk = nlohmann::json::parse(acmecpp::fuzz::text_of(data, size), nullptr, false);
  if (jwk.is_discarded()) return 0;
  std::string thumbprint;
  try {
    thumbprint = crypto::jwk_thumbprint(jwk);
  } catch (const acmecpp::Error&) {
    return 0;
  }
  acmecpp::fuzz::require(thumbprint.size() == 43 && is_base64url(thumbprint),
                         "a thumbprint that is not a base64url SHA-256");
  auto extended = jwk;
  extended["x-fuzz-extra"] = "ignored";
  acmecpp::fuzz::require(crypto::jwk_thumbprint(extended) == thumbprint,
                         "an extra member changed the thumbprint");
  return 0;
}
