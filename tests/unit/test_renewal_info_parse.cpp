// SPDX-License-Identifier: Apache-2.0
// ARI responses (RFC 9773 section 4.2) parsed into acme::RenewalInfo.

#include <doctest/doctest.h>

#include "acme/resources.hpp"
#include "core/rfc3339.hpp"

using namespace acmecpp;

TEST_CASE("a renewalInfo answer gives the window and the explanation") {
  const auto info = acme::parse_renewal_info(nlohmann::json::parse(R"({
    "suggestedWindow": {"start": "2025-01-02T04:00:00Z", "end": "2025-01-03T04:00:00.5+00:00"},
    "explanationURL": "https://acme.example.com/docs/ari"})"),
                                             "renewal information");
  CHECK(info.window_start == core::parse_rfc3339("2025-01-02T04:00:00Z"));
  CHECK(info.window_end == core::parse_rfc3339("2025-01-03T04:00:00Z"));
  CHECK(info.explanation_url == "https://acme.example.com/docs/ari");
  CHECK_FALSE(info.retry_after.has_value());
}

TEST_CASE("a renewalInfo answer without a valid window is a protocol error naming the problem") {
  const std::pair<const char*, const char*> cases[] = {
      {R"({})", "suggestedWindow"},
      {R"({"suggestedWindow": {"start": "2025-01-02T04:00:00Z"}})", "\"end\""},
      {R"({"suggestedWindow": {"start": "yesterday", "end": "2025-01-02T04:00:00Z"}})",
       "not an RFC 3339 time"},
      {R"({"suggestedWindow": {"start": "2025-01-03T04:00:00Z", "end": "2025-01-02T04:00:00Z"}})",
       "end is not after start"},
      {R"([1])", "not a JSON object"},
  };
  for (const auto& [body, expected] : cases) {
    INFO(body);
    try {
      acme::parse_renewal_info(nlohmann::json::parse(body), "renewal information");
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::protocol);
      CHECK(std::string(e.what()).find(expected) != std::string::npos);
    }
  }
}
