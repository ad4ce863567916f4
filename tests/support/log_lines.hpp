// SPDX-License-Identifier: Apache-2.0
#pragma once
// The lines a LogSink was given, for tests that look for what was logged (and how often).
// Header-only: unit tests use it without the other support files.

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "acmecpp/log.hpp"

namespace acmecpp::testing {

/// Thread-safe: the sink may be called from any thread.
struct LogLines {
  std::mutex mutex;
  std::vector<std::string> lines;

  LogSink sink() {
    return [this](LogLevel, std::string_view line) {
      std::lock_guard<std::mutex> lock(mutex);
      lines.emplace_back(line);
    };
  }
  /// How many lines contain `text`.
  std::size_t containing(const std::string& text) {
    std::lock_guard<std::mutex> lock(mutex);
    std::size_t count = 0;
    for (const auto& line : lines) count += line.find(text) != std::string::npos;
    return count;
  }
};

}  // namespace acmecpp::testing
