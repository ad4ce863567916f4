#pragma once
// fmt-style formatting in front of the embedding program's LogSink.

#include <fmt/format.h>

#include "acmecpp/log.hpp"
#include "acmecpp/printable.hpp"

namespace acmecpp::manager {

class Logger {
 public:
  explicit Logger(LogSink sink) : sink_(sink ? std::move(sink) : null_log_sink()) {}
  template <typename... Args>
  void operator()(LogLevel level, fmt::format_string<Args...> format, Args&&... args) const {
    // Arguments may hold text from outside (a CA's problem, a DNS provider's output): the line is
    // escaped and bounded before any sink, the embedding program's included, sees it.
    sink_(level,
          printable_text(fmt::format(format, std::forward<Args>(args)...), kPrintableLineLimit));
  }

 private:
  LogSink sink_;
};

}  // namespace acmecpp::manager
