// SPDX-License-Identifier: Apache-2.0
// core/ascii.hpp: the library's one ASCII case fold.

#include <doctest/doctest.h>

#include "core/ascii.hpp"

using acmecpp::core::ascii_lower;
using acmecpp::core::equal_ignoring_ascii_case;

TEST_CASE("ascii_lower folds A-Z only and leaves every other byte as it is") {
  CHECK(ascii_lower("WWW.Example.COM") == "www.example.com");
  CHECK(ascii_lower("@[`{09-_.*") == "@[`{09-_.*");  // the neighbours of A-Z and a-z
  // UTF-8 bytes are not letters to fold: "ÄÖ" stays as it was.
  CHECK(ascii_lower("\xC3\x84\xC3\x96X") == "\xC3\x84\xC3\x96x");
  CHECK(ascii_lower("") == "");
  CHECK(ascii_lower('Q') == 'q');
  CHECK(ascii_lower('q') == 'q');
}

TEST_CASE("equal_ignoring_ascii_case compares length and every byte after the fold") {
  CHECK(equal_ignoring_ascii_case("Content-Type", "content-TYPE"));
  CHECK(equal_ignoring_ascii_case("", ""));
  CHECK_FALSE(equal_ignoring_ascii_case("abc", "abcd"));
  CHECK_FALSE(equal_ignoring_ascii_case("abc", "abd"));
  CHECK_FALSE(equal_ignoring_ascii_case("@", "`"));  // 0x40 and 0x60 differ by the fold's bit
  CHECK_FALSE(equal_ignoring_ascii_case("\xC3\x84", "\xC3\xA4"));  // Ä and ä: not ASCII
}
