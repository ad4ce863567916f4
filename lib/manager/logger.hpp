#pragma once
// fmt-style formatting in front of the embedding program's LogSink.

#include <fmt/format.h>

#include "acmecpp/log.hpp"

namespace acmecpp::manager {

class Logger {
 public:
  explicit Logger(LogSink sink) : sink_(sink ? std::move(sink) : null_log_sink()) {}
  template <typename... Args>
  void operator()(LogLevel level, fmt::format_string<Args...> format, Args&&... args) const {
    sink_(level, fmt::format(format, std::forward<Args>(args)...));
  }

 private:
  LogSink sink_;
};

}  // namespace acmecpp::manager
