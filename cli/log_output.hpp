// SPDX-License-Identifier: Apache-2.0
#pragma once
// acmectl's log: every line it writes to stderr (the library's messages, its own errors and
// notices, progress and summaries) goes through log_to_stderr(), so each one carries a timestamp
// and follows --log-format (tools/log_line.hpp). The result lines on stdout ("issued ...",
// "renewed ...", list, JSON) are for scripts and carry none.

#include <string_view>

#include <nlohmann/json.hpp>

#include "acmecpp/log.hpp"
#include "tools/log_line.hpp"

namespace acmectl {

/// The format of every later line, for the whole process (main sets it once the settings are
/// read; text until then).
void set_log_format(acmecpp::LogFormat format);

/// Writes one line to stderr at the current time, whole (lines of concurrent work never
/// interleave). `fields`: structured members of a json line (see acmecpp::log_line). Filtering by
/// -v/-q is the caller's. Never throws.
void log_to_stderr(acmecpp::LogLevel level, std::string_view message,
                   const nlohmann::json& fields = nlohmann::json::object()) noexcept;

/// Shorthands.
inline void log_error(std::string_view message,
                      const nlohmann::json& fields = nlohmann::json::object()) {
  log_to_stderr(acmecpp::LogLevel::error, message, fields);
}
inline void log_info(std::string_view message,
                     const nlohmann::json& fields = nlohmann::json::object()) {
  log_to_stderr(acmecpp::LogLevel::info, message, fields);
}

}  // namespace acmectl
