// SPDX-License-Identifier: Apache-2.0
#pragma once
// The listening TCP socket of every listener the library runs (http::HttpListener for the
// standalone HTTP-01 server and MetricsServer, the standalone TLS-ALPN-01 server): one way to
// resolve the host, bind, listen and learn the port. Each listener words its own errors.

#include <cstdint>
#include <string>
#include <system_error>

#include "core/unique_fd.hpp"

namespace acmecpp::core {

/// How a listener's host may be written.
enum class ListenHost {
  numeric,          ///< a numeric IPv4 or IPv6 address only: no resolver is asked
  numeric_or_name,  ///< also a name ("localhost"): the first of its addresses that binds is used
};

/// A socket listening, and the port it is bound to (the kernel's choice after port 0).
struct ListeningSocket {
  UniqueFd fd;
  std::uint16_t port = 0;
};

/// The host could not be turned into addresses (with ListenHost::numeric: it is not a numeric
/// address). The code is getaddrinfo's EAI_* in resolver_category(), or for EAI_SYSTEM the errno
/// in generic_category.
class ListenHostError : public std::system_error {
 public:
  using std::system_error::system_error;
};

/// The error category of getaddrinfo's EAI_* codes (message: gai_strerror).
const std::error_category& resolver_category() noexcept;

/// The default host of the standalone challenge servers: "::", every IPv6 and (IPV6_V6ONLY off)
/// IPv4 address at once, since a CA validates over IPv6 first when a name has an AAAA record.
/// On a machine without IPv6 listen_tcp() binds 0.0.0.0 for it instead.
inline constexpr const char* kAnyAddress = "::";

/// A non-blocking, close-on-exec socket listening on host:port with the largest backlog
/// (SOMAXCONN: a CA validating 50 names opens some 150 connections at once). SO_REUSEADDR only:
/// a restart works while old connections sit in TIME_WAIT, yet a port another socket listens on
/// is an error; never SO_REUSEPORT, which would let a second process share the port unnoticed.
/// Throws ListenHostError when the host has no address, and otherwise std::system_error with
/// the errno of socket/setsockopt/bind/listen (generic_category, e.g. EADDRINUSE); when several
/// addresses fail, the first failure is reported, except that EADDRINUSE wins. The IPv6
/// unspecified address ("::") is bound dual-stack (IPV6_V6ONLY off), and falls back to
/// 0.0.0.0 where the machine has no IPv6.
ListeningSocket listen_tcp(const std::string& host, std::uint16_t port, ListenHost accepted);

/// "127.0.0.1:443", or "[::1]:443" for an IPv6 address, for messages.
std::string host_port(const std::string& host, std::uint16_t port);

}  // namespace acmecpp::core
