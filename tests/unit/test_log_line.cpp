// SPDX-License-Identifier: Apache-2.0
// acmectl's log lines (tools/log_line): the text form with its RFC 3339 timestamp, and the json
// form as one parseable object whose strings are escaped twice over: printable_text first (no
// control character reaches a terminal or a log viewer), then JSON.

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "acmecpp/error.hpp"
#include "tools/log_line.hpp"

using acmecpp::LogFormat;
using acmecpp::LogLevel;

namespace {
const auto kAt = std::chrono::system_clock::time_point(std::chrono::seconds(1796396523)) +
                 std::chrono::milliseconds(123);
}  // namespace

TEST_CASE("a text log line is the UTC time with milliseconds, acmectl, the level, the message") {
  CHECK(acmecpp::log_line(LogFormat::text, kAt, LogLevel::info, "renewed a.example") ==
        "2026-12-04T15:02:03.123Z acmectl: info: renewed a.example");
  // Outside text stays on its line.
  CHECK(acmecpp::log_line(LogFormat::text, kAt, LogLevel::error, "bad\nline\x1b[31m") ==
        "2026-12-04T15:02:03.123Z acmectl: error: bad\\nline\\x1b[31m");
}

TEST_CASE("a json log line parses, carries time, level, message and the fields, escaped") {
  const std::string line = acmecpp::log_line(
      LogFormat::json, kAt, LogLevel::warning, "say \"hi\"\\ \n\x01 \xff end",
      {{"name", "a.example\r"}, {"total", 3}, {"time", "not this"}, {"message", "nor this"}});
  INFO(line);
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.rfind("{\"time\":\"2026-12-04T15:02:03.123Z\",\"level\":\"warning\",\"message\":",
                   0) == 0);
  const auto json = nlohmann::json::parse(line);
  CHECK(json["time"] == "2026-12-04T15:02:03.123Z");
  CHECK(json["level"] == "warning");
  // printable_text's escapes, kept as text inside the JSON string.
  CHECK(json["message"] == "say \"hi\"\\ \\n\\x01 \\xff end");
  CHECK(json["name"] == "a.example\\r");
  CHECK(json["total"] == 3);
  CHECK(json.size() == 5);  // the fields never replace time, level or message
}

TEST_CASE("the log format is text or json") {
  CHECK(acmecpp::parse_log_format("text") == LogFormat::text);
  CHECK(acmecpp::parse_log_format("json") == LogFormat::json);
  CHECK_THROWS_AS(acmecpp::parse_log_format("JSON"), acmecpp::Error);
  CHECK_THROWS_AS(acmecpp::parse_log_format(""), acmecpp::Error);
}
