// SPDX-License-Identifier: Apache-2.0
#pragma once
// The input of `acmectl issue --batch FILE`: one certificate a line, its names separated by
// blanks (the first is the main name); blank lines and `#` comments are ignored.

#include <istream>
#include <string>
#include <vector>

namespace acmectl {

struct BatchLine {
  std::size_t line_number = 0;     ///< from 1, for messages
  std::vector<std::string> names;  ///< normalised (A-labels, lower case), main first
};

/// Reads and checks the whole file before anything is ordered. Throws Error(invalid_input)
/// naming "FILE:LINE" for an invalid name or a main name already given on an earlier line, and
/// naming the file when it cannot be read or lists no certificate.
std::vector<BatchLine> read_batch_file(const std::string& path);

/// The same for a stream already open; `path` names it in messages.
std::vector<BatchLine> read_batch(std::istream& in, const std::string& path);

}  // namespace acmectl
