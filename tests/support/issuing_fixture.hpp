#pragma once
// What most library tests against Pebble need: a Pebble, a temporary directory for the store,
// and a proxy-like port-80 listener answering HTTP-01 through an Http01Handler.

#include <memory>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/http01.hpp"
#include "support/local_http_server.hpp"
#include "support/pebble_env.hpp"
#include "support/temp_dir.hpp"

namespace acmecpp::testing {

/// Routes every GET to the handler, as a proxy's own port-80 listener would.
inline void serve_http01(httplib::Server& server, std::shared_ptr<Http01Handler> handler) {
  server.Get(".*", [handler](const httplib::Request& req, httplib::Response& res) {
    if (auto body = handler->response(req.path)) {
      res.set_content(*body, "application/octet-stream");
    } else {
      res.status = 404;
    }
  });
}

class IssuingFixture {
 public:
  explicit IssuingFixture(PebbleOptions options = {})
      : pebble(std::move(options)),
        listener(pebble.http_port(), [this](httplib::Server& s) { serve_http01(s, http01); }) {}

  /// A manager configuration for this Pebble: EC account key, store at dir/acme.json (a new
  /// AcmeJsonStore object each call), resolver "proxy", the HTTP-01 handler as its only solver.
  ManagerConfig config() const {
    ManagerConfig c;
    c.acme.directory_url = pebble.directory_url();
    c.acme.ca_bundle = pebble.ca_bundle().string();
    c.email = "lib@example.test";
    c.agree_tos = true;
    c.account_key_type = KeyType::ec256;
    c.store = std::make_shared<AcmeJsonStore>(store_path());
    c.resolver = "proxy";
    c.solvers = {http01};
    return c;
  }
  std::string store_path() const { return (dir / "acme.json").string(); }

  PebbleEnv pebble;
  TempDir dir;
  std::shared_ptr<Http01Handler> http01 = std::make_shared<Http01Handler>();
  LocalHttpServer listener;
};

}  // namespace acmecpp::testing
