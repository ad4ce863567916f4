// SPDX-License-Identifier: Apache-2.0
#include "core/ip_address.hpp"

#include <arpa/inet.h>

#include "acmecpp/error.hpp"
#include "acmecpp/printable.hpp"

namespace acmecpp::core {
namespace {

/// The address's bytes and family, or family 0 when `text` is not an address. glibc's inet_pton
/// takes IPv4 only as a dotted quad of decimal numbers without leading zeros.
struct Parsed {
  int family = 0;
  unsigned char bytes[16] = {};
};

Parsed parse(std::string_view text) {
  Parsed parsed;
  if (text.find('\0') != std::string_view::npos) return parsed;
  const std::string copy(text);  // inet_pton needs the terminating NUL
  if (inet_pton(AF_INET, copy.c_str(), parsed.bytes) == 1) {
    parsed.family = AF_INET;
  } else if (inet_pton(AF_INET6, copy.c_str(), parsed.bytes) == 1) {
    parsed.family = AF_INET6;
  }
  return parsed;
}

}  // namespace

std::optional<std::string> canonical_ip_address(std::string_view text) {
  const Parsed parsed = parse(text);
  if (parsed.family == 0) return std::nullopt;
  char canonical[INET6_ADDRSTRLEN] = {};
  // glibc's inet_ntop writes IPv6 as RFC 5952 section 4 asks: lower case, no leading zeros, the
  // longest run of two or more zero groups (the first of equal runs) as "::".
  if (inet_ntop(parsed.family, parsed.bytes, canonical, sizeof canonical) == nullptr) {
    return std::nullopt;
  }
  return std::string(canonical);
}

std::string reverse_dns_name(std::string_view ip) {
  const Parsed parsed = parse(ip);
  if (parsed.family == 0) {
    throw Error(ErrorKind::invalid_input,
                "\"" + printable_text(ip, 64) + "\" is not an IP address: no reverse-DNS name");
  }
  std::string name;
  if (parsed.family == AF_INET) {
    for (int i = 3; i >= 0; --i) name += std::to_string(parsed.bytes[i]) + ".";
    return name + "in-addr.arpa";
  }
  static const char* hex = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    name += hex[parsed.bytes[i] & 0xf];
    name += '.';
    name += hex[parsed.bytes[i] >> 4];
    name += '.';
  }
  return name + "ip6.arpa";
}

}  // namespace acmecpp::core
