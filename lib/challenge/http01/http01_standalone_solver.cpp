// SPDX-License-Identifier: Apache-2.0
#include <arpa/inet.h>
#include <netinet/in.h>

#include <map>
#include <memory>
#include <mutex>
#include <system_error>
#include <utility>

#include "acmecpp/error.hpp"
#include "acmecpp/http01.hpp"
#include "core/listen_tcp.hpp"
#include "http/http_listener.hpp"

namespace acmecpp {

namespace {

bool is_numeric_address(const std::string& address) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, address.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, address.c_str(), buffer) == 1;
}

}  // namespace

struct Http01StandaloneSolver::Impl {
  Impl(std::string address_, std::uint16_t port_) : address(std::move(address_)), port(port_) {}
  ~Impl() { stop(); }

  void present(const ChallengeTask& task);
  void cleanup(const ChallengeTask& task) noexcept;

 private:
  std::string where() const { return core::host_port(address, port); }
  void start();
  void stop() noexcept { server.reset(); }
  http::ServerReply serve(const http::ServerRequest& request) const;

  const std::string address;
  const std::uint16_t port;
  Http01Handler handler;

  std::mutex mutex;  // guards what follows, and makes start and stop happen one at a time
  // (token, key authorization) -> successful present() calls not yet cleaned up: the server
  // runs while this is not empty.
  std::map<std::pair<std::string, std::string>, int> presented;
  std::unique_ptr<http::HttpListener> server;
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
  // A name would need the resolver, and could stand for an address other than the one meant.
  if (!is_numeric_address(address)) {
    throw ChallengeError("cannot listen for HTTP-01 on " + where() +
                         ": the address must be a numeric IPv4 or IPv6 address");
  }
  try {
    server = std::make_unique<http::HttpListener>(
        address, port, [this](const http::ServerRequest& request) { return serve(request); });
  } catch (const std::system_error& error) {
    throw ChallengeError("cannot listen for HTTP-01 on " + where() + ": " + error.code().message());
  }
}

http::ServerReply Http01StandaloneSolver::Impl::serve(const http::ServerRequest& request) const {
  if (auto body = handler.response(request.target)) {
    return {200, "application/octet-stream", std::move(*body)};
  }
  return {404, "text/plain", "no such HTTP-01 challenge\n"};
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
