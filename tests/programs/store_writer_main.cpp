// SPDX-License-Identifier: Apache-2.0
// store_writer <acme.json> <first generation>: saves large certificates into the file for ever,
// generation after generation. The crash test (tests/unit/test_acme_json_store_crash.cpp) kills it
// with SIGKILL at random moments and checks that the file always holds a complete state.

#include <exception>
#include <iostream>
#include <string>

#include "acmecpp/store.hpp"
#include "support/store_crash_payload.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: store_writer <acme.json> <first generation>\n";
    return 2;
  }
  try {
    acmecpp::AcmeJsonStore store(argv[1]);
    // The test passes the generation to start from (it has just read the file): finding it here
    // would parse the file once more before the first write.
    for (long generation = std::stol(argv[2]);; ++generation) {
      store.save_certificate(store_crash::kResolver, store_crash::big_certificate(generation));
    }
  } catch (const std::exception& error) {
    std::cerr << "store_writer: " << error.what() << "\n";
    return 1;
  }
}
