// SPDX-License-Identifier: Apache-2.0
#include "core/listen_tcp.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <utility>

#include "core/c_handle.hpp"

namespace acmecpp::core {
namespace {

class ResolverCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "getaddrinfo"; }
  std::string message(int code) const override { return gai_strerror(code); }
};

using AddrInfoPtr = CHandle<addrinfo, freeaddrinfo>;

AddrInfoPtr resolve_passive(const std::string& host, std::uint16_t port, ListenHost accepted) {
  addrinfo hints{};
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  if (accepted == ListenHost::numeric) hints.ai_flags |= AI_NUMERICHOST;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int result = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (result == EAI_SYSTEM) throw ListenHostError(errno, std::generic_category(), host);
  if (result != 0) throw ListenHostError(result, resolver_category(), host);
  return AddrInfoPtr(found);
}

bool is_unspecified_ipv6(const sockaddr& address) {
  const auto& ipv6 = reinterpret_cast<const sockaddr_in6&>(address);
  return IN6_IS_ADDR_UNSPECIFIED(&ipv6.sin6_addr);
}

/// A non-blocking socket listening on `address`, or the errno of the step that failed.
std::pair<UniqueFd, int> try_listen(const addrinfo& address) {
  UniqueFd socket(::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                           address.ai_protocol));
  if (!socket) return {UniqueFd(), errno};
  const int yes = 1;
  if (address.ai_family == AF_INET6 && is_unspecified_ipv6(*address.ai_addr)) {
    // "::" means both stacks, whatever the system's net.ipv6.bindv6only says.
    const int no = 0;
    if (setsockopt(socket.get(), IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof no) != 0) {
      return {UniqueFd(), errno};
    }
  }
  if (setsockopt(socket.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) != 0 ||
      bind(socket.get(), address.ai_addr, address.ai_addrlen) != 0 ||
      listen(socket.get(), SOMAXCONN) != 0) {
    return {UniqueFd(), errno};
  }
  return {std::move(socket), 0};
}

/// The first of the addresses that can be listened on. When none can, the first failure is
/// reported, except that "address in use" wins: it is the one an operator must hear about.
UniqueFd listen_on_first(const addrinfo* addresses) {
  int reported = 0;
  for (const addrinfo* address = addresses; address != nullptr; address = address->ai_next) {
    auto [socket, error] = try_listen(*address);
    if (socket) return std::move(socket);
    if (reported == 0 || error == EADDRINUSE) reported = error;
  }
  throw std::system_error(reported != 0 ? reported : EADDRNOTAVAIL, std::generic_category(),
                          "cannot listen");
}

std::uint16_t local_port(int fd) {
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) != 0) return 0;
  if (bound.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
}

}  // namespace

const std::error_category& resolver_category() noexcept {
  static const ResolverCategory category;
  return category;
}

ListeningSocket listen_tcp(const std::string& host, std::uint16_t port, ListenHost accepted) {
  ListeningSocket listening;
  try {
    listening.fd = listen_on_first(resolve_passive(host, port, accepted).get());
  } catch (const std::system_error& e) {
    // No IPv6 on this machine (no such family, or no IPv6 address to bind): IPv4 alone.
    const int code = e.code().value();
    const bool no_ipv6 = e.code().category() == std::generic_category() &&
                         (code == EAFNOSUPPORT || code == EADDRNOTAVAIL);
    if (host != kAnyAddress || !no_ipv6) throw;
    listening.fd = listen_on_first(resolve_passive("0.0.0.0", port, accepted).get());
  }
  listening.port = local_port(listening.fd.get());
  return listening;
}

std::string host_port(const std::string& host, std::uint16_t port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace acmecpp::core
