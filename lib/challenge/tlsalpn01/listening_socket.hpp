#pragma once
// The TCP socket the standalone TLS-ALPN-01 server listens on.

#include <cstdint>
#include <string>

#include "core/unique_fd.hpp"

namespace acmecpp::tlsalpn01 {

/// "127.0.0.1:443", or "[::]:443" for IPv6, for messages.
std::string host_port(const std::string& address, std::uint16_t port);

/// A non-blocking socket listening on address:port (a numeric IPv4 or IPv6 address; never a
/// name, which would need the resolver). SO_REUSEADDR only: a restart works while old
/// connections linger in TIME_WAIT, but a port someone else listens on is an error. Throws
/// ChallengeError naming address:port and the system's reason, e.g. "Address already in use".
core::UniqueFd listen_tcp(const std::string& address, std::uint16_t port);

/// The port a socket is bound to (the kernel's choice after binding port 0).
std::uint16_t local_port(int fd);

}  // namespace acmecpp::tlsalpn01
