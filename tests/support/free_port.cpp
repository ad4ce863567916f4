// SPDX-License-Identifier: Apache-2.0
#include "support/free_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "acmecpp/error.hpp"
#include "core/unique_fd.hpp"

namespace acmecpp::testing {

using core::UniqueFd;

namespace {

sockaddr_in loopback_address(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  return address;
}

UniqueFd open_socket(int type) {
  UniqueFd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  if (!fd) {
    throw Error(ErrorKind::network, std::string("cannot create a socket: ") + std::strerror(errno));
  }
  return fd;
}

bool try_bind(const UniqueFd& fd, std::uint16_t port) {
  const sockaddr_in address = loopback_address(port);
  return ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

std::uint16_t bound_port(const UniqueFd& fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw Error(ErrorKind::network, std::string("getsockname failed: ") + std::strerror(errno));
  }
  return ntohs(address.sin_port);
}

// Binds port 0 and keeps the socket open so the caller can probe the same number elsewhere.
UniqueFd bind_any_port(int type) {
  UniqueFd fd = open_socket(type);
  if (!try_bind(fd, 0)) {
    throw Error(ErrorKind::network,
                std::string("cannot bind 127.0.0.1:0: ") + std::strerror(errno));
  }
  return fd;
}

}  // namespace

std::uint16_t free_tcp_port() {
  return bound_port(bind_any_port(SOCK_STREAM));
}

std::uint16_t free_udp_port() {
  return bound_port(bind_any_port(SOCK_DGRAM));
}

std::uint16_t free_tcp_and_udp_port() {
  constexpr int attempts = 50;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    const UniqueFd tcp = bind_any_port(SOCK_STREAM);
    const std::uint16_t port = bound_port(tcp);
    const UniqueFd udp = open_socket(SOCK_DGRAM);
    if (try_bind(udp, port)) return port;
  }
  throw Error(ErrorKind::network, "no port free for both TCP and UDP on 127.0.0.1 after " +
                                      std::to_string(attempts) + " attempts");
}

}  // namespace acmecpp::testing
