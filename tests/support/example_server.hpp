// SPDX-License-Identifier: Apache-2.0
#pragma once
// The command line of examples/https-server pointed at a Pebble, as every test of it starts it:
// its listeners on loopback at the given ports, trusting Pebble's CA, keeping `store`.

#include <cstdint>
#include <string>
#include <vector>

#include "support/pebble_env.hpp"

namespace acmecpp::testing {

inline std::vector<std::string> example_server_argv(const PebbleEnv& pebble,
                                                    const std::string& store,
                                                    std::uint16_t https_port,
                                                    std::uint16_t http_port) {
  return {ACMECPP_HTTPS_SERVER_PATH,
          "--directory",
          pebble.directory_url(),
          "--ca-bundle",
          pebble.ca_bundle().string(),
          "--store",
          store,
          "--agree-tos",
          "--address",
          "127.0.0.1",
          "--https-port",
          std::to_string(https_port),
          "--http-port",
          std::to_string(http_port)};
}

}  // namespace acmecpp::testing
