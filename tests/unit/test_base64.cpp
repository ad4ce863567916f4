// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "acmecpp/error.hpp"
#include "core/base64.hpp"

using namespace acmecpp::core;

TEST_CASE("base64 matches RFC 4648 test vectors") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_decode("Zm9vYmE=") == "fooba");
  CHECK(base64_decode("Zm9v\nYmFy\n") == "foobar");
}

TEST_CASE("base64url has no padding and uses - and _") {
  const std::string bytes("\xfb\xff\xfe", 3);
  CHECK(base64url_encode(bytes) == "-__-");
  CHECK(base64url_decode("-__-") == bytes);
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_decode("Zm8") == "fo");
}

TEST_CASE("invalid base64 is refused with the offset") {
  CHECK_THROWS_WITH_AS(base64_decode("Zm9v*"), "invalid base64 character at offset 4",
                       acmecpp::Error);
  CHECK_THROWS_AS(base64url_decode("ab+c"), acmecpp::Error);
  CHECK_THROWS_AS(base64_decode("Z"), acmecpp::Error);
}
