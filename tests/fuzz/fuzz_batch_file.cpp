// SPDX-License-Identifier: Apache-2.0
// The file of `acmectl issue --batch`: any text is either a list of normalised names or
// Error(invalid_input) naming "FILE:LINE"; nothing else may come out.

#include <sstream>
#include <string>

#include "acmecpp/error.hpp"
#include "batch_file.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in{std::string(acmecpp::fuzz::text_of(data, size))};
  try {
    for (const auto& line : acmectl::read_batch(in, "batch.txt")) {
      acmecpp::fuzz::require(!line.names.empty() && line.line_number > 0, "an empty batch line");
    }
  } catch (const acmecpp::Error& error) {
    acmecpp::fuzz::require(error.kind() == acmecpp::ErrorKind::invalid_input,
                           "a batch file error of another kind than invalid_input");
  }
  return 0;
}
