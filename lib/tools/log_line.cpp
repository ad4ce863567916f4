// SPDX-License-Identifier: Apache-2.0
#include "tools/log_line.hpp"

#include "acmecpp/error.hpp"
#include "acmecpp/printable.hpp"
#include "core/rfc3339.hpp"

namespace acmecpp {
namespace {

/// String fields escaped as messages are; numbers, booleans and the rest as they are.
nlohmann::json printable_field(const nlohmann::json& value) {
  if (!value.is_string()) return value;
  return printable_text(value.get_ref<const std::string&>());
}

}  // namespace

LogFormat parse_log_format(const std::string& text) {
  if (text == "text") return LogFormat::text;
  if (text == "json") return LogFormat::json;
  throw Error(ErrorKind::invalid_input,
              "--log-format \"" + printable_text(text) + "\" is neither text nor json");
}

std::string log_line(LogFormat format, std::chrono::system_clock::time_point time, LogLevel level,
                     std::string_view message, const nlohmann::json& fields) {
  const std::string when = core::format_rfc3339(time, core::TimePrecision::milliseconds);
  const std::string text = printable_text(message, kPrintableLineLimit);
  if (format == LogFormat::text) {
    return when + " acmectl: " + std::string(to_string(level)) + ": " + text;
  }
  nlohmann::ordered_json line = nlohmann::ordered_json::object();  // time, level, message first
  line["time"] = when;
  line["level"] = std::string(to_string(level));
  line["message"] = text;
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) {
      if (key == "time" || key == "level" || key == "message") continue;
      line[printable_text(key)] = printable_field(value);
    }
  }
  // printable_text leaves valid UTF-8 only; the replacing handler is a net under that.
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace acmecpp
