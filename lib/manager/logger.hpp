#pragma once
// fmt-style formatting in front of the embedding program's LogSink.

#include <fmt/format.h>

#include "acmecpp/log.hpp"

namespace acmecpp::manager {

class Logger {
 public:
  explicit Logger(LogSink sink) : sink_(sink ? std::move(sink) : null_log_sink()) {}
  /// Never throws: it is called from the top of worker threads, where an exception would end
  /// the program. A line that cannot be formatted or that the sink refuses is lost.
  template <typename... Args>
  void operator()(LogLevel level, fmt::format_string<Args...> format,
                  Args&&... args) const noexcept {
    try {
      sink_(level, fmt::format(format, std::forward<Args>(args)...));
    } catch (...) {
    }
  }

 private:
  LogSink sink_;
};

}  // namespace acmecpp::manager
