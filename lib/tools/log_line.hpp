// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Part of the tools layer (lib/tools): acmectl's own code on the library's internals, linked
/// into acmectl and never installed, so it makes no API or ABI promise.
///
/// The lines acmectl writes to stderr (its log: the library's messages, its own errors, progress
/// and summaries), in one of two formats:
///
/// - text: `2026-12-04T15:02:03.123Z acmectl: info: MESSAGE` (RFC 3339, UTC, milliseconds);
/// - json: one object per line, `{"time":"2026-12-04T15:02:03.123Z","level":"info",
///   "message":"MESSAGE", ...fields}`, for log shippers.
///
/// The message and every string field are passed through printable_text() first (outside text
/// stays on its line and cannot drive a terminal), then JSON-escaped in the json format.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <chrono>
#include "acmecpp/log.hpp"

namespace acmecpp {

enum class LogFormat { text, json };

/// "text" or "json"; Error(invalid_input) naming --log-format otherwise.
LogFormat parse_log_format(const std::string& text);

/// One log line, without its newline. `fields` (an object; anything else is ignored) adds
/// structured members to a json line (a name, a resolver, counts); time, level and message are
/// never replaced by them. A text line shows the message only: it already says what the fields
/// hold.
std::string log_line(LogFormat format, std::chrono::system_clock::time_point time, LogLevel level,
                     std::string_view message,
                     const nlohmann::json& fields = nlohmann::json::object());

}  // namespace acmecpp
