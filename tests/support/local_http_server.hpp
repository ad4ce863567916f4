// SPDX-License-Identifier: Apache-2.0
#pragma once
// A cpp-httplib server on 127.0.0.1 run on its own thread for the length of a test: a web server
// in front of a webroot, a proxy's port-80 listener, a stand-in for an API.

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

namespace acmecpp::testing {

class LocalHttpServer {
 public:
  /// `configure` installs the routes; the server then listens on 127.0.0.1:port until destroyed.
  LocalHttpServer(std::uint16_t port, const std::function<void(httplib::Server&)>& configure) {
    // Shared: the server keeps the callback after this function returns.
    auto listening = std::make_shared<socket_t>(INVALID_SOCKET);
    server_.set_socket_options([listening](socket_t sock) {
      httplib::default_socket_options(sock);
      *listening = sock;
    });
    configure(server_);
    if (!server_.bind_to_port("127.0.0.1", port)) {
      throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(port));
    }
    // cpp-httplib's backlog of 5 drops connections when a CA validates many names at once, and
    // the CA retries each a second later: raise it (listen() again updates the backlog).
    if (*listening != INVALID_SOCKET) ::listen(*listening, SOMAXCONN);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the loop runs would be lost; wait until it does.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LocalHttpServer() {
    server_.stop();
    thread_.join();
  }
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

 private:
  httplib::Server server_;
  std::thread thread_;
};

}  // namespace acmecpp::testing
