// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where a DNS server listens: "host", "host:port", "[v6]:port" or a bare IPv6 address.

#include <cstdint>
#include <string>

#include "challenge/dns01/ldns_ptr.hpp"

namespace acmecpp::dns01 {

constexpr std::uint16_t kDnsPort = 53;

struct ServerAddress {
  std::string host;  ///< an IP address, or a host name where the caller allows one
  std::uint16_t port = kDnsPort;

  /// "192.0.2.1:53" or "[2001:db8::1]:53", for messages.
  std::string to_string() const;
};

/// Parses "192.0.2.1", "192.0.2.1:5353", "::1", "[::1]" or "[::1]:5353" (and host names the same
/// way as IPv4). Throws Error(config) naming `what` (e.g. "DNS-01 resolver") and the text.
ServerAddress parse_server_address(const std::string& text, const std::string& what);

/// The host as an ldns A or AAAA rdf, or null when it is not an IP address.
LdnsRdfPtr ip_address_rdf(const std::string& host);

/// The same server with its host as an IP address: unchanged when it is one, otherwise the
/// first address the system resolver (getaddrinfo) gives for the name. Throws ChallengeError
/// naming the host when it does not resolve.
ServerAddress with_ip_address(const ServerAddress& server);

}  // namespace acmecpp::dns01
