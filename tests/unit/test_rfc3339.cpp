// SPDX-License-Identifier: Apache-2.0
// RFC 3339 timestamps: formatting in UTC, parsing with fractions and offsets, refusing nonsense.

#include <doctest/doctest.h>

#include "core/rfc3339.hpp"

using acmecpp::core::format_rfc3339;
using acmecpp::core::parse_rfc3339;
using std::chrono::seconds;
using std::chrono::system_clock;

namespace {
system_clock::time_point at(long long unix_seconds) {
  return system_clock::time_point(seconds(unix_seconds));
}
}  // namespace

TEST_CASE("times format as UTC with whole seconds") {
  CHECK(format_rfc3339(at(0)) == "1970-01-01T00:00:00Z");
  CHECK(format_rfc3339(at(1735790400)) == "2025-01-02T04:00:00Z");
  CHECK(format_rfc3339(at(951782400)) == "2000-02-29T00:00:00Z");  // leap day of a 400-year
  CHECK(format_rfc3339(at(-1)) == "1969-12-31T23:59:59Z");
  CHECK(format_rfc3339(at(1735790400) + std::chrono::milliseconds(999)) == "2025-01-02T04:00:00Z");
}

TEST_CASE("log times format with milliseconds, truncated") {
  using acmecpp::core::TimePrecision;
  using std::chrono::milliseconds;
  const auto ms = TimePrecision::milliseconds;
  CHECK(format_rfc3339(at(0), ms) == "1970-01-01T00:00:00.000Z");
  CHECK(format_rfc3339(at(1735790400) + milliseconds(123), ms) == "2025-01-02T04:00:00.123Z");
  CHECK(format_rfc3339(at(1735790400) + std::chrono::microseconds(999999), ms) ==
        "2025-01-02T04:00:00.999Z");
  CHECK(format_rfc3339(at(0) - milliseconds(1), ms) == "1969-12-31T23:59:59.999Z");
  CHECK(format_rfc3339(at(1735790400) + milliseconds(5), TimePrecision::seconds) ==
        "2025-01-02T04:00:00Z");
}

TEST_CASE("parsing accepts fractions, lower-case separators and offsets") {
  CHECK(parse_rfc3339("2025-01-02T04:00:00Z") == at(1735790400));
  CHECK(parse_rfc3339("2025-01-02t04:00:00z") == at(1735790400));
  CHECK(parse_rfc3339("2025-01-02T04:00:00.123456789Z") == at(1735790400));
  CHECK(parse_rfc3339("2025-01-02T06:30:00+02:30") == at(1735790400));
  CHECK(parse_rfc3339("2025-01-01T23:00:00-05:00") == at(1735790400));
  CHECK(parse_rfc3339("2024-02-29T00:00:00Z").has_value());
}

TEST_CASE("formatting and parsing round-trip (system_clock reaches 2262)") {
  for (long long t : {0LL, 951782400LL, 1735790400LL, 4102444799LL, 9000000000LL}) {
    CHECK(parse_rfc3339(format_rfc3339(at(t))) == at(t));
  }
}

TEST_CASE("parsing refuses what is not an RFC 3339 timestamp") {
  for (const char* text :
       {"", "2025-01-02", "2025-01-02T04:00:00", "2025-01-02 04:00Z", "2025-13-01T00:00:00Z",
        "2025-02-29T00:00:00Z", "2025-01-32T00:00:00Z", "2025-01-02T24:00:00Z",
        "2025-01-02T04:00:00.Z", "2025-01-02T04:00:00+0200", "2025-01-02T04:00:00Zjunk",
        "Thu, 02 Jan 2025 04:00:00 GMT"}) {
    INFO(text);
    CHECK_FALSE(parse_rfc3339(text).has_value());
  }
}
