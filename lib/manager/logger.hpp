// SPDX-License-Identifier: Apache-2.0
#pragma once
// fmt-style formatting in front of the embedding program's LogSink.

#include <fmt/format.h>

#include "acmecpp/log.hpp"
#include "acmecpp/printable.hpp"

namespace acmecpp::manager {

class Logger {
 public:
  explicit Logger(LogSink sink) : sink_(sink ? std::move(sink) : null_log_sink()) {}
  /// Never throws: it is called from the top of worker threads, where an exception would end
  /// the program. A line that cannot be formatted or that the sink refuses is lost.
  template <typename... Args>
  void operator()(LogLevel level, fmt::format_string<Args...> format,
                  Args&&... args) const noexcept {
    // Arguments may hold text from outside (a CA's problem, a DNS provider's output): the line is
    // escaped and bounded before any sink, the embedding program's included, sees it. A sink
    // that throws (or memory running out) must not turn a log line into a failure.
    try {
      sink_(level,
            printable_text(fmt::format(format, std::forward<Args>(args)...), kPrintableLineLimit));
    } catch (...) {
    }
  }

 private:
  LogSink sink_;
};

}  // namespace acmecpp::manager
