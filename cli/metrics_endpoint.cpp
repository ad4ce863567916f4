// SPDX-License-Identifier: Apache-2.0
#include "metrics_endpoint.hpp"

#include <utility>

#include "acmecpp/error.hpp"

namespace acmectl {
namespace {

[[noreturn]] void bad_address(const std::string& text, const std::string& why) {
  throw acmecpp::Error(acmecpp::ErrorKind::config,
                       "--metrics-listen \"" + text + "\": " + why +
                           " (expected HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464)");
}

std::uint16_t parse_port(const std::string& text, const std::string& digits) {
  if (digits.empty() || digits.size() > 5 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    bad_address(text, "the port \"" + digits + "\" is not a number");
  }
  const unsigned long port = std::stoul(digits);
  if (port == 0 || port > 65535) bad_address(text, "the port must be 1-65535");
  return static_cast<std::uint16_t>(port);
}

}  // namespace

ListenAddress parse_listen_address(const std::string& text) {
  ListenAddress address;
  std::string::size_type colon;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      bad_address(text, "an IPv6 address needs the form [ADDRESS]:PORT");
    }
    address.host = text.substr(1, close - 1);
    colon = close + 1;
  } else {
    colon = text.rfind(':');
    if (colon == std::string::npos) bad_address(text, "no port");
    address.host = text.substr(0, colon);
    if (address.host.find(':') != std::string::npos) {
      bad_address(text, "write an IPv6 address in brackets");
    }
  }
  if (address.host.empty() && text.front() == '[') bad_address(text, "empty IPv6 address");
  if (address.host.empty()) address.host = "0.0.0.0";
  address.port = parse_port(text, text.substr(colon + 1));
  return address;
}

std::unique_ptr<acmecpp::MetricsServer> start_metrics_server(const std::string& text,
                                                             std::function<std::string()> render) {
  const ListenAddress address = parse_listen_address(text);
  return std::make_unique<acmecpp::MetricsServer>(address.host, address.port, std::move(render));
}

}  // namespace acmectl
