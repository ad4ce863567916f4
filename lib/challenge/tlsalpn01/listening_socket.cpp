#include "challenge/tlsalpn01/listening_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <memory>
#include <system_error>

#include "acmecpp/error.hpp"

namespace acmecpp::tlsalpn01 {
namespace {

using AddrInfoPtr = std::unique_ptr<addrinfo, decltype(&freeaddrinfo)>;

[[noreturn]] void throw_listen_error(const std::string& where, const std::string& reason) {
  throw ChallengeError("cannot listen for TLS-ALPN-01 on " + where + ": " + reason);
}

[[noreturn]] void throw_system_listen_error(const std::string& where, int error) {
  throw_listen_error(where, std::generic_category().message(error));
}

AddrInfoPtr numeric_address(const std::string& address, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 ||
      found == nullptr) {
    throw_listen_error(host_port(address, port),
                       "the address must be a numeric IPv4 or IPv6 address");
  }
  return AddrInfoPtr(found, freeaddrinfo);
}

}  // namespace

std::string host_port(const std::string& address, std::uint16_t port) {
  const bool ipv6 = address.find(':') != std::string::npos;
  return (ipv6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

core::UniqueFd listen_tcp(const std::string& address, std::uint16_t port) {
  const std::string where = host_port(address, port);
  const AddrInfoPtr resolved = numeric_address(address, port);
  core::UniqueFd socket(
      ::socket(resolved->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP));
  if (!socket) throw_system_listen_error(where, errno);
  const int yes = 1;
  if (setsockopt(socket.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes)) != 0) {
    throw_system_listen_error(where, errno);
  }
  if (bind(socket.get(), resolved->ai_addr, resolved->ai_addrlen) != 0 ||
      listen(socket.get(), SOMAXCONN) != 0) {
    throw_system_listen_error(where, errno);
  }
  return socket;
}

std::uint16_t local_port(int fd) {
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) != 0) return 0;
  if (bound.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
}

}  // namespace acmecpp::tlsalpn01
