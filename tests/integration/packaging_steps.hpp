// SPDX-License-Identifier: Apache-2.0
#pragma once
// Steps of the packaging tests (test_packaging.cpp, test_service_packaging.cpp): programs that
// must succeed (an install, a compiler, systemd-analyze, ...), with their whole story on failure.

#include <doctest/doctest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace acmecpp::testing {

/// A step may build a project: generous.
constexpr std::chrono::minutes packaging_step_timeout{3};

/// A failed step's whole story, for the test log.
inline std::string describe(const std::vector<std::string>& argv, const ProcessResult& result) {
  std::string text = "$";
  for (const auto& arg : argv) text += " " + arg;
  return text + "\nexit " + std::to_string(result.exit_code) + ", signal " +
         std::to_string(result.term_signal) + (result.timed_out ? ", timed out" : "") +
         "\n--- stdout\n" + result.out + "--- stderr\n" + result.err;
}

/// Runs a step that must succeed; fails the test case with its output otherwise.
inline ProcessResult run_step(const std::vector<std::string>& argv, ProcessOptions options = {}) {
  options.timeout = packaging_step_timeout;
  const auto result = run_process(argv, options);
  INFO(describe(argv, result));
  REQUIRE(result.exit_code == 0);
  return result;
}

/// The blank-separated words of `text`.
inline std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

}  // namespace acmecpp::testing
