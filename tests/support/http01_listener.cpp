// SPDX-License-Identifier: Apache-2.0
#include "support/http01_listener.hpp"

namespace acmecpp::testing {

void serve_http01(httplib::Server& server, std::shared_ptr<Http01Handler> handler) {
  server.Get(".*", [handler](const httplib::Request& req, httplib::Response& res) {
    if (auto body = handler->response(req.path)) {
      res.set_content(*body, "application/octet-stream");
    } else {
      res.status = 404;
    }
  });
}

ManagerConfig pebble_manager_config(const PebbleEnv& pebble,
                                    const std::filesystem::path& store_path,
                                    std::shared_ptr<Http01Handler> handler) {
  ManagerConfig config;
  config.acme.directory_url = pebble.directory_url();
  config.acme.ca_bundle = pebble.ca_bundle().string();
  config.email = "renewal@example.test";
  config.agree_tos = true;
  config.account_key_type = KeyType::ec256;
  config.store = std::make_shared<AcmeJsonStore>(store_path.string());
  config.resolver = "test";
  config.solvers = {std::move(handler)};
  return config;
}

}  // namespace acmecpp::testing
