#include "support/http01_listener.hpp"

#include <httplib.h>

#include <thread>

#include "acmecpp/error.hpp"

namespace acmecpp::testing {

struct Http01Listener::Server {
  httplib::Server http;
  std::thread thread;
};

Http01Listener::Http01Listener(std::shared_ptr<Http01Handler> handler, std::uint16_t port)
    : server_(std::make_unique<Server>()) {
  server_->http.Get(".*", [handler](const httplib::Request& req, httplib::Response& res) {
    if (auto body = handler->response(req.path)) {
      res.set_content(*body, "application/octet-stream");
    } else {
      res.status = 404;
    }
  });
  if (!server_->http.bind_to_port("127.0.0.1", port)) {
    throw Error(ErrorKind::config,
                "cannot bind the HTTP-01 listener to port " + std::to_string(port));
  }
  server_->thread = std::thread([this] { server_->http.listen_after_bind(); });
  while (!server_->http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

Http01Listener::~Http01Listener() {
  server_->http.stop();
  server_->thread.join();
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
