// SPDX-License-Identifier: Apache-2.0
// base64 (acme.json's byte fields) and base64url (JOSE): decoding anything either refuses it with
// acmecpp::Error or gives bytes that encode back to an equivalent text.

#include <string>

#include "acmecpp/error.hpp"
#include "core/base64.hpp"
#include "fuzz_support.hpp"

namespace core = acmecpp::core;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = acmecpp::fuzz::text_of(data, size);
  try {
    const std::string bytes = core::base64_decode(text);
    acmecpp::fuzz::require(core::base64_decode(core::base64_encode(bytes)) == bytes,
                           "base64 round trip");
  } catch (const acmecpp::Error&) {
  }
  try {
    const std::string bytes = core::base64url_decode(text);
    acmecpp::fuzz::require(core::base64url_decode(core::base64url_encode(bytes)) == bytes,
                           "base64url round trip");
  } catch (const acmecpp::Error&) {
  }
  // Encoding what was given as bytes always decodes back.
  acmecpp::fuzz::require(core::base64_decode(core::base64_encode(text)) == text, "base64 encode");
  acmecpp::fuzz::require(core::base64url_decode(core::base64url_encode(text)) == text,
                         "base64url encode");
  return 0;
}
