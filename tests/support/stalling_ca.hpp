// SPDX-License-Identifier: Apache-2.0
#pragma once
// A CA that stalls, for the cancellation and wait-message tests: Pebble behind the ARI stand-in
// (ari_server.hpp), whose misbehaviours (newOrder never answered, orders kept "processing") the
// test switches on; Pebble itself cannot be made to hang. With a port-80 listener for HTTP-01
// and a store directory.

#include <memory>

#include "support/ari_server.hpp"
#include "support/http01_listener.hpp"
#include "support/pebble_env.hpp"
#include "support/temp_dir.hpp"

namespace acmecpp::testing {

struct StallingCa {
  /// `http01_listener`: answer HTTP-01 through `handler` on Pebble's HTTP port; false where
  /// acmectl answers it with its own standalone server.
  explicit StallingCa(bool http01_listener = true) {
    if (http01_listener) listener = std::make_unique<Http01Listener>(handler, pebble.http_port());
  }

  PebbleEnv pebble;
  TempDir dir;
  std::shared_ptr<Http01Handler> handler = std::make_shared<Http01Handler>();
  std::unique_ptr<Http01Listener> listener;
  AriServer ca{pebble};

  /// pebble_manager_config() pointed at the stand-in, the store at dir/acme.json.
  ManagerConfig manager_config() const {
    auto config = pebble_manager_config(pebble, store_path(), handler);
    config.acme.directory_url = ca.directory_url();
    return config;
  }
  std::string store_path() const { return (dir / "acme.json").string(); }
};

}  // namespace acmecpp::testing
