// SPDX-License-Identifier: Apache-2.0
#include "batch_file.hpp"

#include <fstream>
#include <map>
#include <sstream>

#include "acmecpp/error.hpp"
#include "acmecpp/names.hpp"

namespace acmectl {
namespace {

acmecpp::Error line_error(const std::string& path, std::size_t line, const std::string& what) {
  return acmecpp::Error(acmecpp::ErrorKind::invalid_input,
                        path + ":" + std::to_string(line) + ": " + what);
}

/// The blank-separated words before any '#' (no DNS name contains one).
std::vector<std::string> words_of(const std::string& line) {
  std::istringstream words(line.substr(0, line.find('#')));
  std::vector<std::string> result;
  for (std::string word; words >> word;) result.push_back(word);
  return result;
}

}  // namespace

std::vector<BatchLine> read_batch_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw acmecpp::Error(acmecpp::ErrorKind::invalid_input, "cannot read batch file " + path);
  }
  return read_batch(in, path);
}

std::vector<BatchLine> read_batch(std::istream& in, const std::string& path) {
  std::vector<BatchLine> lines;
  std::map<std::string, std::size_t> main_names;  // main name -> line it was first given on
  std::string text;
  for (std::size_t number = 1; std::getline(in, text); ++number) {
    const auto words = words_of(text);
    if (words.empty()) continue;
    BatchLine line{number, {}};
    try {
      line.names = acmecpp::normalize_identifiers(words);
    } catch (const acmecpp::Error& e) {
      throw line_error(path, number, e.what());
    }
    const auto [earlier, fresh] = main_names.emplace(line.names.front(), number);
    if (!fresh) {
      throw line_error(path, number,
                       line.names.front() + " is already the main name on line " +
                           std::to_string(earlier->second) + " (one certificate each)");
    }
    lines.push_back(std::move(line));
  }
  if (in.bad()) {
    throw acmecpp::Error(acmecpp::ErrorKind::invalid_input, "cannot read batch file " + path);
  }
  if (lines.empty()) {
    throw acmecpp::Error(acmecpp::ErrorKind::invalid_input,
                         "batch file " + path + " lists no certificate");
  }
  return lines;
}

}  // namespace acmectl
