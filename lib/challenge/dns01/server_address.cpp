// SPDX-License-Identifier: Apache-2.0
#include "challenge/dns01/server_address.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "acmecpp/error.hpp"
#include "core/c_handle.hpp"

namespace acmecpp::dns01 {
namespace {

[[noreturn]] void throw_bad_address(const std::string& what, const std::string& text,
                                    const std::string& why) {
  throw Error(ErrorKind::config, what + " '" + text + "': " + why);
}

std::uint16_t parse_port(const std::string& digits, const std::string& what,
                         const std::string& text) {
  const bool numeric = !digits.empty() && digits.size() <= 5 &&
                       std::all_of(digits.begin(), digits.end(),
                                   [](unsigned char c) { return std::isdigit(c) != 0; });
  if (!numeric) throw_bad_address(what, text, "port '" + digits + "' is not a number");
  const unsigned long port = std::stoul(digits);
  if (port == 0 || port > 65535) throw_bad_address(what, text, "port out of range 1-65535");
  return static_cast<std::uint16_t>(port);
}

}  // namespace

std::string ServerAddress::to_string() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

ServerAddress parse_server_address(const std::string& text, const std::string& what) {
  ServerAddress address;
  if (text.empty()) throw_bad_address(what, text, "empty");
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos) throw_bad_address(what, text, "missing ']'");
    address.host = text.substr(1, close - 1);
    const std::string rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') throw_bad_address(what, text, "expected ':' after ']'");
      address.port = parse_port(rest.substr(1), what, text);
    }
  } else if (std::count(text.begin(), text.end(), ':') > 1) {
    address.host = text;  // a bare IPv6 address: no port can be told apart from it
  } else if (const auto colon = text.find(':'); colon != std::string::npos) {
    address.host = text.substr(0, colon);
    address.port = parse_port(text.substr(colon + 1), what, text);
  } else {
    address.host = text;
  }
  if (address.host.empty()) throw_bad_address(what, text, "no host");
  return address;
}

LdnsRdfPtr ip_address_rdf(const std::string& host) {
  const ldns_rdf_type type =
      host.find(':') != std::string::npos ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A;
  return LdnsRdfPtr(ldns_rdf_new_frm_str(type, host.c_str()));
}

ServerAddress with_ip_address(const ServerAddress& server) {
  if (ip_address_rdf(server.host)) return server;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(server.host.c_str(), nullptr, &hints, &found);
  const core::CHandle<addrinfo, freeaddrinfo> owner(found);
  if (rc != 0 || !found) {
    throw ChallengeError("cannot resolve DNS server name " + server.host + ": " + gai_strerror(rc));
  }
  char text[INET6_ADDRSTRLEN] = {};
  const void* address =
      found->ai_family == AF_INET6
          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(found->ai_addr)->sin6_addr)
          : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr);
  inet_ntop(found->ai_family, address, text, sizeof text);
  return ServerAddress{text, server.port};
}

}  // namespace acmecpp::dns01
