#pragma once
// The HTTP endpoint of `acmectl run --metrics-listen HOST:PORT`: GET /metrics answers with the
// Prometheus text that `render` returns at the time of the request. It runs on its own thread
// (cpp-httplib) for as long as the object lives.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace acmectl {

struct ListenAddress {
  std::string host;  ///< "127.0.0.1", "::1" (without brackets), a host name; "0.0.0.0" for ":PORT"
  std::uint16_t port = 0;
};

/// "HOST:PORT", "[IPv6]:PORT" or ":PORT" (every IPv4 interface). Throws
/// acmecpp::Error(config) naming the value when it is none of these or the port is not 1-65535.
ListenAddress parse_listen_address(const std::string& text);

class MetricsEndpoint {
 public:
  /// Binds `address` at once and serves from then on. Throws acmecpp::Error(config) naming the
  /// address when it cannot be bound (in use, not local, ...), so a daemon fails at start.
  MetricsEndpoint(const ListenAddress& address, std::function<std::string()> render);
  /// Stops serving and waits for the thread.
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace acmectl
