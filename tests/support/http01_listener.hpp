#pragma once
// A proxy's own port-80 listener on 127.0.0.1 that hands challenge paths to an Http01Handler,
// and a ManagerConfig for a CertManager against a PebbleEnv: what most CertManager tests need.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/http01.hpp"
#include "support/pebble_env.hpp"

namespace acmecpp::testing {

class Http01Listener {
 public:
  Http01Listener(std::shared_ptr<Http01Handler> handler, std::uint16_t port);
  ~Http01Listener();
  Http01Listener(const Http01Listener&) = delete;
  Http01Listener& operator=(const Http01Listener&) = delete;

 private:
  struct Server;
  std::unique_ptr<Server> server_;
};

/// Pebble's directory and CA, an EC account key, the store at `store_path`, resolver "test", and
/// `handler` as the only solver.
ManagerConfig pebble_manager_config(const PebbleEnv& pebble,
                                    const std::filesystem::path& store_path,
                                    std::shared_ptr<Http01Handler> handler);

}  // namespace acmecpp::testing
