// SPDX-License-Identifier: Apache-2.0
#include "acmecpp/log.hpp"

namespace acmecpp {

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warning:
      return "warning";
    case LogLevel::error:
      return "error";
  }
  return "unknown";
}

LogSink null_log_sink() {
  return [](LogLevel, std::string_view) {};
}

}  // namespace acmecpp
