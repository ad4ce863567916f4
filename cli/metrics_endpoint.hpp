// SPDX-License-Identifier: Apache-2.0
#pragma once
// The HTTP endpoint of `acmectl run --metrics-listen HOST:PORT`: the address parsed, and an
// acmecpp::MetricsServer answering GET /metrics with the Prometheus text that `render` returns
// at the time of the request, on its own thread for as long as it lives.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "acmecpp/metrics.hpp"

namespace acmectl {

struct ListenAddress {
  std::string host;  ///< "127.0.0.1", "::1" (without brackets), a host name; "0.0.0.0" for ":PORT"
  std::uint16_t port = 0;
};

/// "HOST:PORT", "[IPv6]:PORT" or ":PORT" (every IPv4 interface). Throws
/// acmecpp::Error(config) naming the value when it is none of these or the port is not 1-65535.
ListenAddress parse_listen_address(const std::string& text);

/// Serves metrics on the address of --metrics-listen `text` (see parse_listen_address) until
/// the returned server is destroyed. Throws acmecpp::Error(config) naming the value when it
/// does not parse, or the address when it cannot be bound (in use, not local, ...), so a daemon
/// fails at start.
std::unique_ptr<acmecpp::MetricsServer> start_metrics_server(const std::string& text,
                                                             std::function<std::string()> render);

}  // namespace acmectl
