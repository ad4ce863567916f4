#include <arpa/inet.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include <httplib.h>

#include "acmecpp/error.hpp"
#include "acmecpp/http01.hpp"

namespace acmecpp {

namespace {

bool is_numeric_address(const std::string& address) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, address.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, address.c_str(), buffer) == 1;
}

/// httplib's default sets SO_REUSEPORT, which would let a second process bind the same port and
/// receive half of the validation requests. SO_REUSEADDR alone still allows a quick restart
/// while old connections sit in TIME_WAIT, but fails loudly when the port is really in use.
void reuse_address_only(socket_t sock) {
  int yes = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

}  // namespace

struct Http01StandaloneSolver::Impl {
  Impl(std::string address_, std::uint16_t port_) : address(std::move(address_)), port(port_) {}
  ~Impl() { stop(); }

  void present(const ChallengeTask& task);
  void cleanup(const ChallengeTask& task) noexcept;

 private:
  /// "127.0.0.1:80", or "[::]:80" for IPv6.
  std::string where() const {
    const bool ipv6 = address.find(':') != std::string::npos;
    return (ipv6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
  }
  void start();
  void stop() noexcept;
  void serve(const httplib::Request& request, httplib::Response& response) const;

  const std::string address;
  const std::uint16_t port;
  Http01Handler handler;

  std::mutex mutex;  // guards what follows, and makes start and stop happen one at a time
  // (token, key authorization) -> successful present() calls not yet cleaned up: the server
  // runs while this is not empty.
  std::map<std::pair<std::string, std::string>, int> presented;
  std::unique_ptr<httplib::Server> server;
  std::thread listener;
};

void Http01StandaloneSolver::Impl::present(const ChallengeTask& task) {
  std::lock_guard<std::mutex> lock(mutex);
  handler.present(task);
  if (!server) {
    try {
      start();
    } catch (...) {
      handler.cleanup(task);
      throw;
    }
  }
  ++presented[{task.token, task.key_authorization}];
}

void Http01StandaloneSolver::Impl::cleanup(const ChallengeTask& task) noexcept {
  std::lock_guard<std::mutex> lock(mutex);
  const auto found = presented.find({task.token, task.key_authorization});
  if (found == presented.end()) return;  // present() failed or was never called
  handler.cleanup(task);
  if (--found->second == 0) presented.erase(found);
  if (presented.empty()) stop();
}

void Http01StandaloneSolver::Impl::start() {
  if (!is_numeric_address(address)) {
    throw ChallengeError("cannot listen for HTTP-01 on " + where() +
                         ": the address must be a numeric IPv4 or IPv6 address");
  }
  auto new_server = std::make_unique<httplib::Server>();
  // Shared: the server keeps the callback after this function returns.
  auto listening = std::make_shared<socket_t>(INVALID_SOCKET);
  new_server->set_socket_options([listening](socket_t sock) {
    reuse_address_only(sock);
    *listening = sock;
  });
  // One request per connection: validators send one anyway, and an idle keep-alive connection
  // would hold up stop() for the keep-alive timeout.
  new_server->set_keep_alive_max_count(1);
  new_server->Get(".*", [this](const httplib::Request& request, httplib::Response& response) {
    serve(request, response);
  });

  errno = 0;
  if (!new_server->bind_to_port(address, port)) {
    const int error = errno;
    throw ChallengeError(
        "cannot listen for HTTP-01 on " + where() + ": " +
        (error != 0 ? std::generic_category().message(error) : std::string("bind failed")));
  }
  // cpp-httplib listens with a backlog of 5. A CA validating many names at once (Pebble makes
  // three connections per name) overflows that; each dropped connection attempt is retried by
  // the validator only a second later, which made a 50-name order take seconds instead of
  // milliseconds. listen() again on the listening socket raises the backlog.
  if (*listening != INVALID_SOCKET) ::listen(*listening, SOMAXCONN);
  httplib::Server* running = new_server.get();
  // Shared with the thread because the thread outlives this call.
  auto listener_done = std::make_shared<std::atomic<bool>>(false);
  listener = std::thread([running, listener_done] {
    running->listen_after_bind();
    *listener_done = true;
  });
  // stop() only works once the accept loop runs; wait for it (it starts at once after bind).
  while (!running->is_running() && !*listener_done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!running->is_running()) {
    listener.join();
    throw ChallengeError("cannot listen for HTTP-01 on " + where() +
                         ": the server stopped at once");
  }
  server = std::move(new_server);
}

void Http01StandaloneSolver::Impl::stop() noexcept {
  if (!server) return;
  server->stop();
  if (listener.joinable()) listener.join();
  server.reset();
}

void Http01StandaloneSolver::Impl::serve(const httplib::Request& request,
                                         httplib::Response& response) const {
  if (const auto body = handler.response(request.path)) {
    response.status = 200;
    response.set_content(*body, "application/octet-stream");
  } else {
    response.status = 404;
    response.set_content("no such HTTP-01 challenge\n", "text/plain");
  }
}

Http01StandaloneSolver::Http01StandaloneSolver(std::string address, std::uint16_t port)
    : impl_(std::make_unique<Impl>(std::move(address), port)) {}

Http01StandaloneSolver::~Http01StandaloneSolver() = default;

void Http01StandaloneSolver::present(const ChallengeTask& task) {
  impl_->present(task);
}

void Http01StandaloneSolver::cleanup(const ChallengeTask& task) noexcept {
  impl_->cleanup(task);
}

}  // namespace acmecpp
