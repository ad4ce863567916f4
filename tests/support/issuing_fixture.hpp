// SPDX-License-Identifier: Apache-2.0
#pragma once
// What most library tests against Pebble need: a Pebble, a temporary directory for the store,
// and a proxy-like port-80 listener answering HTTP-01 through an Http01Handler.

#include <memory>

#include "support/http01_listener.hpp"
#include "support/temp_dir.hpp"

namespace acmecpp::testing {

class IssuingFixture {
 public:
  explicit IssuingFixture(PebbleOptions options = {})
      : pebble(std::move(options)), listener(http01, pebble.http_port()) {}

  /// pebble_manager_config() for this Pebble with the store at dir/acme.json (a new
  /// AcmeJsonStore object each call) and resolver "proxy".
  ManagerConfig config() const {
    auto c = pebble_manager_config(pebble, store_path(), http01);
    c.resolver = "proxy";
    return c;
  }
  std::string store_path() const { return (dir / "acme.json").string(); }

  PebbleEnv pebble;
  TempDir dir;
  std::shared_ptr<Http01Handler> http01 = std::make_shared<Http01Handler>();
  Http01Listener listener;
};

}  // namespace acmecpp::testing
