// SPDX-License-Identifier: Apache-2.0
#include "log_output.hpp"

#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>

namespace acmectl {
namespace {

std::atomic<acmecpp::LogFormat> format{acmecpp::LogFormat::text};

}  // namespace

void set_log_format(acmecpp::LogFormat new_format) {
  format = new_format;
}

void log_to_stderr(acmecpp::LogLevel level, std::string_view message,
                   const nlohmann::json& fields) noexcept {
  try {
    const std::string line =
        acmecpp::log_line(format, std::chrono::system_clock::now(), level, message, fields) + '\n';
    static std::mutex mutex;
    std::lock_guard<std::mutex> lock(mutex);
    std::cerr << line << std::flush;
  } catch (...) {
    // A line that cannot be made (memory) is lost; it must not become the program's failure.
  }
}

}  // namespace acmectl
