// SPDX-License-Identifier: Apache-2.0
#include "support/raw_http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace acmecpp::testing {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

}  // namespace

UniqueFd connect_tcp(std::uint16_t port, const std::string& address,
                     std::chrono::milliseconds read_timeout) {
  sockaddr_storage peer{};
  socklen_t length = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&peer);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&peer);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof *v4;
  } else {
    if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) != 1) {
      throw std::runtime_error("not a numeric address: " + address);
    }
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof *v6;
  }
  UniqueFd socket(::socket(peer.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!socket) fail("socket");
  timeval timeout{};
  timeout.tv_sec = static_cast<time_t>(read_timeout.count() / 1000);
  timeout.tv_usec = static_cast<suseconds_t>((read_timeout.count() % 1000) * 1000);
  if (setsockopt(socket.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0) {
    fail("setsockopt SO_RCVTIMEO");
  }
  if (::connect(socket.get(), reinterpret_cast<const sockaddr*>(&peer), length) != 0) {
    fail("connect to " + address + " port " + std::to_string(port));
  }
  return socket;
}

void send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("send");
    sent += static_cast<std::size_t>(n);
  }
}

std::string read_until_closed(int fd) {
  std::string received;
  char buffer[16384];
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return received;
    received.append(buffer, static_cast<std::size_t>(n));
  }
}

bool readable_within(int fd, std::chrono::milliseconds limit) {
  pollfd watched{fd, POLLIN, 0};
  int ready;
  do {
    ready = ::poll(&watched, 1, static_cast<int>(limit.count()));
  } while (ready < 0 && errno == EINTR);
  return ready > 0;
}

std::string round_trip(std::uint16_t port, const std::string& request, const std::string& address) {
  const UniqueFd socket = connect_tcp(port, address);
  send_all(socket.get(), request);
  return read_until_closed(socket.get());
}

}  // namespace acmecpp::testing
