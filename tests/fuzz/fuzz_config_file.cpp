// SPDX-License-Identifier: Apache-2.0
// acmectl's YAML configuration file: any text is either a configuration or Error(config) (exit
// 4) naming the file and line; nothing else may come out (a yaml-cpp exception would be
// "unexpected error", exit 1, and end `acmectl run` on a reload).

#include <string>

#include "acmecpp/error.hpp"
#include "config_file.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(acmecpp::fuzz::text_of(data, size));
  try {
    const auto config = acmectl::ConfigFile::parse(text, "fuzz.yaml");
    acmectl::Settings settings;
    config.apply(settings, config.default_resolver());
  } catch (const acmecpp::Error& error) {
    acmecpp::fuzz::require(error.kind() == acmecpp::ErrorKind::config,
                           "a configuration error of another kind than config");
  }
  return 0;
}
