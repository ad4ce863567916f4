// SPDX-License-Identifier: Apache-2.0
// Revocation reasons: RFC 5280 names and codes, CLI spellings, clear errors for the rest.

#include <doctest/doctest.h>

#include "acmecpp/error.hpp"
#include "acmecpp/revocation.hpp"

using namespace acmecpp;

TEST_CASE("reasons carry RFC 5280's codes and names") {
  CHECK(int(RevocationReason::unspecified) == 0);
  CHECK(int(RevocationReason::key_compromise) == 1);
  CHECK(int(RevocationReason::superseded) == 4);
  CHECK(int(RevocationReason::cessation_of_operation) == 5);
  CHECK(to_string(RevocationReason::cessation_of_operation) == "cessationOfOperation");
  for (const auto reason : all_revocation_reasons()) {
    CHECK(parse_revocation_reason(to_string(reason)) == reason);
    CHECK(revocation_reason_from_code(int(reason)) == reason);
  }
  // The four Let's Encrypt accepts (Boulder refuses the others with badRevocationReason).
  CHECK(all_revocation_reasons().size() == 4);
}

TEST_CASE("names are read ignoring case, dashes and underscores, codes as digits") {
  CHECK(parse_revocation_reason("key-compromise") == RevocationReason::key_compromise);
  CHECK(parse_revocation_reason("KEY_COMPROMISE") == RevocationReason::key_compromise);
  CHECK(parse_revocation_reason("Superseded") == RevocationReason::superseded);
  CHECK(parse_revocation_reason("4") == RevocationReason::superseded);
  CHECK(parse_revocation_reason("0") == RevocationReason::unspecified);
}

TEST_CASE("an unknown reason is refused with the value and the accepted names") {
  for (const char* text : {"compromised", "", "-", "2", "3", "6", "caCompromise", "1x",
                           "affiliationChanged", "affiliation-changed"}) {
    INFO(text);
    try {
      parse_revocation_reason(text);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::invalid_input);
      const std::string message = e.what();
      CHECK(message.find("keyCompromise (1)") != std::string::npos);
      CHECK(message.find("cessationOfOperation (5)") != std::string::npos);
    }
  }
  CHECK_THROWS_WITH_AS(parse_revocation_reason("compromised"), doctest::Contains("\"compromised\""),
                       Error);
  CHECK_THROWS_AS(revocation_reason_from_code(2), Error);
}
