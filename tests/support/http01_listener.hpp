// SPDX-License-Identifier: Apache-2.0
#pragma once
// A proxy's own port-80 listener on 127.0.0.1 that hands challenge paths to an Http01Handler,
// and a ManagerConfig for a CertManager against a PebbleEnv: what most CertManager tests need.

#include <cstdint>
#include <filesystem>
#include <memory>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/http01.hpp"
#include "support/local_http_server.hpp"
#include "support/pebble_env.hpp"

namespace acmecpp::testing {

/// Routes every GET to the handler, as a proxy's own port-80 listener would.
void serve_http01(httplib::Server& server, std::shared_ptr<Http01Handler> handler);

class Http01Listener : public LocalHttpServer {
 public:
  Http01Listener(std::shared_ptr<Http01Handler> handler, std::uint16_t port)
      : LocalHttpServer(port, [handler](httplib::Server& s) { serve_http01(s, handler); }) {}
};

/// Pebble's directory and CA, an EC account key, the store at `store_path`, resolver "test", and
/// `handler` as the only solver.
ManagerConfig pebble_manager_config(const PebbleEnv& pebble,
                                    const std::filesystem::path& store_path,
                                    std::shared_ptr<Http01Handler> handler);

}  // namespace acmecpp::testing
